// Float64 finite-difference gradient checks for every differentiable op of the
// engine (like torch.autograd.gradcheck), plus double-backward checks and a
// negative control proving that the checker can fail.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tn from 'tunet';
import { gradcheck, gradOf, prng, type GradcheckOptions, type GradcheckOutput } from './helpers/gradcheck.js';

const F = tn.nn.functional;
type T = tn.Tensor;
const liveAtStart = tn.memory().tensors;

// ---- deterministic float64 inputs ----

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

interface Gen {
  /** Uniform in [lo, hi), redrawn while closer than `margin` to any point of `avoid` (kinks, ties, zeros). */
  U(shape: number[], lo?: number, hi?: number, avoid?: number[], margin?: number): T;
  /** Distinct values (k − n/2)·step + 0.03, shuffled: no ties, no zeros, no equal magnitudes. */
  D(shape: number[], step?: number): T;
  /** int64 tensor. */
  I(data: number[], shape?: number[]): T;
  /** bool mask. */
  B(data: boolean[], shape: number[]): T;
}

function gen(name: string): Gen {
  const rand = prng(hash(name));
  const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);
  return {
    U(shape, lo = -1, hi = 1, avoid = [], margin = 0.05) {
      const a = new Float64Array(numel(shape));
      for (let i = 0; i < a.length; i++) {
        let v: number;
        do v = lo + (hi - lo) * rand();
        while (avoid.some((p) => Math.abs(v - p) < margin));
        a[i] = v;
      }
      return tn.fromTypedArray(a, shape);
    },
    D(shape, step = 0.1) {
      const n = numel(shape);
      const a = Float64Array.from({ length: n }, (_, k) => (k - Math.floor(n / 2)) * step + 0.03);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [a[i], a[j]] = [a[j], a[i]];
      }
      return tn.fromTypedArray(a, shape);
    },
    I(data, shape) {
      return tn.fromTypedArray(BigInt64Array.from(data.map(BigInt)), shape ?? [data.length]);
    },
    B(data, shape) {
      return tn.tensor(data).reshape(shape);
    },
  };
}

interface Case {
  name: string;
  fn: (...xs: T[]) => GradcheckOutput;
  inputs: (g: Gen) => T[];
  opts?: GradcheckOptions;
}

/** One node:test test per case; each gradcheck runs in a scope so no tensor outlives it. */
function run(cases: Case[]): void {
  for (const c of cases) {
    test(c.name, () => {
      tn.scope(() => {
        const worst = gradcheck(c.fn, c.inputs(gen(c.name)), { name: c.name, ...c.opts });
        assert.ok(Number.isFinite(worst), `${c.name}: max error ${worst}`);
      });
    });
  }
}

const S = [3, 4];

// ---- the checker itself ----

describe('gradcheck helper', () => {
  test('negative control: fails on a wrong gradient (x.detach() * x: autograd says x, the derivative is 2x)', () => {
    tn.scope(() => {
      const x = gen('neg').U([2, 3], 0.5, 1.5);
      assert.throws(
        () => gradcheck((a) => a.detach().mul(a), [x], { name: 'detachedMul' }),
        (e: Error) => {
          // The message names the op, the input, the element and both values.
          assert.match(e.message, /^gradcheck\(detachedMul\): input 0 element 0 \[0, 0\]: analytical (\S+) vs numerical (\S+)/);
          const [, a, n] = /analytical (\S+) vs numerical (\S+)/.exec(e.message)!;
          assert.ok(Math.abs(Number(n) - 2 * Number(a)) < 1e-6, e.message);
          return true;
        },
      );
    });
  });

  test('negative control: fails when one input of a binary op is detached', () => {
    tn.scope(() => {
      const g = gen('neg2');
      assert.throws(() => gradcheck((a, b) => a.mul(b.detach()), [g.U(S), g.U(S)], { name: 'mulDetached' }), /input 1 element 0/);
    });
  });

  test('passes on a correct gradient, checks only the requested inputs, and leaks no tensor', () => {
    const g = gen('leak');
    const x = g.U(S);
    const y = g.U(S);
    const before = tn.memory().tensors;
    const worst = gradcheck((a, b) => a.mul(b.detach()), [x, y], { check: [0] });
    assert.ok(worst < 1e-7, `worst ${worst}`);
    assert.equal(tn.memory().tensors, before);
    x.dispose();
    y.dispose();
  });

  test('negative control: fails across a kink (hardtanh at exactly 1)', () => {
    tn.scope(() => {
      const x = tn.tensor(new Float64Array([0.5, 1]));
      assert.throws(() => gradcheck((a) => F.hardtanh(a), [x], { name: 'hardtanh' }), /gradcheck\(hardtanh\): input 0 element 1 \[1\]/);
    });
  });

  test('rejects float32 inputs', () => {
    const x = tn.ones([2]);
    assert.throws(() => gradcheck((a) => a.exp(), [x]), /float64/);
    x.dispose();
  });
});

// ---- unary math ----

describe('unary math', () => {
  const u = (name: string, f: (x: T) => T, lo = -1, hi = 1, avoid: number[] = [], margin = 0.1): Case => ({
    name,
    fn: f,
    inputs: (g) => [g.U(S, lo, hi, avoid, margin)],
  });
  run([
    u('exp', (x) => x.exp()),
    u('exp2', (x) => x.exp2()),
    u('log', (x) => x.log(), 0.3, 2),
    u('log2', (x) => x.log2(), 0.3, 2),
    u('log10', (x) => x.log10(), 0.3, 2),
    u('sqrt', (x) => x.sqrt(), 0.3, 2),
    u('rsqrt', (x) => x.rsqrt(), 0.3, 2),
    u('sin', (x) => x.sin(), -3, 3),
    u('cos', (x) => x.cos(), -3, 3),
    u('tan', (x) => x.tan(), -1.2, 1.2),
    u('tanh', (x) => x.tanh(), -2, 2),
    u('sigmoid', (x) => x.sigmoid(), -3, 3),
    u('asin', (x) => x.asin(), -0.9, 0.9),
    u('acos', (x) => x.acos(), -0.9, 0.9),
    u('atan', (x) => x.atan(), -2, 2),
    u('sinh', (x) => x.sinh(), -2, 2),
    u('cosh', (x) => x.cosh(), -2, 2),
    u('log1p', (x) => x.log1p(), -0.7, 2),
    u('expm1', (x) => x.expm1(), -2, 2),
    u('reciprocal', (x) => x.reciprocal(), -2, 2, [0], 0.3),
    u('square', (x) => x.square(), -2, 2),
    u('erf', (x) => x.erf(), -2, 2),
    u('erfc', (x) => x.erfc(), -2, 2),
    u('neg', (x) => x.neg()),
    u('abs (away from 0)', (x) => x.abs(), -2, 2, [0]),
    u('pow scalar 3', (x) => x.pow(3), -2, 2),
    u('pow scalar 2.5 (x > 0)', (x) => x.pow(2.5), 0.3, 2),
    u('pow scalar -1.5 (x > 0)', (x) => x.pow(-1.5), 0.3, 2),
    u('tn.pow / tn.exp function forms', (x) => tn.pow(tn.exp(x), 2)),
    {
      name: 'pow tensor exponent (base and exponent)',
      fn: (x, e) => x.pow(e),
      inputs: (g) => [g.U(S, 0.3, 2), g.U(S, -1.5, 2)],
    },
    {
      name: 'pow tensor exponent, broadcast',
      fn: (x, e) => x.pow(e),
      inputs: (g) => [g.U(S, 0.3, 2), g.U([4], -1.5, 2)],
    },
    u('in-place chain on a clone (mul_, add_, exp_)', (x) => x.mul(1).mul_(2).add_(1).exp_()),
  ]);
});

