// Augmentation on plain samples: exact geometry (flips, rot90, affine identity / 90°, elastic σ = 0),
// masks keeping their class values, intensity transforms, crops with foreground oversampling,
// JSON pipelines with presets and validation, determinism by seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tn from 'tunet';

const D = tn.data;
const A = tn.data.augment;
type Sample = tn.data.Sample;

function sample(c: number, h: number, w: number, f: (ch: number, y: number, x: number) => number, m?: (y: number, x: number) => number, id = 's'): Sample {
  const image = new Float32Array(c * h * w);
  for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) image[(ch * h + y) * w + x] = f(ch, y, x);
  const s: Sample = { id, image, channels: c, height: h, width: w };
  if (m) {
    s.mask = new Uint8Array(h * w);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) s.mask[y * w + x] = m(y, x);
  }
  return s;
}

/** Pixel (ch, y, x) of a sample. */
const px = (s: Sample, ch: number, y: number, x: number) => s.image[(ch * s.height + y) * s.width + x]!;
const mk = (s: Sample, y: number, x: number) => s.mask![y * s.width + x]!;

function randomSample(seed: number, c: number, h: number, w: number, classes = [0, 1]): Sample {
  const r = new D.Rng(seed);
  return sample(c, h, w, () => r.next(), () => classes[Math.floor(r.next() * classes.length)]!);
}

function assertSame(a: Sample, b: Sample) {
  assert.deepEqual([a.channels, a.height, a.width], [b.channels, b.height, b.width]);
  assert.deepEqual(Array.from(a.image), Array.from(b.image));
  assert.deepEqual(a.mask && Array.from(a.mask), b.mask && Array.from(b.mask));
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

// A 2-channel 2 × 3 image: value = 100·ch + 10·y + x; mask = 3·y + x.
const small = () => sample(2, 2, 3, (c, y, x) => 100 * c + 10 * y + x, (y, x) => 3 * y + x);

test('flips are exact mirrors of image and mask; flipping twice is the identity', () => {
  const s = small();
  const h = A.flip(s, 'horizontal');
  const v = A.flip(s, 'vertical');
  for (let c = 0; c < 2; c++) {
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 3; x++) {
        assert.equal(px(h, c, y, x), px(s, c, y, 2 - x));
        assert.equal(px(v, c, y, x), px(s, c, 1 - y, x));
        assert.equal(mk(h, y, x), mk(s, y, 2 - x));
        assert.equal(mk(v, y, x), mk(s, 1 - y, x));
      }
    }
  }
  assert.deepEqual(Array.from(h.mask!), [2, 1, 0, 5, 4, 3]);
  assertSame(A.flip(h, 'horizontal'), s);
  assertSame(A.flip(v, 'vertical'), s);
});

test('rot90 matches numpy.rot90 (non-square, every k), swaps height and width, and composes', () => {
  const s = small();
  // numpy: np.rot90([[0,1,2],[3,4,5]]) = [[2,5],[1,4],[0,3]]; k=2 → [[5,4,3],[2,1,0]]; k=3 → [[3,0],[4,1],[5,2]].
  const r1 = A.rot90(s, 1);
  assert.deepEqual([r1.height, r1.width], [3, 2]);
  assert.deepEqual(Array.from(r1.mask!), [2, 5, 1, 4, 0, 3]);
  assert.deepEqual(Array.from(r1.image.subarray(6)), [102, 112, 101, 111, 100, 110]);
  assert.deepEqual(Array.from(A.rot90(s, 2).mask!), [5, 4, 3, 2, 1, 0]);
  const r3 = A.rot90(s, 3);
  assert.deepEqual([r3.height, r3.width], [3, 2]);
  assert.deepEqual(Array.from(r3.mask!), [3, 0, 4, 1, 5, 2]);
  assertSame(A.rot90(A.rot90(s, 1), 3), s);
  assertSame(A.rot90(A.rot90(A.rot90(A.rot90(s, 1), 1), 1), 1), s);
  assertSame(A.rot90(s, 4), s);
  assertSame(A.rot90(s, -1), r3);
});

test('affine: identity parameters copy the sample exactly, with every padding', () => {
  const s = randomSample(1, 3, 7, 9, [0, 2, 5]);
  for (const padding of ['reflect', 'zero', 'edge'] as const) {
    assertSame(A.affine(s, { angle: 0, scale: 1, translate: [0, 0], padding }), s);
  }
  assertSame(A.affine(s, {}), s);
});

