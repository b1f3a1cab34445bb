/**
 * DataLoader throughput: batches per second delivered with 0, 1 and 2 worker
 * threads, (a) as fast as the consumer can take them and (b) against a
 * simulated training step of --step-ms milliseconds of main-thread work per
 * batch, reporting how long the main thread waited for data. Not a test:
 * numbers depend on the machine and on what else runs.
 *
 *   node dist/bench/loader.js [--step-ms 60] [--batches 24] [--batch 8] [--size 256] [--patch 128] [--augment nnunet]
 */
import * as tn from 'tunet';

const D = tn.data;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}
const stepMs = Number(arg('step-ms', '60'));
const batches = Number(arg('batches', '24'));
const batchSize = Number(arg('batch', '8'));
const size = Number(arg('size', '256'));
const patch = Number(arg('patch', '128'));
const augment = arg('augment', 'nnunet');
const workerCounts = arg('workers', '0,1,2').split(',').map(Number);

// Random 3 × size × size images with blobby binary masks, held in memory (shared with the workers).
function samples(n: number): tn.data.Sample[] {
  const out: tn.data.Sample[] = [];
  for (let i = 0; i < n; i++) {
    const r = new D.Rng(i);
    const image = new Float32Array(3 * size * size).map(() => r.next());
    const mask = new Uint8Array(size * size);
    for (let k = 0; k < 6; k++) {
      const cy = r.int(0, size - 1);
      const cx = r.int(0, size - 1);
      const rad = r.int(4, 16);
      for (let y = Math.max(0, cy - rad); y < Math.min(size, cy + rad); y++) {
        for (let x = Math.max(0, cx - rad); x < Math.min(size, cx + rad); x++) if ((y - cy) ** 2 + (x - cx) ** 2 < rad * rad) mask[y * size + x] = 1;
      }
    }
    out.push({ id: `b${i}`, image, channels: 3, height: size, width: size, mask });
  }
  return out;
}

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

function run(spec: tn.data.DatasetSpec, workers: number, step: number): { perSec: number; waitMs: number; firstMs: number } {
  const loader = new D.DataLoader(spec, { batchSize, workers, seed: 1, augment, patchSize: patch, prefetch: 2 });
  try {
    loader.initSync();
    // Warm-up epoch of two batches (worker start, JIT), then measure.
    let k = 0;
    for (const _ of loader.epoch(100)) if (++k === 2) break;
    let n = 0;
    let wait = 0;
    let first = 0;
    const t0 = performance.now();
    let e = 0;
    while (n < batches) {
      let t = performance.now();
      for (const b of loader.epoch(e++)) {
        const got = performance.now();
        wait += got - t;
        if (n === 0) first = got - t0;
        if (b.input.shape[0] !== batchSize && b.input.shape[0] === 0) throw new Error('empty batch');
        n++;
        if (step > 0) busy(step);
        if (n >= batches) break;
        t = performance.now();
      }
    }
    const total = performance.now() - t0;
    return { perSec: (n * 1000) / total, waitMs: wait / n, firstMs: first };
  } finally {
    loader.close();
  }
}

const n = Math.max(batchSize * 4, 32);
const spec = D.memorySpec(samples(n));
console.log(`DataLoader bench: ${n} samples 3×${size}×${size}, patch ${patch}, batch ${batchSize}, augment '${augment}', ${batches} batches`);
console.log(`cores: ${(await import('node:os')).availableParallelism()}`);
console.log('workers | free-running batches/s | with a ' + stepMs + ' ms step: batches/s (ideal ' + (1000 / stepMs).toFixed(1) + '), mean wait per batch');
for (const w of workerCounts) {
  const free = run(spec, w, 0);
  const trained = run(spec, w, stepMs);
  console.log(`${String(w).padStart(7)} | ${free.perSec.toFixed(1).padStart(22)} | ${trained.perSec.toFixed(1).padStart(6)} batches/s, wait ${trained.waitMs.toFixed(1)} ms/batch`);
}
