/**
 * Augmentation pipelines from plain JSON (so run configs can hold them): a list
 * of transforms, each applied with its own probability `p`, every random choice
 * drawn from the seeded generator passed in. A named preset ('nnunet') gives
 * nnU-Net's 2-D defaults.
 */
import { TorchError } from '../../torch/errors.js';
import type { Rng } from '../random.js';
import type { Sample } from '../types.js';
import { centerCrop, padTo, randomCrop } from './crop.js';
import { affine, elastic, flip, rot90 } from './geometry.js';
import { brightness, contrast, gamma, gaussianBlur, gaussianNoise } from './intensity.js';
import { checkSample, cloneSample, PADDINGS, type Padding } from './sample.js';

const OP = 'augment';

/** [low, high] of a uniformly drawn parameter. */
export type Range = [number, number];
/** A patch size: one number for a square, or [height, width]. */
export type Size2 = number | [number, number];

interface Base {
  /** Probability that the transform is applied to a sample (default 1; 0.5 for flip and rot90). */
  p?: number;
}
interface Resampling {
  /** Filling of pixels that come from outside the image (default 'reflect'). */
  padding?: Padding;
  /** Image value outside for 'zero' padding (default 0). */
  fill?: number;
  /** Mask value outside for 'zero' padding (default 0); e.g. an ignore index. */
  maskFill?: number;
}

export type TransformSpec =
  /** Mirroring; 'both' flips each axis independently with probability p. */
  | (Base & { type: 'flip'; axis?: 'horizontal' | 'vertical' | 'both' })
  /** Rotation by k·90°; k drawn from {1, 2, 3} unless given (non-square samples: a half turn, keeping their shape). */
  | (Base & { type: 'rot90'; k?: 1 | 2 | 3 })
  /** Rotation (degrees), scaling and translation (fractions of width / height), each with its own probability. */
  | (Base &
      Resampling & {
        type: 'affine';
        rotate?: Range;
        scale?: Range;
        translate?: [number, number];
        pRotate?: number;
        pScale?: number;
        pTranslate?: number;
      })
  /** U-Net elastic deformation: grid × grid displacements with std sigma pixels, bicubic to a dense field. */
  | (Base & Resampling & { type: 'elastic'; sigma?: number; grid?: number })
  /** Multiplicative brightness. */
  | (Base & { type: 'brightness'; range?: Range; perChannel?: boolean })
  | (Base & { type: 'contrast'; range?: Range; preserveRange?: boolean; perChannel?: boolean })
  /** nnU-Net gamma: values rescaled to [0, 1], raised to γ, rescaled back; invert applies it to −image. */
  | (Base & { type: 'gamma'; range?: Range; invert?: boolean; retainStats?: boolean; perChannel?: boolean })
  /** Additive Gaussian noise, std drawn from the range. */
  | (Base & { type: 'noise'; std?: Range })
  /** Gaussian blur, σ (pixels) drawn from the range; perChannel draws σ per channel and blurs each with pPerChannel. */
  | (Base & { type: 'blur'; sigma?: Range; perChannel?: boolean; pPerChannel?: number })
  /** A patch: 'random' (with foreground oversampling) or 'center'; pads a smaller image. */
  | (Base & {
      type: 'crop';
      size: Size2;
      mode?: 'random' | 'center';
      foreground?: number;
      foregroundClasses?: number[];
      padValue?: number;
      maskPadValue?: number;
    })
  /** Pads (centred) up to at least size. */
  | (Base & { type: 'pad'; size: Size2; padValue?: number; maskPadValue?: number });

export type TransformType = TransformSpec['type'];

/** A pipeline spec: a list of transforms, a preset name, or a preset followed by more transforms. */
export type AugmentSpec = TransformSpec[] | string | { preset?: string; transforms?: TransformSpec[] } | null | undefined;

/** nnU-Net's 2-D default augmentation (nnUNetTrainerV2), without its low-resolution simulation. */
export function nnunetPreset(): TransformSpec[] {
  return [
    { type: 'affine', rotate: [-180, 180], scale: [0.7, 1.4], pRotate: 0.2, pScale: 0.2, padding: 'reflect' },
    { type: 'noise', p: 0.1, std: [0, 0.1] },
    { type: 'blur', p: 0.2, sigma: [0.5, 1], perChannel: true, pPerChannel: 0.5 },
    { type: 'brightness', p: 0.15, range: [0.75, 1.25] },
    { type: 'contrast', p: 0.15, range: [0.75, 1.25] },
    { type: 'gamma', p: 0.1, range: [0.7, 1.5], invert: true, retainStats: true },
    { type: 'gamma', p: 0.3, range: [0.7, 1.5], retainStats: true },
    { type: 'flip', axis: 'both', p: 0.5 },
  ];
}