test('affine rotation by ±90° equals rot90 (exact at 90°, within 1e-4 just off it); mask exact', () => {
  const s = randomSample(2, 2, 9, 9, [0, 1, 4]);
  const r1 = A.rot90(s, 1);
  assertSame(A.affine(s, { angle: 90 }), r1);
  assertSame(A.affine(s, { angle: -270 }), r1);
  assertSame(A.affine(s, { angle: -90 }), A.rot90(s, 3));
  assertSame(A.affine(s, { angle: 180 }), A.rot90(s, 2));
  // Off the exact path: cos/sin computed; bilinear weights within ~1e-7 of the grid.
  const near = A.affine(s, { angle: 90 + 1e-6 });
  assert.ok(maxDiff(near.image, r1.image) < 1e-4, `max diff ${maxDiff(near.image, r1.image)}`);
  assert.deepEqual(Array.from(near.mask!), Array.from(r1.mask!));
});

test('affine translation by whole pixels shifts content; zero padding fills image and mask', () => {
  const s = sample(1, 4, 5, (_c, y, x) => 1 + 10 * y + x, (y, x) => (x === 4 ? 3 : 1) + 0 * y);
  const t = A.affine(s, { translate: [2, 1], padding: 'zero', fill: -1, maskFill: 9 });
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 5; x++) {
      const inside = x - 2 >= 0 && y - 1 >= 0;
      assert.equal(px(t, 0, y, x), inside ? px(s, 0, y - 1, x - 2) : -1, `(${y}, ${x})`);
      assert.equal(mk(t, y, x), inside ? mk(s, y - 1, x - 2) : 9);
    }
  }
  // Reflect padding mirrors about the edge pixel: the new column 0 is the old column 2 … (x → −x).
  const r = A.affine(s, { translate: [2, 0], padding: 'reflect' });
  assert.equal(px(r, 0, 0, 0), px(s, 0, 0, 2));
  assert.equal(px(r, 0, 0, 1), px(s, 0, 0, 1));
});

test('affine scaling and arbitrary rotations: constant images stay constant, masks keep only their class values', () => {
  const flat = sample(1, 16, 16, () => 3.5, () => 0);
  const z = A.affine(flat, { angle: 33, scale: 0.7, padding: 'reflect' });
  assert.ok(maxDiff(z.image, flat.image) < 1e-5);
  const s = randomSample(3, 2, 20, 24, [0, 3, 7]);
  for (const p of [{ angle: 33, scale: 1.3 }, { angle: -71, scale: 0.75, translate: [1.5, -2.25] as [number, number] }]) {
    const out = A.affine(s, { ...p, padding: 'zero' });
    assert.ok([...new Set(out.mask!)].every((v) => [0, 3, 7].includes(v)));
  }
  // Scaling by 2 about the centre of a 9 × 9 image: the centre pixel stays, (4, 6) comes from (4, 5).
  const g = sample(1, 9, 9, (_c, y, x) => 10 * y + x);
  const big = A.affine(g, { scale: 2 });
  assert.equal(px(big, 0, 4, 4), 44);
  assert.equal(px(big, 0, 4, 6), 45);
  assert.ok(Math.abs(px(big, 0, 4, 5) - 44.5) < 1e-5);
});

test('elastic: σ = 0 is the identity; σ = 10 deforms, keeps mask values, and repeats for a seed', () => {
  const s = randomSample(4, 2, 32, 40, [0, 1, 2]);
  assertSame(A.elastic(s, { sigma: 0 }, new D.Rng(1)), s);
  const a = A.elastic(s, { sigma: 10, grid: 3 }, new D.Rng(7));
  const b = A.elastic(s, { sigma: 10, grid: 3 }, new D.Rng(7));
  const c = A.elastic(s, { sigma: 10, grid: 3 }, new D.Rng(8));
  assertSame(a, b);
  assert.ok(maxDiff(a.image, s.image) > 0.1);
  assert.ok(maxDiff(a.image, c.image) > 0.1);
  assert.ok([...new Set(a.mask!)].every((v) => v <= 2));
});

