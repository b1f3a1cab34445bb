/**
 * The classic networks of the MATLAB Neural Network Toolbox, as nn.Modules:
 *
 * - Perceptron (newp/perceptron): one layer of hardlim (or hardlims) units,
 *   learnt with the perceptron rule w += lr·(t − y)·xᵀ, b += lr·(t − y)
 *   (learnp), sample by sample (trainc, MATLAB's default) or summed over the
 *   batch (trainb). Weights start at zero (initzero).
 * - MLP (feedforwardnet / newff, "BP network"): fully connected layers with a
 *   transfer function per layer by MATLAB or PyTorch name (purelin, logsig,
 *   tansig, poslin/relu, …), learnt by backpropagation with any tn.optim
 *   optimizer (default: plain gradient descent, traingd).
 * - RBFNetwork (newrbe): exact design: one radbas unit per training sample
 *   (centre = the sample, bias = 0.8326/spread so a unit's output is 0.5 at
 *   distance spread), the linear output layer solved by least squares on the
 *   design matrix [A 1], so the training points are fitted exactly.
 * - Elman (elmannet / newelm): a tanh hidden layer whose previous state comes
 *   back through context units, h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh),
 *   and a linear output layer y_t = W_o h_t + b_o at every step.
 *
 * MATLAB's train(net, P, T) is each model's train(inputs, targets, options)
 * (train() and train(false) still switch training/eval mode as on every
 * Module). Samples are rows (N, features), not MATLAB's columns.
 */
import * as tn from '../torch/index.js';
import { op } from '../torch/dispatch.js';
import { Module, Parameter, ModuleList, Linear, init } from '../nn/index.js';
import * as F from '../nn/functional/index.js';
import { newParameter } from '../nn/layers/util.js';
import { registerModel, checkConfigKeys } from './registry.js';
import { optInt, optNum, optBool, optEnum } from './netopts.js';

type Tensor = tn.Tensor;

// ------------------------------------------------------------------ shared

/** What train() needs of an optimizer (any tn.optim optimizer fits). */
export interface OptimizerLike {
  step(): unknown;
  zeroGrad(setToNone?: boolean): void;
}

export type LossName = 'mse' | 'sse' | 'crossEntropy' | 'bce';
export type LossSpec = LossName | ((output: Tensor, target: Tensor) => Tensor);

export interface BackpropTrainOptions {
  /** Any tn.optim optimizer over the model's parameters. Default: gradient descent with `lr` (MATLAB's traingd). */
  optimizer?: OptimizerLike;
  /** Learning rate of the default gradient descent. Default 0.01. */
  lr?: number;
  /** Full passes over the data. Default 100. */
  epochs?: number;
  /**
   * 'mse' (MATLAB's default performance function), 'sse', 'crossEntropy'
   * (targets: class indices, int64), 'bce' (outputs are probabilities, e.g.
   * after logsig) or a function (output, target) → scalar. Default 'mse'.
   */
  loss?: LossSpec;
  /** Stop once the epoch's loss is ≤ goal (MATLAB's performance goal). Default 0. */
  goal?: number;
}

export interface BackpropTrainResult {
  /** The loss of each epoch (before that epoch's update). */
  losses: number[];
  epochs: number;
  /** Whether the goal was reached. */
  reachedGoal: boolean;
}

function lossOf(spec: LossSpec, out: Tensor, t: Tensor, model: string): Tensor {
  if (typeof spec === 'function') return spec(out, t);
  switch (spec) {
    case 'mse': return F.mseLoss(out, t);
    case 'sse': return F.mseLoss(out, t, { reduction: 'sum' });
    case 'crossEntropy': return F.crossEntropy(out, t);
    case 'bce': return F.binaryCrossEntropy(out, t);
  }
  throw new tn.TorchError(`option 'loss' must be 'mse', 'sse', 'crossEntropy', 'bce' or a function, got ${String(spec)}`, model);
}

/** Plain gradient descent p −= lr·∇p (MATLAB's traingd). */
class GradientDescent implements OptimizerLike {
  constructor(private readonly params: Parameter[], private readonly lr: number) {}

  step(): void {
    tn.noGrad(() => {
      for (const p of this.params) {
        const g = p.grad;
        if (g === null) continue;
        p.sub_(g, this.lr);
        g.dispose();
      }
    });
  }

  zeroGrad(): void {
    for (const p of this.params) {
      const g = p.grad;
      if (g === null) continue;
      p.grad = null;
      g.dispose();
    }
  }
}

