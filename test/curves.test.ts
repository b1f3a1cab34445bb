// Training curves: a PNG with one panel each for loss, metrics and learning rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import * as tn from 'tunet';

const history = [1, 2, 3, 4].map((epoch) => ({ epoch, loss: 1 / epoch, val_loss: 1.2 / epoch, val_seg_dice: 1 - 0.5 / epoch, val_seg_dice_1: 0.3, lr: 0.01 / epoch }));

test('the spec has loss, metric and lr panels with the right series', () => {
  const spec = tn.train.curvesSpec(history) as unknown as { hconcat: { title: string; data: { values: { series: string }[] } }[] };
  assert.deepEqual(spec.hconcat.map((p) => p.title), ['loss', 'metrics', 'learning rate']);
  assert.deepEqual([...new Set(spec.hconcat[1].data.values.map((v) => v.series))], ['val_seg_dice']);
  assert.equal(spec.hconcat[0].data.values.length, 8);
});

test('renders a PNG', async () => {
  const png = await tn.train.renderCurves(history, { title: 'test' });
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, 'png');
  assert.ok(meta.width! > 600 && meta.height! > 200, `${meta.width}x${meta.height}`);
  const stats = await sharp(png).stats();
  assert.ok(stats.channels[0].min < 100, 'something is drawn (dark pixels exist)');
});
