/** Tensor creation: tensor, zeros, ones, full, arange, linspace, eye, rand*, *Like. */
import { native } from './native.js';
import { op } from './dispatch.js';
import { TorchError, check } from './errors.js';
import { Tensor, handleOf, type NestedArray, type Shape } from './tensor.js';
import { canonicalDtype, dtypeCode, dtypeOfTypedArray, fillTypedArray, type DType, type DTypeLike } from './dtype.js';

export interface TensorOptions {
  dtype?: DTypeLike;
  device?: string;
  requiresGrad?: boolean;
}

type Scalarish = number | boolean | bigint;
export type TensorData = NestedArray<Scalarish> | ArrayBufferView | Tensor;

function finish(t: Tensor, opts: TensorOptions | undefined, op: string): Tensor {
  let out = t;
  if (opts?.device !== undefined && opts.device !== 'cpu') {
    out = t.to(opts.device);
    t.dispose();
  }
  if (opts?.requiresGrad) {
    check(out.isFloatingPoint(), op, `only floating-point tensors can require gradients, not ${out.dtype}`);
    out.requiresGrad_(true);
  }
  return out;
}

function inferShape(data: NestedArray<Scalarish>, op: string): number[] {
  const shape: number[] = [];
  let cur: unknown = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

function flatten(data: NestedArray<Scalarish>, shape: number[], op: string): Scalarish[] {
  const out: Scalarish[] = [];
  const walk = (v: unknown, d: number, path: string) => {
    if (d === shape.length) {
      if (Array.isArray(v)) throw new TorchError(`ragged nested array: element ${path} is an array but a value was expected (shape so far [${shape.join(', ')}])`, op);
      if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') {
        throw new TorchError(`element ${path || '(scalar)'} is ${v === null ? 'null' : typeof v}; expected a number, boolean or bigint`, op);
      }
      out.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) {
      throw new TorchError(`ragged nested array: element ${path || '(root)'} should be an array of length ${shape[d]} (shape [${shape.join(', ')}])`, op);
    }
    for (let i = 0; i < v.length; i++) walk(v[i], d + 1, `${path}[${i}]`);
  };
  walk(data, 0, '');
  return out;
}

/**
 * Makes a tensor from data (copied). JavaScript numbers have no int/float
 * distinction, so numbers give float32 unless `dtype` says otherwise;
 * booleans give bool, bigints int64; TypedArrays keep their element type.
 */
export function tensor(data: TensorData, opts: TensorOptions = {}): Tensor {
  const OP = 'tensor';
  if (data instanceof Tensor) {
    const t = data.detach();
    const c = opts.dtype ? t.to({ dtype: opts.dtype, copy: true }) : t.clone();
    t.dispose();
    return finish(c, opts, OP);
  }
  if (ArrayBuffer.isView(data)) {
    if (data instanceof DataView) throw new TorchError('a DataView is not supported; pass a TypedArray', OP);
    const own = dtypeOfTypedArray(data, OP);
    const t = new Tensor(native.fromBuffer(data, [(data as unknown as ArrayLike<number>).length], dtypeCode(own)));
    if (opts.dtype === undefined || canonicalDtype(opts.dtype, OP) === own) return finish(t, opts, OP);
    const c = t.to(opts.dtype);
    t.dispose();
    return finish(c, opts, OP);
  }
  const shape = inferShape(data as NestedArray<Scalarish>, OP);
  const flat = flatten(data as NestedArray<Scalarish>, shape, OP);
  let dtype: DType;
  if (opts.dtype !== undefined) dtype = canonicalDtype(opts.dtype, OP);
  else if (flat.length > 0 && flat.every((v) => typeof v === 'boolean')) dtype = 'bool';
  else if (flat.some((v) => typeof v === 'bigint')) dtype = 'int64';
  else dtype = 'float32';
  const storeAs: DType = dtype === 'float16' || dtype === 'bfloat16' ? 'float32' : dtype;
  const typed = fillTypedArray(storeAs, flat, OP);
  let t = new Tensor(native.fromBuffer(typed, shape, dtypeCode(storeAs)));
  if (storeAs !== dtype) {
    const c = t.to(dtype);
    t.dispose();
    t = c;
  }
  return finish(t, opts, OP);
}

