/**
 * A dataset fingerprint, like nnU-Net's: image counts and sizes, channels,
 * per-channel intensity statistics over all pixels and over foreground pixels
 * (mask > 0, ignore label 255 excluded), class pixel frequencies and per-image
 * presence, label counts. Computed in one pass over the dataset; plain JSON.
 *
 * Mean, std, min and max are exact. Median and percentiles are exact for
 * integer-valued images (8/16-bit files: a histogram of every value); otherwise
 * they are estimated, as nnU-Net does, from up to `samplesPerImage` pixels per
 * image and channel drawn with a seeded generator (`percentilesExact` says which).
 */
import { TorchError } from '../torch/errors.js';
import { Rng } from './random.js';
import type { Dataset, Sample } from './types.js';
import { percentiles as percentileOf } from './preprocess.js';

export interface IntensityStats {
  mean: number;
  std: number;
  min: number;
  max: number;
  median: number;
  /** nnU-Net's names for the 0.5 and 99.5 percentiles. */
  percentile_00_5: number;
  percentile_99_5: number;
  /** Every requested percentile, keyed by String(p) ("0.5", "99.5", ...). */
  percentiles: Record<string, number>;
  /** True when median and percentiles are exact (every value an integer in 0..65535), false when estimated from samples. */
  percentilesExact: boolean;
  /** Pixels counted. */
  count: number;
}

export interface Summary {
  min: number;
  median: number;
  max: number;
  mean: number;
}

export interface Fingerprint {
  version: 1;
  source: string;
  count: number;
  channels: number;
  numClasses: number;
  size: {
    height: Summary;
    width: Summary;
    pixels: Summary;
    /** The most frequent sizes, [height, width, images], most frequent first (at most 10). */
    common: [number, number, number][];
  };
  intensity: {
    all: IntensityStats[];
    /** Null when the samples have no masks. */
    foreground: IntensityStats[] | null;
  };
  /** Null when the samples have no masks. */
  classes: {
    pixelCounts: number[];
    /** pixelCounts / all counted pixels (ignored pixels excluded). */
    pixelFrequency: number[];
    /** Images in which the class appears. */
    imagesWithClass: number[];
    /** imagesWithClass / count. */
    presence: number[];
    /** Pixels with the ignore label 255. */
    ignoredPixels: number;
    /** Foreground fraction of each image, summarised. */
    foregroundFraction: Summary;
  } | null;
  /** Classification labels: counts by class; regression (numClasses 0): value summary with std. Null without labels. */
  labels: { counts: number[] } | { min: number; median: number; max: number; mean: number; std: number } | null;
  samplesPerImage: number;
  seed: number;
}

export interface FingerprintOptions {
  /** Pixels sampled per image and channel for percentiles (default 10000). */
  samplesPerImage?: number;
  /** Seed of the sampling (default 0). */
  seed?: number;
  /** Percentiles to estimate (default [0.5, 99.5]; 0.5 and 99.5 are always included). */
  percentiles?: number[];
  /** Samples fetched ahead (default 4). */
  prefetch?: number;
}

function summary(values: number[]): Summary {
  if (values.length === 0) return { min: NaN, median: NaN, max: NaN, mean: NaN };
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  return { min: s[0]!, median, max: s[n - 1]!, mean: s.reduce((a, b) => a + b, 0) / n };
}

/**
 * Running statistics of one channel. While every value is an integer in 0..65535
 * (8- and 16-bit images) it keeps an exact histogram, from which everything is
 * exact. At the first other value it turns the histogram into exact moments
 * (count, mean, M2, min, max; later images are combined with Chan et al.'s
 * formula) and a random sample drawn from it, and goes on with sampled percentiles.
 */
class Running {
  hist: Float64Array | null = new Float64Array(65536);
  n = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  samples = new Float32Array(4096);
  nSamples = 0;
  images = 0;

  add(n: number, mean: number, m2: number, min: number, max: number): void {
    if (n === 0) return;
    const total = this.n + n;
    const d = mean - this.mean;
    this.mean += (d * n) / total;
    this.m2 += m2 + (d * d * this.n * n) / total;
    this.n = total;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
  }

