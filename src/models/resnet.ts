/**
 * ResNet (He et al. 2016, "Deep Residual Learning for Image Recognition") with
 * torchvision 0.14's module structure, state-dict keys and initialisation, so
 * torchvision checkpoints load strictly:
 *
 *   conv1 (7×7, stride 2, no bias) → bn1 → relu → maxpool (3×3, stride 2)
 *   → layer1 … layer4 (Sequentials of BasicBlock or Bottleneck; the first
 *     block of layer2–4 has stride 2) → avgpool (adaptive, 1×1) → flatten → fc
 *
 * Keys: conv1.weight, bn1.{weight,bias,running_mean,running_var,num_batches_tracked},
 * layer1.0.conv1.weight, …, layer2.0.downsample.0.weight, …, fc.weight, fc.bias.
 * With 1000 classes: ResNet-18 has 11 689 512 parameters, ResNet-34 21 797 672,
 * ResNet-50 25 557 032 (checked against torchvision in test/twn_nets.test.ts).
 *
 * Shortcuts are torchvision's "option B" of the paper: the identity, and a
 * 1×1 convolution + BN projection only where the shape changes (the first
 * block of a stage). This is the "ResNet-18B" of the TWN paper (Li, Zhang &
 * Liu 2016, "Ternary Weight Networks"), which used option-B shortcuts.
 *
 * tunet additions, off by default (the structure is torchvision's at the
 * defaults): inChannels (e.g. 1 for grey images; only conv1's weight changes
 * shape) and widthMult (stage widths round(64·w), round(128·w), … — the
 * reduced-width model of the numeric fixture).
 */
import * as tn from '../torch/index.js';
import {
  Module, Sequential, Conv2d, BatchNorm2d, ReLU, MaxPool2d, AdaptiveAvgPool2d, Linear, BasicBlock, Bottleneck, init,
} from '../nn/index.js';
import { chain } from '../nn/layers/util.js';
import { registerModel, checkConfigKeys } from './registry.js';
import { optInt, optNum, optBool, optEnum, scaled } from './netopts.js';

type Tensor = tn.Tensor;

export type ResNetDepth = 18 | 34 | 50 | 101 | 152;

export interface ResNetConfig {
  /** 18, 34 (BasicBlock) or 50, 101, 152 (Bottleneck). Default 18. */
  depth?: ResNetDepth;
  /** Default 1000. */
  numClasses?: number;
  /** Input channels (tunet addition). Default 3. */
  inChannels?: number;
  /** Multiplies the stage widths 64/128/256/512 (rounded; tunet addition). Default 1. */
  widthMult?: number;
  /** Zero-initialise the last BN of each residual branch (torchvision's zero_init_residual). Default false. */
  zeroInitResidual?: boolean;
  /** Grouped 3×3 convolutions (ResNeXt; Bottleneck only). Default 1. */
  groups?: number;
  /** Bottleneck width per group (64 standard; 128 for wide ResNets). Default 64. */
  widthPerGroup?: number;
  /** Replace the stride of layer2, layer3, layer4 by dilation (Bottleneck only). Default [false, false, false]. */
  replaceStrideWithDilation?: [boolean, boolean, boolean];
}

const LAYERS: Record<ResNetDepth, [number, number, number, number]> = {
  18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3],
};

const CONFIG_KEYS = ['depth', 'numClasses', 'inChannels', 'widthMult', 'zeroInitResidual', 'groups', 'widthPerGroup', 'replaceStrideWithDilation'] as const;

export class ResNet extends Module {
  readonly config: Required<ResNetConfig>;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu: ReLU;
  maxpool: MaxPool2d;
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  layer4: Sequential;
  avgpool: AdaptiveAvgPool2d;
  fc: Linear;

