// tn.nn.init against torch.nn.init: the same numbers after the same manual seed (fixtures from
// scripts/make_layer_fixtures.py), calculate_gain values, and the statistics each scheme promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tn from 'tunet';

const init = tn.nn.init;

function fixturePath(name: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../test/fixtures', name), path.resolve(here, 'fixtures', name)];
  for (const p of candidates) {
    try {
      readFileSync(p);
      return p;
    } catch {
      // next
    }
  }
  throw new Error(`fixture ${name} not found in ${candidates.join(', ')}`);
}

interface InitCase {
  name: string;
  seed: number;
  shape: number[];
  fn: string;
  args: unknown[];
}

const doc = JSON.parse(readFileSync(fixturePath('layers.json'), 'utf8')) as { init: InitCase[]; gains: [string, number | null, number][] };

function stats(t: tn.Tensor): { mean: number; std: number; min: number; max: number } {
  const a = t.toArray();
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  const std = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / (a.length - 1));
  return { mean, std, min: Math.min(...a), max: Math.max(...a) };
}

test('calculateGain equals torch.nn.init.calculate_gain', () => {
  for (const [name, param, want] of doc.gains) {
    const got = init.calculateGain(name, param);
    assert.ok(Math.abs(got - want) < 1e-12, `${name}(${param}): ${got} vs PyTorch ${want}`);
  }
  assert.equal(init.calculateGain('leakyRelu', 0.2), init.calculateGain('leaky_relu', 0.2));
  assert.equal(init.calculateGain('convTranspose2d'), 1);
  assert.throws(() => init.calculateGain('softmax'), (e: Error) => e instanceof tn.TorchError && /unsupported nonlinearity 'softmax'/.test(e.message));
  assert.throws(() => init.calculateGain('leaky_relu', Number.NaN), tn.TorchError);
});

