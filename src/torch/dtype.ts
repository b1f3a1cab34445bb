/** dtypes: names, libtorch's ScalarType codes, sizes and TypedArray types. */
import { TorchError } from './errors.js';

export type DType =
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'bool'
  | 'bfloat16';

/** Accepted names: the canonical ones and PyTorch's aliases. */
export type DTypeLike = DType | 'float' | 'double' | 'half' | 'int' | 'long' | 'short' | 'byte';

/** c10::ScalarType values (libtorch 1.13 and later keep these codes). */
const CODES: Record<DType, number> = {
  uint8: 0,
  int8: 1,
  int16: 2,
  int32: 3,
  int64: 4,
  float16: 5,
  float32: 6,
  float64: 7,
  bool: 11,
  bfloat16: 15,
};

const ALIASES: Record<string, DType> = {
  float: 'float32',
  double: 'float64',
  half: 'float16',
  int: 'int32',
  long: 'int64',
  short: 'int16',
  byte: 'uint8',
};

const BY_CODE: DType[] = [];
for (const [name, code] of Object.entries(CODES)) BY_CODE[code] = name as DType;

export function canonicalDtype(d: DTypeLike, op = 'dtype'): DType {
  if (typeof d === 'string') {
    if (d in CODES) return d as DType;
    if (d in ALIASES) return ALIASES[d];
  }
  throw new TorchError(
    `unknown dtype ${JSON.stringify(d)}; use one of ${Object.keys(CODES).join(', ')}`,
    op,
  );
}

export function dtypeCode(d: DTypeLike, op = 'dtype'): number {
  return CODES[canonicalDtype(d, op)];
}

export function dtypeFromCode(code: number): DType {
  const d = BY_CODE[code];
  if (!d) throw new TorchError(`libtorch returned a dtype (code ${code}) that tunet does not support`, 'dtype');
  return d;
}

export function isFloating(d: DType): boolean {
  return d === 'float16' || d === 'float32' || d === 'float64' || d === 'bfloat16';
}

export type AnyTypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint8ClampedArray
  | BigInt64Array
  | Uint16Array;

/** The TypedArray that holds a dtype's elements byte for byte. */
export function typedArrayFor(d: DType, buf: ArrayBuffer): AnyTypedArray {
  switch (d) {
    case 'float32': return new Float32Array(buf);
    case 'float64': return new Float64Array(buf);
    case 'int8': return new Int8Array(buf);
    case 'int16': return new Int16Array(buf);
    case 'int32': return new Int32Array(buf);
    case 'int64': return new BigInt64Array(buf);
    case 'uint8':
    case 'bool': return new Uint8Array(buf);
    case 'float16':
    case 'bfloat16': return new Uint16Array(buf);
  }
}

/** The dtype a TypedArray holds by default. */
export function dtypeOfTypedArray(a: ArrayBufferView, op: string): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return 'uint8';
  throw new TorchError(`unsupported data type ${a.constructor.name}; use a Float32Array, Float64Array, Int8/16/32Array, BigInt64Array or Uint8Array`, op);
}

/** Converts values to the TypedArray that stores `d` (numbers, booleans or bigints). */
export function fillTypedArray(d: DType, values: ArrayLike<number | boolean | bigint>, op: string): AnyTypedArray {
  const n = values.length;
  if (d === 'int64') {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === 'bigint') {
        if (v < INT64_MIN || v > INT64_MAX) throw new TorchError(`value ${v} at flat index ${i} cannot be converted to int64 without overflow`, op);
        out[i] = v;
      } else {
        const x = Number(v);
        if (!Number.isInteger(x)) throw new TorchError(`value ${String(v)} at flat index ${i} is not an integer, so it cannot be int64`, op);
        if (x < -(2 ** 63) || x >= 2 ** 63) throw new TorchError(`value ${x} at flat index ${i} cannot be converted to int64 without overflow`, op);
        out[i] = BigInt(x);
      }
    }
    return out;
  }
  if (d === 'float16' || d === 'bfloat16') {
    throw new TorchError(`create ${d} tensors from float32 data and convert with .to('${d}')`, op);
  }
  const out = typedArrayFor(d, new ArrayBuffer(n * elementSize(d))) as Exclude<AnyTypedArray, BigInt64Array>;
  const range = INT_RANGE[d];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const x = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
    if (d === 'bool') {
      out[i] = x !== 0 ? 1 : 0; // as PyTorch: any nonzero value (NaN included) is true
    } else if (range !== undefined && !fitsInteger(x, range[0], range[1])) {
      // A silent wrap-around (300 -> 44 in uint8) would corrupt data; PyTorch raises here too.
      throw new TorchError(`value ${typeof v === 'bigint' ? v : x} at flat index ${i} cannot be converted to ${d} without overflow`, op);
    } else {
      out[i] = x;
    }
  }
  return out;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};

/**
 * c10::overflows as PyTorch applies it to Python values: fractional numbers
 * (truncated toward zero when stored) must lie in [lo, hi]; integers too,
 * except that unsigned types let negative integers down to -hi wrap around
 * (torch.tensor([-1], dtype=torch.uint8) is 255).
 */
function fitsInteger(x: number, lo: number, hi: number): boolean {
  if (Number.isNaN(x) || !Number.isFinite(x)) return false;
  if (Number.isInteger(x) && lo === 0) return x <= hi && x >= -hi;
  return x >= lo && x <= hi;
}

export function elementSize(d: DType): number {
  switch (d) {
    case 'uint8':
    case 'int8':
    case 'bool': return 1;
    case 'int16':
    case 'float16':
    case 'bfloat16': return 2;
    case 'int32':
    case 'float32': return 4;
    case 'int64':
    case 'float64': return 8;
  }
}
