/**
 * IDX files (the MNIST / Fashion-MNIST format), gzipped or not (detected by the
 * gzip magic bytes, not the name). Header: two zero bytes, a type code (0x08
 * uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), the
 * number of dimensions, then each dimension as a big-endian int32; then the
 * data, big-endian, row-major.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { TorchError } from '../torch/errors.js';
import type { Dataset, Sample } from './types.js';

export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

const CODES: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: 'uint8', size: 1 },
  0x09: { type: 'int8', size: 1 },
  0x0b: { type: 'int16', size: 2 },
  0x0c: { type: 'int32', size: 4 },
  0x0d: { type: 'float32', size: 4 },
  0x0e: { type: 'float64', size: 8 },
};

export interface IdxTensor {
  type: IdxType;
  shape: number[];
  /** Native-endian values, row-major. */
  data: IdxArray;
}

const OP = 'data.idx';

/** Parses IDX bytes (gunzips first when they start with the gzip magic 1f 8b); `name` is used in errors. */
export function parseIdx(bytes: Uint8Array, name: string): IdxTensor {
  let buf = bytes;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new TorchError(`${name}: corrupt or truncated gzip data (${(e as Error).message})`, OP);
    }
  }
  if (buf.length < 4) throw new TorchError(`${name}: too short for an IDX header (${buf.length} bytes)`, OP);
  if (buf[0] !== 0 || buf[1] !== 0) {
    const hex = [...buf.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new TorchError(`${name}: bad IDX magic ${hex} (an IDX file starts with 00 00, a type code and the number of dimensions)`, OP);
  }
  const code = CODES[buf[2]!];
  if (!code) throw new TorchError(`${name}: unknown IDX data type code 0x${buf[2]!.toString(16).padStart(2, '0')}`, OP);
  const ndim = buf[3]!;
  if (ndim === 0) throw new TorchError(`${name}: IDX header with 0 dimensions`, OP);
  const headerLen = 4 + 4 * ndim;
  if (buf.length < headerLen) throw new TorchError(`${name}: truncated IDX header (${ndim} dimensions need ${headerLen} bytes, the file has ${buf.length})`, OP);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) {
    const d = dv.getInt32(4 + 4 * i, false);
    if (d < 0) throw new TorchError(`${name}: negative IDX dimension ${d}`, OP);
    shape.push(d);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const need = headerLen + count * code.size;
  if (buf.length < need) {
    throw new TorchError(`${name}: truncated IDX file: shape [${shape.join(', ')}] of ${code.type} needs ${need} bytes, the file has ${buf.length}`, OP);
  }
  let data: IdxArray;
  const at = headerLen;
  switch (code.type) {
    case 'uint8':
      data = new Uint8Array(buf.subarray(at, at + count));
      break;
    case 'int8':
      data = new Int8Array(new Uint8Array(buf.subarray(at, at + count)).buffer);
      break;
    case 'int16': {
      const a = new Int16Array(count);
      for (let i = 0; i < count; i++) a[i] = dv.getInt16(at + 2 * i, false);
      data = a;
      break;
    }
    case 'int32': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = dv.getInt32(at + 4 * i, false);
      data = a;
      break;
    }
    case 'float32': {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = dv.getFloat32(at + 4 * i, false);
      data = a;
      break;
    }
    case 'float64': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = dv.getFloat64(at + 8 * i, false);
      data = a;
      break;
    }
  }
  return { type: code.type, shape, data };
}

/** Reads an IDX file (gzipped or not). Errors name the file. */
export function readIdx(path: string): IdxTensor {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TorchError(`${path}: ${code === 'ENOENT' ? 'file not found' : `unreadable (${(e as Error).message})`}`, OP);
  }
  return parseIdx(bytes, path);
}

function typeOf(data: IdxArray): IdxType {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}

/** Encodes an IDX file (type from the array's kind), gzipped when asked. */
export function encodeIdx(data: IdxArray, shape: number[], options: { gzip?: boolean } = {}): Uint8Array {
  const type = typeOf(data);
  const entry = Object.entries(CODES).find(([, v]) => v.type === type)!;
  const code = Number(entry[0]);
  const size = entry[1].size;
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new TorchError(`shape [${shape.join(', ')}] has ${count} values, data has ${data.length}`, 'data.writeIdx');
  const headerLen = 4 + 4 * shape.length;
  const out = new Uint8Array(headerLen + count * size);
  const dv = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => dv.setInt32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const at = headerLen + i * size;
    const v = data[i]!;
    switch (type) {
      case 'uint8':
        dv.setUint8(at, v);
        break;
      case 'int8':
        dv.setInt8(at, v);
        break;
      case 'int16':
        dv.setInt16(at, v, false);
        break;
      case 'int32':
        dv.setInt32(at, v, false);
        break;
      case 'float32':
        dv.setFloat32(at, v, false);
        break;
      case 'float64':
        dv.setFloat64(at, v, false);
        break;
    }
  }
  return options.gzip ? gzipSync(out) : out;
}

