/**
 * Option checks shared by the model configs of lenet.ts, vgg7.ts, resnet.ts
 * and classic.ts: each failure is a TorchError that names the model and the
 * option.
 */
import * as tn from '../torch/index.js';
import type { ActivationSpec } from '../nn/index.js';

export function optInt(model: string, name: string, v: unknown, dflt: number, min = 1): number {
  const x = v === undefined ? dflt : v;
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min) throw new tn.TorchError(`option '${name}' must be an integer ≥ ${min}, got ${String(v)}`, model);
  return x;
}

export function optNum(model: string, name: string, v: unknown, dflt: number, o: { min?: number; max?: number; exclusiveMin?: boolean } = {}): number {
  const x = v === undefined ? dflt : v;
  const min = o.min ?? -Infinity;
  const okMin = o.exclusiveMin ? (x as number) > min : (x as number) >= min;
  if (typeof x !== 'number' || !Number.isFinite(x) || !okMin || x > (o.max ?? Infinity)) {
    const range = `${o.exclusiveMin ? '>' : '≥'} ${min}${o.max !== undefined ? ` and ≤ ${o.max}` : ''}`;
    throw new tn.TorchError(`option '${name}' must be a finite number ${range}, got ${String(v)}`, model);
  }
  return x;
}

export function optBool(model: string, name: string, v: unknown, dflt: boolean): boolean {
  const x = v === undefined ? dflt : v;
  if (typeof x !== 'boolean') throw new tn.TorchError(`option '${name}' must be true or false, got ${String(v)}`, model);
  return x;
}

export function optEnum<T extends string | number>(model: string, name: string, v: unknown, dflt: T, allowed: readonly T[]): T {
  const x = v === undefined ? dflt : v;
  if (!allowed.includes(x as T)) throw new tn.TorchError(`option '${name}' must be one of ${allowed.map((a) => (typeof a === 'string' ? `'${a}'` : String(a))).join(', ')}, got ${typeof v === 'string' ? `'${v}'` : String(v)}`, model);
  return x as T;
}

/** round(base · mult), at least 1. */
export function scaled(base: number, mult: number): number {
  return Math.max(1, Math.round(base * mult));
}

const ACTIVATIONS = ['relu', 'relu6', 'hardswish', 'hardsigmoid', 'sigmoid', 'silu', 'gelu', 'tanh', 'identity'];

/** An activation option: a name makeActivation knows, or a module factory. */
export function checkActivation(model: string, v: unknown, dflt: ActivationSpec): ActivationSpec {
  const a = v === undefined ? dflt : v;
  if (typeof a === 'function') return a as ActivationSpec;
  if (typeof a !== 'string' || !ACTIVATIONS.includes(a)) throw new tn.TorchError(`option 'activation' must be one of ${ACTIVATIONS.map((s) => `'${s}'`).join(', ')} or a module factory, got ${String(v)}`, model);
  return a as ActivationSpec;
}

