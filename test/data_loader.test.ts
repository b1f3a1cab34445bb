// Splits (train/val/test, k-fold, stratified) and the DataLoader: batches from worker threads, identical
// batches for (seed, epoch) with 0, 1 and 2 workers (sync and async), resume, errors that name the sample,
// no hangs, tensor disposal, the Trainer as consumer, and a real folder through workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tn from 'tunet';

const D = tn.data;
type Sample = tn.data.Sample;

// ---------------------------------------------------------------- splits

const ids = Array.from({ length: 53 }, (_, i) => `img_${String(i).padStart(3, '0')}`);

function assertPartition(parts: string[][], all: string[]) {
  const flat = parts.flat();
  assert.equal(flat.length, all.length, 'covers every id exactly once');
  assert.deepEqual([...flat].sort(), [...all].sort());
}

test('trainValTestSplit: disjoint parts covering all ids, sizes from fractions or counts, deterministic by seed', () => {
  const s = D.trainValTestSplit(ids, { val: 0.2, test: 0.1, seed: 3 });
  assertPartition([s.train, s.val, s.test], ids);
  assert.deepEqual([s.train.length, s.val.length, s.test.length], [53 - 11 - 5, 11, 5]);
  // Parts list ids in input order.
  assert.deepEqual(s.val, [...s.val].sort());
  assert.deepEqual(D.trainValTestSplit(ids, { val: 0.2, test: 0.1, seed: 3 }), s);
  // The assignment depends on the set of ids, not their order.
  const rev = D.trainValTestSplit([...ids].reverse(), { val: 0.2, test: 0.1, seed: 3 });
  assert.deepEqual([...rev.val].sort(), s.val);
  const other = D.trainValTestSplit(ids, { val: 0.2, test: 0.1, seed: 4 });
  assert.notDeepEqual(other.val, s.val);
  const counts = D.trainValTestSplit(ids, { val: 7, test: 1, seed: 0 });
  assert.deepEqual([counts.val.length, counts.test.length], [7, 1]);
  assert.deepEqual(D.trainValTestSplit(ids, {}).train, ids);
  assert.throws(() => D.trainValTestSplit(['a', 'b', 'a'], { val: 0.5 }), /duplicate id "a"/);
  assert.throws(() => D.trainValTestSplit(ids, { val: 40, test: 20 }), /exceed the 53 ids/);
  assert.throws(() => D.trainValTestSplit(ids, { val: 2.5 }), /integer count/);
});

test('trainValTestSplit with labels keeps each class share in every part', () => {
  // 60 of class 0, 30 of class 1, 10 of class 2.
  const ids100 = Array.from({ length: 100 }, (_, i) => `s${i}`);
  const labels = ids100.map((_, i) => (i < 60 ? 0 : i < 90 ? 1 : 2));
  const s = D.trainValTestSplit(ids100, { val: 0.2, test: 0.1, seed: 1, labels });
  assertPartition([s.train, s.val, s.test], ids100);
  const lab = new Map(ids100.map((id, i) => [id, labels[i]!]));
  const hist = (part: string[]) => [0, 1, 2].map((c) => part.filter((id) => lab.get(id) === c).length);
  assert.deepEqual(hist(s.val), [12, 6, 2]);
  assert.deepEqual(hist(s.test), [6, 3, 1]);
  // A record of labels by id works the same.
  assert.deepEqual(D.trainValTestSplit(ids100, { val: 0.2, test: 0.1, seed: 1, labels: Object.fromEntries(lab) }), s);
  assert.throws(() => D.trainValTestSplit(ids100, { val: 0.2, labels: { s0: 1 } }), /no numeric label for id "s1"/);
});

test('kFold: k disjoint validation folds covering everything, sizes within one, stratified option', () => {
  const folds = D.kFold(ids, 5, 9);
  assert.equal(folds.length, 5);
  assertPartition(folds.map((f) => f.val), ids);
  const sizes = folds.map((f) => f.val.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, String(sizes));
  for (const f of folds) {
    assert.equal(f.train.length + f.val.length, ids.length);
    assert.ok(f.train.every((id) => !f.val.includes(id)));
  }
  assert.deepEqual(D.kFold(ids, 5, 9), folds);
  assert.notDeepEqual(D.kFold(ids, 5, 10), folds);
  const labels = ids.map((_, i) => (i % 5 === 0 ? 1 : 0)); // 11 of class 1, 42 of class 0
  const strat = D.kFold(ids, 5, 2, { labels });
  for (const f of strat) {
    const ones = f.val.filter((id) => labels[ids.indexOf(id)] === 1).length;
    assert.ok(ones === 2 || ones === 3, `class 1 per fold: ${ones}`);
  }
  assert.throws(() => D.kFold(ids, 1), /k must be an integer ≥ 2/);
  assert.throws(() => D.kFold(['a', 'b'], 3), /exceeds the number of ids/);
});

