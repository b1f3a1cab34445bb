// The Trainer: learning, checkpoints, exact resume (in-process and after SIGKILL), NaN stop, early stopping,
// gradient accumulation, clipping, penalties, bad options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tn from 'tunet';
import { TinyNet, makeData, batches } from './helpers/train-fixture.js';

const F = tn.nn.functional;
const mse = (o: tn.Tensor, t: tn.Tensor) => F.mseLoss(o, t);
const { x, y } = makeData();
const tmp = () => mkdtempSync(join(tmpdir(), 'tunet-train-'));

function setup(seed = 7, lr = 0.01) {
  tn.manualSeed(seed);
  const model = new TinyNet();
  const optimizer = new tn.optim.SGD(model.parameters(), { lr, momentum: 0.9 });
  const scheduler = new tn.optim.lrScheduler.StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
  return { model, optimizer, scheduler };
}

function weightsEqual(a: tn.nn.Module, b: tn.nn.Module): boolean {
  const sa = a.stateDict();
  const sb = b.stateDict();
  return Object.keys(sa).every((k) => sa[k].equal(sb[k]));
}

test('training lowers the loss and logs loss, val_loss, metrics and lr per epoch', () => {
  tn.setNumThreads(1);
  const { model, optimizer, scheduler } = setup();
  const trainer = new tn.train.Trainer({
    model, optimizer, scheduler, loss: mse, epochs: 6, seed: 1, progress: false,
    metrics: [tn.train.meanMetric('mae', (o, t) => tn.scope(() => o.sub(t).abs().mean().item()))],
  });
  const h = trainer.fit(batches(x, y, 8), batches(x, y, 32));
  assert.equal(h.length, 6);
  assert.deepEqual(Object.keys(h[0]).sort(), ['epoch', 'loss', 'lr', 'mae', 'val_loss', 'val_mae'].sort());
  assert.ok(h[5].loss < h[0].loss / 2, `loss ${h[0].loss} -> ${h[5].loss}`);
  assert.deepEqual(h.map((l) => l.lr), [0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025]);
});

test('a resumed run ends with the same weights as an uninterrupted one (dropout, momentum, schedule, shuffling)', () => {
  tn.setNumThreads(1);
  const full = setup();
  new tn.train.Trainer({ ...full, loss: mse, epochs: 6, seed: 99, progress: false }).fit(batches(x, y, 8), batches(x, y, 32));

  const dir = tmp();
  const a = setup();
  new tn.train.Trainer({ ...a, loss: mse, epochs: 3, seed: 99, progress: false, checkpointDir: dir }).fit(batches(x, y, 8), batches(x, y, 32));
  const b = setup(12345); // different init: everything must come from the checkpoint
  const t = new tn.train.Trainer({ ...b, loss: mse, epochs: 6, seed: 99, progress: false, checkpointDir: dir, resume: true, logger: () => {} });
  t.fit(batches(x, y, 8), batches(x, y, 32));
  assert.equal(t.history.length, 6);
  assert.ok(weightsEqual(full.model, b.model), 'resumed weights differ from the uninterrupted run');
  assert.ok(existsSync(join(dir, 'best.safetensors')));
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.epoch), [1, 2, 3, 4, 5, 6]);
});

