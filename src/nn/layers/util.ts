/** Helpers shared by the layers: parameter creation, argument checks, intermediate disposal. */
import { Tensor, TorchError, empty, noGrad, type Shape } from '../../torch/index.js';
import { Parameter } from '../module.js';

/** A new float32 Parameter of `shape`, filled in place by `fill` (under noGrad). */
export function newParameter(shape: Shape, fill: (t: Tensor) => unknown): Parameter {
  const data = empty(shape);
  const p = new Parameter(data);
  data.dispose();
  noGrad(() => fill(p));
  return p;
}

/** A new float32 buffer of `shape` filled by `fill`. */
export function newBuffer(shape: Shape, fill: (t: Tensor) => unknown, dtype: 'float32' | 'int64' = 'float32'): Tensor {
  const b = empty(shape, { dtype });
  noGrad(() => fill(b));
  return b;
}

export function positiveInt(v: unknown, name: string, op: string, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new TorchError(`${name} must be an integer ≥ ${min}, got ${String(v)}`, op);
  return v;
}

/** n integers from a number or an array of 1 or n (kernel sizes, strides …). */
export function tuple(v: unknown, n: number, name: string, op: string, min = 0): number[] {
  const arr = typeof v === 'number' ? Array<number>(n).fill(v) : v;
  if (!Array.isArray(arr) || (arr.length !== n && arr.length !== 1) || !arr.every((x) => Number.isInteger(x) && x >= min)) {
    throw new TorchError(`${name} must be an integer ≥ ${min} or an array of ${n} such integers, got ${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`, op);
  }
  return arr.length === 1 ? Array<number>(n).fill(arr[0]) : [...arr];
}

export function checkInput(x: unknown, op: string): Tensor {
  if (!(x instanceof Tensor)) throw new TorchError(`input must be a Tensor, got ${x === null ? 'null' : typeof x}`, op);
  return x;
}

/**
 * Runs `steps` in order on x, disposing each intermediate result (never x
 * itself); the autograd graph keeps what backward needs.
 */
export function chain(x: Tensor, ...steps: ((t: Tensor) => Tensor)[]): Tensor {
  let cur = x;
  for (const f of steps) {
    const next = f(cur);
    if (cur !== x && cur !== next) cur.dispose();
    cur = next;
  }
  return cur === x ? x.alias() : cur;
}

export const fmt = (a: readonly number[]): string => (a.every((v) => v === a[0]) && a.length > 0 ? String(a[0]) : `(${a.join(', ')})`);
