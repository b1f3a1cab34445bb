/** Convolution layers: Conv1d, Conv2d, ConvTranspose2d and DepthwiseSeparableConv2d. */
import { Tensor, TorchError } from '../../torch/index.js';
import { Module, type Parameter } from '../module.js';
import { conv1d, conv2d, convTranspose2d, pad as fpad } from '../functional/conv.js';
import { kaimingUniform_ } from '../init.js';
import { biasInit } from './linear.js';
import { newParameter, positiveInt, tuple, checkInput, fmt } from './util.js';

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
/** A number or one per spatial dimension; 'valid' = 0; 'same' keeps the size (stride 1 only); 'full' = dilation·(kernel − 1) on each side. */
export type ConvLayerPadding = number | readonly number[] | 'same' | 'valid' | 'full';

export interface ConvLayerOptions {
  stride?: number | readonly number[];
  padding?: ConvLayerPadding;
  dilation?: number | readonly number[];
  groups?: number;
  /** Default true. */
  bias?: boolean;
  /** How padding is filled: zeros (default), or reflect/replicate/circular done with F.pad before an unpadded convolution, as PyTorch does. */
  paddingMode?: PaddingMode;
}

/** Shared by Conv1d and Conv2d (PyTorch's _ConvNd). */
abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | 'same' | 'valid' | 'full';
  readonly dilation: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  weight: Parameter;
  bias: Parameter | null;
  /** Per dimension, the (before, after) amounts of explicit padding (all zero when the convolution pads itself). */
  private readonly explicitPad: number[];

  protected constructor(n: 1 | 2, inChannels: number, outChannels: number, kernelSize: number | readonly number[], o: ConvLayerOptions) {
    super();
    const name = this.constructor.name;
    this.inChannels = positiveInt(inChannels, 'inChannels', name);
    this.outChannels = positiveInt(outChannels, 'outChannels', name);
    this.kernelSize = tuple(kernelSize, n, 'kernelSize', name, 1);
    this.stride = tuple(o.stride ?? 1, n, 'stride', name, 1);
    this.dilation = tuple(o.dilation ?? 1, n, 'dilation', name, 1);
    this.groups = positiveInt(o.groups ?? 1, 'groups', name);
    if (inChannels % this.groups !== 0) throw new TorchError(`inChannels (${inChannels}) must be divisible by groups (${this.groups})`, name);
    if (outChannels % this.groups !== 0) throw new TorchError(`outChannels (${outChannels}) must be divisible by groups (${this.groups})`, name);
    const mode = o.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(mode)) throw new TorchError(`paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', got '${String(mode)}'`, name);
    this.paddingMode = mode;
    const p = o.padding ?? 0;
    let perDim: [number, number][];
    if (typeof p === 'string') {
      if (!['same', 'valid', 'full'].includes(p)) throw new TorchError(`padding must be a number, an array, 'same', 'valid' or 'full', got '${p}'`, name);
      if (p === 'same' && this.stride.some((s) => s !== 1)) throw new TorchError("padding='same' is not supported for strided convolutions", name);
      this.padding = p;
      perDim = this.kernelSize.map((k, i) => {
        const total = this.dilation[i] * (k - 1);
        if (p === 'valid') return [0, 0];
        if (p === 'full') return [total, total];
        const left = Math.floor(total / 2);
        return [left, total - left];
      });
    } else {
      this.padding = tuple(p, n, 'padding', name, 0);
      perDim = this.padding.map((v) => [v, v]);
    }
    // F.pad lists (before, after) from the last dimension backwards.
    this.explicitPad = mode === 'zeros' ? [] : perDim.slice().reverse().flat();
    this.weight = this.registerParameter('weight', newParameter(this.weightShape(), (w) => kaimingUniform_(w, { a: Math.sqrt(5) })));
    this.bias = this.registerParameter('bias', o.bias ?? true ? newParameter([this.outChannels], (b) => biasInit(b, this.weight)) : null);
  }

  protected weightShape(): number[] {
    return [this.outChannels, this.inChannels / this.groups, ...this.kernelSize];
  }

  protected abstract conv(x: Tensor, padding: number[] | 'same' | 'valid'): Tensor;

  forward(input: Tensor): Tensor {
    const x = checkInput(input, this.constructor.name);
    if (this.paddingMode !== 'zeros') {
      // libtorch's circular pad needs a batch dimension; unbatched input gets one for the pad.
      const unbatched = x.ndim === this.kernelSize.length + 1;
      const b = unbatched ? x.unsqueeze(0) : x;
      const padded = fpad(b, this.explicitPad, this.paddingMode);
      const pu = unbatched ? padded.squeeze(0) : padded;
      try {
        return this.conv(pu, this.kernelSize.map(() => 0));
      } finally {
        for (const t of new Set([b, padded, pu])) if (t !== x) t.dispose();
      }
    }
    if (this.padding === 'full') return this.conv(x, this.kernelSize.map((k, i) => this.dilation[i] * (k - 1)));
    return this.conv(x, this.padding);
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding='${this.padding}'`;
    else if (this.padding.some((v) => v !== 0)) s += `, padding=${fmt(this.padding)}`;
    if (this.dilation.some((v) => v !== 1)) s += `, dilation=${fmt(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=false';
    if (this.paddingMode !== 'zeros') s += `, paddingMode='${this.paddingMode}'`;
    return s;
  }
}

/**
 * 2-d convolution over (N, C, H, W) (or unbatched (C, H, W)) input. weight is
 * (out, in/groups, kH, kW), initialised as PyTorch's: kaiming_uniform_(a=√5),
 * bias U(±1/√fan_in).
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], opts: ConvLayerOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, opts);
  }

  protected conv(x: Tensor, padding: number[] | 'same' | 'valid'): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding, dilation: this.dilation, groups: this.groups });
  }
}

/** 1-d convolution over (N, C, L) (or unbatched (C, L)) input. */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], opts: ConvLayerOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, opts);
  }

  protected conv(x: Tensor, padding: number[] | 'same' | 'valid'): Tensor {
    return conv1d(x, this.weight, this.bias, { stride: this.stride, padding, dilation: this.dilation, groups: this.groups });
  }
}

