/**
 * Datasets from folders of image files:
 * - SegmentationFolder: images/ and masks/ paired by file stem;
 * - ClassificationFolder: root/<class name>/<image files>;
 * - ImageFolder: a folder of images without labels (for prediction).
 *
 * Each is opened with an async `open()` that lists, pairs and (by default) reads
 * every file once to validate it before any run starts; all problems found are
 * reported together, naming the files. Images keep their stored values
 * (0..255, 0..65535 for 16-bit files); mixed image sizes are allowed.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve, extname } from 'node:path';
import { TorchError } from '../torch/errors.js';
import type { Dataset, Sample } from './types.js';
import type { DatasetSpec } from './spec.js';
import { IMAGE_EXTENSIONS, type PixelArray, type RawImage, fileStem, greyView, readImageRaw } from './image.js';
import {
  MaskDecoder,
  type MaskEncoding,
  type MaskOptions,
  type MaskValueStats,
  describeMaskEncoding,
  maskValueStats,
  resolveMaskEncoding,
} from './mask.js';

/** How many channels samples have: 'auto' = 1 when every image is grey (R = G = B), else 3. */
export type ChannelsOption = 'auto' | 1 | 3;

/** Runs `fn` over items with at most `n` in flight; results in item order. */
export async function mapPool<T, R>(items: readonly T[], n: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  return out;
}

function problemList(lines: string[], max = 20): string {
  const shown = lines.slice(0, max).map((l) => `  ${l}`);
  if (lines.length > max) shown.push(`  … and ${lines.length - max} more`);
  return shown.join('\n');
}

function errText(e: unknown): string {
  if (e instanceof TorchError) return e.detail;
  return (e as Error).message ?? String(e);
}

/** Lists the image files of a folder by stem (hidden files and other extensions are skipped). */
export async function listImageFiles(dir: string, op: string, what = 'folder'): Promise<Map<string, string>> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TorchError(`${what} not found: ${dir}`, op);
    if (code === 'ENOTDIR') throw new TorchError(`${what} is not a directory: ${dir}`, op);
    throw new TorchError(`${what} unreadable: ${dir} (${(e as Error).message})`, op);
  }
  const byStem = new Map<string, string>();
  const dups: string[] = [];
  const names = entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith('.') && IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase()))
    .map((e) => e.name)
    .sort();
  for (const name of names) {
    const stem = fileStem(name);
    const prev = byStem.get(stem);
    if (prev !== undefined) dups.push(`${join(dir, prev)} and ${join(dir, name)}`);
    else byStem.set(stem, name);
  }
  if (dups.length > 0) throw new TorchError(`two files with the same stem in ${dir}:\n${problemList(dups)}`, op);
  return new Map([...byStem].map(([s, n]) => [s, join(dir, n)]));
}

/** An image as cached: channels first, in its stored sample type, grey-content RGB collapsed to 1 channel. */
interface StoredImage {
  data: PixelArray;
  channels: number;
  height: number;
  width: number;
}

/** Compacts a decoded file (alpha dropped): C × H × W in its sample type; RGB with R = G = B → 1 channel. */
function compactImage(raw: RawImage): StoredImage & { grey: boolean } {
  const { height, width } = raw;
  const g = greyView(raw);
  if (g) return { data: g.data, channels: 1, height, width, grey: true };
  const n = height * width;
  const channels = raw.channels;
  const src = raw.data;
  const data = new (src.constructor as new (n: number) => PixelArray)(n * channels);
  for (let c = 0; c < channels; c++) {
    const o = c * n;
    for (let i = 0, j = c; i < n; i++, j += channels) data[o + i] = src[j]!;
  }
  return { data, channels, height, width, grey: false };
}

/** A float32 C × H × W copy of a stored image with `channels` channels (grey copied to RGB; colour → luma when 1 is asked). */
function toFloat(img: StoredImage, channels: number): Float32Array {
  const n = img.height * img.width;
  const out = new Float32Array(n * channels);
  const src = img.data;
  if (img.channels === channels) {
    out.set(src);
  } else if (img.channels === 1) {
    for (let c = 0; c < channels; c++) out.set(src, c * n);
  } else if (channels === 1) {
    for (let i = 0; i < n; i++) out[i] = 0.299 * src[i]! + 0.587 * src[n + i]! + 0.114 * src[2 * n + i]!;
  } else {
    out.set(src.subarray(0, n * channels));
  }
  return out;
}

