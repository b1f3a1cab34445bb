/**
 * Geometric transforms of a sample: image and mask move together (the image
 * resampled bilinearly, the mask by the nearest pixel, so it keeps only its
 * original class values).
 */
import type { Rng } from '../random.js';
import type { Sample } from '../types.js';
import { remap, withData, type Padding, type RemapOptions } from './sample.js';

/** Mirrors the sample left–right ('horizontal') or top–bottom ('vertical'). Exact. */
export function flip(s: Sample, axis: 'horizontal' | 'vertical'): Sample {
  const { channels: C, height: H, width: W } = s;
  const img = new Float32Array(C * H * W);
  const mask = s.mask ? new Uint8Array(H * W) : undefined;
  for (let c = 0; c < C; c++) {
    const base = c * H * W;
    for (let y = 0; y < H; y++) {
      const sy = axis === 'vertical' ? H - 1 - y : y;
      for (let x = 0; x < W; x++) {
        const sx = axis === 'horizontal' ? W - 1 - x : x;
        img[base + y * W + x] = s.image[base + sy * W + sx]!;
        if (mask && c === 0) mask[y * W + x] = s.mask![sy * W + sx]!;
      }
    }
  }
  return withData(s, img, H, W, mask);
}

/**
 * Rotates by k × 90° counter-clockwise as numpy.rot90 (out[i][j] = in[j][W-1-i] for k = 1).
 * Height and width swap for odd k. Exact.
 */
export function rot90(s: Sample, k: number): Sample {
  k = ((Math.round(k) % 4) + 4) % 4;
  if (k === 0) return withData(s, s.image.slice(), s.height, s.width, s.mask?.slice());
  const { channels: C, height: H, width: W } = s;
  const oh = k === 2 ? H : W;
  const ow = k === 2 ? W : H;
  const img = new Float32Array(C * H * W);
  const mask = s.mask ? new Uint8Array(H * W) : undefined;
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      let sy: number;
      let sx: number;
      if (k === 1) {
        sy = j;
        sx = W - 1 - i;
      } else if (k === 2) {
        sy = H - 1 - i;
        sx = W - 1 - j;
      } else {
        sy = H - 1 - j;
        sx = i;
      }
      const src = sy * W + sx;
      const dst = i * ow + j;
      for (let c = 0; c < C; c++) img[c * H * W + dst] = s.image[c * H * W + src]!;
      if (mask) mask[dst] = s.mask![src]!;
    }
  }
  return withData(s, img, oh, ow, mask);
}

export interface AffineParams {
  /** Degrees, counter-clockwise as rot90 (90 here equals rot90 k = 1 on a square image). */
  angle?: number;
  /** > 1 zooms in (content grows), < 1 zooms out. */
  scale?: number;
  /** Shift of the content in pixels, [dx, dy] (positive moves it right / down). */
  translate?: [number, number];
  padding?: Padding;
  fill?: number;
  maskFill?: number;
}

/**
 * Rotation about the image centre, scaling and shift in one resampling step; the
 * output has the input's size. Identity parameters copy the sample exactly.
 */
export function affine(s: Sample, p: AffineParams): Sample {
  const { height: H, width: W } = s;
  const theta = ((p.angle ?? 0) * Math.PI) / 180;
  const scale = p.scale ?? 1;
  const [tx, ty] = p.translate ?? [0, 0];
  // Exact cos/sin at multiples of 90° so that those rotations sample pixel centres exactly.
  const q = (p.angle ?? 0) / 90;
  const exact = Number.isInteger(q);
  const cos = exact ? [1, 0, -1, 0][((q % 4) + 4) % 4]! : Math.cos(theta);
  const sin = exact ? [0, 1, 0, -1][((q % 4) + 4) % 4]! : Math.sin(theta);
  const cx = (W - 1) / 2;
  const cy = (H - 1) / 2;
  const mapX = new Float64Array(H * W);
  const mapY = new Float64Array(H * W);
  // Output p → source: R(θ)·(p − c − t)/s + c.
  for (let y = 0; y < H; y++) {
    const dy = (y - cy - ty) / scale;
    for (let x = 0; x < W; x++) {
      const dx = (x - cx - tx) / scale;
      const k = y * W + x;
      mapX[k] = cos * dx - sin * dy + cx;
      mapY[k] = sin * dx + cos * dy + cy;
    }
  }
  return remap(s, mapX, mapY, H, W, remapOptions(p));
}

