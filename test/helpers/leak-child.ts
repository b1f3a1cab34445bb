// Child process for test/leak.test.ts: the training loop with neither scopes
// nor dispose, so only the GC finalizers free the temporaries. Run as
// `node --expose-gc leak-child.js gc <steps>`; prints one JSON line.
import * as tn from 'tunet';
import { makeModel, step, disposeModel, rssMB } from './leak-model.js';

const gc = (globalThis as { gc?: () => void }).gc;
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Collects until the live count stops falling (finalizers run from the event loop). */
async function settle(): Promise<number> {
  let last = Infinity;
  for (let i = 0; i < 10; i++) {
    gc!();
    await tick();
    const n = tn.memory().tensors;
    if (n >= last) break;
    last = n;
  }
  return last;
}

async function main(steps: number) {
  if (!gc) throw new Error('run with --expose-gc');
  const m = makeModel();
  const marks: Record<number, { tensors: number; bytes: number; rss: number }> = {};
  let peakTensors = 0;
  let firstLoss = NaN;
  let lastLoss = NaN;
  const t0 = performance.now();
  for (let i = 1; i <= steps; i++) {
    const loss = step(m).item();
    if (i === 1) firstLoss = loss;
    lastLoss = loss;
    peakTensors = Math.max(peakTensors, tn.memory().tensors);
    if (i % 500 === 0) {
      const tensors = await settle();
      marks[i] = { tensors, bytes: tn.memory().bytes, rss: rssMB() };
    }
  }
  const ms = performance.now() - t0;
  disposeModel(m);
  return { steps, marks, peakTensors, firstLoss, lastLoss, ms, end: await settle() };
}

if (process.argv[2] === 'gc') {
  const result = await main(Number(process.argv[3] ?? 10_000));
  process.stdout.write(JSON.stringify(result) + '\n');
}
