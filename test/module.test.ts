// nn.Module: registration, dotted names, train/eval, stateDict/loadStateDict, freezing, to().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tn from 'tunet';

const { Module, Parameter, Sequential, ModuleList, ModuleDict } = tn.nn;
const F = tn.nn.functional;

class Affine extends Module {
  weight: tn.Tensor;
  bias: tn.Tensor | null;
  runningMean: tn.Tensor;
  scratch: tn.Tensor;
  constructor(inF: number, outF: number, bias = true) {
    super();
    this.weight = this.registerParameter('weight', new Parameter(tn.randn([outF, inF])));
    this.bias = this.registerParameter('bias', bias ? new Parameter(tn.zeros([outF])) : null);
    this.runningMean = this.registerBuffer('running_mean', tn.zeros([outF]));
    this.scratch = this.registerBuffer('scratch', tn.zeros([1]), { persistent: false });
  }
  forward(x: tn.Tensor): tn.Tensor {
    return F.linear(x, this.weight, this.bias);
  }
}

class Net extends Module {
  enc = new Affine(4, 3);
  head = new Sequential(new Affine(3, 2), new Affine(2, 1, false));
  gain = new Parameter(tn.ones([1]));
  forward(x: tn.Tensor): tn.Tensor {
    return this.head.forward(this.enc.forward(x)).mul(this.gain);
  }
}

test('parameters, buffers and submodules get dotted names in registration order', () => {
  const n = new Net();
  assert.deepEqual(n.namedParameters().map(([k]) => k), ['gain', 'enc.weight', 'enc.bias', 'head.0.weight', 'head.0.bias', 'head.1.weight']);
  assert.deepEqual(n.namedBuffers().map(([k]) => k), ['enc.running_mean', 'enc.scratch', 'head.0.running_mean', 'head.0.scratch', 'head.1.running_mean', 'head.1.scratch']);
  assert.deepEqual(Object.keys(n.stateDict()), ['gain', 'enc.weight', 'enc.bias', 'enc.running_mean', 'head.0.weight', 'head.0.bias', 'head.0.running_mean', 'head.1.weight', 'head.1.running_mean']);
  assert.deepEqual(n.namedModules().map(([k]) => k), ['', 'enc', 'head', 'head.0', 'head.1']);
  assert.equal(n.numParameters(), 1 + 12 + 3 + 6 + 2 + 2);
});

test('shared parameters are listed once', () => {
  const a = new Affine(2, 2);
  const s = new Sequential(a, a);
  assert.equal(s.parameters().length, 2);
});

test('train() and eval() set the mode recursively', () => {
  const n = new Net();
  n.eval();
  assert.ok(n.modules().every((m) => !m.training));
  n.train();
  assert.ok(n.modules().every((m) => m.training));
});

test('stateDict -> loadStateDict reproduces outputs; values are copied in place', () => {
  tn.manualSeed(1);
  const a = new Net();
  const b = new Net();
  const w = b.enc.weight;
  const x = tn.randn([5, 4]);
  assert.ok(!a.forward(x).allclose(b.forward(x)));
  const r = b.loadStateDict(a.stateDict());
  assert.deepEqual(r, { missingKeys: [], unexpectedKeys: [] });
  assert.ok(a.forward(x).allclose(b.forward(x)));
  assert.equal(b.enc.weight, w, 'parameter identity is kept');
  assert.ok(w.requiresGrad && w.isLeaf);
});

test('loadStateDict lists missing, unexpected and mis-shaped keys', () => {
  const n = new Net();
  const sd = n.stateDict();
  delete sd['enc.bias'];
  sd['extra.weight'] = tn.zeros([1]);
  sd['head.0.weight'] = tn.zeros([9, 9]);
  assert.throws(
    () => n.loadStateDict(sd),
    (e: unknown) =>
      e instanceof tn.TorchError &&
      /missing keys: enc\.bias/.test(e.message) &&
      /unexpected keys: extra\.weight/.test(e.message) &&
      /head\.0\.weight: checkpoint \[9, 9\], model \[2, 3\]/.test(e.message),
  );
  delete sd['head.0.weight'];
  const r = n.loadStateDict(sd, { strict: false });
  assert.deepEqual(r.missingKeys, ['enc.bias', 'head.0.weight']);
  assert.deepEqual(r.unexpectedKeys, ['extra.weight']);
});

test('freezing stops gradients; zeroGrad clears them', () => {
  const n = new Net();
  n.enc.freeze();
  assert.equal(n.numParameters({ trainableOnly: true }), 1 + 6 + 2 + 2);
  n.forward(tn.randn([2, 4])).sum().backward();
  assert.equal(n.enc.weight.grad, null);
  assert.notEqual(n.head.parameters()[0].grad, null);
  n.zeroGrad(false);
  assert.equal(n.head.parameters()[0].grad!.abs().sum().item(), 0);
  n.zeroGrad();
  assert.equal(n.head.parameters()[0].grad, null);
});

test('to(float64) casts floating parameters and buffers in place', () => {
  const n = new Net();
  const p = n.enc.weight;
  n.double();
  assert.equal(p.dtype, 'float64');
  assert.equal(n.enc.runningMean.dtype, 'float64');
  assert.ok(p.requiresGrad);
  assert.equal(n.forward(tn.randn([2, 4], { dtype: 'float64' })).dtype, 'float64');
});

test('parameters made inside tn.scope survive it', () => {
  const n = tn.scope(() => new Net());
  assert.ok(n.parameters().every((p) => !p.isDisposed));
  assert.ok(n.buffers().every((b) => !b.isDisposed));
});

test('containers: Sequential chains, ModuleList and ModuleDict register children', () => {
  const s = new Sequential(new Affine(4, 3), new Affine(3, 2));
  assert.deepEqual(s.forward(tn.zeros([1, 4])).shape, [1, 2]);
  assert.equal(s.length, 2);
  const l = new ModuleList([new Affine(1, 1), new Affine(1, 1)]);
  assert.deepEqual(l.namedParameters().map(([k]) => k), ['0.weight', '0.bias', '1.weight', '1.bias']);
  const d = new ModuleDict({ a: new Affine(1, 1) });
  assert.deepEqual(d.keys(), ['a']);
  assert.throws(() => l.forward(), tn.TorchError);
});

test('registration errors are clear', () => {
  class Bad extends Module {
    forward() {
      return null;
    }
  }
  const m = new Bad();
  assert.throws(() => m.registerParameter('a.b', new Parameter(tn.zeros([1]))), /without '\.'/);
  assert.throws(() => m.registerParameter('w', tn.zeros([1]) as never), /must be a Parameter/);
  assert.throws(() => new Parameter(tn.zeros([1], { dtype: 'int64' })), /floating-point/);
  m.registerBuffer('b', tn.zeros([1]));
  assert.throws(() => m.registerParameter('b', new Parameter(tn.zeros([1]))), /already registered/);
});
