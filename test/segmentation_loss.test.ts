// Segmentation losses (src/nn/functional/segmentation.ts) against the PyTorch references of
// test/fixtures/seg_loss.json (written by scripts/make_seg_loss_fixtures.py: nnU-Net's SoftDiceLoss,
// DC_and_CE_loss and DC_and_BCE_loss re-implemented, torchvision's sigmoid_focal_loss formula),
// forward and gradient with respect to the logits; then edge cases and argument errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tn from 'tunet';
import { assertTensorMatches, gradWeight, loadFixture, toTensor, type TensorSpec } from './helpers/fixtures.js';

const F = tn.nn.functional;
type T = tn.Tensor;

interface SegCase {
  name: string;
  fn: 'diceLoss' | 'tverskyLoss' | 'diceCELoss' | 'focalLoss';
  opts: Record<string, any>;
  input: TensorSpec;
  target: TensorSpec;
  output: TensorSpec;
  grad: TensorSpec;
  extra?: Record<string, TensorSpec>;
  tol?: { rtol?: number; atol?: number };
}

const fixture = loadFixture('seg_loss.json') as unknown as { torch: string; cases: SegCase[] };

function run(c: SegCase, x: T, t: T): T {
  const opts: Record<string, any> = { ...c.opts };
  for (const [k, spec] of Object.entries(c.extra ?? {})) opts[k] = toTensor(spec);
  return (F[c.fn] as (x: T, t: T, o: object) => T)(x, t, opts);
}

describe(`segmentation losses vs PyTorch ${fixture.torch} references`, () => {
  test('the fixture covers every loss and mode', () => {
    const seen = new Set(fixture.cases.map((c) => `${c.fn}/${c.opts.mode ?? 'multiclass'}`));
    for (const fn of ['diceLoss', 'tverskyLoss', 'diceCELoss']) {
      for (const mode of ['binary', 'multiclass', 'multilabel']) assert.ok(seen.has(`${fn}/${mode}`), `${fn}/${mode}`);
    }
    for (const mode of ['binary', 'multiclass', 'multilabel']) assert.ok(seen.has(`focalLoss/${mode}`), `focalLoss/${mode}`);
  });

  for (const c of fixture.cases) {
    test(`${c.fn}: ${c.name}`, () => {
      tn.scope(() => {
        const x = toTensor(c.input).requiresGrad_();
        const t = toTensor(c.target);
        const out = run(c, x, t);
        assertTensorMatches(out, c.output, `${c.name}: loss`, c.tol);
        out.mul(gradWeight(out.shape, out.dtype, 0)).sum().backward();
        assertTensorMatches(x.grad!, c.grad, `${c.name}: grad`, c.tol);
      });
    });
  }
});

// ---- edge cases ----

const f64 = (data: number[], shape: number[]) => tn.fromTypedArray(Float64Array.from(data), shape);
const i64 = (data: number[], shape: number[]) => tn.fromTypedArray(BigInt64Array.from(data.map(BigInt)), shape);
const val = (t: T) => t.item();

/** Logits ±30 that put (almost) all probability on `labels` (N, H, W). */
function confidentLogits(labels: number[][][], C: number): T {
  const N = labels.length;
  const H = labels[0].length;
  const W = labels[0][0].length;
  const a = new Float64Array(N * C * H * W).fill(-30);
  for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) a[((n * C + labels[n][h][w]) * H + h) * W + w] = 30;
  return tn.fromTypedArray(a, [N, C, H, W]);
}

