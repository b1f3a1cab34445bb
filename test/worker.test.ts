// tunet in worker_threads: each thread gets working tensors, autograd and TorchErrors, concurrently with the main thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import * as tn from 'tunet';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
import('tunet').then((tn) => {
  const out = [];
  for (let i = 0; i < 200; i++) {
    tn.scope(() => {
      const w = tn.full([8, 8], workerData.k, { dtype: 'float32' }).requiresGrad_();
      const y = w.matmul(w).sum();
      y.backward();
      if (i === 199) out.push(y.item(), w.grad.sum().item());
    });
  }
  let err = null;
  try { tn.zeros([2, 3]).matmul(tn.zeros([4, 5])); } catch (e) { err = { name: e.name, isTorchError: e instanceof tn.TorchError, op: e.op, message: e.message }; }
  parentPort.postMessage({ out, err });
});
`;

test('workers compute with tunet in parallel with the main thread, and get TorchErrors', async () => {
  const run = (k: number) =>
    new Promise<{ out: number[]; err: { name: string; isTorchError: boolean; op: string; message: string } }>((resolve, reject) => {
      const w = new Worker(WORKER, { eval: true, workerData: { k } });
      w.once('message', resolve);
      w.once('error', reject);
    });
  const jobs = [run(1), run(2), run(3)];
  // Meanwhile the main thread keeps working.
  for (let i = 0; i < 200; i++) tn.scope(() => tn.randn([16, 16]).matmul(tn.randn([16, 16])).sum().item());
  const results = await Promise.all(jobs);
  results.forEach((r, i) => {
    const k = i + 1;
    // sum(W·W) for W = k everywhere (8×8) is 8·k²·64; d/dW of sum(W·W) is 2·8·k per element, summed over 64 elements.
    assert.deepEqual(r.out, [8 * k * k * 64, 2 * 8 * k * 64]);
    assert.equal(r.err.isTorchError, true);
    assert.equal(r.err.name, 'TorchError');
    assert.match(r.err.message, /matmul.*cannot be multiplied/);
  });
  assert.throws(() => tn.zeros([2]).reshape([3]), tn.TorchError);
});
