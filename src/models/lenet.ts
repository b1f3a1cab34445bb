/**
 * LeNet-5, two ways.
 *
 * variant 'twn' (default; registered as 'lenet5'): the LeNet-5 of the TWN
 * paper's MNIST experiments (Li, Zhang & Liu 2016, "Ternary Weight Networks",
 * Table 2: "32-C5 + MP2 + 64-C5 + MP2 + 512-FC + SVM"):
 *
 *   conv1 5×5, 32 → [bn1] → act → pool1 (max 2×2)
 *   → conv2 5×5, 64 → [bn2] → act → pool2 (max 2×2)
 *   → flatten → fc1 512 → act → fc2 numClasses
 *
 * Convolutions are unpadded, so 28×28 input gives 64·4·4 = 1024 features
 * before fc1 and 32×32 input 64·5·5 = 1600. The output is class scores: train
 * them with softmax cross-entropy (F.crossEntropy) or, as the paper's "SVM"
 * head, with a (squared) hinge loss on the same scores.
 *
 * variant 'classic' (registered as 'lenet5_classic'): LeCun, Bottou, Bengio &
 * Haffner 1998, "Gradient-based learning applied to document recognition",
 * in its usual modern form:
 *
 *   conv1 (C1) 5×5, 6 → act → pool1 (S2, avg 2×2) → conv2 (C3) 5×5, 16 → act
 *   → pool2 (S4, avg 2×2) → conv3 (C5) 5×5, 120 → act → flatten
 *   → fc1 (F6) 84 → act → fc2 (output) numClasses
 *
 * with tanh units, C3 fully connected to S2 (the paper's sparse connection
 * table is not reproduced), the trainable subsampling coefficients of S2/S4
 * replaced by plain average pooling, and a linear output layer instead of the
 * Euclidean RBF units. On 32×32 input it has 61 706 parameters; 28×28 input
 * (MNIST) is padded by 2 in C1, giving the same shapes.
 */
import * as tn from '../torch/index.js';
import {
  Module, Conv2d, BatchNorm2d, MaxPool2d, AvgPool2d, Linear, makeActivation, type ActivationSpec,
} from '../nn/index.js';
import { chain } from '../nn/layers/util.js';
import { registerModel, checkConfigKeys } from './registry.js';
import { optInt, optBool, optEnum, checkActivation } from './netopts.js';

type Tensor = tn.Tensor;

export interface LeNet5Config {
  /** 'twn' (32-C5, 64-C5, 512-FC; default) or 'classic' (LeCun 1998: 6-16-120-84). */
  variant?: 'twn' | 'classic';
  /** Default 1 (grey images). */
  inChannels?: number;
  /** Default 10. */
  numClasses?: number;
  /** Input height = width: 28 (MNIST) or 32. Default 28 for 'twn', 32 for 'classic'. */
  inputSize?: 28 | 32;
  /** Hidden-unit activation by name (or a module factory). Default 'relu' ('twn'), 'tanh' ('classic'). */
  activation?: ActivationSpec;
  /** 'max' or 'avg' pooling. Default 'max' ('twn'), 'avg' ('classic'). */
  pooling?: 'max' | 'avg';
  /** BatchNorm2d after each convolution ('twn' only; keys bn1, bn2). Default false. */
  batchNorm?: boolean;
}

const CONFIG_KEYS = ['variant', 'inChannels', 'numClasses', 'inputSize', 'activation', 'pooling', 'batchNorm'] as const;
export class LeNet5 extends Module {
  readonly config: Required<Omit<LeNet5Config, 'activation'>> & { activation: ActivationSpec };
  /** Features entering fc1 (the flattened last feature map). */
  readonly flatFeatures: number;
  private readonly steps: ((t: Tensor) => Tensor)[];

