// SegmentationFolder / ClassificationFolder / ImageFolder on folders made here with sharp: pairing by stem,
// mask decoding rules (0/255, 0/1, class indices, grey levels, colour palettes, ignore label), channels,
// cache and re-opening, and every bad input reported before any run starts, naming the files.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tn from 'tunet';

const D = tn.data;
const base = mkdtempSync(join(tmpdir(), 'tunet-folder-'));
after(() => rmSync(base, { recursive: true, force: true }));
let counter = 0;

type Px = (x: number, y: number, k: number) => number;

async function writeImage(path: string, w: number, h: number, c: number, f: Px): Promise<void> {
  const a = new Uint8Array(w * h * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) a[(y * w + x) * c + k] = f(x, y, k);
  let p = sharp(a, { raw: { width: w, height: h, channels: c as 1 | 2 | 3 | 4 } });
  if (c === 1) p = p.toColourspace('b-w');
  if (path.endsWith('.jpg')) await p.jpeg({ quality: 90 }).toFile(path);
  else if (path.endsWith('.tif')) await p.tiff({ compression: 'lzw' }).toFile(path);
  else if (path.endsWith('.bmp')) {
    const chw = new Uint8Array(a.length);
    for (let k = 0; k < c; k++) for (let i = 0; i < w * h; i++) chw[k * w * h + i] = a[i * c + k]!;
    await D.writeBmp(path, chw, { channels: c, height: h, width: w });
  } else await p.png().toFile(path);
}

interface PairSpec {
  stem: string;
  imageExt?: string;
  maskExt?: string;
  maskStem?: string;
  w?: number;
  h?: number;
  /** Image channels (default 3) and values. */
  c?: number;
  img?: Px;
  /** Mask channels (default 1) and values. */
  mc?: number;
  mask: Px;
  maskW?: number;
  maskH?: number;
}

/** A new root with images/ and masks/ (or other folder names). */
async function makeFolder(pairs: PairSpec[], dirs: { images?: string; masks?: string } = {}): Promise<string> {
  const root = join(base, `set${counter++}`);
  const imagesDir = join(root, dirs.images ?? 'images');
  const masksDir = join(root, dirs.masks ?? 'masks');
  mkdirSync(imagesDir, { recursive: true });
  mkdirSync(masksDir, { recursive: true });
  for (const p of pairs) {
    const w = p.w ?? 8;
    const h = p.h ?? 6;
    await writeImage(join(imagesDir, `${p.stem}${p.imageExt ?? '.png'}`), w, h, p.c ?? 3, p.img ?? ((x, y, k) => (x * 20 + y * 7 + k * 50) % 256));
    await writeImage(join(masksDir, `${p.maskStem ?? p.stem}${p.maskExt ?? '.png'}`), p.maskW ?? w, p.maskH ?? h, p.mc ?? 1, p.mask);
  }
  return root;
}

