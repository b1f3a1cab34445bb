/**
 * A seeded synthetic cell-microscopy generator (the built-in data of `tunet demo`):
 * bright, roughly elliptical cells on a dark background, with uneven
 * illumination, blur and noise, and exact binary masks (the geometric cell
 * regions before blur and noise), optionally instance ids.
 *
 * Every image depends only on (seed, index), so get(i) is deterministic in any
 * order and in any thread. Values are on the 0..255 scale of an 8-bit image
 * (rounded to integers unless `quantize: false`).
 */
import { TorchError } from '../torch/errors.js';
import { Rng, hashSeed } from './random.js';
import type { Dataset, Sample } from './types.js';
import { registerDatasetKind, type DatasetSpec } from './spec.js';

export interface SyntheticCellsOptions {
  /** Number of images (default 100). */
  count?: number;
  /** Image size: n for n × n, or [height, width] (default 128). */
  size?: number | [number, number];
  /** Seed (default 0). */
  seed?: number;
  /** Range of cells per image, both included (default [4, 14]). */
  cellsPerImage?: [number, number];
  /** Range of the mean cell radius in pixels (default [5, 12]). */
  radius?: [number, number];
  /** Range of the ratio of long to short axis (default [1, 1.8]). */
  elongation?: [number, number];
  /** Boundary wobble, as a fraction of the radius (default 0.08; 0 = exact ellipses). */
  irregularity?: number;
  /** Allow cells to touch and overlap a little (default true); false keeps a gap of ≥ 2 pixels. */
  touching?: boolean;
  /** Uneven illumination: the gain falls by up to this fraction across the image (default 0.35). */
  illumination?: number;
  /** Gaussian blur σ in pixels (default 1; 0 = none). */
  blur?: number;
  /** Standard deviation of additive Gaussian noise, in 0..255 units (default 6). */
  noise?: number;
  /** Background level (default 20). */
  background?: number;
  /** Range of cell brightness (default [110, 210]). */
  brightness?: [number, number];
  /** Relative intensity texture inside cells (default 0.15). */
  texture?: number;
  /** 1 (default) or 3 (a stain-like tint of the same image). */
  channels?: 1 | 3;
  /** Add `instances` (Uint16Array H × W, 0 = background, cells 1..n) and `cells` to each sample (default false). */
  instances?: boolean;
  /** Round values to integers like an 8-bit file (default true). */
  quantize?: boolean;
  /** Keep generated samples in memory (default true). */
  cache?: boolean;
}

/** The geometry of one generated cell. */
export interface CellGeometry {
  /** Centre, in pixel coordinates (pixel (x, y) has its centre at x + 0.5, y + 0.5). */
  cx: number;
  cy: number;
  /** Semi-axes (before the wobble) and rotation in radians. */
  a: number;
  b: number;
  theta: number;
  /** Wobble harmonics: radius factor 1 + Σ amp·cos(k·φ + phase). */
  harmonics: { k: number; amp: number; phase: number }[];
  brightness: number;
}

export interface SyntheticSample extends Sample {
  instances?: Uint16Array;
  cells?: CellGeometry[];
}

const OP = 'data.SyntheticCells';

function checkRange(r: unknown, name: string, min: number): [number, number] {
  if (!Array.isArray(r) || r.length !== 2 || !r.every((v) => typeof v === 'number' && Number.isFinite(v)) || r[0] > r[1] || r[0] < min) {
    throw new TorchError(`${name} must be [lo, hi] with ${min} ≤ lo ≤ hi, got ${JSON.stringify(r)}`, OP);
  }
  return [r[0], r[1]];
}

/** Whether the pixel centre offset (dx, dy) from the cell centre is inside the cell. */
export function insideCell(c: CellGeometry, dx: number, dy: number): boolean {
  const cos = Math.cos(c.theta);
  const sin = Math.sin(c.theta);
  const u = (dx * cos + dy * sin) / c.a;
  const v = (-dx * sin + dy * cos) / c.b;
  const rho2 = u * u + v * v;
  if (c.harmonics.length === 0) return rho2 <= 1;
  const phi = Math.atan2(v, u);
  let r = 1;
  for (const h of c.harmonics) r += h.amp * Math.cos(h.k * phi + h.phase);
  return rho2 <= r * r;
}

function gaussianKernel(sigma: number): Float32Array {
  const rad = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * rad + 1);
  let s = 0;
  for (let i = -rad; i <= rad; i++) s += k[i + rad] = Math.exp((-i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= s;
  return k;
}

/** Separable Gaussian blur of an H × W image with mirrored borders, in place. */
export function gaussianBlur(img: Float32Array, height: number, width: number, sigma: number): void {
  if (sigma <= 0) return;
  const k = gaussianKernel(sigma);
  const rad = (k.length - 1) / 2;
  const tmp = new Float32Array(img.length);
  const mirror = (i: number, n: number): number => {
    if (n === 1) return 0;
    const p = 2 * (n - 1);
    i = ((i % p) + p) % p;
    return i < n ? i : p - i;
  };
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let t = -rad; t <= rad; t++) s += k[t + rad]! * img[row + mirror(x + t, width)]!;
      tmp[row + x] = s;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let t = -rad; t <= rad; t++) s += k[t + rad]! * tmp[mirror(y + t, height) * width + x]!;
      img[y * width + x] = s;
    }
  }
}

