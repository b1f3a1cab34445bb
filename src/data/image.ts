/**
 * Image files in and out: PNG, JPEG, TIFF, WebP, GIF (first frame) through sharp,
 * and BMP through a small decoder of our own (libvips has no BMP reader).
 *
 * Pixel values are kept as stored: 0..255 for 8-bit files, 0..65535 for 16-bit
 * files, the stored values for float TIFFs. No normalisation happens here.
 */
import { readFile, writeFile, rename, unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp from 'sharp';
import type { Metadata, OutputInfo } from 'sharp';
import { TorchError } from '../torch/errors.js';
import { decodeBmp, encodeBmp, isBmp } from './bmp.js';

/** Pixel storage of a decoded file: 8-bit, 16-bit or float samples. */
export type PixelArray = Uint8Array | Uint16Array | Float32Array;

/** A decoded file, H × W × C interleaved, as stored (alpha dropped unless asked). */
export interface RawImage {
  data: PixelArray;
  channels: number;
  height: number;
  width: number;
  /** 8 or 16 for integer files, 32 for float files. */
  bitDepth: 8 | 16 | 32;
  /** The decoder's format name: 'png', 'jpeg', 'tiff', 'bmp', ... */
  format: string;
  /** Whether the last channel is alpha. */
  hasAlpha: boolean;
}

/** A decoded image, channels first, as float32. */
export interface ImageData {
  /** C × H × W, values as stored (0..255 or 0..65535). */
  data: Float32Array;
  channels: number;
  height: number;
  width: number;
  bitDepth: 8 | 16 | 32;
  format: string;
}

export interface ReadImageOptions {
  /** Drop an alpha channel (default true): RGBA → RGB, grey+alpha → grey. */
  dropAlpha?: boolean;
  /**
   * Convert to this many channels: 1 (RGB → grey by ITU-R BT.601 luma, or the
   * first channel when R = G = B), 3 (grey → RGB by copying). Default: as stored.
   */
  channels?: 1 | 3;
}

/** The file extensions the folder datasets look at (lower case, with the dot). */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.bmp', '.webp', '.gif'];

function fail(op: string, path: string, what: string): never {
  throw new TorchError(`${path}: ${what}`, op);
}

async function readBytes(op: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') fail(op, path, 'file not found');
    if (code === 'EISDIR') fail(op, path, 'is a directory, not an image file');
    if (code === 'EACCES' || code === 'EPERM') fail(op, path, 'unreadable (permission denied)');
    fail(op, path, `unreadable (${(e as Error).message})`);
  }
}

/** Decodes image bytes (any supported format); `name` is used in error messages. */
export async function decodeImageBuffer(buf: Uint8Array, name: string, options: { dropAlpha?: boolean } = {}, op = 'data.readImage'): Promise<RawImage> {
  const dropAlpha = options.dropAlpha ?? true;
  if (buf.length === 0) fail(op, name, 'empty file');
  if (isBmp(buf)) {
    let bmp;
    try {
      bmp = decodeBmp(buf);
    } catch (e) {
      fail(op, name, (e as Error).message);
    }
    let { data, channels } = bmp;
    if (channels === 4 && dropAlpha) {
      const n = bmp.width * bmp.height;
      const rgb = new Uint8Array(n * 3);
      for (let i = 0; i < n; i++) {
        rgb[3 * i] = data[4 * i]!;
        rgb[3 * i + 1] = data[4 * i + 1]!;
        rgb[3 * i + 2] = data[4 * i + 2]!;
      }
      data = rgb;
      channels = 3;
    }
    return { data, channels, height: bmp.height, width: bmp.width, bitDepth: 8, format: 'bmp', hasAlpha: channels === 4 };
  }

  let meta: Metadata;
  try {
    meta = await sharp(buf, { failOn: 'error' }).metadata();
  } catch (e) {
    const msg = (e as Error).message;
    if (/unsupported image format/i.test(msg)) {
      fail(op, name, 'unsupported or unrecognised image format (readable: PNG, JPEG, TIFF, BMP, WebP, GIF)');
    }
    fail(op, name, `corrupt image (${firstLine(msg)})`);
  }
  const grey = meta.space === 'b-w' || meta.space === 'grey16';
  const depth = meta.depth;
  const bitDepth: 8 | 16 | 32 = depth === 'uchar' || depth === 'char' ? 8 : depth === 'ushort' || depth === 'short' ? 16 : 32;
  let pipe = sharp(buf, { failOn: 'error' });
  if (bitDepth === 8) pipe = pipe.toColourspace(grey ? 'b-w' : 'srgb');
  else if (bitDepth === 16) pipe = pipe.toColourspace(grey ? 'grey16' : 'rgb16');
  else if (grey) pipe = pipe.toColourspace('b-w');
  if (dropAlpha) pipe = pipe.removeAlpha();
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await pipe
      .raw({ depth: bitDepth === 8 ? 'uchar' : bitDepth === 16 ? 'ushort' : 'float' })
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    fail(op, name, `corrupt or truncated image (${firstLine((e as Error).message)})`);
  }
  const { info } = out;
  const b = out.data;
  let data: PixelArray;
  // Copies into arrays that own their memory (transferable to worker threads).
  if (bitDepth === 8) data = new Uint8Array(b);
  else if (bitDepth === 16) data = new Uint16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  else data = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  return {
    data,
    channels: info.channels,
    height: info.height,
    width: info.width,
    bitDepth,
    format: meta.format ?? 'unknown',
    hasAlpha: info.channels === 2 || info.channels === 4,
  };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

