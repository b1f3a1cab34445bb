/** Loads the native addon (build/Release/tunet.node) and declares its surface. */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TorchError } from './errors.js';

/** An opaque handle to a native tensor (a type-tagged N-API External). */
export type Handle = { readonly __tensorHandle: unique symbol };

export interface NativeAddon {
  init(errorClass: typeof TorchError): void;
  dispose(h: Handle): void;
  isDisposed(h: Handle): boolean;
  memory(): { tensors: number; bytes: number };
  buildInfo(): { torchVersion: string; cxx11Abi: boolean; cuda: boolean; mkldnn: boolean; openmp: boolean; parallelInfo: string; config: string };
  findOp(name: string, overload: string): number;
  call(id: number, ...args: unknown[]): any;
  callVoid(id: number, ...args: unknown[]): void;
  schema(id: number): string;
  fromBuffer(data: ArrayBufferView, shape: number[], dtype: number): Handle;
  toBuffer(h: Handle): ArrayBuffer;
  shape(h: Handle): number[];
  strides(h: Handle): number[];
  dtype(h: Handle): number;
  device(h: Handle): string;
  numel(h: Handle): number;
  dim(h: Handle): number;
  item(h: Handle): number | boolean;
  sameStorage(a: Handle, b: Handle): boolean;
  backward(h: Handle, grad: Handle | null, retainGraph?: boolean, createGraph?: boolean): void;
  autogradGrad(outputs: Handle[], inputs: Handle[], gradOutputs: Handle[] | null, retainGraph: boolean | undefined, createGraph: boolean, allowUnused: boolean): (Handle | null)[];
  getGrad(h: Handle): Handle | null;
  setGrad(h: Handle, g: Handle | null): void;
  requiresGrad(h: Handle): boolean;
  setRequiresGrad(h: Handle, flag: boolean): void;
  isLeaf(h: Handle): boolean;
  retainGrad(h: Handle): void;
  gradFn(h: Handle): string | null;
  setData(h: Handle, src: Handle): void;
  setGradEnabled(flag: boolean): boolean;
  isGradEnabled(): boolean;
  manualSeed(seed: number | bigint): void;
  getRngState(): Handle;
  setRngState(h: Handle): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('tunet: cannot find the package root from ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

function load(): NativeAddon {
  const root = packageRoot();
  const candidates = [join(root, 'build', 'Release', 'tunet.node'), join(root, 'build', 'Debug', 'tunet.node')];
  const file = candidates.find((f) => existsSync(f));
  if (!file) {
    throw new Error(
      `tunet: the native addon is not built (looked for ${candidates.join(', ')}).\n` +
        'Build it with `npm run build:native` (needs libtorch: `make deps` installs it on Debian).',
    );
  }
  const require = createRequire(import.meta.url);
  try {
    const addon = require(file) as NativeAddon;
    addon.init(TorchError);
    return addon;
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(
      `tunet: cannot load ${file}: ${msg}\n` +
        'If a libtorch library is missing, rebuild against the libtorch you have (`npm run build:native`), ' +
        'or set LIBTORCH to a libtorch folder and rebuild.',
    );
  }
}

export const native: NativeAddon = load();
