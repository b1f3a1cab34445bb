// Image files: PNG / JPEG / TIFF / BMP reading (grey, RGB, RGBA, 16-bit), writePng round trips, and
// clear errors naming the file for missing, empty, corrupt and unsupported files.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tn from 'tunet';

const D = tn.data;
const dir = mkdtempSync(join(tmpdir(), 'tunet-img-'));
const FIX = join(process.cwd(), 'test', 'fixtures', 'images');
after(() => rmSync(dir, { recursive: true, force: true }));

/** A W × H image with C channels (interleaved) and known values. */
function pattern(w: number, h: number, c: number, f: (x: number, y: number, ch: number) => number): Uint8Array {
  const a = new Uint8Array(w * h * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) a[(y * w + x) * c + k] = f(x, y, k);
  return a;
}

/** Interleaved H × W × C → channels-first, as numbers. */
function chw(a: ArrayLike<number>, w: number, h: number, c: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < c; k++) for (let i = 0; i < w * h; i++) out.push(a[i * c + k]!);
  return out;
}

async function expectError(p: Promise<unknown>, ...parts: (string | RegExp)[]): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.ok(e instanceof tn.TorchError, `a TorchError, got ${e}`);
    for (const part of parts) {
      if (typeof part === 'string') assert.ok(e.message.includes(part), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(part)}`);
      else assert.match(e.message, part);
    }
    return true;
  });
}

const W = 7;
const H = 5;
const rgbVals = (x: number, y: number, k: number): number => (x * 30 + y * 11 + k * 70) % 256;

test('PNG: grey, RGB and RGBA read channels-first with the stored values', async () => {
  const grey = pattern(W, H, 1, (x, y) => x * 20 + y * 3);
  await sharp(grey, { raw: { width: W, height: H, channels: 1 } }).toColourspace('b-w').png().toFile(join(dir, 'g.png'));
  const g = await D.readImage(join(dir, 'g.png'));
  assert.deepEqual([g.channels, g.height, g.width, g.bitDepth, g.format], [1, H, W, 8, 'png']);
  assert.ok(g.data instanceof Float32Array);
  assert.deepEqual([...g.data], [...grey]);

  const rgb = pattern(W, H, 3, rgbVals);
  await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).png().toFile(join(dir, 'rgb.png'));
  const c = await D.readImage(join(dir, 'rgb.png'));
  assert.deepEqual([c.channels, c.height, c.width], [3, H, W]);
  assert.deepEqual([...c.data], chw(rgb, W, H, 3));

  const rgba = pattern(W, H, 4, (x, y, k) => (k === 3 ? 128 + x : rgbVals(x, y, k)));
  await sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png().toFile(join(dir, 'rgba.png'));
  const dropped = await D.readImage(join(dir, 'rgba.png'));
  assert.equal(dropped.channels, 3, 'alpha dropped by default');
  assert.deepEqual([...dropped.data], chw(rgb, W, H, 3));
  const kept = await D.readImage(join(dir, 'rgba.png'), { dropAlpha: false });
  assert.equal(kept.channels, 4);
  assert.deepEqual([...kept.data], chw(rgba, W, H, 4));
});

test('16-bit grey and RGB PNG keep values 0..65535', async () => {
  const g16 = new Uint16Array([0, 1, 1000, 30000, 65535, 257]);
  await sharp(g16, { raw: { width: 3, height: 2, channels: 1 } }).toColourspace('grey16').png().toFile(join(dir, 'g16.png'));
  const g = await D.readImage(join(dir, 'g16.png'));
  assert.deepEqual([g.channels, g.bitDepth], [1, 16]);
  assert.deepEqual([...g.data], [...g16]);
  // writePng round trip of 16-bit RGB (channels-first in, channels-first out)
  const rgb16 = new Uint16Array([0, 65535, 12345, 1, 2, 3, 40000, 500, 9, 8, 7, 6]); // 3 × 2 × 2
  await D.writePng(join(dir, 'rgb16.png'), rgb16, { channels: 3, height: 2, width: 2 });
  const r = await D.readImage(join(dir, 'rgb16.png'));
  assert.deepEqual([r.channels, r.bitDepth], [3, 16]);
  assert.deepEqual([...r.data], [...rgb16]);
});

test('JPEG (lossy, close) and TIFF (lossless, exact) are read', async () => {
  const rgb = pattern(16, 16, 3, (x, y, k) => (k === 0 ? 200 : k === 1 ? 100 : 50) + ((x + y) % 2));
  await sharp(rgb, { raw: { width: 16, height: 16, channels: 3 } }).jpeg({ quality: 95 }).toFile(join(dir, 'a.jpg'));
  const j = await D.readImage(join(dir, 'a.jpg'));
  assert.deepEqual([j.channels, j.height, j.width, j.format], [3, 16, 16, 'jpeg']);
  const want = chw(rgb, 16, 16, 3);
  const maxErr = Math.max(...[...j.data].map((v, i) => Math.abs(v - want[i]!)));
  assert.ok(maxErr <= 8, `JPEG error ${maxErr}`);

  const grey = pattern(W, H, 1, (x, y) => 255 - x * y);
  await sharp(grey, { raw: { width: W, height: H, channels: 1 } }).toColourspace('b-w').tiff({ compression: 'lzw' }).toFile(join(dir, 'g.tif'));
  const t = await D.readImage(join(dir, 'g.tif'));
  assert.deepEqual([t.channels, t.format], [1, 'tiff']);
  assert.deepEqual([...t.data], [...grey]);
  const rgb2 = pattern(W, H, 3, rgbVals);
  await sharp(rgb2, { raw: { width: W, height: H, channels: 3 } }).tiff({ compression: 'deflate' }).toFile(join(dir, 'c.tiff'));
  assert.deepEqual([...(await D.readImage(join(dir, 'c.tiff'))).data], chw(rgb2, W, H, 3));
  const g16 = new Uint16Array([5, 60000, 7, 8]);
  await sharp(g16, { raw: { width: 2, height: 2, channels: 1 } }).toColourspace('grey16').tiff({ compression: 'lzw' }).toFile(join(dir, 'g16.tif'));
  const t16 = await D.readImage(join(dir, 'g16.tif'));
  assert.deepEqual([t16.bitDepth, ...t16.data], [16, 5, 60000, 7, 8]);
});

test('files written by Pillow (BMP 1-bit, 8-bit grey and paletted, 24-bit, 32-bit; float TIFF) decode to the same pixels', async () => {
  const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as Record<string, { channels: number; width: number; height: number; pixels: number[][] }>;
  assert.equal(Object.keys(expected).length, 6);
  for (const [name, e] of Object.entries(expected)) {
    const img = await D.readImage(join(FIX, name));
    const fmt = name.endsWith('.bmp') ? 'bmp' : 'tiff';
    assert.deepEqual([img.channels, img.height, img.width, img.format, img.bitDepth], [e.channels, e.height, e.width, fmt, fmt === 'bmp' ? 8 : 32], name);
    assert.deepEqual([...img.data], chw(e.pixels.flat(), e.width, e.height, e.channels), name);
  }
});

test('BMP written by writeBmp round-trips grey, RGB and RGBA (top-down rows too)', async () => {
  for (const c of [1, 3, 4]) {
    const img = pattern(W, H, c, (x, y, k) => (x * 37 + y * 13 + k * 50) % 256);
    const data = Uint8Array.from(chw(img, W, H, c));
    await D.writeBmp(join(dir, `w${c}.bmp`), data, { channels: c, height: H, width: W });
    const back = await D.readImage(join(dir, `w${c}.bmp`), { dropAlpha: false });
    assert.equal(back.channels, c);
    assert.deepEqual([...back.data], [...data]);
  }
  // top-down: negative height in the header, rows stored first to last
  const bytes = D.encodeBmp(pattern(W, H, 3, rgbVals), W, H, 3);
  const dv = new DataView(bytes.buffer);
  const stride = Math.ceil((W * 3) / 4) * 4;
  const flipped = new Uint8Array(bytes);
  for (let y = 0; y < H; y++) flipped.set(bytes.subarray(54 + (H - 1 - y) * stride, 54 + (H - y) * stride), 54 + y * stride);
  new DataView(flipped.buffer).setInt32(22, -H, true);
  assert.equal(dv.getInt32(22, true), H);
  const td = D.decodeBmp(flipped);
  assert.deepEqual([...td.data], [...pattern(W, H, 3, rgbVals)]);
});

/** A minimal BITMAPINFOHEADER file. */
function bmpHeader(width: number, height: number, bpp: number, compression: number, paletteBytes: number, pixelBytes: number): Uint8Array {
  const off = 54 + paletteBytes;
  const buf = new Uint8Array(off + pixelBytes);
  const dv = new DataView(buf.buffer);
  buf[0] = 0x42;
  buf[1] = 0x4d;
  dv.setUint32(2, buf.length, true);
  dv.setUint32(10, off, true);
  dv.setUint32(14, 40, true);
  dv.setInt32(18, width, true);
  dv.setInt32(22, height, true);
  dv.setUint16(26, 1, true);
  dv.setUint16(28, bpp, true);
  dv.setUint32(30, compression, true);
  return buf;
}

test('BMP 4-bit paletted and 16-bit 5-5-5 decode; RLE and truncated files are refused by name', async () => {
  // 3 × 1, 4-bit: palette 0 = black, 1 = red, 2 = (16, 32, 48)
  const b4 = bmpHeader(3, 1, 4, 0, 16 * 4, 4);
  b4.set([0, 0, 0, 0, 0, 0, 255, 0, 48, 32, 16, 0], 54);
  b4[54 + 64] = 0x12; // pixels 1, 2
  b4[54 + 65] = 0x00; // pixel 0
  const d4 = D.decodeBmp(b4);
  assert.deepEqual([d4.channels, ...d4.data], [3, 255, 0, 0, 16, 32, 48, 0, 0, 0]);
  // 2 × 1, 16-bit x1555: pure red (31 << 10) and (1, 2, 3) in 5 bits
  const b16 = bmpHeader(2, 1, 16, 0, 0, 4);
  const dv = new DataView(b16.buffer);
  dv.setUint16(54, 31 << 10, true);
  dv.setUint16(56, (1 << 10) | (2 << 5) | 3, true);
  const d16 = D.decodeBmp(b16);
  assert.deepEqual([...d16.data], [255, 0, 0, 8, 16, 25]);

  const rle = bmpHeader(4, 4, 8, 1, 1024, 16);
  writeFileSync(join(dir, 'rle.bmp'), rle);
  await expectError(D.readImage(join(dir, 'rle.bmp')), join(dir, 'rle.bmp'), 'RLE8');
  const full = readFileSync(join(FIX, 'rgb24.bmp'));
  writeFileSync(join(dir, 'short.bmp'), full.subarray(0, full.length - 20));
  await expectError(D.readImage(join(dir, 'short.bmp')), join(dir, 'short.bmp'), 'truncated');
});

test('channels option converts: grey → RGB copies, RGB → grey is BT.601 luma', async () => {
  const g3 = await D.readImage(join(dir, 'g.png'), { channels: 3 });
  assert.equal(g3.channels, 3);
  const n = W * H;
  assert.deepEqual([...g3.data.subarray(0, n)], [...g3.data.subarray(2 * n)]);
  const c1 = await D.readImage(join(dir, 'rgb.png'), { channels: 1 });
  const c3 = await D.readImage(join(dir, 'rgb.png'));
  assert.equal(c1.channels, 1);
  for (const i of [0, 7, n - 1]) {
    const want = 0.299 * c3.data[i]! + 0.587 * c3.data[n + i]! + 0.114 * c3.data[2 * n + i]!;
    assert.ok(Math.abs(c1.data[i]! - want) < 1e-3);
  }
});

test('writePng: masks (Uint8 values kept exactly), float images (rounded, clamped), and HWC layout', async () => {
  const mask = Uint8Array.from({ length: W * H }, (_, i) => i % 4);
  await D.writePng(join(dir, 'mask.png'), mask, { channels: 1, height: H, width: W });
  const m = await D.readImageRaw(join(dir, 'mask.png'));
  assert.deepEqual([m.channels, ...m.data], [1, ...mask]);
  const f = Float32Array.from({ length: 3 * 4 }, (_, i) => i * 30 - 20.4); // 3 × 2 × 2
  await D.writePng(join(dir, 'f.png'), f, { channels: 3, height: 2, width: 2 });
  const back = await D.readImage(join(dir, 'f.png'));
  assert.deepEqual([...back.data], [...f].map((v) => Math.min(255, Math.max(0, Math.round(v)))));
  const hwc = pattern(2, 2, 3, rgbVals);
  await D.writePng(join(dir, 'hwc.png'), hwc, { channels: 3, height: 2, width: 2 }, { layout: 'hwc' });
  assert.deepEqual([...(await D.readImage(join(dir, 'hwc.png'))).data], chw(hwc, 2, 2, 3));
  await assert.rejects(D.writePng(join(dir, 'bad.png'), new Uint8Array(5), { channels: 1, height: 2, width: 2 }), /bad\.png: data has 5 values/);
  await assert.rejects(D.writePng(join(dir, 'nodir', 'x.png'), mask, { channels: 1, height: H, width: W }), /nodir\/x\.png: cannot write/);
});

test('errors name the file: missing, directory, empty, truncated, garbage, unsupported', async () => {
  await expectError(D.readImage(join(dir, 'nope.png')), join(dir, 'nope.png'), 'not found');
  mkdirSync(join(dir, 'adir.png'));
  await expectError(D.readImage(join(dir, 'adir.png')), join(dir, 'adir.png'), 'directory');
  writeFileSync(join(dir, 'empty.png'), new Uint8Array(0));
  await expectError(D.readImage(join(dir, 'empty.png')), join(dir, 'empty.png'), 'empty file');
  // A noisy image compresses badly, so cutting its PNG in half cuts into the pixel data.
  const noise = Uint8Array.from({ length: 3 * 64 * 64 }, (_, i) => (i * 2654435761) % 251);
  await D.writePng(join(dir, 'noise.png'), noise, { channels: 3, height: 64, width: 64 });
  const png = readFileSync(join(dir, 'noise.png'));
  writeFileSync(join(dir, 'trunc.png'), png.subarray(0, png.length >> 1));
  await expectError(D.readImage(join(dir, 'trunc.png')), join(dir, 'trunc.png'), /corrupt/);
  const jpg = readFileSync(join(dir, 'a.jpg'));
  writeFileSync(join(dir, 'trunc.jpg'), jpg.subarray(0, jpg.length - 30));
  await expectError(D.readImage(join(dir, 'trunc.jpg')), join(dir, 'trunc.jpg'), /corrupt/);
  writeFileSync(join(dir, 'text.png'), 'this is not an image at all');
  await expectError(D.readImage(join(dir, 'text.png')), join(dir, 'text.png'), 'unsupported or unrecognised image format');
  writeFileSync(join(dir, 'img.pgm'), 'P5\n2 2\n255\n\x00\x01\x02\x03');
  await expectError(D.readImage(join(dir, 'img.pgm')), join(dir, 'img.pgm'), 'unsupported');
  writeFileSync(join(dir, 'bm.bmp'), 'BMxx');
  await expectError(D.readImage(join(dir, 'bm.bmp')), join(dir, 'bm.bmp'), 'corrupt BMP');
});
