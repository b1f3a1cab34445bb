/**
 * One Module per activation of nn.functional (PyTorch's nn.ReLU, nn.GELU, …),
 * the MATLAB Neural Network Toolbox names (Logsig, Tansig, Purelin, Hardlim,
 * Hardlims, RadBas, Satlin, Satlins, Poslin), the learnable PReLU and Maxout.
 */
import { Tensor, TorchError } from '../../torch/index.js';
import { Module, type Parameter } from '../module.js';
import * as A from '../functional/activation.js';
import { softmax, logSoftmax, linear } from '../functional/norm.js';
import { kaimingUniform_ } from '../init.js';
import { biasInit } from './linear.js';
import { newParameter, positiveInt, checkInput } from './util.js';

/** max(x, 0). */
export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return A.relu(checkInput(input, 'ReLU'));
  }
}

/** min(max(x, 0), 6). */
export class ReLU6 extends Module {
  forward(input: Tensor): Tensor {
    return A.relu6(checkInput(input, 'ReLU6'));
  }
}

/** Scaled ELU with the self-normalising constants (Klambauer et al. 2017). */
export class SELU extends Module {
  forward(input: Tensor): Tensor {
    return A.selu(checkInput(input, 'SELU'));
  }
}

/** x·σ(x) (Swish). */
export class SiLU extends Module {
  forward(input: Tensor): Tensor {
    return A.silu(checkInput(input, 'SiLU'));
  }
}

/** x·ReLU6(x + 3)/6 (MobileNetV3). */
export class Hardswish extends Module {
  forward(input: Tensor): Tensor {
    return A.hardswish(checkInput(input, 'Hardswish'));
  }
}

/** ReLU6(x + 3)/6. */
export class Hardsigmoid extends Module {
  forward(input: Tensor): Tensor {
    return A.hardsigmoid(checkInput(input, 'Hardsigmoid'));
  }
}

/** x·tanh(softplus(x)). */
export class Mish extends Module {
  forward(input: Tensor): Tensor {
    return A.mish(checkInput(input, 'Mish'));
  }
}

/** x / (1 + |x|). */
export class Softsign extends Module {
  forward(input: Tensor): Tensor {
    return A.softsign(checkInput(input, 'Softsign'));
  }
}

export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return A.sigmoid(checkInput(input, 'Sigmoid'));
  }
}

export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return A.tanh(checkInput(input, 'Tanh'));
  }
}

/** log σ(x). */
export class LogSigmoid extends Module {
  forward(input: Tensor): Tensor {
    return A.logsigmoid(checkInput(input, 'LogSigmoid'));
  }
}

/** 1 where x ≥ 0, else 0 (MATLAB hardlim); zero gradient. */
export class Hardlim extends Module {
  forward(input: Tensor): Tensor {
    return A.hardlim(checkInput(input, 'Hardlim'));
  }
}

/** 1 where x ≥ 0, else −1 (MATLAB hardlims); zero gradient. */
export class Hardlims extends Module {
  forward(input: Tensor): Tensor {
    return A.hardlims(checkInput(input, 'Hardlims'));
  }
}

/** exp(−x²) (MATLAB radbas). */
export class RadBas extends Module {
  forward(input: Tensor): Tensor {
    return A.radbas(checkInput(input, 'RadBas'));
  }
}

/** clamp(x, 0, 1) (MATLAB satlin). */
export class Satlin extends Module {
  forward(input: Tensor): Tensor {
    return A.satlin(checkInput(input, 'Satlin'));
  }
}

/** clamp(x, −1, 1) (MATLAB satlins). */
export class Satlins extends Module {
  forward(input: Tensor): Tensor {
    return A.satlins(checkInput(input, 'Satlins'));
  }
}

/** The identity (MATLAB purelin). */
export class Purelin extends Module {
  forward(input: Tensor): Tensor {
    return A.purelin(checkInput(input, 'Purelin'));
  }
}

// Alternative names: the same classes.
export const Swish = SiLU;
export type Swish = SiLU;
export const HSwish = Hardswish;
export type HSwish = Hardswish;
export const HSigmoid = Hardsigmoid;
export type HSigmoid = Hardsigmoid;
export const Logsig = Sigmoid;
export type Logsig = Sigmoid;
export const Tansig = Tanh;
export type Tansig = Tanh;
export const Poslin = ReLU;
export type Poslin = ReLU;