// ---- binary / ternary ----

describe('binary and ternary pointwise', () => {
  run([
    { name: 'add, broadcast [3,4] + [4]', fn: (a, b) => a.add(b), inputs: (g) => [g.U(S), g.U([4])] },
    { name: 'add with alpha, broadcast [3,1] + [1,4]', fn: (a, b) => a.add(b, 2.5), inputs: (g) => [g.U([3, 1]), g.U([1, 4])] },
    { name: 'add scalar', fn: (a) => a.add(3), inputs: (g) => [g.U(S)] },
    { name: 'sub with alpha, broadcast', fn: (a, b) => a.sub(b, 0.5), inputs: (g) => [g.U(S), g.U([3, 1])] },
    { name: 'rsub', fn: (a, b) => a.rsub(b, 2), inputs: (g) => [g.U(S), g.U(S)] },
    { name: 'mul, broadcast', fn: (a, b) => a.mul(b), inputs: (g) => [g.U([2, 3, 1]), g.U([3, 4])] },
    { name: 'mul scalar', fn: (a) => a.mul(-1.7), inputs: (g) => [g.U(S)] },
    { name: 'div, broadcast', fn: (a, b) => a.div(b), inputs: (g) => [g.U(S), g.U([4], -2, 2, [0], 0.4)] },
    { name: 'div scalar', fn: (a) => a.div(0.3), inputs: (g) => [g.U(S)] },
    { name: 'maximum (no ties), broadcast', fn: (a, b) => a.maximum(b), inputs: (g) => { const d = g.D([4, 4]); return [d.slice(0, 0, 3), d.select(0, 3)]; } },
    { name: 'minimum (no ties)', fn: (a, b) => a.minimum(b), inputs: (g) => { const d = g.D([2, 3, 4]); return [d.select(0, 0), d.select(0, 1)]; } },
    { name: 'atan2, broadcast', fn: (a, b) => a.atan2(b), inputs: (g) => [g.U(S), g.U([4], 0.3, 1.5)] },
    { name: 'lerp, scalar weight', fn: (a, b) => a.lerp(b, 0.3), inputs: (g) => [g.U(S), g.U(S)] },
    { name: 'lerp, tensor weight (all three)', fn: (a, b, w) => a.lerp(b, w), inputs: (g) => [g.U(S), g.U(S), g.U([4], 0, 1)] },
    { name: 'addcmul, broadcast, value 0.5', fn: (a, b, c) => a.addcmul(b, c, 0.5), inputs: (g) => [g.U(S), g.U([3, 1]), g.U([4])] },
    { name: 'addcdiv, value -2', fn: (a, b, c) => a.addcdiv(b, c, -2), inputs: (g) => [g.U(S), g.U(S), g.U(S, -2, 2, [0], 0.4)] },
    { name: 'addcmul_ in place on a clone', fn: (a, b, c) => a.mul(1).addcmul_(b, c, 1.5), inputs: (g) => [g.U(S), g.U(S), g.U(S)] },
    { name: 'clamp scalar bounds (away from the bounds)', fn: (a) => a.clamp(-0.5, 0.5), inputs: (g) => [g.U(S, -1, 1, [-0.5, 0.5])] },
    { name: 'clampMin / clampMax', fn: (a) => a.clampMin(-0.2).clampMax(0.6), inputs: (g) => [g.U(S, -1, 1, [-0.2, 0.6])] },
    {
      name: 'clamp tensor bounds (input, min, max)',
      fn: (a, lo, hi) => a.clamp(lo, hi),
      inputs: (g) => [g.U(S, -1, 1, [-0.5, 0.5], 0.08), g.U([4], -0.55, -0.45), g.U([4], 0.45, 0.55)],
    },
    {
      name: 'where(cond, a, b)',
      fn: (a, b) => tn.where(tn.tensor([true, false, true, false]), a, b),
      inputs: (g) => [g.U(S), g.U([3, 1])],
    },
    { name: 'where with scalar other', fn: (a) => a.where(tn.tensor([[true], [false], [true]]), 2), inputs: (g) => [g.U(S)] },
    { name: 'where with scalar self', fn: (b) => tn.where(tn.tensor([true, false, true, false]), 1.5, b), inputs: (g) => [g.U(S)] },
  ]);
});

// ---- reductions ----

