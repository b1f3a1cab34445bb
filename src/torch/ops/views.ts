/** Shape, view and indexing ops, as Tensor methods and tn.* functions. */
import { op, opVoid } from '../dispatch.js';
import { TorchError, check } from '../errors.js';
import { Tensor, describe, wrapAll } from '../tensor.js';
import { tensorOrNumber } from './pointwise.js';
import { setFormatCat } from '../format.js';

declare module '../tensor.js' {
  interface Tensor {
    reshape(shape: readonly number[]): Tensor;
    view(shape: readonly number[]): Tensor;
    viewAs(other: Tensor): Tensor;
    reshapeAs(other: Tensor): Tensor;
    permute(dims: readonly number[]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    /** Transpose of a ≤2-d tensor. */
    t(): Tensor;
    /** Transpose of the last two dimensions. */
    mT(): Tensor;
    squeeze(dim?: number): Tensor;
    unsqueeze(dim: number): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    expand(shape: readonly number[]): Tensor;
    expandAs(other: Tensor): Tensor;
    repeat(repeats: readonly number[]): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    /** Elements start..end (exclusive) by step along dim; null means the edge. */
    slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor;
    select(dim: number, index: number): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    gather(dim: number, index: Tensor): Tensor;
    scatter(dim: number, index: Tensor, src: Tensor | number): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /** Advanced indexing, as x[i, :, j] in PyTorch: one Tensor (or null for ':') per leading dimension. */
    index(indices: readonly (Tensor | null)[]): Tensor;
    indexPut_(indices: readonly (Tensor | null)[], values: Tensor, accumulate?: boolean): this;
    maskedSelect(mask: Tensor): Tensor;
    split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    unbind(dim?: number): Tensor[];
    flip(dims: readonly number[] | number): Tensor;
    roll(shifts: readonly number[] | number, dims?: readonly number[] | number): Tensor;
    nonzero(): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;

/** Normalises a dimension index against ndim, with an op-named error. */
export function normDim(dim: number, ndim: number, opName: string, allowEnd = false): number {
  const n = allowEnd ? ndim + 1 : ndim;
  const lo = -Math.max(n, 1);
  const hi = Math.max(n, 1) - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new TorchError(`dimension ${dim} is out of range for a ${ndim}-d tensor (expected [${lo}, ${hi}])`, opName);
  }
  return dim < 0 ? dim + Math.max(n, 1) : dim;
}

function intList(v: unknown, opName: string, arg: string): number[] {
  const arr = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(arr) || !arr.every((x) => Number.isInteger(x))) {
    throw new TorchError(`${arg} must be an array of integers, got ${describe(v)}`, opName);
  }
  return arr;
}

function simple(name: string, aten: string, argCheck?: (t: Tensor, args: unknown[]) => unknown[]) {
  const f = op(aten);
  P[name] = function (this: Tensor, ...args: unknown[]) {
    const a = argCheck ? argCheck(this, args) : args;
    return new Tensor(f(this.h, ...a));
  };
}

simple('reshape', 'aten::reshape', (t, [s]) => [intList(s, 'reshape', 'shape')]);
simple('view', 'aten::view', (t, [s]) => [intList(s, 'view', 'shape')]);
simple('permute', 'aten::permute', (t, [d]) => {
  const dims = intList(d, 'permute', 'dims');
  check(dims.length === t.ndim, 'permute', `dims has ${dims.length} entries but the tensor has ${t.ndim} dimensions`);
  return [dims];
});
simple('transpose', 'aten::transpose.int', (t, [a, b]) => [normDim(a as number, t.ndim, 'transpose'), normDim(b as number, t.ndim, 'transpose')]);
simple('t', 'aten::t');
simple('unsqueeze', 'aten::unsqueeze', (t, [d]) => [normDim(d as number, t.ndim, 'unsqueeze', true)]);
simple('flatten', 'aten::flatten.using_ints', (t, [s = 0, e = -1]) => [s, e]);
simple('unflatten', 'aten::unflatten.int', (t, [d, s]) => [normDim(d as number, t.ndim, 'unflatten'), intList(s, 'unflatten', 'sizes')]);
simple('expand', 'aten::expand', (t, [s]) => [intList(s, 'expand', 'shape'), false]);
simple('repeat', 'aten::repeat', (t, [r]) => [intList(r, 'repeat', 'repeats')]);
simple('narrow', 'aten::narrow', (t, [d, s, l]) => [normDim(d as number, t.ndim, 'narrow'), s, l]);
simple('slice', 'aten::slice.Tensor', (t, [d, s = null, e = null, st = 1]) => {
  check(Number.isInteger(st) && (st as number) > 0, 'slice', `step must be a positive integer, got ${String(st)}`);
  return [normDim(d as number, t.ndim, 'slice'), s, e, st];
});
simple('select', 'aten::select.int', (t, [d, i]) => [normDim(d as number, t.ndim, 'select'), i]);
simple('indexSelect', 'aten::index_select', (t, [d, i]) => [normDim(d as number, t.ndim, 'indexSelect'), tensorArg(i, 'indexSelect', 'index')]);
simple('gather', 'aten::gather', (t, [d, i]) => [normDim(d as number, t.ndim, 'gather'), tensorArg(i, 'gather', 'index'), false]);
simple('scatterAdd', 'aten::scatter_add', (t, [d, i, s]) => [normDim(d as number, t.ndim, 'scatterAdd'), tensorArg(i, 'scatterAdd', 'index'), tensorArg(s, 'scatterAdd', 'src')]);
simple('maskedSelect', 'aten::masked_select', (t, [m]) => [tensorArg(m, 'maskedSelect', 'mask')]);
simple('flip', 'aten::flip', (t, [d]) => [intList(d, 'flip', 'dims')]);
simple('roll', 'aten::roll', (t, [s, d = []]) => [intList(s, 'roll', 'shifts'), intList(d, 'roll', 'dims')]);
simple('nonzero', 'aten::nonzero');
simple('tril', 'aten::tril', (t, [d = 0]) => [d]);
simple('triu', 'aten::triu', (t, [d = 0]) => [d]);

function tensorArg(x: unknown, opName: string, arg: string) {
  if (x instanceof Tensor) return x.h;
  throw new TorchError(`argument '${arg}' must be a Tensor, got ${describe(x)}`, opName);
}

{
  const squeeze = op('aten::squeeze');
  const squeezeDim = op('aten::squeeze.dim');
  P.squeeze = function (this: Tensor, dim?: number) {
    if (dim === undefined) return new Tensor(squeeze(this.h));
    return new Tensor(squeezeDim(this.h, normDim(dim, this.ndim, 'squeeze')));
  };
  P.viewAs = function (this: Tensor, other: Tensor) {
    return this.view(other.shape);
  };
  P.reshapeAs = function (this: Tensor, other: Tensor) {
    return this.reshape(other.shape);
  };
  P.expandAs = function (this: Tensor, other: Tensor) {
    return this.expand(other.shape);
  };
  P.mT = function (this: Tensor) {
    check(this.ndim >= 2, 'mT', `needs at least 2 dimensions, got ${this.ndim}`);
    return this.transpose(-2, -1);
  };
}

{
  const scatterSrc = op('aten::scatter.src');
  const scatterVal = op('aten::scatter.value');
  P.scatter = function (this: Tensor, dim: number, index: Tensor, src: unknown) {
    const d = normDim(dim, this.ndim, 'scatter');
    const s = tensorOrNumber(src, 'scatter', 'src');
    const i = tensorArg(index, 'scatter', 'index');
    return new Tensor(s instanceof Tensor ? scatterSrc(this.h, d, i, s.h) : scatterVal(this.h, d, i, s));
  };
}

{
  const index = op('aten::index.Tensor');
  const indexPut = opVoid('aten::index_put_');
  const handles = (ix: readonly (Tensor | null)[], name: string) => {
    check(Array.isArray(ix), name, `indices must be an array of Tensors or nulls, got ${describe(ix)}`);
    return ix.map((t, k) => (t === null || t === undefined ? null : tensorArg(t, name, `indices[${k}]`)));
  };
  P.index = function (this: Tensor, indices: readonly (Tensor | null)[]) {
    check(Array.isArray(indices), 'index', () => `indices must be an array of Tensors or nulls (one per leading dimension), got ${describe(indices)}`);
    check(indices.length <= this.ndim, 'index', () => `too many indices (${indices.length}) for a ${this.ndim}-d tensor`);
    return new Tensor(index(this.h, handles(indices, 'index')));
  };
  P.indexPut_ = function (this: Tensor, indices: readonly (Tensor | null)[], values: Tensor, accumulate = false) {
    check(Array.isArray(indices), 'indexPut_', () => `indices must be an array of Tensors or nulls (one per leading dimension), got ${describe(indices)}`);
    check(indices.length <= this.ndim, 'indexPut_', () => `too many indices (${indices.length}) for a ${this.ndim}-d tensor`);
    indexPut(this.h, handles(indices, 'indexPut_'), tensorArg(values, 'indexPut_', 'values'), accumulate);
    return this;
  };
}

{
  const splitT = op('aten::split.Tensor');
  const splitSizes = op('aten::split_with_sizes');
  const chunk = op('aten::chunk');
  const unbind = op('aten::unbind.int');
  P.split = function (this: Tensor, s: number | readonly number[], dim = 0) {
    const d = normDim(dim, this.ndim, 'split');
    if (typeof s === 'number') {
      check(Number.isInteger(s) && s > 0, 'split', `split size must be a positive integer, got ${s}`);
      return wrapAll(splitT(this.h, s, d));
    }
    const sizes = intList(s, 'split', 'sections');
    const total = sizes.reduce((a, b) => a + b, 0);
    check(total === this.shape[d], 'split', `sections [${sizes.join(', ')}] sum to ${total} but dimension ${d} has size ${this.shape[d]}`);
    return wrapAll(splitSizes(this.h, sizes, d));
  };
  P.chunk = function (this: Tensor, chunks: number, dim = 0) {
    check(Number.isInteger(chunks) && chunks > 0, 'chunk', `chunks must be a positive integer, got ${chunks}`);
    return wrapAll(chunk(this.h, chunks, normDim(dim, this.ndim, 'chunk')));
  };
  P.unbind = function (this: Tensor, dim = 0) {
    return wrapAll(unbind(this.h, normDim(dim, this.ndim, 'unbind')));
  };
}

const cat_ = op('aten::cat');
const stack_ = op('aten::stack');

function tensorList(ts: unknown, opName: string): Tensor[] {
  if (!Array.isArray(ts) || ts.length === 0) throw new TorchError('expected a non-empty array of Tensors', opName);
  ts.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TorchError(`element ${i} is not a Tensor (${describe(t)})`, opName);
  });
  return ts as Tensor[];
}