describe('segmentation losses: edge cases', () => {
  const labels = [[[0, 1, 2, 2], [0, 0, 1, 2], [1, 1, 0, 0]], [[2, 2, 2, 0], [0, 1, 1, 0], [0, 0, 0, 0]]];

  test('perfect prediction: every loss is ≈ 0', () => {
    tn.scope(() => {
      const x = confidentLogits(labels, 3);
      const t = i64(labels.flat(2), [2, 3, 4]);
      assert.ok(val(F.diceLoss(x, t)) < 1e-9, 'dice');
      assert.ok(val(F.diceLoss(x, t, { batchDice: true, includeBackground: false })) < 1e-9, 'batch dice');
      assert.ok(val(F.tverskyLoss(x, t, { alpha: 0.8, beta: 0.2 })) < 1e-9, 'tversky');
      assert.ok(val(F.diceCELoss(x, t)) < 1e-9, 'dice+CE');
      assert.ok(val(F.focalLoss(x, t)) < 1e-20, 'focal');
      const xb = f64(labels.flat(2).map((v) => (v > 0 ? 30 : -30)), [2, 1, 3, 4]);
      const tb = f64(labels.flat(2).map((v) => (v > 0 ? 1 : 0)), [2, 3, 4]);
      assert.ok(val(F.diceLoss(xb, tb, { mode: 'binary' })) < 1e-9, 'binary dice');
      assert.ok(val(F.diceCELoss(xb, tb, { mode: 'binary' })) < 1e-9, 'binary dice+BCE');
      assert.ok(val(F.focalLoss(xb, tb, { mode: 'binary' })) < 1e-20, 'binary focal');
    });
  });

  test('empty masks (all background)', () => {
    tn.scope(() => {
      const empty = tn.zeros([2, 1, 3, 4], { dtype: 'float64' });
      // An empty prediction of an empty mask scores ≈ 0 (smooth / (Σp + smooth) ≈ 1) ...
      const sure = tn.fullLike(empty, -30).requiresGrad_();
      const l0 = F.diceLoss(sure, empty, { mode: 'binary' });
      assert.ok(val(l0) >= 0 && val(l0) < 1e-6, `empty/empty: ${val(l0)}`);
      l0.backward();
      assert.ok(sure.grad!.isfinite().all().item(), 'finite gradient for an empty mask');
      // ... any foreground predicted on an empty mask costs ≈ 1, per sample, as in nnU-Net.
      const unsure = tn.zerosLike(empty).requiresGrad_();
      const l1 = F.diceLoss(unsure, empty, { mode: 'binary' });
      assert.ok(Math.abs(val(l1) - 1) < 1e-5, `p = 0.5 on an empty mask: ${val(l1)}`);
      l1.backward();
      const g = unsure.grad!;
      assert.ok(g.isfinite().all().item() && val(g.sum()) > 0, 'pushes the logits down');
      // Multiclass image of only background, scored without background: perfect gives ≈ 0.
      const bg = [[[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]];
      const tbg = i64(bg.flat(2), [2, 3, 4]);
      assert.ok(val(F.diceLoss(confidentLogits(bg, 3), tbg, { includeBackground: false })) < 1e-6);
      assert.ok(val(F.diceLoss(confidentLogits(bg, 3), tbg, { includeBackground: false, batchDice: true })) < 1e-6);
      // Tversky and dice+CE on empty masks stay finite.
      for (const l of [F.tverskyLoss(unsure, empty, { mode: 'binary', alpha: 0.7, beta: 0.3 }), F.diceCELoss(unsure, empty, { mode: 'binary' })]) {
        assert.ok(Number.isFinite(val(l)));
      }
    });
  });

  test('every pixel ignored: Dice 0, CE term 0 (nnU-Net), focal 0, all finite', () => {
    tn.scope(() => {
      const x = tn.randn([2, 3, 4, 4], { dtype: 'float64' }).requiresGrad_();
      const t = tn.full([2, 4, 4], 255, { dtype: 'int64' });
      assert.ok(Math.abs(val(F.diceLoss(x, t, { ignoreIndex: 255 }))) < 1e-12);
      const l = F.diceCELoss(x, t, { ignoreIndex: 255 });
      assert.ok(Math.abs(val(l)) < 1e-12);
      l.backward();
      assert.equal(val(x.grad!.abs().sum()), 0);
      assert.equal(val(F.focalLoss(x, t, { ignoreIndex: 255 })), 0);
    });
  });

  test('Tversky(0.5, 0.5) == Dice, forward and gradient, in every mode', () => {
    tn.scope(() => {
      tn.manualSeed(7);
      const settings: [T, T, Record<string, unknown>][] = [
        [tn.randn([2, 3, 5, 4], { dtype: 'float64' }), tn.randint(0, 3, [2, 5, 4]), {}],
        [tn.randn([2, 3, 5, 4], { dtype: 'float64' }), tn.randint(0, 3, [2, 5, 4]), { batchDice: true, includeBackground: false, smooth: 1 }],
        [tn.randn([2, 3, 5, 4], { dtype: 'float64' }), tn.randint(0, 4, [2, 5, 4]).maskedFill(tn.rand([2, 5, 4]).lt(0.3), 255), { ignoreIndex: 255, reduction: 'none' }],
        [tn.randn([3, 1, 4, 4], { dtype: 'float64' }), tn.rand([3, 4, 4]).gt(0.6), { mode: 'binary' }],
        [tn.randn([2, 3, 4, 4], { dtype: 'float64' }), tn.rand([2, 3, 4, 4]).gt(0.5).double(), { mode: 'multilabel', reduction: 'sum' }],
        [tn.randn([2, 3, 4, 4]), tn.randint(0, 3, [2, 4, 4]), {}],
      ];
      for (const [x0, t0, opts] of settings) {
        // the 3-class ignore case draws labels 0..3: turn the stray 3s into class 2
        const t = t0.dtype === 'int64' ? t0.where(t0.ne(3), 2) : t0;
        const a = x0.clone().requiresGrad_();
        const b = x0.clone().requiresGrad_();
        const dice = F.diceLoss(a, t, opts);
        const tv = F.tverskyLoss(b, t, { ...opts, alpha: 0.5, beta: 0.5 });
        const tol = x0.dtype === 'float64' ? 1e-12 : 1e-6;
        assert.ok(dice.allclose(tv, 0, tol), `${JSON.stringify(opts)}: dice ${dice.toArray()} tversky ${tv.toArray()}`);
        dice.sum().backward();
        tv.sum().backward();
        assert.ok(a.grad!.allclose(b.grad!, 0, tol), `${JSON.stringify(opts)}: gradients differ`);
      }
      // and a different alpha/beta gives a different value (the comparison can fail)
      const x = tn.randn([2, 3, 5, 4], { dtype: 'float64' });
      const t = tn.randint(0, 3, [2, 5, 4]);
      assert.ok(Math.abs(val(F.tverskyLoss(x, t, { alpha: 0.7, beta: 0.3 })) - val(F.diceLoss(x, t))) > 1e-4);
    });
  });

  test('focal with gamma 0 and no alpha is (binary) cross-entropy; diceCE pieces add up', () => {
    tn.scope(() => {
      tn.manualSeed(3);
      const x = tn.randn([2, 4, 3, 5], { dtype: 'float64' });
      const t = tn.randint(0, 4, [2, 3, 5]);
      assert.ok(F.focalLoss(x, t, { gamma: 0 }).allclose(F.crossEntropy(x, t), 1e-12, 1e-14));
      const xb = tn.randn([2, 1, 3, 5], { dtype: 'float64' });
      const tb = tn.rand([2, 1, 3, 5], { dtype: 'float64' }).gt(0.5).double();
      assert.ok(F.focalLoss(xb, tb, { mode: 'binary', gamma: 0, alpha: null }).allclose(F.binaryCrossEntropyWithLogits(xb, tb), 1e-12, 1e-14));
      const sum = F.diceLoss(x, t).mul(0.3).add(F.crossEntropy(x, t).mul(1.7));
      assert.ok(F.diceCELoss(x, t, { weightDice: 0.3, weightCE: 1.7 }).allclose(sum, 1e-12, 1e-14));
      assert.ok(F.diceCELoss(x, t, { weightCE: 0 }).allclose(F.diceLoss(x, t), 1e-12, 1e-14));
    });
  });

  test('the losses free their temporaries', () => {
    const x = tn.randn([2, 3, 8, 8]).requiresGrad_();
    const t = tn.randint(0, 3, [2, 8, 8]);
    const xb = tn.randn([2, 1, 8, 8]).requiresGrad_();
    const tb = tn.rand([2, 8, 8]).gt(0.5);
    const step = () => {
      const ls = [
        F.diceLoss(x, t, { ignoreIndex: 2 }), F.diceCELoss(x, t), F.focalLoss(x, t, { alpha: [1, 2, 3] }), F.tverskyLoss(x, t),
        F.diceCELoss(xb, tb, { mode: 'binary', posWeight: 3 }), F.focalLoss(xb, tb, { mode: 'binary' }),
      ];
      for (const l of ls) {
        l.backward();
        l.dispose();
      }
    };
    step();
    x.grad = null;
    xb.grad = null;
    const before = tn.memory().tensors;
    for (let i = 0; i < 3; i++) step();
    x.grad = null;
    xb.grad = null;
    assert.equal(tn.memory().tensors, before);
    for (const v of [x, t, xb, tb]) v.dispose();
  });
});

describe('segmentation losses: argument errors', () => {
  const throwsWith = (fn: () => unknown, re: RegExp, op: string) =>
    assert.throws(fn, (e: unknown) => e instanceof tn.TorchError && e.op === op && re.test(e.message), String(re));

  test('0/255 masks are caught with the fix in the message', () => {
    tn.scope(() => {
      const x = tn.randn([2, 1, 4, 4]);
      const mask255 = tn.rand([2, 1, 4, 4]).gt(0.5).to('uint8').mul(255);
      throwsWith(() => F.diceLoss(x, mask255, { mode: 'binary' }), /target has values up to 255; binary masks must be 0\/1 — divide by 255/, 'diceLoss');
      throwsWith(() => F.diceCELoss(x, mask255, { mode: 'binary' }), /divide by 255/, 'diceCELoss');
      throwsWith(() => F.focalLoss(x, mask255, { mode: 'binary' }), /divide by 255/, 'focalLoss');
      throwsWith(() => F.tverskyLoss(x, mask255.float(), { mode: 'binary' }), /divide by 255/, 'tverskyLoss');
      throwsWith(() => F.diceLoss(x, tn.fullLike(x, 3), { mode: 'binary' }), /values up to 3; binary masks must be 0\/1/, 'diceLoss');
      throwsWith(() => F.diceLoss(x, tn.fullLike(x, -1), { mode: 'binary' }), /negative values.*pass ignoreIndex/, 'diceLoss');
      // with ignoreIndex 255, a 0/1/255 mask is fine
      const t = tn.rand([2, 1, 4, 4]).gt(0.5).to('uint8').maskedFill(tn.rand([2, 1, 4, 4]).gt(0.8), 255);
      assert.ok(Number.isFinite(F.diceLoss(x, t, { mode: 'binary', ignoreIndex: 255 }).item()));
    });
  });

  test('multiclass class indices out of range, float or bool class maps, too few classes', () => {
    tn.scope(() => {
      const x = tn.randn([2, 3, 4, 4]);
      throwsWith(() => F.diceLoss(x, tn.full([2, 4, 4], 3, { dtype: 'int64' })), /class index 3 but the logits have 3 classes/, 'diceLoss');
      throwsWith(() => F.diceLoss(x, tn.full([2, 4, 4], 255, { dtype: 'int64' })), /pass ignoreIndex: 255/, 'diceLoss');
      throwsWith(() => F.focalLoss(x, tn.full([2, 4, 4], -1, { dtype: 'int64' })), /negative class index -1; pass ignoreIndex/, 'focalLoss');
      throwsWith(() => F.diceLoss(x, tn.zeros([2, 4, 4])), /convert class indices with \.long\(\)/, 'diceLoss');
      throwsWith(() => F.diceLoss(x, tn.zeros([2, 4, 4], { dtype: 'bool' })), /mode: 'binary'/, 'diceLoss');
      throwsWith(() => F.diceLoss(tn.randn([2, 1, 4, 4]), tn.zeros([2, 4, 4], { dtype: 'int64' })), /at least 2 classes.*mode: 'binary'/, 'diceLoss');
    });
  });

  test('shapes, dtypes and options', () => {
    tn.scope(() => {
      const x = tn.randn([2, 3, 4, 4]);
      const t = tn.zeros([2, 4, 4], { dtype: 'int64' });
      throwsWith(() => F.diceLoss(x, tn.zeros([2, 4, 5], { dtype: 'int64' })), /need a class-index target of shape \[2, 4, 4\]/, 'diceLoss');
      throwsWith(() => F.diceLoss(x.long(), t), /must be floating point/, 'diceLoss');
      throwsWith(() => F.diceLoss(x, t, { mode: 'binary' }), /binary mode needs logits \(N, 1, …\).*for 3 classes use mode: 'multiclass'/, 'diceLoss');
      throwsWith(() => F.diceLoss(x, t, { mode: 'multilabel' }), /for class-index targets use mode: 'multiclass'/, 'diceLoss');
      throwsWith(() => F.diceLoss(x, t, { mode: 'softmax' as never }), /mode must be/, 'diceLoss');
      throwsWith(() => F.diceLoss(x, t, { reduction: 'avg' as never }), /reduction must be/, 'diceLoss');
      throwsWith(() => F.diceLoss(x, t, { smooth: -1 }), /smooth must be/, 'diceLoss');
      throwsWith(() => F.diceLoss(x, t, { ignoreIndex: 0.5 }), /ignoreIndex must be an integer/, 'diceLoss');
      throwsWith(() => F.diceLoss(tn.randn([2, 1, 4, 4]), tn.zeros([2, 4, 4]), { mode: 'binary', includeBackground: false }), /single \(foreground\) channel/, 'diceLoss');
      throwsWith(() => F.diceLoss('x' as never, t), /argument 'input' must be a Tensor/, 'diceLoss');
      throwsWith(() => F.tverskyLoss(x, t, { alpha: -0.1 }), /alpha must be/, 'tverskyLoss');
      throwsWith(() => F.focalLoss(x, t, { alpha: [1, 2] }), /alpha has 2 entries but there are 3 classes/, 'focalLoss');
      throwsWith(() => F.diceCELoss(x, t, { posWeight: 2 }), /posWeight applies to 'binary' and 'multilabel'/, 'diceCELoss');
      throwsWith(() => F.diceCELoss(tn.randn([2, 1, 4, 4]), tn.zeros([2, 4, 4]), { mode: 'binary', weight: tn.ones([1]) }), /weight .* applies to 'multiclass'/, 'diceCELoss');
      throwsWith(() => F.diceCELoss(tn.randn([2, 3, 4, 4]), tn.zeros([2, 3, 4, 4]), { mode: 'multilabel', posWeight: tn.ones([2]) }), /one entry per channel \(3\)/, 'diceCELoss');
      throwsWith(() => F.diceLoss(x, tn.zeros([2, 3, 4, 4]), { ignoreIndex: 255 }), /ignoreIndex needs class-index targets/, 'diceLoss');
    });
  });
});
