/** Normalisation layers: BatchNorm1d/2d, GroupNorm, LayerNorm, InstanceNorm2d. */
import { Tensor, TorchError, noGrad } from '../../torch/index.js';
import { Module, type Parameter } from '../module.js';
import { batchNorm, groupNorm, layerNorm, instanceNorm } from '../functional/norm.js';
import { newParameter, newBuffer, positiveInt, checkInput } from './util.js';


/**
 * The parameters and buffers of batch and instance norm, with PyTorch's keys and initial values:
 * weight = 1, bias = 0 (when affine); running_mean = 0, running_var = 1, num_batches_tracked = 0 (when tracking).
 */
function registerNormState(m: Module, numFeatures: number, affine: boolean, track: boolean) {
  return {
    weight: m.registerParameter('weight', affine ? newParameter([numFeatures], (t) => t.fill_(1)) : null),
    bias: m.registerParameter('bias', affine ? newParameter([numFeatures], (t) => t.zero_()) : null),
    runningMean: m.registerBuffer('running_mean', track ? newBuffer([numFeatures], (t) => t.zero_()) : null),
    runningVar: m.registerBuffer('running_var', track ? newBuffer([numFeatures], (t) => t.fill_(1)) : null),
    numBatchesTracked: m.registerBuffer('num_batches_tracked', track ? newBuffer([], (t) => t.zero_(), 'int64') : null),
  };
}

export interface BatchNormOptions {
  /** Added to the variance for stability. Default 1e-5. */
  eps?: number;
  /**
   * Weight of the new batch in the running statistics (default 0.1):
   * running = (1 − momentum)·running + momentum·batch. null gives the
   * cumulative average over all batches seen (factor 1/numBatchesTracked).
   */
  momentum?: number | null;
  /** Learnable per-channel scale (weight, init 1) and shift (bias, init 0). Default true. */
  affine?: boolean;
  /** Keep running_mean/running_var/num_batches_tracked for eval mode. Default true; without them eval uses batch statistics. */
  trackRunningStats?: boolean;
}

/**
 * Batch normalisation (PyTorch's _BatchNorm): in training mode the batch
 * statistics normalise the input and update the running statistics
 * (running_var with the unbiased batch variance); in eval mode the running
 * statistics are used. State-dict keys: weight, bias, running_mean,
 * running_var, num_batches_tracked (int64).
 */
abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  numBatchesTracked: Tensor | null;

  constructor(numFeatures: number, o: BatchNormOptions = {}) {
    super();
    const name = this.constructor.name;
    this.numFeatures = positiveInt(numFeatures, 'numFeatures', name);
    this.eps = o.eps ?? 1e-5;
    if (typeof this.eps !== 'number' || !(this.eps >= 0)) throw new TorchError(`eps must be a non-negative number, got ${String(o.eps)}`, name);
    const m = o.momentum === undefined ? 0.1 : o.momentum;
    if (m !== null && (typeof m !== 'number' || !(m >= 0 && m <= 1))) throw new TorchError(`momentum must be a number in [0, 1] or null, got ${String(m)}`, name);
    this.momentum = m;
    this.affine = o.affine ?? true;
    this.trackRunningStats = o.trackRunningStats ?? true;
    ({ weight: this.weight, bias: this.bias, runningMean: this.runningMean, runningVar: this.runningVar, numBatchesTracked: this.numBatchesTracked } =
      registerNormState(this, numFeatures, this.affine, this.trackRunningStats));
  }

  /** Zeroes running_mean and num_batches_tracked, sets running_var to 1. */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }

  /** resetRunningStats, and weight to 1, bias to 0. */
  resetParameters(): void {
    this.resetRunningStats();
    noGrad(() => {
      this.weight?.fill_(1);
      this.bias?.zero_();
    });
  }

  protected abstract checkInputDim(x: Tensor): void;

  forward(input: Tensor): Tensor {
    const x = checkInput(input, this.constructor.name);
    this.checkInputDim(x);
    let factor = this.momentum ?? 0.0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked !== null) {
      const n = this.numBatchesTracked;
      noGrad(() => n.add_(1));
      if (this.momentum === null) factor = 1.0 / n.item();
    }
    const useBatchStats = this.training || (this.runningMean === null && this.runningVar === null);
    const useRunning = !this.training || this.trackRunningStats;
    return batchNorm(x, useRunning ? this.runningMean : null, useRunning ? this.runningVar : null, {
      weight: this.weight, bias: this.bias, training: useBatchStats, momentum: factor, eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Batch normalisation over (N, C) or (N, C, L) input. */
export class BatchNorm1d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new TorchError(`expected 2D or 3D input (got ${x.ndim}D input)`, 'BatchNorm1d');
  }
}