/** Reads and decodes a file as stored, H × W × C interleaved. Errors name the file. */
export async function readImageRaw(path: string, options: { dropAlpha?: boolean } = {}): Promise<RawImage> {
  const buf = await readBytes('data.readImage', path);
  return decodeImageBuffer(buf, path, options);
}

/** H × W × C interleaved → C × H × W float32. */
export function toChannelsFirst(src: ArrayLike<number>, channels: number, height: number, width: number): Float32Array {
  const n = height * width;
  const out = new Float32Array(n * channels);
  if (channels === 1) {
    for (let i = 0; i < n; i++) out[i] = src[i]!;
    return out;
  }
  for (let c = 0; c < channels; c++) {
    const o = c * n;
    for (let i = 0, j = c; i < n; i++, j += channels) out[o + i] = src[j]!;
  }
  return out;
}

/** C × H × W → H × W × C interleaved, into `out` (a new array of the same kind as `src` by default). */
export function toChannelsLast<T extends PixelArray>(src: T, channels: number, height: number, width: number, out?: T): T {
  const n = height * width;
  const res = out ?? (new (src.constructor as new (n: number) => T)(n * channels));
  for (let c = 0; c < channels; c++) {
    const o = c * n;
    for (let i = 0, j = c; i < n; i++, j += channels) res[j] = src[o + i]!;
  }
  return res;
}

/**
 * Converts a C × H × W image between channel counts: 1 → 3 copies the grey
 * channel; 3 → 1 takes the first channel when R = G = B everywhere, otherwise
 * ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B); 4 → 3 and 2 → 1 drop alpha.
 */
export function convertChannels(data: Float32Array, from: number, to: number, height: number, width: number): Float32Array {
  if (from === to) return data;
  const n = height * width;
  if (from === 2 || from === 4) return convertChannels(data.slice(0, n * (from - 1)), from - 1, to, height, width);
  if (from === 1 && to === 3) {
    const out = new Float32Array(3 * n);
    out.set(data, 0);
    out.set(data, n);
    out.set(data, 2 * n);
    return out;
  }
  if (from === 3 && to === 1) {
    if (isGreyContent(data, 3, n)) return data.slice(0, n);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = 0.299 * data[i]! + 0.587 * data[n + i]! + 0.114 * data[2 * n + i]!;
    return out;
  }
  throw new TorchError(`cannot convert ${from} channels to ${to}`, 'data.convertChannels');
}

/** True when a channels-first image with ≥ 3 colour channels has R = G = B at every pixel. */
function isGreyContent(data: ArrayLike<number>, channels: number, n: number): boolean {
  if (channels < 3) return true;
  for (let i = 0; i < n; i++) {
    const r = data[i];
    if (data[n + i] !== r || data[2 * n + i] !== r) return false;
  }
  return true;
}

/** True when an interleaved image (H × W × C) with ≥ 3 channels has R = G = B at every pixel; always true for 1–2 channels. */
export function isGreyInterleaved(data: ArrayLike<number>, channels: number): boolean {
  if (channels < 3) return true;
  for (let j = 0; j < data.length; j += channels) {
    const r = data[j];
    if (data[j + 1] !== r || data[j + 2] !== r) return false;
  }
  return true;
}

/**
 * The grey view of a decoded file: the file itself when it has 1 channel, its
 * first channel when R = G = B at every pixel (one pass), null for colour.
 */
export function greyView(raw: RawImage): RawImage | null {
  if (raw.channels === 1) return raw;
  const { data, channels } = raw;
  if (channels < 3) {
    const out = new (data.constructor as new (n: number) => PixelArray)(raw.height * raw.width);
    for (let i = 0, j = 0; j < data.length; i++, j += channels) out[i] = data[j]!;
    return { ...raw, data: out, channels: 1, hasAlpha: false };
  }
  const n = raw.height * raw.width;
  const out = new (data.constructor as new (n: number) => PixelArray)(n);
  for (let i = 0, j = 0; i < n; i++, j += channels) {
    const r = data[j]!;
    if (data[j + 1] !== r || data[j + 2] !== r) return null;
    out[i] = r;
  }
  return { ...raw, data: out, channels: 1, hasAlpha: false };
}

