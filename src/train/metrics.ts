/**
 * Evaluation metrics computed from predictions and targets (tensors), returned
 * as plain numbers and objects: confusion matrices and the segmentation scores
 * derived from them (pixel accuracy, IoU, Dice/F1, precision, recall,
 * specificity, per class with macro and micro means), binary-mask metrics,
 * classification (top-k) accuracy, box IoU, and a streaming SegmentationMeter.
 *
 * Nothing here records gradients; the counting runs as tensor ops (bincount),
 * never as JavaScript loops over pixels.
 *
 * Convention for undefined ratios (the "absent class" rule). Per class c, with
 * tp, fp, fn, tn counted one-vs-rest:
 * - a class absent from both the prediction and the target is not scored: its
 *   IoU, Dice, precision and recall are NaN (as MONAI's ignore_empty and
 *   torchmetrics' absent classes), and macro means skip NaN entries (nanmean;
 *   NaN when every entry is NaN);
 * - a class present on one side only scores 0 where the ratio is 0/0:
 *   precision of a class never predicted, recall of a class never in the target
 *   (sklearn's zero_division = 0);
 * - specificity tn / (tn + fp) measures the other pixels, so it is defined for
 *   an absent class (1) and NaN only when every pixel belongs to c (no negatives).
 * Micro means pool tp, fp, fn, tn over the classes before dividing (for
 * single-label maps micro precision = micro recall = micro Dice = pixel accuracy).
 */
import { Tensor, TorchError, noGrad, scope } from '../torch/index.js';
import { op } from '../torch/dispatch.js';
import { check } from '../torch/errors.js';

const bincount = op('aten::bincount');

const INT_DTYPES = new Set(['uint8', 'int8', 'int16', 'int32', 'int64', 'bool']);
const shapeStr = (t: Tensor) => `[${t.shape.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

function asTensor(x: unknown, name: string, arg: string): Tensor {
  if (x instanceof Tensor) return x;
  throw new TorchError(`argument '${arg}' must be a Tensor, got ${x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x}`, name);
}

function ignoreOf(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  check(typeof v === 'number' && Number.isInteger(v), name, () => `ignoreIndex must be an integer, got ${String(v)}`);
  return v;
}

function classCount(n: unknown, name: string): number {
  check(typeof n === 'number' && Number.isInteger(n) && n >= 1, name, () => `numClasses must be a positive integer, got ${String(n)}`);
  return n;
}

/** min and max of a tensor (inside noGrad + scope), or null when empty. */
function range(t: Tensor): { min: number; max: number } | null {
  if (t.numel() === 0) return null;
  const v = t.dtype === 'bool' ? t.to('uint8') : t;
  return { min: v.min().item(), max: v.max().item() };
}

export interface ClassMapOptions {
  /** Target value whose pixels are left out. */
  ignoreIndex?: number;
  /** For one-channel probabilities/logits with numClasses = 2: foreground where the probability > threshold; default 0.5. */
  threshold?: number;
  /** Whether one-channel floating predictions are logits (default) or probabilities. */
  fromLogits?: boolean;
}

/**
 * Turns a prediction into an int64 class map of the target's shape: logits or
 * probabilities (N, C, …) by argmax over dim 1; for numClasses = 2 a
 * one-channel floating map (N, 1, …) or of the target's shape by thresholding
 * the (sigmoid) probability; integer class maps pass through.
 */
function classMap(name: string, pred: Tensor, target: Tensor, C: number, o: ClassMapOptions): Tensor {
  const ps = pred.shape;
  const ts = target.shape;
  if (pred.isFloatingPoint()) {
    if (pred.ndim === target.ndim + 1 && sameShape(ts, [ps[0], ...ps.slice(2)])) {
      if (ps[1] === 1 && C === 2) return threshold(pred.squeeze(1), o);
      check(ps[1] === C, name, () => `prediction ${shapeStr(pred)} has ${ps[1]} channels but numClasses is ${C}`);
      return pred.argmax(1);
    }
    if (sameShape(ps, ts)) {
      check(C === 2, name, () => `a floating prediction of the target's shape ${shapeStr(pred)} is a binary probability/logit map, which needs numClasses = 2 (got ${C}); pass class indices (int64) or logits (N, C, …)`);
      return threshold(pred, o);
    }
    throw new TorchError(`prediction ${shapeStr(pred)} does not fit target ${shapeStr(target)}: expected logits (N, ${C}, …) for a target (N, …), or a class map of the target's shape`, name);
  }
  check(INT_DTYPES.has(pred.dtype), name, () => `prediction must be class indices (an integer dtype) or floating logits, got ${pred.dtype}`);
  check(sameShape(ps, ts), name, () => `class-map prediction ${shapeStr(pred)} and target ${shapeStr(target)} must have the same shape`);
  return pred.to('int64');
}