/** Concatenates tensors along an existing dimension. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const ts = tensorList(tensors, 'cat');
  const nd = ts[0].ndim;
  const d = normDim(dim, nd, 'cat');
  ts.forEach((t, i) => {
    check(t.ndim === nd, 'cat', () => `tensor ${i} has ${t.ndim} dimensions but tensor 0 has ${nd}`);
    const a = ts[0].shape;
    const b = t.shape;
    for (let k = 0; k < nd; k++) {
      if (k !== d && a[k] !== b[k]) {
        throw new TorchError(`sizes must match except in dimension ${d}: tensor 0 has shape [${a.join(', ')}], tensor ${i} has [${b.join(', ')}]`, 'cat');
      }
    }
  });
  return new Tensor(cat_(ts.map((t) => t.h), d));
}

setFormatCat(cat);

/** Stacks same-shaped tensors along a new dimension. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const ts = tensorList(tensors, 'stack');
  const s0 = ts[0].shape.join(', ');
  ts.forEach((t, i) => {
    const s = t.shape.join(', ');
    check(s === s0, 'stack', () => `all tensors must have the same shape: tensor 0 is [${s0}], tensor ${i} is [${s}]`);
  });
  return new Tensor(stack_(ts.map((t) => t.h), normDim(dim, ts[0].ndim, 'stack', true)));
}

/** condition ? a : b elementwise; a and b may be numbers. */
export function where(condition: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  check(condition instanceof Tensor, 'where', `condition must be a Tensor, got ${describe(condition)}`);
  if (a instanceof Tensor) return a.where(condition, b);
  if (b instanceof Tensor) {
    const f = op('aten::where.ScalarSelf');
    return new Tensor(f(condition.h, tensorOrNumber(a, 'where', 'input'), b.h));
  }
  const f = op('aten::where.Scalar');
  return new Tensor(f(condition.h, tensorOrNumber(a, 'where', 'input'), tensorOrNumber(b, 'where', 'other')));
}
