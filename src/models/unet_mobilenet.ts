/**
 * U-Net with a MobileNet encoder, after TensorFlow's image segmentation
 * tutorial (a MobileNetV2 encoder, pix2pix upsampling decoder).
 *
 * Encoder: the MobileNet's `features` up to the last inverted-residual block
 * (its final 1×1 conv to 1280/960/576 is dropped), as a Sequential named
 * `encoder` whose keys are torchvision's `features` keys: encoder.N.* =
 * features.N.* (so loadEncoderStateDict takes a torchvision state dict).
 *
 * Skips at strides 2, 4, 8 and 16, and the bottleneck at stride 32. The
 * tutorial taps Keras' MobileNetV2 layers block_1_expand_relu,
 * block_3_expand_relu, block_6_expand_relu, block_13_expand_relu and
 * block_16_project. Keras' block_k is torchvision's features[k + 1]
 * (Keras' unnumbered first block 'expanded_conv' is features[1]), and
 * 'block_k_expand_relu' is the output of that block's expand
 * Conv2dNormActivation (features[k+1].conv[0], with its ReLU6), so:
 *
 *   stride  Keras (MobileNetV2)     torchvision tap              channels (α = 1)
 *   2       block_1_expand_relu     features.2.conv.0 output     96
 *   4       block_3_expand_relu     features.4.conv.0 output     144
 *   8       block_6_expand_relu     features.7.conv.0 output     192
 *   16      block_13_expand_relu    features.14.conv.0 output    576
 *   32      block_16_project        features.17 output           320
 *
 * (block_16_project is the projection conv before its BatchNorm; tunet takes
 * the block's output after the BN, a per-channel affine map of it.) Each tap
 * is the expansion inside the block that next halves the resolution, so for
 * MobileNetV3 the same rule gives:
 *   large: features.2.block.0 (64), features.4.block.0 (72), features.7.block.0 (240),
 *          features.13.block.0 (672); bottleneck features.15 (160)
 *   small: features.0 output (16; features.1 has no expansion), features.2.block.0 (72),
 *          features.4.block.0 (96), features.9.block.0 (288); bottleneck features.11 (96)
 *
 * Decoder (decoder.0–3): upsampling blocks as pix2pix.upsample —
 * ConvTranspose2d 3×3 stride 2 (padding 1, outputPadding 1, no bias) →
 * BatchNorm2d → ReLU — each followed by concatenation with the skip of the
 * new resolution; head: ConvTranspose2d 3×3 stride 2 (with bias) from
 * stride 2 to full resolution, numClasses logits. The tutorial's widths
 * (512, 256, 128, 64) give 6.5 M parameters; the default decoderChannels
 * (64, 48, 32, 24) keep the whole model under 10 MB of float32 weights at
 * α = 1 (2.4 M parameters); pass decoderChannels for other widths.
 *
 * Inputs must be (N, inChannels, H, W) with H and W multiples of 32. With
 * inChannels ≠ 3 the first conv takes inChannels; loadEncoderStateDict
 * adapts a 3-channel checkpoint (1 channel: the RGB kernels summed).
 * freezeEncoder: encoder parameters do not require grad and the encoder
 * stays in eval mode (its BatchNorm statistics are not updated).
 */
import * as tn from '../torch/index.js';
import { Module, Sequential, ConvTranspose2d, BatchNorm2d, ReLU, InvertedResidual, Conv2dNormActivation, Conv2d, type StateDict, type LoadResult } from '../nn/index.js';
import { registerModel, checkConfigKeys } from './registry.js';
import { mobilenetV2Features } from './mobilenet_v2.js';
import { mobilenetV3Setting, mobilenetV3Features } from './mobilenet_v3.js';
import { optInt, optPositive, optBool, optChoice, configObject, initMobileNetWeights, checkImageInput, imageInputShape } from './mobilenet_common.js';

export type MobileNetEncoderName = 'mobilenet_v2' | 'mobilenet_v3_large' | 'mobilenet_v3_small';

export interface UNetMobileNetConfig {
  /** Default 'mobilenet_v2'. */
  encoder?: MobileNetEncoderName;
  /** The encoder's width multiplier α. Default 1. */
  widthMult?: number;
  /** Output channels (logits). Default 1. */
  numClasses?: number;
  /** Input channels (1 for grey images, 3 for RGB …); the first conv is adapted. Default 3. */
  inChannels?: number;
  /** Output widths of the four upsampling blocks, deepest first. Default [64, 48, 32, 24]. */
  decoderChannels?: readonly number[];
  /** Freeze the encoder (no gradients, BatchNorm statistics fixed). Default false. */
  freezeEncoder?: boolean;
}