function threshold(pred: Tensor, o: ClassMapOptions): Tensor {
  const thr = o.threshold ?? 0.5;
  // sigmoid(x) > thr  <=>  x > logit(thr): exact at the default (x > 0), with no float32 rounding of sigmoid near 0.5.
  if (o.fromLogits ?? true) return pred.gt(Math.log(thr / (1 - thr))).to('int64');
  return pred.gt(thr).to('int64');
}

/** Flattened int64 (pred, target) pairs over the non-ignored pixels, with range checks. */
function validPairs(name: string, predIn: unknown, targetIn: unknown, C: number, o: ClassMapOptions): { p: Tensor; t: Tensor } {
  const pred = asTensor(predIn, name, 'pred');
  const target = asTensor(targetIn, name, 'target');
  const ignoreIndex = ignoreOf(o.ignoreIndex, name);
  const thr = o.threshold ?? 0.5;
  check(typeof thr === 'number' && thr >= 0 && thr <= 1, name, () => `threshold must be a number in [0, 1], got ${String(thr)}`);
  check(!target.isFloatingPoint(), name, () => `target must hold class indices (an integer dtype or bool), got ${target.dtype}; convert with .long()`);
  check(INT_DTYPES.has(target.dtype), name, () => `target must hold class indices (an integer dtype or bool), got ${target.dtype}`);
  let t = target.reshape([-1]).to('int64');
  let p = classMap(name, pred, target, C, o).reshape([-1]);
  if (ignoreIndex !== undefined) {
    const valid = t.ne(ignoreIndex);
    t = t.maskedSelect(valid);
    p = p.maskedSelect(valid);
  }
  const tr = range(t);
  if (tr !== null) {
    if (tr.max >= C) {
      const hint = tr.max === 255 ? (ignoreIndex === undefined ? '; if 255 marks unlabeled pixels, pass ignoreIndex: 255' : '') : '';
      const bin = C === 2 && tr.max === 255 ? '; for 0/255 masks divide the target by 255' : '';
      throw new TorchError(`target has class ${tr.max} but numClasses is ${C} (classes 0…${C - 1})${bin}${hint}`, name);
    }
    check(tr.min >= 0, name, () => `target has the negative class ${tr.min}` + (ignoreIndex === undefined ? '; pass ignoreIndex to leave those pixels out' : ''));
  }
  const pr = range(p);
  if (pr !== null) check(pr.min >= 0 && pr.max < C, name, () => `prediction has class ${pr.min < 0 ? pr.min : pr.max} outside 0…${C - 1}`);
  return { p, t };
}

/**
 * The C×C confusion matrix of a prediction against a target: rows are the
 * true class, columns the predicted one. `pred` is an integer class map of the
 * target's shape, or logits/probabilities (N, C, …) (argmax over dim 1), or —
 * for numClasses = 2 — a one-channel logit/probability map (thresholded).
 * Pixels whose target is ignoreIndex are left out.
 */
export function confusionMatrix(pred: Tensor, target: Tensor, numClasses: number, o: ClassMapOptions = {}): number[][] {
  const name = 'confusionMatrix';
  const C = classCount(numClasses, name);
  const flat = scope(() => noGrad(() => {
    const { p, t } = validPairs(name, pred, target, C, o);
    return new Tensor(bincount(t.mul(C).add(p).h, null, C * C)).toArray();
  }));
  const out: number[][] = [];
  for (let i = 0; i < C; i++) out.push(flat.slice(i * C, (i + 1) * C));
  return out;
}