describe('reductions', () => {
  const r = (name: string, f: (x: T) => T | T[], shape = S, make: 'U' | 'D' = 'U'): Case => ({
    name,
    fn: f,
    inputs: (g) => [make === 'D' ? g.D(shape) : g.U(shape)],
  });
  run([
    r('sum all', (x) => x.sum()),
    r('sum dim 1 keepdim', (x) => x.sum(1, true)),
    r('sum dims [0, 2]', (x) => x.sum([0, 2]), [2, 3, 2]),
    r('mean all', (x) => x.mean()),
    r('mean dim -1', (x) => x.mean(-1)),
    r('var all (correction 1)', (x) => x.var()),
    r('var dim 1 correction 0 keepdim', (x) => x.var(1, { correction: 0, keepdim: true })),
    r('std all', (x) => x.std()),
    r('std dim 0 unbiased false', (x) => x.std(0, { unbiased: false })),
    r('max() all (no ties)', (x) => x.max(), S, 'D'),
    r('max over dim 1 (values)', (x) => x.max(1).values, S, 'D'),
    r('max over dim 0 keepdim (values)', (x) => x.max(0, true).values, S, 'D'),
    r('min over dim 1 (values)', (x) => x.min(1).values, S, 'D'),
    r('amax over dim 1', (x) => x.amax(1), S, 'D'),
    r('amax over dims [0, 2]', (x) => x.amax([0, 2]), [2, 3, 2], 'D'),
    r('amin all', (x) => x.amin(), S, 'D'),
    r('sort values', (x) => x.sort(1).values, S, 'D'),
    r('topk values', (x) => x.topk(2, 1).values, S, 'D'),
    r('norm p=2', (x) => x.norm()),
    r('norm p=1 (away from 0)', (x) => x.norm(1), S, 'D'),
    r('norm p=inf (no ties in |x|)', (x) => x.norm(Infinity), S, 'D'),
    r('norm p=3 over dim 1', (x) => x.norm(3, 1), S, 'D'),
    r('norm p=2 over dim 0 keepdim', (x) => x.norm(2, 0, true)),
    r('norm p=inf over dim 1', (x) => x.norm(Infinity, 1), S, 'D'),
    r('logsumexp dim 1', (x) => x.logsumexp(1)),
    r('logsumexp dims [0, 1] keepdim', (x) => x.logsumexp([0, 1], true)),
    { name: 'prod all (nonzero)', fn: (x) => x.prod(), inputs: (g) => [g.U(S, 0.5, 1.5)] },
    { name: 'prod dim 1 (mixed signs, away from 0)', fn: (x) => x.prod(1), inputs: (g) => [g.U(S, -1.5, 1.5, [0], 0.3)] },
    r('cumsum dim 1', (x) => x.cumsum(1)),
    r('cumsum dim 0', (x) => x.cumsum(0)),
    { name: 'cumprod dim 1', fn: (x) => x.cumprod(1), inputs: (g) => [g.U(S, -1.5, 1.5, [0], 0.3)] },
  ]);
});

// ---- views and indexing ----

describe('views and indexing', () => {
  const v = (name: string, f: (x: T) => T | T[], shape = S): Case => ({ name, fn: f, inputs: (g) => [g.U(shape)] });
  const idx = (d: number[], shape?: number[]) => tn.fromTypedArray(BigInt64Array.from(d.map(BigInt)), shape ?? [d.length]);
  run([
    v('reshape', (x) => x.reshape([2, 6]).mul(tn.arange(0, 6, { dtype: 'float64' }))),
    v('view', (x) => x.view([4, 3]).exp()),
    v('permute', (x) => x.permute([2, 0, 1]).cumsum(0), [2, 3, 2]),
    v('transpose', (x) => x.transpose(0, 1).cumsum(1)),
    v('t / mT', (x) => x.t().matmul(x.mT().t())),
    v('squeeze / unsqueeze', (x) => x.unsqueeze(1).squeeze(1).unsqueeze(0).cumsum(1)),
    v('flatten / unflatten', (x) => x.flatten().cumsum(0).unflatten(0, [4, 3]), [2, 3, 2]),
    v('expand [3,1] -> [3,4]', (x) => x.expand([3, 4]).cumsum(1), [3, 1]),
    v('expand with a new leading dim', (x) => x.expand([2, 3, 4]).cumsum(0), [1, 4]),
    v('repeat', (x) => x.repeat([2, 3]).cumsum(1), [2, 2]),
    v('narrow', (x) => x.narrow(1, 1, 2)),
    v('slice with step 2', (x) => x.slice(1, 0, null, 2)),
    v('slice with start/end/step 3 on dim 0', (x) => x.slice(0, 1, 6, 3), [7, 2]),
    v('slice with negative start', (x) => x.slice(1, -3, null)),
    v('select', (x) => x.select(1, 2)),
    v('select negative index', (x) => x.select(0, -1)),
    v('indexSelect with repeats', (x) => x.indexSelect(1, idx([3, 0, 3, 1]))),
    v('gather dim 1', (x) => x.gather(1, idx([0, 0, 3, 2, 1, 1], [3, 2]))),
    v('gather dim 0', (x) => x.gather(0, idx([2, 0, 1, 1, 0, 2, 2, 0], [2, 4]))),
    {
      name: 'scatter src (self and src, no duplicate targets)',
      fn: (x, s) => x.scatter(1, idx([1, 3, 0, 2, 2, 1], [3, 2]), s),
      inputs: (g) => [g.U(S), g.U([3, 2])],
    },
    v('scatter value', (x) => x.scatter(1, idx([1, 3, 0, 2, 2, 1], [3, 2]), 0.5)),
    {
      name: 'scatterAdd (duplicate targets accumulate)',
      fn: (x, s) => x.scatterAdd(1, idx([1, 1, 0, 0, 3, 3], [3, 2]), s),
      inputs: (g) => [g.U(S), g.U([3, 2])],
    },
    v('index advanced, one index with repeats', (x) => x.index([idx([2, 0, 2])])),
    v('index advanced, two indices', (x) => x.index([idx([0, 2, 2]), idx([1, 3, 3])])),
    v('index advanced, null then index', (x) => x.index([null, idx([3, 1])])),
    v('index with a bool mask', (x) => x.index([tn.tensor([true, false, true])])),
    {
      name: 'indexPut_ on a clone (self and values)',
      fn: (x, vals) => x.mul(1).indexPut_([idx([0, 2])], vals),
      inputs: (g) => [g.U(S), g.U([2, 4])],
    },
    {
      name: 'indexPut_ accumulate with duplicates',
      fn: (x, vals) => x.mul(1).indexPut_([idx([1, 1, 0])], vals, true),
      inputs: (g) => [g.U(S), g.U([3, 4])],
    },
    v('maskedFill scalar', (x) => x.maskedFill(tn.tensor([[true, false, false, true]]), -3)),
    {
      name: 'maskedFill 0-d tensor value (input and value)',
      fn: (x, val) => x.maskedFill(tn.tensor([[true, false, false, true]]), val),
      inputs: (g) => [g.U(S), g.U([])],
    },
    v('maskedSelect', (x) => x.maskedSelect(tn.tensor([[true, false, false, true], [false, true, true, false], [true, true, false, false]]))),
    { name: 'cat dim 1 (three inputs)', fn: (a, b, c) => tn.cat([a, b, c], 1), inputs: (g) => [g.U([3, 2]), g.U([3, 1]), g.U([3, 3])] },
    { name: 'cat dim 0', fn: (a, b) => tn.cat([a, b], 0), inputs: (g) => [g.U([2, 4]), g.U([1, 4])] },
    { name: 'stack dim 1', fn: (a, b) => tn.stack([a, b], 1), inputs: (g) => [g.U(S), g.U(S)] },
    v('split sizes (all outputs)', (x) => x.split([1, 3], 1)),
    v('split size 2 dim 0 (all outputs)', (x) => x.split(2, 0), [5, 2]),
    v('chunk 3 (all outputs)', (x) => x.chunk(3, 1), [2, 7]),
    v('chunk, only one output used', (x) => x.chunk(2, 0)[1], [4, 3]),
    v('unbind', (x) => x.unbind(1)),
    v('flip dims [0, 1]', (x) => x.flip([0, 1]).cumsum(1)),
    v('roll', (x) => x.roll([1, -2], [0, 1]).cumsum(1)),
    v('roll flat', (x) => x.roll(5).cumsum(1)),
    v('tril', (x) => x.tril()),
    v('triu(1)', (x) => x.triu(1)),
    v('contiguous after transpose', (x) => x.transpose(0, 1).contiguous().view([12]).cumsum(0)),
    v('F.pad constant (value 0.7)', (x) => F.pad(x, [1, 2, 0, 1], 'constant', 0.7), [1, 2, 3, 3]),
    v('F.pad reflect', (x) => F.pad(x, [2, 1, 1, 2]), [1, 2, 3, 4]),
    v('F.pad reflect 3-d', (x) => F.pad(x, [2, 1], 'reflect'), [1, 2, 4]),
    v('F.pad reflect 4-d', (x) => F.pad(x, [2, 1, 1, 2], 'reflect'), [1, 2, 3, 4]),
    v('F.pad replicate', (x) => F.pad(x, [2, 1, 1, 2], 'replicate'), [1, 2, 3, 3]),
    v('F.pad circular', (x) => F.pad(x, [2, 1, 1, 2], 'circular'), [1, 2, 3, 3]),
    v('F.pad negative (crop)', (x) => F.pad(x, [-1, 1, 0, -1]), [1, 1, 3, 4]),
  ]);
});

