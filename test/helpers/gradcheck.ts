/**
 * Finite-difference gradient checking for float64 tensors, like
 * torch.autograd.gradcheck.
 *
 * The outputs of fn are projected onto fixed pseudo-random vectors v:
 *   s(inputs) = Σ_k sum(out_k · v_k)
 * One autograd.grad call gives ∂s/∂input for every input element (the
 * analytical vector-Jacobian product vᵀJ), which is compared with the central
 * difference (s(x + eps·e_j) − s(x − eps·e_j)) / 2eps of the same scalar,
 * evaluated under noGrad with the projection done in float64 on the JS side.
 */
import * as tn from 'tunet';

export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  /** Absolute tolerance. */
  atol?: number;
  /** Relative tolerance (relative to the numerical value). */
  rtol?: number;
  /** Name used in failure messages (defaults to fn.name). */
  name?: string;
  /** Seed of the projection vectors. */
  seed?: number;
  /** Indices of the inputs to check (default: every floating-point input). */
  check?: readonly number[];
}

export type GradcheckOutput = tn.Tensor | readonly tn.Tensor[];

/** Small deterministic PRNG (mulberry32): the same sequence on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function outputsOf(r: GradcheckOutput): tn.Tensor[] {
  const outs = Array.isArray(r) ? [...(r as readonly tn.Tensor[])] : [r as tn.Tensor];
  return outs.filter((t) => t.isFloatingPoint());
}

function unravel(j: number, shape: readonly number[]): string {
  const idx: number[] = [];
  let r = j;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(r % shape[d]);
    r = Math.floor(r / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}

/**
 * Throws an Error naming the op, the input, the element and both values when
 * the analytical gradient of fn (through autograd) differs from central finite
 * differences: |analytical − numerical| > atol + rtol·|numerical|.
 * Every checked input must be float64. Returns the largest absolute error.
 */
