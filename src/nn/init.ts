/**
 * Weight initialisation, as torch.nn.init. Every function fills its tensor in
 * place (under noGrad, so it works on parameters), draws from libtorch's CPU
 * generator (tn.manualSeed makes it repeatable, and gives the same numbers as
 * torch.manual_seed with the same seed), and returns the tensor.
 *
 * Options use camelCase: mode 'fanIn' | 'fanOut' (PyTorch's 'fan_in' and
 * 'fan_out' are accepted too); nonlinearity names may be PyTorch's
 * ('leaky_relu', 'conv_transpose2d') or camelCase ('leakyRelu').
 */
import { Tensor, TorchError, noGrad, empty, tensor as makeTensor } from '../torch/index.js';
import { op, opVoid } from '../torch/dispatch.js';

export type Nonlinearity =
  | 'linear' | 'identity' | 'conv1d' | 'conv2d' | 'conv3d'
  | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'convTranspose1d' | 'convTranspose2d' | 'convTranspose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'leakyRelu' | 'selu';

export type FanMode = 'fanIn' | 'fanOut' | 'fan_in' | 'fan_out';

const LINEAR = new Set(['linear', 'identity', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'convTranspose1d', 'convTranspose2d', 'convTranspose3d']);

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain):
 * linear/conv/sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2/(1+slope²)) with
 * slope `param` (default 0.01), selu 3/4.
 */
export function calculateGain(nonlinearity: Nonlinearity | string, param?: number | null): number {
  const OP = 'init.calculateGain';
  if (LINEAR.has(nonlinearity) || nonlinearity === 'sigmoid') return 1;
  switch (nonlinearity) {
    case 'tanh': return 5.0 / 3;
    case 'relu': return Math.sqrt(2.0);
    case 'leaky_relu':
    case 'leakyRelu': {
      let slope = 0.01;
      if (param !== undefined && param !== null) {
        if (typeof param !== 'number' || !Number.isFinite(param)) throw new TorchError(`negative_slope ${String(param)} is not a valid number`, OP);
        slope = param;
      }
      return Math.sqrt(2.0 / (1 + slope ** 2));
    }
    case 'selu': return 3.0 / 4;
  }
  throw new TorchError(`unsupported nonlinearity '${String(nonlinearity)}'`, OP);
}

/** fan_in = size(1)·receptive field, fan_out = size(0)·receptive field (PyTorch's _calculate_fan_in_and_fan_out). */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  const s = checkTensor(t, 'init.calculateFanInAndFanOut').shape;
  if (s.length < 2) throw new TorchError(`fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape [${s.join(', ')}])`, 'init.calculateFanInAndFanOut');
  const rf = s.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: s[1] * rf, fanOut: s[0] * rf };
}

function checkTensor(t: unknown, OP: string): Tensor {
  if (!(t instanceof Tensor)) throw new TorchError(`expects a Tensor, got ${t === null ? 'null' : typeof t}`, OP);
  return t;
}

function checkFloat(t: unknown, OP: string): Tensor {
  const x = checkTensor(t, OP);
  if (!x.isFloatingPoint()) throw new TorchError(`expects a floating-point tensor, got ${x.dtype}`, OP);
  return x;
}

function fanOf(t: Tensor, mode: FanMode, OP: string): number {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  switch (mode) {
    case 'fanIn':
    case 'fan_in': return fanIn;
    case 'fanOut':
    case 'fan_out': return fanOut;
  }
  throw new TorchError(`mode must be 'fanIn' or 'fanOut', got '${String(mode)}'`, OP);
}

function gainArg(g: number | { gain?: number } | undefined, OP: string): number {
  const v = typeof g === 'object' && g !== null ? g.gain ?? 1 : g ?? 1;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TorchError(`gain must be a finite number, got ${String(v)}`, OP);
  return v;
}

/** Fills with samples of U(a, b). */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  const x = checkFloat(t, 'init.uniform_');
  if (!(a <= b)) throw new TorchError(`expects a ≤ b, got a=${a}, b=${b}`, 'init.uniform_');
  noGrad(() => x.uniform_(a, b));
  return x;
}

/** Fills with samples of N(mean, std²). */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  const x = checkFloat(t, 'init.normal_');
  if (!(std >= 0)) throw new TorchError(`std must be non-negative, got ${std}`, 'init.normal_');
  noGrad(() => x.normal_(mean, std));
  return x;
}

/** Fills with `val`. */
export function constant_(t: Tensor, val: number): Tensor {
  const x = checkTensor(t, 'init.constant_');
  if (typeof val !== 'number') throw new TorchError(`val must be a number, got ${typeof val}`, 'init.constant_');
  noGrad(() => x.fill_(val));
  return x;
}

