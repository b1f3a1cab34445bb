/**
 * A small BMP decoder (sharp/libvips has no BMP reader): uncompressed 1/4/8-bit
 * paletted, 16-bit (5-5-5 or bit fields), 24-bit and 32-bit (BGRx, or bit fields
 * with an optional alpha mask) images; bottom-up and top-down rows; the
 * BITMAPCOREHEADER (OS/2 1.x) and BITMAPINFOHEADER..V5 headers.
 * RLE-compressed and embedded JPEG/PNG BMPs are refused with a clear error.
 */

export interface DecodedBmp {
  /** H × W × C interleaved, 8 bits per sample. */
  data: Uint8Array;
  width: number;
  height: number;
  /** 1 for a paletted image whose palette is all grey, 3 for RGB, 4 when an alpha mask is present. */
  channels: number;
}

/** True when the buffer starts like a BMP file ("BM"). */
export function isBmp(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x42 && buf[1] === 0x4d;
}

const COMPRESSION_NAMES: Record<number, string> = {
  1: 'RLE8',
  2: 'RLE4',
  4: 'embedded JPEG',
  5: 'embedded PNG',
};

/** Decodes a BMP file; throws an Error with a plain message (the caller adds the file name). */
export function decodeBmp(buf: Uint8Array): DecodedBmp {
  if (!isBmp(buf)) throw new Error('not a BMP file (no "BM" signature)');
  if (buf.length < 26) throw new Error('corrupt BMP: file too short for its headers');
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const pixelOffset = dv.getUint32(10, true);
  const headerSize = dv.getUint32(14, true);
  let width: number;
  let height: number;
  let bpp: number;
  let compression = 0;
  let colorsUsed = 0;
  let paletteEntrySize = 4;
  if (headerSize === 12) {
    width = dv.getUint16(18, true);
    height = dv.getInt16(20, true);
    bpp = dv.getUint16(24, true);
    paletteEntrySize = 3;
  } else if (headerSize >= 40) {
    if (buf.length < 14 + 40) throw new Error('corrupt BMP: file too short for its headers');
    width = dv.getInt32(18, true);
    height = dv.getInt32(22, true);
    bpp = dv.getUint16(28, true);
    compression = dv.getUint32(30, true);
    colorsUsed = dv.getUint32(46, true);
  } else {
    throw new Error(`unsupported BMP header size ${headerSize}`);
  }
  const topDown = height < 0;
  height = Math.abs(height);
  if (width <= 0 || height <= 0) throw new Error(`corrupt BMP: size ${width}×${height}`);
  if (COMPRESSION_NAMES[compression] !== undefined) {
    throw new Error(`unsupported BMP compression ${COMPRESSION_NAMES[compression]}: only uncompressed BMP files are read (save it as PNG or TIFF)`);
  }
  if (compression !== 0 && compression !== 3 && compression !== 6) {
    throw new Error(`unsupported BMP compression type ${compression}`);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new Error(`unsupported BMP bit depth ${bpp}`);

  // Bit-field masks (16/32-bit).
  let masks: number[] | null = null;
  if (compression === 3 || compression === 6) {
    if (bpp !== 16 && bpp !== 32) throw new Error(`corrupt BMP: bit fields with ${bpp} bits per pixel`);
    const at = 54; // masks follow a 40-byte header, or sit inside V2..V5 headers at the same place
    const n = compression === 6 || headerSize >= 56 ? 4 : 3;
    if (buf.length < at + 4 * n) throw new Error('corrupt BMP: truncated bit-field masks');
    masks = [];
    for (let i = 0; i < n; i++) masks.push(dv.getUint32(at + 4 * i, true));
    if (n === 3) masks.push(0);
  } else if (bpp === 16) {
    masks = [0x7c00, 0x03e0, 0x001f, 0];
  } else if (bpp === 32) {
    masks = [0x00ff0000, 0x0000ff00, 0x000000ff, 0];
  }

  // Palette.
  let palette: Uint8Array | null = null; // RGB triples
  if (bpp <= 8) {
    const n = colorsUsed > 0 ? Math.min(colorsUsed, 1 << bpp) : 1 << bpp;
    const at = 14 + headerSize;
    const avail = Math.floor((Math.min(pixelOffset, buf.length) - at) / paletteEntrySize);
    const count = Math.min(n, Math.max(avail, 0));
    if (count <= 0) throw new Error('corrupt BMP: missing colour palette');
    palette = new Uint8Array(count * 3);
    for (let i = 0; i < count; i++) {
      const p = at + i * paletteEntrySize;
      palette[3 * i] = buf[p + 2]!;
      palette[3 * i + 1] = buf[p + 1]!;
      palette[3 * i + 2] = buf[p]!;
    }
  }

  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const lastRowBytes = Math.ceil((bpp * width) / 8);
  const needed = pixelOffset + stride * (height - 1) + lastRowBytes;
  if (pixelOffset >= buf.length || needed > buf.length) {
    throw new Error(`corrupt or truncated BMP: pixel data needs ${needed} bytes, the file has ${buf.length}`);
  }

  let channels: number;
  if (palette) {
    let grey = true;
    for (let i = 0; i < palette.length; i += 3) {
      if (palette[i] !== palette[i + 1] || palette[i] !== palette[i + 2]) {
        grey = false;
        break;
      }
    }
    channels = grey ? 1 : 3;
  } else {
    channels = masks && masks[3] !== 0 ? 4 : 3;
  }
  const out = new Uint8Array(width * height * channels);
  const nColors = palette ? palette.length / 3 : 0;

  // Bit-field helpers.
  const fields = (masks ?? []).map((m) => {
    if (m === 0) return { mask: 0, shift: 0, max: 0 };
    let shift = 0;
    while (((m >>> shift) & 1) === 0) shift++;
    let bits = 0;
    while (((m >>> (shift + bits)) & 1) === 1 && shift + bits < 32) bits++;
    return { mask: m >>> 0, shift, max: bits >= 32 ? 4294967295 : 2 ** bits - 1 };
  });
  const field = (v: number, f: { mask: number; shift: number; max: number }): number =>
    f.max === 0 ? 255 : Math.round((((v & f.mask) >>> 0) >>> f.shift) * 255 / f.max);

  for (let y = 0; y < height; y++) {
    const row = pixelOffset + stride * (topDown ? y : height - 1 - y);
    let o = y * width * channels;
    for (let x = 0; x < width; x++, o += channels) {
      if (palette) {
        let idx: number;
        if (bpp === 8) idx = buf[row + x]!;
        else if (bpp === 4) idx = (buf[row + (x >> 1)]! >> (x & 1 ? 0 : 4)) & 0x0f;
        else idx = (buf[row + (x >> 3)]! >> (7 - (x & 7))) & 1;
        if (idx >= nColors) throw new Error(`corrupt BMP: colour index ${idx} outside the palette of ${nColors} colours`);
        if (channels === 1) out[o] = palette[3 * idx]!;
        else {
          out[o] = palette[3 * idx]!;
          out[o + 1] = palette[3 * idx + 1]!;
          out[o + 2] = palette[3 * idx + 2]!;
        }
      } else if (bpp === 24) {
        const p = row + 3 * x;
        out[o] = buf[p + 2]!;
        out[o + 1] = buf[p + 1]!;
        out[o + 2] = buf[p]!;
      } else {
        const v = bpp === 16 ? dv.getUint16(row + 2 * x, true) : dv.getUint32(row + 4 * x, true);
        out[o] = field(v, fields[0]!);
        out[o + 1] = field(v, fields[1]!);
        out[o + 2] = field(v, fields[2]!);
        if (channels === 4) out[o + 3] = field(v, fields[3]!);
      }
    }
  }
  return { data: out, width, height, channels };
}

/**
 * Encodes an 8-bit image as an uncompressed BMP: 1 channel → 8-bit with a grey
 * palette, 3 channels → 24-bit, 4 channels → 32-bit with an alpha bit field (V4 header).
 * `data` is H × W × C interleaved.
 */
export function encodeBmp(data: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  if (![1, 3, 4].includes(channels)) throw new Error(`BMP: cannot write ${channels} channels`);
  if (data.length !== width * height * channels) throw new Error('BMP: data length does not match the size');
  const bpp = channels * 8;
  const headerSize = channels === 4 ? 108 : 40;
  const paletteBytes = channels === 1 ? 256 * 4 : 0;
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const pixelOffset = 14 + headerSize + paletteBytes;
  const size = pixelOffset + stride * height;
  const buf = new Uint8Array(size);
  const dv = new DataView(buf.buffer);
  buf[0] = 0x42;
  buf[1] = 0x4d;
  dv.setUint32(2, size, true);
  dv.setUint32(10, pixelOffset, true);
  dv.setUint32(14, headerSize, true);
  dv.setInt32(18, width, true);
  dv.setInt32(22, height, true); // bottom-up
  dv.setUint16(26, 1, true);
  dv.setUint16(28, bpp, true);
  dv.setUint32(30, channels === 4 ? 3 : 0, true);
  dv.setUint32(34, stride * height, true);
  dv.setUint32(38, 2835, true);
  dv.setUint32(42, 2835, true);
  dv.setUint32(46, channels === 1 ? 256 : 0, true);
  if (channels === 4) {
    dv.setUint32(54, 0x00ff0000, true);
    dv.setUint32(58, 0x0000ff00, true);
    dv.setUint32(62, 0x000000ff, true);
    dv.setUint32(66, 0xff000000, true);
    dv.setUint32(70, 0x73524742, true); // 'sRGB'
  }
  if (channels === 1) {
    for (let i = 0; i < 256; i++) {
      const p = 14 + headerSize + 4 * i;
      buf[p] = buf[p + 1] = buf[p + 2] = i;
    }
  }
  for (let y = 0; y < height; y++) {
    const row = pixelOffset + stride * (height - 1 - y);
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      if (channels === 1) buf[row + x] = data[i]!;
      else {
        const p = row + x * channels;
        buf[p] = data[i + 2]!;
        buf[p + 1] = data[i + 1]!;
        buf[p + 2] = data[i]!;
        if (channels === 4) buf[p + 3] = data[i + 3]!;
      }
    }
  }
  return buf;
}