/** Batch normalisation over (N, C, H, W) input. */
export class BatchNorm2d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 4) throw new TorchError(`expected 4D input (got ${x.ndim}D input)`, 'BatchNorm2d');
  }
}

/**
 * Group normalisation (Wu & He 2018): channels split into numGroups groups,
 * each normalised over its channels and positions per sample; the same in
 * training and eval. weight (1) and bias (0) per channel when affine.
 */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, o: { eps?: number; affine?: boolean } = {}) {
    super();
    this.numGroups = positiveInt(numGroups, 'numGroups', 'GroupNorm');
    this.numChannels = positiveInt(numChannels, 'numChannels', 'GroupNorm');
    if (numChannels % numGroups !== 0) throw new TorchError(`numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`, 'GroupNorm');
    this.eps = o.eps ?? 1e-5;
    this.affine = o.affine ?? true;
    this.weight = this.registerParameter('weight', this.affine ? newParameter([numChannels], (t) => t.fill_(1)) : null);
    this.bias = this.registerParameter('bias', this.affine ? newParameter([numChannels], (t) => t.zero_()) : null);
  }

  forward(input: Tensor): Tensor {
    return groupNorm(checkInput(input, 'GroupNorm'), this.numGroups, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.affine}`;
  }
}

/**
 * Layer normalisation (Ba et al. 2016) over the last dimensions
 * (normalizedShape); weight (1) and bias (0) of that shape when
 * elementwiseAffine.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], o: { eps?: number; elementwiseAffine?: boolean } = {}) {
    super();
    const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    ns.forEach((d) => positiveInt(d, 'normalizedShape', 'LayerNorm'));
    this.normalizedShape = ns;
    this.eps = o.eps ?? 1e-5;
    this.elementwiseAffine = o.elementwiseAffine ?? true;
    this.weight = this.registerParameter('weight', this.elementwiseAffine ? newParameter(ns, (t) => t.fill_(1)) : null);
    this.bias = this.registerParameter('bias', this.elementwiseAffine ? newParameter(ns, (t) => t.zero_()) : null);
  }

  forward(input: Tensor): Tensor {
    return layerNorm(checkInput(input, 'LayerNorm'), this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}

/**
 * Instance normalisation (Ulyanov et al. 2016) over (N, C, H, W) or
 * unbatched (C, H, W) input: each channel of each sample is normalised over
 * its positions. PyTorch's defaults: affine=false, trackRunningStats=false
 * (then eval also uses the instance statistics).
 */
export class InstanceNorm2d extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  numBatchesTracked: Tensor | null;

  constructor(numFeatures: number, o: { eps?: number; momentum?: number; affine?: boolean; trackRunningStats?: boolean } = {}) {
    super();
    this.numFeatures = positiveInt(numFeatures, 'numFeatures', 'InstanceNorm2d');
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum ?? 0.1;
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new TorchError(`momentum must be a number in [0, 1], got ${String(o.momentum)}`, 'InstanceNorm2d');
    this.affine = o.affine ?? false;
    this.trackRunningStats = o.trackRunningStats ?? false;
    ({ weight: this.weight, bias: this.bias, runningMean: this.runningMean, runningVar: this.runningVar, numBatchesTracked: this.numBatchesTracked } =
      registerNormState(this, numFeatures, this.affine, this.trackRunningStats));
  }

  forward(input: Tensor): Tensor {
    const x = checkInput(input, 'InstanceNorm2d');
    if (x.ndim !== 3 && x.ndim !== 4) throw new TorchError(`expected 3D or 4D input (got ${x.ndim}D input)`, 'InstanceNorm2d');
    const c = x.shape[x.ndim - 3];
    if (this.affine && c !== this.numFeatures) throw new TorchError(`expected input's size at dim=${x.ndim - 3} to match numFeatures (${this.numFeatures}), but got: ${c}`, 'InstanceNorm2d');
    const run = (t: Tensor) => instanceNorm(t, {
      runningMean: this.runningMean, runningVar: this.runningVar, weight: this.weight, bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats, momentum: this.momentum, eps: this.eps,
    });
    if (x.ndim === 4) return run(x);
    const b = x.unsqueeze(0);
    const y = run(b);
    const out = y.squeeze(0);
    b.dispose();
    y.dispose();
    return out;
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}
