/** Normalisation, dropout, linear, softmax and one-hot (torch.nn.functional). */
import { op } from '../../torch/dispatch.js';
import { check } from '../../torch/errors.js';
import { Tensor } from '../../torch/tensor.js';
import { dtypeCode, type DTypeLike } from '../../torch/dtype.js';
import { asTensor, num, optTensor, probability, shapeStr } from './util.js';

const linear_ = op('aten::linear');
/** x·Wᵀ + b, with W of shape (out, in). */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const x = asTensor(input, 'linear', 'input');
  const w = asTensor(weight, 'linear', 'weight');
  const b = optTensor(bias, 'linear', 'bias');
  check(w.ndim === 2, 'linear', () => `weight must be 2-d (out, in), got ${shapeStr(w)}`);
  check(x.ndim >= 1 && x.shape[x.ndim - 1] === w.shape[1], 'linear', () => `input's last dimension is ${x.shape[x.ndim - 1]} but weight ${shapeStr(w)} expects ${w.shape[1]} features`);
  check(b === null || (b.ndim === 1 && b.shape[0] === w.shape[0]), 'linear', () => `bias must have shape [${w.shape[0]}], got ${b ? shapeStr(b) : ''}`);
  return new Tensor(linear_(x.h, w.h, b?.h ?? null));
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

const batchNorm_ = op('aten::batch_norm');
/** Batch normalisation; in training the running statistics are updated in place. */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, o: BatchNormOptions = {}): Tensor {
  const x = asTensor(input, 'batchNorm', 'input');
  check(x.ndim >= 2, 'batchNorm', () => `input must have a channel dimension (N, C, …), got ${shapeStr(x)}`);
  const c = x.shape[1];
  const training = o.training ?? false;
  for (const [k, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', o.weight], ['bias', o.bias]] as const) {
    const tt = optTensor(t, 'batchNorm', k);
    check(tt === null || (tt.ndim === 1 && tt.shape[0] === c), 'batchNorm', () => `${k} must have shape [${c}] for ${c} channels, got ${tt ? shapeStr(tt) : ''}`);
  }
  check(training || (runningMean !== null && runningVar !== null), 'batchNorm', 'runningMean and runningVar are needed when training is false');
  if (training) {
    const perChannel = x.numel() / Math.max(c, 1);
    check(perChannel > 1, 'batchNorm', () => `expected more than 1 value per channel when training, got input ${shapeStr(x)}`);
  }
  return new Tensor(batchNorm_(x.h, o.weight?.h ?? null, o.bias?.h ?? null, runningMean?.h ?? null, runningVar?.h ?? null, training, num(o.momentum ?? 0.1, 'batchNorm', 'momentum', 0, 1), num(o.eps ?? 1e-5, 'batchNorm', 'eps', 0), false));
}

const groupNorm_ = op('aten::group_norm');
export function groupNorm(input: Tensor, numGroups: number, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const x = asTensor(input, 'groupNorm', 'input');
  check(x.ndim >= 2, 'groupNorm', () => `input must be (N, C, …), got ${shapeStr(x)}`);
  check(Number.isInteger(numGroups) && numGroups > 0 && x.shape[1] % numGroups === 0, 'groupNorm', () => `channels (${x.shape[1]}) must be divisible by numGroups (${numGroups})`);
  return new Tensor(groupNorm_(x.h, numGroups, optTensor(weight, 'groupNorm', 'weight')?.h ?? null, optTensor(bias, 'groupNorm', 'bias')?.h ?? null, eps, false));
}

const layerNorm_ = op('aten::layer_norm');
export function layerNorm(input: Tensor, normalizedShape: readonly number[] | number, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const x = asTensor(input, 'layerNorm', 'input');
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const tail = x.shape.slice(x.ndim - ns.length);
  check(ns.length <= x.ndim && tail.join(',') === ns.join(','), 'layerNorm', () => `normalizedShape [${ns.join(', ')}] must match the input's last dimensions ${shapeStr(x)}`);
  return new Tensor(layerNorm_(x.h, ns, optTensor(weight, 'layerNorm', 'weight')?.h ?? null, optTensor(bias, 'layerNorm', 'bias')?.h ?? null, eps, false));
}

export interface InstanceNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

const instanceNorm_ = op('aten::instance_norm');
export function instanceNorm(input: Tensor, o: InstanceNormOptions = {}): Tensor {
  const x = asTensor(input, 'instanceNorm', 'input');
  check(x.ndim >= 3, 'instanceNorm', () => `input must be (N, C, …spatial), got ${shapeStr(x)}`);
  // A non-Tensor here (weight: 3) would otherwise be dropped silently.
  const h = (k: 'weight' | 'bias' | 'runningMean' | 'runningVar') => optTensor(o[k], 'instanceNorm', k)?.h ?? null;
  return new Tensor(instanceNorm_(x.h, h('weight'), h('bias'), h('runningMean'), h('runningVar'), o.useInputStats ?? true, o.momentum ?? 0.1, o.eps ?? 1e-5, false));
}

const dropout_ = op('aten::dropout');
const featureDropout = op('aten::feature_dropout');
const alphaDropout_ = op('aten::alpha_dropout');
/** Zeroes elements with probability p and scales the rest by 1/(1−p) when training. */
export function dropout(input: Tensor, p = 0.5, training = true): Tensor {
  const x = asTensor(input, 'dropout', 'input');
  return new Tensor(dropout_(x.h, probability(p, 'dropout'), training));
}

/** Zeroes whole channels of (N, C, H, W) input. */
export function dropout2d(input: Tensor, p = 0.5, training = true): Tensor {
  const x = asTensor(input, 'dropout2d', 'input');
  check(x.ndim === 4 || x.ndim === 3, 'dropout2d', () => `input must be 4-d (N, C, H, W) or 3-d, got ${shapeStr(x)}`);
  return new Tensor(featureDropout(x.h, probability(p, 'dropout2d'), training));
}

export function alphaDropout(input: Tensor, p = 0.5, training = true): Tensor {
  const x = asTensor(input, 'alphaDropout', 'input');
  return new Tensor(alphaDropout_(x.h, probability(p, 'alphaDropout'), training));
}

const softmax_ = op('aten::softmax.int');
const logSoftmax_ = op('aten::log_softmax.int');
export function softmax(input: Tensor, dim: number, dtype?: DTypeLike): Tensor {
  const x = asTensor(input, 'softmax', 'input');
  return new Tensor(softmax_(x.h, dim, dtype === undefined ? null : dtypeCode(dtype, 'softmax')));
}

export function logSoftmax(input: Tensor, dim: number, dtype?: DTypeLike): Tensor {
  const x = asTensor(input, 'logSoftmax', 'input');
  return new Tensor(logSoftmax_(x.h, dim, dtype === undefined ? null : dtypeCode(dtype, 'logSoftmax')));
}

const oneHot_ = op('aten::one_hot');
/** int64 class indices -> int64 one-hot vectors in a new last dimension. */
export function oneHot(input: Tensor, numClasses = -1): Tensor {
  const x = asTensor(input, 'oneHot', 'input');
  check(x.dtype === 'int64', 'oneHot', () => `input must be an int64 tensor of class indices, got ${x.dtype}; convert with .long()`);
  check(Number.isInteger(numClasses) && (numClasses === -1 || numClasses > 0), 'oneHot', `numClasses must be a positive integer or -1, got ${numClasses}`);
  return new Tensor(oneHot_(x.h, numClasses));
}
