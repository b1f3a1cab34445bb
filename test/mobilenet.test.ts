// MobileNet V1/V2/V3 (src/models/mobilenet_v*.ts): parameter counts and multiply-adds against the papers and
// torchvision 0.14, exact state-dict keys/shapes against torchvision (test/fixtures/mobilenet_keys.json), and
// outputs against torchvision with its own weights (mobilenet_v2_c10 / mobilenet_v3_small_w05_c10 .safetensors);
// all written by scripts/make_mobilenet_fixture.py. Plus shapes, validation, a short training, memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tn from 'tunet';
import { fixturePath } from './helpers/paths.js';

const M = tn.models;
type T = tn.Tensor;


interface KeysDoc {
  torchvision: string;
  keys: Record<string, [string, number[]][]>;
  counts: { model: string; widthMult: number; params: number; macs224: number }[];
}
const doc = JSON.parse(readFileSync(fixturePath('mobilenet_keys.json'), 'utf8')) as KeysDoc;

function within(actual: number, target: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - target) <= rel * target, `${what}: ${actual} is not within ${rel * 100}% of ${target}`);
}

function withSummary<R>(m: tn.nn.Module, shape: number[], f: (s: ReturnType<typeof M.summary>) => R): R {
  try {
    return f(M.summary(m, shape));
  } finally {
    m.dispose();
  }
}

function keyList(m: tn.nn.Module): [string, number[]][] {
  return tn.scope(() => Object.entries(m.stateDict()).map(([k, v]) => [k, v.shape] as [string, number[]]));
}

// ---- MobileNetV1: the paper's Tables 6 and 7 ----

test('MobileNetV1: 28 layers; α = 1 at 224 has 4.23 M parameters and 569 M mult-adds (Table 6/7)', () => {
  const m = new M.MobileNetV1();
  const convs = m.modules().filter((x) => x instanceof tn.nn.Conv2d);
  const fcs = m.modules().filter((x) => x instanceof tn.nn.Linear);
  assert.equal(convs.length, 27);
  assert.equal(fcs.length, 1);
  assert.equal(convs.filter((c) => (c as tn.nn.Conv2d).groups > 1).length, 13, '13 depthwise convolutions');
  withSummary(m, [1, 3, 224, 224], (s) => {
    within(s.totalParams, 4.2e6, 0.03, 'params');
    within(s.totalMacs, 569e6, 0.03, 'mult-adds');
    assert.equal(s.totalParams, 4231976); // conv + BN + FC; the same layers built in PyTorch count 4 231 976
    assert.deepEqual(s.outputShape, [1, 1000]);
    // The final feature map is 7×7×1024 at 224.
    const last = s.rows.filter((r) => r.name.startsWith('features.13.1.'))[0];
    assert.deepEqual(last.outputShape, [1, 1024, 7, 7]);
  });
});

test('MobileNetV1: width multiplier rows of Table 6 (mult-adds ≈ α², within 3%)', () => {
  for (const [alpha, macs, params] of [[0.75, 325e6, 2.6e6], [0.5, 149e6, 1.3e6], [0.25, 41e6, 0.47e6]]) {
    withSummary(new M.MobileNetV1({ widthMult: alpha }), [1, 3, 224, 224], (s) => {
      within(s.totalMacs, macs, 0.03, `α ${alpha} mult-adds`);
      within(s.totalParams, params, 0.03, `α ${alpha} params`);
    });
  }
});

test('MobileNetV1: resolution rows of Table 7 (mult-adds ∝ resolution², parameters unchanged)', () => {
  const m = new M.MobileNetV1();
  try {
    for (const [r, macs] of [[192, 418e6], [160, 290e6], [128, 186e6]]) {
      const s = M.summary(m, [1, 3, r, r]);
      within(s.totalMacs, macs, 0.03, `resolution ${r} mult-adds`);
      assert.equal(s.totalParams, 4231976);
    }
  } finally {
    m.dispose();
  }
});