// ---- linear algebra ----

describe('matmul family', () => {
  run([
    { name: 'matmul 2-d', fn: (a, b) => a.matmul(b), inputs: (g) => [g.U([2, 3]), g.U([3, 4])] },
    { name: 'matmul batched broadcast [2,2,3] @ [3,4]', fn: (a, b) => a.matmul(b), inputs: (g) => [g.U([2, 2, 3]), g.U([3, 4])] },
    { name: 'matmul batched broadcast [2,1,2,3] @ [3,3,2]', fn: (a, b) => a.matmul(b), inputs: (g) => [g.U([2, 1, 2, 3]), g.U([3, 3, 2])] },
    { name: 'matmul vector @ matrix', fn: (a, b) => a.matmul(b), inputs: (g) => [g.U([3]), g.U([3, 4])] },
    { name: 'matmul matrix @ vector', fn: (a, b) => a.matmul(b), inputs: (g) => [g.U([4, 3]), g.U([3])] },
    { name: 'matmul vector @ vector', fn: (a, b) => a.matmul(b), inputs: (g) => [g.U([5]), g.U([5])] },
    { name: 'mm', fn: (a, b) => a.mm(b), inputs: (g) => [g.U([3, 4]), g.U([4, 2])] },
    { name: 'mm with a transposed operand', fn: (a, b) => a.mm(b.t()), inputs: (g) => [g.U([3, 4]), g.U([2, 4])] },
    { name: 'bmm', fn: (a, b) => a.bmm(b), inputs: (g) => [g.U([2, 3, 4]), g.U([2, 4, 2])] },
    { name: 'mv', fn: (a, b) => a.mv(b), inputs: (g) => [g.U([3, 4]), g.U([4])] },
    { name: 'dot', fn: (a, b) => a.dot(b), inputs: (g) => [g.U([6]), g.U([6])] },
    { name: 'outer', fn: (a, b) => a.outer(b), inputs: (g) => [g.U([3]), g.U([4])] },
    { name: 'linear with bias', fn: (x, w, b) => F.linear(x, w, b), inputs: (g) => [g.U([2, 4]), g.U([3, 4]), g.U([3])] },
    { name: 'linear without bias, 3-d input', fn: (x, w) => F.linear(x, w), inputs: (g) => [g.U([2, 2, 4]), g.U([3, 4])] },
    { name: 'linear 1-d input', fn: (x, w, b) => F.linear(x, w, b), inputs: (g) => [g.U([4]), g.U([3, 4]), g.U([3])] },
  ]);
});

// ---- convolution ----

describe('convolution', () => {
  run([
    {
      name: 'conv1d stride 2 padding 1 (input, weight, bias)',
      fn: (x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 1 }),
      inputs: (g) => [g.U([2, 2, 7]), g.U([3, 2, 3]), g.U([3])],
    },
    {
      name: 'conv1d dilation 2, groups 2',
      fn: (x, w, b) => F.conv1d(x, w, b, { dilation: 2, groups: 2 }),
      inputs: (g) => [g.U([1, 4, 8]), g.U([4, 2, 3]), g.U([4])],
    },
    {
      name: "conv1d padding 'same' even kernel",
      fn: (x, w) => F.conv1d(x, w, null, { padding: 'same' }),
      inputs: (g) => [g.U([1, 2, 6]), g.U([2, 2, 4])],
    },
    {
      name: 'conv2d plain (input, weight, bias)',
      fn: (x, w, b) => F.conv2d(x, w, b),
      inputs: (g) => [g.U([1, 2, 4, 4]), g.U([3, 2, 3, 3]), g.U([3])],
    },
    {
      name: 'conv2d stride 2 padding 1',
      fn: (x, w, b) => F.conv2d(x, w, b, { stride: 2, padding: 1 }),
      inputs: (g) => [g.U([2, 2, 4, 5]), g.U([2, 2, 3, 3]), g.U([2])],
    },
    {
      name: 'conv2d asymmetric stride/padding, unbatched',
      fn: (x, w, b) => F.conv2d(x, w, b, { stride: [1, 2], padding: [0, 1] }),
      inputs: (g) => [g.U([2, 4, 5]), g.U([2, 2, 2, 3]), g.U([2])],
    },
    {
      name: 'conv2d dilation 2',
      fn: (x, w, b) => F.conv2d(x, w, b, { dilation: 2, padding: 1 }),
      inputs: (g) => [g.U([1, 2, 5, 5]), g.U([2, 2, 3, 3]), g.U([2])],
    },
    {
      name: 'conv2d groups 2',
      fn: (x, w, b) => F.conv2d(x, w, b, { groups: 2, padding: 1 }),
      inputs: (g) => [g.U([1, 4, 3, 3]), g.U([4, 2, 2, 2]), g.U([4])],
    },
    {
      name: 'conv2d depthwise (groups = channels = 3, multiplier 2)',
      fn: (x, w, b) => F.conv2d(x, w, b, { groups: 3, padding: 1 }),
      inputs: (g) => [g.U([1, 3, 4, 4]), g.U([6, 1, 3, 3]), g.U([6])],
    },
    {
      name: "conv2d padding 'same' (odd kernel, dilation 2)",
      fn: (x, w, b) => F.conv2d(x, w, b, { padding: 'same', dilation: 2 }),
      inputs: (g) => [g.U([1, 2, 5, 5]), g.U([2, 2, 3, 3]), g.U([2])],
    },
    {
      name: "conv2d padding 'same' (even kernel 2x4, asymmetric padding)",
      fn: (x, w) => F.conv2d(x, w, null, { padding: 'same' }),
      inputs: (g) => [g.U([1, 2, 4, 5]), g.U([2, 2, 2, 4])],
    },
    {
      name: "conv2d padding 'valid'",
      fn: (x, w) => F.conv2d(x, w, null, { padding: 'valid' }),
      inputs: (g) => [g.U([1, 2, 4, 4]), g.U([2, 2, 3, 3])],
    },
    {
      name: 'convTranspose2d stride 2 padding 1 outputPadding 1',
      fn: (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
      inputs: (g) => [g.U([1, 2, 3, 3]), g.U([2, 3, 3, 3]), g.U([3])],
    },
    {
      name: 'convTranspose2d stride 2 groups 2 dilation 2',
      fn: (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, groups: 2, dilation: 2 }),
      inputs: (g) => [g.U([1, 4, 2, 3]), g.U([4, 1, 2, 2]), g.U([2])],
    },
    {
      name: 'conv2d double use of weight then relu-free chain',
      fn: (x, w) => F.conv2d(F.conv2d(x, w, null, { padding: 1 }).tanh(), w, null, { padding: 1 }),
      inputs: (g) => [g.U([1, 2, 3, 3]), g.U([2, 2, 3, 3])],
    },
  ]);
});

