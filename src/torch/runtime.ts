/** Process-wide settings: seeds, RNG state, threads, memory accounting, build info. */
import { native } from './native.js';
import { check } from './errors.js';
import { Tensor } from './tensor.js';

/** Seeds libtorch's CPU generator (rand, randn, dropout, init…), as torch.manual_seed. */
export function manualSeed(seed: number | bigint): void {
  check(typeof seed === 'bigint' || (Number.isInteger(seed) && seed >= 0), 'manualSeed', `seed must be a non-negative integer, got ${String(seed)}`);
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

/** Intra-op threads libtorch uses (torch.set_num_threads). */
export function setNumThreads(n: number): void {
  check(Number.isInteger(n) && n > 0, 'setNumThreads', `the number of threads must be a positive integer, got ${n}`);
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

/** Whether the linked libtorch can use CUDA. */
export function cudaIsAvailable(): boolean {
  return native.buildInfo().cuda;
}