/**
 * Full-batch backpropagation: `epochs` times zeroGrad → forward → loss →
 * backward → step, every temporary freed (tn.memory() stays flat).
 */
function backpropTrain(model: Module, name: string, run: () => Tensor, target: Tensor, o: BackpropTrainOptions): BackpropTrainResult {
  if (o === null || typeof o !== 'object') throw new tn.TorchError('train options must be an object', name);
  checkConfigKeys(`${name}.train`, o as Record<string, unknown>, ['optimizer', 'lr', 'epochs', 'loss', 'goal']);
  const epochs = optInt(name, 'epochs', o.epochs, 100, 0);
  const goal = optNum(name, 'goal', o.goal, 0, { min: 0 });
  const loss = o.loss ?? 'mse';
  const opt = o.optimizer ?? new GradientDescent(model.parameters(), optNum(name, 'lr', o.lr, 0.01, { min: 0, exclusiveMin: true }));
  if (typeof opt.step !== 'function' || typeof opt.zeroGrad !== 'function') throw new tn.TorchError("option 'optimizer' must have step() and zeroGrad() (a tn.optim optimizer)", name);
  const wasTraining = model.training;
  model.train(true);
  const losses: number[] = [];
  let reachedGoal = false;
  try {
    for (let e = 0; e < epochs; e++) {
      opt.zeroGrad(true);
      const l = tn.scope(() => {
        const out = run();
        const lv = lossOf(loss, out, target, name);
        if (lv.numel() !== 1) throw new tn.TorchError(`the loss must be a scalar, got shape [${lv.shape.join(', ')}]`, name);
        lv.backward();
        return lv.item();
      });
      losses.push(l);
      if (l <= goal) {
        reachedGoal = true;
        opt.zeroGrad(true);
        break;
      }
      tn.scope(() => {
        opt.step();
      });
    }
    opt.zeroGrad(true);
  } finally {
    model.train(wasTraining);
  }
  return { losses, epochs: losses.length, reachedGoal };
}

function checkTensor(x: unknown, what: string, model: string): Tensor {
  if (!(x instanceof tn.Tensor)) throw new tn.TorchError(`${what} must be a Tensor, got ${x === null ? 'null' : typeof x}`, model);
  return x;
}

/** Targets as (N, out) floats; (N) is accepted for one output. */
function targetMatrix(t: Tensor, n: number, out: number, model: string): Tensor {
  if (t.ndim === 1 && out === 1 && t.shape[0] === n) return t.unsqueeze(1).float();
  if (t.ndim !== 2 || t.shape[0] !== n || t.shape[1] !== out) throw new tn.TorchError(`targets must be (${n}, ${out})${out === 1 ? ` or (${n})` : ''}, got [${t.shape.join(', ')}]`, model);
  return t.float();
}

// ------------------------------------------------------------------ transfer functions

/** Transfer functions by name: MATLAB's and PyTorch's names. */
export const TRANSFER_FUNCTIONS = {
  purelin: F.purelin, identity: F.purelin, linear: F.purelin,
  logsig: F.sigmoid, sigmoid: F.sigmoid,
  tansig: F.tanh, tanh: F.tanh,
  poslin: F.relu, relu: F.relu,
  satlin: F.satlin, satlins: F.satlins,
  hardlim: F.hardlim, hardlims: F.hardlims,
  radbas: F.radbas,
  softmax: (x: Tensor) => F.softmax(x, -1),
  elu: (x: Tensor) => F.elu(x),
  leakyrelu: (x: Tensor) => F.leakyRelu(x),
  gelu: (x: Tensor) => F.gelu(x),
  silu: F.silu,
  softplus: (x: Tensor) => F.softplus(x),
} as const satisfies Record<string, (x: Tensor) => Tensor>;
export type TransferName = keyof typeof TRANSFER_FUNCTIONS;

function transferName(v: unknown, what: string, model: string): TransferName {
  if (typeof v !== 'string' || !(v in TRANSFER_FUNCTIONS)) throw new tn.TorchError(`${what} must be a transfer function name (${Object.keys(TRANSFER_FUNCTIONS).join(', ')}), got ${String(v)}`, model);
  return v as TransferName;
}

// ------------------------------------------------------------------ Perceptron

export interface PerceptronConfig {
  /** Default 2. */
  inFeatures?: number;
  /** Number of perceptron units. Default 1. */
  outFeatures?: number;
  /** 'hardlim' (0/1 outputs; default) or 'hardlims' (−1/1). */
  transfer?: 'hardlim' | 'hardlims';
}