// ---- pooling, resampling ----

describe('pooling and resampling', () => {
  run([
    { name: 'maxPool2d 2x2 (no ties)', fn: (x) => F.maxPool2d(x, 2), inputs: (g) => [g.D([1, 2, 4, 4])] },
    { name: 'maxPool2d 3x3 stride 1 padding 1 (overlapping)', fn: (x) => F.maxPool2d(x, 3, { stride: 1, padding: 1 }), inputs: (g) => [g.D([1, 2, 4, 4])] },
    { name: 'maxPool2d ceilMode, stride 2 kernel 3', fn: (x) => F.maxPool2d(x, 3, { stride: 2, ceilMode: true }), inputs: (g) => [g.D([1, 1, 6, 6])] },
    { name: 'maxPool2d dilation 2', fn: (x) => F.maxPool2d(x, 2, { stride: 1, dilation: 2 }), inputs: (g) => [g.D([1, 2, 4, 5])] },
    { name: 'maxPool2d returnIndices (values)', fn: (x) => F.maxPool2d(x, 2, { returnIndices: true })[0], inputs: (g) => [g.D([1, 2, 4, 4])] },
    { name: 'maxPool1d', fn: (x) => F.maxPool1d(x, 3, { stride: 2, padding: 1 }), inputs: (g) => [g.D([2, 2, 7])] },
    { name: 'avgPool2d 2x2', fn: (x) => F.avgPool2d(x, 2), inputs: (g) => [g.U([1, 2, 4, 4])] },
    { name: 'avgPool2d 3x3 stride 2 padding 1 countIncludePad false ceilMode', fn: (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false, ceilMode: true }), inputs: (g) => [g.U([1, 2, 5, 5])] },
    { name: 'avgPool2d divisorOverride', fn: (x) => F.avgPool2d(x, 2, { divisorOverride: 3 }), inputs: (g) => [g.U([1, 1, 4, 4])] },
    { name: 'avgPool1d', fn: (x) => F.avgPool1d(x, 3, { stride: 2, padding: 1 }), inputs: (g) => [g.U([2, 2, 7])] },
    { name: 'adaptiveAvgPool2d [5,5] -> [2,3]', fn: (x) => F.adaptiveAvgPool2d(x, [2, 3]), inputs: (g) => [g.U([1, 2, 5, 5])] },
    { name: 'adaptiveAvgPool2d global (1)', fn: (x) => F.adaptiveAvgPool2d(x, 1), inputs: (g) => [g.U([2, 2, 3, 3])] },
    { name: 'adaptiveMaxPool2d [5,5] -> [2,2] (no ties)', fn: (x) => F.adaptiveMaxPool2d(x, 2), inputs: (g) => [g.D([1, 2, 5, 5])] },
    { name: 'interpolate bilinear alignCorners false, size [5,7]', fn: (x) => F.interpolate(x, { size: [5, 7], mode: 'bilinear' }), inputs: (g) => [g.U([1, 2, 3, 4])] },
    { name: 'interpolate bilinear alignCorners true, size [5,7]', fn: (x) => F.interpolate(x, { size: [5, 7], mode: 'bilinear', alignCorners: true }), inputs: (g) => [g.U([1, 2, 3, 4])] },
    { name: 'interpolate bilinear scaleFactor 2', fn: (x) => F.interpolate(x, { scaleFactor: 2, mode: 'bilinear' }), inputs: (g) => [g.U([1, 2, 3, 3])] },
    { name: 'interpolate bilinear downsample alignCorners true', fn: (x) => F.interpolate(x, { size: [3, 2], mode: 'bilinear', alignCorners: true }), inputs: (g) => [g.U([1, 1, 5, 6])] },
    { name: 'interpolate nearest scaleFactor 2', fn: (x) => F.interpolate(x, { scaleFactor: 2 }), inputs: (g) => [g.U([1, 2, 3, 3])] },
    { name: 'interpolate nearest size [3,5] (mixed down/up)', fn: (x) => F.interpolate(x, { size: [3, 5], mode: 'nearest' }), inputs: (g) => [g.U([1, 2, 5, 3])] },
    { name: 'pixelShuffle r=2', fn: (x) => F.pixelShuffle(x, 2).cumsum(3), inputs: (g) => [g.U([1, 8, 2, 3])] },
    { name: 'pixelUnshuffle r=2', fn: (x) => F.pixelUnshuffle(x, 2).cumsum(1), inputs: (g) => [g.U([1, 2, 4, 4])] },
  ]);
});

// ---- normalisation, softmax ----

