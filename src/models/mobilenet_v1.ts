/**
 * MobileNetV1 (Howard et al. 2017, "MobileNets: Efficient Convolutional
 * Neural Networks for Mobile Vision Applications"), Table 1: a 3×3 stride-2
 * convolution to 32 channels, then 13 depthwise-separable blocks (3×3
 * depthwise + BN + ReLU, 1×1 pointwise + BN + ReLU) to 1024 channels at
 * stride 32, global average pool, (dropout,) fully connected. 28 layers
 * counting depthwise and pointwise separately.
 *
 * The width multiplier α (widthMult) thins every layer to floor(α·C)
 * channels (as the paper and Keras); the resolution multiplier ρ is the
 * input size (224, 192, 160, 128 …): the model takes any size. At α = 1,
 * 224×224: 4.23 M parameters and 569 M multiply-adds, as Table 6/7.
 *
 * torchvision has no MobileNetV1, so the keys follow the V2 layout:
 * features.0 = Conv2dNormActivation (features.0.0.weight, features.0.1.*),
 * features.k (k = 1…13) = Sequential(depthwise Conv2dNormActivation,
 * pointwise Conv2dNormActivation) → features.k.0.0.weight (depthwise),
 * features.k.1.0.weight (pointwise); classifier.0 Dropout, classifier.1
 * Linear.
 */
import * as tn from '../torch/index.js';
import { Module, Sequential, Conv2dNormActivation, Dropout, Linear } from '../nn/index.js';
import { registerModel, checkConfigKeys } from './registry.js';
import { optInt, optPositive, optProbability, optChoice, configObject, initMobileNetWeights, classify, imageInputShape } from './mobilenet_common.js';

export interface MobileNetV1Config {
  /** Default 1000. */
  numClasses?: number;
  /** α: every layer gets floor(α·C) channels (at least 1). Default 1. */
  widthMult?: number;
  /** Before the classifier. Default 0.001 (as Keras' MobileNet). */
  dropout?: number;
  /** Default 3. */
  inChannels?: number;
  /** 'relu' (the paper, default) or 'relu6' (Keras/TF-slim). */
  activation?: 'relu' | 'relu6';
}

const KEYS = ['numClasses', 'widthMult', 'dropout', 'inChannels', 'activation'] as const;
const NAME = 'mobilenet_v1';

/** Table 1's depthwise-separable blocks: (output channels, depthwise stride). */
export const MOBILENET_V1_BLOCKS: readonly (readonly [number, 1 | 2])[] = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
];

export class MobileNetV1 extends Module {
  readonly config: Required<MobileNetV1Config>;
  features: Sequential;
  classifier: Sequential;

  constructor(config: MobileNetV1Config = {}) {
    super();
    const c = configObject(NAME, config);
    checkConfigKeys(NAME, c, KEYS);
    const cfg: Required<MobileNetV1Config> = {
      numClasses: optInt(NAME, 'numClasses', c.numClasses ?? 1000),
      widthMult: optPositive(NAME, 'widthMult', c.widthMult ?? 1),
      dropout: optProbability(NAME, 'dropout', c.dropout ?? 0.001),
      inChannels: optInt(NAME, 'inChannels', c.inChannels ?? 3),
      activation: optChoice(NAME, 'activation', c.activation ?? 'relu', ['relu', 'relu6'] as const),
    };
    this.config = cfg;
    // floor(α·C) as the paper/Keras; the epsilon absorbs float error (0.75·64 etc. are exact anyway).
    const ch = (n: number) => Math.max(1, Math.floor(n * cfg.widthMult + 1e-9));
    const act = cfg.activation;
    const layers: Module[] = [new Conv2dNormActivation(cfg.inChannels, ch(32), { kernelSize: 3, stride: 2, activation: act })];
    let cin = ch(32);
    for (const [out, stride] of MOBILENET_V1_BLOCKS) {
      const cout = ch(out);
      layers.push(new Sequential(
        new Conv2dNormActivation(cin, cin, { kernelSize: 3, stride, groups: cin, activation: act }),
        new Conv2dNormActivation(cin, cout, { kernelSize: 1, activation: act }),
      ));
      cin = cout;
    }
    this.features = this.registerModule('features', new Sequential(...layers));
    this.classifier = this.registerModule('classifier', new Sequential(new Dropout(cfg.dropout), new Linear(cin, cfg.numClasses)));
    initMobileNetWeights(this);
  }

  /** The features' channel count (1024·α). */
  get lastChannel(): number {
    return (this.classifier.at(1) as Linear).inFeatures;
  }

  forward(input: tn.Tensor): tn.Tensor {
    return classify('MobileNetV1', input, this.config.inChannels, this.features, this.classifier);
  }
}

registerModel({
  name: NAME,
  description: 'MobileNetV1 (Howard et al. 2017): 13 depthwise-separable blocks; widthMult α, resolution via the input size',
  task: 'classification',
  create: (config = {}) => new MobileNetV1(config as MobileNetV1Config),
  inputShape: imageInputShape,
});
