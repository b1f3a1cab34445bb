/** L1 and L2 penalties to add to a loss (decoupled weight decay lives in the optimizers: AdamW, weightDecay). */
import * as tn from '../torch/index.js';

type Tensor = tn.Tensor;

function total(params: Tensor[], term: (p: Tensor) => Tensor, op: string): Tensor {
  if (params.length === 0) throw new tn.TorchError('no parameters given', op);
  let acc: Tensor | null = null;
  for (const p of params) {
    const t = term(p);
    if (acc === null) acc = t;
    else {
      const next: Tensor = acc.add(t);
      acc.dispose();
      t.dispose();
      acc = next;
    }
  }
  return acc!;
}

/** Σ|w| over the given parameters (differentiable). */
export function l1Penalty(params: Tensor[]): Tensor {
  return total(params, (p) => tn.scope(() => p.abs().sum()), 'l1Penalty');
}

/** Σw² over the given parameters (differentiable); λ·Σw² adds 2λw to the gradient. */
export function l2Penalty(params: Tensor[]): Tensor {
  return total(params, (p) => tn.scope(() => p.square().sum()), 'l2Penalty');
}