describe('normalisation and softmax', () => {
  const rs = () => [tn.zeros([3], { dtype: 'float64' }), tn.ones([3], { dtype: 'float64' })];
  run([
    {
      name: 'batchNorm training (input, weight, bias), 3-d',
      fn: (x, w, b) => { const [m, v] = rs(); return F.batchNorm(x, m, v, { weight: w, bias: b, training: true }); },
      inputs: (g) => [g.U([4, 3, 2], -2, 2), g.U([3], 0.5, 1.5), g.U([3])],
    },
    {
      name: 'batchNorm training 4-d, no running stats',
      fn: (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }),
      inputs: (g) => [g.U([2, 3, 2, 2], -2, 2), g.U([3], 0.5, 1.5), g.U([3])],
    },
    {
      name: 'batchNorm training without affine',
      fn: (x) => F.batchNorm(x, null, null, { training: true }),
      inputs: (g) => [g.U([5, 2], -2, 2)],
    },
    {
      name: 'batchNorm eval with running stats',
      fn: (x, w, b) => F.batchNorm(x, tn.tensor(new Float64Array([0.1, -0.2, 0.3])), tn.tensor(new Float64Array([0.5, 1.5, 2])), { weight: w, bias: b }),
      inputs: (g) => [g.U([2, 3, 2]), g.U([3], 0.5, 1.5), g.U([3])],
    },
    {
      name: 'groupNorm 2 groups (input, weight, bias)',
      fn: (x, w, b) => F.groupNorm(x, 2, w, b),
      inputs: (g) => [g.U([2, 4, 3], -2, 2), g.U([4], 0.5, 1.5), g.U([4])],
    },
    {
      name: 'groupNorm 1 group, 4-d, no affine',
      fn: (x) => F.groupNorm(x, 1),
      inputs: (g) => [g.U([2, 2, 2, 3], -2, 2)],
    },
    {
      name: 'layerNorm over last dim (input, weight, bias)',
      fn: (x, w, b) => F.layerNorm(x, 4, w, b),
      inputs: (g) => [g.U([2, 3, 4], -2, 2), g.U([4], 0.5, 1.5), g.U([4])],
    },
    {
      name: 'layerNorm over last two dims',
      fn: (x, w, b) => F.layerNorm(x, [3, 4], w, b),
      inputs: (g) => [g.U([2, 3, 4], -2, 2), g.U([3, 4], 0.5, 1.5), g.U([3, 4])],
    },
    {
      name: 'instanceNorm (input, weight, bias)',
      fn: (x, w, b) => F.instanceNorm(x, { weight: w, bias: b }),
      inputs: (g) => [g.U([2, 3, 4], -2, 2), g.U([3], 0.5, 1.5), g.U([3])],
    },
    {
      name: 'instanceNorm 4-d, no affine',
      fn: (x) => F.instanceNorm(x),
      inputs: (g) => [g.U([1, 2, 2, 3], -2, 2)],
    },
    { name: 'softmax dim 1', fn: (x) => F.softmax(x, 1), inputs: (g) => [g.U(S, -2, 2)] },
    { name: 'softmax dim 0, 3-d', fn: (x) => F.softmax(x, 0), inputs: (g) => [g.U([3, 2, 2], -2, 2)] },
    { name: 'logSoftmax dim -1', fn: (x) => F.logSoftmax(x, -1), inputs: (g) => [g.U(S, -2, 2)] },
    { name: 'logSoftmax dim 1, 4-d', fn: (x) => F.logSoftmax(x, 1), inputs: (g) => [g.U([1, 3, 2, 2], -2, 2)] },
    { name: 'dropout training false is identity', fn: (x) => F.dropout(x, 0.5, false), inputs: (g) => [g.U(S)] },
  ]);
});

// ---- activations ----

describe('activations', () => {
  const a = (name: string, f: (x: T) => T, lo = -3, hi = 3, avoid: number[] = []): Case => ({
    name,
    fn: f,
    inputs: (g) => [g.U([3, 5], lo, hi, avoid, 0.05)],
  });
  run([
    a('relu (away from 0)', (x) => F.relu(x), -3, 3, [0]),
    a('relu method', (x) => x.relu(), -3, 3, [0]),
    a('reluInplace on a clone', (x) => F.reluInplace(x.mul(1)), -3, 3, [0]),
    a('relu6 (away from 0 and 6)', (x) => F.relu6(x), -2, 8, [0, 6]),
    a('sigmoid', (x) => F.sigmoid(x)),
    a('tanh', (x) => F.tanh(x)),
    a('leakyRelu default slope (away from 0)', (x) => F.leakyRelu(x), -3, 3, [0]),
    a('leakyRelu slope 0.2', (x) => F.leakyRelu(x, 0.2), -3, 3, [0]),
    {
      name: 'prelu per-channel weight (input, weight)',
      fn: (x, w) => F.prelu(x, w),
      inputs: (g) => [g.U([2, 3, 4], -2, 2, [0], 0.05), g.U([3], 0.05, 0.5)],
    },
    {
      name: 'prelu single weight (input, weight)',
      fn: (x, w) => F.prelu(x, w),
      inputs: (g) => [g.U([2, 3, 2, 2], -2, 2, [0], 0.05), g.U([1], 0.05, 0.5)],
    },
    a('elu (away from 0)', (x) => F.elu(x), -3, 3, [0]),
    a('elu alpha 0.5', (x) => F.elu(x, 0.5), -3, 3, [0]),
    a('selu (away from 0)', (x) => F.selu(x), -3, 3, [0]),
    a('celu alpha 1.5 (away from 0)', (x) => F.celu(x, 1.5), -3, 3, [0]),
    a("gelu approximate 'none'", (x) => F.gelu(x)),
    a("gelu approximate 'tanh'", (x) => F.gelu(x, 'tanh')),
    a('silu / swish', (x) => F.silu(x)),
    a('hardswish (away from ±3)', (x) => F.hardswish(x), -4, 4, [-3, 3]),
    a('hardsigmoid (away from ±3)', (x) => F.hardsigmoid(x), -4, 4, [-3, 3]),
    a('mish', (x) => F.mish(x)),
    a('softplus', (x) => F.softplus(x)),
    a('softplus beta 2 threshold 4 (away from the threshold)', (x) => F.softplus(x, 2, 4), -3, 4, [2]),
    a('softsign (away from 0)', (x) => F.softsign(x), -3, 3, [0]),
    a('hardtanh (away from ±1)', (x) => F.hardtanh(x), -2, 2, [-1, 1]),
    a('hardtanh min -0.5 max 2', (x) => F.hardtanh(x, -0.5, 2), -2, 3, [-0.5, 2]),
    a('logsigmoid', (x) => F.logsigmoid(x)),
    a('radbas', (x) => F.radbas(x)),
    a('identity / purelin', (x) => F.purelin(x).mul(2)),
    a('satlin (away from 0 and 1)', (x) => F.satlin(x), -1, 2, [0, 1]),
    a('satlins (away from ±1)', (x) => F.satlins(x), -2, 2, [-1, 1]),
    a('logsig / tansig aliases', (x) => F.tansig(F.logsig(x))),
  ]);
  test('hardlim and hardlims have no gradient (outputs do not require grad)', () => {
    tn.scope(() => {
      const x = gen('hardlim').U([4], -1, 1).requiresGrad_();
      assert.equal(F.hardlim(x).requiresGrad, false);
      assert.equal(F.hardlims(x).requiresGrad, false);
    });
  });
});

