/**
 * Calls ATen operators by their schema names ("aten::add.Tensor"). Each op is
 * looked up once in the c10 dispatcher; arguments follow the schema's order,
 * with undefined for "use the default".
 */
import { native } from './native.js';

export type OpCaller = (...args: unknown[]) => any;

/** A caller for one ATen operator; `qualified` is "aten::name" or "aten::name.overload". */
export function op(qualified: string): OpCaller {
  let id = -1;
  const [name, overload = ''] = splitName(qualified);
  return (...args: unknown[]) => {
    if (id < 0) id = native.findOp(name, overload);
    return native.call(id, ...args);
  };
}

/** Like op(), for in-place ops whose result is their first argument (nothing is returned). */
export function opVoid(qualified: string): OpCaller {
  let id = -1;
  const [name, overload = ''] = splitName(qualified);
  return (...args: unknown[]) => {
    if (id < 0) id = native.findOp(name, overload);
    native.callVoid(id, ...args);
  };
}

/** The schema string of an operator, e.g. for documentation. */
export function schemaOf(qualified: string): string {
  const [name, overload = ''] = splitName(qualified);
  return native.schema(native.findOp(name, overload));
}

function splitName(q: string): [string, string] {
  const i = q.indexOf('.');
  return i < 0 ? [q, ''] : [q.slice(0, i), q.slice(i + 1)];
}

/** nn reductions as ATen encodes them. */
export type Reduction = 'none' | 'mean' | 'sum';
export function reductionCode(r: Reduction | undefined, opName: string): number {
  switch (r ?? 'mean') {
    case 'none': return 0;
    case 'mean': return 1;
    case 'sum': return 2;
  }
  throw new TypeError(`${opName}: reduction must be 'none', 'mean' or 'sum', got ${JSON.stringify(r)}`);
}