const KEYS = ['encoder', 'widthMult', 'numClasses', 'inChannels', 'decoderChannels', 'freezeEncoder'] as const;
const ENCODERS = ['mobilenet_v2', 'mobilenet_v3_large', 'mobilenet_v3_small'] as const;
const NAME = 'unet_mobilenet';

/** Where a skip is taken: the output of block `index`'s expand layer, or the block's own output. */
export interface SkipTap {
  index: number;
  at: 'expand' | 'output';
}

/** The taps at strides 2, 4, 8, 16 and the bottleneck (stride 32) block index, per encoder. */
export const MOBILENET_UNET_TAPS: Record<MobileNetEncoderName, { skips: SkipTap[]; bottleneck: number }> = {
  mobilenet_v2: { skips: [{ index: 2, at: 'expand' }, { index: 4, at: 'expand' }, { index: 7, at: 'expand' }, { index: 14, at: 'expand' }], bottleneck: 17 },
  mobilenet_v3_large: { skips: [{ index: 2, at: 'expand' }, { index: 4, at: 'expand' }, { index: 7, at: 'expand' }, { index: 13, at: 'expand' }], bottleneck: 15 },
  mobilenet_v3_small: { skips: [{ index: 0, at: 'output' }, { index: 2, at: 'expand' }, { index: 4, at: 'expand' }, { index: 9, at: 'expand' }], bottleneck: 11 },
};

function outChannelsOf(m: Module): number {
  if (m instanceof InvertedResidual) return m.outChannels;
  if (m instanceof Conv2dNormActivation) return (m.at(0) as Conv2d).outChannels;
  throw new tn.TorchError(`unexpected encoder layer ${m.constructor.name}`, NAME);
}

/** Runs an inverted-residual block, also returning its expand layer's output (kept for a skip). */
function runWithExpandTap(block: InvertedResidual, x: tn.Tensor): { out: tn.Tensor; tap: tn.Tensor } {
  const layers = block.body.children();
  const tap = layers[0].forward(x) as tn.Tensor;
  let cur = tap;
  for (const m of layers.slice(1)) {
    const next = m.forward(cur) as tn.Tensor;
    if (cur !== tap && cur !== next) cur.dispose();
    cur = next;
  }
  if (!block.useResConnect) return { out: cur, tap };
  const out = cur.add(x);
  cur.dispose();
  return { out, tap };
}

function nearestMultiples(v: number, m = 32): string {
  const lo = Math.floor(v / m) * m;
  const hi = lo + m;
  return lo >= m ? `${lo} or ${hi}` : `${hi}`;
}

export class UNetMobileNet extends Module {
  readonly config: Required<UNetMobileNetConfig>;
  /** The MobileNet's features up to the bottleneck block: keys encoder.N.* = torchvision's features.N.*. */
  encoder: Sequential;
  /** Four upsampling blocks (ConvTranspose2d, BatchNorm2d, ReLU), deepest first. */
  decoder: Sequential;
  /** Stride 2 → full resolution, numClasses logits. */
  head: ConvTranspose2d;
  /** The skip channels at strides 2, 4, 8, 16 and the bottleneck's. */
  readonly skipChannels: number[];
  readonly bottleneckChannels: number;
  private readonly taps: { skips: SkipTap[]; bottleneck: number };
  private encoderFrozen = false;