/** Named pipelines: 'nnunet' (see nnunetPreset), 'flips' (mirroring and rot90), 'none'. */
export const augmentPresets: Record<string, () => TransformSpec[]> = {
  nnunet: nnunetPreset,
  flips: () => [
    { type: 'flip', axis: 'both', p: 0.5 },
    { type: 'rot90', p: 0.5 },
  ],
  none: () => [],
};

const COMMON = ['type', 'p'];
const RESAMPLING = ['padding', 'fill', 'maskFill'];
const KEYS: Record<TransformType, string[]> = {
  flip: [...COMMON, 'axis'],
  rot90: [...COMMON, 'k'],
  affine: [...COMMON, ...RESAMPLING, 'rotate', 'scale', 'translate', 'pRotate', 'pScale', 'pTranslate'],
  elastic: [...COMMON, ...RESAMPLING, 'sigma', 'grid'],
  brightness: [...COMMON, 'range', 'perChannel'],
  contrast: [...COMMON, 'range', 'preserveRange', 'perChannel'],
  gamma: [...COMMON, 'range', 'invert', 'retainStats', 'perChannel'],
  noise: [...COMMON, 'std'],
  blur: [...COMMON, 'sigma', 'perChannel', 'pPerChannel'],
  crop: [...COMMON, 'size', 'mode', 'foreground', 'foregroundClasses', 'padValue', 'maskPadValue'],
  pad: [...COMMON, 'size', 'padValue', 'maskPadValue'],
};

/** The transform list of a spec, validated (unknown types or options, bad values → TorchError naming them). */
export function resolveAugmentSpec(spec: AugmentSpec): TransformSpec[] {
  if (spec === null || spec === undefined) return [];
  let list: unknown[];
  if (typeof spec === 'string') {
    list = presetList(spec);
  } else if (Array.isArray(spec)) {
    list = spec;
  } else if (typeof spec === 'object') {
    for (const k of Object.keys(spec)) {
      if (k !== 'preset' && k !== 'transforms') throw new TorchError(`unknown option "${k}" of the augmentation spec (expected preset, transforms)`, OP);
    }
    const t = (spec as { transforms?: unknown }).transforms;
    if (t !== undefined && !Array.isArray(t)) throw new TorchError('transforms must be an array of transform specs', OP);
    list = [...(spec.preset !== undefined ? presetList(spec.preset) : []), ...((t as unknown[]) ?? [])];
  } else {
    throw new TorchError(`an augmentation spec must be a list of transforms, a preset name or { preset, transforms }, got ${typeof spec}`, OP);
  }
  return list.map((t, i) => validate(t, i));
}

function presetList(name: unknown): TransformSpec[] {
  if (typeof name !== 'string' || !Object.hasOwn(augmentPresets, name)) {
    throw new TorchError(`unknown augmentation preset ${JSON.stringify(name)} (known: ${Object.keys(augmentPresets).join(', ')})`, OP);
  }
  return augmentPresets[name]!();
}