function checkMatrix(cm: unknown, name: string): number[][] {
  check(Array.isArray(cm) && cm.length > 0, name, 'expects a non-empty confusion matrix (number[][], rows = true class)');
  const C = cm.length;
  cm.forEach((row, i) => {
    check(Array.isArray(row) && row.length === C, name, () => `confusion matrix row ${i} must have ${C} entries`);
    row.forEach((v: unknown, j: number) => check(typeof v === 'number' && v >= 0 && Number.isFinite(v), name, () => `confusion matrix entry [${i}][${j}] must be a non-negative count, got ${String(v)}`));
  });
  return cm as number[][];
}

/** One-vs-rest counts per class from a confusion matrix (rows = true class). */
export interface ClassCounts {
  tp: number[];
  fp: number[];
  fn: number[];
  tn: number[];
  /** Pixels of each class in the target (row sums). */
  support: number[];
  total: number;
}

export function classCounts(cm: number[][]): ClassCounts {
  const m = checkMatrix(cm, 'classCounts');
  const C = m.length;
  const support = m.map((row) => row.reduce((a, b) => a + b, 0));
  const predicted = Array.from({ length: C }, (_, j) => m.reduce((a, row) => a + row[j], 0));
  const total = support.reduce((a, b) => a + b, 0);
  const tp = m.map((row, i) => row[i]);
  const fp = predicted.map((v, i) => v - tp[i]);
  const fn = support.map((v, i) => v - tp[i]);
  const tn = tp.map((v, i) => total - v - fp[i] - fn[i]);
  return { tp, fp, fn, tn, support, total };
}

/** A metric per class with its macro (nan-mean over scored classes) and micro (pooled counts) means. */
export interface ClassScores {
  perClass: number[];
  macro: number;
  micro: number;
}

export interface MeanOptions {
  /** Whether class 0 counts in the macro and micro means; default true (its per-class value is always reported). */
  includeBackground?: boolean;
}

type Metric = 'iou' | 'dice' | 'precision' | 'recall' | 'specificity';

function parts(m: Metric, tp: number, fp: number, fn: number, tn: number): [number, number] {
  switch (m) {
    case 'iou': return [tp, tp + fp + fn];
    case 'dice': return [2 * tp, 2 * tp + fp + fn];
    case 'precision': return [tp, tp + fp];
    case 'recall': return [tp, tp + fn];
    case 'specificity': return [tn, tn + fp];
  }
}

function score(m: Metric, k: ClassCounts, c: number): number {
  const [num, den] = parts(m, k.tp[c], k.fp[c], k.fn[c], k.tn[c]);
  if (den > 0) return num / den;
  const absent = k.tp[c] + k.fp[c] + k.fn[c] === 0;
  if (m === 'specificity' || absent) return NaN;
  return 0;
}

export function nanMean(xs: readonly number[]): number {
  let s = 0;
  let n = 0;
  for (const x of xs) {
    if (!Number.isNaN(x)) {
      s += x;
      n++;
    }
  }
  return n === 0 ? NaN : s / n;
}

function classScores(m: Metric, cm: number[][], o: MeanOptions, name: string): ClassScores {
  const k = classCounts(checkMatrix(cm, name));
  const C = k.tp.length;
  const perClass = Array.from({ length: C }, (_, c) => score(m, k, c));
  const from = o.includeBackground === false ? 1 : 0;
  const sum = (a: number[]) => a.slice(from).reduce((x, y) => x + y, 0);
  const [num, den] = parts(m, sum(k.tp), sum(k.fp), sum(k.fn), sum(k.tn));
  return { perClass, macro: nanMean(perClass.slice(from)), micro: den > 0 ? num / den : NaN };
}

/** Correct pixels / all (non-ignored) pixels; NaN for an empty matrix. */
export function pixelAccuracy(cm: number[][]): number {
  const k = classCounts(checkMatrix(cm, 'pixelAccuracy'));
  return k.total === 0 ? NaN : k.tp.reduce((a, b) => a + b, 0) / k.total;
}

/** Jaccard index tp / (tp + fp + fn) per class. */
export function iou(cm: number[][], o: MeanOptions = {}): ClassScores {
  return classScores('iou', cm, o, 'iou');
}

