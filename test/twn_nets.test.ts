// The TWN-paper networks (LeNet-5, VGG-7, ResNet-18B) and the classic LeNet-5 and ResNets of tn.models:
// shapes, parameter counts worked out by hand, torchvision's ResNet keys and counts
// (test/fixtures/resnet_keys.json) and outputs (test/fixtures/resnet_small.safetensors), both written by
// scripts/make_resnet_fixtures.py, and a few training steps that lower the loss without leaking tensors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tn from 'tunet';
import { fixturePath } from './helpers/paths.js';

const M = tn.models;
const F = tn.nn.functional;


type KeyRow = [string, number[], string];
interface KeysDoc {
  models: Record<string, { numClasses: number; params: number; keys: KeyRow[] }>;
  small: { widthMult: number; numClasses: number; params: number; keys: KeyRow[] };
}
const keysDoc = JSON.parse(readFileSync(fixturePath('resnet_keys.json'), 'utf8')) as KeysDoc;

const ST_DTYPE: Record<string, string> = { float32: 'F32', float64: 'F64', int64: 'I64' };

function keyList(m: tn.nn.Module): KeyRow[] {
  return tn.scope(() => Object.entries(m.stateDict()).map(([k, v]) => [k, v.shape, ST_DTYPE[v.dtype]] as KeyRow));
}

/** The output shape in eval mode (batch 1 at 1×1 spatial size is an error for BN in training mode, as in PyTorch). */
function forwardShape(m: tn.nn.Module, shape: number[]): number[] {
  const was = m.training;
  m.eval();
  try {
    return tn.noGrad(() => tn.scope(() => (m.forward(tn.randn(shape)) as tn.Tensor).shape));
  } finally {
    m.train(was);
  }
}

function maxAbsDiff(a: tn.Tensor, b: tn.Tensor): number {
  return tn.scope(() => a.sub(b).abs().max().item());
}

test('LeNet-5 (TWN): forward shapes and the parameter count by hand', () => {
  tn.manualSeed(0);
  const m28 = M.createModel('lenet5') as InstanceType<typeof M.LeNet5>;
  assert.deepEqual(forwardShape(m28, [3, 1, 28, 28]), [3, 10]);
  // 28×28: conv 5×5 → 24, pool → 12, conv 5×5 → 8, pool → 4; 64·4·4 = 1024 features into fc1.
  assert.equal(m28.flatFeatures, 1024);
  const conv1 = 32 * 1 * 5 * 5 + 32; //    832
  const conv2 = 64 * 32 * 5 * 5 + 64; // 51 264
  const fc2 = 512 * 10 + 10; //            5 130
  assert.equal(m28.numParameters(), conv1 + conv2 + (1024 * 512 + 512) + fc2);
  assert.equal(m28.numParameters(), 582_026);
  assert.deepEqual(Object.keys(tn.scope(() => m28.stateDict())), ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);

  // 32×32: 28 → 14 → 10 → 5; 64·5·5 = 1600 features.
  const m32 = M.createModel('lenet5', { inputSize: 32 });
  assert.deepEqual(forwardShape(m32, [2, 1, 32, 32]), [2, 10]);
  assert.equal(m32.numParameters(), conv1 + conv2 + (1600 * 512 + 512) + fc2);
  assert.equal(m32.numParameters(), 876_938);

  // Options: 3 channels, 100 classes, BN after each conv (2·32 + 2·64 more parameters).
  const bn = M.createModel('lenet5', { inChannels: 3, numClasses: 100, batchNorm: true });
  assert.deepEqual(forwardShape(bn, [2, 3, 28, 28]), [2, 100]);
  assert.equal(bn.numParameters(), (32 * 3 * 25 + 32) + conv2 + (1024 * 512 + 512) + (512 * 100 + 100) + 2 * 32 + 2 * 64);
  assert.throws(() => m28.forward(tn.zeros([1, 1, 32, 32])), (e: unknown) => e instanceof tn.TorchError && /\(N, 1, 28, 28\)/.test(e.message));
});

