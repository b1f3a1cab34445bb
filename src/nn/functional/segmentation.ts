/**
 * Segmentation losses on logits: soft Dice, Dice + cross-entropy, focal and
 * Tversky, for three kinds of task:
 *
 * - `binary`: one foreground channel, sigmoid. Logits (N, 1, …) with a target
 *   (N, …) or (N, 1, …), or logits and target of the same shape (every element
 *   of a sample then belongs to one foreground mask). Targets are 0/1 (or soft
 *   labels in [0, 1]) in any numeric dtype or bool.
 * - `multiclass`: C ≥ 2 mutually exclusive classes, softmax over dim 1. Logits
 *   (N, C, …) with integer class indices (N, …) or (N, 1, …) (one-hot encoded
 *   inside), or a floating one-hot / soft target (N, C, …).
 * - `multilabel`: C independent channels, sigmoid per channel. Logits and 0/1
 *   target both (N, C, …).
 *
 * Soft Dice follows nnU-Net's SoftDiceLoss (nnunetv2/training/loss/dice.py):
 * per sample and class, tp = Σ p·g, fp = Σ p·(1 − g), fn = Σ (1 − p)·g over the
 * spatial dims (and over the batch too with batchDice), dc = (2tp + s) /
 * max(2tp + fp + fn + s, 1e-8), then the mean over classes (and samples).
 * Ignored pixels (ignoreIndex) are masked out of every sum, like nnU-Net's
 * loss_mask. Differences from nnU-Net, all deliberate:
 * - the loss is 1 − dc (nnU-Net returns −dc): same gradient, but a perfect
 *   prediction gives 0, like every other loss here, and diceCELoss is
 *   nnU-Net's DC_and_CE_loss + weightDice;
 * - includeBackground defaults to true (do_bg = True is SoftDiceLoss's own
 *   default; nnU-Net's trainers pass do_bg = False);
 * - reduction 'none' / 'sum' expose the per-(sample, class) values that nnU-Net
 *   always averages;
 * - binary mode is nnU-Net's region (sigmoid) path restricted to one channel.
 * As in nnU-Net, a class absent from a sample's target still counts in the
 * non-batch Dice (its dc is s / (Σp + s), so the loss only vanishes when the
 * prediction is empty too); batchDice pools the batch and avoids that.
 */
import { Tensor, TorchError, noGrad, scope, tensor } from '../../torch/index.js';
import { check } from '../../torch/errors.js';
import { binaryCrossEntropyWithLogits, crossEntropy, type Reduction } from './loss.js';
import { logSoftmax, oneHot, softmax } from './norm.js';
import { asTensor, num, optTensor, shapeStr } from './util.js';

export type SegmentationMode = 'binary' | 'multiclass' | 'multilabel';

export interface DiceLossOptions {
  /** 'multiclass' (softmax, default), 'binary' or 'multilabel' (sigmoid). */
  mode?: SegmentationMode;
  /** Added to numerator and denominator (nnU-Net's smooth); default 1e-5. */
  smooth?: number;
  /** Whether channel 0 (the background) counts (multiclass / multilabel); default true. */
  includeBackground?: boolean;
  /** Sum tp/fp/fn over the batch too (one Dice per class, nnU-Net's batch_dice); default false. */
  batchDice?: boolean;
  /** Whether the input is logits (default) or already probabilities. */
  fromLogits?: boolean;
  /** Target value whose pixels are left out of the loss. */
  ignoreIndex?: number;
  /** 'mean' (default), 'sum', or 'none': the loss per (sample, class), or per class with batchDice. */
  reduction?: Reduction;
}

export interface TverskyLossOptions extends DiceLossOptions {
  /** Weight of the false positives; default 0.5. */
  alpha?: number;
  /** Weight of the false negatives; default 0.5. */
  beta?: number;
}

export interface DiceCELossOptions extends Omit<DiceLossOptions, 'fromLogits' | 'reduction'> {
  /** Weight of the Dice term; default 1. */
  weightDice?: number;
  /** Weight of the cross-entropy (multiclass) or BCE-with-logits (binary / multilabel) term; default 1. */
  weightCE?: number;
  /** Cross-entropy class weights, one per class (multiclass). */
  weight?: Tensor | null;
  /** Cross-entropy label smoothing in [0, 1] (multiclass). */
  labelSmoothing?: number;
  /** BCE weight of the positives: a number, or one per channel (binary / multilabel). */
  posWeight?: Tensor | number | null;
}

