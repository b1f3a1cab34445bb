/**
 * MobileNetV3 Large and Small (Howard et al. 2019, "Searching for
 * MobileNetV3", Tables 1 and 2) with torchvision 0.14's module structure,
 * state-dict keys and initialisation: features.0 (3×3 stride-2 conv, BN,
 * hardswish), features.1… (InvertedResidual 'v3' blocks, keys
 * features.N.block.*: expand 1×1 when the width changes, k×k depthwise (5×5
 * where the paper says), squeeze-excite with makeDivisible(expanded/4, 8)
 * channels and a hard-sigmoid gate, linear 1×1 projection), the last 1×1
 * conv to 6× the last block's width (BN + hardswish), avgpool, classifier
 * (classifier.0 Linear → 1280/1024, hardswish, dropout, classifier.3 Linear).
 * BatchNorm eps 0.001, momentum 0.01 everywhere.
 *
 * With 1000 classes: 5 483 032 (large) and 2 542 856 (small) parameters;
 * 216.6 M / 56.5 M multiply-adds at 224×224 (the paper: 219 M / 56 M).
 */
import * as tn from '../torch/index.js';
import { Module, Sequential, Conv2dNormActivation, InvertedResidual, AdaptiveAvgPool2d, Dropout, Linear, Hardswish, BatchNorm2d, makeDivisible } from '../nn/index.js';
import { registerModel, checkConfigKeys } from './registry.js';
import { optInt, optPositive, optProbability, optBool, optChoice, configObject, initMobileNetWeights, checkImageInput, imageInputShape } from './mobilenet_common.js';

export type MobileNetV3Variant = 'large' | 'small';

/** One bneck row: input, kernel, expanded, output channels, SE, activation ('RE' ReLU, 'HS' hardswish), stride, dilation. */
export interface MobileNetV3BlockConfig {
  inputChannels: number;
  kernel: number;
  expandedChannels: number;
  outChannels: number;
  useSE: boolean;
  useHS: boolean;
  stride: 1 | 2;
  dilation: number;
}

export interface MobileNetV3Config {
  /** 'large' (default) or 'small'. */
  variant?: MobileNetV3Variant;
  /** Default 1000. */
  numClasses?: number;
  /** Every width (including the expanded ones and the 1280/1024 head) is makeDivisible(C·widthMult, 8). Default 1. */
  widthMult?: number;
  /** Halve the channels of the last stage (torchvision's reduced_tail, for detection backbones). Default false. */
  reducedTail?: boolean;
  /** Dilation 2 in the last stage instead of its stride (torchvision's dilated, for segmentation). Default false. */
  dilated?: boolean;
  /** In the classifier. Default 0.2. */
  dropout?: number;
  /** Default 3. */
  inChannels?: number;
}

const KEYS = ['variant', 'numClasses', 'widthMult', 'reducedTail', 'dilated', 'dropout', 'inChannels'] as const;

/** torchvision's _mobilenet_v3_conf: the block rows and the classifier's hidden width. */
export function mobilenetV3Setting(variant: MobileNetV3Variant, widthMult = 1, reducedTail = false, dilated = false): { blocks: MobileNetV3BlockConfig[]; lastChannel: number } {
  const rd = reducedTail ? 2 : 1;
  const dil = dilated ? 2 : 1;
  const adj = (c: number) => makeDivisible(c * widthMult, 8);
  const b = (i: number, k: number, e: number, o: number, se: boolean, act: 'RE' | 'HS', s: 1 | 2, d: number): MobileNetV3BlockConfig => ({
    inputChannels: adj(i), kernel: k, expandedChannels: adj(e), outChannels: adj(o), useSE: se, useHS: act === 'HS', stride: s, dilation: d,
  });
  const t = (c: number) => Math.floor(c / rd);
  if (variant === 'large') {
    return {
      blocks: [
        b(16, 3, 16, 16, false, 'RE', 1, 1),
        b(16, 3, 64, 24, false, 'RE', 2, 1), // C1
        b(24, 3, 72, 24, false, 'RE', 1, 1),
        b(24, 5, 72, 40, true, 'RE', 2, 1), // C2
        b(40, 5, 120, 40, true, 'RE', 1, 1),
        b(40, 5, 120, 40, true, 'RE', 1, 1),
        b(40, 3, 240, 80, false, 'HS', 2, 1), // C3
        b(80, 3, 200, 80, false, 'HS', 1, 1),
        b(80, 3, 184, 80, false, 'HS', 1, 1),
        b(80, 3, 184, 80, false, 'HS', 1, 1),
        b(80, 3, 480, 112, true, 'HS', 1, 1),
        b(112, 3, 672, 112, true, 'HS', 1, 1),
        b(112, 5, 672, t(160), true, 'HS', 2, dil), // C4
        b(t(160), 5, t(960), t(160), true, 'HS', 1, dil),
        b(t(160), 5, t(960), t(160), true, 'HS', 1, dil),
      ],
      lastChannel: adj(t(1280)), // C5
    };
  }
  return {
    blocks: [
      b(16, 3, 16, 16, true, 'RE', 2, 1), // C1
      b(16, 3, 72, 24, false, 'RE', 2, 1), // C2
      b(24, 3, 88, 24, false, 'RE', 1, 1),
      b(24, 5, 96, 40, true, 'HS', 2, 1), // C3
      b(40, 5, 240, 40, true, 'HS', 1, 1),
      b(40, 5, 240, 40, true, 'HS', 1, 1),
      b(40, 5, 120, 48, true, 'HS', 1, 1),
      b(48, 5, 144, 48, true, 'HS', 1, 1),
      b(48, 5, 288, t(96), true, 'HS', 2, dil), // C4
      b(t(96), 5, t(576), t(96), true, 'HS', 1, dil),
      b(t(96), 5, t(576), t(96), true, 'HS', 1, dil),
    ],
    lastChannel: adj(t(1024)), // C5
  };
}