/** Dice / F1 2tp / (2tp + fp + fn) per class. */
export function dice(cm: number[][], o: MeanOptions = {}): ClassScores {
  return classScores('dice', cm, o, 'dice');
}

/** tp / (tp + fp) per class. */
export function precision(cm: number[][], o: MeanOptions = {}): ClassScores {
  return classScores('precision', cm, o, 'precision');
}

/** Sensitivity tp / (tp + fn) per class (the macro mean is the "mean accuracy" of segmentation papers). */
export function recall(cm: number[][], o: MeanOptions = {}): ClassScores {
  return classScores('recall', cm, o, 'recall');
}

/** tn / (tn + fp) per class. */
export function specificity(cm: number[][], o: MeanOptions = {}): ClassScores {
  return classScores('specificity', cm, o, 'specificity');
}

export interface SegmentationMetrics {
  pixelAccuracy: number;
  iou: ClassScores;
  dice: ClassScores;
  precision: ClassScores;
  recall: ClassScores;
  specificity: ClassScores;
  /** Target pixels per class. */
  support: number[];
  confusionMatrix: number[][];
}

/** Every score of a confusion matrix. */
export function segmentationMetrics(cm: number[][], o: MeanOptions = {}): SegmentationMetrics {
  const m = checkMatrix(cm, 'segmentationMetrics');
  return {
    pixelAccuracy: pixelAccuracy(m),
    iou: iou(m, o),
    dice: dice(m, o),
    precision: precision(m, o),
    recall: recall(m, o),
    specificity: specificity(m, o),
    support: classCounts(m).support,
    confusionMatrix: m.map((r) => r.slice()),
  };
}