test('each init function gives PyTorch\'s numbers after the same manual seed', () => {
  const { tensors } = tn.safetensors.loadFile(fixturePath('layers.safetensors'));
  try {
    for (const c of doc.init) {
      tn.scope(() => {
        tn.manualSeed(c.seed);
        const t = tn.empty(c.shape);
        const f = (init as unknown as Record<string, (t: tn.Tensor, ...a: unknown[]) => tn.Tensor>)[c.fn];
        assert.equal(f(t, ...c.args), t, `${c.fn} returns its tensor`);
        const want = tensors[`init/${c.name}`];
        assert.deepEqual(t.shape, want.shape);
        const g = t.toArray();
        const w = want.toArray();
        for (let i = 0; i < w.length; i++) {
          assert.ok(Math.abs(g[i] - w[i]) <= 1e-5 + 1e-4 * Math.abs(w[i]), `${c.name}[${i}]: tunet ${g[i]}, PyTorch ${w[i]}`);
        }
      });
    }
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
});

test('kaiming and xavier samples have the theoretical spread', () => {
  tn.scope(() => {
    tn.manualSeed(1);
    const fanIn = 400;
    const fanOut = 300;
    const w = tn.empty([fanOut, fanIn]);
    const cases: [string, () => void, number, number | null][] = [
      // [what, fill, expected std, uniform bound or null]
      ['kaimingUniform_ (relu)', () => init.kaimingUniform_(w, { nonlinearity: 'relu' }), Math.sqrt(2 / fanIn), Math.sqrt(6 / fanIn)],
      ['kaimingUniform_ (a=√5, PyTorch\'s Linear)', () => init.kaimingUniform_(w, { a: Math.sqrt(5) }), 1 / Math.sqrt(3 * fanIn), 1 / Math.sqrt(fanIn)],
      ['kaimingNormal_ (fanOut, relu)', () => init.kaimingNormal_(w, { mode: 'fanOut', nonlinearity: 'relu' }), Math.sqrt(2 / fanOut), null],
      ['kaimingNormal_ (fan_out spelled as PyTorch)', () => init.kaimingNormal_(w, { mode: 'fan_out', nonlinearity: 'leaky_relu', a: 0.1 }), Math.sqrt(2 / (1 + 0.01)) / Math.sqrt(fanOut), null],
      ['heNormal_', () => init.heNormal_(w), Math.sqrt(2 / fanIn), null],
      ['xavierUniform_', () => init.xavierUniform_(w), Math.sqrt(2 / (fanIn + fanOut)), Math.sqrt(6 / (fanIn + fanOut))],
      ['glorotUniform_ (gain 5/3)', () => init.glorotUniform_(w, init.calculateGain('tanh')), (5 / 3) * Math.sqrt(2 / (fanIn + fanOut)), (5 / 3) * Math.sqrt(6 / (fanIn + fanOut))],
      ['xavierNormal_ ({ gain: 2 })', () => init.xavierNormal_(w, { gain: 2 }), 2 * Math.sqrt(2 / (fanIn + fanOut)), null],
    ];
    for (const [what, fill, std, bound] of cases) {
      fill();
      const s = stats(w);
      assert.ok(Math.abs(s.std / std - 1) < 0.02, `${what}: std ${s.std}, theory ${std}`);
      assert.ok(Math.abs(s.mean) < 0.05 * std, `${what}: mean ${s.mean}`);
      if (bound !== null) {
        assert.ok(s.min >= -bound && s.max <= bound, `${what}: range [${s.min}, ${s.max}] outside ±${bound}`);
        assert.ok(s.max > 0.99 * bound, `${what}: the range reaches the bound`);
      }
    }
    // Receptive field counts in the fans of a conv weight (out, in, kH, kW).
    const cw = tn.empty([64, 32, 3, 3]);
    assert.deepEqual(init.calculateFanInAndFanOut(cw), { fanIn: 32 * 9, fanOut: 64 * 9 });
    init.kaimingNormal_(cw, { nonlinearity: 'relu' });
    assert.ok(Math.abs(stats(cw).std / Math.sqrt(2 / (32 * 9)) - 1) < 0.03);
  });
});

test('orthogonal_ gives (semi-)orthogonal matrices, scaled by gain', () => {
  tn.scope(() => {
    tn.manualSeed(2);
    const eyeErr = (m: tn.Tensor, n: number, g = 1) => m.sub(tn.eye(n).mul(g * g)).abs().max().item();
    const tall = init.orthogonal_(tn.empty([50, 20]));
    assert.ok(eyeErr(tall.t().matmul(tall), 20) < 1e-5, 'QᵀQ = I for a tall matrix');
    const wide = init.orthogonal_(tn.empty([20, 50]), 3);
    assert.ok(eyeErr(wide.matmul(wide.t()), 20, 3) < 1e-4, 'QQᵀ = gain²·I for a wide matrix');
    const conv = init.orthogonal_(tn.empty([8, 4, 3, 3]));
    const flat = conv.reshape([8, 36]);
    assert.ok(eyeErr(flat.matmul(flat.t()), 8) < 1e-5, 'rows of a conv weight are orthonormal');
    const d = init.orthogonal_(tn.empty([16, 16], { dtype: 'float64' }));
    assert.ok(eyeErr(d.t().matmul(d).float(), 16) < 1e-12 + 1e-6);
    assert.throws(() => init.orthogonal_(tn.empty([5])), /2 or more dimensions/);
  });
});

test('truncNormal_ stays in [a, b] with the truncated normal\'s mean', () => {
  tn.scope(() => {
    tn.manualSeed(3);
    const t = init.truncNormal_(tn.empty([20000]), 0, 1, -1, 2);
    const s = stats(t);
    assert.ok(s.min >= -1 && s.max <= 2, `range [${s.min}, ${s.max}]`);
    // Mean of N(0,1) truncated to [-1, 2]: (φ(-1) − φ(2)) / (Φ(2) − Φ(-1)).
    const phi = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    const want = (phi(-1) - phi(2)) / (0.9772498680518208 - 0.15865525393145707);
    assert.ok(Math.abs(s.mean - want) < 0.02, `mean ${s.mean}, theory ${want}`);
    assert.equal(init.trunc_normal_, init.truncNormal_);
  });
});

test('init works on parameters in place, leaves no graph, repeats with the seed, frees its temporaries', () => {
  tn.scope(() => {
    const p = new tn.nn.Parameter(tn.zeros([6, 5]));
    const before = tn.memory().tensors;
    for (const f of [
      () => init.kaimingUniform_(p), () => init.kaimingNormal_(p), () => init.xavierUniform_(p), () => init.xavierNormal_(p),
      () => init.orthogonal_(p), () => init.truncNormal_(p), () => init.normal_(p), () => init.uniform_(p, -1, 1),
      () => init.constant_(p, 0.5), () => init.zeros_(p), () => init.ones_(p), () => init.eye_(p),
    ]) {
      assert.equal(f(), p);
      assert.ok(p.requiresGrad && p.isLeaf && p.gradFn === null);
    }
    assert.equal(tn.memory().tensors, before, 'no handles left behind');
    assert.deepEqual(p.tolist(), [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]]);
    init.constant_(p, 0.5);
    assert.ok(p.eq(0.5).all().item());
    tn.manualSeed(9);
    const a = init.kaimingUniform_(tn.empty([4, 4])).toArray();
    tn.manualSeed(9);
    assert.deepEqual(init.heUniform_(tn.empty([4, 4])).toArray(), a);
    assert.equal(init.glorotNormal_, init.xavierNormal_);
    p.dispose();
  });
});

test('init rejects what PyTorch rejects', () => {
  tn.scope(() => {
    assert.throws(() => init.xavierUniform_(tn.empty([5])), /fewer than 2 dimensions/);
    assert.throws(() => init.kaimingNormal_(tn.empty([3, 3]), { mode: 'fan_avg' as never }), /mode must be/);
    assert.throws(() => init.kaimingUniform_(tn.zeros([3, 3], { dtype: 'int64' })), /floating-point/);
    assert.throws(() => init.normal_(null as never), tn.TorchError);
    assert.throws(() => init.eye_(tn.empty([2, 2, 2])), /2 dimensions/);
    // Empty tensors are left alone, as PyTorch does (with a warning there).
    assert.deepEqual(init.kaimingUniform_(tn.empty([0, 3])).shape, [0, 3]);
  });
});
