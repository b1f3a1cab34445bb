/** Process-wide settings: seeds, RNG state, threads, memory accounting, build info. */
import { readFileSync } from 'node:fs';
import { native } from './native.js';
import { check } from './errors.js';
import { Tensor } from './tensor.js';

/** Seeds libtorch's CPU generator (rand, randn, dropout, init…), as torch.manual_seed. */
export function manualSeed(seed: number | bigint): void {
  // Numbers above 2^53 are not exact, and a bigint outside uint64 would be truncated silently.
  const ok = typeof seed === 'bigint' ? seed >= 0n && seed < 2n ** 64n : Number.isSafeInteger(seed) && seed >= 0;
  check(ok, 'manualSeed', `seed must be a non-negative integer (a number up to 2^53 - 1 or a bigint below 2^64), got ${String(seed)}`);
  native.manualSeed(seed);
}

/** The CPU generator's state as a uint8 tensor, for checkpoints (torch.get_rng_state). */
export function getRngState(): Tensor {
  return new Tensor(native.getRngState());
}

export function setRngState(state: Tensor): void {
  check(state instanceof Tensor && state.dtype === 'uint8', 'setRngState', 'state must be a uint8 Tensor from getRngState()');
  native.setRngState(state.h);
}

/**
 * Upper bound for setNumThreads: OpenMP sizes its thread team eagerly, so a
 * huge count (1e10 wraps to 1410065408 in C) aborts the process with
 * "libgomp: Out of memory" at the next parallel op (PyTorch does the same).
 */
export const MAX_NUM_THREADS = 1024;

/** Intra-op threads libtorch uses (torch.set_num_threads). */
export function setNumThreads(n: number): void {
  const got = typeof n === 'number' ? String(n) : `${typeof n} ${JSON.stringify(n)}`;
  check(Number.isInteger(n) && n > 0 && n <= MAX_NUM_THREADS, 'setNumThreads', `the number of threads must be an integer in [1, ${MAX_NUM_THREADS}], got ${got}`);
  native.setNumThreads(n);
}

export function getNumThreads(): number {
  return native.getNumThreads();
}

/** Live native tensors held by JavaScript handles and the bytes of their distinct storages. */
export function memory(): { tensors: number; bytes: number } {
  return native.memory();
}

/** libtorch's version and build configuration. */
export function buildInfo(): ReturnType<typeof native.buildInfo> {
  return native.buildInfo();
}

/**
 * The BLAS library the process loaded for libtorch (Linux: from /proc/self/maps),
 * e.g. '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3'; null if unknown.
 * Debian's reference BLAS ('/usr/lib/x86_64-linux-gnu/blas/libblas.so.3') is ~20× slower:
 * install libopenblas0-pthread.
 */
export function blasLibrary(): string | null {
  try {
    const maps = readFileSync('/proc/self/maps', 'utf8');
    const libs = new Set(maps.split('\n').map((l) => l.trim().split(/\s+/)[5]).filter((p): p is string => !!p && /lib(open)?blas|libmkl/.test(p)));
    return [...libs].sort((a, b) => Number(/openblas|mkl/.test(b)) - Number(/openblas|mkl/.test(a)))[0] ?? null;
  } catch {
    return null;
  }
}

/** Whether the linked libtorch can use CUDA. */
export function cudaIsAvailable(): boolean {
  return native.buildInfo().cuda;
}
