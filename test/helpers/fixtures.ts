/**
 * Reads the PyTorch fixtures written by scripts/make_fixtures.py and compares
 * tunet tensors with them.
 *
 * A tensor is stored as { shape, dtype, data } with data the base64 of its
 * little-endian bytes (bool: one byte per element), so values round-trip
 * exactly.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import assert from 'node:assert/strict';
import * as tn from 'tunet';

export interface TensorSpec {
  shape: number[];
  dtype: 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool';
  data: string;
}

export interface InputSpec extends TensorSpec {
  /** Whether the input requires grad in the case. */
  grad: boolean;
}

export interface OutputSpec extends TensorSpec {
  /** In differentiable cases: whether PyTorch's output requires grad. */
  requiresGrad?: boolean;
  /** Whether the output is part of the loss sum(output_k * weight_k). */
  weighted?: boolean;
}

export interface FixtureCase {
  name: string;
  op: string;
  args: Record<string, any>;
  inputs: InputSpec[];
  /** Whether the op returned a tuple/list (even of one tensor). */
  multi: boolean;
  outputs: OutputSpec[];
  /** One entry per input: the gradient, or null (input without grad, or a gradient PyTorch leaves undefined). */
  grads?: (TensorSpec | null)[];
  tol?: { rtol?: number; atol?: number };
}

export interface Fixture {
  generator: string;
  torch: string;
  weight: string;
  cases: FixtureCase[];
}

/** test/fixtures/<name>, read from the source tree (dist/test/helpers -> test/fixtures). */
export function loadFixture(name: string): Fixture {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.resolve(here, '../../../test/fixtures', name),
    path.resolve(here, '../fixtures', name),
  ];
  for (const p of candidates) {
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as Fixture;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw new Error(`fixture ${name} not found (looked in ${candidates.join(', ')})`);
}

function bytesOf(b64: string): ArrayBuffer {
  const buf = Buffer.from(b64, 'base64');
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/** The stored elements in the TypedArray of their dtype. */
export function typedData(spec: TensorSpec): Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array {
  const ab = bytesOf(spec.data);
  switch (spec.dtype) {
    case 'float32': return new Float32Array(ab);
    case 'float64': return new Float64Array(ab);
    case 'int64': return new BigInt64Array(ab);
    case 'int32': return new Int32Array(ab);
    case 'uint8':
    case 'bool': return new Uint8Array(ab);
  }
  throw new Error(`unknown fixture dtype ${(spec as TensorSpec).dtype}`);
}

/** A new tunet tensor holding a stored tensor. */
export function toTensor(spec: TensorSpec): tn.Tensor {
  const t = tn.fromTypedArray(typedData(spec), spec.shape);
  if (spec.dtype !== 'bool') return t;
  const b = t.to('bool');
  t.dispose();
  return b;
}

export const TOL = {
  float32: { rtol: 1e-4, atol: 1e-5 },
  float64: { rtol: 1e-9, atol: 1e-11 },
};

const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * Asserts that `got` has the stored shape and dtype and the same values:
 * exactly for integer and bool dtypes, within |got − want| ≤ atol + rtol·|want|
 * for floating point (NaN matches NaN, ±Infinity must match exactly).
 */
export function assertTensorMatches(got: tn.Tensor, want: TensorSpec, what: string, tol?: { rtol?: number; atol?: number }): void {
  assert.ok(got instanceof tn.Tensor, `${what}: expected a Tensor, got ${typeof got}`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype ${got.dtype}, PyTorch ${want.dtype}`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape ${fmtShape(got.shape)}, PyTorch ${fmtShape(want.shape)}`);
  const w = typedData(want);
  const g = got.toTypedArray();
  assert.equal(g.length, w.length, `${what}: ${g.length} elements, PyTorch ${w.length}`);
  if (want.dtype === 'float32' || want.dtype === 'float64') {
    const base = TOL[want.dtype];
    const rtol = tol?.rtol ?? base.rtol;
    const atol = tol?.atol ?? base.atol;
    let worst = -1;
    let worstErr = 0;
    let bad = 0;
    for (let i = 0; i < w.length; i++) {
      const a = Number(g[i]);
      const b = Number(w[i]);
      if (Number.isNaN(b) && Number.isNaN(a)) continue;
      if (!Number.isFinite(b) || !Number.isFinite(a)) {
        if (a !== b) {
          bad++;
          if (worst < 0) worst = i;
        }
        continue;
      }
      const err = Math.abs(a - b) - (atol + rtol * Math.abs(b));
      if (err > 0) {
        bad++;
        if (worst < 0 || err > worstErr) {
          worst = i;
          worstErr = err;
        }
      }
    }
    assert.ok(bad === 0, `${what}: ${bad} of ${w.length} elements differ beyond rtol ${rtol}, atol ${atol}; e.g. flat index ${worst}: tunet ${g[worst]}, PyTorch ${w[worst]}`);
    return;
  }
  for (let i = 0; i < w.length; i++) {
    if (g[i] !== w[i]) assert.fail(`${what}: flat index ${i}: tunet ${g[i]}, PyTorch ${w[i]} (exact match expected for ${want.dtype})`);
  }
}

/** The fixed weight of output k: ((7i + 3 + 5k) % 11 − 5.5) / 4, exact in float32/float64. */
export function gradWeight(shape: readonly number[], dtype: tn.DType, k: number): tn.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const arr = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) arr[i] = (((7 * i + 3 + 5 * k) % 11) - 5.5) / 4;
  const t = tn.fromTypedArray(arr, [...shape]);
  if (dtype === 'float64' || dtype === 'float32') return t;
  const c = t.to(dtype);
  t.dispose();
  return c;
}
