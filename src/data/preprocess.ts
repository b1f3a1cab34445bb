/**
 * Preprocessing of samples: intensity normalisation and padding/cropping to a
 * size multiple (2^depth for a U-Net), with the padding recorded so that
 * predictions can be cropped back to the original size.
 *
 * Normalisation methods (per channel):
 * - 'zscore': (x − mean) / max(std, eps); scope 'image' uses the image's own
 *   mean/std (nnU-Net's default for non-CT data), scope 'dataset' the
 *   fingerprint's (all pixels, or foreground pixels with `foreground: true`);
 * - 'minmax': (x − min) / (max − min) → 0..1 (0 when max = min);
 * - 'percentile': clip to the [lower, upper] percentiles (default 0.5 / 99.5),
 *   then z-score. Scope 'dataset' follows nnU-Net's CT scheme: foreground
 *   percentiles and foreground mean/std from the fingerprint; scope 'image' uses
 *   the image's own percentiles and the mean/std of the clipped image;
 * - 'log': log(1 + max(x, 0)) (no parameters);
 * - 'none'.
 */
import { TorchError } from '../torch/errors.js';
import type { Sample } from './types.js';
import type { Fingerprint } from './fingerprint.js';

export type NormalizationMethod = 'none' | 'zscore' | 'minmax' | 'percentile' | 'log';

export interface NormalizationSpec {
  method: NormalizationMethod;
  /** Statistics of each image (default) or of the dataset (needs a fingerprint). */
  scope?: 'image' | 'dataset';
  /** Percentiles for 'percentile' (default 0.5 and 99.5). */
  lower?: number;
  upper?: number;
  /** Dataset scope: use the foreground statistics (default: true for 'percentile', false otherwise). */
  foreground?: boolean;
  /** Smallest divisor (default 1e-8). */
  eps?: number;
}

/** Resolved, JSON-serialisable normalisation (store it with a model to preprocess its inputs the same way). */
export interface NormalizationParams {
  method: NormalizationMethod;
  scope: 'image' | 'dataset';
  lower: number;
  upper: number;
  eps: number;
  /** Dataset scope: per-channel statistics. */
  mean?: number[];
  std?: number[];
  min?: number[];
  max?: number[];
  /** Dataset scope, 'percentile': per-channel clipping bounds. */
  clipLow?: number[];
  clipHigh?: number[];
}

const OP = 'data.normalize';

/** Percentiles (0..100) of values by linear interpolation between order statistics (NumPy's default). */
export function percentiles(values: ArrayLike<number>, ps: number[]): number[] {
  const n = values.length;
  if (n === 0) return ps.map(() => NaN);
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  return ps.map((p) => {
    if (!(p >= 0 && p <= 100)) throw new TorchError(`percentile ${p} outside 0..100`, OP);
    const pos = ((n - 1) * p) / 100;
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, n - 1);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
  });
}

/**
 * Resolves a normalisation spec; dataset scope takes the per-channel statistics
 * from a fingerprint (computeFingerprint).
 */
export function fitNormalization(spec: NormalizationSpec, fingerprint?: Fingerprint): NormalizationParams {
  const methods: NormalizationMethod[] = ['none', 'zscore', 'minmax', 'percentile', 'log'];
  if (!methods.includes(spec.method)) throw new TorchError(`unknown normalisation method '${String(spec.method)}' (${methods.join(', ')})`, OP);
  const scope = spec.scope ?? 'image';
  const lower = spec.lower ?? 0.5;
  const upper = spec.upper ?? 99.5;
  if (!(lower >= 0 && upper <= 100 && lower < upper)) throw new TorchError(`percentiles must satisfy 0 ≤ lower < upper ≤ 100, got ${lower}, ${upper}`, OP);
  const params: NormalizationParams = { method: spec.method, scope, lower, upper, eps: spec.eps ?? 1e-8 };
  if (scope === 'image' || spec.method === 'none' || spec.method === 'log') return params;
  if (!fingerprint) throw new TorchError(`scope 'dataset' needs a fingerprint (computeFingerprint)`, OP);
  const useFg = spec.foreground ?? spec.method === 'percentile';
  let stats = fingerprint.intensity.all;
  if (useFg) {
    if (!fingerprint.intensity.foreground) throw new TorchError('the fingerprint has no foreground statistics (no masks); pass foreground: false', OP);
    stats = fingerprint.intensity.foreground;
  }
  if (spec.method === 'zscore') {
    params.mean = stats.map((s) => s.mean);
    params.std = stats.map((s) => s.std);
  } else if (spec.method === 'minmax') {
    params.min = stats.map((s) => s.min);
    params.max = stats.map((s) => s.max);
  } else {
    const key = (p: number): string => String(p);
    params.clipLow = stats.map((s, c) => {
      const v = s.percentiles[key(lower)];
      if (v === undefined) throw new TorchError(`the fingerprint has no ${lower} percentile for channel ${c} (computed: ${Object.keys(s.percentiles).join(', ')})`, OP);
      return v;
    });
    params.clipHigh = stats.map((s, c) => {
      const v = s.percentiles[key(upper)];
      if (v === undefined) throw new TorchError(`the fingerprint has no ${upper} percentile for channel ${c}`, OP);
      return v;
    });
    params.mean = stats.map((s) => s.mean);
    params.std = stats.map((s) => s.std);
  }
  return params;
}