// ---- MobileNetV2 / V3 against torchvision ----

test('MobileNetV2: 3 504 872 parameters, 300 M mult-adds at 224 (within 3%)', () => {
  withSummary(new M.MobileNetV2(), [1, 3, 224, 224], (s) => {
    assert.equal(s.totalParams, 3504872);
    within(s.totalMacs, 300e6, 0.03, 'mult-adds (paper: 300 M)');
  });
});

test('MobileNetV3: Large 5 483 032 and Small 2 542 856 parameters; mult-adds within 3% of the paper (219 M / 56 M) and of torchvision (216.6 M / 56.5 M)', () => {
  withSummary(M.mobilenetV3Large(), [1, 3, 224, 224], (s) => {
    assert.equal(s.totalParams, 5483032);
    within(s.totalMacs, 219e6, 0.03, 'large vs paper');
    within(s.totalMacs, 216.6e6, 0.03, 'large vs torchvision');
  });
  withSummary(M.mobilenetV3Small(), [1, 3, 224, 224], (s) => {
    assert.equal(s.totalParams, 2542856);
    within(s.totalMacs, 56e6, 0.03, 'small vs paper');
    within(s.totalMacs, 56.5e6, 0.03, 'small vs torchvision');
  });
});

test('MobileNetV2/V3 at widths 0.5, 0.75, 1, 1.4: parameters and conv+linear mult-adds exactly torchvision\'s', () => {
  assert.equal(doc.counts.length, 12);
  for (const c of doc.counts) {
    const m = M.createModel(c.model, { widthMult: c.widthMult });
    withSummary(m, [1, 3, 224, 224], (s) => {
      assert.equal(s.totalParams, c.params, `${c.model} ×${c.widthMult} params`);
      assert.equal(s.totalMacs, c.macs224, `${c.model} ×${c.widthMult} mult-adds`);
    });
  }
});

test('state-dict keys and shapes are exactly torchvision 0.14\'s (mobilenet_v2, mobilenet_v3_large, mobilenet_v3_small; 1000 classes)', () => {
  for (const name of ['mobilenet_v2', 'mobilenet_v3_large', 'mobilenet_v3_small']) {
    const m = M.createModel(name);
    try {
      const ours = keyList(m);
      const theirs = doc.keys[name];
      assert.ok(theirs.length > 200);
      assert.deepEqual(ours, theirs, name);
    } finally {
      m.dispose();
    }
  }
});

test('MobileNetV3 structure as the paper: 5×5 depthwise where Table 1 says, SE = makeDivisible(expanded/4, 8) with hard-sigmoid, BN eps 0.001 / momentum 0.01', () => {
  const m = M.mobilenetV3Large();
  try {
    const dw = m.modules().filter((x) => x instanceof tn.nn.Conv2d && x.groups > 1 && x.groups === x.inChannels) as tn.nn.Conv2d[];
    assert.deepEqual(dw.map((c) => c.kernelSize[0]), [3, 3, 3, 5, 5, 5, 3, 3, 3, 3, 3, 3, 5, 5, 5]);
    const se = m.modules().filter((x) => x instanceof tn.nn.SqueezeExcite) as tn.nn.SqueezeExcite[];
    assert.deepEqual(se.map((s) => [s.inputChannels, s.squeezeChannels]), [[72, 24], [120, 32], [120, 32], [480, 120], [672, 168], [672, 168], [960, 240], [960, 240]]);
    assert.ok(se.every((s) => s.scaleActivation instanceof tn.nn.Hardsigmoid));
    const bns = m.modules().filter((x) => x instanceof tn.nn.BatchNorm2d) as tn.nn.BatchNorm2d[];
    assert.ok(bns.length > 40 && bns.every((b) => b.eps === 0.001 && b.momentum === 0.01));
    assert.equal(m.features.length, 17);
  } finally {
    m.dispose();
  }
});

// ---- outputs against torchvision ----

