// IDX (MNIST format): round trips of tiny files written here (gzipped or not, every IDX type), IdxDataset,
// errors for bad magic, unknown types, truncation, corrupt gzip and image/label count mismatch; the real
// Fashion-MNIST from Debian's dataset-fashion-mnist when installed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tn from 'tunet';

const D = tn.data;
const dir = mkdtempSync(join(tmpdir(), 'tunet-idx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function expectThrow(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof tn.TorchError, String(e));
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
}

const N = 3;
const H = 4;
const W = 5;
const pixels = Uint8Array.from({ length: N * H * W }, (_, i) => (i * 37) % 256);
const labels = Uint8Array.from([2, 0, 7]);

test('uint8 images and labels round-trip, gzipped (by magic, whatever the name) and plain', () => {
  D.writeIdx(join(dir, 'img.idx.gz'), pixels, [N, H, W], { gzip: true });
  D.writeIdx(join(dir, 'lab.idx'), labels, [N]);
  // header bytes as the spec says: 00 00 08 03, then big-endian dims
  const plain = D.encodeIdx(pixels, [N, H, W]);
  assert.deepEqual([...plain.subarray(0, 16)], [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5]);
  assert.equal(readFileSync(join(dir, 'img.idx.gz'))[0], 0x1f);
  writeFileSync(join(dir, 'img-gz-named-plain'), gzipSync(plain));
  const t = D.readIdx(join(dir, 'img-gz-named-plain'));
  assert.deepEqual([t.type, t.shape], ['uint8', [N, H, W]]);
  assert.deepEqual([...t.data], [...pixels]);

  const ds = new D.IdxDataset(join(dir, 'img.idx.gz'), join(dir, 'lab.idx'));
  assert.deepEqual([ds.length, ds.numClasses, ds.channels, ds.height, ds.width], [N, 8, 1, H, W]);
  const s = ds.get(1);
  assert.deepEqual([s.id, s.label, s.channels, s.height, s.width], ['1', 0, 1, H, W]);
  assert.ok(s.image instanceof Float32Array);
  assert.deepEqual([...s.image], [...pixels.subarray(H * W, 2 * H * W)]);
  assert.equal(ds.get(2).label, 7);
  assert.throws(() => ds.get(3), /out of range/);
  const named = new D.IdxDataset(join(dir, 'img.idx.gz'), join(dir, 'lab.idx'), { classNames: 'abcdefghij'.split(''), limit: 2 });
  assert.deepEqual([named.length, named.numClasses], [2, 10]);
  assert.match(ds.describe(), /3 images 1×4×5, 8 classes/);
});

test('every IDX data type round-trips big-endian', () => {
  const cases: [tn.data.IdxArray, number][] = [
    [Int8Array.from([-128, -1, 0, 127]), 0x09],
    [Int16Array.from([-32768, 258, 0, 32767]), 0x0b],
    [Int32Array.from([-2147483648, 16909060, 0, 2147483647]), 0x0c],
    [Float32Array.from([-1.5, 3.25, 0, 1e30]), 0x0d],
    [Float64Array.from([-1e-300, Math.PI, 0, 1e300]), 0x0e],
  ];
  for (const [arr, code] of cases) {
    const bytes = D.encodeIdx(arr, [2, 2]);
    assert.equal(bytes[2], code);
    const back = D.parseIdx(bytes, 'mem');
    assert.deepEqual(back.shape, [2, 2]);
    assert.equal(back.data.constructor, arr.constructor);
    assert.deepEqual([...back.data], [...arr]);
  }
  // big-endian on disk: int16 258 = 01 02
  const b = D.encodeIdx(Int16Array.from([258]), [1]);
  assert.deepEqual([...b.subarray(8)], [1, 2]);
  // feature vectors (N × F) read as 1 × 1 × F images
  D.writeIdx(join(dir, 'feat.idx'), Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
  D.writeIdx(join(dir, 'featlab.idx'), Int32Array.from([1, 0]), [2]);
  const f = new D.IdxDataset(join(dir, 'feat.idx'), join(dir, 'featlab.idx'));
  assert.deepEqual([f.height, f.width, ...f.get(1).image], [1, 3, 4, 5, 6]);
});

test('errors: bad magic, unknown type, truncated data and header, corrupt gzip, count mismatch, missing file', () => {
  writeFileSync(join(dir, 'zip.idx'), Buffer.from('PK\x03\x04 rest of a zip'));
  expectThrow(() => D.readIdx(join(dir, 'zip.idx')), join(dir, 'zip.idx'), 'bad IDX magic 50 4b 03 04');
  writeFileSync(join(dir, 'type.idx'), Uint8Array.from([0, 0, 0x0a, 1, 0, 0, 0, 1, 9]));
  expectThrow(() => D.readIdx(join(dir, 'type.idx')), join(dir, 'type.idx'), 'unknown IDX data type code 0x0a');
  const full = D.encodeIdx(pixels, [N, H, W]);
  writeFileSync(join(dir, 'short.idx'), full.subarray(0, full.length - 1));
  expectThrow(() => D.readIdx(join(dir, 'short.idx')), join(dir, 'short.idx'), 'truncated IDX file', `needs ${full.length} bytes, the file has ${full.length - 1}`);
  writeFileSync(join(dir, 'shortgz.idx.gz'), gzipSync(full.subarray(0, 30)));
  expectThrow(() => D.readIdx(join(dir, 'shortgz.idx.gz')), join(dir, 'shortgz.idx.gz'), 'truncated IDX file');
  writeFileSync(join(dir, 'hdr.idx'), full.subarray(0, 10));
  expectThrow(() => D.readIdx(join(dir, 'hdr.idx')), 'truncated IDX header');
  const gz = gzipSync(full);
  writeFileSync(join(dir, 'cut.gz'), gz.subarray(0, gz.length >> 1));
  expectThrow(() => D.readIdx(join(dir, 'cut.gz')), join(dir, 'cut.gz'), 'corrupt or truncated gzip');
  D.writeIdx(join(dir, 'lab2.idx'), Uint8Array.from([1, 2]), [2]);
  expectThrow(() => new D.IdxDataset(join(dir, 'img.idx.gz'), join(dir, 'lab2.idx')), 'size mismatch', 'has 3 images', 'has 2 labels', join(dir, 'lab2.idx'));
  expectThrow(() => new D.IdxDataset(join(dir, 'lab.idx'), join(dir, 'lab.idx')), 'images must be N × H × W');
  expectThrow(() => D.readIdx(join(dir, 'absent.idx')), join(dir, 'absent.idx'), 'file not found');
  expectThrow(() => D.fashionMnist('test', dir), 't10k-images-idx3-ubyte');
});

const FM = D.FASHION_MNIST_DIR;
test('Fashion-MNIST (Debian dataset-fashion-mnist): 60000 + 10000 images 28×28, 10 balanced classes', { skip: existsSync(FM) ? false : `${FM} not installed (apt-get install dataset-fashion-mnist)` }, () => {
  const testSet = D.fashionMnist('test');
  assert.deepEqual([testSet.length, testSet.height, testSet.width, testSet.numClasses], [10000, 28, 28, 10]);
  const counts = new Array(10).fill(0);
  for (const l of testSet.labels) counts[l]++;
  assert.deepEqual(counts, new Array(10).fill(1000));
  const s = testSet.get(0);
  assert.equal(s.image.length, 784);
  assert.ok(Math.max(...s.image) <= 255 && Math.max(...s.image) > 100 && Math.min(...s.image) === 0);
  assert.equal(testSet.classNames![9], 'Ankle boot');
  const train = D.fashionMnist('train');
  assert.equal(train.length, 60000);
});