export interface PerceptronTrainOptions {
  /** Maximum passes over the data. Default 100. */
  epochs?: number;
  /** Learning rate (1 in MATLAB's learnp). Default 1. */
  lr?: number;
  /** 'incremental' (sample by sample, MATLAB's trainc; default) or 'batch' (updates summed over all samples, trainb). */
  mode?: 'incremental' | 'batch';
}

export interface PerceptronTrainResult {
  /** Misclassified samples in each epoch (counted as the epoch ran). */
  errors: number[];
  epochs: number;
  /** Whether an epoch classified every sample correctly (training stops there). */
  converged: boolean;
}

const PERCEPTRON_KEYS = ['inFeatures', 'outFeatures', 'transfer'] as const;

/**
 * A single layer of perceptrons (Rosenblatt 1958): y = hardlim(x·Wᵀ + b).
 * Keys weight (out, in) and bias (out), zero-initialised as MATLAB's newp.
 * The hard limit has no useful gradient; learn with train(inputs, targets).
 */
export class Perceptron extends Module {
  readonly config: Required<PerceptronConfig>;
  weight: Parameter;
  bias: Parameter;

  constructor(config: PerceptronConfig = {}) {
    super();
    const OP = 'Perceptron';
    if (config === null || typeof config !== 'object') throw new tn.TorchError('the config must be an object', OP);
    checkConfigKeys(OP, config as Record<string, unknown>, PERCEPTRON_KEYS);
    const inFeatures = optInt(OP, 'inFeatures', config.inFeatures, 2);
    const outFeatures = optInt(OP, 'outFeatures', config.outFeatures, 1);
    const transfer = optEnum(OP, 'transfer', config.transfer, 'hardlim', ['hardlim', 'hardlims'] as const);
    this.config = { inFeatures, outFeatures, transfer };
    this.weight = this.registerParameter('weight', newParameter([outFeatures, inFeatures], (p) => p.zero_()));
    this.bias = this.registerParameter('bias', newParameter([outFeatures], (p) => p.zero_()));
  }

  /** The net input x·Wᵀ + b. */
  netInput(input: Tensor): Tensor {
    const x = checkTensor(input, 'input', 'Perceptron');
    if (x.shape[x.ndim - 1] !== this.config.inFeatures) throw new tn.TorchError(`expected ${this.config.inFeatures} input features, got shape [${x.shape.join(', ')}]`, 'Perceptron');
    return F.linear(x, this.weight, this.bias);
  }

  /** Outputs 0/1 (hardlim) or −1/1 (hardlims), (N, out). */
  forward(input: Tensor): Tensor {
    const n = this.netInput(input);
    try {
      return this.config.transfer === 'hardlim' ? F.hardlim(n) : F.hardlims(n);
    } finally {
      n.dispose();
    }
  }

  /** train(mode) sets training mode; train(inputs, targets, options) runs the perceptron rule. */
  override train(mode?: boolean): this;
  override train(inputs: Tensor, targets: Tensor, options?: PerceptronTrainOptions): PerceptronTrainResult;
  override train(a?: boolean | Tensor, targets?: Tensor, options: PerceptronTrainOptions = {}): this | PerceptronTrainResult {
    if (a instanceof tn.Tensor) return this.learn(a, targets, options);
    return super.train(a);
  }