test('LeNet-5 (LeCun 1998): 61 706 parameters, 28×28 input padded in C1', () => {
  tn.manualSeed(0);
  const m = M.createModel('lenet5_classic');
  assert.deepEqual(forwardShape(m, [2, 1, 32, 32]), [2, 10]);
  const c1 = 6 * 1 * 25 + 6; //          156
  const c3 = 16 * 6 * 25 + 16; //      2 416 (C3 fully connected)
  const c5 = 120 * 16 * 25 + 120; //  48 120
  const f6 = 120 * 84 + 84; //        10 164
  const out = 84 * 10 + 10; //           850
  assert.equal(m.numParameters(), c1 + c3 + c5 + f6 + out);
  assert.equal(m.numParameters(), 61_706);
  const m28 = M.createModel('lenet5_classic', { inputSize: 28 });
  assert.equal(m28.numParameters(), 61_706);
  assert.deepEqual(forwardShape(m28, [1, 1, 28, 28]), [1, 10]);
  // Multiply-adds of the 32×32 model: C1 28·28·6·25, C3 10·10·16·150, C5 120·400, F6 120·84, out 84·10.
  const s = M.summary(m, [1, 1, 32, 32]);
  assert.equal(s.totalMacs, 28 * 28 * 6 * 25 + 10 * 10 * 16 * 150 + 120 * 400 + 120 * 84 + 84 * 10);
  assert.equal(s.totalMacs, 416_520);
});

test('VGG-7 (TWN, CIFAR-10): forward shape, parameter counts by hand with and without BN', () => {
  tn.manualSeed(0);
  const m = M.createModel('vgg7') as InstanceType<typeof M.VGG7>;
  assert.deepEqual(forwardShape(m, [2, 3, 32, 32]), [2, 10]);
  // 32 → 16 → 8 → 4 after three poolings: 512·4·4 = 8192 features into the 1024-unit layer.
  assert.equal(m.flatFeatures, 8192);
  const convW = 3 * 128 * 9 + 128 * 128 * 9 + 128 * 256 * 9 + 256 * 256 * 9 + 256 * 512 * 9 + 512 * 512 * 9; // 4 574 592
  const channels = 128 + 128 + 256 + 256 + 512 + 512; // 1 792
  const fc = 8192 * 1024 + 1024 + 1024 * 10 + 10; //     8 399 882
  assert.equal(convW, 4_574_592);
  // With BN (default): no conv bias, BN weight + bias per channel.
  assert.equal(m.numParameters(), convW + 2 * channels + fc);
  assert.equal(m.numParameters(), 12_978_058);
  // Without BN: a bias per conv channel instead.
  const noBn = M.createModel('vgg7', { batchNorm: false });
  assert.equal(noBn.numParameters(), convW + channels + fc);
  assert.equal(noBn.numParameters(), 12_976_266);
  assert.ok(!Object.keys(tn.scope(() => noBn.stateDict())).some((k) => k.startsWith('bn')));
  const sd = tn.scope(() => Object.keys(m.stateDict()));
  assert.ok(sd.includes('bn6.running_var') && sd.includes('conv6.weight') && !sd.includes('conv6.bias'));
  // Multiply-adds: convs at 32² (two), 16² (two), 8² (two), then the two FC layers.
  const macs = 32 * 32 * (128 * 27 + 128 * 1152) + 16 * 16 * (256 * 1152 + 256 * 2304) + 8 * 8 * (512 * 2304 + 512 * 4608) + 8192 * 1024 + 1024 * 10;
  assert.equal(M.summary(m, [1, 3, 32, 32]).totalMacs, macs);
  // widthMult halves every width: 64/128/256 channels and 512 hidden units.
  const half = M.createModel('vgg7', { widthMult: 0.5, numClasses: 100 });
  const convH = 3 * 64 * 9 + 64 * 64 * 9 + 64 * 128 * 9 + 128 * 128 * 9 + 128 * 256 * 9 + 256 * 256 * 9;
  assert.equal(half.numParameters(), convH + 2 * (64 + 64 + 128 + 128 + 256 + 256) + 4096 * 512 + 512 + 512 * 100 + 100);
});

