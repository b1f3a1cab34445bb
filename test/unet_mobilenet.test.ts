// U-Net with a MobileNet encoder (src/models/unet_mobilenet.ts): size, encoder keys = torchvision's features
// keys, the skips at strides 2/4/8/16/32 against torchvision's own intermediate outputs (statistics stored in
// test/fixtures/mobilenet_v2_c10.safetensors by scripts/make_mobilenet_fixture.py), shapes, the multiple-of-32
// check, 1-channel inputs, a short training, memory, freezeEncoder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tn from 'tunet';
import { fixturePath } from './helpers/paths.js';

const M = tn.models;
type T = tn.Tensor;


const keysDoc = JSON.parse(readFileSync(fixturePath('mobilenet_keys.json'), 'utf8')) as { keys: Record<string, [string, number[]][]> };

function keyList(m: tn.nn.Module): [string, number[]][] {
  return tn.scope(() => Object.entries(m.stateDict()).map(([k, v]) => [k, v.shape] as [string, number[]]));
}

function snapshot(m: tn.nn.Module): Map<string, number[]> {
  return tn.scope(() => new Map(Object.entries(m.stateDict()).map(([k, v]) => [k, v.toArray()])));
}

test('α = 1 MobileNetV2 U-Net: under 10 MB of float32 weights, parameters = torchvision features 0–17 + decoder', () => {
  const m = new M.UNetMobileNet();
  try {
    const s = M.summary(m, [1, 3, 224, 224]);
    assert.ok(s.weightBytes < 10e6, `weightBytes ${s.weightBytes}`);
    // torchvision's mobilenet_v2 minus classifier.1 (1281·1000) and features.18 (320·1280 + 2·1280).
    const encoder = 3504872 - 1281000 - 412160;
    assert.equal(m.encoder.numParameters(), encoder);
    const [a, b, c, d] = [64, 48, 32, 24];
    const decoder = 9 * (320 * a + (a + 576) * b + (b + 192) * c + (c + 144) * d) + 2 * (a + b + c + d) + 9 * (d + 96) + 1;
    assert.equal(s.totalParams, encoder + decoder);
    assert.deepEqual(s.outputShape, [1, 1, 224, 224]);
    assert.deepEqual(m.skipChannels, [96, 144, 192, 576]);
    assert.equal(m.bottleneckChannels, 320);
  } finally {
    m.dispose();
  }
});

test('encoder keys and shapes are torchvision\'s features.N keys (v2 up to 17, v3 large up to 15, v3 small up to 11)', () => {
  for (const [enc, last] of [['mobilenet_v2', 17], ['mobilenet_v3_large', 15], ['mobilenet_v3_small', 11]] as const) {
    const m = new M.UNetMobileNet({ encoder: enc });
    try {
      const want = keysDoc.keys[enc]
        .filter(([k]) => k.startsWith('features.') && Number(k.split('.')[1]) <= last)
        .map(([k, s]) => [k.slice('features.'.length), s]);
      assert.deepEqual(keyList(m.encoder), want, enc);
    } finally {
      m.dispose();
    }
  }
});

test('the skips are TensorFlow\'s taps: torchvision\'s block outputs at strides 2, 4, 8, 16, 32 (statistics match 1e-4)', () => {
  const { tensors } = tn.safetensors.loadFile(fixturePath('mobilenet_v2_c10.safetensors'));
  const m = new M.UNetMobileNet({ numClasses: 2 });
  try {
    m.loadEncoderStateDict(tensors); // a whole torchvision state dict: classifier and features.18 are skipped
    m.eval();
    tn.scope(() => {
      const { skips, bottleneck } = tn.noGrad(() => m.encode(tensors.__input__));
      const got = [...skips, bottleneck];
      ['s2', 's4', 's8', 's16', 's32'].forEach((name, i) => {
        const t = got[i];
        assert.deepEqual(t.shape, tensors[`__tap_${name}_shape__`].toArray(), name);
        const mean = t.mean([0, 2, 3]).toArray();
        const meansq = t.mul(t).mean([0, 2, 3]).toArray();
        const wm = tensors[`__tap_${name}_mean__`].toArray();
        const wq = tensors[`__tap_${name}_meansq__`].toArray();
        const dm = Math.max(...mean.map((v, j) => Math.abs(v - wm[j])));
        const dq = Math.max(...meansq.map((v, j) => Math.abs(v - wq[j]) / Math.max(1, wq[j])));
        assert.ok(dm < 1e-4 && dq < 1e-4, `${name}: mean diff ${dm}, mean-square diff ${dq}`);
        assert.ok(Math.max(...wq) > 1e-3, `${name}: the reference statistics are not trivially zero`);
      });
    });
  } finally {
    m.dispose();
    for (const t of Object.values(tensors)) t.dispose();
  }
});