  private learn(inputs: Tensor, targetsIn: unknown, o: PerceptronTrainOptions): PerceptronTrainResult {
    const OP = 'Perceptron';
    if (o === null || typeof o !== 'object') throw new tn.TorchError('train options must be an object', OP);
    checkConfigKeys(`${OP}.train`, o as Record<string, unknown>, ['epochs', 'lr', 'mode']);
    const epochs = optInt(OP, 'epochs', o.epochs, 100, 0);
    const lr = optNum(OP, 'lr', o.lr, 1, { min: 0, exclusiveMin: true });
    const mode = optEnum(OP, 'mode', o.mode, 'incremental', ['incremental', 'batch'] as const);
    const { inFeatures, outFeatures } = this.config;
    if (inputs.ndim !== 2 || inputs.shape[1] !== inFeatures) throw new tn.TorchError(`inputs must be (N, ${inFeatures}), got [${inputs.shape.join(', ')}]`, OP);
    const n = inputs.shape[0];
    const errors: number[] = [];
    let converged = false;
    tn.scope(() => {
      const x = inputs.float();
      const t = targetMatrix(checkTensor(targetsIn, 'targets', OP), n, outFeatures, OP);
      const rows = x.unbind(0);
      const trows = t.unbind(0);
      tn.noGrad(() => {
        for (let ep = 0; ep < epochs && !converged; ep++) {
          let wrong = 0;
          if (mode === 'incremental') {
            for (let i = 0; i < n; i++) {
              tn.scope(() => {
                const e = trows[i].sub(this.forward(rows[i])); // t − y, (out)
                const bad = e.ne(0).any().item() as unknown as boolean;
                if (!bad) return;
                wrong++;
                this.weight.add_(e.outer(rows[i]), lr);
                this.bias.add_(e, lr);
              });
            }
          } else {
            tn.scope(() => {
              const e = t.sub(this.forward(x)); // (N, out)
              wrong = (e.ne(0).any(1).sum().item() as number);
              if (wrong === 0) return;
              this.weight.add_(e.t().matmul(x), lr);
              this.bias.add_(e.sum(0), lr);
            });
          }
          errors.push(wrong);
          if (wrong === 0) converged = true;
        }
      });
    });
    return { errors, epochs: errors.length, converged };
  }

  override extraRepr(): string {
    return `inFeatures=${this.config.inFeatures}, outFeatures=${this.config.outFeatures}, transfer='${this.config.transfer}'`;
  }
}

// ------------------------------------------------------------------ MLP

export interface MLPConfig {
  /** Default 2. */
  inFeatures?: number;
  /** Hidden layer sizes. Default [10] (MATLAB feedforwardnet). */
  hiddenSizes?: number[];
  /** Default 1. */
  outFeatures?: number;
  /**
   * One transfer function per layer (hidden layers, then the output), by
   * name: purelin, logsig, tansig, poslin/relu, satlin, satlins, hardlim,
   * hardlims, radbas, softmax, elu, leakyrelu, gelu, silu, softplus (and the
   * aliases identity/linear, sigmoid, tanh). Default 'tansig' for hidden
   * layers and 'purelin' for the output (MATLAB's feedforwardnet).
   */
  transfer?: TransferName[];
  /** Biases in every layer. Default true. */
  bias?: boolean;
}

const MLP_KEYS = ['inFeatures', 'hiddenSizes', 'outFeatures', 'transfer', 'bias'] as const;

/**
 * A multilayer perceptron trained by backpropagation ("BP network"). Keys
 * layers.0.weight, layers.0.bias, …, one Linear per layer (PyTorch's default
 * initialisation).
 */
export class MLP extends Module {
  readonly config: Required<MLPConfig>;
  layers: ModuleList;

  constructor(config: MLPConfig = {}) {
    super();
    const OP = 'MLP';
    if (config === null || typeof config !== 'object') throw new tn.TorchError('the config must be an object', OP);
    checkConfigKeys(OP, config as Record<string, unknown>, MLP_KEYS);
    const inFeatures = optInt(OP, 'inFeatures', config.inFeatures, 2);
    const outFeatures = optInt(OP, 'outFeatures', config.outFeatures, 1);
    const hidden = config.hiddenSizes ?? [10];
    if (!Array.isArray(hidden) || !hidden.every((h) => Number.isInteger(h) && h >= 1)) throw new tn.TorchError(`option 'hiddenSizes' must be an array of integers ≥ 1, got ${JSON.stringify(config.hiddenSizes)}`, OP);
    const transfer = config.transfer ?? [...hidden.map(() => 'tansig' as const), 'purelin' as const];
    if (!Array.isArray(transfer) || transfer.length !== hidden.length + 1) throw new tn.TorchError(`option 'transfer' must list ${hidden.length + 1} transfer functions (one per hidden layer and one for the output), got ${JSON.stringify(config.transfer)}`, OP);
    transfer.forEach((t, i) => transferName(t, `option 'transfer'[${i}]`, OP));
    const bias = optBool(OP, 'bias', config.bias, true);
    this.config = { inFeatures, hiddenSizes: [...hidden], outFeatures, transfer: [...transfer], bias };
    const sizes = [inFeatures, ...hidden, outFeatures];
    this.layers = this.registerModule('layers', new ModuleList(sizes.slice(1).map((s, i) => new Linear(sizes[i], s, { bias }))));
  }

