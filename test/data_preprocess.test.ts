// Preprocessing numerics: percentiles (NumPy's definition), z-score / min-max / percentile-clip / log
// normalisation per image and per dataset (from a fingerprint), padding to a multiple with reflect / zeros
// and cropping back; the fingerprint's statistics against direct computations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tn from 'tunet';

const D = tn.data;
type Sample = tn.data.Sample;

function close(a: number, b: number, tol = 1e-5, what = ''): void {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what} ${a} vs ${b}`);
}

/** A dataset of the given samples. */
function memory(samples: Sample[], numClasses: number): tn.data.Dataset {
  return { length: samples.length, numClasses, channels: samples[0]!.channels, get: (i) => samples[i]!, describe: () => 'test samples' };
}

test('percentiles match NumPy (linear interpolation)', () => {
  const v = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
  // numpy.percentile(v, [0, 0.5, 25, 50, 99.5, 100])
  const want = [1, 1.0, 2.25, 3.5, 8.865, 9];
  D.percentiles(v, [0, 0.5, 25, 50, 99.5, 100]).forEach((x, i) => close(x, want[i]!, 1e-12));
  assert.ok(Number.isNaN(D.percentiles([], [50])[0]!));
  assert.throws(() => D.percentiles(v, [101]), /outside 0\.\.100/);
});

test('per-image z-score, min-max, percentile clipping and log', () => {
  // 2 channels × 5 pixels
  const img = Float32Array.from([1, 2, 3, 4, 100, 10, 10, 10, 10, 10]);
  const z = D.normalizeImage(img, 2, D.fitNormalization({ method: 'zscore' }));
  const m0 = (1 + 2 + 3 + 4 + 100) / 5;
  const sd0 = Math.sqrt([1, 2, 3, 4, 100].reduce((a, x) => a + (x - m0) ** 2, 0) / 5);
  close(z[0]!, (1 - m0) / sd0);
  close(z[4]!, (100 - m0) / sd0);
  assert.deepEqual([...z.subarray(5)], [0, 0, 0, 0, 0], 'constant channel → 0');
  assert.equal(img[0], 1, 'input untouched unless inPlace');

  const mm = D.normalizeImage(img, 2, D.fitNormalization({ method: 'minmax' }));
  assert.deepEqual([...mm.subarray(0, 5)].map((x) => Math.round(x * 1e6) / 1e6), [0, 1 / 99, 2 / 99, 3 / 99, 1].map((x) => Math.round(Math.fround(x) * 1e6) / 1e6));
  assert.deepEqual([...mm.subarray(5)], [0, 0, 0, 0, 0]);

  const pc = D.normalizeImage(img, 2, D.fitNormalization({ method: 'percentile', lower: 10, upper: 90 }));
  // channel 0 percentiles: 10 → 1.4, 90 → 61.6; clipped [1.4, 2, 3, 4, 61.6], then z-scored
  const clipped = [1.4, 2, 3, 4, 61.6];
  const cm = clipped.reduce((a, b) => a + b) / 5;
  const cs = Math.sqrt(clipped.reduce((a, x) => a + (x - cm) ** 2, 0) / 5);
  clipped.forEach((x, i) => close(pc[i]!, (x - cm) / cs, 1e-5, `pixel ${i}`));

  const lg = D.normalizeImage(Float32Array.from([0, Math.E - 1, -3]), 1, D.fitNormalization({ method: 'log' }));
  assert.deepEqual([...lg].map((x) => Math.round(x * 1e6) / 1e6), [0, 1, 0]);
  const same = D.normalizeImage(img, 2, D.fitNormalization({ method: 'none' }));
  assert.deepEqual([...same], [...img]);
  const inPlace = img.slice();
  assert.equal(D.normalizeImage(inPlace, 2, D.fitNormalization({ method: 'zscore' }), { inPlace: true }), inPlace);
});

/** Two small 1-channel samples with masks; values chosen so statistics are easy to check. */
function twoSamples(): Sample[] {
  return [
    { id: 'a', channels: 1, height: 2, width: 3, image: Float32Array.from([0, 10, 20, 30, 40, 50]), mask: Uint8Array.from([0, 0, 1, 1, 0, 255]) },
    { id: 'b', channels: 1, height: 1, width: 4, image: Float32Array.from([5, 5, 200, 7]), mask: Uint8Array.from([0, 2, 2, 0]) },
  ];
}

test('fingerprint: exact statistics, foreground, class frequencies and presence', async () => {
  const fp = await D.computeFingerprint(memory(twoSamples(), 3));
  const all = [0, 10, 20, 30, 40, 50, 5, 5, 200, 7];
  const mean = all.reduce((a, b) => a + b) / all.length;
  const std = Math.sqrt(all.reduce((a, x) => a + (x - mean) ** 2, 0) / all.length);
  const a = fp.intensity.all[0]!;
  close(a.mean, mean, 1e-12);
  close(a.std, std, 1e-12);
  assert.deepEqual([a.min, a.max, a.count, a.percentilesExact], [0, 200, 10, true]);
  const [p05, med, p995] = D.percentiles(all, [0.5, 50, 99.5]);
  close(a.percentile_00_5, p05!, 1e-12);
  close(a.median, med!, 1e-12);
  close(a.percentile_99_5, p995!, 1e-12);
  const fgv = [20, 30, 5, 200]; // mask 1 or 2 (255 = ignored, not foreground)
  const f = fp.intensity.foreground![0]!;
  close(f.mean, fgv.reduce((x, y) => x + y) / 4, 1e-12);
  assert.deepEqual([f.min, f.max, f.count], [5, 200, 4]);
  const c = fp.classes!;
  assert.deepEqual(c.pixelCounts, [5, 2, 2]);
  assert.deepEqual(c.pixelFrequency.map((x) => Math.round(x * 1e9) / 1e9), [5 / 9, 2 / 9, 2 / 9].map((x) => Math.round(x * 1e9) / 1e9));
  assert.deepEqual(c.imagesWithClass, [2, 1, 1]);
  assert.deepEqual(c.presence, [1, 0.5, 0.5]);
  assert.equal(c.ignoredPixels, 1);
  assert.deepEqual([fp.count, fp.channels, fp.size.height.min, fp.size.width.max], [2, 1, 1, 4]);
  assert.deepEqual(fp.size.pixels, { min: 4, median: 5, max: 6, mean: 5 });

  // labels: classification counts and regression summary
  const labelled: Sample[] = [0, 1, 1, 2].map((l, i) => ({ id: `${i}`, channels: 1, height: 1, width: 1, image: Float32Array.from([i]), label: l }));
  assert.deepEqual((await D.computeFingerprint(memory(labelled, 3))).labels, { counts: [1, 2, 1] });
  const reg = (await D.computeFingerprint(memory(labelled, 0))).labels as { mean: number; std: number };
  close(reg.mean, 1, 1e-12);
  close(reg.std, Math.sqrt(0.5), 1e-12);
  assert.equal((await D.computeFingerprint(memory(labelled, 3))).classes, null);
});

test('fingerprint of float images: exact moments, sampled percentiles, also after switching mid-way', async () => {
  const rng = new D.Rng(5);
  const mk = (id: string, n: number, ints: boolean): Sample => ({
    id,
    channels: 1,
    height: 1,
    width: n,
    image: Float32Array.from({ length: n }, () => (ints ? Math.floor(rng.next() * 256) : rng.normal(100, 20))),
  });
  const samples = [mk('i1', 3000, true), mk('i2', 3000, true), mk('f1', 3000, false), mk('f2', 3000, false)];
  const values = samples.flatMap((s) => [...s.image]);
  const mean = values.reduce((a, b) => a + b) / values.length;
  const std = Math.sqrt(values.reduce((a, x) => a + (x - mean) ** 2, 0) / values.length);
  const fp = await D.computeFingerprint(memory(samples, 0), { samplesPerImage: 1000, percentiles: [25, 75] });
  const a = fp.intensity.all[0]!;
  assert.equal(a.percentilesExact, false);
  close(a.mean, mean, 1e-9, 'mean');
  close(a.std, std, 1e-9, 'std');
  assert.equal(a.min, Math.min(...values));
  assert.equal(a.max, Math.max(...values));
  const [q25, q75] = D.percentiles(values, [25, 75]);
  assert.ok(Math.abs(a.percentiles['25']! - q25!) < 6, `25th ${a.percentiles['25']} vs ${q25}`);
  assert.ok(Math.abs(a.percentiles['75']! - q75!) < 6, `75th ${a.percentiles['75']} vs ${q75}`);
  assert.equal(fp.intensity.foreground, null);
  // deterministic for a seed
  const again = await D.computeFingerprint(memory(samples, 0), { samplesPerImage: 1000, percentiles: [25, 75] });
  assert.deepEqual(again, fp);
});

test('dataset-scope normalisation from a fingerprint (z-score: all pixels; percentile: nnU-Net CT scheme on foreground)', async () => {
  const samples = twoSamples();
  const fp = await D.computeFingerprint(memory(samples, 3));
  const z = D.fitNormalization({ method: 'zscore', scope: 'dataset' }, fp);
  assert.deepEqual([z.mean, z.std], [[fp.intensity.all[0]!.mean], [fp.intensity.all[0]!.std]]);
  const out = D.normalizeSample(samples[1]!, z);
  close(out.image[2]!, (200 - z.mean![0]!) / z.std![0]!);
  assert.equal(out.mask, samples[1]!.mask, 'mask shared');
  const p = D.fitNormalization({ method: 'percentile', scope: 'dataset' }, fp);
  const fg = fp.intensity.foreground![0]!;
  assert.deepEqual([p.clipLow, p.clipHigh, p.mean, p.std], [[fg.percentile_00_5], [fg.percentile_99_5], [fg.mean], [fg.std]]);
  const n = D.normalizeImage(Float32Array.from([-1000, 30, 1000]), 1, p);
  close(n[0]!, (fg.percentile_00_5 - fg.mean) / fg.std);
  close(n[1]!, (30 - fg.mean) / fg.std);
  close(n[2]!, (fg.percentile_99_5 - fg.mean) / fg.std);
  const mm = D.fitNormalization({ method: 'minmax', scope: 'dataset' }, fp);
  assert.deepEqual([mm.min, mm.max], [[0], [200]]);
  // JSON round trip of the params works the same
  const back = JSON.parse(JSON.stringify(p)) as tn.data.NormalizationParams;
  assert.deepEqual([...D.normalizeImage(Float32Array.from([7]), 1, back)], [...D.normalizeImage(Float32Array.from([7]), 1, p)]);
  assert.throws(() => D.fitNormalization({ method: 'zscore', scope: 'dataset' }), /needs a fingerprint/);
  assert.throws(() => D.fitNormalization({ method: 'percentile', scope: 'dataset', lower: 1 }, fp), /no 1 percentile/);
  assert.throws(() => D.fitNormalization({ method: 'whiten' as 'zscore' }), /unknown normalisation method 'whiten'/);
});

/** Mirror index without edge repeat, written independently: ... 2 1 | 0 1 2 3 | 2 1 0 1 ... */
function reflect(i: number, n: number): number {
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
  return i;
}

test('padOrCropToMultiple: centred reflect / zeros / edge padding, masks alike, undone exactly', () => {
  const H = 5;
  const W = 7;
  const C = 2;
  const img = Float32Array.from({ length: C * H * W }, (_, i) => i);
  const mask = Uint8Array.from({ length: H * W }, (_, i) => i % 3);
  const s: Sample = { id: 'x', channels: C, height: H, width: W, image: img, mask };
  const { sample: p, pad } = D.padOrCropToMultiple(s, 4);
  assert.deepEqual(pad, { height: 5, width: 7, paddedHeight: 8, paddedWidth: 8, top: 1, left: 0 });
  assert.deepEqual([p.height, p.width, p.image.length, p.mask!.length], [8, 8, C * 64, 64]);
  for (let c = 0; c < C; c++) {
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const sy = reflect(y - 1, H);
        const sx = reflect(x, W);
        assert.equal(p.image[c * 64 + y * 8 + x], img[c * H * W + sy * W + sx], `c${c} y${y} x${x}`);
        if (c === 0) assert.equal(p.mask![y * 8 + x], mask[sy * W + sx]);
      }
    }
  }
  assert.deepEqual([...D.undoPad(p.image, C, pad)], [...img]);
  assert.deepEqual([...D.undoPad(p.mask!, 1, pad)], [...mask]);

  const z = D.padOrCropToMultiple(s, 8, { mode: 'zeros', maskFill: 255 });
  assert.deepEqual([z.pad.top, z.pad.left], [1, 0]);
  assert.deepEqual([...z.sample.image.subarray(0, 8)], [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(z.sample.image[8 + 7], 0, 'right column padded');
  assert.equal(z.sample.image[8 + 6], img[6]);
  assert.deepEqual([z.sample.mask![0], z.sample.mask![8 * 8 - 1], z.sample.mask![8]], [255, 255, mask[0]]);
  const e = D.padOrCropToMultiple(s, 8, { mode: 'edge' });
  assert.equal(e.sample.image[0], img[0]);
  assert.equal(e.sample.image[8 * 7 + 7], img[4 * W + 6]);

  // a pad wider than the image mirrors repeatedly; a 1-pixel image repeats its pixel
  const thin: Sample = { id: 't', channels: 1, height: 1, width: 2, image: Float32Array.from([1, 2]) };
  const t = D.padOrCropToMultiple(thin, 8);
  assert.deepEqual([...t.sample.image.subarray(0, 8)], [2, 1, 2, 1, 2, 1, 2, 1]);
  assert.deepEqual([t.pad.top, t.pad.left], [3, 3]);
  const dot = D.padOrCropToMultiple({ id: 'd', channels: 1, height: 1, width: 1, image: Float32Array.from([9]) }, 4);
  assert.deepEqual([...dot.sample.image], new Array(16).fill(9));
  // already a multiple: unchanged
  const same = D.padOrCropToMultiple(p, 4);
  assert.deepEqual([same.pad.top, same.pad.left, same.sample.height], [0, 0, 8]);
  assert.deepEqual([...same.sample.image], [...p.image]);
});

test('crop strategy: centre crop to the previous multiple; undoPad puts it back with a fill', () => {
  const img = Float32Array.from({ length: 5 * 7 }, (_, i) => i + 1);
  const s: Sample = { id: 'x', channels: 1, height: 5, width: 7, image: img };
  const { sample: c, pad } = D.padOrCropToMultiple(s, 4, { strategy: 'crop' });
  assert.deepEqual(pad, { height: 5, width: 7, paddedHeight: 4, paddedWidth: 4, top: -1, left: -2 });
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) assert.equal(c.image[y * 4 + x], img[(y + 1) * 7 + x + 2]);
  const back = D.undoPad(c.image, 1, pad, -1);
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 7; x++) {
      const kept = y >= 1 && y < 5 && x >= 2 && x < 6;
      assert.equal(back[y * 7 + x], kept ? img[y * 7 + x] : -1);
    }
  }
  assert.throws(() => D.padOrCropToMultiple(s, 0), /multiple must be an integer ≥ 1/);
  assert.throws(() => D.undoPad(new Float32Array(3), 1, pad), /3 values, 1×4×4 expected/);
});