test('inChannels 1: the first conv takes 1 channel; a 3-channel checkpoint loads with its RGB kernels summed', () => {
  const { tensors } = tn.safetensors.loadFile(fixturePath('mobilenet_v2_c10.safetensors'));
  const m = new M.UNetMobileNet({ inChannels: 1, numClasses: 3, widthMult: 1 });
  try {
    m.loadEncoderStateDict(tensors);
    tn.scope(() => {
      const w = m.stateDict()['encoder.0.0.weight'];
      assert.deepEqual(w.shape, [32, 1, 3, 3]);
      const want = tensors['features.0.0.weight'].sum(1, true).toArray();
      const got = w.toArray();
      assert.ok(Math.max(...got.map((v, i) => Math.abs(v - want[i]))) < 1e-6);
      const bnMean = m.stateDict()['encoder.17.conv.3.running_mean'].toArray();
      assert.deepEqual(bnMean, tensors['features.17.conv.3.running_mean'].toArray());
      m.eval();
      const y = tn.noGrad(() => m.forward(tn.randn([2, 1, 64, 96])));
      assert.deepEqual(y.shape, [2, 3, 64, 96]);
    });
    assert.throws(() => tn.scope(() => m.forward(tn.zeros([1, 3, 64, 64]))), (e: unknown) => e instanceof tn.TorchError && /1 input channel/.test(e.message));
    // strict: a checkpoint without some encoder keys is refused.
    const partial = Object.fromEntries(Object.entries(tensors).filter(([k]) => !k.startsWith('features.5.')));
    assert.throws(() => m.loadEncoderStateDict(partial), (e: unknown) => e instanceof tn.TorchError && /missing keys: 5\.conv/.test(e.message));
  } finally {
    m.dispose();
    for (const t of Object.values(tensors)) t.dispose();
  }
});

test('forward shapes for several encoders, widths, sizes and class counts', () => {
  const cases: [Record<string, unknown>, number[]][] = [
    [{ widthMult: 0.5, numClasses: 3 }, [2, 3, 64, 64]],
    [{ widthMult: 0.35 }, [1, 3, 96, 128]],
    [{ widthMult: 1.4, numClasses: 2 }, [1, 3, 32, 32]],
    [{ encoder: 'mobilenet_v3_large', widthMult: 0.75, numClasses: 4 }, [2, 3, 64, 64]],
    [{ encoder: 'mobilenet_v3_small', numClasses: 2, inChannels: 1 }, [1, 1, 32, 64]],
    [{ encoder: 'mobilenet_v3_small', widthMult: 0.5, decoderChannels: [32, 16, 16, 8] }, [2, 3, 64, 32]],
  ];
  for (const [cfg, shape] of cases) {
    const m = new M.UNetMobileNet(cfg);
    try {
      m.eval();
      tn.scope(() => {
        const y = tn.noGrad(() => m.forward(tn.randn(shape)));
        assert.deepEqual(y.shape, [shape[0], (cfg.numClasses as number | undefined) ?? 1, shape[2], shape[3]], JSON.stringify(cfg));
        assert.ok(y.toArray().every(Number.isFinite));
      });
    } finally {
      m.dispose();
    }
  }
});

test('sizes that are not multiples of 32 are a clear error naming the nearest sizes; bad options name the option', () => {
  const m = new M.UNetMobileNet({ widthMult: 0.35 });
  try {
    const before = tn.memory().tensors;
    tn.scope(() => {
      assert.throws(() => m.forward(tn.zeros([1, 3, 100, 64])), (e: unknown) => e instanceof tn.TorchError && /multiples of 32/.test(e.message) && /height 100 \(nearest: 96 or 128\)/.test(e.message));
      assert.throws(() => m.forward(tn.zeros([1, 3, 64, 20])), (e: unknown) => e instanceof tn.TorchError && /width 20 \(nearest: 32\)/.test(e.message));
    });
    assert.equal(tn.memory().tensors, before);
  } finally {
    m.dispose();
  }
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ encoder: 'resnet18' }, /encoder must be one of/],
    [{ widthMult: 0 }, /widthMult/],
    [{ decoderChannels: [64, 32] }, /decoderChannels/],
    [{ freezeEncoder: 1 }, /freezeEncoder/],
    [{ classes: 2 }, /unknown option 'classes'/],
  ];
  for (const [cfg, re] of bad) assert.throws(() => new M.UNetMobileNet(cfg as never), (e: unknown) => e instanceof tn.TorchError && re.test(e.message), JSON.stringify(cfg));
  assert.throws(() => M.createModel('unet_mobilenet_v2', { encoder: 'mobilenet_v3_small' }), /unknown option 'encoder'/);
  assert.throws(() => M.createModel('unet_mobilenet_v3', { variant: 'medium' }), /variant must be one of/);
});