// ---- losses ----

describe('losses', () => {
  const probs = (g: Gen, shape: number[]) => F.softmax(g.U(shape, -1, 1), 1);
  run([
    { name: 'mseLoss mean (input, target)', fn: (x, y) => F.mseLoss(x, y), inputs: (g) => [g.U(S), g.U(S)] },
    { name: 'mseLoss sum', fn: (x, y) => F.mseLoss(x, y, { reduction: 'sum' }), inputs: (g) => [g.U(S), g.U(S)] },
    { name: 'mseLoss none', fn: (x, y) => F.mseLoss(x, y, { reduction: 'none' }), inputs: (g) => [g.U(S), g.U(S)] },
    {
      name: 'l1Loss mean (|x − y| away from 0)',
      fn: (x, y) => F.l1Loss(x, y),
      inputs: (g) => { const y = g.U(S); return [y.add(g.U(S, -1, 1, [0], 0.05)), y]; },
    },
    {
      name: 'l1Loss none',
      fn: (x, y) => F.l1Loss(x, y, { reduction: 'none' }),
      inputs: (g) => { const y = g.U(S); return [y.add(g.U(S, -1, 1, [0], 0.05)), y]; },
    },
    {
      name: 'smoothL1Loss beta 1 (away from the ±beta kinks)',
      fn: (x, y) => F.smoothL1Loss(x, y),
      inputs: (g) => { const y = g.U(S); return [y.add(g.U(S, -2, 2, [-1, 1, 0], 0.05)), y]; },
    },
    {
      name: 'smoothL1Loss beta 0.5 sum',
      fn: (x, y) => F.smoothL1Loss(x, y, { beta: 0.5, reduction: 'sum' }),
      inputs: (g) => { const y = g.U(S); return [y.add(g.U(S, -2, 2, [-0.5, 0.5, 0], 0.05)), y]; },
    },
    {
      name: 'huberLoss delta 1.5',
      fn: (x, y) => F.huberLoss(x, y, { delta: 1.5 }),
      inputs: (g) => { const y = g.U(S); return [y.add(g.U(S, -3, 3, [-1.5, 1.5], 0.05)), y]; },
    },
    {
      name: 'huberLoss delta 0.5 none',
      fn: (x, y) => F.huberLoss(x, y, { delta: 0.5, reduction: 'none' }),
      inputs: (g) => { const y = g.U(S); return [y.add(g.U(S, -2, 2, [-0.5, 0.5], 0.05)), y]; },
    },
    {
      name: 'binaryCrossEntropy on (0,1) probabilities (input, target)',
      fn: (x, y) => F.binaryCrossEntropy(x, y),
      inputs: (g) => [g.U(S, 0.1, 0.9), g.U(S, 0, 1)],
    },
    {
      name: 'binaryCrossEntropy with weight, sum (input)',
      fn: (x, y) => F.binaryCrossEntropy(x, y, { weight: tn.tensor(new Float64Array([0.5, 1, 2, 1.5])), reduction: 'sum' }),
      inputs: (g) => [g.U(S, 0.1, 0.9), g.U(S, 0, 1)],
      opts: { check: [0] },
    },
    {
      name: 'binaryCrossEntropyWithLogits (input, target)',
      fn: (x, y) => F.binaryCrossEntropyWithLogits(x, y),
      inputs: (g) => [g.U(S, -3, 3), g.U(S, 0, 1)],
    },
    {
      name: 'binaryCrossEntropyWithLogits posWeight and weight (input, target)',
      fn: (x, y) => F.binaryCrossEntropyWithLogits(x, y, {
        posWeight: tn.tensor(new Float64Array([0.5, 2, 1, 3])),
        weight: tn.tensor(new Float64Array([1, 0.5, 2])).reshape([3, 1]),
      }),
      inputs: (g) => [g.U(S, -3, 3), g.U(S, 0, 1)],
    },
    {
      name: 'binaryCrossEntropyWithLogits none',
      fn: (x, y) => F.binaryCrossEntropyWithLogits(x, y, { reduction: 'none', posWeight: tn.tensor(new Float64Array([0.5, 2, 1, 3])) }),
      inputs: (g) => [g.U(S, -3, 3), g.U(S, 0, 1)],
    },
    {
      name: 'crossEntropy class indices',
      fn: (x) => F.crossEntropy(x, tn.tensor([2, 0, 3], { dtype: 'int64' })),
      inputs: (g) => [g.U(S, -2, 2)],
    },
    {
      name: 'crossEntropy with class weight',
      fn: (x) => F.crossEntropy(x, tn.tensor([2, 0, 3], { dtype: 'int64' }), { weight: tn.tensor(new Float64Array([0.5, 1, 2, 1.5])) }),
      inputs: (g) => [g.U(S, -2, 2)],
    },
    {
      name: 'crossEntropy labelSmoothing 0.1',
      fn: (x) => F.crossEntropy(x, tn.tensor([1, 0, 3], { dtype: 'int64' }), { labelSmoothing: 0.1 }),
      inputs: (g) => [g.U(S, -2, 2)],
    },
    {
      name: 'crossEntropy weight + labelSmoothing + ignoreIndex',
      fn: (x) => F.crossEntropy(x, tn.tensor([1, -100, 3], { dtype: 'int64' }), { labelSmoothing: 0.2, weight: tn.tensor(new Float64Array([0.5, 1, 2, 1.5])) }),
      inputs: (g) => [g.U(S, -2, 2)],
    },
    {
      name: 'crossEntropy probability targets (input, target)',
      fn: (x, y) => F.crossEntropy(x, y),
      inputs: (g) => [g.U(S, -2, 2), probs(g, S)],
    },
    {
      name: 'crossEntropy probability targets with weight and labelSmoothing',
      fn: (x, y) => F.crossEntropy(x, y, { weight: tn.tensor(new Float64Array([0.5, 1, 2, 1.5])), labelSmoothing: 0.1 }),
      inputs: (g) => [g.U(S, -2, 2), probs(g, S)],
    },
    {
      name: 'crossEntropy 4-d (N,C,H,W) input, class indices, ignoreIndex',
      fn: (x) => F.crossEntropy(x, tn.tensor([[[0, 2], [1, 1]], [[2, 5], [0, 1]]], { dtype: 'int64' }), { ignoreIndex: 5 }),
      inputs: (g) => [g.U([2, 3, 2, 2], -2, 2)],
    },
    {
      name: 'crossEntropy 4-d input, weight, reduction sum',
      fn: (x) => F.crossEntropy(x, tn.tensor([[[0, 2], [1, 1]], [[2, 0], [0, 1]]], { dtype: 'int64' }), { weight: tn.tensor(new Float64Array([2, 1, 0.5])), reduction: 'sum' }),
      inputs: (g) => [g.U([2, 3, 2, 2], -2, 2)],
    },
    {
      name: 'crossEntropy 4-d probability targets, none',
      fn: (x, y) => F.crossEntropy(x, y, { reduction: 'none' }),
      inputs: (g) => [g.U([1, 3, 2, 2], -2, 2), probs(g, [1, 3, 2, 2])],
    },
    {
      name: 'crossEntropy 1-d input (unbatched)',
      fn: (x) => F.crossEntropy(x, tn.tensor(2, { dtype: 'int64' })),
      inputs: (g) => [g.U([4], -2, 2)],
    },
    {
      name: 'nllLoss',
      fn: (x) => F.nllLoss(x, tn.tensor([2, 0, 3], { dtype: 'int64' })),
      inputs: (g) => [g.U(S, -3, 0)],
    },
    {
      name: 'nllLoss with weight and ignoreIndex',
      fn: (x) => F.nllLoss(x, tn.tensor([2, 1, 3], { dtype: 'int64' }), { weight: tn.tensor(new Float64Array([0.5, 1, 2, 1.5])), ignoreIndex: 1 }),
      inputs: (g) => [g.U(S, -3, 0)],
    },
    {
      name: 'nllLoss 4-d with weight, none',
      fn: (x) => F.nllLoss(x, tn.tensor([[[0, 2], [1, 1]], [[2, 0], [0, 1]]], { dtype: 'int64' }), { weight: tn.tensor(new Float64Array([2, 1, 0.5])), reduction: 'none' }),
      inputs: (g) => [g.U([2, 3, 2, 2], -3, 0)],
    },
    {
      name: 'logSoftmax + nllLoss equals crossEntropy path',
      fn: (x) => F.nllLoss(F.logSoftmax(x, 1), tn.tensor([1, 3, 0], { dtype: 'int64' })),
      inputs: (g) => [g.U(S, -2, 2)],
    },
  ]);
});

