/** Pooling and resampling layers. */
import { Tensor, TorchError, noGrad } from '../../torch/index.js';
import { op } from '../../torch/dispatch.js';
import { Module } from '../module.js';
import {
  maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool2d, adaptiveMaxPool2d, interpolate,
  type InterpolateOptions,
} from '../functional/conv.js';
import { tuple, checkInput, fmt } from './util.js';

type IntOrPair = number | readonly number[];

export interface MaxPoolLayerOptions {
  /** Default: the kernel size. */
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  dilation?: IntOrPair;
  ceilMode?: boolean;
}

/** 2-d max pooling over (N, C, H, W) or (C, H, W). */
export class MaxPool2d extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly dilation: number[];
  readonly ceilMode: boolean;

  constructor(kernelSize: IntOrPair, o: MaxPoolLayerOptions = {}) {
    super();
    this.kernelSize = tuple(kernelSize, 2, 'kernelSize', 'MaxPool2d', 1);
    this.stride = o.stride === undefined || o.stride === null ? this.kernelSize : tuple(o.stride, 2, 'stride', 'MaxPool2d', 1);
    this.padding = tuple(o.padding ?? 0, 2, 'padding', 'MaxPool2d', 0);
    this.dilation = tuple(o.dilation ?? 1, 2, 'dilation', 'MaxPool2d', 1);
    this.ceilMode = o.ceilMode ?? false;
  }

  forward(input: Tensor): Tensor {
    return maxPool2d(checkInput(input, 'MaxPool2d'), this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }

  override extraRepr(): string {
    return `kernelSize=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}, padding=${fmt(this.padding)}, dilation=${fmt(this.dilation)}, ceilMode=${this.ceilMode}`;
  }
}

/** 1-d max pooling over (N, C, L) or (C, L). */
export class MaxPool1d extends Module {
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly ceilMode: boolean;

  constructor(kernelSize: number, o: { stride?: number | null; padding?: number; dilation?: number; ceilMode?: boolean } = {}) {
    super();
    this.kernelSize = tuple(kernelSize, 1, 'kernelSize', 'MaxPool1d', 1)[0];
    this.stride = o.stride === undefined || o.stride === null ? this.kernelSize : tuple(o.stride, 1, 'stride', 'MaxPool1d', 1)[0];
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.ceilMode = o.ceilMode ?? false;
  }

  forward(input: Tensor): Tensor {
    return maxPool1d(checkInput(input, 'MaxPool1d'), this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }

  override extraRepr(): string {
    return `kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}, dilation=${this.dilation}, ceilMode=${this.ceilMode}`;
  }
}

export interface AvgPoolLayerOptions {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  ceilMode?: boolean;
  /** Whether zero padding counts in the divisor. Default true. */
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/** 2-d average pooling over (N, C, H, W) or (C, H, W). */
export class AvgPool2d extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: IntOrPair, o: AvgPoolLayerOptions = {}) {
    super();
    this.kernelSize = tuple(kernelSize, 2, 'kernelSize', 'AvgPool2d', 1);
    this.stride = o.stride === undefined || o.stride === null ? this.kernelSize : tuple(o.stride, 2, 'stride', 'AvgPool2d', 1);
    this.padding = tuple(o.padding ?? 0, 2, 'padding', 'AvgPool2d', 0);
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }

  forward(input: Tensor): Tensor {
    return avgPool2d(checkInput(input, 'AvgPool2d'), this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return `kernelSize=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}, padding=${fmt(this.padding)}`;
  }
}

/** 1-d average pooling over (N, C, L) or (C, L). */
export class AvgPool1d extends Module {
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(kernelSize: number, o: { stride?: number | null; padding?: number; ceilMode?: boolean; countIncludePad?: boolean } = {}) {
    super();
    this.kernelSize = tuple(kernelSize, 1, 'kernelSize', 'AvgPool1d', 1)[0];
    this.stride = o.stride === undefined || o.stride === null ? this.kernelSize : tuple(o.stride, 1, 'stride', 'AvgPool1d', 1)[0];
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
  }