export interface BinaryMetrics {
  accuracy: number;
  iou: number;
  dice: number;
  precision: number;
  recall: number;
  specificity: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/**
 * Metrics of a binary mask prediction: the foreground is sigmoid(x) > threshold
 * (x logits, default) or x > threshold (fromLogits: false); integer or bool
 * predictions are taken as 0/1 masks. Prediction (N, 1, …) with target (N, …),
 * or both of one shape. The target holds 0/1 (any dtype); ignoreIndex pixels
 * are left out. Undefined ratios follow the module's convention (an image with
 * no foreground in prediction or target has NaN IoU, Dice, precision, recall).
 */
export function binaryMetrics(pred: Tensor, target: Tensor, o: ClassMapOptions = {}): BinaryMetrics {
  const name = 'binaryMetrics';
  const x = asTensor(pred, name, 'pred');
  const t0 = asTensor(target, name, 'target');
  const thr = o.threshold ?? 0.5;
  const counts = scope(() => noGrad(() => {
    let t = t0;
    if (t.isFloatingPoint()) {
      check(t.eq(t.round()).all().item(), name, 'target must hold 0/1 values (it has fractional values)');
      t = t.to('int64');
    }
    let p = x;
    if (x.ndim === t.ndim + 1 && x.shape[1] === 1) p = x.squeeze(1);
    check(sameShape(p.shape, t.shape), name, () => `prediction ${shapeStr(x)} and target ${shapeStr(t0)} must have the same shape (or (N, 1, …) with (N, …))`);
    // validPairs thresholds floating predictions, and range-checks both sides (0/255 masks get their hint there).
    const { p: pv, t: tv } = validPairs(name, p, t, 2, { ...o, threshold: thr });
    return new Tensor(bincount(tv.mul(2).add(pv).h, null, 4)).toArray();
  }));
  const [tn, fp, fn, tp] = counts;
  const k: ClassCounts = { tp: [tp], fp: [fp], fn: [fn], tn: [tn], support: [tp + fn], total: tp + fp + fn + tn };
  return {
    accuracy: k.total === 0 ? NaN : (tp + tn) / k.total,
    iou: score('iou', k, 0),
    dice: score('dice', k, 0),
    precision: score('precision', k, 0),
    recall: score('recall', k, 0),
    specificity: score('specificity', k, 0),
    tp,
    fp,
    fn,
    tn,
  };
}

/**
 * Fraction of correct predictions: logits/probabilities (N, C, …) against class
 * indices (N, …) by argmax over dim 1, or a class map of the target's shape.
 * NaN when there is nothing to score.
 */
export function accuracy(pred: Tensor, target: Tensor, o: { ignoreIndex?: number } = {}): number {
  const name = 'accuracy';
  return scope(() => noGrad(() => {
    const x = asTensor(pred, name, 'pred');
    const t = asTensor(target, name, 'target');
    check(!t.isFloatingPoint(), name, () => `target must hold class indices (an integer dtype), got ${t.dtype}; convert with .long()`);
    let p: Tensor;
    if (x.isFloatingPoint()) {
      check(x.ndim === t.ndim + 1 && sameShape(t.shape, [x.shape[0], ...x.shape.slice(2)]), name, () => `logits ${shapeStr(x)} need a target (N, …) of shape [${[x.shape[0], ...x.shape.slice(2)].join(', ')}], got ${shapeStr(t)}`);
      p = x.argmax(1);
    } else {
      check(sameShape(x.shape, t.shape), name, () => `class-map prediction ${shapeStr(x)} and target ${shapeStr(t)} must have the same shape`);
      p = x.to('int64');
    }
    let correct = p.eq(t.to('int64'));
    const ignoreIndex = ignoreOf(o.ignoreIndex, name);
    if (ignoreIndex !== undefined) correct = correct.maskedSelect(t.ne(ignoreIndex));
    const n = correct.numel();
    return n === 0 ? NaN : correct.sum().item() / n;
  }));
}

/**
 * Fraction of samples whose target is among the k highest logits:
 * logits (N, C, …) against class indices (N, …). NaN when there is nothing to score.
 */
export function topKAccuracy(logits: Tensor, target: Tensor, k: number, o: { ignoreIndex?: number } = {}): number {
  const name = 'topKAccuracy';
  return scope(() => noGrad(() => {
    const x = asTensor(logits, name, 'logits');
    const t = asTensor(target, name, 'target');
    check(x.isFloatingPoint() && x.ndim >= 2, name, () => `logits must be floating (N, C, …), got ${x.dtype} ${shapeStr(x)}`);
    check(!t.isFloatingPoint() && INT_DTYPES.has(t.dtype), name, () => `target must hold class indices (an integer dtype), got ${t.dtype}; convert with .long()`);
    const C = x.shape[1];
    check(Number.isInteger(k) && k >= 1 && k <= C, name, () => `k must be an integer in [1, ${C}] (the number of classes), got ${k}`);
    check(sameShape(t.shape, [x.shape[0], ...x.shape.slice(2)]), name, () => `logits ${shapeStr(x)} need a target of shape [${[x.shape[0], ...x.shape.slice(2)].join(', ')}], got ${shapeStr(t)}`);
    const ti = t.to('int64');
    let hit = x.topk(k, 1).indices.eq(ti.unsqueeze(1)).any(1);
    const ignoreIndex = ignoreOf(o.ignoreIndex, name);
    if (ignoreIndex !== undefined) hit = hit.maskedSelect(ti.ne(ignoreIndex));
    const n = hit.numel();
    return n === 0 ? NaN : hit.sum().item() / n;
  }));
}

/**
 * Pairwise IoU of boxes in (x1, y1, x2, y2) form, as torchvision.ops.box_iou:
 * boxesA [N, 4], boxesB [M, 4] → [N, M]. Integer boxes are computed in
 * float32; 0/0 (two empty boxes) is NaN as in torchvision. Differentiable.
 */
export function boxIou(boxesA: Tensor, boxesB: Tensor): Tensor {
  const name = 'boxIou';
  const a0 = asTensor(boxesA, name, 'boxesA');
  const b0 = asTensor(boxesB, name, 'boxesB');
  check(a0.ndim === 2 && a0.shape[1] === 4, name, () => `boxesA must be [N, 4] (x1, y1, x2, y2), got ${shapeStr(a0)}`);
  check(b0.ndim === 2 && b0.shape[1] === 4, name, () => `boxesB must be [M, 4] (x1, y1, x2, y2), got ${shapeStr(b0)}`);
  return scope(() => {
    const up = (t: Tensor) => (t.isFloatingPoint() ? t : t.to('float32'));
    const a = up(a0);
    const b = up(b0);
    check(a.dtype === b.dtype, name, () => `boxesA and boxesB must have the same dtype, got ${a.dtype} and ${b.dtype}`);
    const area = (t: Tensor) => t.select(1, 2).sub(t.select(1, 0)).mul(t.select(1, 3).sub(t.select(1, 1)));
    const lt = a.slice(1, 0, 2).unsqueeze(1).maximum(b.slice(1, 0, 2).unsqueeze(0));
    const rb = a.slice(1, 2, 4).unsqueeze(1).minimum(b.slice(1, 2, 4).unsqueeze(0));
    const wh = rb.sub(lt).clampMin(0);
    const inter = wh.select(2, 0).mul(wh.select(2, 1));
    const union = area(a).unsqueeze(1).add(area(b).unsqueeze(0)).sub(inter);
    return inter.div(union);
  });
}

export interface SegmentationMeterOptions extends ClassMapOptions, MeanOptions {
  /** Name used by the Trainer to prefix the logs; default 'seg'. */
  name?: string;
  /** Names of the classes in the per-class keys of compute(); default their indices. */
  classNames?: readonly string[];
  /** Whether compute() reports per-class IoU and Dice as well as the means; default true. */
  perClass?: boolean;
}

/**
 * Streaming segmentation metrics: update(pred, target) per batch adds to a
 * confusion matrix (no predictions are kept), summary() / compute() give the
 * epoch's scores. Fits the Trainer's Metric interface (name, reset, update,
 * compute). pred is anything confusionMatrix takes: logits (N, C, …), an
 * integer class map, or for numClasses = 2 a one-channel logit map.
 */
export class SegmentationMeter {
  readonly name: string;
  readonly numClasses: number;
  private readonly opts: SegmentationMeterOptions;
  private cm: number[][];
  /** Batches seen since the last reset. */
  batches = 0;