  sample(v: number): void {
    if (this.nSamples === this.samples.length) {
      const grown = new Float32Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.nSamples++] = v;
  }

  /** Leaves histogram mode: exact moments from the histogram, and samples drawn from it. */
  toMoments(rng: Rng, samplesPerImage: number): void {
    const h = this.hist;
    if (!h) return;
    this.hist = null;
    let n = 0;
    let s = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let v = 0; v < h.length; v++) {
      const c = h[v]!;
      if (c === 0) continue;
      n += c;
      s += c * v;
      if (v < min) min = v;
      max = v;
    }
    if (n === 0) return;
    const mean = s / n;
    let m2 = 0;
    for (let v = min; v <= max; v++) if (h[v]! > 0) m2 += h[v]! * (v - mean) ** 2;
    this.add(n, mean, m2, min, max);
    // As many samples as the images so far would have given, drawn from the histogram.
    const k = Math.min(n, samplesPerImage * Math.max(this.images, 1));
    const cdf = new Float64Array(max - min + 1);
    let cum = 0;
    for (let v = min; v <= max; v++) cdf[v - min] = cum += h[v]!;
    for (let j = 0; j < k; j++) {
      const r = rng.next() * n;
      let lo = 0;
      let hi = cdf.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid]! > r) hi = mid;
        else lo = mid + 1;
      }
      this.sample(min + lo);
    }
  }

  result(ps: number[]): IntensityStats {
    const all = [50, ...ps];
    const h = this.hist;
    if (h) {
      // exact, from the histogram
      let n = 0;
      let s = 0;
      let min = NaN;
      let max = NaN;
      for (let v = 0; v < h.length; v++) {
        const c = h[v]!;
        if (c === 0) continue;
        n += c;
        s += c * v;
        if (Number.isNaN(min)) min = v;
        max = v;
      }
      const mean = n > 0 ? s / n : NaN;
      let m2 = 0;
      if (n > 0) for (let v = min; v <= max; v++) if (h[v]! > 0) m2 += h[v]! * (v - mean) ** 2;
      const q = n > 0 ? histPercentiles(h, n, all) : all.map(() => NaN);
      return this.pack(n, mean, n > 0 ? Math.sqrt(m2 / n) : NaN, min, max, q, ps, true);
    }
    const q = this.n === 0 ? all.map(() => NaN) : percentileOf(this.samples.subarray(0, this.nSamples), all);
    return this.pack(this.n, this.n > 0 ? this.mean : NaN, this.n > 0 ? Math.sqrt(this.m2 / this.n) : NaN, this.n > 0 ? this.min : NaN, this.n > 0 ? this.max : NaN, q, ps, false);
  }

  private pack(count: number, mean: number, std: number, min: number, max: number, q: number[], ps: number[], exact: boolean): IntensityStats {
    const percentiles: Record<string, number> = {};
    ps.forEach((p, i) => (percentiles[String(p)] = q[i + 1]!));
    return {
      mean,
      std,
      min,
      max,
      median: q[0]!,
      percentile_00_5: percentiles['0.5']!,
      percentile_99_5: percentiles['99.5']!,
      percentiles,
      percentilesExact: exact,
      count,
    };
  }
}

/** Percentiles (NumPy's linear interpolation) of integer values given as a histogram of `n` counts. */
function histPercentiles(hist: Float64Array, n: number, ps: number[]): number[] {
  const orderStat = (k: number): number => {
    let cum = 0;
    for (let v = 0; v < hist.length; v++) {
      cum += hist[v]!;
      if (cum > k) return v;
    }
    return hist.length - 1;
  };
  return ps.map((p) => {
    const pos = ((n - 1) * p) / 100;
    const lo = Math.floor(pos);
    const a = orderStat(lo);
    const b = lo + 1 < n ? orderStat(lo + 1) : a;
    return a + (b - a) * (pos - lo);
  });
}