test('ResNet-18/34/50 have torchvision 0.14\'s keys, shapes, dtypes and parameter counts (1000 classes)', () => {
  tn.manualSeed(0);
  assert.equal(keysDoc.models.resnet18.params, 11_689_512);
  for (const name of ['resnet18', 'resnet34', 'resnet50']) {
    const m = M.createModel(name);
    const ref = keysDoc.models[name];
    assert.equal(m.numParameters(), ref.params, `${name} parameter count`);
    assert.deepEqual(keyList(m), ref.keys, `${name} state-dict keys, shapes and dtypes (in order)`);
  }
  assert.equal(M.createModel('resnet18').numParameters(), 11_689_512);
});

test('ResNet-18 forward shapes; inChannels, numClasses and torchvision\'s initialisation', () => {
  tn.manualSeed(0);
  const m = M.createModel('resnet18', { numClasses: 10 }) as InstanceType<typeof M.ResNet>;
  assert.deepEqual(forwardShape(m, [2, 3, 64, 64]), [2, 10]);
  assert.deepEqual(tn.noGrad(() => tn.scope(() => m.forwardFeatures(tn.randn([2, 3, 32, 32])).shape)), [2, 512]);
  // kaiming_normal_(fan_out, relu): std = √(2 / (64·7·7)) for conv1.
  const std = tn.scope(() => m.conv1.weight.std().item());
  assert.ok(Math.abs(std - Math.sqrt(2 / (64 * 49))) < 0.005, `conv1 std ${std}`);
  const grey = M.createModel('resnet18', { inChannels: 1, numClasses: 10 });
  assert.deepEqual(forwardShape(grey, [1, 1, 64, 64]), [1, 10]);
  assert.equal(grey.numParameters(), 11_689_512 - 513_000 + 5_130 - 2 * 64 * 49);
  const r50 = M.createModel('resnet50', { numClasses: 7 });
  assert.deepEqual(forwardShape(r50, [1, 3, 32, 32]), [1, 7]);
  const z = M.createModel('resnet50', { zeroInitResidual: true }) as InstanceType<typeof M.ResNet>;
  const b = z.layer2.at(0) as InstanceType<typeof tn.nn.Bottleneck>;
  assert.equal(tn.scope(() => (b.bn3 as InstanceType<typeof tn.nn.BatchNorm2d>).weight!.abs().sum().item()), 0);
  assert.equal(tn.scope(() => (b.bn2 as InstanceType<typeof tn.nn.BatchNorm2d>).weight!.sum().item()), b.conv2.outChannels);
  // A resnet34 checkpoint does not load into resnet18 (strict).
  const r34 = tn.scope(() => M.createModel('resnet34').stateDict());
  assert.throws(() => m.loadStateDict(r34), (e: unknown) => e instanceof tn.TorchError && /unexpected keys: .*layer1\.2\.conv1\.weight/.test(e.message));
});

test('ResNet-18 at width 1/4 loads torchvision\'s state dict strictly and gives its outputs (eval and train mode)', () => {
  const { tensors } = tn.safetensors.loadFile(fixturePath('resnet_small.safetensors'));
  const state: Record<string, tn.Tensor> = {};
  for (const [k, v] of Object.entries(tensors)) if (k.startsWith('state/')) state[k.slice(6)] = v;
  const m = new M.ResNet({ depth: 18, widthMult: keysDoc.small.widthMult, numClasses: keysDoc.small.numClasses });
  assert.equal(m.numParameters(), keysDoc.small.params);
  assert.deepEqual(keyList(m), keysDoc.small.keys);
  const r = m.loadStateDict(state);
  assert.deepEqual(r, { missingKeys: [], unexpectedKeys: [] });
  m.eval();
  const evalOut = tn.noGrad(() => m.forward(tensors.input));
  assert.deepEqual(evalOut.shape, [1, 10]);
  const d1 = maxAbsDiff(evalOut, tensors['eval/out']);
  assert.ok(d1 < 1e-4, `eval output differs from torchvision's by ${d1}`);
  m.train();
  const trainOut = tn.noGrad(() => m.forward(tensors.input));
  const d2 = maxAbsDiff(trainOut, tensors['train/out']);
  assert.ok(d2 < 1e-4, `training-mode output differs from torchvision's by ${d2}`);
  // The outputs are not trivially equal (BN statistics matter): eval and train differ.
  assert.ok(maxAbsDiff(evalOut, trainOut) > 1e-3);
  for (const t of [evalOut, trainOut, ...Object.values(tensors)]) t.dispose();
});