  constructor(numClasses: number, o: SegmentationMeterOptions = {}) {
    this.numClasses = classCount(numClasses, 'SegmentationMeter');
    ignoreOf(o.ignoreIndex, 'SegmentationMeter');
    if (o.classNames !== undefined) {
      check(Array.isArray(o.classNames) && o.classNames.length === numClasses, 'SegmentationMeter', () => `classNames must have ${numClasses} entries`);
    }
    this.name = o.name ?? 'seg';
    this.opts = { ...o };
    this.cm = this.zeros();
  }

  private zeros(): number[][] {
    return Array.from({ length: this.numClasses }, () => new Array<number>(this.numClasses).fill(0));
  }

  reset(): void {
    this.cm = this.zeros();
    this.batches = 0;
  }

  update(pred: Tensor, target: Tensor): this {
    const m = confusionMatrix(pred, target, this.numClasses, this.opts);
    for (let i = 0; i < this.numClasses; i++) for (let j = 0; j < this.numClasses; j++) this.cm[i][j] += m[i][j];
    this.batches++;
    return this;
  }

  /** A copy of the accumulated confusion matrix (rows = true class). */
  get confusionMatrix(): number[][] {
    return this.cm.map((r) => r.slice());
  }

  /** Every score of the accumulated confusion matrix. */
  summary(): SegmentationMetrics {
    return segmentationMetrics(this.cm, this.opts);
  }

  /**
   * Flat numbers for logs: pixelAccuracy, the macro means (iou = mIoU, dice,
   * precision, recall, specificity), microIou, and per class iou_<name> and
   * dice_<name> (unless perClass is false).
   */
  compute(): Record<string, number> {
    const s = this.summary();
    const out: Record<string, number> = {
      pixelAccuracy: s.pixelAccuracy,
      iou: s.iou.macro,
      dice: s.dice.macro,
      precision: s.precision.macro,
      recall: s.recall.macro,
      specificity: s.specificity.macro,
      microIou: s.iou.micro,
    };
    if (this.opts.perClass ?? true) {
      const names = this.opts.classNames ?? s.iou.perClass.map((_, i) => String(i));
      names.forEach((n, i) => {
        out[`iou_${n}`] = s.iou.perClass[i];
        out[`dice_${n}`] = s.dice.perClass[i];
      });
    }
    return out;
  }
}
