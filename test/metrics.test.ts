// Metrics of src/train/metrics.ts: hand-computed cases, and comparisons with the plain-PyTorch
// references of test/fixtures/metrics.json (written by scripts/make_metric_fixtures.py), box IoU
// against torchvision's formula.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tn from 'tunet';
const train = tn.train;
import { assertTensorMatches, gradWeight, loadFixture, toTensor, type TensorSpec } from './helpers/fixtures.js';

const M = train;
type T = tn.Tensor;
type Num = number | null;
interface Scores { perClass: Num[]; macro: Num; micro: Num }
interface Fx {
  torch: string;
  segmentation: { name: string; pred: TensorSpec; target: TensorSpec; numClasses: number; ignoreIndex: number | null; includeBackground: boolean; confusionMatrix: number[][]; scores: Record<string, Scores | Num> }[];
  binary: { name: string; pred: TensorSpec; target: TensorSpec; threshold: number; fromLogits: boolean; ignoreIndex: number | null; expected: Record<string, Num> }[];
  topk: { logits: TensorSpec; target: TensorSpec; cases: { k: number; value: number }[]; logits2: TensorSpec; target2: TensorSpec; cases2: { k: number; value: number }[] };
  boxIou: { a: TensorSpec; b: TensorSpec; iou: TensorSpec; gradA?: TensorSpec }[];
}
const fx = loadFixture('metrics.json') as unknown as Fx;

const i64 = (data: number[], shape?: number[]) => tn.fromTypedArray(BigInt64Array.from(data.map(BigInt)), shape ?? [data.length]);
const nanOf = (v: Num) => (v === null ? NaN : v);

/** Equal within 1e-12 relative, NaN only matching NaN. */
function close(got: number, want: number, what: string, tol = 1e-12) {
  if (Number.isNaN(want)) return assert.ok(Number.isNaN(got), `${what}: expected NaN, got ${got}`);
  assert.ok(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `${what}: got ${got}, expected ${want}`);
}
function closeAll(got: readonly number[], want: readonly number[], what: string) {
  assert.equal(got.length, want.length, `${what}: length`);
  got.forEach((g, i) => close(g, want[i], `${what}[${i}]`));
}

