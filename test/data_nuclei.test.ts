// The real nuclei folder (../shared/data/nuclei: 229 PNG pairs, RGB masks with R = G = B in {0, 255}) loads
// whole, with binary masks, and its fingerprint is sane and agrees with a direct computation.
//
// What it showed when written (for orientation, not asserted exactly):
//   229 pairs, 3 channels (most images grey-as-RGB, a few colour stains), 8 sizes from 256×256 (111 images)
//   to 1024×1024 / 1272×603; masks binary 0/255 → 0/1; foreground pixel frequency 0.143, per image
//   0.0015 .. 0.59 (median 0.107); channel 0 mean 48.2, std 73.4 over all pixels, foreground mean 58.5,
//   std 42.8, foreground percentiles 0.5 / 99.5 = 9 / 207. Open ≈ 4 s, fingerprint ≈ 4 s on 2 cores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tn from 'tunet';

const D = tn.data;
const ROOT = join(process.cwd(), '..', 'shared', 'data', 'nuclei');
const present = existsSync(join(ROOT, 'images'));

test('nuclei: all 229 pairs load with binary masks; fingerprint is sane and exact where it claims to be', { skip: present ? false : `${ROOT} not found` }, async () => {
  const ds = await D.SegmentationFolder.open(ROOT);
  assert.equal(ds.length, 229);
  assert.equal(ds.numClasses, 2);
  assert.deepEqual(ds.maskEncoding, { kind: 'values', values: [0, 255] });
  assert.equal(ds.channels, 3);
  assert.equal(ds.bitDepth, 8);

  // Direct sums to check the fingerprint against.
  let pixels = 0;
  let fgPixels = 0;
  let sum0 = 0;
  let fgSum0 = 0;
  let max0 = -Infinity;
  let withFg = 0;
  let badMask = 0;
  for (let i = 0; i < ds.length; i++) {
    const s = (await ds.get(i)) as tn.data.Sample;
    assert.equal(s.image.length, 3 * s.height * s.width, s.id);
    assert.equal(s.mask!.length, s.height * s.width, s.id);
    const n = s.height * s.width;
    let fg = 0;
    for (let p = 0; p < n; p++) {
      const m = s.mask![p]!;
      if (m > 1) badMask++;
      const v = s.image[p]!;
      sum0 += v;
      if (v > max0) max0 = v;
      if (m === 1) {
        fg++;
        fgSum0 += v;
      }
    }
    pixels += n;
    fgPixels += fg;
    if (fg > 0) withFg++;
  }

  assert.equal(badMask, 0, 'mask values other than 0 and 1');
  const fp = await D.computeFingerprint(ds);
  assert.equal(fp.count, 229);
  assert.equal(fp.channels, 3);
  assert.equal(fp.size.height.min, 256);
  assert.equal(fp.size.width.max, 1272);
  assert.deepEqual(fp.size.common[0], [256, 256, 111]);
  const c = fp.classes!;
  assert.equal(c.pixelCounts[0]! + c.pixelCounts[1]!, pixels);
  assert.equal(c.pixelCounts[1], fgPixels);
  assert.equal(c.imagesWithClass[1], withFg);
  assert.ok(c.pixelFrequency[1]! > 0.05 && c.pixelFrequency[1]! < 0.3, `foreground frequency ${c.pixelFrequency[1]}`);
  const all0 = fp.intensity.all[0]!;
  const fg0 = fp.intensity.foreground![0]!;
  assert.ok(Math.abs(all0.mean - sum0 / pixels) < 1e-9 * pixels, `mean ${all0.mean} vs ${sum0 / pixels}`);
  assert.ok(Math.abs(fg0.mean - fgSum0 / fgPixels) < 1e-6, `fg mean ${fg0.mean} vs ${fgSum0 / fgPixels}`);
  assert.equal(all0.max, max0);
  assert.equal(all0.count, pixels);
  assert.equal(fg0.count, fgPixels);
  for (const st of [...fp.intensity.all, ...fp.intensity.foreground!]) {
    assert.ok(st.min <= st.percentile_00_5 && st.percentile_00_5 <= st.median && st.median <= st.percentile_99_5 && st.percentile_99_5 <= st.max);
    assert.ok(st.std > 0 && st.std < 128);
  }
  assert.ok(fg0.mean > all0.mean, 'nuclei are brighter than the average pixel');
  // JSON round trip (plain data)
  assert.deepEqual(JSON.parse(JSON.stringify(fp)).classes.pixelCounts, c.pixelCounts);

  // Re-opened from the resolved options (no validation, no cache) gives the same samples.
  const again = await D.SegmentationFolder.open(ds.resolvedOptions().root, ds.resolvedOptions());
  for (const i of [0, 228]) {
    const [a, b] = [(await ds.get(i)) as tn.data.Sample, await again.get(i)];
    assert.equal(a.id, b.id);
    assert.deepEqual(a.mask, b.mask);
    assert.deepEqual(a.image, b.image);
  }
});
