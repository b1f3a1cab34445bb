/** RMSprop (torch.optim.RMSprop, 1.13, single-tensor implementation): alpha, eps, weightDecay, momentum, centered, maximize. */
import { Tensor, zerosLike } from '../torch/index.js';
import { Optimizer, checkBoolean, checkKnownOptions, checkNonNegative, withDefaults, type ParamsInput } from './optimizer.js';

export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalize by an estimate of the gradient's variance (default false). */
  centered?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

const KNOWN = ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'maximize'] as const;

function validate(g: Record<string, unknown>, where: string): void {
  checkNonNegative(g, ['lr', 'eps', 'momentum', 'weightDecay', 'alpha'], where, 'RMSprop');
  checkBoolean(g, ['centered', 'maximize'], where, 'RMSprop');
}

export class RMSprop extends Optimizer<Required<RMSpropOptions>> {
  constructor(params: ParamsInput, options: RMSpropOptions = {}) {
    checkKnownOptions(options, KNOWN, 'RMSprop');
    const defaults = withDefaults({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, options);
    validate(defaults, 'options');
    super(params, defaults);
  }

  protected override validateGroup(group: Record<string, unknown>, where: string): void {
    validate(group, where);
  }

  protected update(param: Tensor, g: Tensor, group: this['paramGroups'][number]): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    const state = this.stateOf(param);
    if (Object.keys(state).length === 0) {
      state.step = 0;
      state.squareAvg = this.own(zerosLike(param));
    }
    // (also when momentum or centered is switched on after the state was made)
    if (momentum > 0 && state.momentumBuffer === undefined) state.momentumBuffer = this.own(zerosLike(param));
    if (centered && state.gradAvg === undefined) state.gradAvg = this.own(zerosLike(param));
    state.step = (state.step as number) + 1;

    let grad: Tensor = maximize ? g.neg() : g;
    const squareAvg = state.squareAvg as Tensor;
    if (weightDecay !== 0) grad = grad.add(param, weightDecay);

    squareAvg.mul_(alpha).addcmul_(grad, grad, 1 - alpha);

    let avg: Tensor;
    if (centered) {
      const gradAvg = state.gradAvg as Tensor;
      gradAvg.mul_(alpha).add_(grad, 1 - alpha);
      avg = squareAvg.addcmul(gradAvg, gradAvg, -1).sqrt_();
    } else {
      avg = squareAvg.sqrt();
    }
    avg.add_(eps);

    if (momentum > 0) {
      const buf = state.momentumBuffer as Tensor;
      buf.mul_(momentum).addcdiv_(grad, avg);
      param.add_(buf, -lr);
    } else {
      param.addcdiv_(grad, avg, -lr);
    }
  }

}
