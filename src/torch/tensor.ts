/**
 * Tensor: a handle to a libtorch tensor. Metadata, data access, lifetime and
 * autograd live here; the op methods are added by the modules in ./ops.
 */
import { native, type Handle } from './native.js';
import { TorchError } from './errors.js';
import { op, opVoid } from './dispatch.js';
import { canonicalDtype, dtypeCode, dtypeFromCode, typedArrayFor, type AnyTypedArray, type DType, type DTypeLike } from './dtype.js';
import { track, setTensorTest } from './scope.js';
import { formatTensor } from './format.js';

export type Shape = readonly number[];
/** Nested arrays of numbers/booleans, as tolist() returns and tensor() accepts. */
export type NestedArray<T = number | boolean> = T | NestedArray<T>[];

const clone_ = op('aten::clone');
const detach_ = op('aten::detach');
const detachInplace = opVoid('aten::detach_');
const contiguous_ = op('aten::contiguous');
const alias_ = op('aten::alias');
const toDtype = op('aten::to.dtype');
const toDevice = op('aten::to.device');

export class Tensor implements Disposable {
  /** @internal */
  _h: Handle | null;

  /** @internal Wraps a native handle; users make tensors with tn.tensor, tn.zeros, … */
  constructor(h: Handle) {
    this._h = h;
    track(this);
  }

  /** @internal The live native handle; throws if the tensor was disposed. */
  get h(): Handle {
    const h = this._h;
    if (h === null) throw new TorchError('the tensor was disposed; it cannot be used any more', 'Tensor');
    return h;
  }

  get shape(): number[] {
    return native.shape(this.h);
  }

  /** size() is the shape; size(d) the length of dimension d (negative counts from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    const s = this.shape;
    if (dim === undefined) return s;
    const d = dim < 0 ? dim + s.length : dim;
    if (!Number.isInteger(d) || d < 0 || d >= s.length) {
      throw new TorchError(`dimension ${dim} is out of range for a ${s.length}-d tensor`, 'size');
    }
    return s[d];
  }

  stride(): number[] {
    return native.strides(this.h);
  }

  get dtype(): DType {
    return dtypeFromCode(native.dtype(this.h));
  }

  get device(): string {
    return native.device(this.h);
  }

  get ndim(): number {
    return native.dim(this.h);
  }

  dim(): number {
    return native.dim(this.h);
  }

  numel(): number {
    return native.numel(this.h);
  }

  /** The value of a one-element tensor, as a number (or boolean for bool). */
  item(): number;
  item<T extends number | boolean>(): T;
  item(): number | boolean {
    return native.item(this.h);
  }

  /** The elements in row-major order, in the TypedArray of the dtype (int64 -> BigInt64Array, bool -> Uint8Array). */
  toTypedArray(): AnyTypedArray {
    return typedArrayFor(this.dtype, native.toBuffer(this.h));
  }

  /** The elements as plain numbers (int64 converted with Number()). */
  toArray(): number[] {
    const d = this.dtype;
    let t: Tensor = this;
    if (d === 'float16' || d === 'bfloat16') t = this.to('float32');
    const a = t.toTypedArray();
    if (t !== this) t.dispose();
    if (a instanceof BigInt64Array) return Array.from(a, Number);
    return Array.from(a as ArrayLike<number>);
  }

  /** Nested arrays, like PyTorch's tolist(); a 0-d tensor gives its value. */
  tolist(): NestedArray {
    const flat: (number | boolean)[] = this.dtype === 'bool' ? this.toArray().map((v) => v !== 0) : this.toArray();
    const shape = this.shape;
    if (shape.length === 0) return flat[0];
    let pos = 0;
    const build = (d: number): NestedArray[] => {
      const out: NestedArray[] = [];
      for (let i = 0; i < shape[d]; i++) out.push(d === shape.length - 1 ? flat[pos++] : build(d + 1));
      return out;
    };
    return build(0);
  }

  clone(): Tensor {
    return new Tensor(clone_(this.h));
  }

  /** A new tensor sharing storage, cut from the autograd graph. */
  detach(): Tensor {
    return new Tensor(detach_(this.h));
  }

  /** Cuts this tensor from the graph in place. */
  detach_(): this {
    detachInplace(this.h);
    return this;
  }

  /** A new handle to the same data, in the autograd graph (like Python binding one tensor to two names). */
  alias(): Tensor {
    return new Tensor(alias_(this.h));
  }

  contiguous(): Tensor {
    return new Tensor(contiguous_(this.h));
  }