  forward(input: Tensor): Tensor {
    const x = checkTensor(input, 'input', 'MLP');
    if (x.ndim < 1 || x.shape[x.ndim - 1] !== this.config.inFeatures) throw new tn.TorchError(`expected ${this.config.inFeatures} input features, got shape [${x.shape.join(', ')}]`, 'MLP');
    let cur = x;
    this.layers.children().forEach((layer, i) => {
      const z = (layer as Linear).forward(cur);
      if (cur !== x) cur.dispose();
      const a = TRANSFER_FUNCTIONS[this.config.transfer[i]](z);
      z.dispose();
      cur = a;
    });
    return cur;
  }

  /** train(mode) sets training mode; train(inputs, targets, options) runs backpropagation (full batch). */
  override train(mode?: boolean): this;
  override train(inputs: Tensor, targets: Tensor, options?: BackpropTrainOptions): BackpropTrainResult;
  override train(a?: boolean | Tensor, targets?: Tensor, options: BackpropTrainOptions = {}): this | BackpropTrainResult {
    if (!(a instanceof tn.Tensor)) return super.train(a);
    const t = checkTensor(targets, 'targets', 'MLP');
    return backpropTrain(this, 'MLP', () => this.forward(a), t, options);
  }

  override extraRepr(): string {
    return `sizes=[${[this.config.inFeatures, ...this.config.hiddenSizes, this.config.outFeatures].join(', ')}], transfer=[${this.config.transfer.join(', ')}]`;
  }
}

// ------------------------------------------------------------------ RBF

export interface RBFConfig {
  /** Default 1. */
  inFeatures?: number;
  /** Radial basis units (exact design: one per training sample). Default 10. */
  numCenters?: number;
  /** Default 1. */
  outFeatures?: number;
  /** Distance at which a unit's output falls to 0.5; bias1 = 0.8326/spread. Default 1 (MATLAB's newrbe default). */
  spread?: number;
}

const RBF_KEYS = ['inFeatures', 'numCenters', 'outFeatures', 'spread'] as const;
/** √(−ln 0.5): radbas(RBF_BIAS_FACTOR) = 0.5. MATLAB rounds it to 0.8326. */
export const RBF_BIAS_FACTOR = Math.sqrt(Math.log(2));

const cdist_ = op('aten::cdist');
const lstsq_ = op('aten::linalg_lstsq');

/** Euclidean distances between the rows of a (N, R) and b (Q, R): (N, Q). */
function cdist(a: Tensor, b: Tensor): Tensor {
  return new tn.Tensor(cdist_(a.h, b.h, 2, undefined));
}

/**
 * A radial basis network: a = radbas(‖x − cᵢ‖·bias1ᵢ) for each centre cᵢ,
 * then y = output(a) (linear). Keys centers (Q, in), bias1 (Q), output.weight
 * (out, Q), output.bias (out). Build it by exact design with
 * RBFNetwork.newrbe(x, t, spread) or net.train(x, t); every parameter is also
 * differentiable, so the network can be fine-tuned by backpropagation.
 */
export class RBFNetwork extends Module {
  readonly config: Required<RBFConfig>;
  centers: Parameter;
  bias1: Parameter;
  output: Linear;

  constructor(config: RBFConfig = {}) {
    super();
    const OP = 'RBFNetwork';
    if (config === null || typeof config !== 'object') throw new tn.TorchError('the config must be an object', OP);
    checkConfigKeys(OP, config as Record<string, unknown>, RBF_KEYS);
    const inFeatures = optInt(OP, 'inFeatures', config.inFeatures, 1);
    const numCenters = optInt(OP, 'numCenters', config.numCenters, 10);
    const outFeatures = optInt(OP, 'outFeatures', config.outFeatures, 1);
    const spread = optNum(OP, 'spread', config.spread, 1, { min: 0, exclusiveMin: true });
    this.config = { inFeatures, numCenters, outFeatures, spread };
    this.centers = this.registerParameter('centers', newParameter([numCenters, inFeatures], (p) => p.uniform_(0, 1)));
    this.bias1 = this.registerParameter('bias1', newParameter([numCenters], (p) => p.fill_(RBF_BIAS_FACTOR / spread)));
    this.output = this.registerModule('output', new Linear(numCenters, outFeatures));
  }

