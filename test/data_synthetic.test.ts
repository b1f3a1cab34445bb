// Synthetic cell images: deterministic per seed (in any order), different across seeds, masks exactly the
// pixels inside the generated cells, plausible foreground fractions and contrast, fast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tn from 'tunet';

const D = tn.data;

function bytes(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

test('same seed → identical bytes, in any access order and without the cache; another seed differs', () => {
  const a = new D.SyntheticCells({ count: 6, size: 64, seed: 42 });
  const b = new D.SyntheticCells({ count: 6, size: 64, seed: 42, cache: false });
  const late = b.get(5); // generated first here, last in `a`
  for (let i = 0; i < 6; i++) {
    const sa = a.get(i);
    const sb = i === 5 ? late : b.get(i);
    assert.equal(Buffer.compare(bytes(sa.image), bytes(sb.image)), 0, `image ${i}`);
    assert.equal(Buffer.compare(bytes(sa.mask!), bytes(sb.mask!)), 0, `mask ${i}`);
  }
  const c = new D.SyntheticCells({ count: 6, size: 64, seed: 43 });
  for (let i = 0; i < 6; i++) assert.notEqual(Buffer.compare(bytes(a.get(i).image), bytes(c.get(i).image)), 0);
  assert.notEqual(Buffer.compare(bytes(a.get(0).image), bytes(a.get(1).image)), 0, 'images differ within a set');
  // cached samples are copies
  const s = a.get(0);
  s.image[0] = -5;
  assert.notEqual(a.get(0).image[0], -5);
});

/** Inside test written here from the documented geometry (ellipses only: irregularity 0). */
function inEllipse(c: tn.data.CellGeometry, x: number, y: number): number {
  const dx = x + 0.5 - c.cx;
  const dy = y + 0.5 - c.cy;
  const u = (dx * Math.cos(c.theta) + dy * Math.sin(c.theta)) / c.a;
  const v = (-dx * Math.sin(c.theta) + dy * Math.cos(c.theta)) / c.b;
  return u * u + v * v;
}

test('masks are exactly the pixels inside the generated cells; instances are the cells; areas ≈ π·a·b', () => {
  const ds = new D.SyntheticCells({ count: 8, size: 96, seed: 7, irregularity: 0, touching: false, instances: true });
  let checkedAreas = 0;
  for (let i = 0; i < ds.length; i++) {
    const s = ds.get(i);
    const cells = s.cells!;
    assert.ok(cells.length >= 4 && cells.length <= 14, `${cells.length} cells`);
    const H = s.height;
    const W = s.width;
    const area = new Array(cells.length + 1).fill(0);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const p = y * W + x;
        const rhos = cells.map((c) => inEllipse(c, x, y));
        const inside = rhos.findIndex((r) => r <= 1);
        const borderline = rhos.some((r) => Math.abs(r - 1) < 1e-9);
        if (!borderline) {
          assert.equal(s.mask![p], inside >= 0 ? 1 : 0, `image ${i} pixel ${x},${y}`);
          assert.equal(s.instances![p], inside + 1, `image ${i} pixel ${x},${y} instance`);
        }
        area[s.instances![p]!]++;
      }
    }
    // cells well inside the image have the ellipse's area (pixel counting error ~ perimeter)
    cells.forEach((c, k) => {
      if (c.cx - c.a > 1 && c.cx + c.a < W - 1 && c.cy - c.a > 1 && c.cy + c.a < H - 1) {
        const want = Math.PI * c.a * c.b;
        assert.ok(Math.abs(area[k + 1] - want) < 0.12 * want + 4, `area ${area[k + 1]} vs ${want.toFixed(1)}`);
        checkedAreas++;
      }
    });
    // not touching: no two instances are 8-neighbours
    for (let y = 0; y < H; y++) {
      for (let x = 0; x + 1 < W; x++) {
        const a = s.instances![y * W + x]!;
        for (const q of [y * W + x + 1, (y + 1) * W + x, (y + 1) * W + x + 1]) {
          if (q >= W * H) continue;
          const b = s.instances![q];
          if (a && b) assert.equal(a, b, `cells ${a} and ${b} touch in image ${i}`);
        }
      }
    }
  }
  assert.ok(checkedAreas > 10, `${checkedAreas} areas checked`);
});

test('foreground fraction and contrast are in the expected range; images are 0..255 integers', () => {
  const ds = new D.SyntheticCells({ count: 30, seed: 1 });
  let fgSum = 0;
  for (let i = 0; i < ds.length; i++) {
    const s = ds.get(i);
    let fg = 0;
    let inSum = 0;
    let outSum = 0;
    for (let p = 0; p < s.mask!.length; p++) {
      const v = s.image[p]!;
      assert.ok(v >= 0 && v <= 255 && Number.isInteger(v));
      if (s.mask![p]) {
        fg++;
        inSum += v;
      } else outSum += v;
    }
    const n = s.mask!.length;
    fgSum += fg / n;
    assert.ok(fg > 0 && fg / n < 0.5, `image ${i}: foreground fraction ${fg / n}`);
    assert.ok(inSum / fg > outSum / (n - fg) + 40, `image ${i}: cells ${inSum / fg} vs background ${outSum / (n - fg)}`);
  }
  const mean = fgSum / ds.length;
  assert.ok(mean > 0.04 && mean < 0.3, `mean foreground fraction ${mean}`);
});

test('options: size, channels 3, validation errors; 100 images of 128² generate quickly', () => {
  const rect = new D.SyntheticCells({ count: 2, size: [48, 80], channels: 3 });
  const s = rect.get(1);
  assert.deepEqual([s.channels, s.height, s.width, s.image.length, s.mask!.length], [3, 48, 80, 3 * 48 * 80, 48 * 80]);
  assert.deepEqual([rect.numClasses, rect.channels, rect.length], [2, 3, 2]);
  assert.throws(() => new D.SyntheticCells({ radius: [5, 2] }), /radius must be \[lo, hi\]/);
  assert.throws(() => new D.SyntheticCells({ size: 4 }), /size must be integers ≥ 8/);
  assert.throws(() => new D.SyntheticCells({ noise: -1 }), /noise must be a number ≥ 0/);
  assert.throws(() => rect.get(2), /out of range/);
  assert.deepEqual((rect.toSpec() as { kind: string }).kind, 'synthetic');
  const t0 = performance.now();
  const ds = new D.SyntheticCells({ count: 100, seed: 3, cache: false });
  for (let i = 0; i < ds.length; i++) ds.get(i);
  const ms = performance.now() - t0;
  // 100 × 128² with blur and noise: about 1 s on a loaded 2-core machine
  assert.ok(ms < 8000, `${ms.toFixed(0)} ms`);
});