describe('arguments PyTorch does not differentiate', () => {
  // libtorch 1.13 has no derivative for these; requiring grad must give a TorchError, not a crash.
  const cases: [string, (g: Gen) => T][] = [
    ['binaryCrossEntropy weight', (g) => F.binaryCrossEntropy(g.U(S, 0.1, 0.9), g.U(S, 0, 1), { weight: g.U([4]).requiresGrad_() })],
    ['binaryCrossEntropyWithLogits posWeight', (g) => F.binaryCrossEntropyWithLogits(g.U(S), g.U(S, 0, 1), { posWeight: g.U([4]).requiresGrad_() })],
    ['crossEntropy class-index weight', (g) => F.crossEntropy(g.U(S), tn.tensor([1, 0, 3], { dtype: 'int64' }), { weight: g.U([4], 0.5, 1).requiresGrad_() })],
  ];
  for (const [name, f] of cases) {
    test(name, () => {
      tn.scope(() => assert.throws(() => f(gen(name)), (e: Error) => e instanceof tn.TorchError && /not differentiable/.test(e.message)));
    });
  }
});

// ---- higher order ----

describe('double backward (createGraph)', () => {
  test('d/dx sum(grad(sum(x³))) = 6x exactly', () => {
    tn.scope(() => {
      const x = gen('x3').U([5], -2, 2).requiresGrad_();
      const [g1] = tn.autograd.grad(x.pow(3).sum(), [x], { createGraph: true });
      assert.ok(g1!.requiresGrad, 'first-order gradient must carry a graph with createGraph');
      const [g2] = tn.autograd.grad(g1!.sum(), [x]);
      const want = x.detach().mul(6).toArray();
      g2!.toArray().forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-12, `${v} vs ${want[i]}`));
    });
  });

  test('backward with createGraph accumulates a differentiable .grad', () => {
    tn.scope(() => {
      const x = gen('bwcg').U([4], -1, 1).requiresGrad_();
      x.tanh().sum().backward(null, { createGraph: true });
      const g = x.grad!;
      assert.ok(g.requiresGrad);
      // d/dx sum(1 − tanh²x) = −2 tanh x (1 − tanh² x)
      const [g2] = tn.autograd.grad(g.sum(), [x]);
      const t = x.detach().tanh().toArray();
      g2!.toArray().forEach((v, i) => assert.ok(Math.abs(v - -2 * t[i] * (1 - t[i] * t[i])) < 1e-12));
      x.grad = null;
    });
  });

  run([
    { name: 'gradgrad pow 3', fn: gradOf((x) => x.pow(3)), inputs: (g) => [g.U([5], -2, 2)] },
    { name: 'gradgrad tanh', fn: gradOf((x) => x.tanh()), inputs: (g) => [g.U(S, -2, 2)] },
    { name: 'gradgrad sigmoid * exp', fn: gradOf((x) => x.sigmoid().mul(x.exp())), inputs: (g) => [g.U(S)] },
    { name: 'gradgrad mul (two inputs)', fn: gradOf((a, b) => a.mul(b).sin()), inputs: (g) => [g.U(S), g.U(S)] },
    { name: 'gradgrad softmax', fn: gradOf((x) => F.softmax(x, 1)), inputs: (g) => [g.U(S)] },
    { name: 'gradgrad logSoftmax + nllLoss', fn: gradOf((x) => F.nllLoss(F.logSoftmax(x, 1), tn.tensor([1, 3, 0], { dtype: 'int64' }))), inputs: (g) => [g.U(S)] },
    { name: 'gradgrad matmul', fn: gradOf((a, b) => a.matmul(b).tanh()), inputs: (g) => [g.U([2, 3]), g.U([3, 2])] },
    { name: 'gradgrad conv2d (input, weight)', fn: gradOf((x, w) => F.conv2d(x, w, null, { padding: 1 }).square()), inputs: (g) => [g.U([1, 1, 3, 3]), g.U([2, 1, 2, 2])] },
    { name: 'gradgrad gelu', fn: gradOf((x) => F.gelu(x)), inputs: (g) => [g.U(S, -2, 2)] },
    { name: 'gradgrad layerNorm', fn: gradOf((x, w) => F.layerNorm(x, 4, w).mul(x)), inputs: (g) => [g.U([2, 4], -2, 2), g.U([4], 0.5, 1.5)] },
    { name: 'gradgrad mseLoss', fn: gradOf((x, y) => F.mseLoss(x.tanh(), y)), inputs: (g) => [g.U(S), g.U(S)] },
  ]);
});

test('no tensor outlives the checks of this file', () => {
  assert.equal(tn.memory().tensors, liveAtStart);
});
