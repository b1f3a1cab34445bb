// The engine issue's example: must print PyTorch's numbers (1e-4 relative).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tn from 'tunet';

const F = tn.nn.functional;

test('conv2d + relu + pow + mean, forward and backward, matches PyTorch', () => {
  const x = tn.arange(0, 2 * 3 * 8 * 8).reshape([2, 3, 8, 8]).div(100).sin();
  const w = tn.arange(0, 4 * 3 * 3 * 3).reshape([4, 3, 3, 3]).div(50).cos().requiresGrad_();
  const loss = F.relu(F.conv2d(x, w, null, { stride: 1, padding: 1 })).pow(2).mean();
  loss.backward();
  const got = { loss: loss.item(), g: w.grad!.sum().item(), gabs: w.grad!.abs().sum().item() };
  // Printed by the same lines in PyTorch 1.13 (python3-torch).
  const want = { loss: 53.71943664550781, g: 138.8065185546875, gabs: 139.64273071289062 };
  for (const k of Object.keys(want) as (keyof typeof want)[]) {
    assert.ok(Math.abs(got[k] - want[k]) <= 1e-4 * Math.abs(want[k]), `${k}: ${got[k]} vs ${want[k]}`);
  }
});
