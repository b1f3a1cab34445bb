/**
 * safetensors (the format of Hugging Face's safetensors, readable by Python's
 * `safetensors.torch.load_file`): 8-byte little-endian header length, a JSON
 * header { name: { dtype, shape, data_offsets }, __metadata__: { str: str } },
 * then the raw little-endian bytes. Files are written atomically.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { native } from './native.js';
import { TorchError } from './errors.js';
import { Tensor } from './tensor.js';
import { dtypeCode, elementSize, type DType } from './dtype.js';

const TO_ST: Record<DType, string> = {
  float64: 'F64', float32: 'F32', float16: 'F16', bfloat16: 'BF16',
  int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL',
};
const FROM_ST: Record<string, DType> = Object.fromEntries(Object.entries(TO_ST).map(([k, v]) => [v, k as DType]));

export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/** Encodes tensors (and string metadata) into safetensors bytes. */
export function serialize(tensors: Record<string, Tensor> | Map<string, Tensor>, metadata: Record<string, string> = {}): Buffer {
  const OP = 'safetensors.serialize';
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new TorchError(`metadata value for '${k}' must be a string`, OP);
  }
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const chunks: Buffer[] = [];
  let offset = 0;
  // Sorted like the Python implementation, so files are byte-identical for the same contents.
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor)) throw new TorchError(`'${name}' is not a Tensor`, OP);
    if (name === '__metadata__') throw new TorchError("'__metadata__' is reserved", OP);
    const bytes = Buffer.from(native.toBuffer(t.h));
    header[name] = { dtype: TO_ST[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
  const pad = (8 - ((8 + Buffer.byteLength(json)) % 8)) % 8;
  json += ' '.repeat(pad);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([head, Buffer.from(json, 'utf8'), ...chunks]);
}

/** Decodes safetensors bytes; `source` names the file in errors. */
export function deserialize(buf: Uint8Array, source = 'buffer'): SafetensorsContents {
  const OP = 'safetensors.load';
  const fail = (why: string): never => {
    throw new TorchError(`${source} is not a valid safetensors file: ${why}`, OP);
  };
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 8) fail(`it has ${b.length} bytes, fewer than the 8-byte header length`);
  const n = Number(b.readBigUInt64LE(0));
  if (n > b.length - 8) fail(`the header claims ${n} bytes but the file has ${b.length - 8} after the length`);
  let header: Record<string, any>;
  try {
    header = JSON.parse(b.subarray(8, 8 + n).toString('utf8'));
  } catch (e) {
    return fail(`the header is not JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = b.length - dataStart;
  const tensors: Record<string, Tensor> = {};
  const metadata: Record<string, string> = (header as Record<string, any>).__metadata__ ?? {};
  try {
    for (const [name, info] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const dtype = FROM_ST[info?.dtype];
      if (!dtype) fail(`tensor '${name}' has unsupported dtype ${JSON.stringify(info?.dtype)}`);
      const shape = info.shape;
      if (!Array.isArray(shape) || !shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0)) fail(`tensor '${name}' has a bad shape`);
      const [s, e] = info.data_offsets ?? [];
      const numel = shape.reduce((a: number, d: number) => a * d, 1);
      if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e < s || e > dataLen) fail(`tensor '${name}' has bad data_offsets [${s}, ${e}] (data is ${dataLen} bytes)`);
      if (e - s !== numel * elementSize(dtype)) fail(`tensor '${name}' needs ${numel * elementSize(dtype)} bytes for shape [${shape.join(', ')}] ${dtype}, the offsets give ${e - s}`);
      const bytes = new Uint8Array(b.buffer, b.byteOffset + dataStart + s, e - s);
      tensors[name] = new Tensor(native.fromBuffer(bytes, shape, dtypeCode(dtype)));
    }
  } catch (err) {
    for (const t of Object.values(tensors)) t.dispose();
    throw err;
  }
  return { tensors, metadata };
}

/** Writes bytes to `path` atomically: a temporary file in the same folder, fsync, rename. */
export function writeFileAtomic(path: string, data: Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd = -1;
  try {
    fd = openSync(tmp, 'w');
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
    try {
      const dfd = openSync(dirname(path), 'r');
      fsyncSync(dfd);
      closeSync(dfd);
    } catch {
      // Some file systems cannot fsync a folder; the rename is still atomic.
    }
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean up
    }
    throw new TorchError(`cannot write ${path}: ${(e as Error).message}`, 'safetensors.save');
  }
}

/** Saves tensors to a .safetensors file (atomically). */
export function saveFile(tensors: Record<string, Tensor> | Map<string, Tensor>, path: string, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, serialize(tensors, metadata));
}

/** Loads a .safetensors file. */
export function loadFile(path: string): SafetensorsContents {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new TorchError(`cannot read ${path}: ${(e as Error).message}`, 'safetensors.load');
  }
  return deserialize(buf, path);
}
