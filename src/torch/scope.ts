/**
 * Memory scopes: tn.scope(fn) disposes every tensor made inside fn except the
 * ones it returns (and those passed to keep()). Scopes nest.
 */
import { TorchError } from './errors.js';

export interface Disposable {
  dispose(): void;
}

const stack: Set<Disposable>[] = [];
const kept = new WeakSet<Disposable>();

/** Called by every new tensor wrapper. */
export function track(t: Disposable): void {
  const top = stack[stack.length - 1];
  if (top !== undefined) top.add(t);
}

/** Excludes `t` from disposal by the enclosing scopes; returns it. */
export function keep<T extends Disposable>(t: T): T {
  if (t === null || typeof t !== 'object' || typeof (t as { dispose?: unknown }).dispose !== 'function') {
    throw new TorchError(`expects a Tensor (or another disposable object), got ${t === null ? 'null' : typeof t}`, 'keep');
  }
  kept.add(t);
  for (const s of stack) s.delete(t);
  return t;
}

/** Whether the code runs inside tn.scope. */
export function inScope(): boolean {
  return stack.length > 0;
}

function collect(value: unknown, isTensor: (v: unknown) => v is Disposable, out: Set<Disposable>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isTensor(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, isTensor, out, seen);
  } else if (value instanceof Map) {
    for (const v of value.values()) collect(v, isTensor, out, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, isTensor, out, seen);
  }
}

let tensorTest: (v: unknown) => v is Disposable = (v): v is Disposable => false;
/** Registers how to recognise tensors in returned values (set by tensor.ts). */
export function setTensorTest(test: (v: unknown) => v is Disposable): void {
  tensorTest = test;
}

/**
 * Runs fn and disposes every tensor created during it, except those in its
 * result (a tensor, or arrays / plain objects / Maps holding tensors) and
 * those passed to keep(). Returned tensors belong to the enclosing scope.
 */
export function scope<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TorchError(`expects a function, got ${fn === null ? 'null' : typeof fn}`, 'scope');
  const mine = new Set<Disposable>();
  stack.push(mine);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    stack.pop();
    for (const t of mine) t.dispose();
    throw e;
  }
  stack.pop();
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    for (const t of mine) t.dispose();
    throw new TorchError('tn.scope takes a synchronous function; await inside it would let tensors escape. Use a scope per synchronous step.', 'scope');
  }
  const survivors = new Set<Disposable>();
  collect(result, tensorTest, survivors, new Set());
  const parent = stack[stack.length - 1];
  for (const t of mine) {
    if (survivors.has(t)) {
      if (parent !== undefined && !kept.has(t)) parent.add(t);
    } else if (!kept.has(t)) {
      t.dispose();
    }
  }
  return result;
}