async function openError(root: string, options: Parameters<typeof D.SegmentationFolder.open>[1], ...parts: (string | RegExp)[]): Promise<string> {
  let msg = '';
  await assert.rejects(D.SegmentationFolder.open(root, options), (e: Error) => {
    assert.ok(e instanceof tn.TorchError, String(e));
    msg = e.message;
    for (const part of parts) {
      if (typeof part === 'string') assert.ok(e.message.includes(part), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(part)}`);
      else assert.match(e.message, part);
    }
    return true;
  });
  return msg;
}

const half: Px = (x) => (x < 4 ? 0 : 255);

test('binary 0/255 masks become 0/1; pairs by stem across extensions; colour images give 3 channels', async () => {
  const root = await makeFolder([
    { stem: 'a', imageExt: '.jpg', mask: half },
    { stem: 'b', imageExt: '.tif', mask: (x, y) => (y < 2 ? 255 : 0) },
    { stem: 'c', imageExt: '.bmp', maskExt: '.tif', mask: () => 0 },
  ]);
  const ds = await D.SegmentationFolder.open(root);
  assert.equal(ds.length, 3);
  assert.deepEqual(ds.ids, ['a', 'b', 'c']);
  assert.deepEqual([ds.numClasses, ds.channels], [2, 3]);
  assert.deepEqual(ds.maskEncoding, { kind: 'values', values: [0, 255] });
  const a = await ds.get(0);
  assert.deepEqual([a.id, a.channels, a.height, a.width], ['a', 3, 6, 8]);
  assert.ok(a.mask instanceof Uint8Array && a.image instanceof Float32Array);
  assert.deepEqual([...a.mask!.subarray(0, 8)], [0, 0, 0, 0, 1, 1, 1, 1]);
  const b = await ds.get(1);
  assert.equal(b.mask!.reduce((s, v) => s + v, 0), 16);
  // TIFF image values come back exactly (lossless)
  assert.equal(b.image[8 * 1 + 2], (2 * 20 + 1 * 7) % 256);
  assert.equal(b.image[48 + 0], 50);
  assert.match(ds.describe(), /3 pairs, 3 channels \(8-bit\).*binary 0\/255, 2 classes/);
});

test('0/1 masks as is; class indices 0..K-1 as is; grey levels {0,128,255} in sorted order', async () => {
  const r01 = await makeFolder([{ stem: 'x', mask: (x) => (x % 2) }, { stem: 'y', mask: () => 1 }]);
  const d01 = await D.SegmentationFolder.open(r01);
  assert.deepEqual(d01.maskEncoding, { kind: 'values', values: [0, 1] });
  assert.deepEqual([...(await d01.get(0)).mask!.subarray(0, 4)], [0, 1, 0, 1]);

  const rIdx = await makeFolder([{ stem: 'p', mask: (x) => x % 3 }, { stem: 'q', mask: (x, y) => (y === 0 ? 4 : 0) }]);
  const dIdx = await D.SegmentationFolder.open(rIdx);
  assert.equal(dIdx.numClasses, 5, 'K = max + 1, class 3 absent');
  assert.deepEqual((dIdx.maskEncoding as { values: number[] }).values, [0, 1, 2, 3, 4]);
  assert.deepEqual([...(await dIdx.get(0)).mask!.subarray(0, 6)], [0, 1, 2, 0, 1, 2]);
  assert.equal((await dIdx.get(1)).mask![3], 4);

  const rLev = await makeFolder([{ stem: 'l', mask: (x) => [0, 128, 255][x % 3]! }, { stem: 'm', mask: () => 128 }]);
  const dLev = await D.SegmentationFolder.open(rLev);
  assert.deepEqual(dLev.maskEncoding, { kind: 'values', values: [0, 128, 255] });
  assert.equal(dLev.numClasses, 3);
  assert.deepEqual([...(await dLev.get(0)).mask!.subarray(0, 3)], [0, 1, 2]);
  assert.match(dLev.describe(), /grey levels 0→0, 128→1, 255→2/);
});

test('colour masks: a palette in stable colour order, black first, recorded; grey-as-RGB masks stay grey', async () => {
  const colours = [
    [0, 0, 0],
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
  ];
  const root = await makeFolder([
    { stem: 'a', mc: 3, mask: (x, _y, k) => colours[x % 4]![k]! },
    { stem: 'b', mc: 3, mask: (_x, y, k) => colours[y % 2 ? 1 : 0]![k]! },
  ]);
  const ds = await D.SegmentationFolder.open(root);
  assert.deepEqual(ds.maskEncoding, {
    kind: 'palette',
    palette: [
      [0, 0, 0],
      [0, 0, 255],
      [0, 255, 0],
      [255, 0, 0],
    ],
  });
  assert.equal(ds.numClasses, 4);
  assert.deepEqual([...(await ds.get(0)).mask!.subarray(0, 4)], [0, 3, 2, 1]);
  assert.deepEqual([...(await ds.get(1)).mask!.subarray(8, 9)], [3]);
  // an explicit palette fixes the order
  const ex = await D.SegmentationFolder.open(root, { palette: colours as [number, number, number][] });
  assert.deepEqual([...(await ex.get(0)).mask!.subarray(0, 4)], [0, 1, 2, 3]);
  // RGB masks with R = G = B are grey masks (as the nuclei set's)
  const g = await makeFolder([{ stem: 'g', mc: 3, mask: (x) => (x < 2 ? 255 : 0) }]);
  const dg = await D.SegmentationFolder.open(g);
  assert.deepEqual(dg.maskEncoding, { kind: 'values', values: [0, 255] });
});

test('maskSuffix, imagesDir / masksDir, mixed sizes, grey images → 1 channel, RGBA → RGB, forced channels', async () => {
  const root = await makeFolder(
    [
      { stem: 'cell1', maskStem: 'cell1_mask', c: 1, img: (x) => x * 10, mask: half },
      { stem: 'cell2', maskStem: 'cell2_mask', c: 3, img: (x) => x * 10, mask: half, w: 12, h: 5 }, // RGB with R = G = B
      { stem: 'cell3', maskStem: 'cell3_mask', c: 4, img: (x, _y, k) => (k === 3 ? 77 : x * 10), mask: half, w: 4, h: 9 },
    ],
    { images: 'img', masks: 'lbl' },
  );
  const ds = await D.SegmentationFolder.open(root, { imagesDir: 'img', masksDir: join(root, 'lbl'), maskSuffix: '_mask' });
  assert.equal(ds.length, 3);
  assert.equal(ds.channels, 1, 'every image grey → 1 channel');
  assert.deepEqual(ds.sizes, [
    { height: 6, width: 8 },
    { height: 5, width: 12 },
    { height: 9, width: 4 },
  ]);
  const s3 = await ds.get(2);
  assert.deepEqual([s3.channels, s3.height, s3.width, s3.image.length], [1, 9, 4, 36]);
  assert.deepEqual([...s3.image.subarray(0, 4)], [0, 10, 20, 30]);
  const forced = await D.SegmentationFolder.open(root, { imagesDir: 'img', masksDir: 'lbl', maskSuffix: '_mask', channels: 3 });
  const f1 = await forced.get(0);
  assert.equal(f1.channels, 3);
  assert.deepEqual([...f1.image.subarray(0, 3)], [...f1.image.subarray(48, 51)]);
  // without the suffix option, nothing pairs: both directions are listed
  await openError(root, { imagesDir: 'img', masksDir: 'lbl' }, '3 images without a mask', '3 masks without an image', 'cell1_mask.png');
});

test('cache off reads lazily and gives the same samples; get() returns fresh arrays; resolvedOptions re-open without validation', async () => {
  const root = await makeFolder([
    { stem: 'a', mask: (x) => [0, 128, 255][x % 3]! },
    { stem: 'b', mask: () => 255, w: 5, h: 5 },
  ]);
  const cached = await D.SegmentationFolder.open(root);
  const lazy = await D.SegmentationFolder.open(root, { cache: false });
  for (let i = 0; i < 2; i++) {
    const [c, l] = [await cached.get(i), await lazy.get(i)];
    assert.deepEqual([...c.image], [...l.image]);
    assert.deepEqual([...c.mask!], [...l.mask!]);
  }
  const s = cached.get(0) as tn.data.Sample;
  assert.ok(!(s instanceof Promise), 'cached get is synchronous');
  assert.ok(lazy.get(0) instanceof Promise, 'uncached get returns a promise');
  s.image[0] = -1;
  s.mask![0] = 9;
  const again = cached.get(0) as tn.data.Sample;
  assert.notEqual(again.image[0], -1);
  assert.notEqual(again.mask![0], 9);
  const opts = cached.resolvedOptions();
  assert.equal(opts.validate, false);
  const reopened = await D.SegmentationFolder.open(opts.root, opts);
  assert.equal(reopened.numClasses, 3);
  assert.deepEqual([...(await reopened.get(0)).mask!], [...(await cached.get(0)).mask!]);
  await assert.rejects(D.SegmentationFolder.open(root, { validate: false }), /validate: false needs channels/);
  assert.throws(() => cached.get(2), /index 2 out of range/);
});

test('ignore label: indices plus 255 are refused with advice; ignoreValue: 255 decodes them as 255', async () => {
  const root = await makeFolder([{ stem: 'v', mask: (x) => (x === 7 ? 255 : x % 3) }]);
  await openError(root, {}, 'look like class indices', 'ignoreValue: 255');
  const ds = await D.SegmentationFolder.open(root, { ignoreValue: 255 });
  assert.equal(ds.numClasses, 3);
  const m = (await ds.get(0)).mask!;
  assert.deepEqual([...m.subarray(0, 8)], [0, 1, 2, 0, 1, 2, 0, 255]);
  const lev = await D.SegmentationFolder.open(root, { maskMode: 'levels' });
  assert.equal(lev.numClasses, 4);
});

test('bad inputs are reported up front, naming the files', async () => {
  // unmatched stems, both directions
  const un = await makeFolder([{ stem: 'a', mask: half }, { stem: 'b', mask: half }, { stem: 'c', maskStem: 'd', mask: half }]);
  await openError(un, {}, 'unmatched', '1 images without a mask', join(un, 'images', 'c.png'), '1 masks without an image', join(un, 'masks', 'd.png'));
  // size mismatch
  const sz = await makeFolder([{ stem: 'a', mask: half }, { stem: 'big', mask: half, maskW: 9 }]);
  await openError(sz, {}, `${join(sz, 'images', 'big.png')} is 8×6 but its mask ${join(sz, 'masks', 'big.png')} is 9×6`);
  // corrupt files (an image and a mask), all listed
  const co = await makeFolder([{ stem: 'a', mask: half }, { stem: 'b', mask: half }, { stem: 'c', mask: half }]);
  const png = readFileSync(join(co, 'images', 'b.png'));
  writeFileSync(join(co, 'images', 'b.png'), png.subarray(0, png.length >> 1));
  writeFileSync(join(co, 'masks', 'c.png'), 'not a png');
  await openError(co, {}, '2 problems', join(co, 'images', 'b.png'), join(co, 'masks', 'c.png'), 'unsupported or unrecognised');
  // empty and missing folders
  const empty = join(base, 'empty');
  mkdirSync(join(empty, 'images'), { recursive: true });
  mkdirSync(join(empty, 'masks'), { recursive: true });
  writeFileSync(join(empty, 'images', 'notes.txt'), 'hello');
  await openError(empty, {}, 'no image files in', join(empty, 'images'));
  await openError(join(base, 'nowhere'), {}, 'not found');
  const noMasks = join(base, 'nomasks');
  mkdirSync(join(noMasks, 'images'), { recursive: true });
  await openError(noMasks, {}, 'masks folder not found', join(noMasks, 'masks'));
  // two files with one stem
  const dup = await makeFolder([{ stem: 'a', mask: half }]);
  await writeImage(join(dup, 'images', 'a.jpg'), 8, 6, 3, () => 1);
  await openError(dup, {}, 'same stem', join(dup, 'images', 'a.jpg'), join(dup, 'images', 'a.png'));
});

test('masks with unexpected values: JPEG artefacts, mixed conventions, too many values, explicit values', async () => {
  const blocks: Px = (x, y) => (((x >> 2) + (y >> 2)) % 2 ? 255 : 0);
  const jpg = await makeFolder([
    { stem: 'a', mask: blocks, w: 32, h: 32 },
    { stem: 'b', mask: blocks, maskExt: '.jpg', w: 32, h: 32 },
  ]);
  const m1 = await openError(jpg, {}, join(jpg, 'masks', 'b.jpg'));
  assert.ok(!m1.includes(join(jpg, 'masks', 'a.png')), 'the clean mask is not blamed');
  const nz = await D.SegmentationFolder.open(jpg, { maskMode: 'nonzero' });
  assert.equal(nz.numClasses, 2);

  const stray = await makeFolder([{ stem: 'a', mask: half, w: 40, h: 40 }, { stem: 'b', mask: (x, y) => (x === 3 && y === 3 ? 128 : half(x, y, 0)), w: 40, h: 40 }]);
  const m2 = await openError(stray, {}, 'a few stray values', `${join(stray, 'masks', 'b.png')}: 128 (1 pixels)`);
  assert.ok(!m2.includes(join(stray, 'masks', 'a.png')));

  const colourJpg = await makeFolder([{ stem: 'a', mc: 3, maskExt: '.jpg', mask: (x, y, k) => ((x >> 2) % 2 ? [200, 30, 30][k]! : [30, 30, 200][k]!), w: 32, h: 32 }]);
  await openError(colourJpg, {}, 'colour', join(colourJpg, 'masks', 'a.jpg'));

  const mixed = await makeFolder([{ stem: 'a', mask: (x) => (x < 4 ? 0 : 1) }, { stem: 'b', mask: half }]);
  await openError(mixed, {}, 'mix the 0/1 and 0/255 conventions', join(mixed, 'masks', 'a.png'), join(mixed, 'masks', 'b.png'));

  const many = await makeFolder([{ stem: 'a', mask: (x, y) => 40 + x * 8 + y, w: 8, h: 6 }]);
  await openError(many, {}, 'distinct values, more than maxClasses 16', join(many, 'masks', 'a.png'));

  const ok = await makeFolder([{ stem: 'a', mask: (x) => [0, 50, 100][x % 3]! }]);
  await openError(ok, { maskValues: [0, 100] }, 'unexpected mask values', join(ok, 'masks', 'a.png'), '50');
  await openError(ok, { maskMode: 'binary' }, 'binary masks', join(ok, 'masks', 'a.png'));
  const explicit = await D.SegmentationFolder.open(ok, { maskValues: [0, 100, 50] });
  assert.deepEqual([...(await explicit.get(0)).mask!.subarray(0, 3)], [0, 2, 1]);
  await openError(ok, { maskValues: [0, 50, 100], numClasses: 2 }, 'numClasses 2 is less than');
});

test('ClassificationFolder: labels from sorted class folders, errors name folders and files', async () => {
  const root = join(base, 'cls');
  for (const [cls, n] of [['dog', 2], ['cat', 3]] as const) {
    mkdirSync(join(root, cls), { recursive: true });
    for (let i = 0; i < n; i++) await writeImage(join(root, cls, `${cls}${i}.png`), 6, 4, 1, (x) => x + i);
  }
  const ds = await D.ClassificationFolder.open(root);
  assert.deepEqual(ds.classNames, ['cat', 'dog']);
  assert.deepEqual([ds.length, ds.numClasses, ds.channels], [5, 2, 1]);
  const s = await ds.get(4);
  assert.deepEqual([s.id, s.label, s.channels, s.height, s.width], ['dog/dog1', 1, 1, 4, 6]);
  assert.equal(s.image[1], 2);
  assert.equal(s.mask, undefined);
  const ordered = await D.ClassificationFolder.open(root, { classes: ['dog', 'cat'] });
  assert.equal((await ordered.get(0)).label, 0);
  assert.equal((await ordered.get(0)).id, 'dog/dog0');
  mkdirSync(join(root, 'empty'));
  await assert.rejects(D.ClassificationFolder.open(root), (e: Error) => e.message.includes('without image files') && e.message.includes(join(root, 'empty')));
  rmSync(join(root, 'empty'), { recursive: true });
  writeFileSync(join(root, 'cat', 'broken.png'), 'xx');
  await assert.rejects(D.ClassificationFolder.open(root), (e: Error) => e.message.includes(join(root, 'cat', 'broken.png')));
  await assert.rejects(D.ClassificationFolder.open(join(base, 'cls', 'cat')), /no class sub-folders/);
});

test('ImageFolder lists images for prediction', async () => {
  const dir = join(base, 'pred');
  mkdirSync(dir);
  await writeImage(join(dir, 'b.png'), 5, 3, 3, (x, _y, k) => x * 10 + k);
  await writeImage(join(dir, 'a.jpg'), 4, 4, 1, () => 9);
  const f = await D.ImageFolder.open(dir);
  assert.deepEqual(f.files.map((x) => x.id), ['a', 'b']);
  const b = await f.get(1);
  assert.deepEqual([b.channels, b.height, b.width, b.image[1], b.image[15 + 1]], [3, 3, 5, 10, 11]);
  const forced = await D.ImageFolder.open(dir, { channels: 3 });
  assert.equal((await forced.get(0)).channels, 3);
});
