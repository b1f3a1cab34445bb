// tunet's layers against PyTorch 1.13 (test/fixtures/layers.json + layers.safetensors, written by
// scripts/make_layer_fixtures.py). For each case the layer is built with tunet, loads the state dict
// PyTorch saved, and must give PyTorch's outputs, input and parameter gradients of sum(out·w), and
// running statistics after a training-mode forward; its state-dict keys, shapes, dtypes and
// parameter count must be PyTorch's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tn from 'tunet';
import { gradWeight } from './helpers/fixtures.js';

const nn = tn.nn;
type T = tn.Tensor;

interface LayerCase {
  name: string;
  ctor: string;
  args: unknown[];
  modes: ('train' | 'eval')[];
  grad: boolean;
  keys: [string, number[], string][];
  params: string[];
  buffers: string[];
  numParameters: number;
}

interface SeedInitCase {
  name: string;
  seed: number;
  ctor: string;
  args: unknown[];
  keys: [string, number[], string][];
}

function fixturePath(name: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const p of [path.resolve(here, '../../test/fixtures', name), path.resolve(here, 'fixtures', name)]) {
    try {
      readFileSync(p, { flag: 'r' }).length;
      return p;
    } catch {
      // try the next
    }
  }
  throw new Error(`fixture ${name} not found`);
}

const doc = JSON.parse(readFileSync(fixturePath('layers.json'), 'utf8')) as { cases: LayerCase[]; seedInit: SeedInitCase[]; torch: string };
const store = tn.safetensors.loadFile(fixturePath('layers.safetensors')).tensors;
for (const t of Object.values(store)) tn.keep(t);

function get(key: string): T {
  const t = store[key];
  assert.ok(t, `fixture tensor ${key} is missing`);
  return t;
}

/** The entries of the store under `prefix/`, keyed by the rest of their name. */
function under(prefix: string): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(store)) if (k.startsWith(`${prefix}/`)) out[k.slice(prefix.length + 1)] = v;
  return out;
}