function fixtureCase(file: string, build: () => tn.nn.Module, expectedKeys: number): void {
  const { tensors } = tn.safetensors.loadFile(fixturePath(file));
  const { __input__: input, __output__: expected } = tensors;
  // Keys __…__ are the fixture's extras (input, output, the U-Net tap statistics), not weights.
  const weights = Object.fromEntries(Object.entries(tensors).filter(([k]) => !k.startsWith('__')));
  const m = build();
  try {
    assert.equal(Object.keys(weights).length, expectedKeys);
    m.loadStateDict(weights); // strict
    m.eval();
    const out = tn.noGrad(() => (m.forward(input) as T));
    assert.deepEqual(out.shape, expected.shape);
    const a = out.toArray();
    const b = expected.toArray();
    const maxAbs = Math.max(...b.map(Math.abs));
    assert.ok(maxAbs > 0.05, 'the reference output is not trivially small');
    const diff = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    assert.ok(diff < 1e-4, `${file}: max |tunet − torchvision| = ${diff}`);
    out.dispose();
  } finally {
    m.dispose();
    for (const t of Object.values(tensors)) t.dispose();
  }
}

test('MobileNetV2(numClasses 10) loads torchvision\'s state dict (strict) and gives its outputs (1e-4)', () => {
  fixtureCase('mobilenet_v2_c10.safetensors', () => new M.MobileNetV2({ numClasses: 10 }), 314);
});

test('MobileNetV3-Small(widthMult 0.5, numClasses 10) loads torchvision\'s state dict (strict) and gives its outputs (1e-4)', () => {
  fixtureCase('mobilenet_v3_small_w05_c10.safetensors', () => M.mobilenetV3Small({ widthMult: 0.5, numClasses: 10 }), 244);
});

// ---- shapes, options, validation ----

test('forward shapes at several sizes, widths and batch sizes', () => {
  const cases: [string, Record<string, unknown>, number[], number[]][] = [
    ['mobilenet_v1', { widthMult: 0.25, numClasses: 7 }, [2, 3, 64, 64], [2, 7]],
    ['mobilenet_v1', { widthMult: 0.5, inChannels: 1 }, [1, 1, 96, 80], [1, 1000]],
    ['mobilenet_v2', { widthMult: 0.35, numClasses: 5 }, [2, 3, 32, 32], [2, 5]],
    ['mobilenet_v2', { widthMult: 0.75, numClasses: 3 }, [1, 3, 96, 128], [1, 3]],
    ['mobilenet_v3_large', { widthMult: 0.5, numClasses: 4 }, [2, 3, 64, 64], [2, 4]],
    ['mobilenet_v3_small', { numClasses: 2, inChannels: 1 }, [3, 1, 48, 48], [3, 2]],
    ['mobilenet_v3_large', { dilated: true, reducedTail: true, numClasses: 2 }, [1, 3, 64, 64], [1, 2]],
  ];
  for (const [name, cfg, inShape, outShape] of cases) {
    const m = M.createModel(name, cfg);
    try {
      m.eval();
      tn.scope(() => {
        const y = tn.noGrad(() => m.forward(tn.randn(inShape)) as T);
        assert.deepEqual(y.shape, outShape, `${name} ${JSON.stringify(cfg)}`);
        assert.ok(y.toArray().every(Number.isFinite));
      });
    } finally {
      m.dispose();
    }
  }
  // The dilated large model keeps stride 16: features at 64×64 are 4×4.
  const m = M.mobilenetV3Large({ dilated: true });
  withSummary(m, [1, 3, 64, 64], (s) => assert.deepEqual(s.rows.find((r) => r.name === 'features.16.0')?.outputShape, [1, 960, 4, 4]));
});