  /**
   * MATLAB's newrbe: a network with one unit per row of x (N, in), designed
   * to give exactly t (N, out) (or (N) for one output) on x. The design is
   * solved in float64; the network is float64 when x is (else float32).
   * Large spreads make the design matrix ill-conditioned and the output
   * weights large (MATLAB warns likewise): a float32 network then loses the
   * exact fit to rounding (about 1e-3 for 20 sine samples 0.33 apart at
   * spread 1), a float64 one keeps it.
   */
  static newrbe(x: Tensor, t: Tensor, spread = 1): RBFNetwork {
    const xx = checkTensor(x, 'inputs', 'RBFNetwork.newrbe');
    const tt = checkTensor(t, 'targets', 'RBFNetwork.newrbe');
    if (xx.ndim !== 2) throw new tn.TorchError(`inputs must be (N, features), got [${xx.shape.join(', ')}]`, 'RBFNetwork.newrbe');
    const net = new RBFNetwork({ inFeatures: xx.shape[1], numCenters: xx.shape[0], outFeatures: tt.ndim === 1 ? 1 : tt.shape[1], spread });
    if (xx.dtype === 'float64') net.to('float64');
    net.train(xx, tt);
    return net;
  }

  /** The hidden layer's outputs radbas(‖x − cᵢ‖·bias1ᵢ), (N, Q). */
  hidden(input: Tensor): Tensor {
    const x = checkTensor(input, 'input', 'RBFNetwork');
    if (x.ndim !== 2 || x.shape[1] !== this.config.inFeatures) throw new tn.TorchError(`expected input (N, ${this.config.inFeatures}), got [${x.shape.join(', ')}]`, 'RBFNetwork');
    return tn.scope(() => F.radbas(cdist(x.to(this.centers.dtype), this.centers).mul(this.bias1)));
  }

  forward(input: Tensor): Tensor {
    const a = this.hidden(input);
    try {
      return this.output.forward(a);
    } finally {
      a.dispose();
    }
  }

  /** train(mode) sets training mode; train(inputs, targets) is the exact design (newrbe); it returns the network's largest absolute error on the training points. */
  override train(mode?: boolean): this;
  override train(inputs: Tensor, targets: Tensor): { maxError: number };
  override train(a?: boolean | Tensor, targets?: Tensor): this | { maxError: number } {
    if (!(a instanceof tn.Tensor)) return super.train(a);
    return this.design(a, checkTensor(targets, 'targets', 'RBFNetwork'));
  }

  private design(inputs: Tensor, targets: Tensor): { maxError: number } {
    const OP = 'RBFNetwork';
    const { inFeatures, numCenters: q, outFeatures, spread } = this.config;
    if (inputs.ndim !== 2 || inputs.shape[1] !== inFeatures) throw new tn.TorchError(`inputs must be (N, ${inFeatures}), got [${inputs.shape.join(', ')}]`, OP);
    if (inputs.shape[0] !== q) throw new tn.TorchError(`exact design needs one sample per centre: numCenters is ${q}, got ${inputs.shape[0]} samples`, OP);
    return tn.scope(() => {
      const t = targetMatrix(targets, q, outFeatures, OP).double();
      const x = inputs.double();
      const b = RBF_BIAS_FACTOR / spread;
      // Design matrix [A 1] (Q, Q + 1) in float64; solve [A 1]·[Wᵀ; bᵀ] = T.
      const a = F.radbas(cdist(x, x).mul(b));
      const design = tn.cat([a, tn.ones([q, 1], { dtype: 'float64' })], 1);
      const [solH, ...rest] = lstsq_(design.h, t.h, undefined, 'gelsd') as unknown[];
      for (const h of rest) new tn.Tensor(h as never).dispose();
      const sol = new tn.Tensor(solH as never); // (Q + 1, out)
      tn.noGrad(() => {
        this.centers.copy_(x);
        this.bias1.fill_(b);
        this.output.weight.copy_(sol.slice(0, 0, q).t());
        this.output.bias!.copy_(sol.select(0, q));
      });
      // The error of the network as it now computes (in its dtype), not of the float64 solve.
      const fit = tn.noGrad(() => this.forward(x).double().sub(t).abs().max().item() as number);
      return { maxError: fit };
    });
  }

  override extraRepr(): string {
    return `inFeatures=${this.config.inFeatures}, numCenters=${this.config.numCenters}, outFeatures=${this.config.outFeatures}, spread=${this.config.spread}`;
  }
}

// ------------------------------------------------------------------ Elman