/** |got − want| ≤ atol + rtol·|want| everywhere; same shape and dtype; integers exactly. */
function assertClose(got: T | null, want: T, what: string, rtol = 1e-4, atol = 1e-4): void {
  assert.ok(got instanceof tn.Tensor, `${what}: expected a tensor, got ${String(got)}`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape [${got.shape}] vs PyTorch [${want.shape}]`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  const g = got.toArray();
  const w = want.toArray();
  if (!want.isFloatingPoint()) {
    assert.deepEqual(g, w, `${what}: values`);
    return;
  }
  let bad = -1;
  let worst = 0;
  for (let i = 0; i < w.length; i++) {
    const err = Math.abs(g[i] - w[i]) - (atol + rtol * Math.abs(w[i]));
    if (!(err <= 0) && (bad < 0 || err > worst)) {
      bad = i;
      worst = err;
    }
  }
  assert.ok(bad < 0, `${what}: flat index ${bad}: tunet ${g[bad]}, PyTorch ${w[bad]}`);
}

/** The composite model: mirrors composite() in scripts/make_layer_fixtures.py. */
function composite(): tn.nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(3, 8, 3, { padding: 1 }),
    new nn.BatchNorm2d(8),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.BasicBlock(8, 16, { stride: 2 }),
    new nn.InvertedResidual(16, 16, { expandRatio: 2 }),
    new nn.InvertedResidual(16, 24, { version: 'v3', expandedChannels: 32, useSE: true, activation: 'hardswish', stride: 2 }),
    new nn.SqueezeExcite(24),
    new nn.GlobalAvgPool2d(),
    new nn.Dropout(0),
    new nn.Linear(24, 5),
  );
}

function build(ctor: string, args: unknown[]): tn.nn.Module {
  if (ctor === 'Composite') return composite();
  const C = (nn as unknown as Record<string, new (...a: unknown[]) => tn.nn.Module>)[ctor];
  assert.equal(typeof C, 'function', `tn.nn.${ctor} is not a layer`);
  return new C(...args);
}

const ST: Record<string, string> = { float32: 'F32', float64: 'F64', int64: 'I64' };

function keyList(m: tn.nn.Module): [string, number[], string][] {
  return tn.scope(() => Object.entries(m.stateDict()).map(([k, v]) => [k, v.shape, ST[v.dtype]] as [string, number[], string]));
}

function runMode(m: tn.nn.Module, c: LayerCase, mode: 'train' | 'eval'): void {
  tn.scope(() => {
    m.loadStateDict(under(`${c.name}/state`));
    m.train(mode === 'train');
    m.zeroGrad();
    const x = get(`${c.name}/input`).clone().requiresGrad_(c.grad);
    const out = m.forward(x) as T;
    const what = `${c.name} (${mode})`;
    assertClose(out, get(`${c.name}/${mode}/out`), `${what} output`);
    if (c.grad) {
      out.mul(gradWeight(out.shape, out.dtype, 0)).sum().backward();
      assertClose(x.grad, get(`${c.name}/${mode}/grad/input`), `${what} input gradient`);
      const params = new Map(m.namedParameters());
      assert.deepEqual([...params.keys()], c.params, `${what}: parameter names`);
      for (const k of c.params) assertClose(params.get(k)!.grad, get(`${c.name}/${mode}/grad/${k}`), `${what} gradient of ${k}`);
    }
    if (mode === 'train') {
      const bufs = new Map(m.namedBuffers());
      assert.deepEqual([...bufs.keys()], c.buffers, `${what}: buffer names`);
      for (const k of c.buffers) assertClose(bufs.get(k)!, get(`${c.name}/train/after/${k}`), `${what} buffer ${k} after the forward`, 1e-5, 1e-6);
    }
    m.zeroGrad();
  });
}

for (const c of doc.cases) {
  test(`${c.name}: ${c.ctor} matches PyTorch (state dict, ${c.modes.join(' + ')}${c.grad ? ', gradients' : ''})`, () => {
    const m = build(c.ctor, c.args);
    try {
      assert.deepEqual(keyList(m), c.keys, 'state-dict keys, shapes and dtypes');
      assert.equal(m.numParameters(), c.numParameters, 'parameter count');
      for (const mode of c.modes) runMode(m, c, mode);
    } finally {
      m.dispose();
    }
  });
}

test('the composite state dict saved from PyTorch (a plain .safetensors file) loads and gives PyTorch\'s outputs', () => {
  const m = composite();
  const { tensors } = tn.safetensors.loadFile(fixturePath('layers-composite.safetensors'));
  try {
    const r = m.loadStateDict(tensors);
    assert.deepEqual(r, { missingKeys: [], unexpectedKeys: [] });
    m.eval();
    tn.scope(() => assertClose(tn.noGrad(() => m.forward(get('composite/input'))), get('composite/eval/out'), 'composite eval output'));
    m.train();
    tn.scope(() => assertClose(tn.noGrad(() => m.forward(get('composite/input'))), get('composite/train/out'), 'composite train output'));
    // A model built differently must be refused, naming the keys.
    const other = new nn.Sequential(new nn.Conv2d(3, 8, 3), new nn.BatchNorm2d(4));
    assert.throws(() => other.loadStateDict(tensors), (e: Error) => e instanceof tn.TorchError && /size mismatch: 1\.weight/.test(e.message) && /unexpected keys/.test(e.message));
    other.dispose();
  } finally {
    m.dispose();
    for (const t of Object.values(tensors)) t.dispose();
  }
});

function headerOf(buf: Buffer): Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> {
  const n = Number(buf.readBigUInt64LE(0));
  return JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
}

test('tunet → PyTorch: every layer\'s safetensors header has the keys, shapes and dtypes PyTorch\'s model expects', () => {
  for (const c of doc.cases) {
    const m = build(c.ctor, c.args);
    const buf = tn.scope(() => tn.safetensors.serialize(m.stateDict()));
    m.dispose();
    const h = headerOf(buf);
    const got = Object.keys(h).sort().map((k) => [k, h[k].shape, h[k].dtype]);
    const want = [...c.keys].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    assert.deepEqual(got, want, `${c.name}: header`);
  }
});

test('tunet → PyTorch: a saved composite file holds the trained values under PyTorch\'s keys', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tunet-layers-'));
  const m = composite();
  try {
    // Train-mode forwards change the running statistics; the file must carry them.
    tn.scope(() => tn.noGrad(() => m.forward(tn.randn([4, 3, 16, 16]))));
    const file = path.join(dir, 'model.safetensors');
    tn.scope(() => tn.safetensors.saveFile(m.stateDict(), file));
    const buf = readFileSync(file);
    const h = headerOf(buf);
    const c = doc.cases.find((x) => x.name === 'composite')!;
    assert.deepEqual(Object.keys(h).sort(), c.keys.map(([k]) => k).sort());
    for (const [k, shape, dtype] of c.keys) {
      assert.deepEqual(h[k].shape, shape, k);
      assert.equal(h[k].dtype, dtype, k);
    }
    const back = tn.safetensors.loadFile(file).tensors;
    tn.scope(() => {
      const sd = m.stateDict();
      for (const [k, v] of Object.entries(sd)) assert.ok(v.equal(back[k]), `${k} round-trips`);
      assert.equal(back['1.num_batches_tracked'].item(), 1);
    });
    for (const t of Object.values(back)) t.dispose();
  } finally {
    m.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('default initialisation draws the same numbers as PyTorch after the same manual seed', () => {
  for (const c of doc.seedInit) {
    tn.manualSeed(c.seed);
    const m = build(c.ctor, c.args);
    tn.scope(() => {
      const sd = m.stateDict();
      assert.deepEqual(Object.keys(sd), c.keys.map(([k]) => k), `${c.name}: keys`);
      for (const [k, v] of Object.entries(sd)) assertClose(v, get(`seedinit/${c.name}/${k}`), `${c.name} ${k}`, 0, 1e-7);
    });
    m.dispose();
  }
});

test('Conv2d padding: same, full, valid shapes and errors', () => {
  tn.scope(() => {
    const x = tn.randn([1, 2, 9, 8]);
    for (const [k, d] of [[3, 1], [4, 1], [3, 2], [[4, 5], [2, 1]]] as const) {
      for (const mode of ['zeros', 'reflect', 'replicate', 'circular'] as const) {
        const same = new nn.Conv2d(2, 3, k as number, { padding: 'same', dilation: d as number, paddingMode: mode });
        assert.deepEqual(same.forward(x).shape, [1, 3, 9, 8], `same k=${k} d=${d} ${mode}`);
        const full = new nn.Conv2d(2, 3, k as number, { padding: 'full', dilation: d as number, paddingMode: mode === 'circular' ? 'zeros' : mode });
        const kk = typeof k === 'number' ? [k, k] : k;
        const dd = typeof d === 'number' ? [d, d] : d;
        assert.deepEqual(full.forward(x).shape, [1, 3, 9 + dd[0] * (kk[0] - 1), 8 + dd[1] * (kk[1] - 1)], `full k=${k} d=${d} ${mode}`);
        same.dispose();
        full.dispose();
      }
    }
    // Unbatched (C, H, W) input gives the batched result without the batch dimension, in every mode
    // (PyTorch 1.13 itself fails on unbatched circular padding).
    for (const mode of ['zeros', 'reflect', 'replicate', 'circular'] as const) {
      const c = new nn.Conv2d(2, 3, 3, { padding: [1, 2], paddingMode: mode });
      const u = x.select(0, 0);
      assertClose(c.forward(u), c.forward(x).select(0, 0), `unbatched ${mode}`, 1e-6, 1e-6);
      c.dispose();
    }
    const valid = new nn.Conv2d(2, 3, 3, { padding: 'valid' });
    assert.deepEqual(valid.forward(x).shape, [1, 3, 7, 6]);
    assert.throws(() => new nn.Conv2d(2, 3, 3, { padding: 'same', stride: 2 }), /not supported for strided/);
    assert.throws(() => new nn.Conv2d(2, 3, 3, { padding: 'middle' as never }), tn.TorchError);
    assert.throws(() => new nn.Conv2d(3, 4, 3, { groups: 2 }), /divisible by groups/);
    assert.throws(() => new nn.Conv2d(2, 3, 3, { paddingMode: 'mirror' as never }), /paddingMode/);
    // 'full' is the adjoint of 'valid': a full convolution with the flipped kernel transposes a valid one.
    const c1 = new nn.Conv2d(1, 1, 3, { padding: 'full', bias: false });
    const ct = new nn.ConvTranspose2d(1, 1, 3, { bias: false });
    tn.noGrad(() => ct.weight.copy_(c1.weight.flip([2, 3])));
    const y = tn.randn([1, 1, 5, 5]);
    assertClose(c1.forward(y), ct.forward(y), 'full conv = transposed conv with the flipped kernel', 1e-5, 1e-5);
    valid.dispose();
    c1.dispose();
    ct.dispose();
  });
});

test('StochasticPool2d in training samples one activation per window in proportion to its value', () => {
  tn.scope(() => {
    const pool = new nn.StochasticPool2d(2);
    // 4000 copies of the window [[1, 3], [0, 0]]: 3 should come out 3/4 of the time, 0 never.
    const win = tn.tensor([[1, 3], [0, 0]]).reshape([1, 1, 2, 2]).expand([1, 4000, 2, 2]).contiguous();
    tn.manualSeed(5);
    const out = pool.forward(win);
    assert.deepEqual(out.shape, [1, 4000, 1, 1]);
    const v = out.toArray();
    const threes = v.filter((a) => a === 3).length;
    assert.equal(v.filter((a) => a !== 1 && a !== 3).length, 0, 'only the positive activations can be drawn');
    assert.ok(Math.abs(threes / 4000 - 0.75) < 0.03, `P(3) = ${threes / 4000}, expected 0.75`);
    tn.manualSeed(5);
    assert.ok(pool.forward(win).equal(out), 'the same seed gives the same draws');
    // Windows of zeros (or negatives, which count as zero) give 0.
    const z = tn.tensor([[[[0, 0, -1, -2], [0, 0, -3, 0]]]]);
    assert.deepEqual(pool.forward(z).toArray(), [0, 0]);
    // The gradient reaches only the drawn element of each window.
    const x = tn.rand([2, 3, 6, 6]).add_(0.1).requiresGrad_();
    const y = pool.forward(x);
    y.sum().backward();
    const g = x.grad!;
    assert.equal(g.sum().item(), 2 * 3 * 3 * 3, 'one unit of gradient per window');
    const picked = tn.nn.functional.maxPool2d(g, 2);
    assert.ok(picked.eq(1).all().item(), 'each window has one element with gradient 1');
    // The drawn element's value is the output.
    const sel = x.detach().mul(g);
    assertClose(tn.nn.functional.avgPool2d(sel, 2).mul(4), y.detach(), 'output = the value of the drawn element', 1e-6, 1e-6);
    // Eval: the probability-weighted average, deterministic.
    pool.eval();
    assertClose(pool.forward(tn.tensor([[[[1, 3], [0, 0]]]])), tn.tensor([[[[2.5]]]]), 'eval: (1² + 3²)/(1 + 3)', 1e-6, 1e-6);
    assert.throws(() => pool.forward(tn.zeros([1, 1, 1, 1])), /smaller than the kernel/);
    pool.dispose();
  });
});

test('Dropout and Dropout2d respect training mode', () => {
  tn.scope(() => {
    const x = tn.ones([200, 50]);
    const d = new nn.Dropout(0.4);
    const y = d.forward(x);
    const zeros = y.eq(0).sum().item() / x.numel();
    assert.ok(Math.abs(zeros - 0.4) < 0.03, `fraction dropped ${zeros}`);
    assert.ok(y.eq(0).logicalOr(y.sub(1 / 0.6).abs().lt(1e-6)).all().item(), 'survivors are scaled by 1/(1 − p)');
    d.eval();
    assert.ok(d.forward(x).equal(x), 'identity in eval mode');
    const d2 = new nn.Dropout2d(0.5);
    const z = d2.forward(tn.ones([8, 64, 3, 3]));
    const perChannel = z.amax([2, 3]).sub(z.amin([2, 3]));
    assert.ok(perChannel.eq(0).all().item(), 'whole channels are kept or dropped');
    const dropped = z.amax([2, 3]).eq(0).sum().item() / (8 * 64);
    assert.ok(dropped > 0.35 && dropped < 0.65, `channels dropped ${dropped}`);
    d2.eval();
    assert.ok(d2.forward(x.reshape([4, 50, 50])).equal(x.reshape([4, 50, 50])));
    assert.throws(() => new nn.Dropout(1.5), tn.TorchError);
  });
});

test('BatchNorm: momentum null is the cumulative average; eval uses the running statistics; input rank is checked', () => {
  tn.scope(() => {
    const bn = new nn.BatchNorm1d(2, { momentum: null, affine: false });
    const batches = [tn.tensor([[1, 2], [3, 6]]), tn.tensor([[5, 0], [7, 2]]), tn.tensor([[0, 1], [2, 1]])];
    for (const b of batches) bn.forward(b);
    // The cumulative average of the batch means and unbiased variances.
    assertClose(bn.runningMean!, tn.tensor([(2 + 6 + 1) / 3, (4 + 1 + 1) / 3]), 'running mean', 1e-6, 1e-6);
    assertClose(bn.runningVar!, tn.tensor([(2 + 2 + 2) / 3, (8 + 2 + 0) / 3]), 'running var', 1e-6, 1e-6);
    assert.equal(bn.numBatchesTracked!.item(), 3);
    assert.equal(bn.numBatchesTracked!.dtype, 'int64');
    bn.eval();
    const y = bn.forward(tn.tensor([[3, 2]]));
    assertClose(y, tn.tensor([[0, 0]]), 'eval normalises with the running statistics', 1e-5, 1e-5);
    assert.equal(bn.numBatchesTracked!.item(), 3, 'eval does not count batches');
    const bn2 = new nn.BatchNorm2d(2);
    assert.throws(() => bn2.forward(tn.zeros([2, 2, 3])), /expected 4D input \(got 3D input\)/);
    bn2.dispose();
    assert.throws(() => new nn.BatchNorm1d(2, { momentum: 2 }), /momentum/);
    const inorm = new nn.InstanceNorm2d(3);
    assert.equal(inorm.numParameters(), 0);
    assert.deepEqual(Object.keys(inorm.stateDict()), []);
    bn.dispose();
  });
});

test('layers free their intermediate tensors: one training step leaves no live handles', () => {
  const blocks: [string, tn.nn.Module, number[]][] = [
    ['BasicBlock', new nn.BasicBlock(4, 8, { stride: 2 }), [2, 4, 6, 6]],
    ['Bottleneck', new nn.Bottleneck(8, 2), [2, 8, 5, 5]],
    ['InvertedResidual', new nn.InvertedResidual(4, 4, { expandRatio: 3 }), [2, 4, 5, 5]],
    ['InvertedResidual v3', new nn.InvertedResidual(4, 8, { version: 'v3', expandedChannels: 16, useSE: true, activation: 'hardswish', stride: 2 }), [2, 4, 5, 5]],
    ['SqueezeExcite', new nn.SqueezeExcite(8), [2, 8, 3, 3]],
    ['DepthwiseSeparableConv2d', new nn.DepthwiseSeparableConv2d(4, 6, 3, { paddingMode: 'reflect', padding: 1 }), [2, 4, 5, 5]],
    ['Conv2d reflect', new nn.Conv2d(4, 6, 3, { paddingMode: 'reflect', padding: 'same' }), [2, 4, 5, 5]],
    ['StochasticPool2d', new nn.StochasticPool2d(2), [2, 4, 6, 6]],
    ['MaxoutLinear', new nn.MaxoutLinear(5, 3, 2), [4, 5]],
    ['Maxout', new nn.Maxout(2), [2, 4, 3, 3]],
    ['InstanceNorm2d unbatched', new nn.InstanceNorm2d(4), [4, 3, 3]],
  ];
  for (const [name, m, shape] of blocks) {
    for (const mode of [true, false]) {
      m.train(mode);
      const x = tn.randn(shape).abs_().requiresGrad_();
      const before = tn.memory().tensors;
      const out = m.forward(x) as T;
      const sq = out.square();
      const loss = sq.sum();
      loss.backward();
      for (const t of [out, sq, loss]) t.dispose();
      // ≤: a garbage-collection finalizer may free an unrelated, unreachable tensor meanwhile.
      const after = tn.memory().tensors;
      assert.ok(after <= before, `${name} (${mode ? 'train' : 'eval'}): ${after - before} more live tensors after forward/backward`);
      m.zeroGrad();
      x.dispose();
    }
    m.dispose();
  }
});

test('structure, names and representation follow PyTorch/torchvision', () => {
  tn.scope(() => {
    assert.equal(String(new nn.Conv2d(3, 16, 3, { stride: 2, padding: 1 })), 'Conv2d(3, 16, kernelSize=3, stride=2, padding=1)');
    assert.equal(String(new nn.Linear(4, 2, { bias: false })), 'Linear(inFeatures=4, outFeatures=2, bias=false)');
    assert.equal(String(new nn.ReLU()), 'ReLU()');
    assert.ok(new nn.Swish() instanceof nn.SiLU);
    assert.ok(new nn.HSwish() instanceof nn.Hardswish);
    assert.ok(new nn.Logsig() instanceof nn.Sigmoid && new nn.Tansig() instanceof nn.Tanh);
    assert.equal(nn.BasicBlock.expansion, 1);
    assert.equal(nn.Bottleneck.expansion, 4);
    assert.equal(nn.makeDivisible(16 / 4, 8), 8);
    assert.equal(nn.makeDivisible(240 / 4, 8), 64);
    assert.equal(nn.makeDivisible(37, 8), 40);
    assert.equal(new nn.SqueezeExcite(72).squeezeChannels, 24);
    const ir = new nn.InvertedResidual(16, 16, { expandRatio: 1 });
    assert.deepEqual(ir.namedChildren().map(([k]) => k), ['conv']);
    assert.equal(ir.body.length, 3, 'no expansion layer when expandRatio = 1');
    assert.ok(ir.useResConnect);
    assert.ok(!new nn.InvertedResidual(16, 16, { stride: 2 }).useResConnect);
    assert.throws(() => new nn.InvertedResidual(8, 8, { useSE: true }), /version 'v3'/);
    assert.equal(new nn.BasicBlock(8, 8).downsample, null);
    const b = new nn.BasicBlock(8, 8, { downsample: null, stride: 1 });
    assert.equal(b.namedModules().filter(([k]) => k.startsWith('downsample')).length, 0);
    const g = new nn.GlobalAvgPool2d();
    assert.deepEqual(g.forward(tn.ones([2, 3, 4, 5])).shape, [2, 3]);
    const pr = new nn.PReLU(3);
    assert.deepEqual(pr.weight.toArray(), [0.25, 0.25, 0.25]);
    assert.throws(() => pr.forward(tn.ones([2, 4, 2])), tn.TorchError);
    assert.throws(() => new nn.Maxout(3).forward(tn.ones([2, 4])), /not divisible by pieces/);
    assert.throws(() => new nn.Softmax(undefined as never), /dim must be an integer/);
    assert.throws(() => new nn.Linear(4, 2).forward(tn.ones([2, 3])), tn.TorchError);
  });
});