function validate(t: unknown, i: number): TransformSpec {
  if (t === null || typeof t !== 'object' || Array.isArray(t)) throw new TorchError(`transform ${i} must be an object with a "type"`, OP);
  const o = t as Record<string, unknown>;
  const type = o.type;
  if (typeof type !== 'string' || !Object.hasOwn(KEYS, type)) {
    throw new TorchError(`transform ${i} has unknown type ${JSON.stringify(type)} (known: ${Object.keys(KEYS).join(', ')})`, OP);
  }
  const where = `transform ${i} (${type})`;
  const bad = (key: string, want: string) => new TorchError(`${where}: ${key} must be ${want}, got ${JSON.stringify(o[key])}`, OP);
  for (const k of Object.keys(o)) {
    if (!KEYS[type as TransformType].includes(k)) throw new TorchError(`${where}: unknown option "${k}" (allowed: ${KEYS[type as TransformType].join(', ')})`, OP);
  }
  const prob = (k: string) => {
    if (o[k] !== undefined && !(typeof o[k] === 'number' && (o[k] as number) >= 0 && (o[k] as number) <= 1)) throw bad(k, 'a probability in [0, 1]');
  };
  const num = (k: string, min = -Infinity, what = 'a number') => {
    if (o[k] !== undefined && !(typeof o[k] === 'number' && Number.isFinite(o[k]) && (o[k] as number) >= min)) throw bad(k, what);
  };
  const range = (k: string, min = -Infinity) => {
    const v = o[k];
    if (v === undefined) return;
    if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= min) || v[0] > v[1]) {
      throw bad(k, `[low, high] with low ≤ high${min > -Infinity ? ` and both ≥ ${min}` : ''}`);
    }
  };
  const bool = (k: string) => {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw bad(k, 'true or false');
  };
  const oneOf = (k: string, values: readonly unknown[]) => {
    if (o[k] !== undefined && !values.includes(o[k])) throw bad(k, `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
  };
  const size = (k: string) => {
    const v = o[k];
    const ok = (x: unknown) => Number.isInteger(x) && (x as number) > 0;
    if (!(ok(v) || (Array.isArray(v) && v.length === 2 && v.every(ok)))) throw bad(k, 'a positive integer or [height, width]');
  };
  prob('p');
  switch (type as TransformType) {
    case 'flip':
      oneOf('axis', ['horizontal', 'vertical', 'both']);
      break;
    case 'rot90':
      oneOf('k', [1, 2, 3]);
      break;
    case 'affine':
      range('rotate');
      range('scale', Number.MIN_VALUE);
      if (o.translate !== undefined) {
        const v = o.translate;
        if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && x >= 0 && x <= 1)) throw bad('translate', '[fx, fy], fractions of width and height in [0, 1]');
      }
      prob('pRotate');
      prob('pScale');
      prob('pTranslate');
      break;
    case 'elastic':
      num('sigma', 0, 'a number ≥ 0');
      if (o.grid !== undefined && !(Number.isInteger(o.grid) && (o.grid as number) >= 2)) throw bad('grid', 'an integer ≥ 2');
      break;
    case 'brightness':
    case 'contrast':
      range('range', 0);
      bool('perChannel');
      bool('preserveRange');
      break;
    case 'gamma':
      range('range', Number.MIN_VALUE);
      bool('invert');
      bool('retainStats');
      bool('perChannel');
      break;
    case 'noise':
      range('std', 0);
      break;
    case 'blur':
      range('sigma', 0);
      bool('perChannel');
      prob('pPerChannel');
      break;
    case 'crop':
      size('size');
      oneOf('mode', ['random', 'center']);
      prob('foreground');
      if (o.foregroundClasses !== undefined && !(Array.isArray(o.foregroundClasses) && o.foregroundClasses.every((x) => Number.isInteger(x) && x >= 0 && x < 256))) {
        throw bad('foregroundClasses', 'a list of mask values (0..255)');
      }
      num('padValue');
      num('maskPadValue', 0);
      break;
    case 'pad':
      size('size');
      num('padValue');
      num('maskPadValue', 0);
      break;
  }
  if (RESAMPLING.some((k) => KEYS[type as TransformType].includes(k))) {
    oneOf('padding', PADDINGS);
    num('fill');
    if (o.maskFill !== undefined && !(Number.isInteger(o.maskFill) && (o.maskFill as number) >= 0 && (o.maskFill as number) < 256)) throw bad('maskFill', 'an integer in 0..255');
  }
  return { ...(o as unknown as TransformSpec) };
}

/** [height, width] of a Size2. */
export function size2(s: Size2): [number, number] {
  return typeof s === 'number' ? [s, s] : [s[0], s[1]];
}

function uniform(rng: Rng, r: Range): number {
  return r[0] + (r[1] - r[0]) * rng.next();
}

/** nnU-Net's gamma draw: half the time below 1 (when the range allows), otherwise at or above 1. */
function drawGamma(rng: Rng, r: Range): number {
  if (r[1] <= 1 || r[0] >= 1) return uniform(rng, r);
  return rng.next() < 0.5 ? uniform(rng, [r[0], 1]) : uniform(rng, [1, r[1]]);
}

/** Applies one transform (already chosen to happen) to a sample it may modify. */
export function applyTransform(t: TransformSpec, s: Sample, rng: Rng): Sample {
  switch (t.type) {
    case 'flip': {
      const axis = t.axis ?? 'horizontal';
      if (axis !== 'both') return flip(s, axis);
      // Each axis on its own with probability p (the outer draw already passed for the first).
      const p = t.p ?? 0.5;
      let out = s;
      const h = rng.next() < p;
      const v = rng.next() < p;
      if (h) out = flip(out, 'horizontal');
      if (v) out = flip(out, 'vertical');
      return out;
    }
    case 'rot90': {
      // A random quarter turn of a non-square sample is a half turn, so that shapes (and batches) stay fixed.
      const k = 1 + Math.floor(rng.next() * 3);
      return rot90(s, t.k ?? (s.height === s.width ? k : 2));
    }
    case 'affine': {
      const doRot = rng.next() < (t.pRotate ?? 1);
      const doScale = rng.next() < (t.pScale ?? 1);
      const doShift = rng.next() < (t.pTranslate ?? 1);
      const angle = doRot ? uniform(rng, t.rotate ?? [-180, 180]) : 0;
      const scale = doScale ? uniform(rng, t.scale ?? [0.7, 1.4]) : 1;
      const tr = t.translate ?? [0, 0];
      const dx = doShift ? uniform(rng, [-tr[0], tr[0]]) * s.width : 0;
      const dy = doShift ? uniform(rng, [-tr[1], tr[1]]) * s.height : 0;
      if (angle === 0 && scale === 1 && dx === 0 && dy === 0) return s;
      return affine(s, { angle, scale, translate: [dx, dy], padding: t.padding, fill: t.fill, maskFill: t.maskFill });
    }
    case 'elastic':
      return elastic(s, { sigma: t.sigma, grid: t.grid, padding: t.padding, fill: t.fill, maskFill: t.maskFill }, rng);
    case 'brightness': {
      const r = t.range ?? [0.75, 1.25];
      if (!t.perChannel) return brightness(s, uniform(rng, r));
      for (let c = 0; c < s.channels; c++) brightness(s, uniform(rng, r), c);
      return s;
    }
    case 'contrast': {
      const r = t.range ?? [0.75, 1.25];
      const keep = t.preserveRange ?? true;
      if (!t.perChannel) {
        const f = uniform(rng, r);
        for (let c = 0; c < s.channels; c++) contrast(s, f, keep, c);
        return s;
      }
      for (let c = 0; c < s.channels; c++) contrast(s, uniform(rng, r), keep, c);
      return s;
    }
    case 'gamma': {
      const r = t.range ?? [0.7, 1.5];
      const o = { invert: t.invert ?? false, retainStats: t.retainStats ?? true };
      if (!t.perChannel) {
        const g = drawGamma(rng, r);
        for (let c = 0; c < s.channels; c++) gamma(s, g, { ...o, channel: c });
        return s;
      }
      for (let c = 0; c < s.channels; c++) gamma(s, drawGamma(rng, r), { ...o, channel: c });
      return s;
    }
    case 'noise':
      return gaussianNoise(s, uniform(rng, t.std ?? [0, 0.1]), rng);
    case 'blur': {
      const r = t.sigma ?? [0.5, 1];
      if (!t.perChannel) return gaussianBlur(s, uniform(rng, r));
      for (let c = 0; c < s.channels; c++) {
        const sigma = uniform(rng, r);
        if (rng.next() < (t.pPerChannel ?? 1)) gaussianBlur(s, sigma, c);
      }
      return s;
    }
    case 'crop': {
      const [h, w] = size2(t.size);
      const pad = { padValue: t.padValue, maskPadValue: t.maskPadValue };
      if (t.mode === 'center') return centerCrop(s, h, w, pad);
      return randomCrop(s, h, w, rng, { ...pad, foreground: t.foreground, foregroundClasses: t.foregroundClasses });
    }
    case 'pad': {
      const [h, w] = size2(t.size);
      return padTo(s, h, w, { padValue: t.padValue, maskPadValue: t.maskPadValue });
    }
  }
}

const IN_PLACE = new Set<TransformType>(['brightness', 'contrast', 'gamma', 'noise', 'blur']);

function defaultP(t: TransformSpec): number {
  return t.p ?? (t.type === 'flip' || t.type === 'rot90' ? 0.5 : 1);
}

/**
 * A pipeline: each transform in order, applied when a draw falls below its p.
 * apply() never modifies the sample passed in.
 */
export class Compose {
  readonly transforms: readonly TransformSpec[];

  constructor(spec: AugmentSpec) {
    this.transforms = resolveAugmentSpec(spec);
  }

  apply(sample: Sample, rng: Rng): Sample {
    checkSample(sample, OP);
    // Geometric transforms make new arrays; in-place (intensity) ones get a copy first unless the
    // arrays are already this pipeline's own, so the input is never modified.
    let s = sample;
    let owned = false;
    for (const t of this.transforms) {
      // 'both' flips draw per axis inside; every other transform draws once here.
      if (!(t.type === 'flip' && t.axis === 'both') && !(rng.next() < defaultP(t))) continue;
      if (!owned && IN_PLACE.has(t.type)) {
        s = cloneSample(s);
        owned = true;
      }
      const out = applyTransform(t, s, rng);
      if (out !== s) owned = true;
      s = out;
    }
    return owned ? s : cloneSample(s);
  }

  /** The resolved transform list (plain JSON). */
  toJSON(): TransformSpec[] {
    return this.transforms.map((t) => ({ ...t }));
  }
}

/** A pipeline from a JSON spec, a preset name, or a list of transforms. */
export function buildAugment(spec: AugmentSpec): Compose {
  return new Compose(spec);
}