function checkChannelsOption(ch: unknown, op: string): ChannelsOption {
  if (ch === undefined) return 'auto';
  if (ch !== 'auto' && ch !== 1 && ch !== 3) throw new TorchError(`channels must be 'auto', 1 or 3, got ${String(ch)}`, op);
  return ch;
}

function sizeRange(sizes: { height: number; width: number }[]): string {
  if (sizes.length === 0) return 'no images';
  const uniq = new Set(sizes.map((s) => `${s.width}×${s.height}`));
  if (uniq.size === 1) return `all ${[...uniq][0]}`;
  const px = sizes.map((s) => s.width * s.height);
  const lo = sizes[px.indexOf(Math.min(...px))]!;
  const hi = sizes[px.indexOf(Math.max(...px))]!;
  return `${uniq.size} sizes, ${lo.width}×${lo.height} to ${hi.width}×${hi.height}`;
}

export interface SegmentationFolderOptions extends MaskOptions {
  /** Folder of images (default <root>/images); relative paths are taken from root. */
  imagesDir?: string;
  /** Folder of masks (default <root>/masks); relative paths are taken from root. */
  masksDir?: string;
  /** Mask stems end with this suffix: 'a_mask.png' pairs with 'a.jpg' when maskSuffix is '_mask'. */
  maskSuffix?: string;
  /** 'auto' (default): 1 channel when every image is grey (1 channel, or R = G = B everywhere), else 3. */
  channels?: ChannelsOption;
  /** Keep decoded images and masks in memory (default true); false reads the files on each get(). */
  cache?: boolean;
  /**
   * Read every file at open() to check it (default true). false only lists and pairs the files
   * (for re-opening a validated dataset, e.g. in a worker, with the options from `resolvedOptions()`);
   * it needs numeric channels and an explicit mask encoding (maskValues, palette or maskMode 'nonzero').
   */
  validate?: boolean;
  /** Files decoded at once while opening (default 4). */
  concurrency?: number;
}

interface Pair {
  id: string;
  image: string;
  mask: string;
}

/**
 * A segmentation dataset from a folder with images/ and masks/ (or `imagesDir` /
 * `masksDir`), paired by file stem (extensions may differ: a.jpg ↔ a.png).
 *
 * Samples: `image` float32 C × H × W with the stored values, `mask` Uint8Array
 * H × W of class indices (see mask.ts for how mask values become classes; 255 =
 * ignore), `id` = the image's stem. get() returns new arrays each time (callers
 * may modify or transfer them); a Sample directly when cached, else a Promise.
 */
export class SegmentationFolder implements Dataset {
  readonly pairs: readonly Pair[];
  readonly channels: number;
  readonly numClasses: number;
  readonly maskEncoding: MaskEncoding;
  /** Image sizes by index (known after validation; empty when opened with validate: false). */
  readonly sizes: readonly { height: number; width: number }[];
  /** Bits per sample of the image files: 8, 16, 32 (float) or 'mixed' (unknown when not validated). */
  readonly bitDepth: 8 | 16 | 32 | 'mixed' | 'unknown';
  readonly root: string;
  readonly imagesDir: string;
  readonly masksDir: string;
  private readonly options: SegmentationFolderOptions;
  private readonly decoder: MaskDecoder;
  private readonly cache: ({ image: StoredImage; mask: Uint8Array } | undefined)[];

  private constructor(init: {
    pairs: Pair[];
    channels: number;
    numClasses: number;
    maskEncoding: MaskEncoding;
    sizes: { height: number; width: number }[];
    bitDepth: SegmentationFolder['bitDepth'];
    root: string;
    imagesDir: string;
    masksDir: string;
    options: SegmentationFolderOptions;
    cache: ({ image: StoredImage; mask: Uint8Array } | undefined)[];
  }) {
    this.pairs = init.pairs;
    this.channels = init.channels;
    this.numClasses = init.numClasses;
    this.maskEncoding = init.maskEncoding;
    this.sizes = init.sizes;
    this.bitDepth = init.bitDepth;
    this.root = init.root;
    this.imagesDir = init.imagesDir;
    this.masksDir = init.masksDir;
    this.options = init.options;
    this.decoder = new MaskDecoder(init.maskEncoding, init.options.ignoreValue);
    this.cache = init.cache;
  }