  forward(input: Tensor): Tensor {
    return avgPool1d(checkInput(input, 'AvgPool1d'), this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }

  override extraRepr(): string {
    return `kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}`;
  }
}

/** Average-pools to a fixed output size (H_out, W_out) whatever the input size. */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: number[];

  constructor(outputSize: IntOrPair) {
    super();
    this.outputSize = tuple(outputSize, 2, 'outputSize', 'AdaptiveAvgPool2d', 1);
  }

  forward(input: Tensor): Tensor {
    return adaptiveAvgPool2d(checkInput(input, 'AdaptiveAvgPool2d'), this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${fmt(this.outputSize)}`;
  }
}

/** Max-pools to a fixed output size. */
export class AdaptiveMaxPool2d extends Module {
  readonly outputSize: number[];

  constructor(outputSize: IntOrPair) {
    super();
    this.outputSize = tuple(outputSize, 2, 'outputSize', 'AdaptiveMaxPool2d', 1);
  }

  forward(input: Tensor): Tensor {
    return adaptiveMaxPool2d(checkInput(input, 'AdaptiveMaxPool2d'), this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${fmt(this.outputSize)}`;
  }
}

/**
 * Global average pooling: the mean over H and W of (N, C, H, W) input, giving
 * (N, C), or (N, C, 1, 1) with keepdim (= AdaptiveAvgPool2d(1)).
 */
export class GlobalAvgPool2d extends Module {
  readonly keepdim: boolean;

  constructor(o: { keepdim?: boolean } = {}) {
    super();
    this.keepdim = o.keepdim ?? false;
  }

  forward(input: Tensor): Tensor {
    const x = checkInput(input, 'GlobalAvgPool2d');
    if (x.ndim !== 4) throw new TorchError(`expected 4D input (N, C, H, W), got shape [${x.shape.join(', ')}]`, 'GlobalAvgPool2d');
    return x.mean([2, 3], this.keepdim);
  }

  override extraRepr(): string {
    return `keepdim=${this.keepdim}`;
  }
}

const im2col = op('aten::im2col');
const multinomial = op('aten::multinomial');

/**
 * Stochastic pooling (Zeiler & Fergus 2013, "Stochastic Pooling for
 * Regularization of Deep Convolutional Neural Networks").
 *
 * For each pooling window with activations a_i, p_i = a_i / Σ_j a_j.
 * - Training: one activation per window is sampled with probability p_i and
 *   becomes the output (gradient flows to the sampled element only, as in max
 *   pooling). The draws use libtorch's generator (tn.manualSeed repeats them).
 * - Eval: the probability-weighted average Σ_i p_i·a_i = Σ a_i² / Σ a_i.
 *
 * The method is meant for non-negative input (after a ReLU): negative
 * activations count as 0, and a window of zeros gives 0 in both modes.
 * Windows come from unfold (im2col) over (N·C, 1, H, W), so there are no
 * per-pixel loops; the output has max pooling's size for the same kernel,
 * stride (default the kernel) and zero padding.
 */
export class StochasticPool2d extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];

  constructor(kernelSize: IntOrPair, o: { stride?: IntOrPair | null; padding?: IntOrPair } = {}) {
    super();
    this.kernelSize = tuple(kernelSize, 2, 'kernelSize', 'StochasticPool2d', 1);
    this.stride = o.stride === undefined || o.stride === null ? this.kernelSize : tuple(o.stride, 2, 'stride', 'StochasticPool2d', 1);
    this.padding = tuple(o.padding ?? 0, 2, 'padding', 'StochasticPool2d', 0);
    this.padding.forEach((p, i) => {
      if (p * 2 > this.kernelSize[i]) throw new TorchError(`padding ${p} must be at most half the kernel size ${this.kernelSize[i]}`, 'StochasticPool2d');
    });
  }

