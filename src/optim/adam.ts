/** Adam (torch.optim.Adam, 1.13, single-tensor implementation): betas, eps, L2 weight decay, AMSGrad, maximize. */
import { Tensor, zerosLike } from '../torch/index.js';
import { Optimizer, checkBetas, checkBoolean, checkKnownOptions, checkNonNegative, withDefaults, type ParamsInput } from './optimizer.js';

export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Coefficients of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Use the maximum of past squared-gradient averages (default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

const KNOWN = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize'] as const;

/** Option checks shared by Adam and AdamW. */
export function validateAdam(g: Record<string, unknown>, where: string, op: string): void {
  checkNonNegative(g, ['lr', 'eps'], where, op);
  checkBetas(g, where, op);
  checkNonNegative(g, ['weightDecay'], where, op);
  checkBoolean(g, ['amsgrad', 'maximize'], where, op);
}

export class Adam extends Optimizer<Required<AdamOptions>> {
  /** The name in errors, the default weight decay, and whether it is decoupled (AdamW) or L2 (Adam). */
  protected static readonly variant = { name: 'Adam', weightDecay: 0, decoupled: false };
  private readonly variant: { name: string; weightDecay: number; decoupled: boolean };

  constructor(params: ParamsInput, options: AdamOptions = {}) {
    const variant = (new.target as unknown as typeof Adam).variant;
    checkKnownOptions(options, KNOWN, variant.name);
    const defaults = withDefaults({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: variant.weightDecay, amsgrad: false, maximize: false }, options);
    validateAdam(defaults, 'options', variant.name);
    super(params, defaults);
    this.variant = variant;
  }

  protected override validateGroup(group: Record<string, unknown>, where: string): void {
    validateAdam(group, where, (this.constructor as typeof Adam).variant.name);
  }

  protected update(param: Tensor, g: Tensor, group: this['paramGroups'][number]): void {
    const { lr, eps, weightDecay, amsgrad, maximize } = group;
    const [beta1, beta2] = group.betas;
    let grad: Tensor = maximize ? g.neg() : g;
    const state = this.stateOf(param);
    if (Object.keys(state).length === 0) {
      state.step = 0;
      state.expAvg = this.own(zerosLike(param));
      state.expAvgSq = this.own(zerosLike(param));
    }
    // (also when amsgrad is switched on after the state was made)
    if (amsgrad && state.maxExpAvgSq === undefined) state.maxExpAvgSq = this.own(zerosLike(param));
    const expAvg = state.expAvg as Tensor;
    const expAvgSq = state.expAvgSq as Tensor;
    const step = (state.step as number) + 1;
    state.step = step;

    if (this.variant.decoupled) param.mul_(1 - lr * weightDecay);
    else if (weightDecay !== 0) grad = grad.add(param, weightDecay);

    expAvg.mul_(beta1).add_(grad, 1 - beta1);
    expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);

    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2 = 1 - beta2 ** step;
    const stepSize = lr / biasCorrection1;
    const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);

    let denom: Tensor;
    if (amsgrad) {
      const maxSq = state.maxExpAvgSq as Tensor;
      maxSq.copy_(maxSq.maximum(expAvgSq));
      denom = maxSq.sqrt().div_(biasCorrection2Sqrt).add_(eps);
    } else {
      denom = expAvgSq.sqrt().div_(biasCorrection2Sqrt).add_(eps);
    }
    param.addcdiv_(expAvg, denom, -stepSize);
  }

}