  constructor(config: UNetMobileNetConfig = {}) {
    super();
    const c = configObject(NAME, config);
    checkConfigKeys(NAME, c, KEYS);
    const dc = c.decoderChannels ?? [64, 48, 32, 24];
    if (!Array.isArray(dc) || dc.length !== 4 || !dc.every((v) => Number.isInteger(v) && v > 0)) {
      throw new tn.TorchError(`${NAME}: decoderChannels must be 4 positive integers (deepest block first), got ${JSON.stringify(dc)}`, NAME);
    }
    this.config = {
      encoder: optChoice(NAME, 'encoder', c.encoder ?? 'mobilenet_v2', ENCODERS),
      widthMult: optPositive(NAME, 'widthMult', c.widthMult ?? 1),
      numClasses: optInt(NAME, 'numClasses', c.numClasses ?? 1),
      inChannels: optInt(NAME, 'inChannels', c.inChannels ?? 3),
      decoderChannels: [...(dc as number[])],
      freezeEncoder: optBool(NAME, 'freezeEncoder', c.freezeEncoder ?? false),
    };
    const cfg = this.config;
    let layers: Module[];
    if (cfg.encoder === 'mobilenet_v2') {
      layers = mobilenetV2Features({ widthMult: cfg.widthMult, inChannels: cfg.inChannels }).layers;
    } else {
      const { blocks } = mobilenetV3Setting(cfg.encoder === 'mobilenet_v3_large' ? 'large' : 'small', cfg.widthMult);
      layers = mobilenetV3Features(blocks, cfg.inChannels).layers;
    }
    this.taps = MOBILENET_UNET_TAPS[cfg.encoder];
    const kept = layers.slice(0, this.taps.bottleneck + 1);
    for (const m of layers.slice(this.taps.bottleneck + 1)) m.dispose();
    this.encoder = this.registerModule('encoder', new Sequential(...kept));
    this.skipChannels = this.taps.skips.map((t) => {
      const m = kept[t.index];
      return t.at === 'expand' ? (m as InvertedResidual).hiddenChannels : outChannelsOf(m);
    });
    this.bottleneckChannels = outChannelsOf(kept[this.taps.bottleneck]);
    const ups: Module[] = [];
    let cin = this.bottleneckChannels;
    for (let i = 0; i < 4; i++) {
      const cout = cfg.decoderChannels[i];
      ups.push(new Sequential(
        new ConvTranspose2d(cin, cout, 3, { stride: 2, padding: 1, outputPadding: 1, bias: false }),
        new BatchNorm2d(cout),
        new ReLU(),
      ));
      cin = cout + this.skipChannels[3 - i];
    }
    this.decoder = this.registerModule('decoder', new Sequential(...ups));
    this.head = this.registerModule('head', new ConvTranspose2d(cin, cfg.numClasses, 3, { stride: 2, padding: 1, outputPadding: 1 }));
    initMobileNetWeights(this.encoder);
    if (cfg.freezeEncoder) this.setEncoderFrozen(true);
  }

  /** Freezes (or unfreezes) the encoder: requiresGrad off and eval mode while frozen. */
  setEncoderFrozen(frozen: boolean): this {
    this.encoderFrozen = frozen;
    this.encoder.requiresGrad_(!frozen);
    this.encoder.train(frozen ? false : this.training);
    return this;
  }

  get isEncoderFrozen(): boolean {
    return this.encoderFrozen;
  }

  override train(mode = true): this {
    super.train(mode);
    if (this.encoderFrozen) this.encoder.train(false);
    return this;
  }

  /**
   * Loads MobileNet weights into the encoder. Accepts a whole torchvision
   * state dict (keys features.N.*; the classifier and the layers past the
   * bottleneck are ignored), a U-Net state dict (encoder.N.*), or bare N.*
   * keys. A 3-channel first conv is adapted to inChannels (1: the kernels
   * summed over RGB; otherwise RGB cycled and scaled by 3/inChannels).
   * strict (default true): every encoder key must be present.
   */
  loadEncoderStateDict(state: StateDict | Map<string, tn.Tensor>, opts: { strict?: boolean } = {}): LoadResult {
    const entries = state instanceof Map ? [...state.entries()] : Object.entries(state ?? {});
    const prefix = entries.some(([k]) => k.startsWith('features.')) ? 'features.' : entries.some(([k]) => k.startsWith('encoder.')) ? 'encoder.' : '';
    const made: tn.Tensor[] = [];
    const out: StateDict = {};
    const n = this.encoder.length;
    for (const [k, v] of entries) {
      if (!k.startsWith(prefix)) continue;
      const key = k.slice(prefix.length);
      const idx = Number(key.split('.')[0]);
      if (prefix && Number.isInteger(idx) && idx >= n) continue; // layers past the bottleneck (features.18 …)
      let t = v;
      if (key === '0.0.weight' && v instanceof tn.Tensor && v.ndim === 4 && v.shape[1] === 3 && this.config.inChannels !== 3) {
        t = adaptFirstConv(v, this.config.inChannels);
        made.push(t);
      }
      out[key] = t;
    }
    try {
      return this.encoder.loadStateDict(out, { strict: opts.strict ?? true });
    } finally {
      for (const t of made) t.dispose();
    }
  }