  /** Lists, pairs and validates the folder; throws a TorchError listing every problem found. */
  static async open(root: string, options: SegmentationFolderOptions = {}): Promise<SegmentationFolder> {
    const op = 'data.SegmentationFolder';
    const rootAbs = resolve(root);
    const imagesDir = resolve(rootAbs, options.imagesDir ?? 'images');
    const masksDir = resolve(rootAbs, options.masksDir ?? 'masks');
    const where = `segmentation folder ${rootAbs}`;
    const chOpt = checkChannelsOption(options.channels, op);
    const cache = options.cache ?? true;
    const validate = options.validate ?? true;
    const concurrency = options.concurrency ?? 4;

    try {
      const s = await stat(rootAbs);
      if (!s.isDirectory()) throw new TorchError(`${where}: not a directory`, op);
    } catch (e) {
      if (e instanceof TorchError) throw e;
      throw new TorchError(`${where}: not found`, op);
    }
    const images = await listImageFiles(imagesDir, op, 'images folder');
    const masks = await listImageFiles(masksDir, op, 'masks folder');
    if (images.size === 0) throw new TorchError(`${where}: no image files in ${imagesDir} (looked for ${IMAGE_EXTENSIONS.join(' ')})`, op);
    if (masks.size === 0) throw new TorchError(`${where}: no mask files in ${masksDir}`, op);

    // Pair by stem.
    const suffix = options.maskSuffix ?? '';
    const maskByKey = new Map<string, string>();
    const badSuffix: string[] = [];
    for (const [stem, file] of masks) {
      if (suffix !== '' && !stem.endsWith(suffix)) badSuffix.push(file);
      else maskByKey.set(stem.slice(0, stem.length - suffix.length), file);
    }
    const pairs: Pair[] = [];
    const noMask: string[] = [];
    for (const [stem, file] of images) {
      const m = maskByKey.get(stem);
      if (m === undefined) noMask.push(file);
      else pairs.push({ id: stem, image: file, mask: m });
    }
    const noImage = [...maskByKey].filter(([k]) => !images.has(k)).map(([, f]) => f);
    const pairing: string[] = [];
    if (noMask.length > 0) pairing.push(`${noMask.length} images without a mask${suffix ? ` (mask stem = image stem + '${suffix}')` : ''}:\n${problemList(noMask, 10)}`);
    if (noImage.length > 0) pairing.push(`${noImage.length} masks without an image:\n${problemList(noImage, 10)}`);
    if (badSuffix.length > 0) pairing.push(`${badSuffix.length} mask files whose stem does not end with maskSuffix '${suffix}':\n${problemList(badSuffix, 10)}`);
    if (pairing.length > 0) throw new TorchError(`${where}: unmatched files (pairs are made by file stem)\n${pairing.join('\n')}`, op);

    if (!validate) {
      if (chOpt === 'auto') throw new TorchError(`${where}: validate: false needs channels 1 or 3`, op);
      let encoding: MaskEncoding;
      if (options.maskValues) encoding = { kind: 'values', values: [...options.maskValues] };
      else if (options.palette) encoding = { kind: 'palette', palette: options.palette.map((c) => [c[0], c[1], c[2]]) };
      else if (options.maskMode === 'nonzero') encoding = { kind: 'nonzero' };
      else throw new TorchError(`${where}: validate: false needs maskValues, palette or maskMode 'nonzero'`, op);
      const k = encoding.kind === 'values' ? encoding.values.length : encoding.kind === 'palette' ? encoding.palette.length : 2;
      return new SegmentationFolder({
        pairs,
        channels: chOpt,
        numClasses: options.numClasses ?? Math.max(k, 2),
        maskEncoding: encoding,
        sizes: [],
        bitDepth: 'unknown',
        root: rootAbs,
        imagesDir,
        masksDir,
        options: { ...options, cache: false },
        cache: [],
      });
    }

    // Read everything once.
    const problems: string[] = [];
    const stats: MaskValueStats[] = [];
    const sizes: { height: number; width: number }[] = [];
    const stored: (StoredImage | undefined)[] = [];
    const rawMasks: (RawImage | undefined)[] = [];
    const greys: boolean[] = [];
    const depths = new Set<number>();
    await mapPool(pairs, concurrency, async (p, i) => {
      let img: RawImage | undefined;
      let mask: RawImage | undefined;
      try {
        img = await readImageRaw(p.image);
      } catch (e) {
        problems.push(errText(e));
      }
      try {
        mask = await readImageRaw(p.mask);
      } catch (e) {
        problems.push(errText(e));
      }
      if (!img || !mask) return;
      if (img.height !== mask.height || img.width !== mask.width) {
        problems.push(`${p.image} is ${img.width}×${img.height} but its mask ${p.mask} is ${mask.width}×${mask.height}`);
        return;
      }
      sizes[i] = { height: img.height, width: img.width };
      depths.add(img.bitDepth);
      const c = compactImage(img);
      greys[i] = c.grey;
      if (cache) stored[i] = c;
      // Grey masks (also RGB with R = G = B) are analysed and kept as 1 channel.
      const m = greyView(mask) ?? mask;
      stats[i] = maskValueStats(m, p.mask);
      if (cache) rawMasks[i] = m;
    });
    problems.sort();
    if (problems.length > 0) throw new TorchError(`${where}: ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n${problemList(problems)}`, op);

    const { encoding, numClasses } = resolveMaskEncoding(stats, options, where);
    const channels = chOpt === 'auto' ? (greys.every((g) => g) ? 1 : 3) : chOpt;
    const decoder = new MaskDecoder(encoding, options.ignoreValue);
    const entries: ({ image: StoredImage; mask: Uint8Array } | undefined)[] = [];
    if (cache) {
      for (let i = 0; i < pairs.length; i++) {
        entries[i] = { image: stored[i]!, mask: decoder.decode(rawMasks[i]!, pairs[i]!.mask) };
        rawMasks[i] = undefined;
      }
    }
    const bitDepth = depths.size === 1 ? ([...depths][0] as 8 | 16 | 32) : 'mixed';
    return new SegmentationFolder({ pairs, channels, numClasses, maskEncoding: encoding, sizes, bitDepth, root: rootAbs, imagesDir, masksDir, options, cache: entries });
  }