export interface ConvTransposeLayerOptions {
  stride?: number | readonly number[];
  padding?: number | readonly number[];
  outputPadding?: number | readonly number[];
  groups?: number;
  bias?: boolean;
  dilation?: number | readonly number[];
}

/**
 * Transposed 2-d convolution. weight is (in, out/groups, kH, kW); as in
 * PyTorch, its fan_in for initialisation is size(1)·kH·kW.
 * Output size: (H − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1.
 */
export class ConvTranspose2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly outputPadding: number[];
  readonly dilation: number[];
  readonly groups: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], o: ConvTransposeLayerOptions = {}) {
    super();
    const name = 'ConvTranspose2d';
    this.inChannels = positiveInt(inChannels, 'inChannels', name);
    this.outChannels = positiveInt(outChannels, 'outChannels', name);
    this.kernelSize = tuple(kernelSize, 2, 'kernelSize', name, 1);
    this.stride = tuple(o.stride ?? 1, 2, 'stride', name, 1);
    this.padding = tuple(o.padding ?? 0, 2, 'padding', name, 0);
    this.outputPadding = tuple(o.outputPadding ?? 0, 2, 'outputPadding', name, 0);
    this.dilation = tuple(o.dilation ?? 1, 2, 'dilation', name, 1);
    this.groups = positiveInt(o.groups ?? 1, 'groups', name);
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) throw new TorchError(`inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${this.groups})`, name);
    this.outputPadding.forEach((op, i) => {
      if (op >= this.stride[i] && op >= this.dilation[i]) throw new TorchError(`outputPadding (${op}) must be smaller than either stride (${this.stride[i]}) or dilation (${this.dilation[i]})`, name);
    });
    this.weight = this.registerParameter('weight', newParameter([inChannels, outChannels / this.groups, ...this.kernelSize], (w) => kaimingUniform_(w, { a: Math.sqrt(5) })));
    this.bias = this.registerParameter('bias', o.bias ?? true ? newParameter([outChannels], (b) => biasInit(b, this.weight)) : null);
  }

  forward(input: Tensor): Tensor {
    return convTranspose2d(checkInput(input, 'ConvTranspose2d'), this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, groups: this.groups, dilation: this.dilation,
    });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=${fmt(this.kernelSize)}, stride=${fmt(this.stride)}`;
    if (this.padding.some((v) => v !== 0)) s += `, padding=${fmt(this.padding)}`;
    if (this.outputPadding.some((v) => v !== 0)) s += `, outputPadding=${fmt(this.outputPadding)}`;
    if (this.dilation.some((v) => v !== 1)) s += `, dilation=${fmt(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=false';
    return s;
  }
}

export interface DepthwiseSeparableOptions extends Omit<ConvLayerOptions, 'groups'> {
  /** Depthwise output channels per input channel (default 1). */
  depthMultiplier?: number;
}

/**
 * A depthwise k×k convolution (groups = inChannels, inChannels·depthMultiplier
 * outputs) followed by a pointwise 1×1 convolution to outChannels (Chollet
 * 2017; MobileNet). State-dict keys: depthwise.weight, depthwise.bias,
 * pointwise.weight, pointwise.bias. stride, padding, dilation and paddingMode
 * apply to the depthwise convolution; bias to both.
 */
export class DepthwiseSeparableConv2d extends Module {
  depthwise: Conv2d;
  pointwise: Conv2d;

  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], o: DepthwiseSeparableOptions = {}) {
    super();
    const m = positiveInt(o.depthMultiplier ?? 1, 'depthMultiplier', 'DepthwiseSeparableConv2d');
    const { depthMultiplier: _dm, ...rest } = o;
    this.depthwise = this.registerModule('depthwise', new Conv2d(inChannels, inChannels * m, kernelSize, { ...rest, groups: inChannels }));
    this.pointwise = this.registerModule('pointwise', new Conv2d(inChannels * m, outChannels, 1, { bias: o.bias }));
  }

  forward(input: Tensor): Tensor {
    const d = this.depthwise.forward(input);
    try {
      return this.pointwise.forward(d);
    } finally {
      d.dispose();
    }
  }
}
