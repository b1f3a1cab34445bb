/** Grad-mode scopes and tn.autograd.grad. */
import { native } from './native.js';
import { TorchError } from './errors.js';
import { Tensor, handleOf } from './tensor.js';

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = native.setGradEnabled(enabled);
  try {
    const r = fn();
    if (r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function') {
      throw new TorchError('takes a synchronous function (grad mode is per thread and would leak across await)', enabled ? 'enableGrad' : 'noGrad');
    }
    return r;
  } finally {
    native.setGradEnabled(prev);
  }
}

/** Runs fn with gradient tracking off (torch.no_grad()). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs fn with gradient tracking on, even inside noGrad (torch.enable_grad()). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

export function isGradEnabled(): boolean {
  return native.isGradEnabled();
}

export function setGradEnabled(flag: boolean): void {
  native.setGradEnabled(flag);
}

export interface GradOptions {
  gradOutputs?: Tensor[] | null;
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
}

/** Gradients of outputs with respect to inputs, without touching .grad (torch.autograd.grad). */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const res = native.autogradGrad(
    outs.map((t, i) => handleOf(t, 'autograd.grad', `outputs[${i}]`)),
    ins.map((t, i) => handleOf(t, 'autograd.grad', `inputs[${i}]`)),
    opts.gradOutputs ? opts.gradOutputs.map((t, i) => handleOf(t, 'autograd.grad', `gradOutputs[${i}]`)) : null,
    opts.retainGraph,
    opts.createGraph ?? false,
    opts.allowUnused ?? false,
  );
  return res.map((h) => (h === null ? null : new Tensor(h)));
}
