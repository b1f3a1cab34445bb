/** AdamW (torch.optim.AdamW, 1.13, single-tensor implementation): Adam with decoupled weight decay. */
import { Tensor, noGrad, scope, zerosLike } from '../torch/index.js';
import { Optimizer, checkKnownOptions, withDefaults, type Closure, type ParamsInput } from './optimizer.js';
import { validateAdam } from './adam.js';

export interface AdamWOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Coefficients of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** Decoupled weight decay: each step multiplies the parameters by 1 − lr·weightDecay (default 1e-2). */
  weightDecay?: number;
  /** Use the maximum of past squared-gradient averages (default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize?: boolean;
}

const KNOWN = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize'] as const;

export class AdamW extends Optimizer<Required<AdamWOptions>> {
  constructor(params: ParamsInput, options: AdamWOptions = {}) {
    checkKnownOptions(options, KNOWN, 'AdamW');
    const defaults = withDefaults({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false }, options);
    validateAdam(defaults, 'options', 'AdamW');
    super(params, defaults);
  }

  protected override validateGroup(group: Record<string, unknown>, where: string): void {
    validateAdam(group, where, 'AdamW');
  }

  step(closure?: Closure): number | undefined {
    const loss = this.evalClosure(closure);
    scope(() =>
      noGrad(() => {
        for (const group of this.paramGroups) {
          const { lr, eps, weightDecay, amsgrad, maximize } = group;
          const [beta1, beta2] = group.betas;
          for (const param of group.params) {
            const g = param.grad;
            if (g === null) continue;
            const grad: Tensor = maximize ? g.neg() : g;
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

            // Decoupled weight decay.
            param.mul_(1 - lr * weightDecay);

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
      }),
    );
    return loss;
  }
}