export interface ElmanConfig {
  /** Features per time step. Default 1. */
  inputSize?: number;
  /** Hidden (and context) units. Default 10. */
  hiddenSize?: number;
  /** Outputs per time step. Default 1. */
  outputSize?: number;
  /** Input (N, T, F) instead of (T, N, F). Default false. */
  batchFirst?: boolean;
  /** The output layer's transfer function. Default 'purelin'. */
  outputTransfer?: TransferName;
}

export interface ElmanOutput {
  /** Per-step outputs, (T, N, out) ((N, T, out) with batchFirst; (T, out) for unbatched input). */
  output: Tensor;
  /** Per-step hidden states, shaped like output with hiddenSize features. */
  states: Tensor;
  /** The final hidden state, (N, hidden) ((hidden) for unbatched input): pass it as h0 to continue. */
  hidden: Tensor;
}

const ELMAN_KEYS = ['inputSize', 'hiddenSize', 'outputSize', 'batchFirst', 'outputTransfer'] as const;

/**
 * The recurrent layer of an Elman network; its keys are those of PyTorch's
 * nn.RNN (one layer, tanh): weight_ih_l0 (H, F), weight_hh_l0 (H, H),
 * bias_ih_l0, bias_hh_l0, initialised U(±1/√H) as PyTorch's.
 */
export class ElmanLayer extends Module {
  weight_ih_l0: Parameter;
  weight_hh_l0: Parameter;
  bias_ih_l0: Parameter;
  bias_hh_l0: Parameter;

  constructor(readonly inputSize: number, readonly hiddenSize: number) {
    super();
    const k = 1 / Math.sqrt(hiddenSize);
    const u = (shape: number[]) => newParameter(shape, (p) => init.uniform_(p, -k, k));
    this.weight_ih_l0 = this.registerParameter('weight_ih_l0', u([hiddenSize, inputSize]));
    this.weight_hh_l0 = this.registerParameter('weight_hh_l0', u([hiddenSize, hiddenSize]));
    this.bias_ih_l0 = this.registerParameter('bias_ih_l0', u([hiddenSize]));
    this.bias_hh_l0 = this.registerParameter('bias_hh_l0', u([hiddenSize]));
  }

  /** x (T, N, F), h0 (N, H) → the states (T, N, H); the last one is the final state. */
  forward(x: Tensor, h0: Tensor): Tensor {
    const T = x.shape[0];
    const xp = F.linear(x, this.weight_ih_l0, this.bias_ih_l0); // all steps' input projections at once
    const states: Tensor[] = [];
    try {
      let h = h0;
      for (let t = 0; t < T; t++) {
        const xt = xp.select(0, t);
        const rec = F.linear(h, this.weight_hh_l0, this.bias_hh_l0); // the context units' contribution
        const s = xt.add(rec);
        xt.dispose();
        rec.dispose();
        h = s.tanh();
        s.dispose();
        states.push(h);
      }
      return tn.stack(states, 0);
    } finally {
      xp.dispose();
      for (const s of states) s.dispose();
    }
  }
}

/**
 * An Elman network (Elman 1990): a tanh hidden layer with context units
 * holding the previous hidden state, and a linear output layer applied at
 * every step. forward(x, h0?) returns { output, states, hidden }. Keys:
 * rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0 (as
 * PyTorch's nn.RNN), fc.weight, fc.bias.
 */
export class Elman extends Module {
  readonly config: Required<ElmanConfig>;
  rnn: ElmanLayer;
  fc: Linear;

  constructor(config: ElmanConfig = {}) {
    super();
    const OP = 'Elman';
    if (config === null || typeof config !== 'object') throw new tn.TorchError('the config must be an object', OP);
    checkConfigKeys(OP, config as Record<string, unknown>, ELMAN_KEYS);
    const inputSize = optInt(OP, 'inputSize', config.inputSize, 1);
    const hiddenSize = optInt(OP, 'hiddenSize', config.hiddenSize, 10);
    const outputSize = optInt(OP, 'outputSize', config.outputSize, 1);
    const batchFirst = optBool(OP, 'batchFirst', config.batchFirst, false);
    const outputTransfer = transferName(config.outputTransfer ?? 'purelin', "option 'outputTransfer'", OP);
    this.config = { inputSize, hiddenSize, outputSize, batchFirst, outputTransfer };
    this.rnn = this.registerModule('rnn', new ElmanLayer(inputSize, hiddenSize));
    this.fc = this.registerModule('fc', new Linear(hiddenSize, outputSize));
  }

