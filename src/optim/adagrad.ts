/** Adagrad (torch.optim.Adagrad, 1.13, single-tensor implementation): lrDecay, weightDecay, initialAccumulatorValue, eps, maximize. */
import { Tensor, fullLike, noGrad } from '../torch/index.js';
import { Optimizer, checkBoolean, checkKnownOptions, checkNonNegative, withDefaults, type ParamGroupInput, type ParamsInput } from './optimizer.js';

export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** The lr at step t is lr / (1 + (t − 1)·lrDecay) (default 0). */
  lrDecay?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the denominator (default 1e-10). */
  eps?: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

const KNOWN = ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps', 'maximize'] as const;

function validate(g: Record<string, unknown>, where: string): void {
  checkNonNegative(g, ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'], where, 'Adagrad');
  checkBoolean(g, ['maximize'], where, 'Adagrad');
}

export class Adagrad extends Optimizer<Required<AdagradOptions>> {
  constructor(params: ParamsInput, options: AdagradOptions = {}) {
    checkKnownOptions(options, KNOWN, 'Adagrad');
    const defaults = withDefaults({ lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, options);
    validate(defaults, 'options');
    super(params, defaults);
  }

  protected override validateGroup(group: Record<string, unknown>, where: string): void {
    validate(group, where);
  }

  override addParamGroup(paramGroup: ParamGroupInput): void {
    super.addParamGroup(paramGroup);
    // As PyTorch, the state of every parameter is made up front (also for groups added later,
    // where PyTorch 1.13 would fail at the next step).
    const group = this.paramGroups[this.paramGroups.length - 1];
    for (const p of group.params) this.initState(p, group.initialAccumulatorValue);
  }

  private initState(p: Tensor, initialAccumulatorValue: number): void {
    const state = this.stateOf(p);
    if (state.sum !== undefined) return;
    state.step = 0;
    state.sum = this.own(noGrad(() => fullLike(p, initialAccumulatorValue)));
  }

  protected update(param: Tensor, g: Tensor, group: this['paramGroups'][number]): void {
    const { lr, weightDecay, lrDecay, eps, maximize } = group;
    this.initState(param, group.initialAccumulatorValue);
    const state = this.stateOf(param);
    const stateSum = state.sum as Tensor;
    const step = (state.step as number) + 1;
    state.step = step;
    let grad: Tensor = maximize ? g.neg() : g;
    if (weightDecay !== 0) grad = grad.add(param, weightDecay);
    const clr = lr / (1 + (step - 1) * lrDecay);
    stateSum.addcmul_(grad, grad, 1);
    const std = stateSum.sqrt().add_(eps);
    param.addcdiv_(grad, std, -clr);
  }

}