/**
 * Reads an image file as C × H × W float32 with its values as stored
 * (0..255, 0..65535 for 16-bit files). Grey files give 1 channel, colour files 3
 * (4 with `dropAlpha: false` and an alpha channel). Errors name the file:
 * missing, unreadable, empty, corrupt or truncated, unsupported format.
 */
export async function readImage(path: string, options: ReadImageOptions = {}): Promise<ImageData> {
  const raw = await readImageRaw(path, { dropAlpha: options.dropAlpha ?? true });
  let data = toChannelsFirst(raw.data, raw.channels, raw.height, raw.width);
  let channels = raw.channels;
  if (options.channels !== undefined && options.channels !== channels) {
    if (options.channels !== 1 && options.channels !== 3) {
      throw new TorchError(`channels must be 1 or 3, got ${String(options.channels)}`, 'data.readImage');
    }
    data = convertChannels(data, channels, options.channels, raw.height, raw.width);
    channels = options.channels;
  }
  return { data, channels, height: raw.height, width: raw.width, bitDepth: raw.bitDepth, format: raw.format };
}

export interface WriteImageOptions {
  /**
   * Bits per sample of the file: 8 (default for Uint8Array and Float32Array data) or 16
   * (default for Uint16Array data). Float values are rounded and clamped to the range.
   */
  bitDepth?: 8 | 16;
  /** Layout of `data`: 'chw' (channels first, default, as readImage gives) or 'hwc'. */
  layout?: 'chw' | 'hwc';
}

/**
 * Writes a PNG (1 = grey, 2 = grey + alpha, 3 = RGB, 4 = RGBA channels) from
 * C × H × W data: masks (Uint8Array H × W with channels 1), images as read
 * (Float32Array, clamped to 0..255 or 0..65535 and rounded), or 16-bit data.
 * The file is written to a temporary name first and renamed into place.
 */
export async function writePng(
  path: string,
  data: Uint8Array | Uint16Array | Float32Array | number[],
  shape: { channels: number; height: number; width: number },
  options: WriteImageOptions = {},
): Promise<void> {
  const op = 'data.writePng';
  const { channels, height, width } = shape;
  if (![1, 2, 3, 4].includes(channels)) fail(op, path, `cannot write ${channels} channels (1 to 4)`);
  if (!(Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0)) {
    fail(op, path, `bad size ${height}×${width}`);
  }
  const n = channels * height * width;
  if (data.length !== n) fail(op, path, `data has ${data.length} values, ${channels}×${height}×${width} needs ${n}`);
  const bitDepth = options.bitDepth ?? (data instanceof Uint16Array ? 16 : 8);
  const max = bitDepth === 16 ? 65535 : 255;
  let typed: Uint8Array | Uint16Array;
  if ((bitDepth === 8 && data instanceof Uint8Array) || (bitDepth === 16 && data instanceof Uint16Array)) {
    typed = data;
  } else {
    typed = bitDepth === 16 ? new Uint16Array(n) : new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = Math.round(Number(data[i]));
      typed[i] = Number.isNaN(v) ? 0 : v < 0 ? 0 : v > max ? max : v;
    }
  }
  const hwc = options.layout === 'hwc' || channels === 1 ? typed : toChannelsLast(typed, channels, height, width);
  const grey = channels <= 2;
  const tmp = `${path}.tmp-${process.pid}-${Math.floor(performance.now() * 1000)}`;
  try {
    await sharp(hwc, { raw: { width, height, channels: channels as 1 | 2 | 3 | 4 } })
      .toColourspace(bitDepth === 16 ? (grey ? 'grey16' : 'rgb16') : grey ? 'b-w' : 'srgb')
      .png({ compressionLevel: 6 })
      .toFile(tmp);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    fail(op, path, `cannot write (${firstLine((e as Error).message)})`);
  }
}

/** Writes an 8-bit uncompressed BMP (1, 3 or 4 channels) from C × H × W data (for tests and exports). */
export async function writeBmp(path: string, data: Uint8Array, shape: { channels: number; height: number; width: number }): Promise<void> {
  const { channels, height, width } = shape;
  const hwc = channels === 1 ? data : toChannelsLast(data, channels, height, width);
  try {
    await writeFile(path, encodeBmp(hwc, width, height, channels));
  } catch (e) {
    fail('data.writeBmp', path, (e as Error).message);
  }
}

/** The file name without its directory and last extension. */
export function fileStem(path: string): string {
  const b = basename(path);
  const dot = b.lastIndexOf('.');
  return dot > 0 ? b.slice(0, dot) : b;
}