// ---------------------------------------------------------------- loader helpers

function makeSamples(n: number, o: { c?: number; sizes?: [number, number][]; classes?: number; labels?: boolean } = {}): Sample[] {
  const c = o.c ?? 2;
  const sizes = o.sizes ?? [[8, 8]];
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const [h, w] = sizes[i % sizes.length]!;
    const r = new D.Rng(1000 + i);
    const image = new Float32Array(c * h * w).map(() => r.next());
    const s: Sample = { id: `s${i}`, image, channels: c, height: h, width: w };
    if (o.labels) s.label = i % (o.classes ?? 3);
    else s.mask = new Uint8Array(h * w).map(() => (r.next() < 0.2 ? 1 + Math.floor(r.next() * ((o.classes ?? 2) - 1)) : 0));
    out.push(s);
  }
  return out;
}

interface Plain {
  input: number[];
  shape: number[];
  target: number[];
  ids: string[];
}

function plain(b: tn.data.LoaderBatch): Plain {
  assert.equal(b.input.dtype, 'float32');
  assert.equal(b.target.dtype, 'int64');
  return { input: b.input.toArray() as number[], shape: b.input.shape, target: b.target.toArray() as number[], ids: b.ids };
}

function collect(loader: tn.data.DataLoader, epoch: number): Plain[] {
  return Array.from(loader.epoch(epoch), plain);
}

async function collectAsync(loader: tn.data.DataLoader, epoch: number): Promise<Plain[]> {
  const out: Plain[] = [];
  for await (const b of loader.epoch(epoch)) out.push(plain(b));
  return out;
}

// ---------------------------------------------------------------- loader

test('the loader delivers every sample once per epoch from worker threads, unchanged without augmentation', () => {
  const samples = makeSamples(22);
  const loader = new D.DataLoader(D.memorySpec(samples), { batchSize: 4, workers: 2, seed: 5 });
  try {
    assert.equal(loader.workers, 2);
    assert.equal(loader.length, 6);
    assert.equal(loader.numSamples, 22);
    const batches = collect(loader, 0);
    assert.deepEqual(batches.map((b) => b.shape), [...Array(5).fill([4, 2, 8, 8]), [2, 2, 8, 8]]);
    const seen = batches.flatMap((b) => b.ids);
    assert.deepEqual([...seen].sort(), samples.map((s) => s.id).sort());
    assert.notDeepEqual(seen, samples.map((s) => s.id), 'shuffled');
    // Contents are the samples' own arrays (transferred from the workers).
    for (const b of batches) {
      b.ids.forEach((id, i) => {
        const s = samples[Number(id.slice(1))]!;
        assert.deepEqual(b.input.slice(i * 128, (i + 1) * 128), Array.from(s.image));
        assert.deepEqual(b.target.slice(i * 64, (i + 1) * 64), Array.from(s.mask!));
      });
    }
  } finally {
    loader.close();
  }
  const dropped = new D.DataLoader(D.memorySpec(samples), { batchSize: 4, workers: 1, dropLast: true, shuffle: false });
  try {
    const b = collect(dropped, 0);
    assert.equal(b.length, 5);
    assert.deepEqual(b.flatMap((x) => x.ids), samples.slice(0, 20).map((s) => s.id));
  } finally {
    dropped.close();
  }
});

