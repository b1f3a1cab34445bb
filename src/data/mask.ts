/**
 * Segmentation mask decoding: from the stored pixel values of mask files to
 * class indices (Uint8Array H × W, 0 = background, 255 = ignore).
 *
 * The encoding is decided once for a whole dataset from the values found in all
 * its masks (see resolveMaskEncoding), so every file decodes the same way:
 *
 * - grey masks (1 channel, or RGB with R = G = B at every pixel, as many tools save them):
 *   - values ⊆ {0, 1} → as is (binary); values ⊆ {0, 255} → 255 becomes 1 (binary);
 *   - small integers (all < `indexLimit`, default 32) → class indices as is, K = max + 1;
 *   - a few grey levels (e.g. {0, 128, 255}, at most `maxClasses`) → classes in sorted
 *     order of the values (the lowest value = class 0), recorded in `values`;
 *   - refused with the files named: both 0/1 and 0/255 conventions in one dataset,
 *     small class indices plus 255 (an ignore label? pass `ignoreValue: 255`), binary
 *     masks with a few stray values (JPEG or interpolation artefacts), too many values
 *     (instance label images? use `maskMode: 'nonzero'`);
 * - colour masks (RGB): each distinct colour is a class, in the stable order of the
 *   colour's value 0xRRGGBB, so black (0, 0, 0) comes first = background; the
 *   palette is recorded. Grey masks in a colour dataset count as colours (v, v, v).
 */
import { TorchError } from '../torch/errors.js';
import type { RawImage } from './image.js';
import { greyView, isGreyInterleaved } from './image.js';

/** How stored mask values map to classes (JSON-serialisable, recorded with a dataset). */
export type MaskEncoding =
  /** Class i is the grey value values[i]. */
  | { kind: 'values'; values: number[] }
  /** Class i is the colour palette[i] = [r, g, b]. */
  | { kind: 'palette'; palette: [number, number, number][] }
  /** Any non-zero (non-black) pixel is class 1. */
  | { kind: 'nonzero' };

/** How the encoding is chosen. */
export type MaskMode = 'auto' | 'binary' | 'index' | 'levels' | 'palette' | 'nonzero';

export interface MaskOptions {
  /** Default 'auto' (see the module comment). */
  maskMode?: MaskMode;
  /** Explicit grey value of each class (class i = maskValues[i]); unlisted values are errors. */
  maskValues?: number[];
  /** Explicit colour of each class; unlisted colours are errors. */
  palette?: [number, number, number][];
  /** A stored grey value (or [r, g, b] colour) marking pixels to ignore: decoded as 255. */
  ignoreValue?: number | [number, number, number];
  /** Force the number of classes (≥ what the masks need), e.g. when a class is absent. */
  numClasses?: number;
  /** Most classes (distinct values or colours) accepted in 'auto' (default 16). */
  maxClasses?: number;
  /** In 'auto', grey values all below this are class indices as is (default 32). */
  indexLimit?: number;
}

/** Values found in one mask file. */
export interface MaskValueStats {
  file: string;
  /** False when the file has colour pixels (R, G, B not all equal). */
  grey: boolean;
  /** Grey value, or packed colour r·2^32 + g·2^16 + b, → pixel count. */
  counts: Map<number, number>;
  /** More distinct values than recorded (the count stopped at `MAX_TRACKED`). */
  truncated: boolean;
  pixels: number;
  /** The file's format ('png', 'jpeg', ...). */
  format?: string;
}

const MAX_TRACKED = 4096;
const OP = 'data.mask';

/** Packs a colour (8- or 16-bit samples) into one number. */
export function packColour(r: number, g: number, b: number): number {
  return r * 4294967296 + g * 65536 + b;
}
function unpackColour(p: number): [number, number, number] {
  const r = Math.floor(p / 4294967296);
  const rest = p - r * 4294967296;
  return [r, Math.floor(rest / 65536), rest % 65536];
}
function colourName(p: number): string {
  return `(${unpackColour(p).join(', ')})`;
}

