/** AdamW (torch.optim.AdamW, 1.13, single-tensor implementation): Adam with decoupled weight decay. */
import type { ParamsInput } from './optimizer.js';
import { Adam } from './adam.js';

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

/** Adam whose weight decay multiplies the parameters by 1 − lr·weightDecay each step instead of adding to the gradient. */
export class AdamW extends Adam {
  protected static override readonly variant = { name: 'AdamW', weightDecay: 1e-2, decoupled: true };

  constructor(params: ParamsInput, options: AdamWOptions = {}) {
    super(params, options);
  }
}