/** Wraps a TypedArray with a shape (copied). */
export function fromTypedArray(data: ArrayBufferView, shape: Shape, opts: TensorOptions = {}): Tensor {
  const OP = 'fromTypedArray';
  const own = dtypeOfTypedArray(data, OP);
  const t = new Tensor(native.fromBuffer(data, checkShape(shape, OP), dtypeCode(own)));
  if (opts.dtype === undefined || canonicalDtype(opts.dtype, OP) === own) return finish(t, opts, OP);
  const c = t.to(opts.dtype);
  t.dispose();
  return finish(c, opts, OP);
}

export function checkShape(shape: Shape | number, op: string): number[] {
  const s = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(s)) throw new TorchError(`shape must be an array of non-negative integers, got ${String(shape)}`, op);
  for (const d of s) {
    if (!Number.isInteger(d) || d < 0) throw new TorchError(`shape must be an array of non-negative integers, got [${s.join(', ')}]`, op);
  }
  return s as number[];
}

function dt(opts: TensorOptions | undefined, op: string): number | null {
  return opts?.dtype === undefined ? null : dtypeCode(opts.dtype, op);
}

function dev(opts: TensorOptions | undefined): string | null {
  return opts?.device ?? null;
}

const zeros_ = op('aten::zeros');
const ones_ = op('aten::ones');
const empty_ = op('aten::empty.memory_format');
const full_ = op('aten::full');
const arangeEnd = op('aten::arange');
const arangeStep = op('aten::arange.start_step');
const linspace_ = op('aten::linspace');
const eyeM = op('aten::eye.m');
const rand_ = op('aten::rand');
const randn_ = op('aten::randn');
const randintLow = op('aten::randint.low');
const zerosLike_ = op('aten::zeros_like');
const onesLike_ = op('aten::ones_like');
const fullLike_ = op('aten::full_like');
const randLike_ = op('aten::rand_like');
const randnLike_ = op('aten::randn_like');
const randintLike_ = op('aten::randint_like.low_dtype');
const emptyLike_ = op('aten::empty_like');

function make(OP: string, f: () => unknown, opts?: TensorOptions): Tensor {
  return finish(new Tensor(f() as never), { ...opts, device: undefined }, OP);
}

export function zeros(shape: Shape | number, opts?: TensorOptions): Tensor {
  return make('zeros', () => zeros_(checkShape(shape, 'zeros'), dt(opts, 'zeros'), null, dev(opts)), opts);
}

export function ones(shape: Shape | number, opts?: TensorOptions): Tensor {
  return make('ones', () => ones_(checkShape(shape, 'ones'), dt(opts, 'ones'), null, dev(opts)), opts);
}

/** Uninitialised memory (fast; contents are arbitrary). */
export function empty(shape: Shape | number, opts?: TensorOptions): Tensor {
  return make('empty', () => empty_(checkShape(shape, 'empty'), dt(opts, 'empty'), null, dev(opts)), opts);
}

/** A tensor filled with `value`; without dtype, as in PyTorch: integer -> int64, fractional -> float32, boolean -> bool. */
export function full(shape: Shape | number, value: number | boolean, opts?: TensorOptions): Tensor {
  check(typeof value === 'number' || typeof value === 'boolean', 'full', `fill value must be a number or boolean, got ${typeof value}`);
  return make('full', () => full_(checkShape(shape, 'full'), value, dt(opts, 'full'), null, dev(opts)), opts);
}

/**
 * Values from start to end (exclusive) by step, as torch.arange: int64 when
 * all of start, end and step are integers, float32 otherwise.
 */
export function arange(end: number, opts?: TensorOptions): Tensor;
export function arange(start: number, end: number, opts?: TensorOptions): Tensor;
export function arange(start: number, end: number, step: number, opts?: TensorOptions): Tensor;
export function arange(a: number, b?: number | TensorOptions, c?: number | TensorOptions, d?: TensorOptions): Tensor {
  const OP = 'arange';
  let start = 0;
  let end: number;
  let step = 1;
  let opts: TensorOptions | undefined;
  if (typeof b !== 'number') {
    end = a;
    opts = b;
  } else if (typeof c !== 'number') {
    start = a;
    end = b;
    opts = c;
  } else {
    start = a;
    end = b;
    step = c;
    opts = d;
  }
  for (const [k, v] of [['start', start], ['end', end], ['step', step]] as const) {
    check(Number.isFinite(v), OP, `${k} must be a finite number, got ${v}`);
  }
  check(step !== 0, OP, 'step must be nonzero');
  check((end - start) / step >= 0, OP, `upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`);
  if (typeof b !== 'number') return make(OP, () => arangeEnd(end, dt(opts, OP), null, dev(opts)), opts);
  return make(OP, () => arangeStep(start, end, step, dt(opts, OP), null, dev(opts)), opts);
}