/** Collects the values (grey) or colours of one decoded mask file (alpha already dropped). */
export function maskValueStats(raw: RawImage, file: string): MaskValueStats {
  const { data, channels } = raw;
  const grey = isGreyInterleaved(data, channels);
  const counts = new Map<number, number>();
  let truncated = false;
  const pixels = raw.height * raw.width;
  if (grey) {
    if (raw.bitDepth !== 32) {
      const hist = new Uint32Array(raw.bitDepth === 16 ? 65536 : 256);
      for (let j = 0; j < data.length; j += channels) hist[data[j]!]!++;
      for (let v = 0; v < hist.length; v++) if (hist[v]! > 0) counts.set(v, hist[v]!);
    } else {
      for (let j = 0; j < data.length; j += channels) {
        const v = data[j]!;
        const c = counts.get(v);
        if (c !== undefined) counts.set(v, c + 1);
        else if (counts.size < MAX_TRACKED) counts.set(v, 1);
        else truncated = true;
      }
    }
  } else {
    let last = -1;
    let lastCount = 0;
    const flush = (): void => {
      if (last >= 0) {
        const c = counts.get(last);
        if (c !== undefined) counts.set(last, c + lastCount);
        else if (counts.size < MAX_TRACKED) counts.set(last, lastCount);
        else truncated = true;
      }
    };
    for (let j = 0; j < data.length; j += channels) {
      const p = packColour(data[j]!, data[j + 1]!, data[j + 2]!);
      if (p === last) lastCount++;
      else {
        flush();
        last = p;
        lastCount = 1;
      }
    }
    flush();
  }
  if (counts.size > MAX_TRACKED) truncated = true;
  return { file, grey, counts, truncated, pixels, format: raw.format };
}

function listFiles(lines: string[], max = 12): string {
  const shown = lines.slice(0, max).map((l) => `  ${l}`);
  if (lines.length > max) shown.push(`  … and ${lines.length - max} more`);
  return shown.join('\n');
}

function fmtValues(vals: number[], colour: boolean, max = 8): string {
  const s = vals.slice(0, max).map((v) => (colour ? colourName(v) : String(v)));
  if (vals.length > max) s.push(`… (${vals.length} in all)`);
  return s.join(', ');
}

/** Files whose values fall outside `allowed`, as message lines. */
function offenders(stats: MaskValueStats[], allowed: Set<number>, colour: boolean): string[] {
  const lines: string[] = [];
  for (const s of stats) {
    const bad = [...s.counts.keys()].filter((v) => !allowed.has(v)).sort((a, b) => a - b);
    if (bad.length > 0 || s.truncated) {
      const px = bad.reduce((a, v) => a + (s.counts.get(v) ?? 0), 0);
      lines.push(`${s.file}: ${s.truncated ? `more than ${MAX_TRACKED} distinct values, e.g. ` : ''}${fmtValues(bad, colour)} (${px} pixels)`);
    }
  }
  return lines;
}

/** Minimum distance between two classes' values in 'auto' before they look like artefacts. */
const MIN_LEVEL_GAP = 8;

/**
 * Values that sit within MIN_LEVEL_GAP of a more frequent value (colours: in every
 * channel): the marks of lossy compression or interpolation, not of classes.
 */