test('the same (seed, epoch) gives identical augmented batches with 0, 1 and 2 workers, sync and async', async () => {
  const samples = makeSamples(13, { sizes: [[20, 24], [16, 16], [30, 12]], classes: 3 });
  const spec = D.memorySpec(samples);
  const opts = { batchSize: 3, seed: 11, patchSize: [14, 12] as [number, number], augment: { preset: 'nnunet', transforms: [{ type: 'elastic' as const, sigma: 4, p: 0.5 }] } };
  const runs: Plain[][][] = [];
  for (const workers of [0, 1, 2]) {
    const loader = new D.DataLoader(spec, { ...opts, workers });
    try {
      runs.push([collect(loader, 0), collect(loader, 1), await collectAsync(loader, 1)]);
    } finally {
      loader.close();
    }
  }
  const [w0, w1, w2] = runs as [Plain[][], Plain[][], Plain[][]];
  assert.equal(w0[0]!.length, 5);
  assert.deepEqual(w0[0]![0]!.shape, [3, 2, 14, 12]);
  assert.deepEqual(w1, w0);
  assert.deepEqual(w2, w0);
  assert.deepEqual(w0[2], w0[1], 'async iteration gives the sync batches');
  assert.notDeepEqual(w0[1]![0]!.input, w0[0]![0]!.input, 'another epoch, other batches');
  // Masks keep only class values through augmentation.
  assert.ok(w0.flat().every((b) => b.target.every((v) => v === 0 || v === 1 || v === 2)));
  // Another seed, other batches; shuffle: false keeps dataset order.
  const other = new D.DataLoader(spec, { ...opts, seed: 12, workers: 0 });
  assert.notDeepEqual(collect(other, 0)[0]!.input, w0[0]![0]!.input);
  other.close();
  const ordered = new D.DataLoader(spec, { ...opts, shuffle: false, workers: 1 });
  assert.deepEqual(collect(ordered, 3).flatMap((b) => b.ids), samples.map((s) => s.id));
  ordered.close();
});

test('a resumed run sees identical batches: any epoch first, after a full epoch, or after breaking out', () => {
  const spec = D.memorySpec(makeSamples(17));
  const opts = { batchSize: 4, seed: 2, augment: 'flips', workers: 2, prefetch: 1 };
  const fresh = new D.DataLoader(spec, opts);
  const e2 = collect(fresh, 2);
  fresh.close();
  const loader = new D.DataLoader(spec, opts);
  try {
    const e0 = collect(loader, 0);
    assert.notDeepEqual(e0, e2);
    // Epoch 1 was prefetched speculatively at the end of epoch 0; break out of it early.
    let n = 0;
    for (const b of loader.epoch(1)) {
      assert.equal(b.index, n);
      if (++n === 2) break;
    }
    assert.deepEqual(collect(loader, 2), e2);
    assert.deepEqual(collect(loader, 0), e0, 'going back to epoch 0 discards the queued epoch 3');
    // An abandoned iterator does not block the loader: a newer iteration supersedes it.
    const old = loader.epoch(1)[Symbol.iterator]();
    assert.equal(old.next().value!.index, 0);
    assert.deepEqual(collect(loader, 2), e2);
    assert.throws(() => old.next(), /the iteration over epoch 1 was superseded by a newer one/);
  } finally {
    loader.close();
  }
});

test('classification samples give [N] int64 label targets', () => {
  const loader = new D.DataLoader(D.memorySpec(makeSamples(10, { labels: true, c: 1 })), { batchSize: 4, workers: 1, shuffle: false });
  try {
    const b = collect(loader, 0);
    assert.deepEqual(b.map((x) => x.target), [[0, 1, 2, 0], [1, 2, 0, 1], [2, 0]]);
    assert.deepEqual(b[0]!.shape, [4, 1, 8, 8]);
  } finally {
    loader.close();
  }
});

test('batches are disposed as the loop moves on (keepBatches keeps them); tensors do not pile up', () => {
  const spec = D.memorySpec(makeSamples(12));
  const loader = new D.DataLoader(spec, { batchSize: 4, workers: 2 });
  const before = tn.memory().tensors;
  const held: tn.data.LoaderBatch[] = [];
  for (let e = 0; e < 3; e++) {
    for (const b of loader.epoch(e)) {
      held.push(b);
      assert.equal(tn.memory().tensors, before + 2);
    }
  }
  assert.equal(tn.memory().tensors, before);
  assert.ok(held.every((b) => b.input.isDisposed && b.target.isDisposed));
  loader.close();
  const keep = new D.DataLoader(spec, { batchSize: 4, workers: 0, keepBatches: true });
  const kept = [...keep.epoch(0)];
  assert.equal(tn.memory().tensors, before + 6);
  kept.forEach((b) => (b.input.dispose(), b.target.dispose()));
  keep.close();
});

