/** Adadelta (torch.optim.Adadelta, 1.13, single-tensor implementation): rho, eps, weightDecay, lr, maximize. */
import { Tensor, zerosLike } from '../torch/index.js';
import { Optimizer, checkBoolean, checkKnownOptions, checkNonNegative, checkNumber, withDefaults, type ParamsInput } from './optimizer.js';

export interface AdadeltaOptions {
  /** Scales the delta before it is applied (default 1.0). */
  lr?: number;
  /** Coefficient of the running averages (default 0.9). */
  rho?: number;
  /** Added inside the square roots (default 1e-6). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

const KNOWN = ['lr', 'rho', 'eps', 'weightDecay', 'maximize'] as const;

function validate(g: Record<string, unknown>, where: string): void {
  checkNonNegative(g, ['lr'], where, 'Adadelta');
  checkNumber(g, 'rho', where, 'Adadelta', (v) => v >= 0 && v <= 1, '0 <= rho <= 1');
  checkNonNegative(g, ['eps', 'weightDecay'], where, 'Adadelta');
  checkBoolean(g, ['maximize'], where, 'Adadelta');
}

export class Adadelta extends Optimizer<Required<AdadeltaOptions>> {
  constructor(params: ParamsInput, options: AdadeltaOptions = {}) {
    checkKnownOptions(options, KNOWN, 'Adadelta');
    const defaults = withDefaults({ lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false }, options);
    validate(defaults, 'options');
    super(params, defaults);
  }

  protected override validateGroup(group: Record<string, unknown>, where: string): void {
    validate(group, where);
  }

  protected update(param: Tensor, g: Tensor, group: this['paramGroups'][number]): void {
    const { lr, rho, eps, weightDecay, maximize } = group;
    const state = this.stateOf(param);
    if (Object.keys(state).length === 0) {
      state.step = 0;
      state.squareAvg = this.own(zerosLike(param));
      state.accDelta = this.own(zerosLike(param));
    }
    state.step = (state.step as number) + 1;
    const squareAvg = state.squareAvg as Tensor;
    const accDelta = state.accDelta as Tensor;

    let grad: Tensor = maximize ? g.neg() : g;
    if (weightDecay !== 0) grad = grad.add(param, weightDecay);

    squareAvg.mul_(rho).addcmul_(grad, grad, 1 - rho);
    const std = squareAvg.add(eps).sqrt_();
    const delta = accDelta.add(eps).sqrt_().div_(std).mul_(grad);
    accDelta.mul_(rho).addcmul_(delta, delta, 1 - rho);
    param.add_(delta, -lr);
  }

}