export interface FocalLossOptions {
  mode?: SegmentationMode;
  /**
   * Binary / multilabel: the weight of the positives (negatives get 1 − alpha),
   * default 0.25 as torchvision; a negative number or null turns it off; an
   * array gives one alpha per channel (multilabel). Multiclass: null (default)
   * for no weighting, a number for a constant factor, or one weight per class.
   */
  alpha?: number | readonly number[] | null;
  /** Focusing exponent; default 2. gamma = 0 (and no alpha) gives plain (B)CE. */
  gamma?: number;
  ignoreIndex?: number;
  /** 'mean' (default, over non-ignored elements), 'sum' or 'none' (elementwise). */
  reduction?: Reduction;
}

const MODES: readonly SegmentationMode[] = ['binary', 'multiclass', 'multilabel'];
const INT_DTYPES = new Set(['uint8', 'int8', 'int16', 'int32', 'int64']);

/** Inputs in the one layout every loss works on. */
interface Prepared {
  mode: SegmentationMode;
  /** Logits (or probabilities) as (N, C, L). */
  x: Tensor;
  /** Target one-hot / 0-1 values as (N, C, L) in x's dtype, 0 where ignored. */
  g: Tensor;
  /** Multiclass with index targets: the int64 class indices (N, L), ignored pixels kept as ignoreIndex. */
  index: Tensor | null;
  /** Multiclass with index targets: the indices with ignored pixels set to 0. */
  safeIndex: Tensor | null;
  /** 1 where the pixel counts, 0 where ignored, in x's dtype; (N, 1, L) or (N, C, L). Null without ignoreIndex. */
  mask: Tensor | null;
  /** Shape of 'none' elementwise results. */
  outShape: number[];
}

function modeOf(m: unknown, name: string): SegmentationMode {
  const mode = m ?? 'multiclass';
  check(MODES.includes(mode as SegmentationMode), name, () => `mode must be 'binary', 'multiclass' or 'multilabel', got ${JSON.stringify(m)}`);
  return mode as SegmentationMode;
}

function reductionOf(r: unknown, name: string): Reduction {
  const red = r ?? 'mean';
  check(red === 'mean' || red === 'sum' || red === 'none', name, () => `reduction must be 'none', 'mean' or 'sum', got ${JSON.stringify(r)}`);
  return red as Reduction;
}