test('errors in a worker surface in the main thread with the sample id and message (0, 1, 2 workers)', () => {
  const samples = makeSamples(9);
  samples[6] = { ...samples[6]!, id: 'broken-six', image: new Float32Array(7) };
  for (const workers of [0, 1, 2]) {
    const loader = new D.DataLoader(D.memorySpec(samples), { batchSize: 2, workers, shuffle: false, augment: 'flips' });
    const got: number[] = [];
    assert.throws(
      () => {
        for (const b of loader.epoch(0)) got.push(b.index);
      },
      (e: unknown) => e instanceof tn.TorchError && /sample "broken-six" \(index 6\) of epoch 0: augment: sample "broken-six": image has 7 values but 2×8×8 needs 128/.test(e.message),
    );
    assert.deepEqual(got, [0, 1, 2], 'the batches before the bad one arrive');
    loader.close();
  }
});

test('errors thrown by a dataset module in the workers, unknown kinds and silent workers: no hang', async () => {
  // A dataset kind registered from a module: the workers import it by URL.
  const dir = mkdtempSync(join(tmpdir(), 'tunet-loader-'));
  const specUrl = new URL('../src/data/spec.js', import.meta.url).href;
  const mod = join(dir, 'flaky.mjs');
  writeFileSync(
    mod,
    `import { registerDatasetKind } from ${JSON.stringify(specUrl)};
registerDatasetKind('flaky', (spec) => ({
  length: 8, numClasses: 2, channels: 1,
  get(i) {
    if (i === spec.bad) throw new Error('cannot decode file ' + i + '.png');
    if (spec.stuck) return new Promise(() => {});
    return { id: 'f' + i, image: new Float32Array(16).fill(i), channels: 1, height: 4, width: 4, mask: new Uint8Array(16) };
  },
  describe: () => 'flaky test data',
}), { module: import.meta.url });
`,
  );
  await import(pathToFileURL(mod).href);
  const flaky = new D.DataLoader({ kind: 'flaky', bad: 5 }, { batchSize: 2, workers: 2, shuffle: false });
  assert.equal(flaky.length, 4);
  assert.throws(() => collect(flaky, 0), /sample at index 5 of epoch 0: cannot decode file 5\.png/);
  flaky.close();
  // Async iteration reports it the same way.
  const flakyAsync = new D.DataLoader({ kind: 'flaky', bad: 1 }, { batchSize: 2, workers: 1, shuffle: false });
  await assert.rejects(collectAsync(flakyAsync, 0), /sample at index 1 of epoch 0: cannot decode file 1\.png/);
  flakyAsync.close();
  // A spec the workers cannot open.
  const t0 = Date.now();
  const missing = new D.DataLoader({ kind: 'folder', root: '/nonexistent/tunet' }, { batchSize: 2, workers: 2 });
  assert.throws(() => collect(missing, 0), /worker 0 could not open the dataset: .*not found/);
  missing.close();
  const unknown = new D.DataLoader({ kind: 'no-such-kind' }, { batchSize: 2, workers: 1 });
  await assert.rejects(unknown.init(), /unknown dataset kind "no-such-kind"/);
  unknown.close();
  // A worker that never answers: a timeout error instead of a hang.
  const stuck = new D.DataLoader({ kind: 'flaky', stuck: true }, { batchSize: 2, workers: 1, timeoutMs: 400 });
  assert.throws(() => collect(stuck, 0), /worker 0 sent nothing for 400 ms \(waiting for batch 0 of epoch 0\)/);
  stuck.close();
  assert.ok(Date.now() - t0 < 8000);
  // Closed loaders refuse to iterate; close is idempotent.
  assert.throws(() => stuck.epoch(0), /the loader is closed/);
  stuck.close();
});

test('bad options and sources are refused clearly', () => {
  const spec = D.memorySpec(makeSamples(3));
  assert.throws(() => new D.DataLoader(spec, {} as tn.data.DataLoaderOptions), /batchSize is required/);
  assert.throws(() => new D.DataLoader(spec, { batchSize: 0 }), /batchSize must be an integer ≥ 1/);
  assert.throws(() => new D.DataLoader(spec, { batchSize: 2, workerz: 1 } as tn.data.DataLoaderOptions), /unknown option "workerz"/);
  assert.throws(() => new D.DataLoader(spec, { batchSize: 2, augment: [{ type: 'spin' }] as never }), /unknown type "spin"/);
  assert.throws(() => new D.DataLoader(42 as never, { batchSize: 2 }), /must be a Dataset or a dataset spec/);
  // A Dataset object without a spec runs in the calling thread unless workers are asked for.
  const plainDataset = { length: 3, numClasses: 2, channels: 2, get: (i: number) => makeSamples(3)[i]!, describe: () => 'ad hoc' };
  const l = new D.DataLoader(plainDataset, { batchSize: 2 });
  assert.equal(l.workers, 0);
  assert.equal(collect(l, 0).length, 2);
  l.close();
  assert.throws(() => new D.DataLoader(plainDataset, { batchSize: 2, workers: 1 }), /workers: 1 needs a dataset spec, and ad hoc has none/);
  // Samples of different sizes without a patch size.
  const mixed = new D.DataLoader(D.memorySpec(makeSamples(4, { sizes: [[8, 8], [6, 8]] })), { batchSize: 2, workers: 0, shuffle: false });
  assert.throws(() => collect(mixed, 0), /sample "s1" \(index 1\).*is 2×6×8 after augmentation but "s0" in the same batch is 2×8×8; set patchSize/);
  mixed.close();
});

