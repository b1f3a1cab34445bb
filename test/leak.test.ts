// Long training loops must not leak: the live tensor count is flat and RSS is
// bounded whether temporaries are freed by tn.scope, by dispose(), or only by
// the GC finalizers.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import v8 from 'node:v8';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import * as tn from 'tunet';
import { makeModel, step, stepDisposing, disposeModel, forward, rssMB } from './helpers/leak-model.js';

const STEPS = 10_000;
// RSS is read after the allocator has warmed up (it grows for the first few thousand steps, then plateaus).
const MARK = 5_000;
// RSS after a full GC; a leak of a few KB per step over 9000 steps exceeds this.
const RSS_SLACK_MB = 40;

interface Mark {
  tensors: number;
  bytes: number;
  rss: number;
}

// A full collection before each RSS reading, so the reading holds what is retained, not garbage waiting for the GC.
v8.setFlagsFromString('--expose-gc');
const fullGc = vm.runInNewContext('gc') as () => void;
const mark = (): Mark => {
  fullGc();
  return { ...tn.memory(), rss: rssMB() };
};

function checkFlat(t: TestContext, name: string, atMark: Mark, atEnd: Mark, firstLoss: number, lastLoss: number, ms: number) {
  const info = `${name}: step ${MARK} ${JSON.stringify(atMark)}, step ${STEPS} ${JSON.stringify(atEnd)}, loss ${firstLoss} -> ${lastLoss}, ${Math.round(ms)} ms`;
  t.diagnostic(info);
  assert.equal(atEnd.tensors, atMark.tensors, `live tensors are flat. ${info}`);
  assert.equal(atEnd.bytes, atMark.bytes, `live bytes are flat. ${info}`);
  assert.ok(atEnd.rss - atMark.rss < RSS_SLACK_MB, `RSS grew by ${(atEnd.rss - atMark.rss).toFixed(1)} MB. ${info}`);
  assert.ok(lastLoss < firstLoss / 4, `the model trains (so every step really ran). ${info}`);
}

describe('training loop leaks', () => {
  it(`${STEPS} steps in tn.scope: live tensors flat, RSS bounded`, (t) => {
    const base = tn.memory();
    const m = makeModel();
    let first = NaN;
    let last = NaN;
    let atMark: Mark | undefined;
    const t0 = performance.now();
    for (let i = 1; i <= STEPS; i++) {
      const loss = tn.scope(() => step(m).item());
      if (i === 1) first = loss;
      last = loss;
      if (i === MARK) atMark = mark();
    }
    const ms = performance.now() - t0;
    const atEnd = mark();
    assert.equal(atMark!.tensors, base.tensors + 6, 'only the 4 parameters and the data are alive');
    checkFlat(t, 'scope', atMark!, atEnd, first, last, ms);
    disposeModel(m);
    assert.deepEqual(tn.memory(), base);
  });

  it(`${STEPS} steps with explicit dispose and grad.zero_(): live tensors flat, RSS bounded`, (t) => {
    const base = tn.memory();
    const m = makeModel();
    let first = NaN;
    let last = NaN;
    let atMark: Mark | undefined;
    const t0 = performance.now();
    for (let i = 1; i <= STEPS; i++) {
      const loss = stepDisposing(m);
      if (i === 1) first = loss;
      last = loss;
      if (i === MARK) atMark = mark();
    }
    const ms = performance.now() - t0;
    const atEnd = mark();
    // Parameters and data; the zeroed gradients stay attached to the parameters
    // but have no JavaScript handle, so they are not counted.
    assert.equal(atMark!.tensors, base.tensors + 6);
    checkFlat(t, 'dispose', atMark!, atEnd, first, last, ms);
    // The gradient buffers were reused (zeroed, not replaced) and still exist.
    const g = m.params[0].grad!;
    assert.deepEqual(g.shape, [16, 4]);
    assert.equal(tn.scope(() => g.abs().sum().item()), 0);
    g.dispose();
    // A further forward pass still works and leaks nothing.
    assert.ok(tn.scope(() => forward(m).item()) < first);
    disposeModel(m);
    assert.deepEqual(tn.memory(), base);
  });

  it(`${STEPS} steps freed only by the GC finalizer (child process with --expose-gc)`, (t) => {
    const child = fileURLToPath(new URL('./helpers/leak-child.js', import.meta.url));
    const r = spawnSync(process.execPath, ['--expose-gc', child, 'gc', String(STEPS)], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `child failed (status ${r.status}, signal ${r.signal}):\n${r.stderr}`);
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
    const atMark: Mark = res.marks[MARK];
    const atEnd: Mark = res.marks[STEPS];
    assert.equal(atMark.tensors, 6, `after a GC only parameters and data remain: ${JSON.stringify(res.marks)}`);
    checkFlat(t, 'gc', atMark, atEnd, res.firstLoss, res.lastLoss, res.ms);
    // Between collections (every 500 steps) the garbage stays bounded too.
    t.diagnostic(`gc: peak live tensors ${res.peakTensors}`);
    assert.ok(res.peakTensors < 500 * 30, `peak live tensors ${res.peakTensors}`);
    assert.equal(res.end, 0, 'everything is freed at the end');
  });
});