  /** Converts to a dtype, a device ('cpu', 'cuda', 'cuda:1'), or both. */
  to(target: DTypeLike | string | { dtype?: DTypeLike; device?: string; copy?: boolean }): Tensor {
    let dtype: DTypeLike | undefined;
    let device: string | undefined;
    let copy = false;
    if (typeof target === 'string') {
      if (/^(cpu|cuda|mps|meta)(:\d+)?$/.test(target)) device = target;
      else dtype = target as DTypeLike;
    } else if (target !== null && typeof target === 'object') {
      ({ dtype, device } = target);
      copy = target.copy ?? false;
    } else {
      throw new TorchError(`expected a dtype, a device or { dtype, device }, got ${String(target)}`, 'to');
    }
    if (device !== undefined) {
      const code = dtypeCode(dtype ?? this.dtype, 'to');
      return new Tensor(toDevice(this.h, device, code, false, copy));
    }
    if (dtype === undefined) return copy ? this.clone() : this.alias();
    return new Tensor(toDtype(this.h, dtypeCode(canonicalDtype(dtype, 'to'), 'to'), false, copy));
  }

  float(): Tensor { return this.to('float32'); }
  double(): Tensor { return this.to('float64'); }
  half(): Tensor { return this.to('float16'); }
  long(): Tensor { return this.to('int64'); }
  int(): Tensor { return this.to('int32'); }
  bool(): Tensor { return this.to('bool'); }
  byte(): Tensor { return this.to('uint8'); }
  cpu(): Tensor { return this.to('cpu'); }
  cuda(index = 0): Tensor { return this.to(`cuda:${index}`); }

  isFloatingPoint(): boolean {
    const d = this.dtype;
    return d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
  }

  isContiguous(): boolean {
    const shape = this.shape;
    const strides = this.stride();
    let expected = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (shape[i] !== 1 && strides[i] !== expected) return false;
      expected *= shape[i];
    }
    return true;
  }

  // ---- autograd ----

  /** The same data cut from the graph (PyTorch's .data); assigning replaces the data but keeps this tensor. */
  get data(): Tensor {
    return this.detach();
  }

  set data(src: Tensor) {
    if (!(src instanceof Tensor)) throw new TorchError(`data must be a Tensor, got ${describe(src)}`, 'data');
    native.setData(this.h, src.h);
  }

  get requiresGrad(): boolean {
    return native.requiresGrad(this.h);
  }

  /** Sets requires_grad in place (default true) and returns this tensor. */
  requiresGrad_(flag = true): this {
    native.setRequiresGrad(this.h, flag);
    return this;
  }

  /** The accumulated gradient, or null. Each read returns a new handle to the same gradient. */
  get grad(): Tensor | null {
    const g = native.getGrad(this.h);
    return g === null ? null : new Tensor(g);
  }

  set grad(g: Tensor | null) {
    // Anything else (a number, an array, undefined) would have cleared the gradient silently.
    if (g !== null && !(g instanceof Tensor)) throw new TorchError(`assigned grad must be a Tensor or null, got ${describe(g)}`, 'grad');
    native.setGrad(this.h, g === null ? null : g.h);
  }

  get isLeaf(): boolean {
    return native.isLeaf(this.h);
  }

  /** The name of the autograd node that made this tensor (e.g. "MulBackward0"), or null. */
  get gradFn(): string | null {
    return native.gradFn(this.h);
  }

  retainGrad(): this {
    native.retainGrad(this.h);
    return this;
  }

  /**
   * Backpropagates from this tensor. `gradient` is required unless the tensor
   * has one element.
   */
  backward(gradient?: Tensor | null, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    // backward({ retainGraph: true }) or backward(1) would otherwise run as if no gradient had been given.
    if (gradient !== undefined && gradient !== null && !(gradient instanceof Tensor)) {
      throw new TorchError(`argument 'gradient' must be a Tensor or null, got ${describe(gradient)}; options go second: backward(null, { retainGraph: true })`, 'backward');
    }
    native.backward(this.h, gradient ? gradient.h : null, opts.retainGraph, opts.createGraph ?? false);
  }

  // ---- lifetime ----

  /** Releases this handle's reference to the native tensor now. Safe to call twice. */
  dispose(): void {
    const h = this._h;
    if (h === null) return;
    this._h = null;
    native.dispose(h);
  }

  get isDisposed(): boolean {
    return this._h === null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    if (this._h === null) return 'tensor(<disposed>)';
    return formatTensor(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}


setTensorTest((v): v is Tensor => v instanceof Tensor);

/** Wraps a handle returned by the addon. */
export function wrap(h: Handle): Tensor {
  return new Tensor(h);
}

/** Wraps every handle of an array result. */
export function wrapAll(hs: Handle[]): Tensor[] {
  return hs.map((h) => new Tensor(h));
}

/** Handle of a tensor argument, with a clear error naming the op and argument otherwise. */
export function handleOf(x: unknown, opName: string, arg: string): Handle {
  if (x instanceof Tensor) return x.h;
  throw new TorchError(`argument '${arg}' must be a Tensor, got ${describe(x)}`, opName);
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return `a ${(x as object).constructor?.name ?? 'object'}`;
  return `${typeof x} ${String(x)}`;
}