  forward(input: Tensor): Tensor {
    const OP = 'StochasticPool2d';
    const x = checkInput(input, OP);
    if (x.ndim !== 3 && x.ndim !== 4) throw new TorchError(`expected 3D or 4D input, got shape [${x.shape.join(', ')}]`, OP);
    if (!x.isFloatingPoint()) throw new TorchError(`expected a floating-point input, got ${x.dtype}`, OP);
    const lead = x.shape.slice(0, x.ndim - 2);
    const [h, w] = x.shape.slice(x.ndim - 2);
    const [kh, kw] = this.kernelSize;
    const ho = Math.floor((h + 2 * this.padding[0] - kh) / this.stride[0]) + 1;
    const wo = Math.floor((w + 2 * this.padding[1] - kw) / this.stride[1]) + 1;
    if (ho < 1 || wo < 1) throw new TorchError(`input [${x.shape.join(', ')}] is smaller than the kernel ${fmt(this.kernelSize)}`, OP);
    const k = kh * kw;
    const tmp: Tensor[] = [];
    const t = <T extends Tensor>(v: T): T => {
      tmp.push(v);
      return v;
    };
    try {
      const planes = t(x.reshape([-1, 1, h, w]));
      // (N·C, k, L) -> (N·C, L, k): one row of k activations per window.
      const cols = t(new Tensor(im2col(planes.h, this.kernelSize, [1, 1], this.padding, this.stride)));
      const win = t(t(cols.transpose(1, 2)).clampMin(0));
      let out: Tensor;
      if (this.training) {
        const idx = noGrad(() => {
          const probs = t(t(win.detach()).reshape([-1, k]));
          const total = t(probs.sum(1, true));
          // All-zero windows: sample uniformly (every candidate is 0 anyway).
          const empty = t(total.eq(0));
          const safe = t(probs.add(empty));
          return t(new Tensor(multinomial(safe.h, 1, false, null)));
        });
        const rows = t(win.reshape([-1, k]));
        out = t(rows.gather(1, idx));
      } else {
        const num = t(t(win.square()).sum(2));
        const den = t(win.sum(2));
        const safe = t(den.add(t(den.eq(0))));
        out = t(num.div(safe));
      }
      return out.reshape([...lead, ho, wo]);
    } finally {
      for (const v of tmp) v.dispose();
    }
  }

  override extraRepr(): string {
    return `kernelSize=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}, padding=${fmt(this.padding)}`;
  }
}

/** Resizes (N, C, H, W) input to `size` or by `scaleFactor`, with 'nearest' (default) or 'bilinear' sampling. */
export class Upsample extends Module {
  readonly size: number | readonly number[] | undefined;
  readonly scaleFactor: number | readonly number[] | undefined;
  readonly mode: 'nearest' | 'bilinear';
  readonly alignCorners: boolean | undefined;

  constructor(o: InterpolateOptions) {
    super();
    if (o === null || typeof o !== 'object') throw new TorchError('Upsample takes { size } or { scaleFactor }, with mode and alignCorners', 'Upsample');
    if ((o.size === undefined) === (o.scaleFactor === undefined)) throw new TorchError('give exactly one of size and scaleFactor', 'Upsample');
    this.size = o.size;
    this.scaleFactor = o.scaleFactor;
    this.mode = o.mode ?? 'nearest';
    if (this.mode !== 'nearest' && this.mode !== 'bilinear') throw new TorchError(`mode must be 'nearest' or 'bilinear', got '${String(this.mode)}'`, 'Upsample');
    this.alignCorners = o.alignCorners;
  }

  forward(input: Tensor): Tensor {
    return interpolate(checkInput(input, 'Upsample'), { size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners });
  }

  override extraRepr(): string {
    const what = this.size !== undefined ? `size=${String(this.size)}` : `scaleFactor=${String(this.scaleFactor)}`;
    return `${what}, mode='${this.mode}'${this.alignCorners !== undefined ? `, alignCorners=${this.alignCorners}` : ''}`;
  }
}