/** A seeded synthetic cell-microscopy dataset (see the module comment). numClasses 2, masks 0/1. */
export class SyntheticCells implements Dataset {
  readonly numClasses = 2;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly options: Readonly<Required<Omit<SyntheticCellsOptions, 'size'>>>;
  private readonly cache = new Map<number, SyntheticSample>();

  constructor(options: SyntheticCellsOptions = {}) {
    const size = options.size ?? 128;
    const [h, w] = typeof size === 'number' ? [size, size] : size;
    if (!Number.isInteger(h) || !Number.isInteger(w) || h < 8 || w < 8) throw new TorchError(`size must be integers ≥ 8, got ${JSON.stringify(size)}`, OP);
    this.height = h;
    this.width = w;
    const count = options.count ?? 100;
    if (!Number.isInteger(count) || count < 0) throw new TorchError(`count must be an integer ≥ 0, got ${count}`, OP);
    const channels = options.channels ?? 1;
    if (channels !== 1 && channels !== 3) throw new TorchError(`channels must be 1 or 3, got ${String(channels)}`, OP);
    this.channels = channels;
    const nonNeg = (v: number | undefined, d: number, name: string): number => {
      const x = v ?? d;
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new TorchError(`${name} must be a number ≥ 0, got ${String(x)}`, OP);
      return x;
    };
    const cellsPerImage = checkRange(options.cellsPerImage ?? [4, 14], 'cellsPerImage', 0);
    if (!Number.isInteger(cellsPerImage[0]) || !Number.isInteger(cellsPerImage[1])) throw new TorchError('cellsPerImage must be integers', OP);
    this.options = {
      count,
      seed: options.seed ?? 0,
      cellsPerImage,
      radius: checkRange(options.radius ?? [5, 12], 'radius', 1),
      elongation: checkRange(options.elongation ?? [1, 1.8], 'elongation', 1),
      irregularity: nonNeg(options.irregularity, 0.08, 'irregularity'),
      touching: options.touching ?? true,
      illumination: Math.min(nonNeg(options.illumination, 0.35, 'illumination'), 0.95),
      blur: nonNeg(options.blur, 1, 'blur'),
      noise: nonNeg(options.noise, 6, 'noise'),
      background: nonNeg(options.background, 20, 'background'),
      brightness: checkRange(options.brightness ?? [110, 210], 'brightness', 0),
      texture: nonNeg(options.texture, 0.15, 'texture'),
      channels,
      instances: options.instances ?? false,
      quantize: options.quantize ?? true,
      cache: options.cache ?? true,
    };
  }

  get length(): number {
    return this.options.count;
  }

  get(index: number): SyntheticSample {
    if (!Number.isInteger(index) || index < 0 || index >= this.options.count) {
      throw new TorchError(`index ${index} out of range for ${this.options.count} images`, 'data.SyntheticCells.get');
    }
    const c = this.cache.get(index);
    if (c) return copySample(c);
    const s = this.generate(index);
    if (this.options.cache) {
      this.cache.set(index, s);
      return copySample(s);
    }
    return s;
  }