  constructor(config: LeNet5Config = {}) {
    super();
    const OP = 'LeNet5';
    if (config === null || typeof config !== 'object') throw new tn.TorchError('the config must be an object', OP);
    checkConfigKeys(OP, config as Record<string, unknown>, CONFIG_KEYS);
    const variant = optEnum(OP, 'variant', config.variant, 'twn', ['twn', 'classic'] as const);
    const classic = variant === 'classic';
    const inChannels = optInt(OP, 'inChannels', config.inChannels, 1);
    const numClasses = optInt(OP, 'numClasses', config.numClasses, 10);
    const inputSize = optEnum<28 | 32>(OP, 'inputSize', config.inputSize, classic ? 32 : 28, [28, 32]);
    const activation = checkActivation(OP, config.activation, classic ? 'tanh' : 'relu');
    const pooling = optEnum(OP, 'pooling', config.pooling, classic ? 'avg' : 'max', ['max', 'avg'] as const);
    const batchNorm = optBool(OP, 'batchNorm', config.batchNorm, false);
    if (classic && batchNorm) throw new tn.TorchError("option 'batchNorm' is for variant 'twn' only", OP);
    this.config = { variant, inChannels, numClasses, inputSize, activation, pooling, batchNorm };

    const act = (name: string) => this.registerModule(name, makeActivation(activation, OP));
    const pool = (name: string) => this.registerModule(name, pooling === 'max' ? new MaxPool2d(2) : new AvgPool2d(2));
    const fwd = (m: Module) => (t: Tensor) => m.forward(t) as Tensor;
    const steps: ((t: Tensor) => Tensor)[] = [];
    if (!classic) {
      const conv1 = this.registerModule('conv1', new Conv2d(inChannels, 32, 5));
      steps.push(fwd(conv1));
      if (batchNorm) steps.push(fwd(this.registerModule('bn1', new BatchNorm2d(32))));
      steps.push(fwd(act('act1')), fwd(pool('pool1')));
      const conv2 = this.registerModule('conv2', new Conv2d(32, 64, 5));
      steps.push(fwd(conv2));
      if (batchNorm) steps.push(fwd(this.registerModule('bn2', new BatchNorm2d(64))));
      steps.push(fwd(act('act2')), fwd(pool('pool2')), (t) => t.flatten(1));
      const side = ((inputSize - 4) / 2 - 4) / 2; // 4 (28) or 5 (32)
      this.flatFeatures = 64 * side * side;
      const fc1 = this.registerModule('fc1', new Linear(this.flatFeatures, 512));
      steps.push(fwd(fc1), fwd(act('act3')));
      steps.push(fwd(this.registerModule('fc2', new Linear(512, numClasses))));
    } else {
      const conv1 = this.registerModule('conv1', new Conv2d(inChannels, 6, 5, { padding: inputSize === 28 ? 2 : 0 }));
      steps.push(fwd(conv1), fwd(act('act1')), fwd(pool('pool1')));
      steps.push(fwd(this.registerModule('conv2', new Conv2d(6, 16, 5))), fwd(act('act2')), fwd(pool('pool2')));
      steps.push(fwd(this.registerModule('conv3', new Conv2d(16, 120, 5))), fwd(act('act3')), (t) => t.flatten(1));
      this.flatFeatures = 120;
      steps.push(fwd(this.registerModule('fc1', new Linear(120, 84))), fwd(act('act4')));
      steps.push(fwd(this.registerModule('fc2', new Linear(84, numClasses))));
    }
    this.steps = steps;
  }

  /** Class scores, (N, numClasses), from (N, inChannels, inputSize, inputSize). */
  forward(input: Tensor): Tensor {
    const { inChannels: c, inputSize: s } = this.config;
    if (!(input instanceof tn.Tensor)) throw new tn.TorchError('input must be a Tensor', 'LeNet5');
    if (input.ndim !== 4 || input.shape[1] !== c || input.shape[2] !== s || input.shape[3] !== s) {
      throw new tn.TorchError(`expected input (N, ${c}, ${s}, ${s}), got [${input.shape.join(', ')}]`, 'LeNet5');
    }
    return chain(input, ...this.steps);
  }

  override extraRepr(): string {
    return `variant='${this.config.variant}', inputSize=${this.config.inputSize}, numClasses=${this.config.numClasses}`;
  }
}

registerModel({
  name: 'lenet5',
  description: "LeNet-5 of the TWN paper: 32-C5 + MP2 + 64-C5 + MP2 + 512-FC + 10 (28×28 or 32×32 grey input)",
  task: 'classification',
  create(config = {}) {
    checkConfigKeys('lenet5', config, CONFIG_KEYS.filter((k) => k !== 'variant'));
    return new LeNet5({ ...(config as LeNet5Config), variant: 'twn' });
  },
  // The model takes one input size only: its inputSize (the size argument is ignored).
  inputShape(config) {
    const s = (config.inputSize as number | undefined) ?? 28;
    return [1, (config.inChannels as number | undefined) ?? 1, s, s];
  },
});

registerModel({
  name: 'lenet5_classic',
  description: 'LeNet-5 of LeCun et al. 1998: C1 6@5×5, S2, C3 16@5×5, S4, C5 120, F6 84, output (tanh, average pooling)',
  task: 'classification',
  create(config = {}) {
    checkConfigKeys('lenet5_classic', config, CONFIG_KEYS.filter((k) => k !== 'variant' && k !== 'batchNorm'));
    return new LeNet5({ ...(config as LeNet5Config), variant: 'classic' });
  },
  inputShape(config) {
    const s = (config.inputSize as number | undefined) ?? 32;
    return [1, (config.inChannels as number | undefined) ?? 1, s, s];
  },
});
