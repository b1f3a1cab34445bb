/** Stochastic gradient descent with momentum, dampening, Nesterov and weight decay (torch.optim.SGD, 1.13). */
import { Tensor, TorchError } from '../torch/index.js';
import { Optimizer, checkBoolean, checkKnownOptions, checkNonNegative, checkNumber, withDefaults, type ParamsInput } from './optimizer.js';

export interface SGDOptions {
  /** Learning rate (required). */
  lr?: number;
  momentum?: number;
  dampening?: number;
  /** L2 penalty added to the gradient. */
  weightDecay?: number;
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it. */
  maximize?: boolean;
}

const KNOWN = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize'] as const;

function validate(g: Record<string, unknown>, where: string): void {
  if (g.lr !== undefined) checkNonNegative(g, ['lr'], where, 'SGD');
  checkNonNegative(g, ['momentum', 'weightDecay'], where, 'SGD');
  checkNumber(g, 'dampening', where, 'SGD', () => true, 'a number');
  checkBoolean(g, ['nesterov', 'maximize'], where, 'SGD');
  if (g.nesterov && ((g.momentum as number) <= 0 || g.dampening !== 0)) {
    throw new TorchError(`${where}: Nesterov momentum requires a momentum and zero dampening`, 'SGD');
  }
}

export class SGD extends Optimizer<Required<SGDOptions>> {
  constructor(params: ParamsInput, options: SGDOptions = {}) {
    checkKnownOptions(options, KNOWN, 'SGD');
    const defaults = withDefaults({ lr: undefined as number | undefined, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, options);
    validate(defaults, 'options');
    super(params, defaults);
  }

  protected override validateGroup(group: Record<string, unknown>, where: string): void {
    if (group.lr === undefined) throw new TorchError(`${where}: lr is required`, 'SGD');
    validate(group, where);
  }

  protected update(param: Tensor, grad: Tensor, group: this['paramGroups'][number]): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    let dp: Tensor = maximize ? grad.neg() : grad;
    if (weightDecay !== 0) dp = dp.add(param, weightDecay);
    if (momentum !== 0) {
      const state = this.stateOf(param);
      let buf = state.momentumBuffer as Tensor | undefined;
      if (buf === undefined) {
        buf = this.own(dp.clone());
        state.momentumBuffer = buf;
      } else {
        buf.mul_(momentum).add_(dp, 1 - dampening);
      }
      dp = nesterov ? dp.add(buf, momentum) : buf;
    }
    param.add_(dp, -lr);
  }

}