test('bicubicField interpolates the coarse grid: exact at grid points, constant grid gives a constant field', () => {
  const grid = new Float64Array([1, -2, 3, 0.5, 4, -1, 2, 2, -3]);
  const f = A.bicubicField(grid, 3, 21, 11);
  for (let gy = 0; gy < 3; gy++) for (let gx = 0; gx < 3; gx++) assert.ok(Math.abs(f[gy * 10 * 11 + gx * 5]! - grid[gy * 3 + gx]!) < 1e-12);
  const c = A.bicubicField(new Float64Array(9).fill(2.5), 3, 8, 8);
  assert.ok(c.every((v) => Math.abs(v - 2.5) < 1e-12));
  // Smooth between grid points: no value beyond the grid range by more than the cubic's overshoot.
  assert.ok(f.every((v) => v > -4 && v < 5));
});

test('intensity: brightness scales, contrast keeps the mean, gamma 1 and σ 0 are no-ops, retainStats keeps mean/std', () => {
  const base = () => sample(2, 8, 8, (c, y, x) => c * 5 + ((y * 8 + x) % 7));
  const s = base();
  const b = A.brightness(base(), 1.5);
  assert.ok(maxDiff(b.image, s.image.map((v) => v * 1.5)) < 1e-5);
  const mean = (a: Float32Array) => a.reduce((p, v) => p + v, 0) / a.length;
  const std = (a: Float32Array) => Math.sqrt(a.reduce((p, v) => p + (v - mean(a)) ** 2, 0) / a.length);
  const ch0 = (x: Sample) => x.image.subarray(0, 64);
  const ct = A.contrast(base(), 1.2, false, 0);
  assert.ok(Math.abs(mean(ch0(ct)) - mean(ch0(s))) < 1e-4);
  assert.ok(Math.abs(std(ch0(ct)) - 1.2 * std(ch0(s))) < 1e-4);
  const cp = A.contrast(base(), 1.5, true, 0);
  assert.ok(Math.min(...ch0(cp)) >= Math.min(...ch0(s)) && Math.max(...ch0(cp)) <= Math.max(...ch0(s)));
  assert.ok(maxDiff(A.gamma(base(), 1).image, s.image) < 1e-4);
  const g = A.gamma(base(), 1.4);
  assert.ok(maxDiff(g.image, s.image) > 0.1);
  // Endpoints stay where they were (min and max map to themselves).
  assert.ok(Math.abs(Math.min(...ch0(g)) - Math.min(...ch0(s))) < 1e-4 && Math.abs(Math.max(...ch0(g)) - Math.max(...ch0(s))) < 1e-4);
  const gr = A.gamma(base(), 0.6, { retainStats: true, invert: true });
  assert.ok(Math.abs(mean(ch0(gr)) - mean(ch0(s))) < 1e-3 && Math.abs(std(ch0(gr)) - std(ch0(s))) < 1e-3);
  // Inverted gamma γ acts as 1/γ-like on the other end: γ > 1 on −x brightens mid values instead of darkening them.
  const up = A.gamma(base(), 2, { invert: true });
  const down = A.gamma(base(), 2);
  assert.ok(mean(ch0(up)) > mean(ch0(s)) && mean(ch0(down)) < mean(ch0(s)));
  assertSame(A.gaussianNoise(base(), 0, new D.Rng(1)), s);
});

test('Gaussian noise has the requested spread; blur keeps constants and mass, and is symmetric', () => {
  const z = sample(1, 100, 100, () => 0);
  A.gaussianNoise(z, 0.5, new D.Rng(3));
  const m = z.image.reduce((p, v) => p + v, 0) / z.image.length;
  const sd = Math.sqrt(z.image.reduce((p, v) => p + (v - m) ** 2, 0) / z.image.length);
  assert.ok(Math.abs(m) < 0.02 && Math.abs(sd - 0.5) < 0.02, `mean ${m} std ${sd}`);
  const k = A.gaussianKernel(1);
  assert.equal(k.length, 7);
  assert.ok(Math.abs(k.reduce((p, v) => p + v, 0) - 1) < 1e-12);
  const flat = sample(1, 9, 9, () => 2);
  assert.ok(maxDiff(A.gaussianBlur(flat, 0.8).image, new Float32Array(81).fill(2)) < 1e-6);
  const imp = A.gaussianBlur(sample(1, 15, 15, (_c, y, x) => (y === 7 && x === 7 ? 1 : 0)), 1);
  assert.ok(Math.abs(imp.image.reduce((p, v) => p + v, 0) - 1) < 1e-6);
  assert.ok(Math.abs(px(imp, 0, 7, 5) - px(imp, 0, 7, 9)) < 1e-7 && Math.abs(px(imp, 0, 5, 7) - px(imp, 0, 7, 5)) < 1e-7);
  assert.ok(px(imp, 0, 7, 7) > px(imp, 0, 7, 8) && px(imp, 0, 7, 8) > px(imp, 0, 7, 9));
});

