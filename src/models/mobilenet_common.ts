/**
 * Helpers shared by the MobileNets and the MobileNet U-Net: config
 * validation (errors name the option) and torchvision's weight
 * initialisation.
 */
import * as tn from '../torch/index.js';
import { Module, Conv2d, BatchNorm2d, Linear, init, functional as F } from '../nn/index.js';

export function optInt(model: string, name: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new tn.TorchError(`${model}: ${name} must be an integer ≥ ${min}, got ${String(v)}`, model);
  return v;
}

export function optPositive(model: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0)) throw new tn.TorchError(`${model}: ${name} must be a positive number, got ${String(v)}`, model);
  return v;
}

export function optProbability(model: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new tn.TorchError(`${model}: ${name} must be a number in [0, 1), got ${String(v)}`, model);
  return v;
}

export function optBool(model: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new tn.TorchError(`${model}: ${name} must be true or false, got ${String(v)}`, model);
  return v;
}

export function optChoice<T extends string>(model: string, name: string, v: unknown, choices: readonly T[]): T {
  if (typeof v !== 'string' || !choices.includes(v as T)) throw new tn.TorchError(`${model}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${JSON.stringify(v)}`, model);
  return v as T;
}

/** A config object (undefined → {}); anything else is an error. */
export function configObject(model: string, config: unknown): Record<string, unknown> {
  if (config === undefined || config === null) return {};
  if (typeof config !== 'object' || Array.isArray(config)) throw new tn.TorchError(`${model}: the config must be an object`, model);
  return config as Record<string, unknown>;
}

/**
 * torchvision's MobileNet initialisation: conv weights kaiming_normal_
 * (fan_out), conv biases 0, BatchNorm weight 1 / bias 0, Linear weights
 * N(0, 0.01) and biases 0. Other layers (e.g. transposed convolutions)
 * keep PyTorch's default.
 */
export function initMobileNetWeights(root: Module): void {
  tn.noGrad(() => {
    for (const m of root.modules()) {
      if (m instanceof Conv2d) {
        init.kaimingNormal_(m.weight, { mode: 'fanOut' });
        if (m.bias) m.bias.zero_();
      } else if (m instanceof BatchNorm2d) {
        m.weight?.fill_(1);
        m.bias?.zero_();
      } else if (m instanceof Linear) {
        init.normal_(m.weight, 0, 0.01);
        if (m.bias) m.bias.zero_();
      }
    }
  });
}

/** A classifier's (N, C, H, W) features → global average → (N, C). */
export function globalPoolFlatten(x: tn.Tensor): tn.Tensor {
  const p = F.adaptiveAvgPool2d(x, 1);
  try {
    return p.flatten(1);
  } finally {
    p.dispose();
  }
}

/** Checks a model's image input: (N, C, H, W) float with C = inChannels. */
export function checkImageInput(model: string, x: unknown, inChannels: number): tn.Tensor {
  if (!(x instanceof tn.Tensor)) throw new tn.TorchError(`${model}: input must be a Tensor, got ${x === null ? 'null' : typeof x}`, model);
  if (x.ndim !== 4) throw new tn.TorchError(`${model}: expected a 4-d input (N, ${inChannels}, H, W), got shape [${x.shape.join(', ')}]`, model);
  if (x.shape[1] !== inChannels) throw new tn.TorchError(`${model}: expected ${inChannels} input channel${inChannels === 1 ? '' : 's'}, got shape [${x.shape.join(', ')}]`, model);
  return x;
}

/** features → global average pool → classifier, freeing the intermediates (MobileNet V1/V2 heads). */
export function classify(model: string, input: unknown, inChannels: number, features: Module, classifier: Module): tn.Tensor {
  const x = checkImageInput(model, input, inChannels);
  const f = features.forward(x) as tn.Tensor;
  const p = globalPoolFlatten(f);
  f.dispose();
  try {
    return classifier.forward(p) as tn.Tensor;
  } finally {
    p.dispose();
  }
}

/** The registry's input shape for image models: [1, inChannels (3), size, size (224)]. */
export function imageInputShape(config: Record<string, unknown>, size?: number): number[] {
  const s = size ?? 224;
  return [1, (config.inChannels as number | undefined) ?? 3, s, s];
}
