/**
 * Building blocks of well-known architectures, with torchvision's module
 * structure so their state dicts load into each other:
 * Conv2dNormActivation, SqueezeExcite (torchvision.ops.SqueezeExcitation),
 * InvertedResidual (MobileNetV2, or V3 with SE and hardswish), and ResNet's
 * BasicBlock and Bottleneck.
 */
import { Tensor, TorchError } from '../../torch/index.js';
import { Module } from '../module.js';
import { Sequential } from '../containers.js';
import { Conv2d } from './conv.js';
import { BatchNorm2d } from './norm.js';
import { AdaptiveAvgPool2d } from './pooling.js';
import { ReLU, ReLU6, Hardswish, Hardsigmoid, Sigmoid, SiLU, GELU, Tanh } from './activation.js';
import { Identity } from './linear.js';
import { positiveInt, checkInput, chain } from './util.js';

/** An activation by name, or a factory of modules. */
export type ActivationSpec = 'relu' | 'relu6' | 'hardswish' | 'hardsigmoid' | 'sigmoid' | 'silu' | 'gelu' | 'tanh' | 'identity' | (() => Module);
/** A normalisation layer factory taking the channel count. */
export type NormFactory = (channels: number) => Module;

export function makeActivation(spec: ActivationSpec, op: string): Module {
  if (typeof spec === 'function') {
    const m = spec();
    if (!(m instanceof Module)) throw new TorchError('the activation factory must return a Module', op);
    return m;
  }
  switch (spec) {
    case 'relu': return new ReLU();
    case 'relu6': return new ReLU6();
    case 'hardswish': return new Hardswish();
    case 'hardsigmoid': return new Hardsigmoid();
    case 'sigmoid': return new Sigmoid();
    case 'silu': return new SiLU();
    case 'gelu': return new GELU();
    case 'tanh': return new Tanh();
    case 'identity': return new Identity();
  }
  throw new TorchError(`unknown activation '${String(spec)}'`, op);
}

/**
 * torchvision's _make_divisible: v rounded to the nearest multiple of
 * `divisor` (at least minValue, default divisor), never more than 10% below v.
 */
