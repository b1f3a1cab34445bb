/** PyTorch-like printing: tensor([[0.1000, 0.2000]], dtype=float64, requires_grad=True). */
import type { Tensor } from './tensor.js';
import { scope } from './scope.js';

// Set by ops/views.ts (importing it here would be circular).
let cat: (ts: Tensor[], dim: number) => Tensor = () => {
  throw new Error('format: cat is not registered');
};
export function setFormatCat(f: (ts: Tensor[], dim: number) => Tensor): void {
  cat = f;
}

const EDGE = 3;
const SUMMARIZE_OVER = 1000;

/**
 * The elements shown: for a large tensor, only the first and last EDGE
 * entries of every long dimension are copied out of native memory.
 */
function shownValues(t: Tensor, summarize: boolean): { values: number[]; shape: number[] } {
  if (!summarize) return { values: t.numel() > 0 ? t.toArray() : [], shape: t.shape };
  return scope(() => {
    let s = t;
    t.shape.forEach((n, d) => {
      if (n > 2 * EDGE) s = cat([s.narrow(d, 0, EDGE), s.narrow(d, n - EDGE, EDGE)], d);
    });
    return { values: s.toArray(), shape: s.shape };
  });
}

export function formatTensor(t: Tensor): string {
  const fullShape = t.shape;
  const dtype = t.dtype;
  const summarize = t.numel() > SUMMARIZE_OVER;
  const { values, shape } = shownValues(t, summarize);
  const isFloat = dtype.startsWith('float') || dtype === 'bfloat16';
  const finite = values.filter((v) => Number.isFinite(v));
  const allInt = finite.every((v) => Number.isInteger(v));
  const maxAbs = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const sci = isFloat && finite.length > 0 && (maxAbs >= 1e8 || (maxAbs > 0 && maxAbs < 1e-4));
  const fmt = (v: number): string => {
    if (dtype === 'bool') return v ? 'True' : 'False';
    if (!isFloat) return String(v);
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    if (sci) return v.toExponential(4);
    if (allInt) return `${v}.`;
    return v.toFixed(4);
  };
  const strides: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  const width = Math.max(1, ...values.map((v) => fmt(v).length));
  const pad = (s: string) => s.padStart(width);
  const render = (dim: number, offset: number, indent: number): string => {
    if (shape.length === 0) return fmt(values[0]);
    const n = shape[dim];
    const idx = summarize && fullShape[dim] > 2 * EDGE ? [...range(0, EDGE), -1, ...range(EDGE, 2 * EDGE)] : range(0, n);
    if (dim === shape.length - 1) {
      return '[' + idx.map((i) => (i < 0 ? '...' : pad(fmt(values[offset + i])))).join(', ') + ']';
    }
    const sep = ',' + '\n'.repeat(shape.length - dim - 1) + ' '.repeat(indent + 1);
    return '[' + idx.map((i) => (i < 0 ? '...' : render(dim + 1, offset + i * strides[dim], indent + 1))).join(sep) + ']';
  };
  const body = render(0, 0, 'tensor('.length);
  const extras: string[] = [];
  if (fullShape.includes(0)) extras.push(`size=[${fullShape.join(', ')}]`);
  if (dtype !== 'float32' && dtype !== 'int64' && dtype !== 'bool') extras.push(`dtype=${dtype}`);
  if (t.device !== 'cpu') extras.push(`device='${t.device}'`);
  if (t.requiresGrad) extras.push(t.gradFn ? `grad_fn=<${t.gradFn}>` : 'requires_grad=True');
  return `tensor(${body}${extras.length ? ', ' + extras.join(', ') : ''})`;
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i < b; i++) out.push(i);
  return out;
}