test('pad and crops: padding centres smaller images, crops stay inside and copy the right window', () => {
  const s = small();
  const p = A.padTo(s, 4, 5, { padValue: -1, maskPadValue: 255 });
  assert.deepEqual([p.height, p.width], [4, 5]);
  assert.equal(px(p, 0, 1, 1), px(s, 0, 0, 0));
  assert.equal(px(p, 1, 2, 3), px(s, 1, 1, 2));
  assert.equal(px(p, 0, 0, 0), -1);
  assert.equal(mk(p, 3, 4), 255);
  const g = sample(1, 10, 12, (_c, y, x) => 100 * y + x, (y, x) => (y + x) % 3);
  const c = A.centerCrop(g, 4, 6);
  assert.equal(px(c, 0, 0, 0), 300 + 3);
  const info = { top: 0, left: 0, forced: false };
  const rng = new D.Rng(5);
  for (let i = 0; i < 50; i++) {
    const r = A.randomCrop(g, 4, 6, rng, { foreground: 0 }, info);
    assert.ok(info.top >= 0 && info.top <= 6 && info.left >= 0 && info.left <= 6);
    assert.equal(px(r, 0, 0, 0), 100 * info.top + info.left);
    assert.equal(mk(r, 3, 5), (info.top + 3 + info.left + 5) % 3);
  }
  // A small image is padded up to the patch.
  const tiny = A.randomCrop(small(), 5, 5, rng);
  assert.deepEqual([tiny.height, tiny.width], [5, 5]);
});

test('foreground oversampling: the share of crops containing foreground follows the setting', () => {
  // One foreground pixel in a 100 × 100 image; a uniform 10 × 10 crop contains it with probability (10/91)².
  const s = sample(1, 100, 100, () => 0, (y, x) => (y === 70 && x === 20 ? 1 : 0));
  const chance = (10 / 91) ** 2;
  const rng = new D.Rng(11);
  const draws = 3000;
  for (const fg of [0, 1 / 3, 0.6, 1]) {
    let hit = 0;
    let forcedHit = true;
    const info = { top: 0, left: 0, forced: false };
    for (let i = 0; i < draws; i++) {
      const c = A.randomCrop(s, 10, 10, rng, { foreground: fg }, info);
      const has = c.mask!.some((v) => v > 0);
      if (has) hit++;
      if (info.forced && !has) forcedHit = false;
    }
    const expected = fg + (1 - fg) * chance;
    assert.ok(Math.abs(hit / draws - expected) < 0.03, `foreground ${fg}: ${hit / draws} vs ${expected}`);
    assert.ok(forcedHit);
  }
  // Forced crops near a corner are clamped inside the image.
  const corner = sample(1, 30, 30, () => 0, (y, x) => (y === 0 && x === 29 ? 2 : 0));
  const info = { top: -1, left: -1, forced: false };
  A.randomCrop(corner, 8, 8, rng, { foreground: 1 }, info);
  assert.deepEqual(info, { top: 0, left: 22, forced: true });
  // foregroundClasses restricts what counts as foreground.
  A.randomCrop(corner, 8, 8, rng, { foreground: 1, foregroundClasses: [1] }, info);
  assert.equal(info.forced, false);
});

