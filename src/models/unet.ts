/**
 * U-Net (Ronneberger, Fischer & Brox 2015, "U-Net: Convolutional Networks for
 * Biomedical Image Segmentation"), registered as 'unet'.
 *
 * With the default config (padding 'same', batch norm, ReLU, transposed
 * up-sampling, two convolutions per stage, depth 4) the module tree and the
 * state-dict keys are those of the widely used PyTorch U-Net by milesial
 * (github.com/milesial/Pytorch-UNet, unet/unet_model.py): inc.double_conv.{0,1,3,4}.*,
 * down1…down4.maxpool_conv.1.double_conv.*, up1…up4.up.{weight,bias},
 * up1…up4.conv.double_conv.*, outc.conv.*, with bias-free 3×3 convolutions
 * before BatchNorm — so `new UNet({ inChannels: 3, numClasses: 2 })` loads
 * that project's UNet(n_channels=3, n_classes=2, bilinear=False) checkpoints
 * (31,037,698 parameters) with loadStateDict, strictly.
 *
 * upsampling 'bilinear' follows milesial's bilinear variant too (UNet(…,
 * bilinear=True), 17,263,042 parameters for 3 → 2): the bottleneck has half
 * the channels (its `factor` 2), up-sampling has no parameters, and each
 * decoder DoubleConv's first convolution halves the concatenated channels
 * (mid = in // 2) while its second one gives the next level's skip width.
 * This differs from the "Upsample then a convolution halving the channels"
 * variant of other implementations; the keys are milesial's.
 *
 * Other options extend the reference without renaming its keys:
 * - padding 'valid': the paper's unpadded convolutions, the skip connections
 *   center-cropped to the up-sampled size; 572×572 → 388×388 at depth 4.
 * - norm 'group' | 'instance' | 'none', activation by name, residual stages,
 *   dropout, deep supervision, an auxiliary classification head.
 *
 * Outputs:
 * - a Tensor of logits (N, numClasses, H', W');
 * - with deepSupervision, in training mode, an array [main, aux1, …,
 *   aux(depth−1)]: aux_k is the 1×1-conv head on the decoder level k, at
 *   1/2^k of the main output's resolution (downsample the targets, as
 *   nnU-Net does); in eval mode the main output only, as nnU-Net;
 * - with auxClassifier, { seg, cls }: seg as above, cls the (N, classes)
 *   logits of global average pooling + Linear on the bottleneck.
 */
import * as tn from '../torch/index.js';
import { Module, Sequential, ModuleList, Conv2d, AdaptiveAvgPool2d, Flatten, Linear, Dropout } from '../nn/index.js';
import { registerModel, checkConfigKeys } from './registry.js';
import {
  DoubleConv, Down, Up, OutConv, UNET_ACTIVATIONS,
  type ConvStageOptions, type UNetNorm, type UNetActivationName,
} from './unet/blocks.js';

export { DoubleConv as UNetDoubleConv, Down as UNetDown, Up as UNetUp, OutConv as UNetOutConv, type UNetNorm, type UNetActivationName };

type Tensor = tn.Tensor;

export interface UNetConfig {
  /** Input channels. Default 1. */
  inChannels?: number;
  /** Output channels of the segmentation head (1 for binary with a sigmoid/BCE). Default 1. */
  numClasses?: number;
  /** Number of 2× down-sampling steps. Default 4 (the paper's). */
  depth?: number;
  /** Channels of the first level; level l has baseWidth·2^l (capped by maxWidth). Default 64 (the paper's). */
  baseWidth?: number;
  /** Upper bound on any level's channels. Default: none. */
  maxWidth?: number | null;
  /** 'same' (default): padded 3×3 convolutions, output size = input size; 'valid': the paper's unpadded ones. */
  padding?: 'same' | 'valid';
  /** Default 'batch'. 'instance' is affine (as nnU-Net). */
  norm?: UNetNorm;
  /** Groups of GroupNorm with norm 'group'. Default 8. */
  groupNormGroups?: number;
  /** Activation after each normalisation: a name, or a factory of modules. Default 'relu'. */
  activation?: UNetActivationName | (() => Module);
  /** Dropout probability (0: none, the default), after the bottleneck stage (the paper's "drop-out layers at the end of the contracting path"). */
  dropout?: number;
  /** Where dropout goes: 'bottleneck' (default) or also after every decoder stage ('bottleneck+decoder'). */
  dropoutPlacement?: 'bottleneck' | 'bottleneck+decoder';
  /** 'transposed' (default): 2×2 stride-2 transposed convolutions; 'bilinear': milesial's bilinear variant. */
  upsampling?: 'transposed' | 'bilinear';
  /** Residual stages: each DoubleConv adds a shortcut (1×1 conv + norm where the channels change). Default false. */
  residual?: boolean;
  /** 1×1-conv heads on the decoder levels 1 … depth−1; forward returns [main, aux1, …] in training mode. Default false. */
  deepSupervision?: boolean;
  /** A classification head on the bottleneck (global average pooling + Linear); forward then returns { seg, cls }. */
  auxClassifier?: { numClasses: number; dropout?: number } | null;
  /** Convolutions per stage. Default 2 (the paper's). */
  convsPerStage?: number;
  /** Bias in the 3×3 convolutions (and residual projections). Default: only with norm 'none' (milesial's current code; set true for its older checkpoints). */
  convBias?: boolean;
}