  get length(): number {
    return this.pairs.length;
  }

  /** The stems of the samples, by index. */
  get ids(): string[] {
    return this.pairs.map((p) => p.id);
  }

  get(index: number): Sample | Promise<Sample> {
    if (!Number.isInteger(index) || index < 0 || index >= this.pairs.length) {
      throw new TorchError(`index ${index} out of range for ${this.pairs.length} samples`, 'data.SegmentationFolder.get');
    }
    const cached = this.cache[index];
    if (cached) return this.sampleFrom(index, cached.image, cached.mask.slice());
    return this.load(index);
  }

  private sampleFrom(index: number, img: StoredImage, mask: Uint8Array): Sample {
    return {
      id: this.pairs[index]!.id,
      image: toFloat(img, this.channels),
      channels: this.channels,
      height: img.height,
      width: img.width,
      mask,
    };
  }

  private async load(index: number): Promise<Sample> {
    const p = this.pairs[index]!;
    const [img, mask] = await Promise.all([readImageRaw(p.image), readImageRaw(p.mask)]);
    if (img.height !== mask.height || img.width !== mask.width) {
      throw new TorchError(`${p.image} is ${img.width}×${img.height} but its mask ${p.mask} is ${mask.width}×${mask.height}`, 'data.SegmentationFolder.get');
    }
    return this.sampleFrom(index, compactImage(img), this.decoder.decode(mask, p.mask));
  }

