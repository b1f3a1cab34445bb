/** Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (PyTorch 1.13). */
import { op } from '../../torch/dispatch.js';
import { TorchError } from '../../torch/errors.js';
import { Tensor, describe } from '../../torch/tensor.js';
import { noGrad } from '../../torch/autograd.js';
import { scope } from '../../torch/scope.js';
import { stack } from '../../torch/ops/views.js';

// torch.norm(t, p) with a number p calls aten::norm over all dims; the same op keeps the same rounding.
const normOp = op('aten::norm.ScalarOpt_dim');

function tensorsOf(parameters: Tensor | Iterable<Tensor>, opName: string): Tensor[] {
  if (parameters instanceof Tensor) return [parameters];
  if (parameters === null || typeof parameters !== 'object' || typeof (parameters as Iterable<Tensor>)[Symbol.iterator] !== 'function') {
    throw new TorchError(`parameters must be a Tensor or an iterable of Tensors, got ${describe(parameters)}`, opName);
  }
  const list = Array.from(parameters);
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new TorchError(`parameter ${i} must be a Tensor, got ${describe(p)}`, opName);
  });
  return list;
}

function normAll(t: Tensor, p: number): Tensor {
  const dims = Array.from({ length: t.ndim }, (_, i) => i);
  return new Tensor(normOp(t.h, p, dims, false));
}

/**
 * Scales the gradients of `parameters` in place so that their total norm (of all gradients
 * together, as one vector) is at most maxNorm, and returns that total norm from before clipping.
 * normType is the p of the p-norm (Infinity for the largest absolute value). With errorIfNonfinite
 * a NaN or infinite total norm throws instead of scaling. Parameters without a gradient are skipped.
 */
export function clipGradNorm_(parameters: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2, errorIfNonfinite = false): number {
  const name = 'clipGradNorm_';
  const params = tensorsOf(parameters, name);
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm)) throw new TorchError(`maxNorm must be a number, got ${describe(maxNorm)}`, name);
  if (typeof normType !== 'number' || Number.isNaN(normType)) throw new TorchError(`normType must be a number (Infinity for the max norm), got ${describe(normType)}`, name);
  return scope(() =>
    noGrad(() => {
      const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
      if (grads.length === 0) return 0;
      for (const g of grads) {
        if (!g.isFloatingPoint()) throw new TorchError(`gradients must be floating point, got ${g.dtype}`, name);
      }
      let total: Tensor;
      if (normType === Infinity) {
        const norms = grads.map((g) => g.abs().max());
        total = norms.length === 1 ? norms[0] : stack(norms).max();
      } else {
        total = normAll(stack(grads.map((g) => normAll(g, normType))), normType);
      }
      const totalNorm = total.item() as number;
      if (errorIfNonfinite && !Number.isFinite(totalNorm)) {
        throw new TorchError(
          `the total norm of order ${normType} for gradients from parameters is non-finite (${totalNorm}), so it cannot be clipped. ` +
            'To disable this error and scale the gradients by the non-finite norm anyway, set errorIfNonfinite=false',
          name,
        );
      }
      // PyTorch: clip_coef = max_norm / (total_norm + 1e-6), i.e. reciprocal(total + 1e-6) * max_norm, in float32.
      const coef = total.add(1e-6).reciprocal_().mul_(maxNorm).clamp_(null, 1.0);
      for (const g of grads) g.mul_(coef);
      return totalNorm;
    }),
  );
}

/** Clamps the gradients of `parameters` in place to [−clipValue, clipValue]. */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  const name = 'clipGradValue_';
  const params = tensorsOf(parameters, name);
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue)) throw new TorchError(`clipValue must be a number, got ${describe(clipValue)}`, name);
  scope(() =>
    noGrad(() => {
      for (const p of params) {
        const g = p.grad;
        if (g !== null) g.clamp_(-clipValue, clipValue);
      }
    }),
  );
}