export function gradcheck(
  fn: (...inputs: tn.Tensor[]) => GradcheckOutput,
  inputs: readonly tn.Tensor[],
  opts: GradcheckOptions = {},
): number {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const name = opts.name ?? (fn.name || 'fn');
  const checkIdx = opts.check ?? inputs.map((t, i) => (t.isFloatingPoint() ? i : -1)).filter((i) => i >= 0);
  if (checkIdx.length === 0) throw new Error(`gradcheck(${name}): no floating-point input to check`);
  for (const i of checkIdx) {
    if (inputs[i].dtype !== 'float64') throw new Error(`gradcheck(${name}): input ${i} is ${inputs[i].dtype}; gradcheck needs float64`);
  }

  return tn.scope(() => {
    // Contiguous float64 copies of the checked inputs, as flat JS arrays.
    const shapes = inputs.map((t) => t.shape);
    const data = new Map<number, Float64Array>();
    for (const i of checkIdx) data.set(i, new Float64Array(inputs[i].detach().contiguous().toTypedArray() as Float64Array));
    const make = (i: number, arr: Float64Array) => tn.fromTypedArray(arr, shapes[i]);

    // Analytical: one backward pass of the projected scalar.
    const leaves = inputs.map((t, i) => (data.has(i) ? make(i, data.get(i)!).requiresGrad_() : t));
    let vs: Float64Array[] = [];
    const analytical = tn.enableGrad(() => {
      const outs = outputsOf(fn(...leaves));
      if (outs.length === 0) throw new Error(`gradcheck(${name}): fn returned no floating-point output`);
      const rand = prng(opts.seed ?? 12345);
      vs = outs.map((o) => Float64Array.from({ length: o.numel() }, () => 2 * rand() - 1));
      let s: tn.Tensor | null = null;
      for (let k = 0; k < outs.length; k++) {
        const o = outs[k];
        if (o.dtype !== 'float64') throw new Error(`gradcheck(${name}): output ${k} is ${o.dtype}, expected float64`);
        const term = o.mul(tn.fromTypedArray(vs[k], o.shape)).sum();
        s = s === null ? term : s.add(term);
      }
      if (!s!.requiresGrad) throw new Error(`gradcheck(${name}): the output does not require grad (no autograd graph to check)`);
      const grads = tn.autograd.grad(s!, checkIdx.map((i) => leaves[i]), { allowUnused: true });
      return grads.map((g, k) => {
        const n = data.get(checkIdx[k])!.length;
        if (g === null) return new Float64Array(n);
        if (g.shape.join(',') !== shapes[checkIdx[k]].join(',')) {
          throw new Error(`gradcheck(${name}): gradient of input ${checkIdx[k]} has shape [${g.shape}] but the input has [${shapes[checkIdx[k]]}]`);
        }
        return new Float64Array(g.contiguous().toTypedArray() as Float64Array);
      });
    });

    // Numerical: the same scalar, in float64 on the JS side, without autograd.
    const evalAt = (i: number, arr: Float64Array): number =>
      tn.scope(() =>
        tn.noGrad(() => {
          const args = inputs.map((t, k) => (k === i ? make(k, arr) : data.has(k) ? make(k, data.get(k)!) : t));
          const outs = outputsOf(fn(...args));
          let s = 0;
          outs.forEach((o, k) => {
            const a = o.contiguous().toTypedArray() as Float64Array;
            const v = vs[k];
            if (a.length !== v.length) throw new Error(`gradcheck(${name}): output ${k} changed size under perturbation`);
            for (let e = 0; e < a.length; e++) s += a[e] * v[e];
          });
          return s;
        }),
      );

    let worst = 0;
    checkIdx.forEach((i, k) => {
      const base = data.get(i)!;
      const arr = new Float64Array(base);
      for (let j = 0; j < arr.length; j++) {
        arr[j] = base[j] + eps;
        const fp = evalAt(i, arr);
        arr[j] = base[j] - eps;
        const fm = evalAt(i, arr);
        arr[j] = base[j];
        const numerical = (fp - fm) / (2 * eps);
        const a = analytical[k][j];
        const err = Math.abs(a - numerical);
        if (!(err <= atol + rtol * Math.abs(numerical))) {
          throw new Error(
            `gradcheck(${name}): input ${i} element ${j} ${unravel(j, shapes[i])}: analytical ${a} vs numerical ${numerical} ` +
              `(|diff| ${err.toExponential(3)} > atol ${atol} + rtol ${rtol}·|numerical|)`,
          );
        }
        worst = Math.max(worst, err);
      }
    });
    return worst;
  });
}

/**
 * fn's first-order gradient as a function of the inputs, built with
 * createGraph so that gradcheck(gradOf(fn), …) checks second derivatives.
 * The scalar differentiated is Σ_k sum(out_k · w_k) with fixed weights w.
 */
export function gradOf(fn: (...inputs: tn.Tensor[]) => GradcheckOutput, seed = 777): (...inputs: tn.Tensor[]) => tn.Tensor[] {
  return (...inputs: tn.Tensor[]) =>
    tn.enableGrad(() => {
      // In the finite-difference pass the inputs are plain tensors: make leaves of them.
      const xs = inputs.map((t) => (t.isFloatingPoint() && !t.requiresGrad ? t.detach().requiresGrad_() : t));
      const outs = outputsOf(fn(...xs));
      const rand = prng(seed);
      let s: tn.Tensor | null = null;
      for (const o of outs) {
        const w = tn.fromTypedArray(Float64Array.from({ length: o.numel() }, () => 0.5 + rand()), o.shape);
        const term = o.mul(w).sum();
        s = s === null ? term : s.add(term);
      }
      const floats = xs.filter((t) => t.isFloatingPoint());
      return tn.autograd.grad(s!, floats, { createGraph: true, allowUnused: true }).map((g, k) => g ?? tn.zerosLike(floats[k]));
    });
}