function ignoreOf(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  check(typeof v === 'number' && Number.isInteger(v), name, () => `ignoreIndex must be an integer, got ${String(v)}`);
  return v;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** min and max of the non-ignored target values (no grad); null when every value is ignored. */
function valueRange(t: Tensor, ignoreIndex: number | undefined): { min: number; max: number } | null {
  return scope(() => noGrad(() => {
    let v = t;
    if (ignoreIndex !== undefined) v = t.maskedSelect(t.ne(ignoreIndex));
    if (v.numel() === 0) return null;
    if (v.dtype === 'bool') v = v.to('uint8');
    return { min: v.min().item(), max: v.max().item() };
  }));
}

/** Checks that a binary / multilabel / one-hot target holds values in [0, 1]. */
function checkUnitTarget(name: string, t: Tensor, ignoreIndex: number | undefined, what: string): void {
  const r = valueRange(t, ignoreIndex);
  if (r === null) return;
  if (Number.isNaN(r.min) || Number.isNaN(r.max)) throw new TorchError(`target contains NaN`, name);
  if (r.max > 1) {
    if (r.max === 255) {
      throw new TorchError(`target has values up to 255; ${what} must be 0/1 — divide by 255` +
        (ignoreIndex === undefined ? ' (or pass ignoreIndex: 255 if 255 marks unlabeled pixels)' : ''), name);
    }
    throw new TorchError(`target has values up to ${r.max}; ${what} must be 0/1 (or soft labels in [0, 1])`, name);
  }
  check(r.min >= 0, name, () => `target has negative values (down to ${r.min}); ${what} must be 0/1 (or soft labels in [0, 1])` +
    (ignoreIndex === undefined ? '; pass ignoreIndex to leave marked pixels out' : ''));
}

/** Brings logits and target to the (N, C, L) layout, with the shape and value checks. */
function prepare(name: string, logits: unknown, target: unknown, mode: SegmentationMode, ignoreIndex: number | undefined): Prepared {
  const x = asTensor(logits, name, 'input');
  const t = asTensor(target, name, 'target');
  check(x.isFloatingPoint(), name, () => `input (logits) must be floating point, got ${x.dtype}; convert with .float()`);
  check(t.isFloatingPoint() || INT_DTYPES.has(t.dtype) || t.dtype === 'bool', name, () => `target must be numeric or bool, got ${t.dtype}`);
  const xs = x.shape;
  const ts = t.shape;
  const dtype = x.dtype;

  if (mode === 'multiclass') {
    check(x.ndim >= 2, name, () => `multiclass mode needs logits (N, C, …), got ${shapeStr(x)}`);
    const N = xs[0];
    const C = xs[1];
    check(C >= 2, name, () => `multiclass mode needs at least 2 classes in dim 1 of the logits, got ${shapeStr(x)}; for one-channel logits use mode: 'binary'`);
    const x3 = x.reshape([N, C, -1]);
    if (t.isFloatingPoint()) {
      check(sameShape(xs, ts), name, () => `multiclass target must be class indices (N, …) of an integer dtype, or a one-hot/soft target of the logits' shape ${shapeStr(x)}; got a ${t.dtype} target ${shapeStr(t)}` +
        (sameShape(ts, [N, ...xs.slice(2)]) ? '; convert class indices with .long()' : ''));
      check(ignoreIndex === undefined, name, 'ignoreIndex needs class-index targets, not one-hot targets');
      checkUnitTarget(name, t, undefined, 'one-hot targets');
      return { mode, x: x3, g: t.reshape([N, C, -1]).to(dtype), index: null, safeIndex: null, mask: null, outShape: [N, ...xs.slice(2)] };
    }
    check(t.dtype !== 'bool', name, 'a bool target is a binary mask; use mode: \'binary\', or convert class indices with .long()');
    let ti = t;
    if (t.ndim === x.ndim && ts[1] === 1) ti = t.squeeze(1);
    const want = [N, ...xs.slice(2)];
    check(sameShape(ti.shape, want), name, () => `logits ${shapeStr(x)} need a class-index target of shape [${want.join(', ')}] (or [${[N, 1, ...xs.slice(2)].join(', ')}]), got ${shapeStr(t)}`);
    const r = valueRange(ti, ignoreIndex);
    if (r !== null) {
      if (r.max >= C) {
        throw new TorchError(`target has class index ${r.max} but the logits have ${C} classes (0…${C - 1})` +
          (r.max === 255 && ignoreIndex === undefined ? '; if 255 marks unlabeled pixels, pass ignoreIndex: 255' : ''), name);
      }
      check(r.min >= 0, name, () => `target has the negative class index ${r.min}` + (ignoreIndex === undefined ? '; pass ignoreIndex to leave those pixels out' : ` (ignoreIndex is ${ignoreIndex})`));
    }
    const index = ti.reshape([N, -1]).to('int64');
    let safeIndex = index;
    let mask: Tensor | null = null;
    if (ignoreIndex !== undefined) {
      const valid = index.ne(ignoreIndex);
      safeIndex = index.maskedFill(valid.logicalNot(), 0);
      mask = valid.unsqueeze(1).to(dtype);
    }
    let g = oneHot(safeIndex, C).permute([0, 2, 1]).to(dtype);
    if (mask !== null) g = g.mul(mask);
    return { mode, x: x3, g, index, safeIndex, mask, outShape: want };
  }

  let x3: Tensor;
  let t3: Tensor;
  if (mode === 'binary') {
    check(x.ndim >= 1, name, 'binary mode needs logits with a batch dimension');
    const N = xs[0];
    const channelFirst = x.ndim === t.ndim + 1 && xs[1] === 1 && sameShape(ts, [N, ...xs.slice(2)]);
    check(sameShape(xs, ts) || channelFirst, name, () => `binary mode needs logits (N, 1, …) with a target (N, …) or (N, 1, …), or logits and target of the same shape; got logits ${shapeStr(x)} and target ${shapeStr(t)}` +
      (x.ndim === t.ndim + 1 && xs[1] > 1 ? `; for ${xs[1]} classes use mode: 'multiclass'` : ''));
    x3 = x.reshape([N, 1, -1]);
    t3 = t.reshape([N, 1, -1]);
  } else {
    check(x.ndim >= 2, name, () => `multilabel mode needs logits (N, C, …), got ${shapeStr(x)}`);
    check(sameShape(xs, ts), name, () => `multilabel mode needs a 0/1 target of the logits' shape ${shapeStr(x)}, got ${shapeStr(t)}` +
      (sameShape(ts, [xs[0], ...xs.slice(2)]) ? "; for class-index targets use mode: 'multiclass'" : ''));
    x3 = x.reshape([xs[0], xs[1], -1]);
    t3 = t.reshape([xs[0], xs[1], -1]);
  }
  checkUnitTarget(name, t3, ignoreIndex, mode === 'binary' ? 'binary masks' : 'multilabel targets');
  let g = t3.to(dtype);
  let mask: Tensor | null = null;
  if (ignoreIndex !== undefined) {
    const valid = t3.ne(ignoreIndex);
    g = g.maskedFill(valid.logicalNot(), 0);
    mask = valid.to(dtype);
  }
  return { mode, x: x3, g, index: null, safeIndex: null, mask, outShape: xs };
}

function probabilities(p: Prepared, fromLogits: boolean): Tensor {
  if (!fromLogits) return p.x;
  return p.mode === 'multiclass' ? softmax(p.x, 1) : p.x.sigmoid();
}

/**
 * 1 − (2tp + s) / max(2tp + 2α·fp + 2β·fn + s, 1e-8) per (sample, class), or
 * per class with batchDice; α = β = 0.5 is nnU-Net's soft Dice.
 */
function overlapLoss(name: string, input: unknown, target: unknown, o: TverskyLossOptions, alpha: number, beta: number): Tensor {
  const mode = modeOf(o.mode, name);
  const ignoreIndex = ignoreOf(o.ignoreIndex, name);
  const reduction = reductionOf(o.reduction, name);
  const smooth = num(o.smooth ?? 1e-5, name, 'smooth', 0);
  checkBackgroundOption(name, mode, o.includeBackground);
  return scope(() => {
    const p = prepare(name, input, target, mode, ignoreIndex);
    return overlapCore(name, p, o, alpha, beta, smooth, reduction);
  });
}

function checkBackgroundOption(name: string, mode: SegmentationMode, includeBackground: boolean | undefined): void {
  check(includeBackground !== false || mode !== 'binary', name, "binary mode has a single (foreground) channel; includeBackground: false applies to 'multiclass' and 'multilabel'");
}

function overlapCore(name: string, p: Prepared, o: TverskyLossOptions, alpha: number, beta: number, smooth: number, reduction: Reduction): Tensor {
  const includeBackground = o.includeBackground ?? true;
  check(includeBackground || p.x.shape[1] > 1, name, 'includeBackground: false leaves no channel to score (the logits have one channel)');
  let prob = probabilities(p, o.fromLogits ?? true);
  if (p.mask !== null) prob = prob.mul(p.mask);
  const dims = o.batchDice ? [0, 2] : [2];
  const tp = prob.mul(p.g).sum(dims);
  const fp = prob.sum(dims).sub(tp);
  const fn = p.g.sum(dims).sub(tp);
  const numer = tp.mul(2).add(smooth);
  const denom = tp.mul(2).add(fp, 2 * alpha).add(fn, 2 * beta).add(smooth).clampMin(1e-8);
  let loss = numer.div(denom).rsub(1);
  if (!includeBackground) loss = loss.slice(loss.ndim - 1, 1);
  if (reduction === 'mean') return loss.mean();
  if (reduction === 'sum') return loss.sum();
  return loss;
}

/**
 * Soft Dice loss 1 − (2·Σpg + s) / (Σp + Σg + s) on logits, per sample and
 * class, averaged over classes and samples (nnU-Net's SoftDiceLoss + 1).
 */
export function diceLoss(input: Tensor, target: Tensor, o: DiceLossOptions = {}): Tensor {
  return overlapLoss('diceLoss', input, target, o, 0.5, 0.5);
}

/**
 * Tversky loss 1 − (tp + s/2) / (tp + α·fp + β·fn + s/2), computed as
 * 1 − (2tp + s) / (2tp + 2α·fp + 2β·fn + s) so that α = β = 0.5 is exactly
 * diceLoss with the same smooth (the smooth term is halved compared with the
 * usual (tp + s) / (tp + α·fp + β·fn + s); with s = 0 they agree). α > β
 * penalises false positives more, β > α false negatives (better recall).
 */
export function tverskyLoss(input: Tensor, target: Tensor, o: TverskyLossOptions = {}): Tensor {
  const alpha = num(o.alpha ?? 0.5, 'tverskyLoss', 'alpha', 0);
  const beta = num(o.beta ?? 0.5, 'tverskyLoss', 'beta', 0);
  return overlapLoss('tverskyLoss', input, target, o, alpha, beta);
}

/**
 * weightDice · diceLoss + weightCE · cross-entropy, nnU-Net's DC_and_CE_loss
 * (1:1 by default) for multiclass; Dice + BCE-with-logits (DC_and_BCE_loss) for
 * binary and multilabel. Ignored pixels are masked out of the Dice sums and
 * out of the (B)CE mean; when every pixel is ignored the (B)CE term is 0, as in
 * nnU-Net. Returns a scalar.
 */
export function diceCELoss(input: Tensor, target: Tensor, o: DiceCELossOptions = {}): Tensor {
  const name = 'diceCELoss';
  const mode = modeOf(o.mode, name);
  const wDice = num(o.weightDice ?? 1, name, 'weightDice', 0);
  const wCE = num(o.weightCE ?? 1, name, 'weightCE', 0);
  const ignoreIndex = ignoreOf(o.ignoreIndex, name);
  const weight = optTensor(o.weight, name, 'weight');
  const posWeightArg = o.posWeight;
  if (mode === 'multiclass') {
    check(posWeightArg === undefined || posWeightArg === null, name, "posWeight applies to 'binary' and 'multilabel' (BCE); for class weights in multiclass pass weight");
  } else {
    check(weight === null, name, "weight (cross-entropy class weights) applies to 'multiclass'; for binary / multilabel pass posWeight");
    check(o.labelSmoothing === undefined, name, "labelSmoothing applies to 'multiclass'");
  }
  const smooth = num(o.smooth ?? 1e-5, name, 'smooth', 0);
  checkBackgroundOption(name, mode, o.includeBackground);
  return scope(() => {
    const p = prepare(name, input, target, mode, ignoreIndex);
    const terms: Tensor[] = [];
    if (wDice !== 0) {
      const d = overlapCore(name, p, { ...o, fromLogits: true }, 0.5, 0.5, smooth, 'mean');
      terms.push(d.mul(wDice));
    }
    if (wCE !== 0) {
      let ce: Tensor;
      if (mode === 'multiclass') {
        const valid = p.mask === null ? 1 : p.mask.sum().item();
        if (valid === 0) ce = p.x.sum().mul(0);
        else ce = crossEntropy(p.x, p.index ?? p.g, { weight, ignoreIndex: ignoreIndex ?? -100, labelSmoothing: o.labelSmoothing ?? 0 });
      } else {
        const C = p.x.shape[1];
        let pw: Tensor | null = null;
        if (typeof posWeightArg === 'number') pw = tensor([num(posWeightArg, name, 'posWeight', 0)], { dtype: p.x.dtype, device: p.x.device });
        else if (posWeightArg !== undefined && posWeightArg !== null) {
          const t = asTensor(posWeightArg, name, 'posWeight');
          check(t.numel() === 1 || (t.ndim === 1 && t.shape[0] === C), name, () => `posWeight must be a number or have one entry per channel (${C}), got ${shapeStr(t)}`);
          pw = t.reshape([t.numel(), 1]).to({ dtype: p.x.dtype, device: p.x.device });
        }
        if (p.mask === null) ce = binaryCrossEntropyWithLogits(p.x, p.g, { posWeight: pw });
        else ce = binaryCrossEntropyWithLogits(p.x, p.g, { posWeight: pw, weight: p.mask, reduction: 'sum' }).div(p.mask.sum().clampMin(1e-8));
      }
      terms.push(ce.mul(wCE));
    }
    if (terms.length === 0) return p.x.sum().mul(0);
    return terms.length === 1 ? terms[0] : terms[0].add(terms[1]);
  });
}

function alphaTensor(alpha: readonly number[], n: number, name: string, what: string, like: Tensor): Tensor {
  check(alpha.length === n, name, () => `alpha has ${alpha.length} entries but there are ${n} ${what}`);
  alpha.forEach((a, i) => num(a, name, `alpha[${i}]`));
  return tensor(alpha as number[], { dtype: like.dtype, device: like.device });
}

/**
 * Focal loss on logits. Binary / multilabel: torchvision.ops.sigmoid_focal_loss,
 * BCE(x, t) · (1 − p_t)^γ · (α·t + (1 − α)(1 − t)) elementwise with
 * p_t = p·t + (1 − p)(1 − t). Multiclass: the softmax focal loss
 * −α_t · (1 − p_t)^γ · log p_t per pixel, p_t the softmax probability of the
 * target class. 'mean' averages over the non-ignored elements (0 when every
 * element is ignored). Unlike torchvision, the default reduction is 'mean'.
 */
export function focalLoss(input: Tensor, target: Tensor, o: FocalLossOptions = {}): Tensor {
  const name = 'focalLoss';
  const mode = modeOf(o.mode, name);
  const gamma = num(o.gamma ?? 2, name, 'gamma', 0);
  const reduction = reductionOf(o.reduction, name);
  const ignoreIndex = ignoreOf(o.ignoreIndex, name);
  const alpha = o.alpha === undefined ? (mode === 'multiclass' ? null : 0.25) : o.alpha;
  check(alpha === null || typeof alpha === 'number' || Array.isArray(alpha), name, () => 'alpha must be a number, an array of numbers or null');
  if (typeof alpha === 'number') num(alpha, name, 'alpha');
  check(!(Array.isArray(alpha) && mode === 'binary'), name, 'binary mode takes one alpha (a number); per-channel alphas need multilabel mode');
  return scope(() => {
    const p = prepare(name, input, target, mode, ignoreIndex);
    const C = p.x.shape[1];
    let loss: Tensor;
    if (mode === 'multiclass') {
      check(p.index !== null, name, 'multiclass focal loss needs class-index targets (N, …), not one-hot targets');
      const idx = p.safeIndex!.unsqueeze(1);
      const logpt = logSoftmax(p.x, 1).gather(1, idx).squeeze(1);
      const pt = logpt.exp();
      loss = pt.rsub(1).pow(gamma).mul(logpt).neg();
      if (typeof alpha === 'number') loss = loss.mul(alpha);
      else if (Array.isArray(alpha)) loss = loss.mul(alphaTensor(alpha, C, name, 'classes', p.x).index([p.safeIndex!]));
      if (p.mask !== null) loss = loss.mul(p.mask.squeeze(1));
    } else {
      const prob = p.x.sigmoid();
      const ce = binaryCrossEntropyWithLogits(p.x, p.g, { reduction: 'none' });
      // p_t = p·t + (1 − p)(1 − t) = 1 − p − t + 2pt, so 1 − p_t = p + t − 2pt.
      const oneMinusPt = prob.add(p.g).sub(prob.mul(p.g), 2);
      loss = ce.mul(oneMinusPt.pow(gamma));
      if (typeof alpha === 'number' && alpha >= 0) {
        loss = loss.mul(p.g.mul(2 * alpha - 1).add(1 - alpha));
      } else if (Array.isArray(alpha)) {
        const a = alphaTensor(alpha, C, name, 'channels', p.x).reshape([1, C, 1]);
        loss = loss.mul(p.g.mul(a.mul(2).sub(1)).add(a.rsub(1)));
      }
      if (p.mask !== null) loss = loss.mul(p.mask);
    }
    if (reduction === 'none') return loss.reshape(p.outShape);
    if (reduction === 'sum') return loss.sum();
    if (p.mask === null) return loss.mean();
    return loss.sum().div(p.mask.sum().clampMin(1));
  });
}