  /**
   * Options that re-open this dataset without reading every file again
   * (validate: false, no cache), with the resolved channels and mask encoding.
   */
  resolvedOptions(): SegmentationFolderOptions & { root: string } {
    const enc = this.maskEncoding;
    return {
      root: this.root,
      imagesDir: this.imagesDir,
      masksDir: this.masksDir,
      ...(this.options.maskSuffix !== undefined ? { maskSuffix: this.options.maskSuffix } : {}),
      ...(this.options.ignoreValue !== undefined ? { ignoreValue: this.options.ignoreValue } : {}),
      channels: this.channels as 1 | 3,
      numClasses: this.numClasses,
      ...(enc.kind === 'values' ? { maskValues: enc.values } : enc.kind === 'palette' ? { palette: enc.palette } : { maskMode: 'nonzero' as const }),
      validate: false,
      cache: false,
    };
  }

  /** A plain-data spec that re-opens this dataset without validation (datasetFromSpec), e.g. in a worker thread. */
  toSpec(): DatasetSpec {
    const { root, ...options } = this.resolvedOptions();
    return { kind: 'folder', root, options };
  }

  describe(): string {
    const depth = typeof this.bitDepth === 'number' ? `${this.bitDepth === 32 ? 'float' : `${this.bitDepth}-bit`}` : this.bitDepth;
    return (
      `segmentation folder ${this.imagesDir} + ${this.masksDir}: ${this.length} pairs, ` +
      `${this.channels} channel${this.channels > 1 ? 's' : ''} (${depth}), ${this.sizes.length ? sizeRange(this.sizes as { height: number; width: number }[]) : 'sizes not read'}, ` +
      `masks ${describeMaskEncoding(this.maskEncoding)}, ${this.numClasses} classes`
    );
  }
}

export interface ClassificationFolderOptions {
  /** Class names in label order (default: the sub-folder names, sorted). Listed folders must exist. */
  classes?: string[];
  /** 'auto' (default): 1 channel when every image is grey, else 3. */
  channels?: ChannelsOption;
  /** Keep decoded images in memory (default true). */
  cache?: boolean;
  /** Read every file at open() to check it (default true); false needs numeric channels. */
  validate?: boolean;
  /** Files decoded at once while opening (default 4). */
  concurrency?: number;
}

/**
 * A classification dataset from root/<class name>/<images>: label = index of
 * the class name in `classNames` (sorted sub-folder names unless given).
 * Samples have `label` and no mask; `id` is '<class>/<stem>'.
 */
export class ClassificationFolder implements Dataset {
  readonly classNames: readonly string[];
  readonly files: readonly { id: string; path: string; label: number }[];
  readonly channels: number;
  readonly sizes: readonly { height: number; width: number }[];
  readonly root: string;
  private readonly cache: (StoredImage | undefined)[];

  private constructor(root: string, classNames: string[], files: { id: string; path: string; label: number }[], channels: number, sizes: { height: number; width: number }[], cache: (StoredImage | undefined)[]) {
    this.root = root;
    this.classNames = classNames;
    this.files = files;
    this.channels = channels;
    this.sizes = sizes;
    this.cache = cache;
  }