function nearDuplicates(union: Map<number, number>, colour: boolean): Set<number> {
  const entries = [...union.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const close = (a: number, b: number): boolean => {
    if (!colour) return Math.abs(a - b) < MIN_LEVEL_GAP;
    const ca = unpackColour(a);
    const cb = unpackColour(b);
    return ca.every((v, i) => Math.abs(v - cb[i]!) < MIN_LEVEL_GAP);
  };
  const kept: number[] = [];
  const out = new Set<number>();
  for (const [v] of entries) {
    if (kept.some((k) => close(k, v))) out.add(v);
    else kept.push(v);
  }
  return out;
}

function artefactError(stats: MaskValueStats[], suspicious: Set<number>, colour: boolean, err: (m: string) => never): never {
  const lines: string[] = [];
  for (const s of stats) {
    const counts = colour ? statsAsColour(s) : s.counts;
    const bad = [...counts.keys()].filter((v) => suspicious.has(v)).sort((a, b) => a - b);
    if (bad.length > 0) {
      const px = bad.reduce((a, v) => a + (counts.get(v) ?? 0), 0);
      lines.push(`${s.file}${s.format === 'jpeg' ? ' (lossy JPEG)' : ''}: ${fmtValues(bad, colour)} (${px} pixels)`);
    }
  }
  return err(
    `mask ${colour ? 'colours' : 'values'} close to more frequent ones — lossy compression (JPEG) or interpolation artefacts? ` +
      `Save masks losslessly (PNG) without resizing; maskMode 'nonzero' maps every non-zero value to 1:\n${listFiles(lines)}`,
  );
}

function ignoreKey(opt: MaskOptions['ignoreValue']): number | undefined {
  if (opt === undefined) return undefined;
  if (typeof opt === 'number') return opt;
  return packColour(opt[0], opt[1], opt[2]);
}

function statsAsColour(s: MaskValueStats): Map<number, number> {
  if (!s.grey) return s.counts;
  const m = new Map<number, number>();
  for (const [v, c] of s.counts) m.set(packColour(v, v, v), c);
  return m;
}

/**
 * Chooses the dataset's mask encoding from the values of all its masks, or
 * throws a TorchError naming the offending files. `where` names the dataset.
 */
export function resolveMaskEncoding(stats: MaskValueStats[], options: MaskOptions, where: string): { encoding: MaskEncoding; numClasses: number } {
  const mode = options.maskMode ?? 'auto';
  const maxClasses = options.maxClasses ?? 16;
  const indexLimit = options.indexLimit ?? 32;
  const ign = ignoreKey(options.ignoreValue);
  const ignC = typeof options.ignoreValue === 'number' ? packColour(ign!, ign!, ign!) : ign;
  const anyColour = stats.some((s) => !s.grey);
  const err = (msg: string): never => {
    throw new TorchError(`${where}: ${msg}`, OP);
  };
  const finish = (encoding: MaskEncoding, k: number): { encoding: MaskEncoding; numClasses: number } => {
    let numClasses = Math.max(k, 2);
    if (options.numClasses !== undefined) {
      if (!Number.isInteger(options.numClasses) || options.numClasses < numClasses) {
        err(`numClasses ${options.numClasses} is less than the ${numClasses} classes the masks need`);
      }
      numClasses = options.numClasses;
    }
    if (numClasses > 255) err(`${numClasses} classes: at most 255 fit a mask (255 is the ignore label)`);
    return { encoding, numClasses };
  };

  if (options.maskValues !== undefined && options.palette !== undefined) err('give maskValues or palette, not both');
  if (mode === 'nonzero') return finish({ kind: 'nonzero' }, 2);

  if (options.palette !== undefined || mode === 'palette') {
    const perFile = stats.map((s) => ({ ...s, counts: statsAsColour(s), grey: false }));
    let palette: [number, number, number][];
    if (options.palette !== undefined) {
      palette = options.palette.map((c) => [c[0], c[1], c[2]]);
    } else {
      const all = new Set<number>();
      for (const s of perFile) for (const v of s.counts.keys()) if (v !== ignC) all.add(v);
      palette = [...all].sort((a, b) => a - b).map(unpackColour);
    }
    const allowed = new Set(palette.map((c) => packColour(c[0], c[1], c[2])));
    if (ignC !== undefined) allowed.add(ignC);
    const bad = offenders(perFile, allowed, true);
    if (bad.length > 0) err(`mask colours outside the palette:\n${listFiles(bad)}`);
    return finish({ kind: 'palette', palette }, palette.length);
  }

  if (anyColour) {
    if (mode !== 'auto') {
      const files = stats.filter((s) => !s.grey).map((s) => s.file);
      err(`maskMode '${mode}' needs grey masks, but these have colours (use maskMode 'palette'):\n${listFiles(files)}`);
    }
    const perFile = stats.map((s) => ({ ...s, counts: statsAsColour(s), grey: false }));
    const all = new Map<number, number>();
    for (const s of perFile) for (const [v, c] of s.counts) if (v !== ignC) all.set(v, (all.get(v) ?? 0) + c);
    if (all.size > maxClasses || perFile.some((s) => s.truncated)) {
      const worst = [...perFile].sort((a, b) => b.counts.size - a.counts.size).filter((s) => s.counts.size > 1);
      err(
        `colour masks have ${all.size} distinct colours, more than maxClasses ${maxClasses}` +
          ` (anti-aliased edges or JPEG artefacts? masks must be saved losslessly, without resizing):\n` +
          listFiles(worst.map((s) => `${s.file}: ${s.counts.size}${s.truncated ? '+' : ''} colours`)),
      );
    }
    const dupC = nearDuplicates(all, true);
    if (dupC.size > 0) artefactError(stats, dupC, true, err);
    const palette = [...all.keys()].sort((a, b) => a - b).map(unpackColour);
    return finish({ kind: 'palette', palette }, palette.length);
  }

  // Grey masks.
  const union = new Map<number, number>();
  for (const s of stats) for (const [v, c] of s.counts) if (v !== ign) union.set(v, (union.get(v) ?? 0) + c);
  const vals = [...union.keys()].sort((a, b) => a - b);
  const allowedWithIgnore = (values: number[]): Set<number> => {
    const set = new Set(values);
    if (ign !== undefined) set.add(ign);
    return set;
  };
  const checked = (values: number[]): { encoding: MaskEncoding; numClasses: number } => {
    const bad = offenders(stats, allowedWithIgnore(values), false);
    if (bad.length > 0) err(`unexpected mask values (expected ${fmtValues(values, false, 20)}):\n${listFiles(bad)}`);
    return finish({ kind: 'values', values }, values.length);
  };
  const filesWith = (v: number): string[] => stats.filter((s) => s.counts.has(v)).map((s) => s.file);
  const isSubset = (allowed: number[]): boolean => vals.every((v) => allowed.includes(v));

  if (options.maskValues !== undefined) return checked([...options.maskValues]);

  const maxVal = vals.length > 0 ? vals[vals.length - 1]! : 0;
  const fromIndex = (): { encoding: MaskEncoding; numClasses: number } => {
    const k = Math.max(maxVal + 1, 2);
    if (maxVal > 254 || !vals.every((v) => Number.isInteger(v) && v >= 0)) {
      err(`maskMode 'index' needs integer class indices 0..254, found ${fmtValues(vals.filter((v) => !(Number.isInteger(v) && v >= 0 && v <= 254)), false)}`);
    }
    return checked(Array.from({ length: k }, (_, i) => i));
  };

  if (mode === 'binary') {
    if (isSubset([0, 1])) return checked([0, 1]);
    if (isSubset([0, 255])) return checked([0, 255]);
    if (isSubset([0, 1, 255])) {
      err(`binary masks mix the 0/1 and 0/255 conventions:\n  value 1 in: ${filesWith(1).slice(0, 6).join(', ')}\n  value 255 in: ${filesWith(255).slice(0, 6).join(', ')}`);
    }
    const bad = offenders(stats, allowedWithIgnore(union.has(255) ? [0, 255] : [0, 1]), false);
    err(`binary masks (0/1 or 0/255) have other values:\n${listFiles(bad)}`);
  }
  if (mode === 'index') return fromIndex();
  if (mode === 'levels') {
    if (vals.length > 255) err(`${vals.length} distinct mask values: at most 255 levels`);
    return checked(vals.length === 1 && vals[0] !== 0 ? [0, vals[0]!] : vals.length === 0 ? [0, 1] : vals);
  }

  // auto
  if (stats.some((s) => s.truncated)) {
    const worst = stats.filter((s) => s.truncated).map((s) => `${s.file}: more than ${MAX_TRACKED} distinct values`);
    err(`masks look continuous, not labels (use maskMode 'nonzero' for instance label images):\n${listFiles(worst)}`);
  }
  if (isSubset([0, 1])) return checked([0, 1]);
  if (isSubset([0, 255])) return checked([0, 255]);
  if (isSubset([0, 1, 255])) {
    err(
      `binary masks mix the 0/1 and 0/255 conventions (or is 255 an ignore label? then pass ignoreValue: 255):\n` +
        `  value 1 in: ${filesWith(1).slice(0, 6).join(', ')}${filesWith(1).length > 6 ? ', …' : ''}\n` +
        `  value 255 in: ${filesWith(255).slice(0, 6).join(', ')}${filesWith(255).length > 6 ? ', …' : ''}`,
    );
  }
  const small = vals.filter((v) => v < indexLimit);
  if (small.length === vals.length && vals.every((v) => Number.isInteger(v) && v >= 0)) return fromIndex();
  if (union.has(255) && small.length === vals.length - 1 && small.length >= 2 && ign === undefined) {
    err(
      `mask values ${fmtValues(small, false)} look like class indices, but 255 also appears (in ${filesWith(255).length} files): ` +
        `if 255 marks pixels to ignore, pass ignoreValue: 255; to make it a class, pass maskMode: 'levels'`,
    );
  }
  const total = [...union.values()].reduce((a, b) => a + b, 0);
  if (union.has(0) && union.has(255)) {
    const stray = total - (union.get(0) ?? 0) - (union.get(255) ?? 0);
    if (stray > 0 && stray < 0.01 * total) {
      const bad = offenders(stats, allowedWithIgnore([0, 255]), false);
      err(
        `binary masks (0/255) with a few stray values — JPEG or interpolation artefacts? ` +
          `(save masks losslessly; maskMode 'nonzero' maps every non-zero value to 1, 'levels' makes each value a class):\n${listFiles(bad)}`,
      );
    }
  }
  if (vals.length > maxClasses) {
    const worst = [...stats].sort((a, b) => b.counts.size - a.counts.size).filter((s) => s.counts.size > 2);
    err(
      `masks have ${vals.length} distinct values, more than maxClasses ${maxClasses}: expected binary (0/255 or 0/1), class indices, ` +
        `or a few grey levels (instance label images? use maskMode 'nonzero'; JPEG masks? save them as PNG):\n` +
        listFiles(worst.map((s) => `${s.file}${s.format === 'jpeg' ? ' (lossy JPEG)' : ''}: ${s.counts.size} values`)),
    );
  }
  const dup = nearDuplicates(union, false);
  if (dup.size > 0) artefactError(stats, dup, false, err);
  return checked(vals.length === 1 ? (vals[0] === 0 ? [0, 1] : [0, vals[0]!]) : vals);
}

/** Lookup state for decoding many masks with one encoding. */
export class MaskDecoder {
  private readonly lut: Int16Array | null = null;
  private readonly colours: Map<number, number> | null = null;
  private readonly ignore: number | undefined;

  constructor(readonly encoding: MaskEncoding, ignoreValue?: number | [number, number, number]) {
    this.ignore = ignoreKey(ignoreValue);
    if (encoding.kind === 'values') {
      this.lut = new Int16Array(65536).fill(-1);
      encoding.values.forEach((v, i) => {
        if (Number.isInteger(v) && v >= 0 && v < 65536) this.lut![v] = i;
      });
      if (this.ignore !== undefined && this.ignore >= 0 && this.ignore < 65536) this.lut[this.ignore] = 255;
    } else if (encoding.kind === 'palette') {
      this.colours = new Map(encoding.palette.map((c, i) => [packColour(c[0], c[1], c[2]), i]));
      if (this.ignore !== undefined) {
        const k = typeof ignoreValue === 'number' ? packColour(this.ignore, this.ignore, this.ignore) : this.ignore;
        this.colours.set(k, 255);
      }
    }
  }

  /** Decodes a mask file's pixels (H × W × C, alpha dropped) to class indices; throws naming `file` on values outside the encoding. */
  decode(raw: RawImage, file: string): Uint8Array {
    const { data, channels } = raw;
    const n = raw.height * raw.width;
    const out = new Uint8Array(n);
    const enc = this.encoding;
    if (enc.kind === 'nonzero') {
      for (let i = 0, j = 0; i < n; i++, j += channels) {
        let nz = data[j] !== 0;
        for (let c = 1; c < channels && !nz; c++) nz = data[j + c] !== 0;
        const v = channels === 1 ? data[j]! : -1;
        out[i] = this.ignore !== undefined && v === this.ignore ? 255 : nz ? 1 : 0;
      }
      return out;
    }
    const bad = new Set<number>();
    if (enc.kind === 'values') {
      const lut = this.lut!;
      const g = greyView(raw);
      if (!g) throw new TorchError(`${file}: colour mask, but the dataset's masks are grey values ${fmtValues(enc.values, false)}`, OP);
      const gd = g.data;
      for (let i = 0; i < n; i++) {
        const v = gd[i]!;
        const k = Number.isInteger(v) && v >= 0 && v < 65536 ? lut[v]! : -1;
        if (k < 0) bad.add(v);
        else out[i] = k;
      }
      if (bad.size > 0) {
        throw new TorchError(`${file}: unexpected mask values ${fmtValues([...bad].sort((a, b) => a - b), false)} (expected ${fmtValues(enc.values, false, 20)})`, OP);
      }
      return out;
    }
    const colours = this.colours!;
    let last = -1;
    let lastK = 0;
    for (let i = 0, j = 0; i < n; i++, j += channels) {
      const p = channels >= 3 ? packColour(data[j]!, data[j + 1]!, data[j + 2]!) : packColour(data[j]!, data[j]!, data[j]!);
      if (p !== last) {
        const k = colours.get(p);
        last = p;
        if (k === undefined) {
          bad.add(p);
          lastK = 0;
        } else lastK = k;
      }
      out[i] = lastK;
    }
    if (bad.size > 0) throw new TorchError(`${file}: mask colours outside the palette: ${fmtValues([...bad], true)}`, OP);
    return out;
  }
}

/** A one-line description of an encoding, for describe() and messages. */
export function describeMaskEncoding(enc: MaskEncoding): string {
  if (enc.kind === 'nonzero') return 'non-zero = foreground';
  if (enc.kind === 'values') {
    const v = enc.values;
    if (v.length === 2 && v[0] === 0 && (v[1] === 1 || v[1] === 255)) return `binary 0/${v[1]}`;
    if (v.every((x, i) => x === i)) return `class indices 0..${v.length - 1}`;
    return `grey levels ${v.map((x, i) => `${x}→${i}`).join(', ')}`;
  }
  return `palette ${enc.palette.map((c, i) => `(${c.join(',')})→${i}`).join(', ')}`;
}