/** Moments of the listed pixels (all when idx is null) of one channel, with random samples. */
function momentsInto(run: Running, img: Float32Array, off: number, idx: Int32Array | null, k: number, rng: Rng, samplesPerImage: number): void {
  if (k === 0) return;
  const shift = img[off + (idx ? idx[0]! : 0)]!;
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let j = 0; j < k; j++) {
    const v = img[off + (idx ? idx[j]! : j)]!;
    const d = v - shift;
    s += d;
    s2 += d * d;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  run.add(k, shift + s / k, Math.max(s2 - (s * s) / k, 0), min, max);
  if (k <= samplesPerImage) for (let j = 0; j < k; j++) run.sample(img[off + (idx ? idx[j]! : j)]!);
  else for (let j = 0; j < samplesPerImage; j++) run.sample(img[off + (idx ? idx[Math.floor(rng.next() * k)]! : Math.floor(rng.next() * k))]!);
}

/**
 * One channel of one image into the running statistics of all pixels and (with
 * a mask) of the foreground pixels listed in fgIdx.
 */
function accumulate(all: Running, fg: Running | null, img: Float32Array, off: number, n: number, fgIdx: Int32Array | null, nFg: number, rng: Rng, samplesPerImage: number): void {
  all.images++;
  if (fg && nFg > 0) fg.images++;
  const h = all.hist;
  if (h) {
    let p = 0;
    for (; p < n; p++) {
      const v = img[off + p]!;
      const iv = v | 0;
      if (iv !== v || iv >>> 16 !== 0) break;
      h[iv]!++;
    }
    if (p === n) {
      const fh = fg?.hist;
      if (fg && fh && fgIdx) for (let j = 0; j < nFg; j++) fh[img[off + fgIdx[j]!]!]!++;
      else if (fg && fgIdx) momentsInto(fg, img, off, fgIdx, nFg, rng, samplesPerImage);
      return;
    }
    // A value that is not a 16-bit integer: undo this image's counts and leave histogram mode.
    for (let q = 0; q < p; q++) h[img[off + q]!]!--;
    all.images--;
    all.toMoments(rng, samplesPerImage);
    all.images++;
  }
  momentsInto(all, img, off, null, n, rng, samplesPerImage);
  if (fg && fgIdx && nFg > 0) {
    if (fg.hist) {
      fg.images--;
      fg.toMoments(rng, samplesPerImage);
      fg.images++;
    }
    momentsInto(fg, img, off, fgIdx, nFg, rng, samplesPerImage);
  }
}

