/** Linear, Identity, Flatten and Unflatten. */
import { Tensor, TorchError } from '../../torch/index.js';
import { Module, type Parameter } from '../module.js';
import { linear } from '../functional/norm.js';
import { identity } from '../functional/activation.js';
import { kaimingUniform_, uniform_, calculateFanInAndFanOut } from '../init.js';
import { newParameter, positiveInt, checkInput } from './util.js';

/**
 * y = x·Wᵀ + b over the last dimension. weight is (out, in); PyTorch's
 * initialisation: weight kaiming_uniform_(a=√5) = U(±1/√in), bias U(±1/√in).
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: { bias?: boolean } = {}) {
    super();
    this.inFeatures = positiveInt(inFeatures, 'inFeatures', 'Linear', 0);
    this.outFeatures = positiveInt(outFeatures, 'outFeatures', 'Linear', 0);
    this.weight = this.registerParameter('weight', newParameter([outFeatures, inFeatures], (w) => kaimingUniform_(w, { a: Math.sqrt(5) })));
    this.bias = this.registerParameter('bias', opts.bias ?? true ? newParameter([outFeatures], (b) => biasInit(b, this.weight)) : null);
  }

  forward(input: Tensor): Tensor {
    return linear(checkInput(input, 'Linear'), this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** PyTorch's default bias initialisation for Linear/Conv: U(±1/√fan_in) (zero when fan_in is 0). */
export function biasInit(b: Tensor, weight: Tensor): void {
  const { fanIn } = calculateFanInAndFanOut(weight);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  uniform_(b, -bound, bound);
}

/** Returns its input (as a new handle to the same tensor). */
export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return identity(checkInput(input, 'Identity'));
  }
}

/** Flattens dimensions startDim..endDim (default 1..−1: everything but the batch). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
    if (!Number.isInteger(startDim) || !Number.isInteger(endDim)) throw new TorchError('startDim and endDim must be integers', 'Flatten');
  }

  forward(input: Tensor): Tensor {
    return checkInput(input, 'Flatten').flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/** Splits dimension `dim` into `sizes`. */
export class Unflatten extends Module {
  constructor(readonly dim: number, readonly sizes: readonly number[]) {
    super();
  }

  forward(input: Tensor): Tensor {
    return checkInput(input, 'Unflatten').unflatten(this.dim, this.sizes);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, sizes=[${this.sizes.join(', ')}]`;
  }
}