  static async open(root: string, options: ClassificationFolderOptions = {}): Promise<ClassificationFolder> {
    const op = 'data.ClassificationFolder';
    const rootAbs = resolve(root);
    const where = `classification folder ${rootAbs}`;
    const chOpt = checkChannelsOption(options.channels, op);
    let entries;
    try {
      entries = await readdir(rootAbs, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new TorchError(`${where}: ${code === 'ENOENT' ? 'not found' : code === 'ENOTDIR' ? 'not a directory' : (e as Error).message}`, op);
    }
    const dirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
    const classNames = options.classes ? [...options.classes] : dirs;
    if (classNames.length === 0) throw new TorchError(`${where}: no class sub-folders (expected root/<class name>/<image files>)`, op);
    const missing = classNames.filter((c) => !dirs.includes(c));
    if (missing.length > 0) throw new TorchError(`${where}: class folders not found: ${missing.join(', ')}`, op);
    const files: { id: string; path: string; label: number }[] = [];
    const empty: string[] = [];
    for (let label = 0; label < classNames.length; label++) {
      const dir = join(rootAbs, classNames[label]!);
      const list = await listImageFiles(dir, op, 'class folder');
      if (list.size === 0) empty.push(dir);
      for (const [stem, path] of list) files.push({ id: `${classNames[label]}/${stem}`, path, label });
    }
    if (empty.length > 0) throw new TorchError(`${where}: class folders without image files:\n${problemList(empty)}`, op);
    if (!(options.validate ?? true)) {
      if (chOpt === 'auto') throw new TorchError(`${where}: validate: false needs channels 1 or 3`, op);
      return new ClassificationFolder(rootAbs, classNames, files, chOpt, [], []);
    }
    const cache = options.cache ?? true;
    const problems: string[] = [];
    const sizes: { height: number; width: number }[] = [];
    const greys: boolean[] = [];
    const stored: (StoredImage | undefined)[] = [];
    await mapPool(files, options.concurrency ?? 4, async (f, i) => {
      try {
        const c = compactImage(await readImageRaw(f.path));
        sizes[i] = { height: c.height, width: c.width };
        greys[i] = c.grey;
        if (cache) stored[i] = c;
      } catch (e) {
        problems.push(errText(e));
      }
    });
    problems.sort();
    if (problems.length > 0) throw new TorchError(`${where}: ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n${problemList(problems)}`, op);
    const channels = chOpt === 'auto' ? (greys.every((g) => g) ? 1 : 3) : chOpt;
    return new ClassificationFolder(rootAbs, classNames, files, channels, sizes, stored);
  }

  get length(): number {
    return this.files.length;
  }

  get numClasses(): number {
    return this.classNames.length;
  }

  get(index: number): Sample | Promise<Sample> {
    if (!Number.isInteger(index) || index < 0 || index >= this.files.length) {
      throw new TorchError(`index ${index} out of range for ${this.files.length} samples`, 'data.ClassificationFolder.get');
    }
    const f = this.files[index]!;
    const make = (img: StoredImage): Sample => ({
      id: f.id,
      image: toFloat(img, this.channels),
      channels: this.channels,
      height: img.height,
      width: img.width,
      label: f.label,
    });
    const c = this.cache[index];
    if (c) return make(c);
    return readImageRaw(f.path).then((raw) => make(compactImage(raw)));
  }

  /** A plain-data spec that re-opens this dataset without validation (datasetFromSpec). */
  toSpec(): DatasetSpec {
    return { kind: 'classification-folder', root: this.root, options: { classes: [...this.classNames], channels: this.channels, validate: false, cache: false } };
  }

  describe(): string {
    return `classification folder ${this.root}: ${this.length} images in ${this.numClasses} classes (${this.classNames.slice(0, 10).join(', ')}${this.numClasses > 10 ? ', …' : ''}), ${this.channels} channel${this.channels > 1 ? 's' : ''}, ${this.sizes.length ? sizeRange(this.sizes as { height: number; width: number }[]) : 'sizes not read'}`;
  }
}

/**
 * A folder of images without labels (e.g. to predict on), read lazily. Each image has 1 channel when grey
 * (including RGB with R = G = B) and 3 otherwise (alpha dropped), unless `channels` forces a count.
 */
export class ImageFolder implements Dataset {
  readonly files: readonly { id: string; path: string }[];
  readonly numClasses = 0;
  private constructor(readonly dir: string, files: { id: string; path: string }[], private readonly forced: 1 | 3 | undefined) {
    this.files = files;
  }

  static async open(dir: string, options: { channels?: 1 | 3 } = {}): Promise<ImageFolder> {
    const op = 'data.ImageFolder';
    const abs = resolve(dir);
    const list = await listImageFiles(abs, op, 'image folder');
    if (list.size === 0) throw new TorchError(`image folder ${abs}: no image files (looked for ${IMAGE_EXTENSIONS.join(' ')})`, op);
    return new ImageFolder(abs, [...list].map(([id, path]) => ({ id, path })), options.channels);
  }

  get length(): number {
    return this.files.length;
  }

  /** The forced channel count, or 0 when each image keeps its own. */
  get channels(): number {
    return this.forced ?? 0;
  }

  async get(index: number): Promise<Sample> {
    const f = this.files[index];
    if (!f) throw new TorchError(`index ${index} out of range for ${this.files.length} images`, 'data.ImageFolder.get');
    const c = compactImage(await readImageRaw(f.path));
    const ch = this.forced ?? c.channels;
    return { id: f.id, image: toFloat(c, ch), channels: ch, height: c.height, width: c.width };
  }

  describe(): string {
    return `image folder ${this.dir}: ${this.length} images`;
  }
}
