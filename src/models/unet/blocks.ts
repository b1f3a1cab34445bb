/**
 * The U-Net's building blocks, with the module names of the widely used
 * PyTorch U-Net (milesial/Pytorch-UNet) so that its state dicts load:
 * DoubleConv (double_conv.{0,1,3,4}), Down (maxpool_conv.1), Up (up, conv) and
 * OutConv (conv). Written for tunet; options beyond that project's model
 * (padding 'valid', other norms and activations, residual shortcuts, dropout,
 * more or fewer convolutions per stage) only add modules without parameters
 * or add keys of their own (shortcut.*), never rename the reference keys.
 */
import * as tn from '../../torch/index.js';
import {
  Module, Sequential, Conv2d, ConvTranspose2d, MaxPool2d, Upsample, Dropout,
  BatchNorm2d, GroupNorm, InstanceNorm2d, Identity,
  ReLU, ReLU6, LeakyReLU, ELU, CELU, SELU, GELU, SiLU, Mish, Hardswish, Tanh, PReLU, Softplus,
} from '../../nn/index.js';

type Tensor = tn.Tensor;

export type UNetNorm = 'batch' | 'group' | 'instance' | 'none';
export type UNetActivationName =
  | 'relu' | 'relu6' | 'leakyRelu' | 'elu' | 'celu' | 'selu' | 'gelu' | 'silu' | 'swish' | 'mish' | 'hardswish' | 'tanh' | 'prelu' | 'softplus';

export const UNET_ACTIVATIONS: readonly UNetActivationName[] = [
  'relu', 'relu6', 'leakyRelu', 'elu', 'celu', 'selu', 'gelu', 'silu', 'swish', 'mish', 'hardswish', 'tanh', 'prelu', 'softplus',
];

/** A new activation module by name (leakyRelu: slope 0.01; prelu: one shared slope, 0.25), or from a factory. */
export function unetActivation(spec: UNetActivationName | (() => Module)): Module {
  if (typeof spec === 'function') {
    const m = spec();
    if (!(m instanceof Module)) throw new tn.TorchError("the 'activation' factory must return an nn.Module", 'UNet');
    return m;
  }
  switch (spec) {
    case 'relu': return new ReLU();
    case 'relu6': return new ReLU6();
    case 'leakyRelu': return new LeakyReLU(0.01);
    case 'elu': return new ELU();
    case 'celu': return new CELU();
    case 'selu': return new SELU();
    case 'gelu': return new GELU();
    case 'silu':
    case 'swish': return new SiLU();
    case 'mish': return new Mish();
    case 'hardswish': return new Hardswish();
    case 'tanh': return new Tanh();
    case 'prelu': return new PReLU();
    case 'softplus': return new Softplus();
  }
  throw new tn.TorchError(`option 'activation' must be one of ${UNET_ACTIVATIONS.join(', ')} or a function returning a Module, got ${JSON.stringify(spec)}`, 'UNet');
}

/** A normalisation layer for `channels` (instance norm is affine, as nnU-Net's), or null for 'none'. */
export function unetNorm(norm: UNetNorm, channels: number, groups: number): Module | null {
  switch (norm) {
    case 'batch': return new BatchNorm2d(channels);
    case 'group':
      if (channels % groups !== 0) throw new tn.TorchError(`option 'groupNormGroups' (${groups}) must divide every layer's channel count, but ${channels} is not divisible by it`, 'UNet');
      return new GroupNorm(groups, channels);
    case 'instance': return new InstanceNorm2d(channels, { affine: true });
    case 'none': return null;
  }
  throw new tn.TorchError(`option 'norm' must be 'batch', 'group', 'instance' or 'none', got ${JSON.stringify(norm)}`, 'UNet');
}

/** Options shared by every DoubleConv of one U-Net. */
export interface ConvStageOptions {
  /** 'same': 3×3 convolutions padded by 1; 'valid': unpadded (each convolution removes 2 pixels per dimension). */
  padding: 'same' | 'valid';
  norm: UNetNorm;
  groupNormGroups: number;
  activation: UNetActivationName | (() => Module);
  /** Convolutions in the stage (the paper's 2). */
  convs: number;
  /** Whether the 3×3 convolutions have a bias (default: only without a norm layer). */
  bias: boolean;
  /** Add a shortcut (1×1 convolution + norm when the channels change) before the last activation. */
  residual: boolean;
  /** Dropout probability after the stage (0: none). */
  dropout: number;
}

/** Center crop of the last two dimensions to h × w (x itself when it has that size). */
export function centerCrop(x: Tensor, h: number, w: number): Tensor {
  const [H, W] = x.shape.slice(-2);
  if (H === h && W === w) return x;
  if (H < h || W < w) throw new tn.TorchError(`cannot center-crop ${H}×${W} to ${h}×${w}`, 'UNet');
  const top = Math.floor((H - h) / 2);
  const left = Math.floor((W - w) / 2);
  const a = x.narrow(-2, top, h);
  const b = a.narrow(-1, left, w);
  a.dispose();
  return b;
}

/**
 * (3×3 convolution → norm → activation) × convs, the first convolution to
 * `mid` channels (default out), under double_conv as a Sequential: keys
 * double_conv.0 (conv), .1 (norm), .3, .4 … for batch norm and two
 * convolutions, as milesial's DoubleConv. With residual, the last activation
 * moves after the sum with the shortcut (key shortcut.0 = 1×1 conv, shortcut.1
 * = norm, when the channel count changes; identity otherwise), and the
 * activation module is `act`. Dropout, when asked for, comes last.
 */
