/**
 * Patches: padding up to a size, centre crops, and random crops with foreground
 * oversampling (nnU-Net: a fraction of the crops, 1/3 by default, is centred on
 * a random foreground pixel, the window clamped inside the image).
 */
import type { Rng } from '../random.js';
import type { Sample } from '../types.js';
import { withData } from './sample.js';

export interface PadOptions {
  /** Image value of the added pixels (default 0). */
  padValue?: number;
  /** Mask value of the added pixels (default 0 = background). */
  maskPadValue?: number;
}

/** Pads (centred) to at least h × w; a sample already as large is returned as is. */
export function padTo(s: Sample, h: number, w: number, o: PadOptions = {}): Sample {
  const { channels: C, height: H, width: W } = s;
  if (H >= h && W >= w) return s;
  const oh = Math.max(H, h);
  const ow = Math.max(W, w);
  const top = Math.floor((oh - H) / 2);
  const left = Math.floor((ow - W) / 2);
  const img = new Float32Array(C * oh * ow);
  if (o.padValue) img.fill(o.padValue);
  for (let c = 0; c < C; c++) {
    for (let y = 0; y < H; y++) {
      img.set(s.image.subarray(c * H * W + y * W, c * H * W + (y + 1) * W), c * oh * ow + (y + top) * ow + left);
    }
  }
  let mask: Uint8Array | undefined;
  if (s.mask) {
    mask = new Uint8Array(oh * ow);
    if (o.maskPadValue) mask.fill(o.maskPadValue);
    for (let y = 0; y < H; y++) mask.set(s.mask.subarray(y * W, (y + 1) * W), (y + top) * ow + left);
  }
  return withData(s, img, oh, ow, mask);
}

/** The h × w window whose top-left corner is (top, left); the window must lie inside the sample. */
export function cropAt(s: Sample, top: number, left: number, h: number, w: number): Sample {
  const { channels: C, height: H, width: W } = s;
  const img = new Float32Array(C * h * w);
  for (let c = 0; c < C; c++) {
    for (let y = 0; y < h; y++) {
      const src = c * H * W + (top + y) * W + left;
      img.set(s.image.subarray(src, src + w), c * h * w + y * w);
    }
  }
  let mask: Uint8Array | undefined;
  if (s.mask) {
    mask = new Uint8Array(h * w);
    for (let y = 0; y < h; y++) mask.set(s.mask.subarray((top + y) * W + left, (top + y) * W + left + w), y * w);
  }
  return withData(s, img, h, w, mask);
}

/** Pads if needed, then takes the centred h × w window. */
export function centerCrop(s: Sample, h: number, w: number, o: PadOptions = {}): Sample {
  const p = padTo(s, h, w, o);
  if (p.height === h && p.width === w) return p === s ? cropAt(s, 0, 0, h, w) : p;
  return cropAt(p, Math.floor((p.height - h) / 2), Math.floor((p.width - w) / 2), h, w);
}

export interface RandomCropOptions extends PadOptions {
  /** Probability that the crop is forced to contain foreground (default 1/3, as nnU-Net). */
  foreground?: number;
  /** Mask values that count as foreground (default: every value > 0). */
  foregroundClasses?: number[];
}

/** Where a random crop was taken, and whether it was forced onto foreground. */
export interface CropInfo {
  top: number;
  left: number;
  forced: boolean;
}

/**
 * A random h × w patch (after padding when the sample is smaller). With
 * probability `foreground`, and when the mask has foreground, the window is
 * centred on a uniformly chosen foreground pixel and clamped inside the image.
 */
export function randomCrop(s: Sample, h: number, w: number, rng: Rng, o: RandomCropOptions = {}, info?: CropInfo): Sample {
  const p = padTo(s, h, w, o);
  const H = p.height;
  const W = p.width;
  const forceFg = rng.next() < (o.foreground ?? 1 / 3);
  let top = -1;
  let left = -1;
  let forced = false;
  if (forceFg && p.mask) {
    const m = p.mask;
    const isFg = o.foregroundClasses ? new Set(o.foregroundClasses) : null;
    let count = 0;
    for (let i = 0; i < m.length; i++) if (isFg ? isFg.has(m[i]!) : m[i]! > 0) count++;
    if (count > 0) {
      let pick = Math.floor(rng.next() * count);
      let at = 0;
      for (let i = 0; i < m.length; i++) {
        if (isFg ? isFg.has(m[i]!) : m[i]! > 0) {
          if (pick === 0) {
            at = i;
            break;
          }
          pick--;
        }
      }
      const cy = Math.floor(at / W);
      const cx = at % W;
      top = Math.min(Math.max(cy - Math.floor(h / 2), 0), H - h);
      left = Math.min(Math.max(cx - Math.floor(w / 2), 0), W - w);
      forced = true;
    }
  }
  if (!forced) {
    top = Math.floor(rng.next() * (H - h + 1));
    left = Math.floor(rng.next() * (W - w + 1));
  }
  if (info) {
    info.top = top;
    info.left = left;
    info.forced = forced;
  }
  return cropAt(p, top, left, h, w);
}