  /** Runs the sequence; h0 (N, hidden) defaults to zeros (empty context units). */
  forward(input: Tensor, h0?: Tensor | null): ElmanOutput {
    const OP = 'Elman';
    const x0 = checkTensor(input, 'input', OP);
    const { inputSize, hiddenSize, batchFirst } = this.config;
    const unbatched = x0.ndim === 2;
    if ((x0.ndim !== 3 && !unbatched) || x0.shape[x0.ndim - 1] !== inputSize) {
      throw new tn.TorchError(`expected input ${batchFirst ? '(N, T' : '(T, N'}, ${inputSize}) or unbatched (T, ${inputSize}), got [${x0.shape.join(', ')}]`, OP);
    }
    if (x0.shape[unbatched ? 0 : batchFirst ? 1 : 0] === 0) throw new tn.TorchError('the sequence must have at least one step', OP);
    return tn.scope(() => {
      const x = unbatched ? x0.unsqueeze(1) : batchFirst ? x0.transpose(0, 1) : x0; // (T, N, F)
      const n = x.shape[1];
      let h: Tensor;
      if (h0 === undefined || h0 === null) h = tn.zeros([n, hiddenSize], { dtype: this.fc.weight.dtype });
      else {
        const hh = checkTensor(h0, 'h0', OP);
        const want = unbatched ? [hiddenSize] : [n, hiddenSize];
        if (hh.shape.join(',') !== want.join(',')) throw new tn.TorchError(`h0 must be (${want.join(', ')}), got [${hh.shape.join(', ')}]`, OP);
        h = unbatched ? hh.unsqueeze(0) : hh;
      }
      const states = this.rnn.forward(x, h); // (T, N, H)
      const out = TRANSFER_FUNCTIONS[this.config.outputTransfer](this.fc.forward(states));
      const last = states.select(0, states.shape[0] - 1);
      const shape = (t: Tensor) => (unbatched ? t.squeeze(1) : batchFirst ? t.transpose(0, 1) : t);
      const result: ElmanOutput = { output: shape(out), states: shape(states), hidden: unbatched ? last.squeeze(0) : last };
      return result;
    });
  }

  /**
   * train(mode) sets training mode; train(inputs, targets, options) runs
   * backpropagation through time on whole sequences (full batch); targets
   * are shaped like the outputs.
   */
  override train(mode?: boolean): this;
  override train(inputs: Tensor, targets: Tensor, options?: BackpropTrainOptions): BackpropTrainResult;
  override train(a?: boolean | Tensor, targets?: Tensor, options: BackpropTrainOptions = {}): this | BackpropTrainResult {
    if (!(a instanceof tn.Tensor)) return super.train(a);
    const t = checkTensor(targets, 'targets', 'Elman');
    return backpropTrain(this, 'Elman', () => this.forward(a).output, t, options);
  }

  override extraRepr(): string {
    return `inputSize=${this.config.inputSize}, hiddenSize=${this.config.hiddenSize}, outputSize=${this.config.outputSize}, batchFirst=${this.config.batchFirst}`;
  }
}

// ------------------------------------------------------------------ registry

const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);

registerModel({
  name: 'perceptron',
  description: 'Single-layer perceptron (hardlim units, perceptron learning rule; MATLAB newp)',
  task: 'classification',
  create(config = {}) {
    return new Perceptron(config as PerceptronConfig);
  },
  inputShape(config) {
    return [1, num(config.inFeatures, 2)];
  },
});

registerModel({
  name: 'mlp',
  description: 'Multilayer perceptron / BP network with per-layer transfer functions (MATLAB feedforwardnet)',
  task: 'regression',
  create(config = {}) {
    return new MLP(config as MLPConfig);
  },
  inputShape(config) {
    return [1, num(config.inFeatures, 2)];
  },
});

registerModel({
  name: 'rbf',
  description: 'Radial basis network, exact design (MATLAB newrbe)',
  task: 'regression',
  create(config = {}) {
    return new RBFNetwork(config as RBFConfig);
  },
  inputShape(config) {
    return [1, num(config.inFeatures, 1)];
  },
});

registerModel({
  name: 'elman',
  description: 'Elman recurrent network: tanh hidden layer with context units, linear output per step (MATLAB elmannet)',
  task: 'sequence',
  create(config = {}) {
    return new Elman(config as ElmanConfig);
  },
  // size is the sequence length (default 10).
  inputShape(config, size) {
    const steps = size ?? 10;
    const f = num(config.inputSize, 1);
    return config.batchFirst === true ? [1, steps, f] : [steps, 1, f];
  },
});