const bn = (c: number) => new BatchNorm2d(c, { eps: 0.001, momentum: 0.01 });

/** torchvision's MobileNetV3 `features` layers (stem, blocks, last 1×1 conv to 6× the last width). */
export function mobilenetV3Features(blocks: readonly MobileNetV3BlockConfig[], inChannels = 3): { layers: Module[]; lastconvOutputChannels: number } {
  const layers: Module[] = [new Conv2dNormActivation(inChannels, blocks[0].inputChannels, { kernelSize: 3, stride: 2, norm: bn, activation: 'hardswish' })];
  for (const c of blocks) {
    layers.push(new InvertedResidual(c.inputChannels, c.outChannels, {
      version: 'v3', stride: c.stride, expandedChannels: c.expandedChannels, kernelSize: c.kernel, dilation: c.dilation, useSE: c.useSE,
      activation: c.useHS ? 'hardswish' : 'relu', bnEps: 0.001, bnMomentum: 0.01,
    }));
  }
  const lastIn = blocks[blocks.length - 1].outChannels;
  const lastOut = 6 * lastIn;
  layers.push(new Conv2dNormActivation(lastIn, lastOut, { kernelSize: 1, norm: bn, activation: 'hardswish' }));
  return { layers, lastconvOutputChannels: lastOut };
}

export class MobileNetV3 extends Module {
  readonly config: Required<MobileNetV3Config>;
  readonly lastChannel: number;
  features: Sequential;
  avgpool: AdaptiveAvgPool2d;
  classifier: Sequential;

  constructor(config: MobileNetV3Config = {}) {
    super();
    const c = configObject('mobilenet_v3', config);
    const variant = optChoice('mobilenet_v3', 'variant', c.variant ?? 'large', ['large', 'small'] as const);
    const NAME = `mobilenet_v3_${variant}`;
    checkConfigKeys(NAME, c, KEYS);
    this.config = {
      variant,
      numClasses: optInt(NAME, 'numClasses', c.numClasses ?? 1000),
      widthMult: optPositive(NAME, 'widthMult', c.widthMult ?? 1),
      reducedTail: optBool(NAME, 'reducedTail', c.reducedTail ?? false),
      dilated: optBool(NAME, 'dilated', c.dilated ?? false),
      dropout: optProbability(NAME, 'dropout', c.dropout ?? 0.2),
      inChannels: optInt(NAME, 'inChannels', c.inChannels ?? 3),
    };
    const { blocks, lastChannel } = mobilenetV3Setting(variant, this.config.widthMult, this.config.reducedTail, this.config.dilated);
    const { layers, lastconvOutputChannels } = mobilenetV3Features(blocks, this.config.inChannels);
    this.lastChannel = lastChannel;
    this.features = this.registerModule('features', new Sequential(...layers));
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
    this.classifier = this.registerModule('classifier', new Sequential(
      new Linear(lastconvOutputChannels, lastChannel), new Hardswish(), new Dropout(this.config.dropout), new Linear(lastChannel, this.config.numClasses),
    ));
    initMobileNetWeights(this);
  }

  forward(input: tn.Tensor): tn.Tensor {
    const x = checkImageInput(this.constructor.name, input, this.config.inChannels);
    const f = this.features.forward(x) as tn.Tensor;
    const p = this.avgpool.forward(f);
    f.dispose();
    const flat = p.flatten(1);
    p.dispose();
    try {
      return this.classifier.forward(flat) as tn.Tensor;
    } finally {
      flat.dispose();
    }
  }
}

/** MobileNetV3-Large (variant 'large'). */
export function mobilenetV3Large(config: Omit<MobileNetV3Config, 'variant'> = {}): MobileNetV3 {
  return new MobileNetV3({ ...config, variant: 'large' });
}

/** MobileNetV3-Small (variant 'small'). */
export function mobilenetV3Small(config: Omit<MobileNetV3Config, 'variant'> = {}): MobileNetV3 {
  return new MobileNetV3({ ...config, variant: 'small' });
}

for (const variant of ['large', 'small'] as const) {
  const name = `mobilenet_v3_${variant}`;
  registerModel({
    name,
    description: `MobileNetV3-${variant === 'large' ? 'Large' : 'Small'} (Howard et al. 2019), torchvision 0.14 keys; widthMult, reducedTail, dilated, dropout`,
    task: 'classification',
    create: (config = {}) => {
      checkConfigKeys(name, config, KEYS.filter((k) => k !== 'variant'));
      return new MobileNetV3({ ...config, variant });
    },
    inputShape: imageInputShape,
  });
}
