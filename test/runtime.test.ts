// Process-wide runtime settings: seeding, RNG state, intra-op threads.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tn from 'tunet';

const F = tn.nn.functional;

/** One draw from every random source, as plain numbers (no tensors left behind). */
function draw(): number[][] {
  return tn.scope(() => [
    tn.rand([5]).toArray(),
    tn.randn([5]).toArray(),
    tn.randint(0, 1000, [5]).toArray(),
    F.dropout(tn.ones([20]), 0.5).toArray(),
    tn.empty([5]).uniform_(-2, 2).toArray(),
    tn.empty([5]).normal_(3, 0.5).toArray(),
    tn.full([8], 0.5).bernoulli().toArray(),
    tn.randLike(tn.zeros([3])).toArray(),
  ]);
}

describe('manualSeed', () => {
  it('re-seeding reproduces rand, randn, randint, dropout, uniform_, normal_, bernoulli', () => {
    tn.manualSeed(1234);
    const a = draw();
    const a2 = draw(); // the stream moves on
    tn.manualSeed(1234);
    const b = draw();
    assert.deepEqual(b, a);
    assert.notDeepEqual(a2, a);
    // dropout really dropped something and scaled the rest by 1 / (1 - p)
    assert.ok(a[3].some((v) => v === 0) && a[3].some((v) => v === 2) && a[3].every((v) => v === 0 || v === 2));
  });

  it('different seeds give different streams', () => {
    tn.manualSeed(1);
    const a = draw();
    tn.manualSeed(2);
    const b = draw();
    assert.notDeepEqual(a[0], b[0]);
    assert.notDeepEqual(a[1], b[1]);
  });

  it('gives the same numbers as PyTorch for the same seed', () => {
    // torch.manual_seed(0); torch.rand(3) / torch.manual_seed(0); torch.randn(3) in PyTorch 1.13 (CPU)
    tn.manualSeed(0);
    const r = tn.scope(() => tn.rand([3]).toArray());
    tn.manualSeed(0);
    const n = tn.scope(() => tn.randn([3]).toArray());
    const close = (got: number[], want: number[]) => got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `${got} vs ${want}`));
    close(r, [0.49625658988952637, 0.7682217955589294, 0.08847743272781372]);
    close(n, [1.5409960746765137, -0.293428897857666, -2.1787893772125244]);
  });

  it('accepts a bigint seed up to 2^64 - 1', () => {
    tn.manualSeed(2n ** 64n - 1n);
    const a = tn.scope(() => tn.rand([3]).toArray());
    tn.manualSeed(2n ** 64n - 1n);
    assert.deepEqual(tn.scope(() => tn.rand([3]).toArray()), a);
    tn.manualSeed(42n);
    const b = tn.scope(() => tn.rand([3]).toArray());
    tn.manualSeed(42);
    assert.deepEqual(tn.scope(() => tn.rand([3]).toArray()), b, 'bigint and number seeds agree');
  });
});

describe('RNG state', () => {
  it('getRngState / setRngState round-trip replays the stream', () => {
    tn.manualSeed(99);
    draw(); // advance somewhere arbitrary
    const state = tn.getRngState();
    assert.equal(state.dtype, 'uint8');
    assert.equal(state.ndim, 1);
    const a = draw();
    const b = draw();
    tn.setRngState(state);
    assert.deepEqual(draw(), a);
    assert.deepEqual(draw(), b);
    // the state tensor is a copy: drawing did not change it
    tn.setRngState(state);
    assert.deepEqual(draw(), a);
    state.dispose();
  });

  it('the state survives a round trip through plain bytes (a checkpoint)', () => {
    tn.manualSeed(5);
    const state = tn.getRngState();
    const bytes = state.toTypedArray() as Uint8Array;
    state.dispose();
    const want = draw();
    const restored = tn.tensor(Uint8Array.from(bytes));
    tn.setRngState(restored);
    restored.dispose();
    assert.deepEqual(draw(), want);
  });

  it('rejects a state that is not from getRngState', () => {
    assert.throws(() => tn.setRngState(tn.scope(() => tn.zeros([3]))), (e: unknown) => e instanceof tn.TorchError && /uint8 Tensor from getRngState/.test(e.message));
    const bad = tn.zeros([3], { dtype: 'uint8' });
    assert.throws(() => tn.setRngState(bad), (e: unknown) => e instanceof tn.TorchError && e.op === 'setRngState' && /RNG state size/.test(e.message));
    bad.dispose();
    // still usable
    tn.manualSeed(0);
    assert.ok(Math.abs(tn.scope(() => tn.rand([1]).item()) - 0.49625658988952637) < 1e-6);
  });
});

describe('threads', () => {
  const initial = tn.getNumThreads();
  after(() => tn.setNumThreads(initial));

  it('getNumThreads is a positive integer', () => {
    assert.ok(Number.isInteger(initial) && initial >= 1, String(initial));
  });

  it('setNumThreads changes getNumThreads, and results do not depend on it', () => {
    const compute = () =>
      tn.scope(() => {
        tn.manualSeed(3);
        const x = tn.randn([64, 3, 16, 16], { dtype: 'float64' });
        const w = tn.randn([8, 3, 3, 3], { dtype: 'float64' });
        return [F.conv2d(x, w, null, { padding: 1 }).sum().item(), x.matmul(x.transpose(-1, -2)).abs().sum().item()];
      });
    tn.setNumThreads(1);
    assert.equal(tn.getNumThreads(), 1);
    const one = compute();
    tn.setNumThreads(2);
    assert.equal(tn.getNumThreads(), 2);
    const two = compute();
    for (let i = 0; i < one.length; i++) assert.ok(Math.abs(one[i] - two[i]) <= 1e-9 * Math.abs(one[i]), `${one[i]} vs ${two[i]}`);
    tn.setNumThreads(initial);
    assert.equal(tn.getNumThreads(), initial);
  });

  it('rejects counts that are not positive integers or absurdly large, and keeps the old value', () => {
    const before = tn.getNumThreads();
    for (const n of [0, -1, 1.5, NaN, Infinity, 1e10]) {
      assert.throws(() => tn.setNumThreads(n), (e: unknown) => e instanceof tn.TorchError && e.op === 'setNumThreads', String(n));
    }
    assert.equal(tn.getNumThreads(), before);
  });
});
