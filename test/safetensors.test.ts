// safetensors interop: files written by Python (fixture) load with the right values; tunet writes the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tn from 'tunet';

const FIX = join(process.cwd(), 'test', 'fixtures');
const expected = JSON.parse(readFileSync(join(FIX, 'mixed.safetensors.json'), 'utf8')) as Record<string, { dtype: string; shape: number[]; values: (number | boolean)[] }>;

test('a file written from PyTorch loads with its dtypes, shapes, values and metadata', () => {
  const { tensors, metadata } = tn.safetensors.loadFile(join(FIX, 'mixed.safetensors'));
  assert.deepEqual(metadata, { format: 'pt', source: 'pytorch' });
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(expected).sort());
  for (const [k, e] of Object.entries(expected)) {
    const t = tensors[k];
    assert.equal(t.dtype, e.dtype, k);
    assert.deepEqual(t.shape, e.shape, k);
    const got = t.dtype === 'bool' ? t.toArray().map((v) => v !== 0) : t.float().toArray();
    assert.deepEqual(got, e.values, k);
  }
});

test('saving what was loaded gives byte-identical output to the Python writer', () => {
  const bytes = readFileSync(join(FIX, 'mixed.safetensors'));
  const { tensors, metadata } = tn.safetensors.deserialize(bytes);
  const again = tn.safetensors.serialize(tensors, metadata);
  assert.equal(Buffer.compare(again, bytes), 0);
});

test('saveFile/loadFile round-trip, atomically (no temporary file left behind)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tunet-st-'));
  const path = join(dir, 'w.safetensors');
  const a = tn.randn([3, 5]);
  const b = tn.arange(0, 4, { dtype: 'int64' });
  tn.safetensors.saveFile({ a, b }, path);
  tn.safetensors.saveFile({ a: a.mul(2), b }, path); // overwrite in place
  assert.deepEqual(readdirSync(dir), ['w.safetensors']);
  const { tensors } = tn.safetensors.loadFile(path);
  assert.ok(tensors.a.equal(a.mul(2)));
  assert.ok(tensors.b.equal(b));
});

test('corrupt or truncated files give a TorchError naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tunet-st-'));
  const good = readFileSync(join(FIX, 'mixed.safetensors'));
  const cases: [string, Buffer, RegExp][] = [
    ['short', good.subarray(0, 4), /fewer than the 8-byte/],
    ['truncated', good.subarray(0, good.length - 10), /data_offsets|bytes/],
    ['huge-header', Buffer.concat([Buffer.from([255, 255, 255, 255, 0, 0, 0, 0]), good.subarray(8)]), /header claims/],
    ['not-json', Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{{{{')]), /not JSON/],
  ];
  for (const [name, bytes, re] of cases) {
    const p = join(dir, `${name}.safetensors`);
    writeFileSync(p, bytes);
    assert.throws(() => tn.safetensors.loadFile(p), (e: unknown) => e instanceof tn.TorchError && re.test(e.message) && e.message.includes(p), name);
  }
  assert.throws(() => tn.safetensors.loadFile(join(dir, 'missing.safetensors')), /cannot read/);
  assert.equal(existsSync(join(dir, 'missing.safetensors')), false);
});