export function zeros_(t: Tensor): Tensor {
  const x = checkTensor(t, 'init.zeros_');
  noGrad(() => x.zero_());
  return x;
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

const diagonal = op('aten::diagonal');

/** The identity matrix for a 2-d tensor (torch.nn.init.eye_). */
export function eye_(t: Tensor): Tensor {
  const x = checkTensor(t, 'init.eye_');
  if (x.ndim !== 2) throw new TorchError(`only tensors with 2 dimensions are supported, got shape [${x.shape.join(', ')}]`, 'init.eye_');
  noGrad(() => {
    x.zero_();
    const d = new Tensor(diagonal(x.h, 0, 0, 1));
    d.fill_(1);
    d.dispose();
  });
  return x;
}

/**
 * Xavier/Glorot uniform: U(−a, a) with a = gain·√(6/(fan_in + fan_out))
 * (Glorot & Bengio 2010).
 */
export function xavierUniform_(t: Tensor, gain: number | { gain?: number } = 1): Tensor {
  const OP = 'init.xavierUniform_';
  const x = checkFloat(t, OP);
  const { fanIn, fanOut } = calculateFanInAndFanOut(x);
  const std = gainArg(gain, OP) * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  noGrad(() => x.uniform_(-a, a));
  return x;
}

/** Xavier/Glorot normal: N(0, std²) with std = gain·√(2/(fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain: number | { gain?: number } = 1): Tensor {
  const OP = 'init.xavierNormal_';
  const x = checkFloat(t, OP);
  const { fanIn, fanOut } = calculateFanInAndFanOut(x);
  const std = gainArg(gain, OP) * Math.sqrt(2.0 / (fanIn + fanOut));
  noGrad(() => x.normal_(0, std));
  return x;
}

export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu only). Default 0. */
  a?: number;
  /** 'fanIn' (default) keeps the variance of the forward pass, 'fanOut' that of the backward pass. */
  mode?: FanMode;
  /** Default 'leaky_relu' (with a = 0, the same as 'relu'). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(x: Tensor, o: KaimingOptions, OP: string): number {
  const fan = fanOf(x, o.mode ?? 'fanIn', OP);
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  return gain / Math.sqrt(fan);
}

/**
 * Kaiming/He uniform: U(−b, b) with b = gain·√(3/fan) (He et al. 2015).
 * PyTorch's Linear and Conv layers use it with a = √5 for their weights.
 */
export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const OP = 'init.kaimingUniform_';
  const x = checkFloat(t, OP);
  if (x.numel() === 0) return x; // PyTorch warns and does nothing
  const bound = Math.sqrt(3.0) * kaimingStd(x, o, OP);
  noGrad(() => x.uniform_(-bound, bound));
  return x;
}

/** Kaiming/He normal: N(0, std²) with std = gain/√fan. */
export function kaimingNormal_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const OP = 'init.kaimingNormal_';
  const x = checkFloat(t, OP);
  if (x.numel() === 0) return x;
  const std = kaimingStd(x, o, OP);
  noGrad(() => x.normal_(0, std));
  return x;
}

const linalgQr = op('aten::linalg_qr');

/**
 * A (semi-)orthogonal matrix (Saxe et al. 2013): the tensor, viewed as
 * (size(0), numel/size(0)), gets Q of the QR decomposition of a normal
 * sample, with the signs of R's diagonal folded in so Q is uniform; times gain.
 */
export function orthogonal_(t: Tensor, gain = 1): Tensor {
  const OP = 'init.orthogonal_';
  const x = checkFloat(t, OP);
  if (x.ndim < 2) throw new TorchError(`only tensors with 2 or more dimensions are supported, got shape [${x.shape.join(', ')}]`, OP);
  if (x.numel() === 0) return x;
  const rows = x.shape[0];
  const cols = x.numel() / rows;
  noGrad(() => {
    const flat = empty([rows, cols], { dtype: x.dtype }).normal_(0, 1);
    const a = rows < cols ? flat.t() : flat;
    const [qh, rh] = linalgQr(a.h, 'reduced') as unknown[];
    const q = new Tensor(qh as never);
    const r = new Tensor(rh as never);
    const d = new Tensor(diagonal(r.h, 0, 0, 1));
    const ph = d.sign();
    q.mul_(ph);
    const qq = rows < cols ? q.t() : q;
    const target = x.view(qq.shape);
    target.copy_(qq).mul_(gain);
    for (const u of new Set([flat, a, q, r, d, ph, qq, target])) u.dispose();
  });
  return x;
}

const erfinvInplace = opVoid('aten::erfinv_');

function normCdf(v: number): number {
  // erf in float64 through libtorch (JavaScript has no Math.erf).
  const t = makeTensor(new Float64Array([v / Math.SQRT2]));
  const e = t.erf();
  const out = (1 + e.item()) / 2;
  t.dispose();
  e.dispose();
  return out;
}

/**
 * A normal N(mean, std²) truncated to [a, b], by inverse-CDF sampling as
 * torch.nn.init.trunc_normal_ does.
 */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  const OP = 'init.truncNormal_';
  const x = checkFloat(t, OP);
  if (!(a < b)) throw new TorchError(`expects a < b, got a=${a}, b=${b}`, OP);
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  noGrad(() => {
    x.uniform_(2 * l - 1, 2 * u - 1);
    erfinvInplace(x.h);
    x.mul_(std * Math.sqrt(2)).add_(mean).clamp_(a, b);
  });
  return x;
}

// Common alternative names.
export const glorotUniform_ = xavierUniform_;
export const glorotNormal_ = xavierNormal_;
export const heUniform_ = kaimingUniform_;
export const heNormal_ = kaimingNormal_;
export const trunc_normal_ = truncNormal_;
