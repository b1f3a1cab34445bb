// Child process for test/memory.test.ts: scenarios that depend on V8's garbage
// collector. Run as `node --expose-gc memory-child.js <mode>`; prints one JSON
// line with the measurements and exits 0.
import * as tn from 'tunet';

type Gc = () => void;
const gc = (globalThis as { gc?: Gc }).gc;

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Node-API finalizers run after the GC, from the event loop, so collect and
 * yield a few times until the count settles.
 */
async function collect(until: () => boolean, rounds = 20): Promise<number> {
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < rounds; i++) {
    gc();
    await tick();
    if (until()) return i + 1;
  }
  return rounds;
}

/** Tensors dropped without dispose are freed by their finalizers after a GC. */
async function finalizer() {
  const base = tn.memory();
  const kept = tn.arange(0, 100).mul(2); // still referenced: must survive
  const keptView = kept.view([10, 10]);
  let disposedTwice: tn.Tensor | null = tn.zeros([10]);
  disposedTwice.dispose(); // disposed, then collected: must not be untracked twice
  disposedTwice = null;

  // Made in a separate function so that no local of this (suspended) async
  // function keeps them; held until the peak is measured, as the GC may run
  // at any allocation.
  const peak = (() => {
    const garbage: tn.Tensor[] = [];
    for (let i = 0; i < 1000; i++) garbage.push(tn.zeros([250])); // 1000 B each, never disposed
    const base2 = tn.zeros([1000]);
    const v = base2.view([10, 100]);
    garbage.push(base2, v, v.t()); // a base and two views: one storage
    return tn.memory();
  })();

  const rounds = await collect(() => tn.memory().tensors <= base.tensors + 2);
  const after = tn.memory();
  const keptOk = tn.scope(() => kept.add(0).sum().item() === 9900 && keptView.shape.join() === '10,10' && !kept.isDisposed);
  kept.dispose();
  keptView.dispose();
  const end = tn.memory();
  return { base, peak, after, end, rounds, keptOk };
}

/**
 * Native bytes are reported to V8 (napi_adjust_external_memory), so the GC
 * runs when big tensors pile up even though their JavaScript wrappers are
 * tiny. No --expose-gc needed: V8 decides by itself. The control loop makes
 * tiny tensors with the same JavaScript garbage per step. With `yieldEachStep`
 * false the loop is synchronous: the finalizers must run inside the GC itself.
 */
async function pressure(yieldEachStep: boolean) {
  const steps = 400;
  const run = async (numel: number) => {
    const base = tn.memory();
    let peakTensors = 0;
    let peakBytes = 0;
    for (let i = 0; i < steps; i++) {
      tn.empty([numel]); // never disposed; empty() leaves the pages untouched
      const m = tn.memory();
      peakTensors = Math.max(peakTensors, m.tensors - base.tensors);
      peakBytes = Math.max(peakBytes, m.bytes - base.bytes);
      if (yieldEachStep) await tick();
    }
    return { peakTensors, peakBytes };
  };
  const small = await run(1);
  const large = await run(2_500_000); // 10 MB each, 4 GB in all
  return { steps, small, large, allocatedBytes: steps * 10_000_000 };
}

// Without a mode (e.g. picked up by a test runner's file glob) it does nothing.
const mode = process.argv[2];
if (mode !== undefined) {
  const result =
    mode === 'finalizer' ? await finalizer() : mode === 'pressure' ? await pressure(true) : mode === 'pressure-sync' ? await pressure(false) : null;
  if (result === null) throw new Error(`unknown mode ${mode}`);
  process.stdout.write(JSON.stringify(result) + '\n');
}