export class DoubleConv extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly residual: boolean;
  readonly trim: number;
  double_conv: Sequential;
  shortcut: Module | null = null;
  act: Module | null = null;
  dropout: Dropout | null = null;

  constructor(inChannels: number, outChannels: number, o: ConvStageOptions, mid?: number) {
    super();
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.residual = o.residual;
    const pad = o.padding === 'same' ? 1 : 0;
    this.trim = (1 - pad) * o.convs; // pixels lost on each side
    const layers: Module[] = [];
    for (let i = 0; i < o.convs; i++) {
      const cin = i === 0 ? inChannels : (mid ?? outChannels);
      const cout = i === o.convs - 1 ? outChannels : (mid ?? outChannels);
      layers.push(new Conv2d(cin, cout, 3, { padding: pad, bias: o.bias }));
      const n = unetNorm(o.norm, cout, o.groupNormGroups);
      if (n) layers.push(n);
      if (!(o.residual && i === o.convs - 1)) layers.push(unetActivation(o.activation));
    }
    this.double_conv = this.registerModule('double_conv', new Sequential(...layers));
    if (o.residual) {
      if (inChannels !== outChannels) {
        const n = unetNorm(o.norm, outChannels, o.groupNormGroups);
        const proj = new Conv2d(inChannels, outChannels, 1, { bias: o.bias });
        this.shortcut = this.registerModule('shortcut', n ? new Sequential(proj, n) : new Sequential(proj));
      } else {
        this.shortcut = this.registerModule('shortcut', new Identity());
      }
      this.act = this.registerModule('act', unetActivation(o.activation));
    }
    if (o.dropout > 0) this.dropout = this.registerModule('dropout', new Dropout(o.dropout));
  }

  forward(x: Tensor): Tensor {
    let y = this.double_conv.forward(x) as Tensor;
    if (this.residual && this.shortcut && this.act) {
      const [h, w] = y.shape.slice(-2);
      const cropped = centerCrop(x, h, w);
      const id = this.shortcut.forward(cropped) as Tensor;
      const s = y.add(id);
      for (const t of new Set([y, id, cropped])) if (t !== x) t.dispose();
      y = this.act.forward(s) as Tensor;
      if (y !== s) s.dispose();
    }
    if (this.dropout) {
      const d = this.dropout.forward(y);
      if (d !== y) y.dispose();
      y = d;
    }
    return y;
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}${this.residual ? ', residual' : ''}`;
  }
}

/** 2×2 max pooling, then a DoubleConv, under maxpool_conv (keys maxpool_conv.1.double_conv.*). */
export class Down extends Module {
  maxpool_conv: Sequential;

  constructor(inChannels: number, outChannels: number, o: ConvStageOptions) {
    super();
    this.maxpool_conv = this.registerModule('maxpool_conv', new Sequential(new MaxPool2d(2), new DoubleConv(inChannels, outChannels, o)));
  }

  forward(x: Tensor): Tensor {
    return this.maxpool_conv.forward(x) as Tensor;
  }
}

/**
 * ×2 up-sampling of the features from below, concatenation [skip, upsampled]
 * (the skip center-cropped to the upsampled size with 'valid' padding, as in
 * the paper), then a DoubleConv. 'transposed': up is a 2×2 stride-2
 * ConvTranspose2d to `upChannels` (keys up.weight, up.bias); 'bilinear': up
 * is Upsample(×2, bilinear, alignCorners) without parameters, and the
 * DoubleConv's first convolution goes to `mid` channels (milesial's
 * in_channels // 2).
 */
export class Up extends Module {
  readonly mode: 'transposed' | 'bilinear';
  up: Module;
  conv: DoubleConv;

  constructor(belowChannels: number, skipChannels: number, outChannels: number, mode: 'transposed' | 'bilinear', o: ConvStageOptions, upChannels = skipChannels) {
    super();
    this.mode = mode;
    if (mode === 'transposed') {
      this.up = this.registerModule('up', new ConvTranspose2d(belowChannels, upChannels, 2, { stride: 2 }));
      this.conv = this.registerModule('conv', new DoubleConv(skipChannels + upChannels, outChannels, o));
    } else {
      this.up = this.registerModule('up', new Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: true }));
      const cin = skipChannels + belowChannels;
      this.conv = this.registerModule('conv', new DoubleConv(cin, outChannels, o, Math.floor(cin / 2)));
    }
  }

  forward(below: Tensor, skip: Tensor): Tensor {
    const u = this.up.forward(below) as Tensor;
    const [h, w] = u.shape.slice(-2);
    const s = centerCrop(skip, h, w);
    const cat = tn.cat([s, u], 1);
    u.dispose();
    if (s !== skip) s.dispose();
    try {
      return this.conv.forward(cat);
    } finally {
      cat.dispose();
    }
  }
}

/** The 1×1 convolution to the class logits (key conv.weight, conv.bias). */
export class OutConv extends Module {
  conv: Conv2d;

  constructor(inChannels: number, outChannels: number) {
    super();
    this.conv = this.registerModule('conv', new Conv2d(inChannels, outChannels, 1));
  }

  forward(x: Tensor): Tensor {
    return this.conv.forward(x);
  }
}