function channelStats(x: Float32Array, off: number, n: number): { mean: number; std: number; min: number; max: number } {
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = off; i < off + n; i++) {
    const v = x[i]!;
    s += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = s / n;
  let m2 = 0;
  for (let i = off; i < off + n; i++) {
    const d = x[i]! - mean;
    m2 += d * d;
  }
  return { mean, std: Math.sqrt(m2 / n), min, max };
}

/**
 * Normalises a C × H × W image (any H × W: the pixel count is length / channels).
 * Returns a new array unless `inPlace`.
 */
export function normalizeImage(image: Float32Array, channels: number, params: NormalizationParams, options: { inPlace?: boolean } = {}): Float32Array {
  const out = options.inPlace ? image : image.slice();
  if (image.length % channels !== 0) throw new TorchError(`image of ${image.length} values does not split into ${channels} channels`, OP);
  const n = image.length / channels;
  const { method, eps } = params;
  if (method === 'none' || n === 0) return out;
  if (method === 'log') {
    for (let i = 0; i < out.length; i++) out[i] = Math.log1p(Math.max(out[i]!, 0));
    return out;
  }
  const pick = (arr: number[] | undefined, c: number, name: string): number => {
    const v = arr?.[c] ?? (arr && arr.length === 1 ? arr[0] : undefined);
    if (v === undefined) throw new TorchError(`normalisation parameters have no ${name} for channel ${c} (of ${arr?.length ?? 0})`, OP);
    return v;
  };
  for (let c = 0; c < channels; c++) {
    const off = c * n;
    if (method === 'zscore') {
      const { mean, std } = params.scope === 'image' ? channelStats(out, off, n) : { mean: pick(params.mean, c, 'mean'), std: pick(params.std, c, 'std') };
      const inv = 1 / Math.max(std, eps);
      for (let i = off; i < off + n; i++) out[i] = (out[i]! - mean) * inv;
    } else if (method === 'minmax') {
      const { min, max } = params.scope === 'image' ? channelStats(out, off, n) : { min: pick(params.min, c, 'min'), max: pick(params.max, c, 'max') };
      const range = max - min;
      for (let i = off; i < off + n; i++) out[i] = range > 0 ? (out[i]! - min) / range : 0;
    } else {
      let lo: number;
      let hi: number;
      let mean: number;
      let std: number;
      if (params.scope === 'image') {
        [lo, hi] = percentiles(out.subarray(off, off + n), [params.lower, params.upper]) as [number, number];
        for (let i = off; i < off + n; i++) out[i] = Math.min(Math.max(out[i]!, lo), hi);
        ({ mean, std } = channelStats(out, off, n));
      } else {
        lo = pick(params.clipLow, c, 'clipLow');
        hi = pick(params.clipHigh, c, 'clipHigh');
        mean = pick(params.mean, c, 'mean');
        std = pick(params.std, c, 'std');
        for (let i = off; i < off + n; i++) out[i] = Math.min(Math.max(out[i]!, lo), hi);
      }
      const inv = 1 / Math.max(std, eps);
      for (let i = off; i < off + n; i++) out[i] = (out[i]! - mean) * inv;
    }
  }
  return out;
}

/** A copy of the sample with its image normalised (mask and label shared). */
export function normalizeSample<S extends Sample>(sample: S, params: NormalizationParams): S {
  return { ...sample, image: normalizeImage(sample.image, sample.channels, params) };
}

/** Where the original image lies in a padded or cropped one: new(y + top, x + left) = original(y, x). */
export interface PadInfo {
  /** Original size. */
  height: number;
  width: number;
  /** New size. */
  paddedHeight: number;
  paddedWidth: number;
  /** Offsets of the original in the new image: > 0 padding before, < 0 cropped away. */
  top: number;
  left: number;
}

export type PadMode = 'reflect' | 'zeros' | 'edge';

export interface PadOptions {
  /** How padded pixels are filled (default 'reflect': mirrored without repeating the edge, as PyTorch's 'reflect'). */
  mode?: PadMode;
  /** 'pad' (default) grows to the next multiple; 'crop' shrinks to the previous multiple (centre crop). */
  strategy?: 'pad' | 'crop';
  /** Fill value of padded mask pixels (default: the same rule as the image: mirrored/edge, or 0 for 'zeros'); e.g. 255 to ignore them in the loss. */
  maskFill?: number;
  /** Fill value of padded image pixels in 'zeros' mode (default 0). */
  fill?: number;
}

function mirrorIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const p = 2 * (n - 1);
  i = ((i % p) + p) % p;
  return i < n ? i : p - i;
}