test('kill -9 at a random instant, then resume: same final weights as an uninterrupted run', async () => {
  const child = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'train-child.js');
  const ref = tmp();
  const r = spawnSync(process.execPath, [child, ref, '6'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const want = tn.safetensors.loadFile(join(ref, 'final.safetensors')).tensors;

  const dir = tmp();
  // First run: killed with SIGKILL somewhere after its second epoch line, at a random moment.
  await new Promise<void>((resolve) => {
    const p = spawn(process.execPath, [child, dir, '6', '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      if (out.includes('epoch 2') && !p.killed) setTimeout(() => p.kill('SIGKILL'), Math.floor(Math.random() * 150));
    });
    p.on('exit', () => resolve());
  });
  assert.ok(existsSync(join(dir, 'last.safetensors')), 'a checkpoint survives the kill');
  assert.ok(!existsSync(join(dir, 'final.safetensors')), 'the first run was killed before finishing');
  const r2 = spawnSync(process.execPath, [child, dir, '6'], { encoding: 'utf8' });
  assert.equal(r2.status, 0, r2.stderr);
  const got = tn.safetensors.loadFile(join(dir, 'final.safetensors')).tensors;
  for (const k of Object.keys(want)) assert.ok(got[k].equal(want[k]), `${k} differs after kill and resume`);
});

test('a NaN loss stops training with a message naming the step and causes; the last checkpoint stays good', () => {
  const dir = tmp();
  const { model, optimizer } = setup(7, 0.01);
  let calls = 0;
  const loss = (o: tn.Tensor, t: tn.Tensor) => (++calls > 20 ? F.mseLoss(o, t).mul(NaN) : F.mseLoss(o, t));
  const trainer = new tn.train.Trainer({ model, optimizer, loss, epochs: 5, progress: false, checkpointDir: dir });
  assert.throws(
    () => trainer.fit(batches(x, y, 8)),
    (e: unknown) => e instanceof tn.train.TrainingDivergedError && /NaN at epoch 3, batch 5/.test(e.message) && /learning rate/.test(e.message) && e.message.includes('last.safetensors'),
  );
  const m2 = new TinyNet();
  const ck = tn.train.loadCheckpoint(join(dir, 'last.safetensors'));
  m2.loadStateDict(ck.modelState);
  assert.equal(ck.state.epoch, 2);
  assert.ok(m2.parameters().every((p) => p.isfinite().all().item()));
  ck.dispose();
});

test('early stopping stops after patience and restores the best weights', () => {
  const { model, optimizer } = setup(7, 0.01);
  const es = new tn.train.EarlyStopping({ monitor: 'val_loss', patience: 1, restoreBestWeights: true });
  // Validation data that training cannot fit: its loss rises once training moves the weights away.
  const yBad = y.neg();
  const trainer = new tn.train.Trainer({ model, optimizer, loss: mse, epochs: 30, progress: false, callbacks: [es], logger: () => {} });
  const h = trainer.fit(batches(x, y, 8), () => [[x, yBad]]);
  assert.ok(h.length < 30, 'stopped early');
  assert.equal(es.stoppedEpoch, h.length - 1);
  const best = Math.min(...h.map((l) => l.val_loss));
  const now = trainer.evaluate(() => [[x, yBad]]).val_loss;
  assert.ok(Math.abs(now - best) < 1e-6, `restored val_loss ${now} vs best ${best}`);
});

test('gradient accumulation over 2 batches of 4 equals one step on the batch of 8', () => {
  const data = (bs: number) => () => {
    const out: [tn.Tensor, tn.Tensor][] = [];
    for (let i = 0; i < 8; i += bs) out.push([x.narrow(0, i, bs), y.narrow(0, i, bs)]);
    return out;
  };
  const run = (bs: number, acc: number) => {
    tn.manualSeed(3);
    const m = new TinyNet(0);
    const opt = new tn.optim.SGD(m.parameters(), { lr: 0.1 });
    new tn.train.Trainer({ model: m, optimizer: opt, loss: mse, epochs: 1, progress: false, gradAccumulation: acc }).fit(data(bs));
    return m;
  };
  const a = run(8, 1);
  const b = run(4, 2);
  const sa = a.stateDict();
  const sb = b.stateDict();
  for (const k of Object.keys(sa)) assert.ok(sa[k].allclose(sb[k], 1e-5, 1e-6), k);
});

test('clipping and L1/L2 penalties change the update as defined', () => {
  const step = (o: Partial<tn.train.TrainerOptions>) => {
    tn.manualSeed(3);
    const m = new TinyNet(0);
    const opt = new tn.optim.SGD(m.parameters(), { lr: 0.1 });
    new tn.train.Trainer({ model: m, optimizer: opt, loss: mse, epochs: 1, progress: false, ...o }).fit(() => [[x, y]]);
    return m;
  };
  tn.manualSeed(3);
  const m0 = new TinyNet(0);
  const w0 = m0.w1.clone();
  const plain = step({});
  const clipped = step({ clipGradValue: 1e-3 });
  const d = clipped.w1.sub(w0).abs().max().item();
  assert.ok(d <= 0.1 * 1e-3 + 1e-7, `clipped update ${d}`);
  const l2 = step({ l2: 0.5 });
  // With λ·Σw², the weight gradient gains 2λw: the extra change is −lr·2λ·w0 for the weights.
  const extra = l2.w1.sub(plain.w1);
  assert.ok(extra.allclose(w0.mul(-0.1 * 2 * 0.5), 1e-4, 1e-6));
  assert.ok(l2.b1.allclose(plain.b1), 'biases are not penalised');
});

test('bad options give clear errors', () => {
  const { model, optimizer } = setup();
  const base = { model, optimizer, loss: mse, epochs: 1, progress: false };
  assert.throws(() => new tn.train.Trainer({ ...base, epochs: 0 }), /epochs must be a positive integer/);
  assert.throws(() => new tn.train.Trainer({ ...base, gradAccumulation: 0 }), /gradAccumulation/);
  assert.throws(() => new tn.train.Trainer({ ...base, clipGradNorm: -1 }), /clipGradNorm/);
  assert.throws(() => new tn.train.Trainer({ ...base, resume: '/nonexistent/ck.safetensors' }).fit(() => [[x, y]]), /does not exist/);
  assert.throws(() => new tn.train.Trainer(base).fit(() => []), /no batches/);
  assert.throws(() => new tn.train.Trainer({ ...base, callbacks: [new tn.train.EarlyStopping({ monitor: 'val_dice' })] }).fit(() => [[x, y]]), /val_dice.*not in the epoch logs/);
});

test('the progress bar shows batches, rate, ETA and loss on a terminal, and one line per epoch', async () => {
  const { Writable } = await import('node:stream');
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: true, columns: 120, cursorTo: (_x: number, _y?: unknown, cb?: () => void) => (cb?.(), true), clearLine: (_d: number, cb?: () => void) => (cb?.(), true), moveCursor: () => true });
  const { model, optimizer } = setup();
  const bar = new tn.train.ProgressBar({ stream, tty: true });
  new tn.train.Trainer({ model, optimizer, loss: mse, epochs: 2, progress: false, callbacks: [bar] }).fit(batches(x, y, 8));
  assert.match(text, /epoch 1\/2 \|.*\| \d+\/\d+ batches \| [\d.-]+ it\/s \| ETA/);
  assert.match(text, /loss \d\.\d{4}/);
  assert.match(text, /epoch 2\/2 \([\d.]+ s\): loss \d\.\d{4}, lr 0\.0100/);
});
