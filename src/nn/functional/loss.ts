/** Loss functions with PyTorch's definitions and reductions. */
import { op, reductionCode, type Reduction } from '../../torch/dispatch.js';
import { check } from '../../torch/errors.js';
import { Tensor } from '../../torch/tensor.js';
import { asTensor, num, optTensor, shapeStr } from './util.js';

export type { Reduction };

function sameShape(name: string, input: Tensor, target: Tensor) {
  check(input.shape.join(',') === target.shape.join(','), name, () => `input ${shapeStr(input)} and target ${shapeStr(target)} must have the same shape`);
}

function floatTarget(name: string, input: Tensor, target: Tensor) {
  check(input.isFloatingPoint(), name, () => `input must be floating point, got ${input.dtype}`);
  check(target.isFloatingPoint(), name, () => `target must be floating point, got ${target.dtype}; convert with .float()`);
}

function pointwiseLoss(name: string, aten: string) {
  const f = op(aten);
  return (input: Tensor, target: Tensor, o: { reduction?: Reduction } = {}): Tensor => {
    const x = asTensor(input, name, 'input');
    const y = asTensor(target, name, 'target');
    sameShape(name, x, y);
    floatTarget(name, x, y);
    return new Tensor(f(x.h, y.h, reductionCode(o.reduction, name)));
  };
}

/** Mean squared error. */
export const mseLoss = pointwiseLoss('mseLoss', 'aten::mse_loss');
/** Mean absolute error. */
export const l1Loss = pointwiseLoss('l1Loss', 'aten::l1_loss');

const smoothL1 = op('aten::smooth_l1_loss');
export function smoothL1Loss(input: Tensor, target: Tensor, o: { reduction?: Reduction; beta?: number } = {}): Tensor {
  const x = asTensor(input, 'smoothL1Loss', 'input');
  const y = asTensor(target, 'smoothL1Loss', 'target');
  sameShape('smoothL1Loss', x, y);
  floatTarget('smoothL1Loss', x, y);
  return new Tensor(smoothL1(x.h, y.h, reductionCode(o.reduction, 'smoothL1Loss'), num(o.beta ?? 1, 'smoothL1Loss', 'beta', 0)));
}

const huber = op('aten::huber_loss');
export function huberLoss(input: Tensor, target: Tensor, o: { reduction?: Reduction; delta?: number } = {}): Tensor {
  const x = asTensor(input, 'huberLoss', 'input');
  const y = asTensor(target, 'huberLoss', 'target');
  sameShape('huberLoss', x, y);
  floatTarget('huberLoss', x, y);
  const delta = num(o.delta ?? 1, 'huberLoss', 'delta', 0);
  check(delta > 0, 'huberLoss', `delta must be positive, got ${delta}`);
  return new Tensor(huber(x.h, y.h, reductionCode(o.reduction, 'huberLoss'), delta));
}

const bce = op('aten::binary_cross_entropy');
/** BCE on probabilities in [0, 1]; prefer binaryCrossEntropyWithLogits for stability. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, o: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  const x = asTensor(input, 'binaryCrossEntropy', 'input');
  const y = asTensor(target, 'binaryCrossEntropy', 'target');
  sameShape('binaryCrossEntropy', x, y);
  floatTarget('binaryCrossEntropy', x, y);
  return new Tensor(bce(x.h, y.h, optTensor(o.weight, 'binaryCrossEntropy', 'weight')?.h ?? null, reductionCode(o.reduction, 'binaryCrossEntropy')));
}

const bceLogits = op('aten::binary_cross_entropy_with_logits');
/** Sigmoid + BCE in one stable op; posWeight weighs positives per class (broadcast over the last dims). */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, o: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  const name = 'binaryCrossEntropyWithLogits';
  const x = asTensor(input, name, 'input');
  const y = asTensor(target, name, 'target');
  sameShape(name, x, y);
  floatTarget(name, x, y);
  return new Tensor(bceLogits(x.h, y.h, optTensor(o.weight, name, 'weight')?.h ?? null, optTensor(o.posWeight, name, 'posWeight')?.h ?? null, reductionCode(o.reduction, name)));
}

export interface CrossEntropyOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
  labelSmoothing?: number;
}

function checkClassTarget(name: string, x: Tensor, y: Tensor, weight: Tensor | null) {
  check(x.isFloatingPoint(), name, () => `input (logits) must be floating point, got ${x.dtype}`);
  check(x.ndim >= 1, name, 'input must have a class dimension');
  const c = x.ndim === 1 ? x.shape[0] : x.shape[1];
  if (y.isFloatingPoint()) {
    sameShape(name, x, y);
  } else {
    check(y.dtype === 'int64', name, () => `class-index target must be int64, got ${y.dtype}; convert with .long()`);
    const expected = x.ndim === 1 ? [] : [x.shape[0], ...x.shape.slice(2)];
    check(y.shape.join(',') === expected.join(','), name, () => `input ${shapeStr(x)} needs a class-index target of shape [${expected.join(', ')}], got ${shapeStr(y)}`);
  }
  check(weight === null || (weight.ndim === 1 && weight.shape[0] === c), name, () => `weight must have one entry per class (${c}), got ${weight ? shapeStr(weight) : ''}`);
}

const ce = op('aten::cross_entropy_loss');
/**
 * Cross-entropy over logits (N, C, …) with int64 class indices (N, …) or
 * class probabilities (N, C, …).
 */
export function crossEntropy(input: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor {
  const name = 'crossEntropy';
  const x = asTensor(input, name, 'input');
  const y = asTensor(target, name, 'target');
  const w = optTensor(o.weight, name, 'weight');
  checkClassTarget(name, x, y, w);
  const ls = num(o.labelSmoothing ?? 0, name, 'labelSmoothing', 0, 1);
  const ignore = o.ignoreIndex ?? -100;
  check(Number.isInteger(ignore), name, `ignoreIndex must be an integer, got ${ignore}`);
  return new Tensor(ce(x.h, y.h, w?.h ?? null, reductionCode(o.reduction, name), ignore, ls));
}

const nll = op('aten::nll_loss_nd');
/** Negative log-likelihood over log-probabilities (N, C, …) with int64 targets. */
export function nllLoss(input: Tensor, target: Tensor, o: Omit<CrossEntropyOptions, 'labelSmoothing'> = {}): Tensor {
  const name = 'nllLoss';
  const x = asTensor(input, name, 'input');
  const y = asTensor(target, name, 'target');
  const w = optTensor(o.weight, name, 'weight');
  checkClassTarget(name, x, y, w);
  check(!y.isFloatingPoint(), name, 'target must be int64 class indices');
  return new Tensor(nll(x.h, y.h, w?.h ?? null, reductionCode(o.reduction, name), o.ignoreIndex ?? -100));
}
