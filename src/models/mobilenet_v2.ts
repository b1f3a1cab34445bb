/**
 * MobileNetV2 (Sandler et al. 2018, "MobileNetV2: Inverted Residuals and
 * Linear Bottlenecks") with torchvision 0.14's module structure, state-dict
 * keys and initialisation, so torchvision checkpoints load (strict):
 * features.0 (3×3 stride-2 Conv2dNormActivation, ReLU6), features.1–17
 * (InvertedResidual, keys features.N.conv.*), features.18 (1×1 to 1280),
 * global average pool, classifier.0 Dropout, classifier.1 Linear.
 * 3 504 872 parameters with 1000 classes; 300.8 M multiply-adds at 224×224.
 */
import * as tn from '../torch/index.js';
import { Module, Sequential, Conv2dNormActivation, InvertedResidual, Dropout, Linear, makeDivisible } from '../nn/index.js';
import { registerModel, checkConfigKeys } from './registry.js';
import { optInt, optPositive, optProbability, configObject, initMobileNetWeights, classify, imageInputShape } from './mobilenet_common.js';

/** One stage: expansion t, output channels c, repeats n, first stride s (Table 2). */
export type MobileNetV2Stage = readonly [t: number, c: number, n: number, s: 1 | 2];

export const MOBILENET_V2_SETTING: readonly MobileNetV2Stage[] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

export interface MobileNetV2Config {
  /** Default 1000. */
  numClasses?: number;
  /** Channel multiplier; channels are rounded to multiples of roundNearest. Default 1. */
  widthMult?: number;
  /** Default 8 (1 turns rounding off). */
  roundNearest?: number;
  /** Before the classifier. Default 0.2. */
  dropout?: number;
  /** Default 3 (the first convolution takes inChannels). */
  inChannels?: number;
  /** The (t, c, n, s) stages; default Table 2's. */
  invertedResidualSetting?: readonly MobileNetV2Stage[];
}

const KEYS = ['numClasses', 'widthMult', 'roundNearest', 'dropout', 'inChannels', 'invertedResidualSetting'] as const;
const NAME = 'mobilenet_v2';

/**
 * torchvision's MobileNetV2 `features` layers (stem, inverted residual
 * blocks, last 1×1 conv) and the last channel count.
 */
export function mobilenetV2Features(o: { widthMult?: number; roundNearest?: number; inChannels?: number; setting?: readonly MobileNetV2Stage[] } = {}): { layers: Module[]; lastChannel: number } {
  const w = o.widthMult ?? 1;
  const r = o.roundNearest ?? 8;
  const setting = o.setting ?? MOBILENET_V2_SETTING;
  let input = makeDivisible(32 * w, r);
  const lastChannel = makeDivisible(1280 * Math.max(1, w), r);
  const layers: Module[] = [new Conv2dNormActivation(o.inChannels ?? 3, input, { stride: 2, activation: 'relu6' })];
  for (const [t, c, n, s] of setting) {
    const out = makeDivisible(c * w, r);
    for (let i = 0; i < n; i++) {
      layers.push(new InvertedResidual(input, out, { stride: i === 0 ? s : 1, expandRatio: t }));
      input = out;
    }
  }
  layers.push(new Conv2dNormActivation(input, lastChannel, { kernelSize: 1, activation: 'relu6' }));
  return { layers, lastChannel };
}

function checkSetting(v: unknown): readonly MobileNetV2Stage[] {
  const ok = Array.isArray(v) && v.length > 0 && v.every((s) => Array.isArray(s) && s.length === 4
    && s.every((x) => typeof x === 'number' && Number.isFinite(x)) && s[0] > 0 && Number.isInteger(s[1]) && s[1] > 0 && Number.isInteger(s[2]) && s[2] > 0 && (s[3] === 1 || s[3] === 2));
  if (!ok) throw new tn.TorchError(`${NAME}: invertedResidualSetting must be a non-empty array of [t, c, n, s] (t > 0, c and n positive integers, s 1 or 2)`, NAME);
  return v as MobileNetV2Stage[];
}

export class MobileNetV2 extends Module {
  readonly config: Required<MobileNetV2Config>;
  readonly lastChannel: number;
  features: Sequential;
  classifier: Sequential;

  constructor(config: MobileNetV2Config = {}) {
    super();
    const c = configObject(NAME, config);
    checkConfigKeys(NAME, c, KEYS);
    this.config = {
      numClasses: optInt(NAME, 'numClasses', c.numClasses ?? 1000),
      widthMult: optPositive(NAME, 'widthMult', c.widthMult ?? 1),
      roundNearest: optInt(NAME, 'roundNearest', c.roundNearest ?? 8),
      dropout: optProbability(NAME, 'dropout', c.dropout ?? 0.2),
      inChannels: optInt(NAME, 'inChannels', c.inChannels ?? 3),
      invertedResidualSetting: checkSetting(c.invertedResidualSetting ?? MOBILENET_V2_SETTING),
    };
    const { layers, lastChannel } = mobilenetV2Features({
      widthMult: this.config.widthMult, roundNearest: this.config.roundNearest, inChannels: this.config.inChannels, setting: this.config.invertedResidualSetting,
    });
    this.lastChannel = lastChannel;
    this.features = this.registerModule('features', new Sequential(...layers));
    this.classifier = this.registerModule('classifier', new Sequential(new Dropout(this.config.dropout), new Linear(lastChannel, this.config.numClasses)));
    initMobileNetWeights(this);
  }

  forward(input: tn.Tensor): tn.Tensor {
    return classify('MobileNetV2', input, this.config.inChannels, this.features, this.classifier);
  }
}

registerModel({
  name: NAME,
  description: 'MobileNetV2 (Sandler et al. 2018), torchvision 0.14 keys; widthMult, roundNearest, dropout',
  task: 'classification',
  create: (config = {}) => new MobileNetV2(config as MobileNetV2Config),
  inputShape: imageInputShape,
});
