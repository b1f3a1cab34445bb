/**
 * VGG-7, the CIFAR-10 network of the TWN paper (Li, Zhang & Liu 2016,
 * "Ternary Weight Networks", Table 2: "2×(128-C3) + MP2 + 2×(256-C3) + MP2 +
 * 2×(512-C3) + MP2 + 1024-FC + Softmax"):
 *
 *   conv1 3×3 128 → [bn1] → relu → conv2 3×3 128 → [bn2] → relu → pool1 (max 2×2)
 *   conv3 3×3 256 → [bn3] → relu → conv4 3×3 256 → [bn4] → relu → pool2
 *   conv5 3×3 512 → [bn5] → relu → conv6 3×3 512 → [bn6] → relu → pool3
 *   flatten → fc1 1024 → relu → [dropout] → fc2 numClasses (softmax in the loss)
 *
 * Convolutions are padded by 1, so 32×32 input reaches fc1 as 512·4·4 = 8192
 * features. With batchNorm (default, as TWN's Caffe models, which put a
 * BatchNorm after every convolution) the convolutions have no bias; without
 * it they have one. widthMult scales every width (128, 256, 512, 1024),
 * rounded.
 */
import * as tn from '../torch/index.js';
import { Module, Conv2d, BatchNorm2d, MaxPool2d, Linear, Dropout, makeActivation, type ActivationSpec } from '../nn/index.js';
import { chain } from '../nn/layers/util.js';
import { registerModel, checkConfigKeys } from './registry.js';
import { optInt, optNum, optBool, scaled, checkActivation } from './netopts.js';

type Tensor = tn.Tensor;

export interface VGG7Config {
  /** Default 10 (CIFAR-10). */
  numClasses?: number;
  /** Default 3. */
  inChannels?: number;
  /** Input height = width, a multiple of 8. Default 32. */
  inputSize?: number;
  /** Multiplies the widths 128/256/512 and the 1024 hidden units (rounded). Default 1. */
  widthMult?: number;
  /** BatchNorm2d after each convolution (convolutions then have no bias). Default true. */
  batchNorm?: boolean;
  /** Default 'relu'. */
  activation?: ActivationSpec;
  /** Dropout probability after fc1's activation (0: none). Default 0. */
  dropout?: number;
}

const CONFIG_KEYS = ['numClasses', 'inChannels', 'inputSize', 'widthMult', 'batchNorm', 'activation', 'dropout'] as const;

export class VGG7 extends Module {
  readonly config: Required<VGG7Config>;
  /** Features entering fc1. */
  readonly flatFeatures: number;
  private readonly steps: ((t: Tensor) => Tensor)[] = [];

  constructor(config: VGG7Config = {}) {
    super();
    const OP = 'VGG7';
    if (config === null || typeof config !== 'object') throw new tn.TorchError('the config must be an object', OP);
    checkConfigKeys(OP, config as Record<string, unknown>, CONFIG_KEYS);
    const numClasses = optInt(OP, 'numClasses', config.numClasses, 10);
    const inChannels = optInt(OP, 'inChannels', config.inChannels, 3);
    const inputSize = optInt(OP, 'inputSize', config.inputSize, 32, 8);
    if (inputSize % 8 !== 0) throw new tn.TorchError(`option 'inputSize' must be a multiple of 8 (three 2×2 poolings), got ${inputSize}`, OP);
    const widthMult = optNum(OP, 'widthMult', config.widthMult, 1, { min: 0, exclusiveMin: true });
    const batchNorm = optBool(OP, 'batchNorm', config.batchNorm, true);
    const activation = checkActivation(OP, config.activation, 'relu');
    const dropout = optNum(OP, 'dropout', config.dropout, 0, { min: 0, max: 1 });
    if (dropout === 1) throw new tn.TorchError("option 'dropout' must be < 1", OP);
    this.config = { numClasses, inChannels, inputSize, widthMult, batchNorm, activation, dropout };

    const fwd = (m: Module) => (t: Tensor) => m.forward(t) as Tensor;
    const widths = [128, 128, 256, 256, 512, 512].map((c) => scaled(c, widthMult));
    let cin = inChannels;
    widths.forEach((w, i) => {
      const n = i + 1;
      this.steps.push(fwd(this.registerModule(`conv${n}`, new Conv2d(cin, w, 3, { padding: 1, bias: !batchNorm }))));
      if (batchNorm) this.steps.push(fwd(this.registerModule(`bn${n}`, new BatchNorm2d(w))));
      this.steps.push(fwd(this.registerModule(`act${n}`, makeActivation(activation, OP))));
      if (n % 2 === 0) this.steps.push(fwd(this.registerModule(`pool${n / 2}`, new MaxPool2d(2))));
      cin = w;
    });
    const side = inputSize / 8;
    this.flatFeatures = cin * side * side;
    const hidden = scaled(1024, widthMult);
    this.steps.push((t) => t.flatten(1));
    this.steps.push(fwd(this.registerModule('fc1', new Linear(this.flatFeatures, hidden))));
    this.steps.push(fwd(this.registerModule('act7', makeActivation(activation, OP))));
    if (dropout > 0) this.steps.push(fwd(this.registerModule('drop', new Dropout(dropout))));
    this.steps.push(fwd(this.registerModule('fc2', new Linear(hidden, numClasses))));
  }

  /** Class scores, (N, numClasses), from (N, inChannels, inputSize, inputSize). */
  forward(input: Tensor): Tensor {
    const { inChannels: c, inputSize: s } = this.config;
    if (!(input instanceof tn.Tensor)) throw new tn.TorchError('input must be a Tensor', 'VGG7');
    if (input.ndim !== 4 || input.shape[1] !== c || input.shape[2] !== s || input.shape[3] !== s) {
      throw new tn.TorchError(`expected input (N, ${c}, ${s}, ${s}), got [${input.shape.join(', ')}]`, 'VGG7');
    }
    return chain(input, ...this.steps);
  }

  override extraRepr(): string {
    return `inputSize=${this.config.inputSize}, widthMult=${this.config.widthMult}, batchNorm=${this.config.batchNorm}, numClasses=${this.config.numClasses}`;
  }
}

registerModel({
  name: 'vgg7',
  description: 'VGG-7 of the TWN paper (CIFAR-10): 2×(128-C3) + MP2 + 2×(256-C3) + MP2 + 2×(512-C3) + MP2 + 1024-FC + softmax, BN after each conv',
  task: 'classification',
  create(config = {}) {
    checkConfigKeys('vgg7', config, CONFIG_KEYS);
    return new VGG7(config as VGG7Config);
  },
  // The fully connected layer fixes the input size: the model's inputSize (the size argument is ignored).
  inputShape(config) {
    const s = (config.inputSize as number | undefined) ?? 32;
    return [1, (config.inChannels as number | undefined) ?? 3, s, s];
  },
});