test('registry: unet_mobilenet_v2 and unet_mobilenet_v3 (variant large/small)', () => {
  const v2 = M.createModel('unet_mobilenet_v2', { widthMult: 0.5, numClasses: 2 }) as InstanceType<typeof M.UNetMobileNet>;
  const v3s = M.createModel('unet_mobilenet_v3', { variant: 'small', widthMult: 0.5 }) as InstanceType<typeof M.UNetMobileNet>;
  const v3l = M.createModel('unet_mobilenet_v3', { widthMult: 0.5 }) as InstanceType<typeof M.UNetMobileNet>;
  try {
    assert.equal(v2.config.encoder, 'mobilenet_v2');
    assert.equal(v3s.config.encoder, 'mobilenet_v3_small');
    assert.equal(v3l.config.encoder, 'mobilenet_v3_large');
    assert.equal(M.getModelEntry('unet_mobilenet_v2').task, 'segmentation');
    assert.deepEqual(M.getModelEntry('unet_mobilenet_v3').inputShape({ inChannels: 1 }, 128), [1, 1, 128, 128]);
  } finally {
    v2.dispose();
    v3s.dispose();
    v3l.dispose();
  }
});

function train(m: tn.nn.Module, steps: number): { losses: number[]; live: number[] } {
  const x = tn.randn([2, 3, 64, 64]);
  const y = tn.randint(0, 2, [2, 64, 64], { dtype: 'int64' });
  const opt = new tn.optim.Adam(m.parameters(), { lr: 1e-3 });
  const losses: number[] = [];
  const live: number[] = [];
  m.train();
  try {
    for (let i = 0; i < steps; i++) {
      tn.scope(() => {
        opt.zeroGrad();
        const loss = tn.nn.functional.crossEntropy(m.forward(x) as T, y);
        loss.backward();
        opt.step();
        losses.push(loss.item());
      });
      live.push(tn.memory().tensors);
    }
  } finally {
    x.dispose();
    y.dispose();
    opt.dispose(); // its state would otherwise be freed by the GC later, in the middle of another count
  }
  return { losses, live };
}

test('a short training (2×3×64×64, Adam) lowers the loss and keeps memory flat (v2 and v3-small encoders)', () => {
  for (const cfg of [{ widthMult: 0.35, numClasses: 2 }, { encoder: 'mobilenet_v3_small' as const, widthMult: 0.5, numClasses: 2 }]) {
    tn.manualSeed(0); // the weights and the data
    const m = new M.UNetMobileNet(cfg);
    try {
      const { losses, live } = train(m, 6);
      assert.ok(losses[losses.length - 1] < losses[0], `${JSON.stringify(cfg)}: ${losses.map((l) => l.toFixed(4)).join(', ')}`);
      assert.ok(live.slice(2).every((n) => n === live[1]), `live tensors grew: ${live.join(', ')}`);
    } finally {
      m.dispose();
    }
  }
});

test('freezeEncoder: encoder weights and BN statistics unchanged after training steps, the decoder changes', () => {
  tn.manualSeed(0);
  const m = new M.UNetMobileNet({ widthMult: 0.35, numClasses: 2, freezeEncoder: true });
  try {
    assert.ok(m.encoder.parameters().every((p) => !p.requiresGrad));
    assert.ok(m.decoder.parameters().every((p) => p.requiresGrad));
    assert.equal(m.numParameters({ trainableOnly: true }), m.numParameters() - m.encoder.numParameters());
    const encBefore = snapshot(m.encoder);
    const decBefore = snapshot(m.decoder);
    const { losses } = train(m, 2); // Adam is given every parameter, frozen ones included
    assert.ok(losses.every(Number.isFinite));
    assert.equal(m.encoder.training, false, 'a frozen encoder stays in eval mode');
    assert.equal(m.decoder.training, true);
    const encAfter = snapshot(m.encoder);
    for (const [k, v] of encBefore) assert.deepEqual(encAfter.get(k), v, `encoder ${k} changed`);
    const decAfter = snapshot(m.decoder);
    assert.ok([...decBefore].some(([k, v]) => decAfter.get(k)!.some((x, i) => x !== v[i])), 'the decoder did not change');
    // Unfreezing makes the encoder trainable again.
    m.setEncoderFrozen(false);
    assert.ok(m.encoder.parameters().every((p) => p.requiresGrad));
    assert.equal(m.encoder.training, true);
  } finally {
    m.dispose();
  }
});