test('Compose: deterministic by seed, leaves its input alone, p = 0 is the identity', () => {
  const s = randomSample(9, 3, 24, 24, [0, 1]);
  const before = s.image.slice();
  const spec: tn.data.TransformSpec[] = [
    { type: 'affine', rotate: [-30, 30], scale: [0.8, 1.2], translate: [0.1, 0.1], p: 1 },
    { type: 'elastic', sigma: 5, p: 1 },
    { type: 'flip', axis: 'both' },
    { type: 'rot90', p: 1 },
    { type: 'brightness', p: 1 },
    { type: 'contrast', p: 1, perChannel: true },
    { type: 'gamma', p: 1, invert: true },
    { type: 'noise', p: 1 },
    { type: 'blur', p: 1, perChannel: true },
    { type: 'crop', size: [16, 12], foreground: 0.5 },
  ];
  const aug = D.buildAugment(JSON.parse(JSON.stringify(spec)));
  const a = aug.apply(s, new D.Rng(42));
  const b = aug.apply(s, new D.Rng(42));
  const c = aug.apply(s, new D.Rng(43));
  assertSame(a, b);
  assert.deepEqual([a.height, a.width].sort(), [12, 16]);
  assert.ok(a.image.length !== c.image.length || maxDiff(a.image, c.image) > 0);
  assert.deepEqual(Array.from(s.image), Array.from(before));
  assert.ok(a.mask!.every((v) => v <= 1));
  // Random quarter turns of a non-square sample are half turns, so batch shapes stay fixed.
  const wide = randomSample(10, 1, 6, 10);
  for (let i = 0; i < 5; i++) assertSame(D.buildAugment([{ type: 'rot90', p: 1 }]).apply(wide, new D.Rng(i)), A.rot90(wide, 2));
  assert.deepEqual(D.buildAugment([{ type: 'rot90', p: 1, k: 1 }]).apply(wide, new D.Rng(0)).height, 10);
  const off = D.buildAugment(spec.map((t) => ({ ...t, p: 0 })).filter((t) => t.type !== 'flip' && t.type !== 'crop'));
  assertSame(off.apply(s, new D.Rng(1)), s);
});

test('presets and JSON specs: the nnU-Net preset, preset + extra transforms, and clear errors', () => {
  const nn = D.resolveAugmentSpec('nnunet');
  const byType = (t: string) => nn.filter((x) => x.type === t);
  assert.deepEqual(byType('affine')[0], { type: 'affine', rotate: [-180, 180], scale: [0.7, 1.4], pRotate: 0.2, pScale: 0.2, padding: 'reflect' });
  assert.equal(byType('noise')[0]!.p, 0.1);
  assert.deepEqual(byType('blur')[0], { type: 'blur', p: 0.2, sigma: [0.5, 1], perChannel: true, pPerChannel: 0.5 });
  assert.deepEqual(byType('brightness')[0], { type: 'brightness', p: 0.15, range: [0.75, 1.25] });
  assert.equal(byType('contrast')[0]!.p, 0.15);
  assert.deepEqual(byType('gamma').map((g) => [g.p, (g as { invert?: boolean }).invert ?? false]), [[0.1, true], [0.3, false]]);
  assert.deepEqual(byType('flip')[0], { type: 'flip', axis: 'both', p: 0.5 });
  const more = D.resolveAugmentSpec({ preset: 'flips', transforms: [{ type: 'noise', std: [0, 0.2] }] });
  assert.deepEqual(more.map((t) => t.type), ['flip', 'rot90', 'noise']);
  assert.deepEqual(D.resolveAugmentSpec(null), []);
  const bad: [unknown, RegExp][] = [
    ['fancy', /unknown augmentation preset "fancy"/],
    [[{ type: 'twirl' }], /transform 0 has unknown type "twirl"/],
    [[{ type: 'flip' }, { type: 'flip', prob: 0.5 }], /transform 1 \(flip\): unknown option "prob"/],
    [[{ type: 'noise', p: 1.5 }], /p must be a probability/],
    [[{ type: 'affine', scale: [1.4, 0.7] }], /scale must be \[low, high\]/],
    [[{ type: 'crop' }], /size must be a positive integer/],
    [[{ type: 'elastic', padding: 'wrap' }], /padding must be one of/],
  ];
  for (const [spec, re] of bad) {
    assert.throws(
      () => D.buildAugment(spec as tn.data.AugmentSpec),
      (e: unknown) => e instanceof tn.TorchError && re.test(e.message),
      String(re),
    );
  }
  // Samples whose arrays disagree with their shape are refused with their id.
  const broken: Sample = { id: 'broken', image: new Float32Array(5), channels: 1, height: 2, width: 3 };
  assert.throws(() => D.buildAugment('flips').apply(broken, new D.Rng(1)), /sample "broken": image has 5 values but 1×2×3 needs 6/);
});

test('the nnU-Net pipeline on a 256 × 256 RGB sample takes a few milliseconds', () => {
  const s = randomSample(12, 3, 256, 256);
  const aug = D.buildAugment({ preset: 'nnunet', transforms: [{ type: 'elastic', p: 1 }] });
  const t0 = performance.now();
  for (let i = 0; i < 10; i++) aug.apply(s, new D.Rng(i));
  const ms = (performance.now() - t0) / 10;
  assert.ok(ms < 200, `${ms} ms per sample`);
});
