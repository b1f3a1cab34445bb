/**
 * Activation functions, with the MATLAB Neural Network Toolbox names as
 * aliases where they exist (logsig, tansig, purelin, hardlim, poslin, …).
 */
import { op, opVoid } from '../../torch/dispatch.js';
import { check } from '../../torch/errors.js';
import { Tensor } from '../../torch/tensor.js';
import { asTensor, num } from './util.js';

function unary(name: string, aten: string) {
  const f = op(aten);
  return (input: Tensor): Tensor => new Tensor(f(asTensor(input, name, 'input').h));
}

export const sigmoid = unary('sigmoid', 'aten::sigmoid');
export const tanh = unary('tanh', 'aten::tanh');
export const relu = unary('relu', 'aten::relu');
export const selu = unary('selu', 'aten::selu');
export const silu = unary('silu', 'aten::silu');
export const mish = unary('mish', 'aten::mish');
export const hardswish = unary('hardswish', 'aten::hardswish');
export const hardsigmoid = unary('hardsigmoid', 'aten::hardsigmoid');
export const logsigmoid = unary('logsigmoid', 'aten::log_sigmoid');

const relu_ = opVoid('aten::relu_');
/** In-place ReLU. */
export function reluInplace(input: Tensor): Tensor {
  relu_(asTensor(input, 'relu_', 'input').h);
  return input;
}

/** The identity (MATLAB purelin). */
export function identity(input: Tensor): Tensor {
  return asTensor(input, 'identity', 'input').alias();
}

/** Hard limit: 1 where x ≥ 0, else 0 (MATLAB hardlim). Its gradient is zero everywhere. */
export function hardlim(input: Tensor): Tensor {
  const x = asTensor(input, 'hardlim', 'input');
  const mask = x.ge(0);
  const out = mask.to(x.isFloatingPoint() ? x.dtype : 'float32');
  mask.dispose();
  return out;
}

/** Symmetric hard limit: 1 where x ≥ 0, else −1 (MATLAB hardlims). */
export function hardlims(input: Tensor): Tensor {
  const h = hardlim(input);
  const out = h.mul(2).sub_(1);
  h.dispose();
  return out;
}

const hardtanh_ = op('aten::hardtanh');
export function hardtanh(input: Tensor, minVal = -1, maxVal = 1): Tensor {
  check(minVal < maxVal, 'hardtanh', `minVal (${minVal}) must be less than maxVal (${maxVal})`);
  return new Tensor(hardtanh_(asTensor(input, 'hardtanh', 'input').h, minVal, maxVal));
}

/** min(max(x, 0), 6). */
export function relu6(input: Tensor): Tensor {
  return new Tensor(hardtanh_(asTensor(input, 'relu6', 'input').h, 0, 6));
}

const leaky = op('aten::leaky_relu');
export function leakyRelu(input: Tensor, negativeSlope = 0.01): Tensor {
  return new Tensor(leaky(asTensor(input, 'leakyRelu', 'input').h, num(negativeSlope, 'leakyRelu', 'negativeSlope')));
}

const prelu_ = op('aten::prelu');
/** Parametric ReLU with a learnable slope per channel (weight of shape [1] or [C]). */
export function prelu(input: Tensor, weight: Tensor): Tensor {
  const x = asTensor(input, 'prelu', 'input');
  const w = asTensor(weight, 'prelu', 'weight');
  const c = x.ndim >= 2 ? x.shape[1] : 1;
  check(w.numel() === 1 || w.numel() === c, 'prelu', () => `weight must have 1 or ${c} (channels) elements, got ${w.numel()}`);
  return new Tensor(prelu_(x.h, w.h));
}

const elu_ = op('aten::elu');
export function elu(input: Tensor, alpha = 1): Tensor {
  return new Tensor(elu_(asTensor(input, 'elu', 'input').h, num(alpha, 'elu', 'alpha'), 1, 1));
}

const celu_ = op('aten::celu');
export function celu(input: Tensor, alpha = 1): Tensor {
  check(alpha !== 0, 'celu', 'alpha must not be zero');
  return new Tensor(celu_(asTensor(input, 'celu', 'input').h, num(alpha, 'celu', 'alpha')));
}

const gelu_ = op('aten::gelu');
export function gelu(input: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  check(approximate === 'none' || approximate === 'tanh', 'gelu', `approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  return new Tensor(gelu_(asTensor(input, 'gelu', 'input').h, approximate));
}

const softplus_ = op('aten::softplus');
/** log(1 + exp(βx))/β, linear above `threshold`. */
export function softplus(input: Tensor, beta = 1, threshold = 20): Tensor {
  return new Tensor(softplus_(asTensor(input, 'softplus', 'input').h, num(beta, 'softplus', 'beta'), num(threshold, 'softplus', 'threshold')));
}

/** x / (1 + |x|). */
export function softsign(input: Tensor): Tensor {
  const x = asTensor(input, 'softsign', 'input');
  const a = x.abs();
  const d = a.add_(1);
  const out = x.div(d);
  d.dispose();
  return out;
}

/** Gaussian radial basis exp(−x²) (MATLAB radbas), for RBF networks. */
export function radbas(input: Tensor): Tensor {
  const x = asTensor(input, 'radbas', 'input');
  const s = x.square().neg_();
  const out = s.exp();
  s.dispose();
  return out;
}

/** Saturating linear: clamp(x, 0, 1) (MATLAB satlin). */
export function satlin(input: Tensor): Tensor {
  return hardtanh(input, 0, 1);
}

/** Symmetric saturating linear: clamp(x, −1, 1) (MATLAB satlins). */
export function satlins(input: Tensor): Tensor {
  return hardtanh(input, -1, 1);
}

// MATLAB aliases and common alternative names.
export const logsig = sigmoid;
export const tansig = tanh;
export const purelin = identity;
export const poslin = relu;
export const swish = silu;
export const hSwish = hardswish;
export const hSigmoid = hardsigmoid;