type AnyArray = Float32Array | Uint8Array | Uint16Array | Int32Array | Float64Array;

/** Pads/crops a C × H × W array into C × newH × newW with the original at (top, left). */
export function padCropArray<T extends AnyArray>(
  src: T,
  channels: number,
  height: number,
  width: number,
  newHeight: number,
  newWidth: number,
  top: number,
  left: number,
  mode: PadMode,
  fill = 0,
): T {
  const out = new (src.constructor as new (n: number) => T)(channels * newHeight * newWidth);
  const rowMap = new Int32Array(newHeight);
  const colMap = new Int32Array(newWidth);
  const mapIdx = (i: number, n: number): number => {
    if (i >= 0 && i < n) return i;
    if (mode === 'zeros') return -1;
    if (mode === 'edge') return i < 0 ? 0 : n - 1;
    return mirrorIndex(i, n);
  };
  for (let y = 0; y < newHeight; y++) rowMap[y] = mapIdx(y - top, height);
  for (let x = 0; x < newWidth; x++) colMap[x] = mapIdx(x - left, width);
  for (let c = 0; c < channels; c++) {
    const so = c * height * width;
    const oo = c * newHeight * newWidth;
    for (let y = 0; y < newHeight; y++) {
      const sy = rowMap[y]!;
      const orow = oo + y * newWidth;
      if (sy < 0) {
        out.fill(fill, orow, orow + newWidth);
        continue;
      }
      const srow = so + sy * width;
      for (let x = 0; x < newWidth; x++) {
        const sx = colMap[x]!;
        out[orow + x] = sx < 0 ? fill : src[srow + sx]!;
      }
    }
  }
  return out;
}

/** Pads or crops a sample (image and mask) to exactly height × width, centred; returns the sample and the placement. */
export function padOrCropTo<S extends Sample>(sample: S, height: number, width: number, options: PadOptions = {}): { sample: S; pad: PadInfo } {
  if (!(Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0)) {
    throw new TorchError(`target size must be positive integers, got ${height}×${width}`, 'data.padOrCropTo');
  }
  const mode = options.mode ?? 'reflect';
  if (!['reflect', 'zeros', 'edge'].includes(mode)) throw new TorchError(`unknown pad mode '${String(mode)}' (reflect, zeros, edge)`, 'data.padOrCropTo');
  const top = Math.floor((height - sample.height) / 2);
  const left = Math.floor((width - sample.width) / 2);
  const image = padCropArray(sample.image, sample.channels, sample.height, sample.width, height, width, top, left, mode, options.fill ?? 0);
  const out: S = { ...sample, image, height, width };
  if (sample.mask) {
    out.mask =
      options.maskFill !== undefined
        ? padCropArray(sample.mask, 1, sample.height, sample.width, height, width, top, left, 'zeros', options.maskFill)
        : padCropArray(sample.mask, 1, sample.height, sample.width, height, width, top, left, mode, 0);
  }
  const extra = sample as Sample & { instances?: Uint16Array };
  if (extra.instances) {
    (out as Sample & { instances?: Uint16Array }).instances = padCropArray(extra.instances, 1, sample.height, sample.width, height, width, top, left, 'zeros', 0);
  }
  return { sample: out, pad: { height: sample.height, width: sample.width, paddedHeight: height, paddedWidth: width, top, left } };
}

/**
 * Pads (default) or crops a sample so that its height and width are multiples
 * of `multiple` (2^depth for a U-Net of that depth), centred. `pad` records the
 * placement; undoPad() crops a prediction back to the original size.
 */
export function padOrCropToMultiple<S extends Sample>(sample: S, multiple: number, options: PadOptions = {}): { sample: S; pad: PadInfo } {
  if (!Number.isInteger(multiple) || multiple < 1) throw new TorchError(`multiple must be an integer ≥ 1, got ${multiple}`, 'data.padOrCropToMultiple');
  const crop = (options.strategy ?? 'pad') === 'crop';
  const round = (v: number): number => (crop ? Math.max(multiple, Math.floor(v / multiple) * multiple) : Math.ceil(v / multiple) * multiple);
  return padOrCropTo(sample, round(sample.height), round(sample.width), options);
}

/**
 * Maps a C × paddedHeight × paddedWidth array (e.g. a prediction of a padded
 * image) back to C × height × width of the original; pixels that were cropped
 * away get `fill` (default 0).
 */
export function undoPad<T extends AnyArray>(data: T, channels: number, pad: PadInfo, fill = 0): T {
  if (data.length !== channels * pad.paddedHeight * pad.paddedWidth) {
    throw new TorchError(`data has ${data.length} values, ${channels}×${pad.paddedHeight}×${pad.paddedWidth} expected`, 'data.undoPad');
  }
  return padCropArray(data, channels, pad.paddedHeight, pad.paddedWidth, pad.height, pad.width, -pad.top, -pad.left, 'zeros', fill);
}
