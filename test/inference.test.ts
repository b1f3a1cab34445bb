// Whole-image inference: any size, sliding windows with Gaussian weights, mirroring TTA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tn from 'tunet';

const { predictProbabilities, predictClasses, padToMultiple } = tn.train;

/** A fully convolutional "network" whose output depends only on each pixel: tiling cannot change it. */
class PixelNet extends tn.nn.Module {
  conv = new tn.nn.Conv2d(1, 3, 1);
  forward(x: tn.Tensor) {
    return this.conv.forward(x);
  }
}

test('padToMultiple pads with reflection to the next multiple and reports the padding', () => {
  const x = tn.arange(0, 2 * 1 * 30 * 45).reshape([2, 1, 30, 45]).float();
  const { padded, pad } = padToMultiple(x, 16);
  assert.deepEqual(padded.shape, [2, 1, 32, 48]);
  assert.deepEqual(pad, [1, 2, 1, 1]);
  assert.ok(padded.narrow(2, pad[2], 30).narrow(3, pad[0], 45).equal(x));
});

test('predictions have the input size; tiles and mirroring agree with whole-image prediction for a per-pixel net', () => {
  tn.manualSeed(0);
  const m = new PixelNet();
  const x = tn.randn([1, 1, 70, 90]);
  const whole = predictProbabilities(m, x, { multiple: 16 });
  assert.deepEqual(whole.shape, [1, 3, 70, 90]);
  assert.ok(whole.sum(1).allclose(tn.ones([1, 70, 90]), 1e-5, 1e-5), 'softmax over classes');
  const tiled = predictProbabilities(m, x, { multiple: 16, patchSize: 32, step: 0.5 });
  assert.ok(tiled.allclose(whole, 1e-4, 1e-5), 'sliding window == whole image');
  const mirrored = predictProbabilities(m, x, { multiple: 16, patchSize: 48, mirror: true });
  assert.ok(mirrored.allclose(whole, 1e-4, 1e-5), 'mirror TTA == whole image for a per-pixel net');
  const cls = predictClasses(m, x);
  assert.deepEqual(cls.shape, [1, 70, 90]);
  assert.equal(cls.dtype, 'int64');
  assert.ok(m.training, 'the model is back in training mode');
});

test('a U-Net predicts any image size; a sigmoid head gives 0/1 classes', () => {
  tn.manualSeed(0);
  const unet = tn.models.createModel('unet', { inChannels: 1, numClasses: 1, baseWidth: 4, depth: 2 });
  const x = tn.rand([2, 1, 37, 51]);
  const before = tn.memory().tensors;
  const cls = predictClasses(unet, x, { multiple: 4, patchSize: 24 });
  assert.deepEqual(cls.shape, [2, 37, 51]);
  assert.ok(tn.scope(() => cls.le(1).all().item() && cls.ge(0).all().item()));
  cls.dispose();
  assert.equal(tn.memory().tensors, before, 'no tensors left behind');
  assert.throws(() => predictProbabilities(unet, tn.rand([1, 37, 51])), /\(N, C, H, W\)/);
});
