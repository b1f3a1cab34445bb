/** Elementwise math, comparisons and their in-place variants, as Tensor methods. */
import { op, opVoid, type OpCaller } from '../dispatch.js';
import { TorchError, check } from '../errors.js';
import { Tensor, describe, handleOf } from '../tensor.js';
import { dtypeCode } from '../dtype.js';

type TensorOrNumber = Tensor | number;

declare module '../tensor.js' {
  interface Tensor {
    abs(): Tensor; abs_(): this;
    neg(): Tensor; neg_(): this;
    exp(): Tensor; exp_(): this;
    exp2(): Tensor; exp2_(): this;
    log(): Tensor; log_(): this;
    log2(): Tensor; log2_(): this;
    log10(): Tensor; log10_(): this;
    log1p(): Tensor; log1p_(): this;
    expm1(): Tensor; expm1_(): this;
    sqrt(): Tensor; sqrt_(): this;
    rsqrt(): Tensor; rsqrt_(): this;
    sin(): Tensor; sin_(): this;
    cos(): Tensor; cos_(): this;
    tan(): Tensor; tan_(): this;
    asin(): Tensor; asin_(): this;
    acos(): Tensor; acos_(): this;
    atan(): Tensor; atan_(): this;
    sinh(): Tensor; sinh_(): this;
    cosh(): Tensor; cosh_(): this;
    tanh(): Tensor; tanh_(): this;
    sigmoid(): Tensor; sigmoid_(): this;
    relu(): Tensor; relu_(): this;
    reciprocal(): Tensor; reciprocal_(): this;
    sign(): Tensor; sign_(): this;
    floor(): Tensor; floor_(): this;
    ceil(): Tensor; ceil_(): this;
    round(): Tensor; round_(): this;
    trunc(): Tensor; trunc_(): this;
    frac(): Tensor; frac_(): this;
    square(): Tensor; square_(): this;
    erf(): Tensor; erf_(): this;
    erfc(): Tensor; erfc_(): this;
    logicalNot(): Tensor;
    isnan(): Tensor;
    isinf(): Tensor;
    isfinite(): Tensor;

    add(other: TensorOrNumber, alpha?: number): Tensor;
    add_(other: TensorOrNumber, alpha?: number): this;
    sub(other: TensorOrNumber, alpha?: number): Tensor;
    sub_(other: TensorOrNumber, alpha?: number): this;
    /** other − alpha·this (PyTorch's rsub). */
    rsub(other: TensorOrNumber, alpha?: number): Tensor;
    mul(other: TensorOrNumber): Tensor;
    mul_(other: TensorOrNumber): this;
    /** True division; roundingMode 'trunc' or 'floor' for integer-style division. */
    div(other: TensorOrNumber, roundingMode?: 'trunc' | 'floor'): Tensor;
    div_(other: TensorOrNumber, roundingMode?: 'trunc' | 'floor'): this;
    pow(exponent: TensorOrNumber): Tensor;
    pow_(exponent: TensorOrNumber): this;
    remainder(other: TensorOrNumber): Tensor;
    fmod(other: TensorOrNumber): Tensor;
    atan2(other: TensorOrNumber): Tensor;
    maximum(other: TensorOrNumber): Tensor;
    minimum(other: TensorOrNumber): Tensor;
    eq(other: TensorOrNumber): Tensor;
    ne(other: TensorOrNumber): Tensor;
    lt(other: TensorOrNumber): Tensor;
    le(other: TensorOrNumber): Tensor;
    gt(other: TensorOrNumber): Tensor;
    ge(other: TensorOrNumber): Tensor;
    logicalAnd(other: TensorOrNumber): Tensor;
    logicalOr(other: TensorOrNumber): Tensor;
    logicalXor(other: TensorOrNumber): Tensor;
    /** Whether all elements are close: |a − b| ≤ atol + rtol·|b|. */
    allclose(other: Tensor, rtol?: number, atol?: number, equalNan?: boolean): boolean;
    equal(other: Tensor): boolean;

