/** Reductions and linear algebra, as Tensor methods. */
import { op } from '../dispatch.js';
import { TorchError, check } from '../errors.js';
import { Tensor, describe, wrapAll } from '../tensor.js';
import { dtypeCode, type DTypeLike } from '../dtype.js';

export type Dims = number | readonly number[];

declare module '../tensor.js' {
  interface Tensor {
    sum(dim?: Dims | null, keepdim?: boolean, opts?: { dtype?: DTypeLike }): Tensor;
    mean(dim?: Dims | null, keepdim?: boolean): Tensor;
    prod(dim?: number, keepdim?: boolean): Tensor;
    /** Variance; correction 1 (Bessel, PyTorch's default) or 0 (population). */
    var(dim?: Dims | null, opts?: { correction?: number; unbiased?: boolean; keepdim?: boolean }): Tensor;
    std(dim?: Dims | null, opts?: { correction?: number; unbiased?: boolean; keepdim?: boolean }): Tensor;
    /** max() of all elements, or { values, indices } along dim. */
    max(): Tensor;
    max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
    min(): Tensor;
    min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
    amax(dim?: Dims, keepdim?: boolean): Tensor;
    amin(dim?: Dims, keepdim?: boolean): Tensor;
    argmax(dim?: number | null, keepdim?: boolean): Tensor;
    argmin(dim?: number | null, keepdim?: boolean): Tensor;
    /** Vector p-norm over all elements or dims (p = 2 by default; Infinity for max-abs). */
    norm(p?: number, dim?: Dims | null, keepdim?: boolean): Tensor;
    all(dim?: number, keepdim?: boolean): Tensor;
    any(dim?: number, keepdim?: boolean): Tensor;
    logsumexp(dim: Dims, keepdim?: boolean): Tensor;
    cumsum(dim: number): Tensor;
    cumprod(dim: number): Tensor;
    sort(dim?: number, descending?: boolean): { values: Tensor; indices: Tensor };
    argsort(dim?: number, descending?: boolean): Tensor;
    topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): { values: Tensor; indices: Tensor };
    countNonzero(dim?: Dims): Tensor;