  constructor(config: ResNetConfig = {}) {
    super();
    const OP = 'ResNet';
    if (config === null || typeof config !== 'object') throw new tn.TorchError('the config must be an object', OP);
    checkConfigKeys(OP, config as Record<string, unknown>, CONFIG_KEYS);
    const depth = optEnum<ResNetDepth>(OP, 'depth', config.depth, 18, [18, 34, 50, 101, 152]);
    const numClasses = optInt(OP, 'numClasses', config.numClasses, 1000);
    const inChannels = optInt(OP, 'inChannels', config.inChannels, 3);
    const widthMult = optNum(OP, 'widthMult', config.widthMult, 1, { min: 0, exclusiveMin: true });
    const zeroInitResidual = optBool(OP, 'zeroInitResidual', config.zeroInitResidual, false);
    const groups = optInt(OP, 'groups', config.groups, 1);
    const widthPerGroup = optInt(OP, 'widthPerGroup', config.widthPerGroup, 64);
    const rswd = config.replaceStrideWithDilation ?? [false, false, false];
    if (!Array.isArray(rswd) || rswd.length !== 3 || !rswd.every((b) => typeof b === 'boolean')) {
      throw new tn.TorchError(`option 'replaceStrideWithDilation' must be an array of 3 booleans, got ${JSON.stringify(config.replaceStrideWithDilation)}`, OP);
    }
    const bottleneck = depth >= 50;
    if (!bottleneck && (groups !== 1 || widthPerGroup !== 64)) throw new tn.TorchError(`options 'groups' and 'widthPerGroup' need a Bottleneck ResNet (depth ≥ 50); BasicBlock only supports groups=1 and widthPerGroup=64`, OP);
    if (!bottleneck && rswd.some((b) => b)) throw new tn.TorchError("option 'replaceStrideWithDilation' needs a Bottleneck ResNet (depth ≥ 50): dilation > 1 is not supported in BasicBlock", OP);
    this.config = { depth, numClasses, inChannels, widthMult, zeroInitResidual, groups, widthPerGroup, replaceStrideWithDilation: [...rswd] as [boolean, boolean, boolean] };

    const Block = bottleneck ? Bottleneck : BasicBlock;
    const expansion = Block.expansion;
    const widths = [64, 128, 256, 512].map((c) => scaled(c, widthMult));
    let inplanes = widths[0];
    let dilation = 1;
    const makeLayer = (planes: number, blocks: number, stride: number, dilate: boolean): Sequential => {
      // torchvision's ResNet._make_layer.
      const previousDilation = dilation;
      if (dilate) {
        dilation *= stride;
        stride = 1;
      }
      const opts = { groups, baseWidth: widthPerGroup };
      const mods: Module[] = [new Block(inplanes, planes, { ...opts, stride, dilation: previousDilation })];
      inplanes = planes * expansion;
      for (let i = 1; i < blocks; i++) mods.push(new Block(inplanes, planes, { ...opts, dilation }));
      return new Sequential(...mods);
    };
    const layers = LAYERS[depth];
    this.conv1 = this.registerModule('conv1', new Conv2d(inChannels, widths[0], 7, { stride: 2, padding: 3, bias: false }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(widths[0]));
    this.relu = this.registerModule('relu', new ReLU());
    this.maxpool = this.registerModule('maxpool', new MaxPool2d(3, { stride: 2, padding: 1 }));
    this.layer1 = this.registerModule('layer1', makeLayer(widths[0], layers[0], 1, false));
    this.layer2 = this.registerModule('layer2', makeLayer(widths[1], layers[1], 2, rswd[0]));
    this.layer3 = this.registerModule('layer3', makeLayer(widths[2], layers[2], 2, rswd[1]));
    this.layer4 = this.registerModule('layer4', makeLayer(widths[3], layers[3], 2, rswd[2]));
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
    this.fc = this.registerModule('fc', new Linear(widths[3] * expansion, numClasses));

    // torchvision's initialisation: convolutions kaiming_normal_(fan_out, relu);
    // BN weight 1, bias 0 (their defaults); fc keeps Linear's default.
    for (const m of this.modules()) {
      if (m instanceof Conv2d) init.kaimingNormal_(m.weight, { mode: 'fanOut', nonlinearity: 'relu' });
    }
    if (zeroInitResidual) {
      for (const m of this.modules()) {
        const last = m instanceof Bottleneck ? m.bn3 : m instanceof BasicBlock ? m.bn2 : null;
        const w = (last as BatchNorm2d | null)?.weight;
        if (w) tn.noGrad(() => w.zero_());
      }
    }
  }

  /** The pooled features before fc, (N, 512·expansion·widthMult). */
  forwardFeatures(input: Tensor): Tensor {
    const x = input;
    if (!(x instanceof tn.Tensor)) throw new tn.TorchError('input must be a Tensor', 'ResNet');
    if (x.ndim !== 4 || x.shape[1] !== this.config.inChannels) throw new tn.TorchError(`expected input (N, ${this.config.inChannels}, H, W), got [${x.shape.join(', ')}]`, 'ResNet');
    return chain(x,
      (t) => this.conv1.forward(t), (t) => this.bn1.forward(t), (t) => this.relu.forward(t), (t) => this.maxpool.forward(t),
      (t) => this.layer1.forward(t), (t) => this.layer2.forward(t), (t) => this.layer3.forward(t), (t) => this.layer4.forward(t),
      (t) => this.avgpool.forward(t), (t) => t.flatten(1));
  }

  /** Class scores (logits), (N, numClasses). */
  forward(input: Tensor): Tensor {
    const f = this.forwardFeatures(input);
    try {
      return this.fc.forward(f);
    } finally {
      f.dispose();
    }
  }

  override extraRepr(): string {
    return `depth=${this.config.depth}, numClasses=${this.config.numClasses}${this.config.widthMult !== 1 ? `, widthMult=${this.config.widthMult}` : ''}`;
  }
}

/** torchvision.models.resnet18 (with tunet's extra options). */
export function resnet18(config: Omit<ResNetConfig, 'depth'> = {}): ResNet {
  return new ResNet({ ...config, depth: 18 });
}
export function resnet34(config: Omit<ResNetConfig, 'depth'> = {}): ResNet {
  return new ResNet({ ...config, depth: 34 });
}
export function resnet50(config: Omit<ResNetConfig, 'depth'> = {}): ResNet {
  return new ResNet({ ...config, depth: 50 });
}

for (const depth of [18, 34, 50] as const) {
  const name = `resnet${depth}`;
  registerModel({
    name,
    description: `ResNet-${depth} (He et al. 2016), torchvision 0.14 structure and keys${depth === 18 ? "; TWN's ResNet-18B (option-B shortcuts)" : ''}`,
    task: 'classification',
    create(config = {}) {
      checkConfigKeys(name, config, CONFIG_KEYS.filter((k) => k !== 'depth'));
      return new ResNet({ ...(config as ResNetConfig), depth });
    },
    inputShape(config, size) {
      const c = (config.inChannels as number | undefined) ?? 3;
      return [1, c, size ?? 224, size ?? 224];
    },
  });
}