function remapOptions(p: { padding?: Padding; fill?: number; maskFill?: number }): RemapOptions {
  return { padding: p.padding ?? 'reflect', fill: p.fill ?? 0, maskFill: p.maskFill ?? 0 };
}

/** Cubic convolution weights (Keys, a = −0.5, Catmull–Rom) for offsets −1, 0, 1, 2 at fraction t. */
function cubicWeights(t: number, out: Float64Array, o: number): void {
  const a = -0.5;
  const w = (d: number) => {
    d = Math.abs(d);
    if (d <= 1) return (a + 2) * d * d * d - (a + 3) * d * d + 1;
    if (d < 2) return a * d * d * d - 5 * a * d * d + 8 * a * d - 4 * a;
    return 0;
  };
  out[o] = w(t + 1);
  out[o + 1] = w(t);
  out[o + 2] = w(1 - t);
  out[o + 3] = w(2 - t);
}

/**
 * A dense field (length n × m, row-major) bicubically interpolated from values on a
 * g × g grid spanning the image (grid points at the corners and evenly between).
 */
export function bicubicField(grid: Float64Array, g: number, n: number, m: number): Float64Array {
  const wy = new Float64Array(4 * n);
  const iy = new Int32Array(n);
  for (let y = 0; y < n; y++) {
    const gy = n === 1 ? 0 : (y * (g - 1)) / (n - 1);
    const i = Math.min(Math.floor(gy), g - 1);
    iy[y] = i;
    cubicWeights(gy - i, wy, 4 * y);
  }
  const wx = new Float64Array(4 * m);
  const ix = new Int32Array(m);
  for (let x = 0; x < m; x++) {
    const gx = m === 1 ? 0 : (x * (g - 1)) / (m - 1);
    const i = Math.min(Math.floor(gx), g - 1);
    ix[x] = i;
    cubicWeights(gx - i, wx, 4 * x);
  }
  const clamp = (i: number) => (i < 0 ? 0 : i > g - 1 ? g - 1 : i);
  const out = new Float64Array(n * m);
  const col = new Float64Array(g);
  for (let y = 0; y < n; y++) {
    // Interpolate along y for every grid column, then along x.
    for (let gx = 0; gx < g; gx++) {
      let v = 0;
      for (let t = 0; t < 4; t++) v += wy[4 * y + t]! * grid[clamp(iy[y]! - 1 + t) * g + gx]!;
      col[gx] = v;
    }
    for (let x = 0; x < m; x++) {
      let v = 0;
      for (let t = 0; t < 4; t++) v += wx[4 * x + t]! * col[clamp(ix[x]! - 1 + t)]!;
      out[y * m + x] = v;
    }
  }
  return out;
}

export interface ElasticParams {
  /** Standard deviation of the grid displacements in pixels (U-Net: 10). */
  sigma?: number;
  /** Grid points per side (U-Net: 3). */
  grid?: number;
  padding?: Padding;
  fill?: number;
  maskFill?: number;
}

/**
 * Elastic deformation as in the U-Net paper: random displacement vectors on a
 * coarse grid (Gaussian, σ pixels) bicubically interpolated to a per-pixel field.
 * σ = 0 is the identity.
 */
export function elastic(s: Sample, p: ElasticParams, rng: Rng): Sample {
  const { height: H, width: W } = s;
  const g = p.grid ?? 3;
  const sigma = p.sigma ?? 10;
  const gx = new Float64Array(g * g);
  const gy = new Float64Array(g * g);
  for (let i = 0; i < g * g; i++) {
    gx[i] = rng.normal(0, sigma);
    gy[i] = rng.normal(0, sigma);
  }
  const dx = bicubicField(gx, g, H, W);
  const dy = bicubicField(gy, g, H, W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const k = y * W + x;
      dx[k] = x + dx[k]!;
      dy[k] = y + dy[k]!;
    }
  }
  return remap(s, dx, dy, H, W, remapOptions(p));
}