  private generate(index: number): SyntheticSample {
    const o = this.options;
    const H = this.height;
    const W = this.width;
    const rng = new Rng(hashSeed(o.seed, index, 0x5eed));
    const nCells = rng.int(o.cellsPerImage[0], o.cellsPerImage[1]);
    const inst = new Uint16Array(H * W);
    const level = new Float32Array(H * W); // cell brightness with texture, 0 outside
    const cells: CellGeometry[] = [];
    const gap = o.touching ? 0 : 2;

    for (let attempt = 0; cells.length < nCells && attempt < nCells * 40; attempt++) {
      const r = rng.uniform(o.radius[0], o.radius[1]);
      const e = rng.uniform(o.elongation[0], o.elongation[1]);
      const a = r * Math.sqrt(e);
      const b = r / Math.sqrt(e);
      const theta = rng.uniform(0, Math.PI);
      const cx = rng.uniform(0, W);
      const cy = rng.uniform(0, H);
      const harmonics = [];
      if (o.irregularity > 0) {
        for (let k = 2; k <= 4; k++) harmonics.push({ k, amp: (o.irregularity * rng.uniform(-1, 1)) / (k - 1), phase: rng.uniform(0, 2 * Math.PI) });
      }
      const cell: CellGeometry = { cx, cy, a, b, theta, harmonics, brightness: rng.uniform(o.brightness[0], o.brightness[1]) };
      const reach = a * (1 + harmonics.reduce((s, h) => s + Math.abs(h.amp), 0)) + 1;
      const x0 = Math.max(0, Math.floor(cx - reach));
      const x1 = Math.min(W - 1, Math.ceil(cx + reach));
      const y0 = Math.max(0, Math.floor(cy - reach));
      const y1 = Math.min(H - 1, Math.ceil(cy + reach));
      const pix: number[] = [];
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) if (insideCell(cell, x + 0.5 - cx, y + 0.5 - cy)) pix.push(y * W + x);
      }
      if (pix.length < 4) continue;
      // Overlap rules.
      let clash = 0;
      for (const p of pix) {
        if (gap === 0) {
          if (inst[p] !== 0) clash++;
          continue;
        }
        const py = Math.floor(p / W);
        const px = p - py * W;
        let hit = false;
        for (let dy = -gap; dy <= gap && !hit; dy++) {
          const yy = py + dy;
          if (yy < 0 || yy >= H) continue;
          for (let dx = -gap; dx <= gap; dx++) {
            const xx = px + dx;
            if (xx >= 0 && xx < W && inst[yy * W + xx] !== 0) {
              hit = true;
              break;
            }
          }
        }
        if (hit) clash++;
      }
      if (gap > 0 ? clash > 0 : clash > 0.25 * pix.length) continue;
      const id = cells.length + 1;
      cells.push(cell);
      const f1 = rng.uniform(0.2, 0.6);
      const f2 = rng.uniform(0.2, 0.6);
      const p1 = rng.uniform(0, 2 * Math.PI);
      const p2 = rng.uniform(0, 2 * Math.PI);
      const cos = Math.cos(theta);
      const sin = Math.sin(theta);
      for (const p of pix) {
        const y = Math.floor(p / W);
        const x = p - y * W;
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        const u = (dx * cos + dy * sin) / a;
        const v = (-dx * sin + dy * cos) / b;
        const rho2 = Math.min(u * u + v * v, 1.5);
        const tex = 1 + o.texture * Math.sin(f1 * x + p1) * Math.sin(f2 * y + p2);
        inst[p] = id;
        level[p] = cell.brightness * (1 - 0.2 * rho2) * tex;
      }
    }

    // Illumination: a linear gradient in a random direction times a soft vignette.
    const alpha = rng.uniform(0, 2 * Math.PI);
    const gx = Math.cos(alpha);
    const gy = Math.sin(alpha);
    const vx = rng.uniform(0.2, 0.8) * W;
    const vy = rng.uniform(0.2, 0.8) * H;
    const diag2 = W * W + H * H;
    const img = new Float32Array(H * W);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const t = ((x - W / 2) * gx + (y - H / 2) * gy) / Math.sqrt(diag2) + 0.5; // 0..1 across the image
        const d2 = ((x - vx) ** 2 + (y - vy) ** 2) / diag2;
        const gain = 1 - o.illumination * (0.6 * t + 0.4 * Math.min(1, 2 * d2));
        const p = y * W + x;
        img[p] = (o.background + level[p]!) * gain;
      }
    }
    gaussianBlur(img, H, W, o.blur);
    const mask = new Uint8Array(H * W);
    for (let p = 0; p < H * W; p++) mask[p] = inst[p] !== 0 ? 1 : 0;

    const C = this.channels;
    const image = new Float32Array(C * H * W);
    const tint = C === 3 ? [0.55 + 0.2 * rng.next(), 0.35 + 0.2 * rng.next(), 0.85 + 0.15 * rng.next()] : [1];
    for (let c = 0; c < C; c++) {
      const off = c * H * W;
      for (let p = 0; p < H * W; p++) {
        let v = img[p]! * tint[c]! + (o.noise > 0 ? rng.normal(0, o.noise) : 0);
        v = v < 0 ? 0 : v > 255 ? 255 : v;
        image[off + p] = o.quantize ? Math.round(v) : v;
      }
    }
    const s: SyntheticSample = { id: `synthetic-${o.seed}-${index}`, image, channels: C, height: H, width: W, mask };
    if (o.instances) {
      s.instances = inst;
      s.cells = cells;
    }
    return s;
  }

  /** A plain-data spec that rebuilds this dataset (datasetFromSpec), e.g. in a worker thread. */
  toSpec(): DatasetSpec {
    return { kind: 'synthetic', options: { ...this.options, size: [this.height, this.width] } };
  }

  describe(): string {
    const o = this.options;
    return `synthetic cells (seed ${o.seed}): ${o.count} images ${this.channels}×${this.height}×${this.width}, ${o.cellsPerImage[0]}–${o.cellsPerImage[1]} cells of radius ${o.radius[0]}–${o.radius[1]} px, binary masks`;
  }
}

function copySample(s: SyntheticSample): SyntheticSample {
  const c: SyntheticSample = { ...s, image: s.image.slice(), mask: s.mask!.slice() };
  if (s.instances) c.instances = s.instances.slice();
  if (s.cells) c.cells = s.cells.map((x) => ({ ...x, harmonics: x.harmonics.map((h) => ({ ...h })) }));
  return c;
}

registerDatasetKind(
  'synthetic',
  (spec: { options?: SyntheticCellsOptions } & SyntheticCellsOptions) => new SyntheticCells(spec.options ?? (({ kind: _k, ...o }) => o)(spec as SyntheticCellsOptions & { kind: string })),
  { module: import.meta.url },
);