test('bad configs and inputs are TorchErrors naming the option', () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['mobilenet_v1', { widthMult: 0 }, /widthMult/],
    ['mobilenet_v1', { alpha: 1 }, /unknown option 'alpha'/],
    ['mobilenet_v2', { numClasses: 2.5 }, /numClasses/],
    ['mobilenet_v2', { dropout: 1 }, /dropout/],
    ['mobilenet_v2', { invertedResidualSetting: [[6, 24, 2, 3]] }, /invertedResidualSetting/],
    ['mobilenet_v3_large', { variant: 'small' }, /unknown option 'variant'/],
    ['mobilenet_v3_small', { widthMult: -1 }, /widthMult/],
    ['mobilenet_v3_small', { dilated: 'yes' }, /dilated/],
  ];
  for (const [name, cfg, re] of bad) {
    assert.throws(() => M.createModel(name, cfg), (e: unknown) => e instanceof tn.TorchError && re.test(e.message), `${name} ${JSON.stringify(cfg)}`);
  }
  const m = new M.MobileNetV2({ widthMult: 0.35, numClasses: 2 });
  try {
    const before = tn.memory().tensors;
    tn.scope(() => {
      assert.throws(() => m.forward(tn.zeros([1, 1, 32, 32])), (e: unknown) => e instanceof tn.TorchError && /3 input channels/.test(e.message));
      assert.throws(() => m.forward(tn.zeros([3, 32, 32])), (e: unknown) => e instanceof tn.TorchError && /4-d input/.test(e.message));
    });
    assert.equal(tn.memory().tensors, before);
  } finally {
    m.dispose();
  }
});

test('registry: the four MobileNets are registered with input shapes', () => {
  const names = M.listModels().map((e) => e.name);
  for (const n of ['mobilenet_v1', 'mobilenet_v2', 'mobilenet_v3_large', 'mobilenet_v3_small']) {
    assert.ok(names.includes(n), n);
    const e = M.getModelEntry(n);
    assert.equal(e.task, 'classification');
    assert.deepEqual(e.inputShape({}, 160), [1, 3, 160, 160]);
    assert.deepEqual(e.inputShape({ inChannels: 1 }), [1, 1, 224, 224]);
  }
});

// ---- training ----

function trainSteps(m: tn.nn.Module, steps: number, inShape: number[], classes: number): { losses: number[]; live: number[] } {
  const x = tn.randn(inShape);
  const y = tn.randint(0, classes, [inShape[0]], { dtype: 'int64' });
  const opt = new tn.optim.Adam(m.parameters(), { lr: 1e-3 });
  const losses: number[] = [];
  const live: number[] = [];
  m.train();
  try {
    for (let i = 0; i < steps; i++) {
      tn.scope(() => {
        opt.zeroGrad();
        const out = m.forward(x) as T;
        const loss = tn.nn.functional.crossEntropy(out, y);
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

test('a short training lowers the loss and keeps memory flat (V1, V2, V3-Small on 4×3×32×32)', () => {
  const models: [string, () => tn.nn.Module][] = [
    ['v1', () => new M.MobileNetV1({ widthMult: 0.25, numClasses: 3, dropout: 0 })],
    ['v2', () => new M.MobileNetV2({ widthMult: 0.35, numClasses: 3, dropout: 0 })],
    ['v3s', () => M.mobilenetV3Small({ widthMult: 0.5, numClasses: 3, dropout: 0 })],
  ];
  for (const [name, make] of models) {
    tn.manualSeed(0); // the weights and the data
    const m = make();
    try {
      const { losses, live } = trainSteps(m, 6, [4, 3, 32, 32], 3);
      assert.ok(losses.every(Number.isFinite), `${name}: ${losses}`);
      assert.ok(losses[losses.length - 1] < losses[0], `${name}: loss did not go down: ${losses.map((l) => l.toFixed(4)).join(', ')}`);
      // After the first step the optimizer state exists; from then on the count stays put.
      assert.ok(live.slice(2).every((n) => n === live[1]), `${name}: live tensors grew: ${live.join(', ')}`);
    } finally {
      m.dispose();
    }
  }
});