test('the Trainer takes loader.source and trains on worker batches', () => {
  const samples = makeSamples(16, { c: 2, classes: 2 });
  const loader = new D.DataLoader(D.memorySpec(samples), { batchSize: 4, workers: 2, augment: 'flips', seed: 1 });
  try {
    tn.manualSeed(0);
    const model = new tn.nn.Conv2d(2, 2, 1);
    const optimizer = new tn.optim.SGD(model.parameters(), { lr: 0.1 });
    const trainer = new tn.train.Trainer({
      model,
      optimizer,
      loss: (o, t) => tn.nn.functional.crossEntropy(o, t),
      epochs: 3,
      progress: false,
    });
    const before = tn.memory().tensors;
    const history = trainer.fit(loader.source);
    assert.equal(history.length, 3);
    assert.ok(history.every((h) => Number.isFinite(h.loss)));
    assert.ok(tn.memory().tensors <= before + 2, `${tn.memory().tensors} live tensors vs ${before} before`);
  } finally {
    loader.close();
  }
});

const NUCLEI = fileURLToPath(new URL('../../../shared/data/nuclei', import.meta.url));

test('a segmentation folder read by the workers (nuclei PNGs): patches with foreground oversampling', { skip: existsSync(NUCLEI) ? false : `no data at ${NUCLEI}` }, async () => {
  const spec = { kind: 'folder', root: NUCLEI, options: { validate: false, cache: false, channels: 3, maskMode: 'nonzero' } };
  const loader = new D.DataLoader(spec, { batchSize: 4, workers: 2, patchSize: 64, foreground: 1, augment: 'nnunet', seed: 3 });
  try {
    await loader.init();
    assert.equal(loader.numSamples, 229);
    let n = 0;
    for (const b of loader.epoch(0)) {
      assert.deepEqual(b.input.shape, [4, 3, 64, 64]);
      assert.deepEqual(b.target.shape, [4, 64, 64]);
      const t = b.target.toArray() as number[];
      assert.ok(t.every((v) => v === 0 || v === 1));
      // Every crop is forced onto foreground.
      for (let i = 0; i < 4; i++) assert.ok(t.slice(i * 4096, (i + 1) * 4096).some((v) => v === 1), `crop ${i} of ${b.ids[i]} has foreground`);
      if (++n === 3) break;
    }
  } finally {
    loader.close();
  }
});

test('dataset objects travel to the workers by their spec: IdxDataset and SyntheticCells give the in-thread batches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tunet-idx-'));
  const images = new Uint8Array(10 * 5 * 6).map((_, i) => (i * 37) % 256);
  D.writeIdx(join(dir, 'img.idx'), images, [10, 5, 6]);
  D.writeIdx(join(dir, 'lab.idx'), Uint8Array.from([3, 1, 4, 1, 5, 9, 2, 6, 5, 3]), [10]);
  const idx = new D.IdxDataset(join(dir, 'img.idx'), join(dir, 'lab.idx'), { limit: 9 });
  const cells = new D.SyntheticCells({ count: 6, size: 24, seed: 4 });
  for (const ds of [idx, cells] as tn.data.Dataset[]) {
    const opts = { batchSize: 4, seed: 8, augment: 'flips' };
    const inThread = new D.DataLoader(ds, { ...opts, workers: 0 });
    const viaWorkers = new D.DataLoader(ds, { ...opts, workers: 2 });
    try {
      const a = collect(inThread, 1);
      assert.equal(a.length, Math.ceil(ds.length / 4));
      assert.deepEqual(collect(viaWorkers, 1), a);
    } finally {
      inThread.close();
      viaWorkers.close();
    }
  }
});
