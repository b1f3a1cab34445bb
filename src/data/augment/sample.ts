/**
 * Shared helpers of the augmentation code: sample copies, checks and the
 * resampling of an image (bilinear) and its mask (nearest) through a dense
 * coordinate map. Pure TypeScript on typed arrays, so it runs cheaply inside
 * worker threads.
 */
import { TorchError } from '../../torch/errors.js';
import type { Sample } from '../types.js';

/** How pixels outside the image are filled by geometric transforms. */
export type Padding = 'reflect' | 'zero' | 'edge';

export const PADDINGS: readonly Padding[] = ['reflect', 'zero', 'edge'];

/** Throws unless the sample's arrays match its declared shape. */
export function checkSample(s: Sample, op: string): void {
  const { channels: c, height: h, width: w } = s;
  if (!(s.image instanceof Float32Array)) throw new TorchError(`sample "${s.id}": image must be a Float32Array`, op);
  if (!Number.isInteger(c) || !Number.isInteger(h) || !Number.isInteger(w) || c < 1 || h < 1 || w < 1) {
    throw new TorchError(`sample "${s.id}": channels, height and width must be positive integers, got ${c}×${h}×${w}`, op);
  }
  if (s.image.length !== c * h * w) {
    throw new TorchError(`sample "${s.id}": image has ${s.image.length} values but ${c}×${h}×${w} needs ${c * h * w}`, op);
  }
  if (s.mask !== undefined) {
    if (!(s.mask instanceof Uint8Array)) throw new TorchError(`sample "${s.id}": mask must be a Uint8Array`, op);
    if (s.mask.length !== h * w) throw new TorchError(`sample "${s.id}": mask has ${s.mask.length} values but ${h}×${w} needs ${h * w}`, op);
  }
}

/** A deep copy (new arrays), so transforms may work in place. */
export function cloneSample(s: Sample): Sample {
  const out: Sample = { ...s, image: s.image.slice() };
  if (s.mask !== undefined) out.mask = s.mask.slice();
  return out;
}

/** A sample with the same metadata and new arrays/shape. */
export function withData(s: Sample, image: Float32Array, height: number, width: number, mask: Uint8Array | undefined): Sample {
  const out: Sample = { ...s, image, height, width };
  if (mask !== undefined) out.mask = mask;
  else delete out.mask;
  return out;
}

/** Reflects a continuous coordinate into [0, n-1] (mirror about the first and last pixel centres). */
export function reflectCoord(x: number, n: number): number {
  if (n === 1) return 0;
  const p = 2 * (n - 1);
  x = Math.abs(x) % p;
  return x > n - 1 ? p - x : x;
}

/** Reflects an integer index into [0, n-1] without repeating the edge pixel (… c b | a b c … ). */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const p = 2 * (n - 1);
  i = Math.abs(i) % p;
  return i > n - 1 ? p - i : i;
}

export interface RemapOptions {
  padding: Padding;
  /** Image value outside the image for 'zero' padding (default 0). */
  fill: number;
  /** Mask value outside the image for 'zero' padding (default 0 = background). */
  maskFill: number;
}

/**
 * Resamples `s` at source coordinates (mapX[k], mapY[k]) for each output pixel k
 * (row-major, outH × outW): the image bilinearly, the mask by the nearest pixel.
 */
export function remap(s: Sample, mapX: Float64Array | Float32Array, mapY: Float64Array | Float32Array, outH: number, outW: number, o: RemapOptions): Sample {
  const { channels: C, height: H, width: W } = s;
  const n = outH * outW;
  const img = s.image;
  const out = new Float32Array(C * n);
  const mask = s.mask;
  const outMask = mask ? new Uint8Array(n) : undefined;
  const zero = o.padding === 'zero';
  const fill = o.fill;
  const plane = H * W;
  for (let k = 0; k < n; k++) {
    let x = mapX[k]!;
    let y = mapY[k]!;
    if (o.padding === 'reflect') {
      x = reflectCoord(x, W);
      y = reflectCoord(y, H);
    } else if (o.padding === 'edge') {
      x = x < 0 ? 0 : x > W - 1 ? W - 1 : x;
      y = y < 0 ? 0 : y > H - 1 ? H - 1 : y;
    }
    // Nearest pixel for the mask.
    if (outMask) {
      const xi = Math.round(x);
      const yi = Math.round(y);
      outMask[k] = xi >= 0 && xi < W && yi >= 0 && yi < H ? mask![yi * W + xi]! : o.maskFill;
    }
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    const fx = x - x0;
    const fy = y - y0;
    const x1 = x0 + 1;
    const y1 = y0 + 1;
    if (zero) {
      if (x1 < 0 || y1 < 0 || x0 > W - 1 || y0 > H - 1) {
        for (let c = 0; c < C; c++) out[c * n + k] = fill;
        continue;
      }
      const in00 = x0 >= 0 && y0 >= 0;
      const in01 = x1 <= W - 1 && y0 >= 0;
      const in10 = x0 >= 0 && y1 <= H - 1;
      const in11 = x1 <= W - 1 && y1 <= H - 1;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      for (let c = 0; c < C; c++) {
        const base = c * plane;
        let v = 0;
        v += w00 === 0 ? 0 : w00 * (in00 ? img[base + y0 * W + x0]! : fill);
        v += w01 === 0 ? 0 : w01 * (in01 ? img[base + y0 * W + x1]! : fill);
        v += w10 === 0 ? 0 : w10 * (in10 ? img[base + y1 * W + x0]! : fill);
        v += w11 === 0 ? 0 : w11 * (in11 ? img[base + y1 * W + x1]! : fill);
        out[c * n + k] = v;
      }
    } else {
      // Coordinates are inside [0, n-1]: clamp the upper neighbour at the edge.
      const xa = x1 > W - 1 ? W - 1 : x1;
      const ya = y1 > H - 1 ? H - 1 : y1;
      const i00 = y0 * W + x0;
      const i01 = y0 * W + xa;
      const i10 = ya * W + x0;
      const i11 = ya * W + xa;
      for (let c = 0; c < C; c++) {
        const base = c * plane;
        const top = fx === 0 ? img[base + i00]! : img[base + i00]! + fx * (img[base + i01]! - img[base + i00]!);
        if (fy === 0) {
          out[c * n + k] = top;
        } else {
          const bottom = fx === 0 ? img[base + i10]! : img[base + i10]! + fx * (img[base + i11]! - img[base + i10]!);
          out[c * n + k] = top + fy * (bottom - top);
        }
      }
    }
  }
  return withData(s, out, outH, outW, outMask);
}