/** Computes the fingerprint of a dataset in one pass (see the module comment). */
export async function computeFingerprint(dataset: Dataset, options: FingerprintOptions = {}): Promise<Fingerprint> {
  const op = 'data.computeFingerprint';
  const samplesPerImage = options.samplesPerImage ?? 10000;
  const seed = options.seed ?? 0;
  const ps = [...new Set([0.5, 99.5, ...(options.percentiles ?? [])])].sort((a, b) => a - b);
  const prefetch = Math.max(1, options.prefetch ?? 4);
  const rng = new Rng(seed);
  const count = dataset.length;
  if (count === 0) throw new TorchError(`${dataset.describe()}: empty dataset`, op);

  const heights: number[] = [];
  const widths: number[] = [];
  const sizeCounts = new Map<string, number>();
  let channels = -1;
  let all: Running[] = [];
  let fg: Running[] = [];
  let anyMask = false;
  let K = dataset.numClasses;
  let pixelCounts: number[] = new Array(Math.max(K, 0)).fill(0);
  let imagesWithClass: number[] = new Array(Math.max(K, 0)).fill(0);
  let ignored = 0;
  const fgFractions: number[] = [];
  const labels: number[] = [];

  const pending: Promise<Sample>[] = [];
  const request = (i: number): void => {
    if (i < count) pending.push(Promise.resolve(dataset.get(i)));
  };
  for (let i = 0; i < prefetch; i++) request(i);
  for (let i = 0; i < count; i++) {
    const s = await pending.shift()!;
    request(i + prefetch);
    if (channels < 0) {
      channels = s.channels;
      all = Array.from({ length: channels }, () => new Running());
      fg = Array.from({ length: channels }, () => new Running());
    } else if (s.channels !== channels) {
      throw new TorchError(`${dataset.describe()}: sample ${s.id} has ${s.channels} channels, earlier samples ${channels}`, op);
    }
    const n = s.height * s.width;
    if (s.image.length !== n * channels) throw new TorchError(`sample ${s.id}: image has ${s.image.length} values, not ${channels}×${s.height}×${s.width}`, op);
    heights.push(s.height);
    widths.push(s.width);
    const key = `${s.height}x${s.width}`;
    sizeCounts.set(key, (sizeCounts.get(key) ?? 0) + 1);
    let fgIdx: Int32Array | null = null;
    let nFg = 0;
    if (s.mask) {
      anyMask = true;
      const m = s.mask;
      if (m.length !== n) throw new TorchError(`sample ${s.id}: mask has ${m.length} values, not ${s.height}×${s.width}`, op);
      const hist = new Float64Array(256);
      for (let p = 0; p < n; p++) hist[m[p]!]!++;
      let maxClass = 0;
      for (let v = 0; v < 255; v++) if (hist[v]! > 0) maxClass = v;
      if (maxClass + 1 > K) {
        K = maxClass + 1;
        while (pixelCounts.length < K) {
          pixelCounts.push(0);
          imagesWithClass.push(0);
        }
      }
      for (let v = 0; v < 255; v++) {
        if (hist[v]! > 0) {
          pixelCounts[v]! += hist[v]!;
          imagesWithClass[v]!++;
        }
      }
      ignored += hist[255]!;
      nFg = n - hist[0]! - hist[255]!;
      const valid = n - hist[255]!;
      fgFractions.push(valid > 0 ? nFg / valid : 0);
      if (nFg > 0) {
        fgIdx = new Int32Array(nFg);
        let j = 0;
        for (let p = 0; p < n; p++) if (m[p] !== 0 && m[p] !== 255) fgIdx[j++] = p;
      }
    }
    for (let c = 0; c < channels; c++) accumulate(all[c]!, s.mask ? fg[c]! : null, s.image, c * n, n, fgIdx, nFg, rng, samplesPerImage);
    if (s.label !== undefined) labels.push(s.label);
  }

  const totalCounted = pixelCounts.reduce((a, b) => a + b, 0);
  let labelInfo: Fingerprint['labels'] = null;
  if (labels.length > 0) {
    if (dataset.numClasses > 0) {
      const counts = new Array(dataset.numClasses).fill(0);
      for (const l of labels) if (l >= 0 && l < counts.length) counts[l]++;
      labelInfo = { counts };
    } else {
      const sm = summary(labels);
      const mean = sm.mean;
      labelInfo = { ...sm, std: Math.sqrt(labels.reduce((a, v) => a + (v - mean) ** 2, 0) / labels.length) };
    }
  }
  const common = [...sizeCounts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 10)
    .map(([k, v]) => {
      const [h, w] = k.split('x').map(Number);
      return [h!, w!, v] as [number, number, number];
    });
  return {
    version: 1,
    source: dataset.describe(),
    count,
    channels,
    numClasses: dataset.numClasses,
    size: {
      height: summary(heights),
      width: summary(widths),
      pixels: summary(heights.map((h, i) => h * widths[i]!)),
      common,
    },
    intensity: {
      all: all.map((r) => r.result(ps)),
      foreground: anyMask ? fg.map((r) => r.result(ps)) : null,
    },
    classes: anyMask
      ? {
          pixelCounts,
          pixelFrequency: pixelCounts.map((c) => (totalCounted > 0 ? c / totalCounted : 0)),
          imagesWithClass,
          presence: imagesWithClass.map((c) => c / count),
          ignoredPixels: ignored,
          foregroundFraction: summary(fgFractions),
        }
      : null,
    labels: labelInfo,
    samplesPerImage,
    seed,
  };
}