    clamp(min?: TensorOrNumber | null, max?: TensorOrNumber | null): Tensor;
    clamp_(min?: number | null, max?: number | null): this;
    clampMin(min: TensorOrNumber): Tensor;
    clampMax(max: TensorOrNumber): Tensor;
    /** this where `condition` holds, `other` elsewhere. */
    where(condition: Tensor, other: TensorOrNumber): Tensor;
    maskedFill(mask: Tensor, value: TensorOrNumber): Tensor;
    maskedFill_(mask: Tensor, value: TensorOrNumber): this;
    lerp(end: Tensor, weight: TensorOrNumber): Tensor;
    lerp_(end: Tensor, weight: TensorOrNumber): this;
    addcmul(tensor1: Tensor, tensor2: Tensor, value?: number): Tensor;
    addcmul_(tensor1: Tensor, tensor2: Tensor, value?: number): this;
    addcdiv(tensor1: Tensor, tensor2: Tensor, value?: number): Tensor;
    addcdiv_(tensor1: Tensor, tensor2: Tensor, value?: number): this;
    copy_(src: Tensor): this;
    zero_(): this;
    fill_(value: TensorOrNumber): this;
    uniform_(from?: number, to?: number): this;
    normal_(mean?: number, std?: number): this;
    bernoulli_(p?: number): this;
    bernoulli(): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;

const UNARY = [
  'abs', 'neg', 'exp', 'exp2', 'log', 'log2', 'log10', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'sin', 'cos', 'tan',
  'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'relu', 'reciprocal', 'sign', 'floor', 'ceil',
  'round', 'trunc', 'frac', 'square', 'erf', 'erfc',
];
for (const name of UNARY) {
  const f = op(`aten::${name}`);
  const fi = opVoid(`aten::${name}_`);
  P[name] = function (this: Tensor) {
    return new Tensor(f(this.h));
  };
  P[`${name}_`] = function (this: Tensor) {
    fi(this.h);
    return this;
  };
}
for (const [name, aten] of [['logicalNot', 'logical_not'], ['isnan', 'isnan'], ['isinf', 'isinf'], ['isfinite', 'isfinite']]) {
  const f = op(`aten::${aten}`);
  P[name] = function (this: Tensor) {
    return new Tensor(f(this.h));
  };
}

/** Checks a Tensor-or-number argument and returns it unchanged. */
export function tensorOrNumber(x: unknown, opName: string, arg: string): TensorOrNumber {
  if (x instanceof Tensor) return x;
  // NaN is a legal value here (x.add(NaN) is NaN); ops that forbid it check themselves.
  if (typeof x === 'number') return x;
  if (typeof x === 'boolean') return x ? 1 : 0;
  throw new TorchError(`argument '${arg}' must be a Tensor or a number, got ${describe(x)}`, opName);
}

/** A 0-d tensor with `x` in the dtype of `like` (for ops with no Scalar overload). */
function asTensorLike(x: number, like: Tensor): Tensor {
  const full = op('aten::full');
  return new Tensor(full([], x, dtypeCode(like.dtype), null, like.device));
}

/** Binary op with Tensor and Scalar overloads (out-of-place and in-place). */
function binary(name: string, aten: string, scalarOverload: string | null, tensorOverload = 'Tensor', extra: (args: unknown[]) => unknown[] = (a) => a) {
  const ft = op(`aten::${aten}.${tensorOverload}`);
  const fs = scalarOverload ? op(`aten::${aten}.${scalarOverload}`) : null;
  P[name] = function (this: Tensor, other: unknown, ...rest: unknown[]) {
    const o = tensorOrNumber(other, name, 'other');
    if (o instanceof Tensor) return new Tensor(ft(this.h, o.h, ...extra(rest)));
    if (fs) return new Tensor(fs(this.h, o, ...extra(rest)));
    const t = asTensorLike(o, this);
    try {
      return new Tensor(ft(this.h, t.h, ...extra(rest)));
    } finally {
      t.dispose();
    }
  };
}

function binaryInplace(name: string, aten: string, scalarOverload: string, tensorOverload = 'Tensor', extra: (args: unknown[]) => unknown[] = (a) => a) {
  const ft = opVoid(`aten::${aten}_.${tensorOverload}`);
  const fs = opVoid(`aten::${aten}_.${scalarOverload}`);
  P[`${name}_`] = function (this: Tensor, other: unknown, ...rest: unknown[]) {
    const o = tensorOrNumber(other, `${name}_`, 'other');
    if (o instanceof Tensor) ft(this.h, o.h, ...extra(rest));
    else fs(this.h, o, ...extra(rest));
    return this;
  };
}

const alphaArg = (rest: unknown[]) => [rest[0] ?? 1];
binary('add', 'add', 'Scalar', 'Tensor', alphaArg);
binary('sub', 'sub', 'Scalar', 'Tensor', alphaArg);
binary('rsub', 'rsub', 'Scalar', 'Tensor', alphaArg);
binaryInplace('add', 'add', 'Scalar', 'Tensor', alphaArg);
binaryInplace('sub', 'sub', 'Scalar', 'Tensor', alphaArg);
binary('mul', 'mul', 'Scalar');
binaryInplace('mul', 'mul', 'Scalar');
binary('pow', 'pow', 'Tensor_Scalar', 'Tensor_Tensor');
binaryInplace('pow', 'pow', 'Scalar', 'Tensor');
binary('remainder', 'remainder', 'Scalar');
binary('fmod', 'fmod', 'Scalar');
binary('atan2', 'atan2', null, '');
binary('maximum', 'maximum', null, '');
binary('minimum', 'minimum', null, '');
for (const c of ['eq', 'ne', 'lt', 'le', 'gt', 'ge']) binary(c, c, 'Scalar');
binary('logicalAnd', 'logical_and', null, '');
binary('logicalOr', 'logical_or', null, '');
binary('logicalXor', 'logical_xor', null, '');

{
  const divT = op('aten::div.Tensor');
  const divS = op('aten::div.Scalar');
  const divTM = op('aten::div.Tensor_mode');
  const divSM = op('aten::div.Scalar_mode');
  const divT_ = opVoid('aten::div_.Tensor');
  const divS_ = opVoid('aten::div_.Scalar');
  const divTM_ = opVoid('aten::div_.Tensor_mode');
  const divSM_ = opVoid('aten::div_.Scalar_mode');
  const mode = (m: unknown, name: string) => {
    check(m === undefined || m === null || m === 'trunc' || m === 'floor', name, `roundingMode must be 'trunc', 'floor' or undefined, got ${String(m)}`);
    return m ?? null;
  };
  P.div = function (this: Tensor, other: unknown, roundingMode?: string) {
    const o = tensorOrNumber(other, 'div', 'other');
    const m = mode(roundingMode, 'div');
    if (o instanceof Tensor) return new Tensor(m ? divTM(this.h, o.h, m) : divT(this.h, o.h));
    return new Tensor(m ? divSM(this.h, o, m) : divS(this.h, o));
  };
  P.div_ = function (this: Tensor, other: unknown, roundingMode?: string) {
    const o = tensorOrNumber(other, 'div_', 'other');
    const m = mode(roundingMode, 'div_');
    if (o instanceof Tensor) (m ? divTM_(this.h, o.h, m) : divT_(this.h, o.h));
    else (m ? divSM_(this.h, o, m) : divS_(this.h, o));
    return this;
  };
}

{
  const allclose = op('aten::allclose');
  const equal = op('aten::equal');
  P.allclose = function (this: Tensor, other: Tensor, rtol = 1e-5, atol = 1e-8, equalNan = false) {
    return allclose(this.h, handleOf(other, 'allclose', 'other'), rtol, atol, equalNan) as boolean;
  };
  P.equal = function (this: Tensor, other: Tensor) {
    return equal(this.h, handleOf(other, 'equal', 'other')) as boolean;
  };
}

{
  const clampS = op('aten::clamp');
  const clampT = op('aten::clamp.Tensor');
  const clampS_ = opVoid('aten::clamp_');
  P.clamp = function (this: Tensor, min?: unknown, max?: unknown) {
    const lo = min === undefined || min === null ? null : tensorOrNumber(min, 'clamp', 'min');
    const hi = max === undefined || max === null ? null : tensorOrNumber(max, 'clamp', 'max');
    check(lo !== null || hi !== null, 'clamp', 'at least one of min and max must be given');
    if (lo instanceof Tensor || hi instanceof Tensor) {
      const l = typeof lo === 'number' ? asTensorLike(lo, this) : lo;
      const u = typeof hi === 'number' ? asTensorLike(hi, this) : hi;
      try {
        return new Tensor(clampT(this.h, l?.h ?? null, u?.h ?? null));
      } finally {
        if (l !== lo) l?.dispose();
        if (u !== hi) u?.dispose();
      }
    }
    return new Tensor(clampS(this.h, lo, hi));
  };
  P.clamp_ = function (this: Tensor, min?: number | null, max?: number | null) {
    check(min != null || max != null, 'clamp_', 'at least one of min and max must be given');
    for (const [k, v] of [['min', min], ['max', max]] as const) {
      check(v == null || typeof v === 'number', 'clamp_', `${k} must be a number or null, got ${describe(v)}`);
    }
    clampS_(this.h, min ?? null, max ?? null);
    return this;
  };
  P.clampMin = function (this: Tensor, min: TensorOrNumber) {
    return this.clamp(min, null);
  };
  P.clampMax = function (this: Tensor, max: TensorOrNumber) {
    return this.clamp(null, max);
  };
}

{
  const whereT = op('aten::where.self');
  const whereSO = op('aten::where.ScalarOther');
  P.where = function (this: Tensor, condition: Tensor, other: unknown) {
    const c = handleOf(condition, 'where', 'condition');
    const o = tensorOrNumber(other, 'where', 'other');
    if (o instanceof Tensor) return new Tensor(whereT(c, this.h, o.h));
    return new Tensor(whereSO(c, this.h, o));
  };
  const mfS = op('aten::masked_fill.Scalar');
  const mfT = op('aten::masked_fill.Tensor');
  const mfS_ = opVoid('aten::masked_fill_.Scalar');
  const mfT_ = opVoid('aten::masked_fill_.Tensor');
  P.maskedFill = function (this: Tensor, mask: Tensor, value: unknown) {
    const m = handleOf(mask, 'maskedFill', 'mask');
    const v = tensorOrNumber(value, 'maskedFill', 'value');
    return new Tensor(v instanceof Tensor ? mfT(this.h, m, v.h) : mfS(this.h, m, v));
  };
  P.maskedFill_ = function (this: Tensor, mask: Tensor, value: unknown) {
    const m = handleOf(mask, 'maskedFill_', 'mask');
    const v = tensorOrNumber(value, 'maskedFill_', 'value');
    if (v instanceof Tensor) mfT_(this.h, m, v.h);
    else mfS_(this.h, m, v);
    return this;
  };
}

function ternaryPair(name: string, aten: string) {
  const f = op(`aten::${aten}`);
  const fi = opVoid(`aten::${aten}_`);
  P[name] = function (this: Tensor, t1: Tensor, t2: Tensor, value = 1) {
    return new Tensor(f(this.h, handleOf(t1, name, 'tensor1'), handleOf(t2, name, 'tensor2'), value));
  };
  P[`${name}_`] = function (this: Tensor, t1: Tensor, t2: Tensor, value = 1) {
    fi(this.h, handleOf(t1, `${name}_`, 'tensor1'), handleOf(t2, `${name}_`, 'tensor2'), value);
    return this;
  };
}
ternaryPair('addcmul', 'addcmul');
ternaryPair('addcdiv', 'addcdiv');

{
  const lerpS = op('aten::lerp.Scalar');
  const lerpT = op('aten::lerp.Tensor');
  const lerpS_ = opVoid('aten::lerp_.Scalar');
  const lerpT_ = opVoid('aten::lerp_.Tensor');
  P.lerp = function (this: Tensor, end: Tensor, weight: unknown) {
    const e = handleOf(end, 'lerp', 'end');
    const w = tensorOrNumber(weight, 'lerp', 'weight');
    return new Tensor(w instanceof Tensor ? lerpT(this.h, e, w.h) : lerpS(this.h, e, w));
  };
  P.lerp_ = function (this: Tensor, end: Tensor, weight: unknown) {
    const e = handleOf(end, 'lerp_', 'end');
    const w = tensorOrNumber(weight, 'lerp_', 'weight');
    if (w instanceof Tensor) lerpT_(this.h, e, w.h);
    else lerpS_(this.h, e, w);
    return this;
  };
}

{
  const copy = opVoid('aten::copy_');
  const zero = opVoid('aten::zero_');
  const fillS = opVoid('aten::fill_.Scalar');
  const fillT = opVoid('aten::fill_.Tensor');
  const uniform = opVoid('aten::uniform_');
  const normal = opVoid('aten::normal_');
  const bern = opVoid('aten::bernoulli_.float');
  const bernoulli = op('aten::bernoulli');
  P.copy_ = function (this: Tensor, src: Tensor) {
    check(src instanceof Tensor, 'copy_', `src must be a Tensor, got ${describe(src)}`);
    copy(this.h, src.h);
    return this;
  };
  P.zero_ = function (this: Tensor) {
    zero(this.h);
    return this;
  };
  P.fill_ = function (this: Tensor, value: unknown) {
    const v = tensorOrNumber(value, 'fill_', 'value');
    if (v instanceof Tensor) fillT(this.h, v.h);
    else fillS(this.h, v);
    return this;
  };
  P.uniform_ = function (this: Tensor, from = 0, to = 1) {
    uniform(this.h, from, to, null);
    return this;
  };
  P.normal_ = function (this: Tensor, mean = 0, std = 1) {
    normal(this.h, mean, std, null);
    return this;
  };
  P.bernoulli_ = function (this: Tensor, p = 0.5) {
    check(p >= 0 && p <= 1, 'bernoulli_', `p must be in [0, 1], got ${p}`);
    bern(this.h, p, null);
    return this;
  };
  P.bernoulli = function (this: Tensor) {
    return new Tensor(bernoulli(this.h, null));
  };
}

export type { OpCaller };