export type ResolvedUNetConfig = Required<Omit<UNetConfig, 'maxWidth' | 'auxClassifier'>> & {
  maxWidth: number | null;
  auxClassifier: { numClasses: number; dropout: number } | null;
};

export type UNetOutput = Tensor | Tensor[] | { seg: Tensor | Tensor[]; cls: Tensor };

export const UNET_CONFIG_KEYS = [
  'inChannels', 'numClasses', 'depth', 'baseWidth', 'maxWidth', 'padding', 'norm', 'groupNormGroups', 'activation',
  'dropout', 'dropoutPlacement', 'upsampling', 'residual', 'deepSupervision', 'auxClassifier', 'convsPerStage', 'convBias',
] as const;

const OP = 'UNet';

function bad(name: string, what: string, v: unknown): never {
  const shown = typeof v === 'function' ? 'a function' : JSON.stringify(v) ?? String(v);
  throw new tn.TorchError(`option '${name}' must be ${what}, got ${shown}`, OP);
}

function int(v: unknown, name: string, min: number, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(name, max === Infinity ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`, v);
  return v;
}

function oneOf<T extends string>(v: unknown, name: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) bad(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v);
  return v as T;
}

function bool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') bad(name, 'true or false', v);
  return v;
}

function prob(v: unknown, name: string): number {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) bad(name, 'a probability in [0, 1)', v);
  return v;
}

/** Fills in the defaults and checks every option (a TorchError names the option). */
export function resolveUNetConfig(config: UNetConfig = {}): ResolvedUNetConfig {
  if (config === null || typeof config !== 'object') throw new tn.TorchError(`the config must be an object, got ${config === null ? 'null' : typeof config}`, OP);
  checkConfigKeys('unet', config as Record<string, unknown>, UNET_CONFIG_KEYS);
  const c = config;
  const norm = oneOf(c.norm ?? 'batch', 'norm', ['batch', 'group', 'instance', 'none'] as const);
  const activation = c.activation ?? 'relu';
  if (typeof activation !== 'function') oneOf(activation, 'activation', UNET_ACTIVATIONS);
  let aux: ResolvedUNetConfig['auxClassifier'] = null;
  if (c.auxClassifier !== undefined && c.auxClassifier !== null) {
    const a = c.auxClassifier as Record<string, unknown>;
    if (typeof a !== 'object' || Array.isArray(a)) bad('auxClassifier', '{ numClasses, dropout? } or null', a);
    const unknown = Object.keys(a).filter((k) => k !== 'numClasses' && k !== 'dropout');
    if (unknown.length) bad('auxClassifier', '{ numClasses, dropout? } (unknown keys ' + unknown.join(', ') + ')', a);
    aux = { numClasses: int(a.numClasses, 'auxClassifier.numClasses', 1), dropout: prob(a.dropout ?? 0, 'auxClassifier.dropout') };
  }
  const maxWidth = c.maxWidth === undefined || c.maxWidth === null ? null : int(c.maxWidth, 'maxWidth', 1);
  return {
    inChannels: int(c.inChannels ?? 1, 'inChannels', 1),
    numClasses: int(c.numClasses ?? 1, 'numClasses', 1),
    depth: int(c.depth ?? 4, 'depth', 1, 10),
    baseWidth: int(c.baseWidth ?? 64, 'baseWidth', 1),
    maxWidth,
    padding: oneOf(c.padding ?? 'same', 'padding', ['same', 'valid'] as const),
    norm,
    groupNormGroups: int(c.groupNormGroups ?? 8, 'groupNormGroups', 1),
    activation,
    dropout: prob(c.dropout ?? 0, 'dropout'),
    dropoutPlacement: oneOf(c.dropoutPlacement ?? 'bottleneck', 'dropoutPlacement', ['bottleneck', 'bottleneck+decoder'] as const),
    upsampling: oneOf(c.upsampling ?? 'transposed', 'upsampling', ['transposed', 'bilinear'] as const),
    residual: bool(c.residual ?? false, 'residual'),
    deepSupervision: bool(c.deepSupervision ?? false, 'deepSupervision'),
    auxClassifier: aux,
    convsPerStage: int(c.convsPerStage ?? 2, 'convsPerStage', 1),
    convBias: bool(c.convBias ?? norm === 'none', 'convBias'),
  };
}

type SizeRule = Pick<ResolvedUNetConfig, 'depth' | 'padding' | 'convsPerStage'>;

/**
 * The output size along one spatial dimension for an input of size n, or
 * null when n does not fit the config: with 'same', n must be a multiple of
 * 2^depth; with 'valid', every feature map before a pooling must have an even
 * size and every size must stay positive.
 */
export function unetOutputSize(n: number, rule: SizeRule): number | null {
  if (!Number.isInteger(n) || n < 1) return null;
  if (rule.padding === 'same') return n % 2 ** rule.depth === 0 ? n : null;
  const r = 2 * rule.convsPerStage;
  let s = n - r;
  if (s < 1) return null;
  for (let l = 1; l <= rule.depth; l++) {
    if (s % 2 !== 0) return null;
    s = s / 2 - r;
    if (s < 1) return null;
  }
  for (let l = 0; l < rule.depth; l++) {
    s = 2 * s - r;
    if (s < 1) return null;
  }
  return s;
}

/** Every valid input size is f(b) for a bottleneck size b: the inverse of the encoder. */
function inputForBottleneck(b: number, rule: SizeRule): number {
  if (rule.padding === 'same') return b * 2 ** rule.depth;
  const r = 2 * rule.convsPerStage;
  let s = b;
  for (let l = 0; l < rule.depth; l++) s = 2 * (s + r);
  return s + r;
}

/** The valid input sizes nearest to n: the largest one ≤ n (if any) and the smallest one ≥ n. */
export function unetNearestValidSizes(n: number, rule: SizeRule): { below: number | null; above: number } {
  let bMin = 1;
  while (unetOutputSize(inputForBottleneck(bMin, rule), rule) === null) bMin++;
  // inputForBottleneck is increasing and affine in b: solve for the bracket.
  const step = inputForBottleneck(bMin + 1, rule) - inputForBottleneck(bMin, rule);
  const k = Math.floor((n - inputForBottleneck(bMin, rule)) / step);
  const lo = k >= 0 ? inputForBottleneck(bMin + k, rule) : null;
  const hi = lo !== null && lo === n ? n : inputForBottleneck(bMin + Math.max(k + 1, 0), rule);
  return { below: lo, above: hi };
}

/** The valid input size nearest to n (the larger one on a tie). */
export function unetValidSize(n: number, config: UNetConfig = {}): number {
  const rule = resolveUNetConfig(config);
  const { below, above } = unetNearestValidSizes(n, rule);
  if (below === null) return above;
  return n - below < above - n ? below : above;
}

/**
 * The U-Net. Module names (state-dict prefixes): inc, down1 … down{depth},
 * up1 … up{depth} (up1 the deepest), outc; with deep supervision ds_heads.{0…}
 * (ds_heads.k−1 on decoder level k); with an auxiliary classifier cls_head
 * (cls_head.2 or .3 the Linear).
 */
export class UNet extends Module {
  readonly config: ResolvedUNetConfig;
  /** Channels of encoder levels 0 … depth−1, then the bottleneck. */
  readonly widths: number[];
  inc: DoubleConv;
  outc: OutConv;
  ds_heads: ModuleList | null = null;
  cls_head: Sequential | null = null;
  private readonly downs: Down[] = [];
  private readonly ups: Up[] = [];

  constructor(config: UNetConfig = {}) {
    super();
    const c = resolveUNetConfig(config);
    this.config = c;
    const D = c.depth;
    const cap = (v: number) => (c.maxWidth === null ? v : Math.min(v, c.maxWidth));
    const enc = Array.from({ length: D }, (_, l) => cap(c.baseWidth * 2 ** l));
    const bilinear = c.upsampling === 'bilinear';
    // milesial's bilinear variant: the bottleneck keeps the deepest skip's width (1024 // factor).
    const bottleneck = bilinear ? enc[D - 1] : cap(c.baseWidth * 2 ** D);
    this.widths = [...enc, bottleneck];
    const stage = (dropout: number): ConvStageOptions => ({
      padding: c.padding, norm: c.norm, groupNormGroups: c.groupNormGroups, activation: c.activation,
      convs: c.convsPerStage, bias: c.convBias, residual: c.residual, dropout,
    });
    const decoderDropout = c.dropoutPlacement === 'bottleneck+decoder' ? c.dropout : 0;
    this.inc = this.registerModule('inc', new DoubleConv(c.inChannels, enc[0], stage(0)));
    for (let l = 1; l <= D; l++) {
      const out = l === D ? bottleneck : enc[l];
      this.downs.push(this.registerModule(`down${l}`, new Down(enc[l - 1], out, stage(l === D ? c.dropout : 0))));
    }
    // Decoder output width of level l: the skip's width (transposed); the next level up's skip width (bilinear).
    const decOut = (l: number) => (bilinear && l > 0 ? enc[l - 1] : enc[l]);
    for (let i = 1; i <= D; i++) {
      const l = D - i;
      const below = l === D - 1 ? bottleneck : decOut(l + 1);
      this.ups.push(this.registerModule(`up${i}`, new Up(below, enc[l], decOut(l), c.upsampling, stage(decoderDropout))));
    }
    this.outc = this.registerModule('outc', new OutConv(decOut(0), c.numClasses));
    if (c.deepSupervision && D > 1) {
      const heads = Array.from({ length: D - 1 }, (_, k) => new Conv2d(decOut(k + 1), c.numClasses, 1));
      this.ds_heads = this.registerModule('ds_heads', new ModuleList(heads));
    }
    if (c.auxClassifier) {
      const a = c.auxClassifier;
      const layers: Module[] = [new AdaptiveAvgPool2d(1), new Flatten()];
      if (a.dropout > 0) layers.push(new Dropout(a.dropout));
      layers.push(new Linear(bottleneck, a.numClasses));
      this.cls_head = this.registerModule('cls_head', new Sequential(...layers));
    }
  }

  /** The output spatial size for an input of size n along one dimension, or null when n does not fit. */
  outputSize(n: number): number | null {
    return unetOutputSize(n, this.config);
  }

  /** Throws a TorchError naming the nearest valid sizes when the input does not fit. */
  checkInput(x: unknown): Tensor {
    if (!(x instanceof tn.Tensor)) throw new tn.TorchError(`input must be a Tensor, got ${x === null ? 'null' : typeof x}`, OP);
    if (x.ndim !== 4) throw new tn.TorchError(`expected a 4-d input (N, C, H, W), got shape [${x.shape.join(', ')}]`, OP);
    const c = this.config;
    if (x.shape[1] !== c.inChannels) throw new tn.TorchError(`expected ${c.inChannels} input channel${c.inChannels > 1 ? 's' : ''} (inChannels), got shape [${x.shape.join(', ')}]`, OP);
    const problems: string[] = [];
    (['height', 'width'] as const).forEach((dim, i) => {
      const n = x.shape[2 + i];
      if (this.outputSize(n) !== null) return;
      const { below, above } = unetNearestValidSizes(n, c);
      const rule = c.padding === 'same'
        ? `a multiple of 2^depth = ${2 ** c.depth}`
        : `one where every unpadded stage keeps an even, positive size (depth ${c.depth}, ${c.convsPerStage} convolutions per stage)`;
      problems.push(`input ${dim} ${n} is not valid: with padding '${c.padding}' it must be ${rule}; nearest valid sizes: ${below === null ? `${above} (the smallest)` : `${below} and ${above}`}`);
    });
    if (problems.length) throw new tn.TorchError(problems.join('; '), OP);
    return x;
  }

  forward(input: Tensor): UNetOutput {
    const x = this.checkInput(input);
    const D = this.config.depth;
    const deep = this.ds_heads !== null && this.training;
    return tn.scope(() => {
      const skips: Tensor[] = [this.inc.forward(x)];
      for (let l = 1; l < D; l++) skips.push(this.downs[l - 1].forward(skips[l - 1]));
      let y = this.downs[D - 1].forward(skips[D - 1]);
      const cls = this.cls_head ? (this.cls_head.forward(y) as Tensor) : null;
      const aux: Tensor[] = [];
      for (let i = 1; i <= D; i++) {
        const l = D - i;
        const next = this.ups[i - 1].forward(y, skips[l]);
        y.dispose();
        skips[l].dispose();
        y = next;
        if (deep && l >= 1) aux.unshift(this.ds_heads!.at(l - 1).forward(y) as Tensor);
      }
      const main = this.outc.forward(y);
      y.dispose();
      const seg = deep ? [main, ...aux] : main;
      return cls ? { seg, cls } : seg;
    });
  }

  override extraRepr(): string {
    const c = this.config;
    return `inChannels=${c.inChannels}, numClasses=${c.numClasses}, depth=${c.depth}, widths=[${this.widths.join(', ')}], padding='${c.padding}', upsampling='${c.upsampling}'`;
  }
}

registerModel({
  name: 'unet',
  description: 'U-Net (Ronneberger et al. 2015); milesial/Pytorch-UNet state-dict keys',
  task: 'segmentation',
  create: (config = {}) => new UNet(config as UNetConfig),
  inputShape(config, size) {
    const c = resolveUNetConfig(config as UNetConfig);
    const s = c.padding === 'same' ? size ?? 256 : unetValidSize(size ?? 572, c);
    return [1, c.inChannels, s, s];
  },
});
