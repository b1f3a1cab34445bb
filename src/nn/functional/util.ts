/** Argument checks shared by the functional ops. */
import { TorchError } from '../../torch/errors.js';
import { Tensor, describe } from '../../torch/tensor.js';

export const shapeStr = (t: Tensor): string => `[${t.shape.join(', ')}]`;

export function asTensor(x: unknown, opName: string, arg: string): Tensor {
  if (x instanceof Tensor) return x;
  throw new TorchError(`argument '${arg}' must be a Tensor, got ${describe(x)}`, opName);
}

export function optTensor(x: unknown, opName: string, arg: string): Tensor | null {
  return x === null || x === undefined ? null : asTensor(x, opName, arg);
}

export function num(x: unknown, opName: string, arg: string, lo = -Infinity, hi = Infinity): number {
  if (typeof x !== 'number' || Number.isNaN(x) || x < lo || x > hi) {
    const range = lo === -Infinity && hi === Infinity ? 'a number' : `a number in [${lo}, ${hi}]`;
    throw new TorchError(`${arg} must be ${range}, got ${describe(x)}`, opName);
  }
  return x;
}

export function probability(p: unknown, opName: string): number {
  return num(p, opName, 'p', 0, 1);
}