  /** The skips (strides 2, 4, 8, 16) and the bottleneck for an input (eval or train as the module is). */
  encode(input: tn.Tensor): { skips: tn.Tensor[]; bottleneck: tn.Tensor } {
    const x = this.checkInput(input);
    const want = new Map(this.taps.skips.map((t) => [t.index, t.at]));
    const skips: tn.Tensor[] = [];
    const kids = this.encoder.children();
    let cur = x;
    try {
      for (let i = 0; i < kids.length; i++) {
        const m = kids[i];
        const at = want.get(i);
        let next: tn.Tensor;
        if (at === 'expand') {
          const r = runWithExpandTap(m as InvertedResidual, cur);
          skips.push(r.tap);
          next = r.out;
        } else {
          next = m.forward(cur) as tn.Tensor;
          if (at === 'output') skips.push(next);
        }
        if (cur !== x && !skips.includes(cur)) cur.dispose();
        cur = next;
      }
    } catch (e) {
      for (const s of skips) s.dispose();
      if (cur !== x && !skips.includes(cur)) cur.dispose();
      throw e;
    }
    return { skips, bottleneck: cur === x ? x.alias() : cur };
  }

  forward(input: tn.Tensor): tn.Tensor {
    const { skips, bottleneck } = this.encode(input);
    let cur = bottleneck;
    try {
      const ups = this.decoder.children();
      for (let i = 0; i < 4; i++) {
        const u = ups[i].forward(cur) as tn.Tensor;
        cur.dispose();
        const s = skips[3 - i];
        cur = tn.cat([u, s], 1);
        u.dispose();
      }
      return this.head.forward(cur);
    } finally {
      cur.dispose();
      for (const s of skips) s.dispose();
    }
  }

  private checkInput(input: unknown): tn.Tensor {
    const x = checkImageInput('UNetMobileNet', input, this.config.inChannels);
    const [, , h, w] = x.shape;
    const bad: string[] = [];
    if (h % 32 !== 0) bad.push(`height ${h} (nearest: ${nearestMultiples(h)})`);
    if (w % 32 !== 0) bad.push(`width ${w} (nearest: ${nearestMultiples(w)})`);
    if (bad.length) throw new tn.TorchError(`UNetMobileNet: the input's height and width must be multiples of 32 (the encoder halves them 5 times); got ${bad.join(', ')}`, NAME);
    return x;
  }
}

function adaptFirstConv(w: tn.Tensor, inChannels: number): tn.Tensor {
  return tn.noGrad(() => tn.scope(() => {
    if (inChannels === 1) return w.sum(1, true);
    const parts: tn.Tensor[] = [];
    for (let i = 0; i < inChannels; i++) parts.push(w.slice(1, i % 3, (i % 3) + 1));
    return tn.cat(parts, 1).mul(3 / inChannels);
  }));
}

registerModel({
  name: 'unet_mobilenet_v2',
  description: 'U-Net with a MobileNetV2 encoder (torchvision keys; skips as TensorFlow\'s segmentation tutorial); widthMult, numClasses, inChannels, decoderChannels, freezeEncoder',
  task: 'segmentation',
  create: (config = {}) => {
    checkConfigKeys('unet_mobilenet_v2', config, KEYS.filter((k) => k !== 'encoder'));
    return new UNetMobileNet({ ...config, encoder: 'mobilenet_v2' });
  },
  inputShape: imageInputShape,
});

registerModel({
  name: 'unet_mobilenet_v3',
  description: 'U-Net with a MobileNetV3 encoder (variant \'large\' or \'small\'); widthMult, numClasses, inChannels, decoderChannels, freezeEncoder',
  task: 'segmentation',
  create: (config = {}) => {
    const { variant, ...rest } = config as { variant?: unknown } & Record<string, unknown>;
    checkConfigKeys('unet_mobilenet_v3', rest, [...KEYS.filter((k) => k !== 'encoder'), 'variant']);
    const v = optChoice('unet_mobilenet_v3', 'variant', variant ?? 'large', ['large', 'small'] as const);
    return new UNetMobileNet({ ...rest, encoder: `mobilenet_v3_${v}` });
  },
  inputShape: imageInputShape,
});
