// End to end: the segmentation example trains a small network on synthetic blobs to a high validation Dice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tn from 'tunet';
import { trainBlobs } from '../examples/segment-blobs.js';

test('examples/segment-blobs: Dice+CE, Adam, poly LR, SegmentationMeter -> val Dice > 0.9', () => {
  tn.setNumThreads(2);
  const dir = mkdtempSync(join(tmpdir(), 'tunet-blobs-'));
  const before = tn.memory().tensors;
  const { history, model, optimizer } = trainBlobs({ epochs: 6, runDir: dir, progress: false });
  const last = history[history.length - 1];
  assert.ok(last.loss < history[0].loss, 'training loss fell');
  assert.ok(last.val_seg_dice > 0.9, `validation Dice ${last.val_seg_dice}`);
  assert.ok(existsSync(join(dir, 'best.safetensors')) && existsSync(join(dir, 'last.safetensors')));
  const ck = tn.train.loadCheckpoint(join(dir, 'best.safetensors'));
  const sd = model.stateDict();
  assert.deepEqual(Object.keys(ck.modelState).sort(), Object.keys(sd).sort());
  Object.values(sd).forEach((t) => t.dispose());
  ck.dispose();
  model.dispose();
  optimizer.dispose();
  // Data, batches, model and optimizer state are all freed: nothing is left per step.
  assert.ok(tn.memory().tensors - before === 0, `live tensors grew by ${tn.memory().tensors - before}`);
});