    matmul(other: Tensor): Tensor;
    mm(other: Tensor): Tensor;
    bmm(other: Tensor): Tensor;
    mv(vec: Tensor): Tensor;
    dot(other: Tensor): Tensor;
    outer(other: Tensor): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;

function dims(d: Dims | null | undefined, opName: string): number[] | null {
  if (d === undefined || d === null) return null;
  const arr = typeof d === 'number' ? [d] : d;
  if (!Array.isArray(arr) || !arr.every((x) => Number.isInteger(x))) throw new TorchError(`dim must be an integer or an array of integers, got ${describe(d)}`, opName);
  return arr as number[];
}

{
  const sumAll = op('aten::sum');
  const sumDim = op('aten::sum.dim_IntList');
  const meanAll = op('aten::mean');
  const meanDim = op('aten::mean.dim');
  P.sum = function (this: Tensor, dim?: Dims | null, keepdim = false, opts: { dtype?: DTypeLike } = {}) {
    const dt = opts.dtype === undefined ? null : dtypeCode(opts.dtype, 'sum');
    const d = dims(dim, 'sum');
    return new Tensor(d === null ? sumAll(this.h, dt) : sumDim(this.h, d, keepdim, dt));
  };
  P.mean = function (this: Tensor, dim?: Dims | null, keepdim = false) {
    check(this.isFloatingPoint(), 'mean', () => `mean needs a floating-point tensor, got ${this.dtype}; convert with .float()`);
    const d = dims(dim, 'mean');
    return new Tensor(d === null ? meanAll(this.h, null) : meanDim(this.h, d, keepdim, null));
  };
  const prodAll = op('aten::prod');
  const prodDim = op('aten::prod.dim_int');
  P.prod = function (this: Tensor, dim?: number, keepdim = false) {
    return new Tensor(dim === undefined ? prodAll(this.h, null) : prodDim(this.h, dim, keepdim, null));
  };
}

{
  const varC = op('aten::var.correction');
  const stdC = op('aten::std.correction');
  const mk = (f: ReturnType<typeof op>, name: string) =>
    function (this: Tensor, dim?: Dims | null, o: { correction?: number; unbiased?: boolean; keepdim?: boolean } = {}) {
      const correction = o.correction ?? (o.unbiased === false ? 0 : 1);
      check(Number.isInteger(correction) && correction >= 0, name, `correction must be a non-negative integer, got ${correction}`);
      return new Tensor(f(this.h, dims(dim, name), correction, o.keepdim ?? false));
    };
  P.var = mk(varC, 'var');
  P.std = mk(stdC, 'std');
}

function minmax(name: 'max' | 'min') {
  const all = op(`aten::${name}`);
  const dim = op(`aten::${name}.dim`);
  P[name] = function (this: Tensor, d?: number, keepdim = false) {
    if (d === undefined) {
      check(this.numel() > 0, name, `${name}() of an empty tensor has no value; pass a dim`);
      return new Tensor(all(this.h));
    }
    const [values, indices] = wrapAll(dim(this.h, d, keepdim));
    return { values, indices };
  };
}
minmax('max');
minmax('min');

{
  const amax = op('aten::amax');
  const amin = op('aten::amin');
  P.amax = function (this: Tensor, dim?: Dims, keepdim = false) {
    return new Tensor(amax(this.h, dims(dim, 'amax') ?? [], keepdim));
  };
  P.amin = function (this: Tensor, dim?: Dims, keepdim = false) {
    return new Tensor(amin(this.h, dims(dim, 'amin') ?? [], keepdim));
  };
  const argmax = op('aten::argmax');
  const argmin = op('aten::argmin');
  P.argmax = function (this: Tensor, dim: number | null = null, keepdim = false) {
    return new Tensor(argmax(this.h, dim, keepdim));
  };
  P.argmin = function (this: Tensor, dim: number | null = null, keepdim = false) {
    return new Tensor(argmin(this.h, dim, keepdim));
  };
  const vnorm = op('aten::linalg_vector_norm');
  P.norm = function (this: Tensor, p = 2, dim?: Dims | null, keepdim = false) {
    check(typeof p === 'number' && !Number.isNaN(p), 'norm', `p must be a number, got ${describe(p)}`);
    check(this.isFloatingPoint(), 'norm', () => `norm needs a floating-point tensor, got ${this.dtype}`);
    return new Tensor(vnorm(this.h, p, dims(dim, 'norm'), keepdim, null));
  };
  const allAll = op('aten::all');
  const allDim = op('aten::all.dim');
  const anyAll = op('aten::any');
  const anyDim = op('aten::any.dim');
  P.all = function (this: Tensor, dim?: number, keepdim = false) {
    return new Tensor(dim === undefined ? allAll(this.h) : allDim(this.h, dim, keepdim));
  };
  P.any = function (this: Tensor, dim?: number, keepdim = false) {
    return new Tensor(dim === undefined ? anyAll(this.h) : anyDim(this.h, dim, keepdim));
  };
  const lse = op('aten::logsumexp');
  P.logsumexp = function (this: Tensor, dim: Dims, keepdim = false) {
    return new Tensor(lse(this.h, dims(dim, 'logsumexp'), keepdim));
  };
  const cumsum = op('aten::cumsum');
  const cumprod = op('aten::cumprod');
  P.cumsum = function (this: Tensor, dim: number) {
    return new Tensor(cumsum(this.h, dim, null));
  };
  P.cumprod = function (this: Tensor, dim: number) {
    return new Tensor(cumprod(this.h, dim, null));
  };
  const sort = op('aten::sort');
  const argsort = op('aten::argsort');
  const topk = op('aten::topk');
  P.sort = function (this: Tensor, dim = -1, descending = false) {
    const [values, indices] = wrapAll(sort(this.h, dim, descending));
    return { values, indices };
  };
  P.argsort = function (this: Tensor, dim = -1, descending = false) {
    return new Tensor(argsort(this.h, dim, descending));
  };
  P.topk = function (this: Tensor, k: number, dim = -1, largest = true, sorted = true) {
    check(Number.isInteger(k) && k >= 0, 'topk', `k must be a non-negative integer, got ${k}`);
    const [values, indices] = wrapAll(topk(this.h, k, dim, largest, sorted));
    return { values, indices };
  };
  const cnz = op('aten::count_nonzero.dim_IntList');
  P.countNonzero = function (this: Tensor, dim?: Dims) {
    return new Tensor(cnz(this.h, dims(dim, 'countNonzero') ?? []));
  };
}

function linalg(name: string, aten: string, check2: (a: Tensor, b: Tensor) => void) {
  const f = op(aten);
  P[name] = function (this: Tensor, other: unknown) {
    if (!(other instanceof Tensor)) throw new TorchError(`argument 'other' must be a Tensor, got ${describe(other)}`, name);
    check2(this, other);
    return new Tensor(f(this.h, other.h));
  };
}

const shapeStr = (t: Tensor) => `[${t.shape.join(', ')}]`;
linalg('matmul', 'aten::matmul', (a, b) => {
  check(a.ndim > 0 && b.ndim > 0, 'matmul', 'both arguments need at least 1 dimension');
  const k1 = a.shape[a.ndim - 1];
  const k2 = b.ndim === 1 ? b.shape[0] : b.shape[b.ndim - 2];
  check(k1 === k2, 'matmul', () => `shapes ${shapeStr(a)} and ${shapeStr(b)} cannot be multiplied (${k1} != ${k2})`);
});
linalg('mm', 'aten::mm', (a, b) => {
  check(a.ndim === 2 && b.ndim === 2, 'mm', () => `expects 2-d tensors, got ${shapeStr(a)} and ${shapeStr(b)}`);
  check(a.shape[1] === b.shape[0], 'mm', () => `shapes ${shapeStr(a)} and ${shapeStr(b)} cannot be multiplied`);
});
linalg('bmm', 'aten::bmm', (a, b) => {
  check(a.ndim === 3 && b.ndim === 3, 'bmm', () => `expects 3-d tensors, got ${shapeStr(a)} and ${shapeStr(b)}`);
  check(a.shape[0] === b.shape[0] && a.shape[2] === b.shape[1], 'bmm', () => `shapes ${shapeStr(a)} and ${shapeStr(b)} cannot be batch-multiplied`);
});
linalg('mv', 'aten::mv', () => {});
linalg('dot', 'aten::dot', () => {});
linalg('outer', 'aten::outer', () => {});