/** max(0, x) + negativeSlope·min(0, x). */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  forward(input: Tensor): Tensor {
    return A.leakyRelu(checkInput(input, 'LeakyReLU'), this.negativeSlope);
  }

  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** x for x > 0, alpha·(exp(x) − 1) otherwise. */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }

  forward(input: Tensor): Tensor {
    return A.elu(checkInput(input, 'ELU'), this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** max(0, x) + min(0, alpha·(exp(x/alpha) − 1)). */
export class CELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    if (alpha === 0) throw new TorchError('alpha must not be zero', 'CELU');
  }

  forward(input: Tensor): Tensor {
    return A.celu(checkInput(input, 'CELU'), this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** x·Φ(x); approximate 'tanh' uses the tanh approximation. */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh') throw new TorchError(`approximate must be 'none' or 'tanh', got '${String(approximate)}'`, 'GELU');
  }

  forward(input: Tensor): Tensor {
    return A.gelu(checkInput(input, 'GELU'), this.approximate);
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** log(1 + exp(βx))/β, linear above threshold. */
export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) {
    super();
  }

  forward(input: Tensor): Tensor {
    return A.softplus(checkInput(input, 'Softplus'), this.beta, this.threshold);
  }

  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** clamp(x, minVal, maxVal). */
export class Hardtanh extends Module {
  constructor(readonly minVal = -1, readonly maxVal = 1) {
    super();
    if (!(minVal < maxVal)) throw new TorchError(`minVal (${minVal}) must be less than maxVal (${maxVal})`, 'Hardtanh');
  }

  forward(input: Tensor): Tensor {
    return A.hardtanh(checkInput(input, 'Hardtanh'), this.minVal, this.maxVal);
  }

  override extraRepr(): string {
    return `minVal=${this.minVal}, maxVal=${this.maxVal}`;
  }
}

function dimArg(dim: unknown, name: string): number {
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new TorchError(`dim must be an integer (the dimension to normalise over), got ${String(dim)}`, name);
  return dim;
}

/** Softmax over `dim` (required; PyTorch's implicit dim is deprecated). */
export class Softmax extends Module {
  readonly dim: number;

  constructor(dim: number) {
    super();
    this.dim = dimArg(dim, 'Softmax');
  }

  forward(input: Tensor): Tensor {
    return softmax(checkInput(input, 'Softmax'), this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** log(softmax(x)) over `dim`, computed stably. */
export class LogSoftmax extends Module {
  readonly dim: number;

  constructor(dim: number) {
    super();
    this.dim = dimArg(dim, 'LogSoftmax');
  }

  forward(input: Tensor): Tensor {
    return logSoftmax(checkInput(input, 'LogSoftmax'), this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/**
 * Parametric ReLU (He et al. 2015): max(0, x) + a·min(0, x) with learnable a,
 * one shared (numParameters 1) or one per channel (numParameters = C, channels
 * in dimension 1). State-dict key: weight, initialised to `init` (0.25).
 */
export class PReLU extends Module {
  weight: Parameter;

  constructor(numParameters = 1, init = 0.25) {
    super();
    positiveInt(numParameters, 'numParameters', 'PReLU');
    this.weight = this.registerParameter('weight', newParameter([numParameters], (t) => t.fill_(init)));
  }

  forward(input: Tensor): Tensor {
    return A.prelu(checkInput(input, 'PReLU'), this.weight);
  }

  override extraRepr(): string {
    return `numParameters=${this.weight.numel()}`;
  }
}

function maxOverPieces(x: Tensor, dim: number, pieces: number, name: string): Tensor {
  const d = dim < 0 ? dim + x.ndim : dim;
  const c = x.shape[d];
  if (c % pieces !== 0) throw new TorchError(`dimension ${d} has ${c} features, not divisible by pieces (${pieces})`, name);
  const grouped = x.unflatten(d, [c / pieces, pieces]);
  const { values, indices } = grouped.max(d + 1);
  grouped.dispose();
  indices.dispose();
  return values;
}

/**
 * Maxout (Goodfellow et al. 2013) over channels: (N, C·k, …) → (N, C, …),
 * output channel c the maximum of input channels c·k … c·k + k − 1 (k =
 * pieces, consecutive channels form one unit). Put it after a layer with k
 * times the channels you want. For (N, F) input it works on the features.
 */
export class Maxout extends Module {
  readonly pieces: number;

  constructor(pieces: number) {
    super();
    this.pieces = positiveInt(pieces, 'pieces', 'Maxout');
  }

  forward(input: Tensor): Tensor {
    const x = checkInput(input, 'Maxout');
    if (x.ndim < 2) throw new TorchError(`expected (N, C·pieces, …) input, got shape [${x.shape.join(', ')}]`, 'Maxout');
    return maxOverPieces(x, 1, this.pieces, 'Maxout');
  }

  override extraRepr(): string {
    return `pieces=${this.pieces}`;
  }
}

/**
 * A maxout unit layer: an affine map to outFeatures·pieces values, then the
 * maximum over each unit's `pieces` consecutive values. weight is
 * (outFeatures·pieces, inFeatures) with rows j·pieces … j·pieces + pieces − 1
 * belonging to output j; initialised as Linear's.
 */
export class MaxoutLinear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly pieces: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, pieces: number, opts: { bias?: boolean } = {}) {
    super();
    this.inFeatures = positiveInt(inFeatures, 'inFeatures', 'MaxoutLinear');
    this.outFeatures = positiveInt(outFeatures, 'outFeatures', 'MaxoutLinear');
    this.pieces = positiveInt(pieces, 'pieces', 'MaxoutLinear');
    this.weight = this.registerParameter('weight', newParameter([outFeatures * pieces, inFeatures], (w) => kaimingUniform_(w, { a: Math.sqrt(5) })));
    this.bias = this.registerParameter('bias', opts.bias ?? true ? newParameter([outFeatures * pieces], (b) => biasInit(b, this.weight)) : null);
  }

  forward(input: Tensor): Tensor {
    const z = linear(checkInput(input, 'MaxoutLinear'), this.weight, this.bias);
    try {
      return maxOverPieces(z, -1, this.pieces, 'MaxoutLinear');
    } finally {
      z.dispose();
    }
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, pieces=${this.pieces}, bias=${this.bias !== null}`;
  }
}