export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  check(Number.isInteger(steps) && steps >= 0, 'linspace', `steps must be a non-negative integer, got ${steps}`);
  // Without a dtype ATen uses the default dtype (float32), as PyTorch does.
  return make('linspace', () => linspace_(start, end, steps, dt(opts, 'linspace'), null, dev(opts)), opts);
}

export function eye(n: number, m?: number | TensorOptions, opts?: TensorOptions): Tensor {
  const cols = typeof m === 'number' ? m : n;
  const o = typeof m === 'object' ? m : opts;
  check(Number.isInteger(n) && n >= 0 && Number.isInteger(cols) && cols >= 0, 'eye', `sizes must be non-negative integers, got ${n}, ${cols}`);
  return make('eye', () => eyeM(n, cols, dt(o, 'eye'), null, dev(o)), o);
}

/** Uniform samples in [0, 1). */
export function rand(shape: Shape | number, opts?: TensorOptions): Tensor {
  return make('rand', () => rand_(checkShape(shape, 'rand'), dt(opts, 'rand'), null, dev(opts)), opts);
}

/** Standard normal samples. */
export function randn(shape: Shape | number, opts?: TensorOptions): Tensor {
  return make('randn', () => randn_(checkShape(shape, 'randn'), dt(opts, 'randn'), null, dev(opts)), opts);
}

/** Integers uniform in [low, high); int64 unless dtype says otherwise. */
export function randint(low: number, high: number, shape: Shape | number, opts?: TensorOptions): Tensor {
  check(Number.isInteger(low) && Number.isInteger(high), 'randint', `low and high must be integers, got ${low}, ${high}`);
  check(high > low, 'randint', `high (${high}) must be greater than low (${low})`);
  return make('randint', () => randintLow(low, high, checkShape(shape, 'randint'), dt(opts, 'randint') ?? dtypeCode('int64'), null, dev(opts)), opts);
}

export function zerosLike(t: Tensor, opts?: TensorOptions): Tensor {
  return make('zerosLike', () => zerosLike_(handleOf(t, 'zerosLike', 'input'), dt(opts, 'zerosLike'), null, dev(opts)), opts);
}
export function onesLike(t: Tensor, opts?: TensorOptions): Tensor {
  return make('onesLike', () => onesLike_(handleOf(t, 'onesLike', 'input'), dt(opts, 'onesLike'), null, dev(opts)), opts);
}
export function emptyLike(t: Tensor, opts?: TensorOptions): Tensor {
  return make('emptyLike', () => emptyLike_(handleOf(t, 'emptyLike', 'input'), dt(opts, 'emptyLike'), null, dev(opts)), opts);
}
export function fullLike(t: Tensor, value: number | boolean, opts?: TensorOptions): Tensor {
  return make('fullLike', () => fullLike_(handleOf(t, 'fullLike', 'input'), value, dt(opts, 'fullLike'), null, dev(opts)), opts);
}
export function randLike(t: Tensor, opts?: TensorOptions): Tensor {
  return make('randLike', () => randLike_(handleOf(t, 'randLike', 'input'), dt(opts, 'randLike'), null, dev(opts)), opts);
}
export function randnLike(t: Tensor, opts?: TensorOptions): Tensor {
  return make('randnLike', () => randnLike_(handleOf(t, 'randnLike', 'input'), dt(opts, 'randnLike'), null, dev(opts)), opts);
}
export function randintLike(t: Tensor, low: number, high: number, opts?: TensorOptions): Tensor {
  check(high > low, 'randintLike', `high (${high}) must be greater than low (${low})`);
  return make('randintLike', () => randintLike_(handleOf(t, 'randintLike', 'input'), low, high, dt(opts, 'randintLike'), null, dev(opts)), opts);
}

/** A 0-d tensor holding one value. */
export function scalarTensor(value: number | boolean, opts?: TensorOptions): Tensor {
  return full([], value, { dtype: typeof value === 'boolean' ? 'bool' : 'float32', ...opts });
}