export function makeDivisible(v: number, divisor = 8, minValue?: number): number {
  const min = minValue ?? divisor;
  let n = Math.max(min, Math.floor(Math.floor(v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export interface ConvNormActivationOptions {
  kernelSize?: number;
  stride?: number;
  /** Default (kernelSize − 1)/2 · dilation. */
  padding?: number;
  groups?: number;
  dilation?: number;
  /** Default BatchNorm2d; null for none. */
  norm?: NormFactory | null;
  /** Default 'relu'; null for none. */
  activation?: ActivationSpec | null;
  /** Default: a bias only without a norm layer. */
  bias?: boolean;
}

/**
 * Conv2d → norm → activation as a Sequential with keys 0, 1, 2
 * (torchvision.ops.Conv2dNormActivation).
 */
export class Conv2dNormActivation extends Sequential {
  constructor(inChannels: number, outChannels: number, o: ConvNormActivationOptions = {}) {
    const k = o.kernelSize ?? 3;
    const dilation = o.dilation ?? 1;
    const norm = o.norm === undefined ? (c: number) => new BatchNorm2d(c) : o.norm;
    const act = o.activation === undefined ? 'relu' : o.activation;
    const layers: Module[] = [
      new Conv2d(inChannels, outChannels, k, {
        stride: o.stride ?? 1, padding: o.padding ?? Math.floor((k - 1) / 2) * dilation, dilation, groups: o.groups ?? 1, bias: o.bias ?? norm === null,
      }),
    ];
    if (norm !== null) layers.push(norm(outChannels));
    if (act !== null) layers.push(makeActivation(act, 'Conv2dNormActivation'));
    super(...layers);
  }

  override forward(input: Tensor): Tensor {
    return chain(checkInput(input, 'Conv2dNormActivation'), ...this.children().map((m) => (t: Tensor) => runFreeing(m, t)));
  }
}

export interface SqueezeExciteOptions {
  /** Default makeDivisible(floor(C/4), 8), as MobileNetV3. */
  squeezeChannels?: number;
  /** After the reducing 1×1 convolution. Default 'relu'. */
  activation?: ActivationSpec;
  /** Gives the channel scales. Default 'hardsigmoid' (MobileNetV3); 'sigmoid' for the original SE-Net. */
  scaleActivation?: ActivationSpec;
}

/**
 * Squeeze-and-excitation (Hu et al. 2018), MobileNetV3 style: global average
 * pool → 1×1 conv to squeezeChannels (fc1) → ReLU → 1×1 conv back to C (fc2)
 * → hard sigmoid → channel-wise scale of the input. Keys as torchvision's
 * SqueezeExcitation: fc1.weight, fc1.bias, fc2.weight, fc2.bias.
 */
export class SqueezeExcite extends Module {
  readonly inputChannels: number;
  readonly squeezeChannels: number;
  avgpool: AdaptiveAvgPool2d;
  fc1: Conv2d;
  fc2: Conv2d;
  activation: Module;
  scaleActivation: Module;

  constructor(inputChannels: number, o: SqueezeExciteOptions = {}) {
    super();
    this.inputChannels = positiveInt(inputChannels, 'inputChannels', 'SqueezeExcite');
    this.squeezeChannels = positiveInt(o.squeezeChannels ?? makeDivisible(Math.floor(inputChannels / 4), 8), 'squeezeChannels', 'SqueezeExcite');
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
    this.fc1 = this.registerModule('fc1', new Conv2d(inputChannels, this.squeezeChannels, 1));
    this.fc2 = this.registerModule('fc2', new Conv2d(this.squeezeChannels, inputChannels, 1));
    this.activation = this.registerModule('activation', makeActivation(o.activation ?? 'relu', 'SqueezeExcite'));
    this.scaleActivation = this.registerModule('scale_activation', makeActivation(o.scaleActivation ?? 'hardsigmoid', 'SqueezeExcite'));
  }

  /** The per-channel scales, (N, C, 1, 1). */
  scale(input: Tensor): Tensor {
    return chain(input, (t) => this.avgpool.forward(t), (t) => this.fc1.forward(t), (t) => this.activation.forward(t), (t) => this.fc2.forward(t), (t) => this.scaleActivation.forward(t));
  }

  forward(input: Tensor): Tensor {
    const x = checkInput(input, 'SqueezeExcite');
    const s = this.scale(x);
    try {
      return s.mul(x);
    } finally {
      s.dispose();
    }
  }

  override extraRepr(): string {
    return `${this.inputChannels}, squeezeChannels=${this.squeezeChannels}`;
  }
}

export interface InvertedResidualOptions {
  stride?: 1 | 2;
  /** hidden = round(inChannels · expandRatio); 1 skips the expansion. Default 6 (V2). Ignored when expandedChannels is given. */
  expandRatio?: number;
  /** The hidden width directly (MobileNetV3 configs give it). */
  expandedChannels?: number;
  /**
   * 'v2' (default): torchvision's MobileNetV2 block, keys conv.0.0 (expand
   * 1×1), conv.0.1 (BN), conv.1.0 (depthwise), conv.1.1, conv.2 (project 1×1),
   * conv.3 (BN). 'v3': torchvision's MobileNetV3 block, keys block.0 (expand
   * Conv2dNormActivation), block.1 (depthwise), block.2 (SE, with useSE),
   * block.3 (project Conv2dNormActivation without activation).
   */
  version?: 'v2' | 'v3';
  /** Depthwise kernel. Default 3. */
  kernelSize?: number;
  /** Depthwise dilation (v3: when > 1 the stride becomes 1, as torchvision). Default 1. */
  dilation?: number;
  /** Squeeze-excite after the depthwise conv (v3 only). */
  useSE?: boolean;
  /** Default 'relu6' (v2), 'relu' (v3; 'hardswish' for MobileNetV3's use_hs). */
  activation?: ActivationSpec;
  /** BatchNorm eps; default 1e-5 (v2), 1e-3 (v3, as torchvision's MobileNetV3). */
  bnEps?: number;
  /** BatchNorm momentum; default 0.1 (v2), 0.01 (v3). */
  bnMomentum?: number;
}

/**
 * MobileNetV2's inverted residual (Sandler et al. 2018): expand 1×1 + BN +
 * ReLU6 (skipped when the width does not change), depthwise k×k with the
 * stride + BN + ReLU6, linear projection 1×1 + BN; the input is added back
 * when stride is 1 and inChannels = outChannels. version 'v3' gives
 * MobileNetV3's variant (Howard et al. 2019) with optional squeeze-excite and
 * hardswish. Module structure and state-dict keys follow torchvision.
 */
export class InvertedResidual extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride: number;
  readonly hiddenChannels: number;
  readonly useResConnect: boolean;
  readonly version: 'v2' | 'v3';

  constructor(inChannels: number, outChannels: number, o: InvertedResidualOptions = {}) {
    super();
    const OP = 'InvertedResidual';
    this.inChannels = positiveInt(inChannels, 'inChannels', OP);
    this.outChannels = positiveInt(outChannels, 'outChannels', OP);
    const stride = o.stride ?? 1;
    if (stride !== 1 && stride !== 2) throw new TorchError(`stride should be 1 or 2, got ${String(stride)}`, OP);
    this.stride = stride;
    const version = o.version ?? 'v2';
    if (version !== 'v2' && version !== 'v3') throw new TorchError(`version must be 'v2' or 'v3', got '${String(version)}'`, OP);
    this.version = version;
    const hidden = o.expandedChannels ?? roundHalfEven(inChannels * (o.expandRatio ?? 6));
    this.hiddenChannels = positiveInt(hidden, 'expandedChannels', OP);
    this.useResConnect = stride === 1 && inChannels === outChannels;
    const k = o.kernelSize ?? 3;
    const dilation = o.dilation ?? 1;
    const eps = o.bnEps ?? (version === 'v2' ? 1e-5 : 1e-3);
    const momentum = o.bnMomentum ?? (version === 'v2' ? 0.1 : 0.01);
    const norm = (c: number) => new BatchNorm2d(c, { eps, momentum });
    const act: ActivationSpec = o.activation ?? (version === 'v2' ? 'relu6' : 'relu');
    const layers: Module[] = [];
    if (version === 'v2') {
      if (o.useSE) throw new TorchError("useSE needs version 'v3' (MobileNetV2 blocks have no squeeze-excite)", OP);
      // torchvision skips the expansion exactly when expand_ratio == 1.
      const expand = o.expandedChannels !== undefined ? hidden !== inChannels : (o.expandRatio ?? 6) !== 1;
      if (expand) layers.push(new Conv2dNormActivation(inChannels, hidden, { kernelSize: 1, norm, activation: act }));
      layers.push(new Conv2dNormActivation(hidden, hidden, { kernelSize: k, stride, dilation, groups: hidden, norm, activation: act }));
      layers.push(new Conv2d(hidden, outChannels, 1, { bias: false }));
      layers.push(norm(outChannels));
      this.registerModule('conv', new Sequential(...layers));
    } else {
      if (hidden !== inChannels) layers.push(new Conv2dNormActivation(inChannels, hidden, { kernelSize: 1, norm, activation: act }));
      layers.push(new Conv2dNormActivation(hidden, hidden, { kernelSize: k, stride: dilation > 1 ? 1 : stride, dilation, groups: hidden, norm, activation: act }));
      if (o.useSE) layers.push(new SqueezeExcite(hidden, { squeezeChannels: makeDivisible(Math.floor(hidden / 4), 8) }));
      layers.push(new Conv2dNormActivation(hidden, outChannels, { kernelSize: 1, norm, activation: null }));
      this.registerModule('block', new Sequential(...layers));
    }
  }

  /** The Sequential body ('conv' in v2, 'block' in v3). */
  get body(): Sequential {
    return this.namedChildren()[0][1] as Sequential;
  }

  forward(input: Tensor): Tensor {
    const x = checkInput(input, 'InvertedResidual');
    const y = runFreeing(this.body, x);
    if (!this.useResConnect) return y;
    try {
      return y.add(x);
    } finally {
      y.dispose();
    }
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, stride=${this.stride}, hidden=${this.hiddenChannels}, version='${this.version}'`;
  }
}

export interface ResBlockOptions {
  stride?: number;
  /**
   * The shortcut's projection. Default: made when stride ≠ 1 or the channels
   * change, as torchvision's ResNet._make_layer does: Sequential(1×1 Conv2d
   * (stride, no bias), BatchNorm2d) — keys downsample.0.weight, downsample.1.*.
   * null: no projection (the shapes must then match).
   */
  downsample?: Module | null;
  groups?: number;
  baseWidth?: number;
  dilation?: number;
  /** Default BatchNorm2d. */
  norm?: NormFactory;
}

function defaultDownsample(inplanes: number, outplanes: number, stride: number, norm: NormFactory, given: Module | null | undefined): Module | null {
  if (given !== undefined) return given;
  if (stride === 1 && inplanes === outplanes) return null;
  return new Sequential(new Conv2d(inplanes, outplanes, 1, { stride, bias: false }), norm(outplanes));
}

/**
 * Runs a module; a plain Sequential runs child by child so its intermediate
 * results are freed (Sequential.forward leaves them to the caller).
 */
export function runFreeing(m: Module, x: Tensor): Tensor {
  if (Object.getPrototypeOf(m) === Sequential.prototype) return chain(x, ...m.children().map((c) => (t: Tensor) => c.forward(t) as Tensor));
  return m.forward(x) as Tensor;
}

function residualOut(out: Tensor, x: Tensor, downsample: Module | null, relu: Module): Tensor {
  const identity = downsample ? runFreeing(downsample, x) : x;
  const s = out.add(identity);
  if (identity !== x) identity.dispose();
  try {
    return relu.forward(s) as Tensor;
  } finally {
    s.dispose();
  }
}

/**
 * ResNet's basic block (He et al. 2016), as torchvision's: conv1 (3×3,
 * stride) → bn1 → relu → conv2 (3×3) → bn2, plus the shortcut (downsample),
 * then relu. Keys conv1, bn1, conv2, bn2, downsample.0, downsample.1.
 * expansion = 1.
 */
export class BasicBlock extends Module {
  static readonly expansion = 1;
  readonly stride: number;
  conv1: Conv2d;
  bn1: Module;
  relu: ReLU;
  conv2: Conv2d;
  bn2: Module;
  downsample: Module | null;

  constructor(inplanes: number, planes: number, o: ResBlockOptions = {}) {
    super();
    const OP = 'BasicBlock';
    if ((o.groups ?? 1) !== 1 || (o.baseWidth ?? 64) !== 64) throw new TorchError('BasicBlock only supports groups=1 and baseWidth=64', OP);
    if ((o.dilation ?? 1) > 1) throw new TorchError('dilation > 1 is not supported in BasicBlock', OP);
    const norm = o.norm ?? ((c: number) => new BatchNorm2d(c));
    this.stride = positiveInt(o.stride ?? 1, 'stride', OP);
    this.conv1 = this.registerModule('conv1', new Conv2d(inplanes, planes, 3, { stride: this.stride, padding: 1, bias: false }));
    this.bn1 = this.registerModule('bn1', norm(planes));
    this.relu = this.registerModule('relu', new ReLU());
    this.conv2 = this.registerModule('conv2', new Conv2d(planes, planes, 3, { padding: 1, bias: false }));
    this.bn2 = this.registerModule('bn2', norm(planes));
    this.downsample = this.registerModule('downsample', defaultDownsample(inplanes, planes, this.stride, norm, o.downsample));
  }

  forward(input: Tensor): Tensor {
    const x = checkInput(input, 'BasicBlock');
    const out = chain(x, (t) => this.conv1.forward(t), (t) => this.bn1.forward(t), (t) => this.relu.forward(t), (t) => this.conv2.forward(t), (t) => this.bn2.forward(t));
    try {
      return residualOut(out, x, this.downsample, this.relu);
    } finally {
      out.dispose();
    }
  }
}

/**
 * ResNet's bottleneck block (torchvision's, stride on the 3×3 conv as in
 * ResNet v1.5): conv1 (1×1 to width) → bn1 → relu → conv2 (3×3, stride,
 * groups, dilation) → bn2 → relu → conv3 (1×1 to planes·4) → bn3, plus the
 * shortcut, then relu. width = floor(planes·baseWidth/64)·groups.
 * expansion = 4.
 */
export class Bottleneck extends Module {
  static readonly expansion = 4;
  readonly stride: number;
  conv1: Conv2d;
  bn1: Module;
  conv2: Conv2d;
  bn2: Module;
  conv3: Conv2d;
  bn3: Module;
  relu: ReLU;
  downsample: Module | null;

  constructor(inplanes: number, planes: number, o: ResBlockOptions = {}) {
    super();
    const OP = 'Bottleneck';
    const norm = o.norm ?? ((c: number) => new BatchNorm2d(c));
    const groups = positiveInt(o.groups ?? 1, 'groups', OP);
    const dilation = positiveInt(o.dilation ?? 1, 'dilation', OP);
    const width = Math.floor(planes * ((o.baseWidth ?? 64) / 64)) * groups;
    this.stride = positiveInt(o.stride ?? 1, 'stride', OP);
    this.conv1 = this.registerModule('conv1', new Conv2d(inplanes, width, 1, { bias: false }));
    this.bn1 = this.registerModule('bn1', norm(width));
    this.conv2 = this.registerModule('conv2', new Conv2d(width, width, 3, { stride: this.stride, padding: dilation, groups, dilation, bias: false }));
    this.bn2 = this.registerModule('bn2', norm(width));
    this.conv3 = this.registerModule('conv3', new Conv2d(width, planes * Bottleneck.expansion, 1, { bias: false }));
    this.bn3 = this.registerModule('bn3', norm(planes * Bottleneck.expansion));
    this.relu = this.registerModule('relu', new ReLU());
    this.downsample = this.registerModule('downsample', defaultDownsample(inplanes, planes * Bottleneck.expansion, this.stride, norm, o.downsample));
  }

  forward(input: Tensor): Tensor {
    const x = checkInput(input, 'Bottleneck');
    const out = chain(x,
      (t) => this.conv1.forward(t), (t) => this.bn1.forward(t), (t) => this.relu.forward(t),
      (t) => this.conv2.forward(t), (t) => this.bn2.forward(t), (t) => this.relu.forward(t),
      (t) => this.conv3.forward(t), (t) => this.bn3.forward(t));
    try {
      return residualOut(out, x, this.downsample, this.relu);
    } finally {
      out.dispose();
    }
  }
}