describe('metrics: hand-computed', () => {
  // pred   0 0 1 1 2 2
  // target 0 1 1 1 2 0, with 4 classes (class 3 absent from both)
  const pred = i64([0, 0, 1, 1, 2, 2], [2, 3]);
  const target = i64([0, 1, 1, 1, 2, 0], [2, 3]);

  test('confusion matrix, counts and every score', () => {
    const cm = M.confusionMatrix(pred, target, 4);
    assert.deepEqual(cm, [[1, 0, 1, 0], [1, 2, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]]);
    const k = M.classCounts(cm);
    assert.deepEqual(k, { tp: [1, 2, 1, 0], fp: [1, 0, 1, 0], fn: [1, 1, 0, 0], tn: [3, 3, 4, 6], support: [2, 3, 1, 0], total: 6 });
    close(M.pixelAccuracy(cm), 4 / 6, 'pixelAccuracy');
    const iou = M.iou(cm);
    closeAll(iou.perClass, [1 / 3, 2 / 3, 1 / 2, NaN], 'iou');
    close(iou.macro, (1 / 3 + 2 / 3 + 1 / 2) / 3, 'mIoU (class 3 skipped)');
    close(iou.micro, 4 / 8, 'micro IoU');
    const d = M.dice(cm);
    closeAll(d.perClass, [2 / 4, 4 / 5, 2 / 3, NaN], 'dice');
    close(d.macro, (0.5 + 0.8 + 2 / 3) / 3, 'macro dice');
    close(d.micro, M.pixelAccuracy(cm), 'micro dice = pixel accuracy');
    closeAll(M.precision(cm).perClass, [1 / 2, 1, 1 / 2, NaN], 'precision');
    closeAll(M.recall(cm).perClass, [1 / 2, 2 / 3, 1, NaN], 'recall');
    const sp = M.specificity(cm);
    closeAll(sp.perClass, [3 / 4, 1, 4 / 5, 1], 'specificity (defined for an absent class)');
    close(sp.micro, (3 + 3 + 4 + 6) / (3 + 3 + 4 + 6 + 2), 'micro specificity');
    // without background: class 0 leaves the means, not the per-class list
    const nb = M.iou(cm, { includeBackground: false });
    closeAll(nb.perClass, iou.perClass, 'per-class unchanged');
    close(nb.macro, (2 / 3 + 1 / 2) / 2, 'mIoU without background');
    close(nb.micro, 3 / 5, 'micro IoU without background');
    const all = M.segmentationMetrics(cm);
    assert.deepEqual(all.support, [2, 3, 1, 0]);
    assert.deepEqual(all.confusionMatrix, cm);
    closeAll(all.recall.perClass, M.recall(cm).perClass, 'segmentationMetrics.recall');
  });

  test('ignoreIndex, logits by argmax, binary logit maps', () => {
    const t = i64([0, 255, 1, 1, 255, 0], [2, 3]);
    assert.deepEqual(M.confusionMatrix(pred, t, 3, { ignoreIndex: 255 }), [[1, 0, 1], [0, 2, 0], [0, 0, 0]]);
    // logits (N, C, W): argmax over dim 1
    const logits = tn.tensor([[[5, 0, 0], [0, 5, 0], [0, 0, 5]]]); // classes 0 1 2 along W
    assert.deepEqual(M.confusionMatrix(logits, i64([0, 1, 1], [1, 3]), 3), [[1, 0, 0], [0, 1, 1], [0, 0, 0]]);
    // numClasses 2 with one-channel logits: sigmoid > 0.5, i.e. logit > 0
    const bl = tn.tensor([[[-1, 0.5, 2, -3]]]);
    const bt = i64([0, 1, 0, 1], [1, 4]);
    assert.deepEqual(M.confusionMatrix(bl, bt, 2), [[1, 1], [1, 1]]);
    assert.deepEqual(M.confusionMatrix(bl, bt, 2, { threshold: 0.9 }), [[2, 0], [2, 0]]);
    assert.deepEqual(M.confusionMatrix(bl.squeeze(1), bt, 2, { fromLogits: false, threshold: 0.4 }), [[1, 1], [1, 1]]);
    // an empty selection gives a zero matrix and NaN scores
    const none = M.confusionMatrix(pred, tn.fullLike(target, 255), 3, { ignoreIndex: 255 });
    assert.deepEqual(none, [[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    assert.ok(Number.isNaN(M.pixelAccuracy(none)) && Number.isNaN(M.iou(none).macro) && Number.isNaN(M.iou(none).micro));
  });

  test('binaryMetrics: counts, empty masks, integer predictions', () => {
    const x = tn.tensor([[2, -1], [0.5, -4]]); // predicted 1 0 1 0
    const t = tn.tensor([[1, 1], [0, 0]]);
    const b = M.binaryMetrics(x, t);
    assert.deepEqual([b.tp, b.fp, b.fn, b.tn], [1, 1, 1, 1]);
    close(b.iou, 1 / 3, 'iou');
    close(b.dice, 0.5, 'dice');
    close(b.accuracy, 0.5, 'accuracy');
    const e = M.binaryMetrics(tn.full([1, 1, 3, 3], -9, { dtype: 'float32' }), tn.zeros([1, 3, 3]));
    assert.deepEqual([e.tp, e.fp, e.fn, e.tn, e.accuracy, e.specificity], [0, 0, 0, 9, 1, 1]);
    for (const k of ['iou', 'dice', 'precision', 'recall'] as const) assert.ok(Number.isNaN(e[k]), `${k} of an empty/empty image is NaN`);
    const full = M.binaryMetrics(tn.ones([4], { dtype: 'bool' }), tn.ones([4]));
    assert.equal(full.dice, 1);
    assert.ok(Number.isNaN(full.specificity), 'no negatives: specificity NaN');
    const miss = M.binaryMetrics(i64([0, 0, 1]), i64([1, 0, 0]));
    assert.deepEqual([miss.iou, miss.precision, miss.recall, miss.specificity], [0, 0, 0, 0.5]);
  });

  test('accuracy, topKAccuracy, boxIou', () => {
    const logits = tn.tensor([[0.1, 0.5, 0.4], [0.9, 0.06, 0.04], [0.2, 0.3, 0.5]]);
    const t = i64([2, 1, 2]);
    close(M.accuracy(logits, t), 1 / 3, 'accuracy');
    close(M.accuracy(i64([2, 0, 2]), t), 2 / 3, 'accuracy of class indices');
    close(M.accuracy(logits, i64([2, -100, 0]), { ignoreIndex: -100 }), 0, 'accuracy with ignore');
    close(M.topKAccuracy(logits, t, 1), 1 / 3, 'top-1');
    close(M.topKAccuracy(logits, t, 2), 1, 'top-2');
    close(M.topKAccuracy(logits, t, 3), 1, 'top-3');
    const iou = M.boxIou(tn.tensor([[0, 0, 2, 2], [0, 0, 1, 1]], { dtype: 'float64' }), tn.tensor([[1, 1, 3, 3], [0, 0, 2, 2], [5, 5, 6, 6]], { dtype: 'float64' }));
    assert.deepEqual(iou.shape, [2, 3]);
    closeAll(iou.toArray(), [1 / 7, 1, 0, 0, 1 / 4, 0], 'boxIou');
  });

  test('SegmentationMeter accumulates batches like one big confusion matrix', () => {
    tn.manualSeed(11);
    const meter = new M.SegmentationMeter(3, { ignoreIndex: 255, classNames: ['bg', 'a', 'b'] });
    const preds: T[] = [];
    const targets: T[] = [];
    for (let i = 0; i < 3; i++) {
      const logits = tn.randn([2, 3, 4, 5]);
      const tgt = tn.randint(0, 3, [2, 4, 5]).maskedFill(tn.rand([2, 4, 5]).lt(0.1), 255);
      meter.update(logits, tgt);
      preds.push(logits);
      targets.push(tgt);
    }
    const whole = M.confusionMatrix(tn.cat(preds), tn.cat(targets), 3, { ignoreIndex: 255 });
    assert.deepEqual(meter.confusionMatrix, whole);
    assert.equal(meter.batches, 3);
    const s = meter.summary();
    const ref = M.segmentationMetrics(whole);
    close(s.iou.macro, ref.iou.macro, 'mIoU');
    const logs = meter.compute();
    assert.deepEqual(Object.keys(logs), ['pixelAccuracy', 'iou', 'dice', 'precision', 'recall', 'specificity', 'microIou', 'iou_bg', 'dice_bg', 'iou_a', 'dice_a', 'iou_b', 'dice_b']);
    close(logs.iou_a, ref.iou.perClass[1], 'iou_a');
    assert.equal(meter.name, 'seg');
    meter.reset();
    assert.equal(meter.batches, 0);
    assert.deepEqual(meter.confusionMatrix, [[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    const noBg = new M.SegmentationMeter(3, { includeBackground: false, perClass: false, name: 'val' });
    noBg.update(tn.cat(preds), tn.cat(targets).clamp(0, 2));
    assert.deepEqual(Object.keys(noBg.compute()), ['pixelAccuracy', 'iou', 'dice', 'precision', 'recall', 'specificity', 'microIou']);
    // binary meter on one-channel logits
    const bm = new M.SegmentationMeter(2);
    bm.update(tn.tensor([[[[-1, 2]]]]), i64([0, 0], [1, 1, 2]));
    assert.deepEqual(bm.confusionMatrix, [[1, 1], [0, 0]]);
  });

  test('metric calls keep tn.memory() flat', () => {
    const x = tn.randn([2, 3, 8, 8]);
    const t = tn.randint(0, 3, [2, 8, 8]);
    const xb = tn.randn([2, 1, 8, 8]);
    const tb = tn.rand([2, 8, 8]).gt(0.5);
    const meter = new M.SegmentationMeter(3);
    const before = tn.memory().tensors;
    for (let i = 0; i < 3; i++) {
      M.confusionMatrix(x, t, 3);
      meter.update(x, t);
      M.binaryMetrics(xb, tb);
      M.accuracy(x, t);
      M.topKAccuracy(x, t, 2);
      M.boxIou(tn.tensor([[0, 0, 1, 1]]), tn.tensor([[0, 0, 2, 2]])).dispose();
    }
    // the two box tensors made per iteration outside the call are the only extra ones
    assert.equal(tn.memory().tensors, before + 6);
  });
});

describe(`metrics vs PyTorch ${fx.torch} references`, () => {
  for (const c of fx.segmentation) {
    test(`segmentation: ${c.name}`, () => {
      const pred = toTensor(c.pred);
      const target = toTensor(c.target);
      const cm = M.confusionMatrix(pred, target, c.numClasses, { ignoreIndex: c.ignoreIndex ?? undefined });
      assert.deepEqual(cm, c.confusionMatrix);
      const s = M.segmentationMetrics(cm, { includeBackground: c.includeBackground });
      close(s.pixelAccuracy, nanOf(c.scores.pixelAccuracy as Num), 'pixelAccuracy');
      for (const k of ['iou', 'dice', 'precision', 'recall', 'specificity'] as const) {
        const want = c.scores[k] as Scores;
        closeAll(s[k].perClass, want.perClass.map(nanOf), `${k} per class`);
        close(s[k].macro, nanOf(want.macro), `${k} macro`);
        close(s[k].micro, nanOf(want.micro), `${k} micro`);
      }
      pred.dispose();
      target.dispose();
    });
  }

  for (const c of fx.binary) {
    test(`binary: ${c.name}`, () => {
      const got = M.binaryMetrics(toTensor(c.pred), toTensor(c.target), { threshold: c.threshold, fromLogits: c.fromLogits, ignoreIndex: c.ignoreIndex ?? undefined });
      for (const [k, v] of Object.entries(c.expected)) close(got[k as keyof typeof got], nanOf(v), k);
    });
  }

  test('topKAccuracy', () => {
    const logits = toTensor(fx.topk.logits);
    const target = toTensor(fx.topk.target);
    for (const { k, value } of fx.topk.cases) close(M.topKAccuracy(logits, target, k), value, `top-${k}`);
    close(M.accuracy(logits, target), fx.topk.cases[0].value, 'accuracy = top-1');
    const l2 = toTensor(fx.topk.logits2);
    const t2 = toTensor(fx.topk.target2);
    for (const { k, value } of fx.topk.cases2) close(M.topKAccuracy(l2, t2, k), value, `per-pixel top-${k}`);
  });

  fx.boxIou.forEach((c, i) => {
    test(`boxIou ${i} (${c.a.dtype}) vs torchvision's formula, with gradient`, () => {
      const a = toTensor(c.a);
      const b = toTensor(c.b);
      if (c.gradA) a.requiresGrad_();
      const out = M.boxIou(a, b);
      assertTensorMatches(out, c.iou, 'boxIou');
      if (c.gradA) {
        out.mul(gradWeight(out.shape, out.dtype, 0)).sum().backward();
        assertTensorMatches(a.grad!, c.gradA, 'boxIou gradient');
      }
    });
  });
});

describe('metrics: argument errors', () => {
  const throwsWith = (fn: () => unknown, re: RegExp, op: string) =>
    assert.throws(fn, (e: unknown) => e instanceof tn.TorchError && e.op === op && re.test(e.message), String(re));

  test('clear messages', () => {
    const t = i64([0, 1, 2, 1], [1, 4]);
    throwsWith(() => M.confusionMatrix(t, i64([0, 1, 3, 1], [1, 4]), 3), /target has class 3 but numClasses is 3/, 'confusionMatrix');
    throwsWith(() => M.confusionMatrix(t, i64([0, 255, 1, 1], [1, 4]), 3), /pass ignoreIndex: 255/, 'confusionMatrix');
    throwsWith(() => M.confusionMatrix(t, i64([0, -1, 1, 1], [1, 4]), 3), /negative class -1/, 'confusionMatrix');
    throwsWith(() => M.confusionMatrix(i64([0, 5, 1, 1], [1, 4]), t, 3), /prediction has class 5/, 'confusionMatrix');
    throwsWith(() => M.confusionMatrix(t, t.float(), 3), /convert with \.long\(\)/, 'confusionMatrix');
    throwsWith(() => M.confusionMatrix(tn.randn([1, 4, 4]), t, 3), /has 4 channels but numClasses is 3/, 'confusionMatrix');
    throwsWith(() => M.confusionMatrix(t, t, 0), /numClasses must be a positive integer/, 'confusionMatrix');
    throwsWith(() => M.confusionMatrix(tn.randn([1, 4]), t, 3), /needs numClasses = 2/, 'confusionMatrix');
    throwsWith(() => M.binaryMetrics(tn.randn([1, 1, 4]), i64([0, 255, 255, 0], [1, 4])), /for 0\/255 masks divide the target by 255/, 'binaryMetrics');
    throwsWith(() => M.binaryMetrics(tn.randn([1, 4]), tn.tensor([[0, 0.5, 1, 0]])), /0\/1 values/, 'binaryMetrics');
    throwsWith(() => M.binaryMetrics(i64([0, 2]), i64([0, 1])), /prediction has class 2/, 'binaryMetrics');
    throwsWith(() => M.binaryMetrics(tn.randn([2, 3]), i64([0, 1])), /must have the same shape/, 'binaryMetrics');
    throwsWith(() => M.binaryMetrics(tn.randn([2]), i64([0, 1]), { threshold: 2 }), /threshold must be a number in \[0, 1\]/, 'binaryMetrics');
    throwsWith(() => M.topKAccuracy(tn.randn([2, 3]), i64([0, 1]), 4), /k must be an integer in \[1, 3\]/, 'topKAccuracy');
    throwsWith(() => M.accuracy(tn.randn([2, 3]), i64([0, 1, 2])), /need a target \(N, …\) of shape \[2\]/, 'accuracy');
    throwsWith(() => M.boxIou(tn.randn([2, 3]), tn.randn([1, 4])), /boxesA must be \[N, 4\]/, 'boxIou');
    throwsWith(() => M.iou([[1, 2], [3]]), /row 1 must have 2 entries/, 'iou');
    throwsWith(() => M.pixelAccuracy([[1, -2], [3, 4]]), /non-negative count/, 'pixelAccuracy');
    throwsWith(() => new M.SegmentationMeter(3, { classNames: ['a'] }), /classNames must have 3 entries/, 'SegmentationMeter');
  });
});