/** Writes an IDX file (gzipped when asked). */
export function writeIdx(path: string, data: IdxArray, shape: number[], options: { gzip?: boolean } = {}): void {
  writeFileSync(path, encodeIdx(data, shape, options));
}

export interface IdxDatasetOptions {
  /** Names of the classes by label (e.g. FASHION_MNIST_CLASSES). */
  classNames?: string[];
  /** Use only the first `limit` samples. */
  limit?: number;
}

/**
 * Images and labels from a pair of IDX files: images N × H × W (any IDX type;
 * values as stored, 0..255 for MNIST) → samples with image 1 × H × W float32
 * and `label`; or N × F feature vectors → 1 × 1 × F. Labels: N integers ≥ 0;
 * numClasses = max label + 1 (or classNames.length).
 */
export class IdxDataset implements Dataset {
  readonly channels = 1;
  readonly height: number;
  readonly width: number;
  readonly numClasses: number;
  readonly classNames: readonly string[] | undefined;
  readonly labels: Int32Array;
  private readonly images: IdxArray;
  private readonly n: number;

  constructor(readonly imagesPath: string, readonly labelsPath: string, options: IdxDatasetOptions = {}) {
    const op = 'data.IdxDataset';
    const images = readIdx(imagesPath);
    const labels = readIdx(labelsPath);
    if (images.shape.length !== 3 && images.shape.length !== 2) {
      throw new TorchError(`${imagesPath}: images must be N × H × W (or N × features), the file is [${images.shape.join(', ')}]`, op);
    }
    if (labels.shape.length !== 1) throw new TorchError(`${labelsPath}: labels must be one dimension N, the file is [${labels.shape.join(', ')}]`, op);
    if (labels.type === 'float32' || labels.type === 'float64') {
      if (![...labels.data].every((v) => Number.isInteger(v))) throw new TorchError(`${labelsPath}: labels must be integers`, op);
    }
    const nImages = images.shape[0]!;
    const nLabels = labels.shape[0]!;
    if (nImages !== nLabels) {
      throw new TorchError(`size mismatch: ${imagesPath} has ${nImages} images but ${labelsPath} has ${nLabels} labels`, op);
    }
    this.n = options.limit !== undefined ? Math.min(options.limit, nImages) : nImages;
    this.height = images.shape.length === 3 ? images.shape[1]! : 1;
    this.width = images.shape.length === 3 ? images.shape[2]! : images.shape[1]!;
    this.images = images.data;
    this.labels = Int32Array.from(labels.data.subarray(0, this.n) as ArrayLike<number>);
    let max = -1;
    for (const l of this.labels) {
      if (l < 0) throw new TorchError(`${labelsPath}: negative label ${l}`, op);
      if (l > max) max = l;
    }
    this.classNames = options.classNames ? [...options.classNames] : undefined;
    if (this.classNames && max >= this.classNames.length) {
      throw new TorchError(`${labelsPath}: label ${max} but only ${this.classNames.length} class names`, op);
    }
    this.numClasses = this.classNames ? this.classNames.length : max + 1;
  }

  get length(): number {
    return this.n;
  }

  get(index: number): Sample {
    if (!Number.isInteger(index) || index < 0 || index >= this.n) {
      throw new TorchError(`index ${index} out of range for ${this.n} samples`, 'data.IdxDataset.get');
    }
    const size = this.height * this.width;
    const image = new Float32Array(size);
    const src = this.images;
    const at = index * size;
    for (let i = 0; i < size; i++) image[i] = src[at + i]!;
    return { id: String(index), image, channels: 1, height: this.height, width: this.width, label: this.labels[index]! };
  }

  describe(): string {
    return `IDX ${this.imagesPath} + ${this.labelsPath}: ${this.n} images 1×${this.height}×${this.width}, ${this.numClasses} classes`;
  }
}

/** Fashion-MNIST class names by label. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** Where Debian's dataset-fashion-mnist package puts the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

function findIdx(dir: string, base: string): string | undefined {
  for (const name of [`${base}.gz`, base]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * The Fashion-MNIST (or MNIST: same file names) train or test split from a folder
 * holding train-images-idx3-ubyte(.gz) etc. (default: Debian's dataset-fashion-mnist).
 */
export function fashionMnist(split: 'train' | 'test' = 'train', dir = FASHION_MNIST_DIR, options: Omit<IdxDatasetOptions, 'classNames'> = {}): IdxDataset {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = findIdx(dir, `${prefix}-images-idx3-ubyte`);
  const labels = findIdx(dir, `${prefix}-labels-idx1-ubyte`);
  if (!images || !labels) {
    throw new TorchError(
      `${dir}: no ${prefix}-images-idx3-ubyte(.gz) / ${prefix}-labels-idx1-ubyte(.gz)` +
        (dir === FASHION_MNIST_DIR ? ' (install Debian package dataset-fashion-mnist)' : ''),
      'data.fashionMnist',
    );
  }
  return new IdxDataset(images, labels, { ...options, classNames: FASHION_MNIST_CLASSES });
}