test('the registry knows the TWN and classic networks; bad options are errors naming the option', () => {
  const names = M.listModels().map((e) => e.name);
  for (const n of ['lenet5', 'lenet5_classic', 'vgg7', 'resnet18', 'resnet34', 'resnet50']) assert.ok(names.includes(n), n);
  assert.deepEqual(M.getModelEntry('vgg7').inputShape({}, 64), [1, 3, 32, 32]);
  assert.deepEqual(M.getModelEntry('resnet18').inputShape({ inChannels: 1 }, 64), [1, 1, 64, 64]);
  assert.deepEqual(M.getModelEntry('lenet5').inputShape({}), [1, 1, 28, 28]);
  const bad = (name: string, cfg: Record<string, unknown>, re: RegExp) =>
    assert.throws(() => M.createModel(name, cfg), (e: unknown) => e instanceof tn.TorchError && re.test(e.message), `${name} ${JSON.stringify(cfg)}`);
  bad('lenet5', { inputSize: 30 }, /inputSize/);
  bad('lenet5', { activation: 'swoosh' }, /activation/);
  bad('lenet5', { variant: 'classic' }, /unknown option 'variant'/);
  bad('lenet5_classic', { batchNorm: true }, /unknown option 'batchNorm'/);
  bad('vgg7', { widthMult: 0 }, /widthMult/);
  bad('vgg7', { inputSize: 36 }, /inputSize/);
  bad('vgg7', { dropout: 1 }, /dropout/);
  bad('vgg7', { depth: 7 }, /unknown option 'depth'/);
  bad('resnet18', { numClasses: 0 }, /numClasses/);
  bad('resnet18', { groups: 32 }, /groups/);
  bad('resnet18', { depth: 50 }, /unknown option 'depth'/);
  bad('resnet50', { replaceStrideWithDilation: [true] }, /replaceStrideWithDilation/);
});

function trainingLowersLoss(m: tn.nn.Module, x: tn.Tensor, y: tn.Tensor, steps: number, lr: number): { first: number; last: number } {
  const opt = new tn.optim.Adam(m.parameters(), { lr });
  m.train();
  const losses: number[] = [];
  let live = -1;
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    losses.push(tn.scope(() => {
      const l = F.crossEntropy(m.forward(x) as tn.Tensor, y);
      l.backward();
      return l.item();
    }));
    tn.scope(() => {
      opt.step();
    });
    // After the first step (optimizer state created) the live-tensor count must not grow.
    if (i === 1) live = tn.memory().tensors;
    // Never above: the GC may free garbage of earlier tests (dropped models) meanwhile, never add.
    if (i > 1) assert.ok(tn.memory().tensors <= live, `step ${i} leaked tensors: ${tn.memory().tensors} > ${live}`);
  }
  const last = tn.noGrad(() => tn.scope(() => F.crossEntropy(m.forward(x) as tn.Tensor, y).item()));
  opt.zeroGrad();
  return { first: losses[0], last };
}

test('a few Adam steps on a fixed synthetic batch lower the loss, memory flat (LeNet-5 ×2, VGG-7, ResNet-18)', () => {
  tn.manualSeed(1);
  const cases: [string, tn.nn.Module, number[], number, number][] = [
    ['lenet5', M.createModel('lenet5'), [4, 1, 28, 28], 6, 1e-3],
    ['lenet5_classic', M.createModel('lenet5_classic'), [4, 1, 32, 32], 6, 3e-3],
    ['vgg7 (width 1/4)', M.createModel('vgg7', { widthMult: 0.25 }), [4, 3, 32, 32], 6, 1e-3],
    ['resnet18', M.createModel('resnet18', { numClasses: 10 }), [4, 3, 64, 64], 5, 1e-3],
  ];
  for (const [name, m, shape, steps, lr] of cases) {
    const x = tn.randn(shape);
    const y = tn.tensor([0, 1, 2, 3], { dtype: 'int64' });
    const { first, last } = trainingLowersLoss(m, x, y, steps, lr);
    assert.ok(Number.isFinite(first) && last < 0.8 * first, `${name}: loss ${first} → ${last}`);
    x.dispose();
    y.dispose();
  }
});
