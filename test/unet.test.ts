// tunet's U-Net (src/models/unet.ts) against a PyTorch re-implementation of milesial/Pytorch-UNet
// (scripts/make_unet_fixture.py → test/fixtures/unet.json, unet.safetensors, unet-bilinear.safetensors):
// strict state-dict loading, eval outputs, train-mode outputs and gradients, parameter counts; then the
// options (shapes, 'valid' padding 572 → 388, input-size errors, deep supervision, auxiliary classifier,
// dropout), a short training that lowers the loss with a flat tensor count, the registry and summary().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tn from 'tunet';
import { fixturePath } from './helpers/paths.js';

const { UNet } = tn.models;
type T = tn.Tensor;
type UNetT = InstanceType<typeof UNet>;


interface FixtureInfo {
  file: string;
  bilinear: boolean;
  base: number;
  n_channels: number;
  n_classes: number;
  numParameters: number;
  stateKeys: string[];
  gradKeys: string[];
}

interface ParamCount {
  n_channels: number;
  n_classes: number;
  bilinear: boolean;
  base: number;
  numParameters: number;
  stateDictEntries: number;
}

const doc = JSON.parse(readFileSync(fixturePath('unet.json'), 'utf8')) as { fixtures: FixtureInfo[]; paramCounts: ParamCount[] };

/** max |a − b| ≤ atol + rtol·|b| elementwise, with a message naming the worst element. */
function assertClose(a: T, b: T, what: string, rtol = 1e-4, atol = 1e-4): void {
  assert.deepEqual(a.shape, b.shape, `${what}: shape [${a.shape}] vs [${b.shape}]`);
  const x = a.toTypedArray() as Float32Array;
  const y = b.toTypedArray() as Float32Array;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < y.length; i++) {
    const excess = Math.abs(x[i] - y[i]) - (atol + rtol * Math.abs(y[i]));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess)) {
      worst = i;
      worstExcess = excess;
    }
  }
  assert.ok(worst < 0, `${what}: element ${worst}: tunet ${x[worst]}, PyTorch ${y[worst]}`);
}

function seg(out: unknown): T {
  assert.ok(out instanceof tn.Tensor, 'expected a Tensor output');
  return out;
}

for (const fx of doc.fixtures) {
  const variant = fx.bilinear ? 'bilinear' : 'transposed';
  test(`PyTorch fixture (milesial structure, ${variant} up-sampling, base 8): strict load, eval output, train output and gradients`, () => {
    tn.scope(() => {
      const { tensors } = tn.safetensors.loadFile(fixturePath(fx.file));
      const state: Record<string, T> = {};
      for (const [k, v] of Object.entries(tensors)) if (k.startsWith('state/')) state[k.slice(6)] = v;
      const m = new UNet({ inChannels: fx.n_channels, numClasses: fx.n_classes, baseWidth: fx.base, upsampling: fx.bilinear ? 'bilinear' : 'transposed' });
      // the same keys in the same order as PyTorch's state_dict()
      assert.deepEqual(Object.keys(m.stateDict()), fx.stateKeys);
      assert.equal(m.numParameters(), fx.numParameters);
      const r = m.loadStateDict(state); // strict
      assert.deepEqual(r, { missingKeys: [], unexpectedKeys: [] });
      const x = tensors.input;

      m.eval();
      const yEval = tn.noGrad(() => seg(m.forward(x)));
      assert.deepEqual(yEval.shape, [1, fx.n_classes, 64, 64]);
      assertClose(yEval, tensors.output_eval, 'eval output', 1e-4, 1e-4);

      m.train();
      const yTrain = seg(m.forward(x));
      assertClose(yTrain, tensors.output_train, 'train-mode output', 1e-4, 1e-4);
      yTrain.mul(tensors.loss_weight).sum().backward();
      const params = new Map(m.namedParameters());
      assert.ok(fx.gradKeys.length >= 7);
      for (const k of fx.gradKeys) {
        const p = params.get(k);
        assert.ok(p, `no parameter ${k}`);
        const g = p.grad;
        assert.ok(g, `${k} has no gradient`);
        const want = tensors[`grad/${k}`];
        const scale = want.abs().max().item() as number;
        assertClose(g, want, `d loss / d ${k}`, 1e-3, 1e-4 * Math.max(1, scale));
      }
      m.zeroGrad();
      m.dispose();
    });
  });
}

test('a checkpoint of the other up-sampling variant does not load (strict, with the offending keys named)', () => {
  tn.scope(() => {
    const { tensors } = tn.safetensors.loadFile(fixturePath('unet-bilinear.safetensors'));
    const state: Record<string, T> = {};
    for (const [k, v] of Object.entries(tensors)) if (k.startsWith('state/')) state[k.slice(6)] = v;
    const m = new UNet({ inChannels: 1, numClasses: 2, baseWidth: 8 });
    assert.throws(() => m.loadStateDict(state), (e: Error) => e instanceof tn.TorchError && /missing keys: .*up1\.up\.weight/.test(e.message) && /size mismatch/.test(e.message));
    m.dispose();
  });
});

test("parameter counts equal the reference's (UNet(3, 2) = 31,037,698 as PyTorch counts it) with the same number of state-dict entries", () => {
  const seen = new Set<string>();
  for (const c of doc.paramCounts) {
    const m = new UNet({ inChannels: c.n_channels, numClasses: c.n_classes, baseWidth: c.base, upsampling: c.bilinear ? 'bilinear' : 'transposed' });
    assert.equal(m.numParameters(), c.numParameters, JSON.stringify(c));
    const sd = m.stateDict();
    assert.equal(Object.keys(sd).length, c.stateDictEntries);
    for (const t of Object.values(sd)) t.dispose();
    m.dispose();
    seen.add(`${c.n_channels}-${c.n_classes}-${c.bilinear}`);
  }
  assert.ok(seen.has('3-2-false'));
  assert.equal(doc.paramCounts.find((c) => c.n_channels === 3 && c.n_classes === 2 && !c.bilinear)?.numParameters, 31_037_698);
});

test('forward shapes for several depths, sizes, input channels and classes', () => {
  const cases: [Parameters<typeof newSmall>[0], number[], number[]][] = [
    [{ depth: 1, inChannels: 1, numClasses: 1 }, [2, 1, 6, 10], [2, 1, 6, 10]],
    [{ depth: 2, inChannels: 3, numClasses: 4 }, [1, 3, 16, 20], [1, 4, 16, 20]],
    [{ depth: 3, inChannels: 2, numClasses: 2 }, [2, 2, 24, 32], [2, 2, 24, 32]],
    [{ depth: 4, inChannels: 1, numClasses: 3 }, [1, 1, 32, 48], [1, 3, 32, 48]],
    [{ depth: 5, inChannels: 4, numClasses: 1 }, [1, 4, 64, 32], [1, 1, 64, 32]],
    [{ depth: 3, upsampling: 'bilinear', inChannels: 3, numClasses: 5 }, [2, 3, 16, 8], [2, 5, 16, 8]],
  ];
  for (const [cfg, inShape, outShape] of cases) {
    tn.scope(() => {
      const m = newSmall(cfg).eval();
      const y = tn.noGrad(() => seg(m.forward(tn.randn(inShape))));
      assert.deepEqual(y.shape, outShape, JSON.stringify(cfg));
      assert.equal(y.dtype, 'float32');
      m.dispose();
    });
  }
});

function newSmall(cfg: ConstructorParameters<typeof UNet>[0] = {}): UNetT {
  return new UNet({ baseWidth: 4, depth: 3, ...cfg });
}

/** Runs a training-mode forward and backward; returns the output shape and whether every parameter got a finite gradient. */
function trainStep(m: UNetT, shape: number[]): { shape: number[]; allGrads: boolean } {
  return tn.scope(() => {
    m.train();
    const y = seg(m.forward(tn.randn(shape)));
    y.square().mean().backward();
    const allGrads = m.parameters().every((p) => p.grad !== null && Number.isFinite(p.grad.abs().sum().item() as number));
    m.zeroGrad();
    return { shape: y.shape, allGrads };
  });
}

test('every norm, activation, up-sampling and residual option gives the right shape, modules and gradients', () => {
  const norms = { batch: 'BatchNorm2d', group: 'GroupNorm', instance: 'InstanceNorm2d', none: null } as const;
  for (const [norm, type] of Object.entries(norms) as [keyof typeof norms, string | null][]) {
    const m = newSmall({ norm, groupNormGroups: 2 });
    const types = new Set(m.modules().map((x) => x.constructor.name));
    if (type) assert.ok(types.has(type), `${norm}: no ${type}`);
    for (const other of Object.values(norms)) if (other && other !== type) assert.ok(!types.has(other), `${norm}: has ${other}`);
    const convs = m.modules().filter((x) => x.constructor.name === 'Conv2d') as unknown as { kernelSize: number[]; bias: T | null }[];
    // 3×3 convolutions: a bias only without a norm layer
    for (const c of convs.filter((c) => c.kernelSize[0] === 3)) assert.equal(c.bias !== null, norm === 'none', norm);
    assert.deepEqual(trainStep(m, [2, 1, 16, 16]), { shape: [2, 1, 16, 16], allGrads: true }, norm);
    m.dispose();
  }
  const acts = { relu: 'ReLU', relu6: 'ReLU6', leakyRelu: 'LeakyReLU', elu: 'ELU', celu: 'CELU', selu: 'SELU', gelu: 'GELU', silu: 'SiLU', swish: 'SiLU', mish: 'Mish', hardswish: 'Hardswish', tanh: 'Tanh', prelu: 'PReLU', softplus: 'Softplus' } as const;
  for (const [activation, type] of Object.entries(acts) as [keyof typeof acts, string][]) {
    const m = newSmall({ activation, depth: 2 });
    const n = m.modules().filter((x) => x.constructor.name === type).length;
    assert.equal(n, 2 * (1 + 2 + 2), `${activation}: ${n} ${type} modules`); // 2 per stage, 5 stages
    assert.deepEqual(trainStep(m, [1, 1, 8, 8]).shape, [1, 1, 8, 8], activation);
    m.dispose();
  }
  // a factory of modules
  const f = newSmall({ activation: () => new tn.nn.LeakyReLU(0.2), depth: 2 });
  assert.equal(f.modules().filter((x) => x instanceof tn.nn.LeakyReLU && x.negativeSlope === 0.2).length, 10);
  f.dispose();
  for (const upsampling of ['transposed', 'bilinear'] as const) {
    for (const residual of [false, true]) {
      const m = newSmall({ upsampling, residual, inChannels: 2, numClasses: 3 });
      const keys = Object.keys(tn.scope(() => m.stateDict()));
      assert.equal(keys.includes('up1.up.weight'), upsampling === 'transposed');
      assert.equal(keys.includes('inc.shortcut.0.weight'), residual);
      assert.equal(keys.includes('down1.maxpool_conv.1.shortcut.1.running_mean'), residual);
      assert.deepEqual(trainStep(m, [2, 2, 16, 24]), { shape: [2, 3, 16, 24], allGrads: true }, `${upsampling} residual=${residual}`);
      m.dispose();
    }
  }
});

test('the residual stage adds the shortcut before the last activation', () => {
  tn.scope(() => {
    const m = newSmall({ residual: true, norm: 'none', depth: 1 }).eval();
    const stage = m.inc;
    const x = tn.randn([1, 1, 8, 8]);
    const y = tn.noGrad(() => stage.forward(x));
    const want = tn.noGrad(() => {
      const body = stage.double_conv.forward(x) as T;
      const id = stage.shortcut!.forward(x) as T;
      return body.add(id).relu();
    });
    assertClose(y, want, 'residual stage', 0, 1e-6);
    m.dispose();
  });
});

test("padding 'valid' is the paper's: 572 × 572 → 388 × 388 at depth 4, skip connections center-cropped", () => {
  tn.scope(() => {
    const m = new UNet({ padding: 'valid', baseWidth: 2, numClasses: 2 }).eval();
    assert.equal(m.outputSize(572), 388);
    const y = tn.noGrad(() => seg(m.forward(tn.randn([1, 1, 572, 572]))));
    assert.deepEqual(y.shape, [1, 2, 388, 388]);
    m.dispose();
  });
  // smaller configurations: depth 2 with two unpadded convolutions per stage maps 4b + 28 → 4b − 12 (b ≥ 4,
  // the bottleneck size), so 41 is not valid, 44 → 4 and 48 → 8; the same sizes with bilinear up-sampling and
  // residual stages; depth 3 with one convolution per stage maps 8b + 30 → 8b − 14 (b ≥ 2)
  for (const [cfg, inHW, outHW] of [
    [{ depth: 2 }, [44, 48], [4, 8]],
    [{ depth: 2, upsampling: 'bilinear' as const }, [44, 52], [4, 12]],
    [{ depth: 2, residual: true }, [48, 44], [8, 4]],
    [{ depth: 3, convsPerStage: 1 }, [46, 54], [2, 10]],
  ] as [Record<string, unknown>, number[], number[]][]) {
    tn.scope(() => {
      const m = new UNet({ padding: 'valid', baseWidth: 2, ...cfg }).eval();
      assert.deepEqual(inHW.map((n) => m.outputSize(n)), outHW);
      assert.equal(m.outputSize(inHW[0] - 1), null);
      const y = tn.noGrad(() => seg(m.forward(tn.randn([1, 1, ...inHW]))));
      assert.deepEqual(y.shape, [1, 1, ...outHW], JSON.stringify(cfg));
      m.dispose();
    });
  }
  assert.equal(tn.models.unetValidSize(41, { padding: 'valid', depth: 2 }), 44);
});

test('an input size that does not fit the config is a TorchError naming the nearest valid sizes', () => {
  const m = newSmall({ depth: 4 });
  const v = new UNet({ padding: 'valid', baseWidth: 2 });
  const check = (net: UNetT, shape: number[], re: RegExp) => {
    const x = tn.zeros(shape);
    const before = tn.memory().tensors;
    assert.throws(() => net.forward(x), (e: Error) => e instanceof tn.TorchError && re.test(e.message), `${shape}`);
    assert.equal(tn.memory().tensors, before, 'the failed forward left tensors behind');
    x.dispose();
  };
  check(m, [1, 1, 100, 64], /height 100 is not valid: with padding 'same' it must be a multiple of 2\^depth = 16; nearest valid sizes: 96 and 112/);
  check(m, [1, 1, 64, 70], /width 70 .*nearest valid sizes: 64 and 80/);
  check(m, [1, 1, 8, 16], /height 8 .*nearest valid sizes: 16 \(the smallest\)/);
  check(m, [1, 3, 64, 64], /expected 1 input channel \(inChannels\)/);
  check(m, [1, 64, 64], /4-d input/);
  check(v, [1, 1, 570, 572], /height 570 is not valid: with padding 'valid'.*nearest valid sizes: 556 and 572/);
  check(v, [1, 1, 100, 100], /height 100 .*nearest valid sizes: 188 \(the smallest\).*width 100/);
  assert.equal(tn.models.unetValidSize(380, { padding: 'valid' }), 380);
  assert.equal(tn.models.unetValidSize(570, { padding: 'valid' }), 572);
  assert.equal(tn.models.unetValidSize(100, {}), 96);
  assert.equal(tn.models.unetValidSize(104, {}), 112);
  m.dispose();
  v.dispose();
});

test('bad options are TorchErrors naming the option', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ depth: 0 }, /'depth' must be an integer in \[1, 10\]/],
    [{ baseWidth: 2.5 }, /'baseWidth'/],
    [{ norm: 'layer' }, /'norm' must be one of 'batch', 'group', 'instance', 'none'/],
    [{ activation: 'swishy' }, /'activation' must be one of 'relu', 'relu6', 'leakyRelu'.*got "swishy"/],
    [{ padding: 'full' }, /'padding'/],
    [{ upsampling: 'nearest' }, /'upsampling'/],
    [{ dropout: 1 }, /'dropout' must be a probability/],
    [{ dropoutPlacement: 'encoder' }, /'dropoutPlacement'/],
    [{ norm: 'group', groupNormGroups: 3, baseWidth: 4 }, /'groupNormGroups' \(3\) must divide/],
    [{ auxClassifier: { numClasses: 0 } }, /'auxClassifier\.numClasses'/],
    [{ auxClassifier: { classes: 3 } }, /'auxClassifier'/],
    [{ residual: 'yes' }, /'residual' must be true or false/],
    [{ convsPerStage: 0 }, /'convsPerStage'/],
    [{ widht: 3 }, /unknown option 'widht' for unet/],
  ];
  for (const [cfg, re] of cases) {
    assert.throws(() => new UNet(cfg as never), (e: Error) => e instanceof tn.TorchError && re.test(e.message), JSON.stringify(cfg));
  }
});

test('maxWidth caps the widths; convsPerStage sets the convolutions per stage', () => {
  const m = new UNet({ baseWidth: 4, depth: 4, maxWidth: 16, convsPerStage: 3 });
  assert.deepEqual(m.widths, [4, 8, 16, 16, 16]);
  const keys = Object.keys(tn.scope(() => m.stateDict()));
  assert.ok(keys.includes('inc.double_conv.6.weight') && keys.includes('inc.double_conv.7.running_var'));
  assert.ok(!keys.includes('inc.double_conv.9.weight'));
  assert.deepEqual(tn.scope(() => tn.noGrad(() => seg(m.eval().forward(tn.randn([1, 1, 32, 32]))).shape)), [1, 1, 32, 32]);
  const b = new UNet({ baseWidth: 4, depth: 3, maxWidth: 8, upsampling: 'bilinear' });
  assert.deepEqual(b.widths, [4, 8, 8, 8]);
  assert.deepEqual(trainStep(b, [2, 1, 16, 16]), { shape: [2, 1, 16, 16], allGrads: true });
  m.dispose();
  b.dispose();
});

test('deep supervision: [main, aux1 … aux(depth−1)] at 1/2^k resolution in training mode, the main output in eval mode', () => {
  for (const upsampling of ['transposed', 'bilinear'] as const) {
    tn.scope(() => {
      const m = new UNet({ baseWidth: 4, depth: 4, numClasses: 3, deepSupervision: true, upsampling });
      const keys = Object.keys(m.stateDict());
      assert.deepEqual(keys.filter((k) => k.startsWith('ds_heads.')), ['ds_heads.0.weight', 'ds_heads.0.bias', 'ds_heads.1.weight', 'ds_heads.1.bias', 'ds_heads.2.weight', 'ds_heads.2.bias']);
      m.train();
      const outs = m.forward(tn.randn([2, 1, 32, 32]));
      assert.ok(Array.isArray(outs));
      assert.deepEqual(outs.map((o) => o.shape), [[2, 3, 32, 32], [2, 3, 16, 16], [2, 3, 8, 8], [2, 3, 4, 4]]);
      // every head gets a gradient through a deep-supervision loss
      const loss = outs.map((o, k) => o.square().mean().mul(0.5 ** k)).reduce((a, b) => a.add(b));
      loss.backward();
      for (const [k, p] of m.namedParameters()) assert.ok(p.grad !== null, `${k} has no gradient`);
      m.eval();
      const y = tn.noGrad(() => m.forward(tn.randn([1, 1, 32, 32])));
      assert.ok(y instanceof tn.Tensor);
      assert.deepEqual(y.shape, [1, 3, 32, 32]);
      m.zeroGrad();
      m.dispose();
    });
  }
});

test('the auxiliary classifier returns { seg, cls } (with deep supervision: seg is the list in training)', () => {
  tn.scope(() => {
    const m = newSmall({ numClasses: 2, auxClassifier: { numClasses: 5, dropout: 0.2 } });
    assert.ok(Object.keys(m.stateDict()).includes('cls_head.3.weight'));
    const out = m.forward(tn.randn([3, 1, 16, 16])) as { seg: T; cls: T };
    assert.deepEqual(out.seg.shape, [3, 2, 16, 16]);
    assert.deepEqual(out.cls.shape, [3, 5]);
    const loss = out.seg.square().mean().add(F().crossEntropy(out.cls, tn.tensor([0, 4, 2], { dtype: 'int64' })));
    loss.backward();
    assert.ok(m.cls_head && (m.cls_head.at(3) as InstanceType<typeof tn.nn.Linear>).weight.grad !== null);
    m.zeroGrad();
    const d = newSmall({ deepSupervision: true, auxClassifier: { numClasses: 2 } });
    const o = d.forward(tn.randn([2, 1, 16, 16])) as { seg: T[]; cls: T };
    assert.deepEqual(o.seg.map((s) => s.shape), [[2, 1, 16, 16], [2, 1, 8, 8], [2, 1, 4, 4]]);
    assert.deepEqual(o.cls.shape, [2, 2]);
    d.eval();
    const e = tn.noGrad(() => d.forward(tn.randn([1, 1, 16, 16]))) as { seg: T; cls: T };
    assert.ok(e.seg instanceof tn.Tensor && e.cls instanceof tn.Tensor);
    m.dispose();
    d.dispose();
  });
});

function F() {
  return tn.nn.functional;
}

test('dropout: in the bottleneck stage (and the decoder stages on request), active in training only', () => {
  tn.scope(() => {
    const m = newSmall({ dropout: 0.5 });
    const names = m.namedModules().filter(([, x]) => x.constructor.name === 'Dropout').map(([n]) => n);
    assert.deepEqual(names, ['down3.maxpool_conv.1.dropout']);
    const both = newSmall({ dropout: 0.3, dropoutPlacement: 'bottleneck+decoder' });
    assert.deepEqual(both.namedModules().filter(([, x]) => x.constructor.name === 'Dropout').map(([n]) => n), ['down3.maxpool_conv.1.dropout', 'up1.conv.dropout', 'up2.conv.dropout', 'up3.conv.dropout']);
    const x = tn.randn([1, 1, 16, 16]);
    m.eval();
    const a = tn.noGrad(() => seg(m.forward(x)));
    const b = tn.noGrad(() => seg(m.forward(x)));
    assert.equal(a.sub(b).abs().max().item(), 0);
    // training mode: dropout changes the output between calls (batch norm alone would not: same input, same batch statistics)
    m.train();
    const c = tn.noGrad(() => seg(m.forward(x)));
    const d = tn.noGrad(() => seg(m.forward(x)));
    assert.ok((c.sub(d).abs().max().item() as number) > 0);
    const noDrop = newSmall().train();
    const e = tn.noGrad(() => seg(noDrop.forward(x)));
    const f = tn.noGrad(() => seg(noDrop.forward(x)));
    assert.ok((e.sub(f).abs().max().item() as number) < 1e-6);
    m.dispose();
    both.dispose();
    noDrop.dispose();
  });
});

test('a few Adam steps on a synthetic blob/mask batch lower the Dice+BCE loss, with a flat tensor count', () => {
  tn.manualSeed(0);
  const m = new UNet({ baseWidth: 8, depth: 3, numClasses: 1 });
  const opt = new tn.optim.Adam(m.parameters(), { lr: 1e-2 });
  // two 32×32 images: a bright disc on noise, the mask is the disc
  const { x, y } = tn.scope(() => {
    const r = tn.arange(32).sub(15.5);
    const d1 = r.reshape([32, 1]).sub(-4).square().add(r.reshape([1, 32]).sub(3).square());
    const d2 = r.reshape([32, 1]).sub(5).square().add(r.reshape([1, 32]).sub(-6).square());
    const mask = tn.stack([d1.lt(64), d2.lt(36)]).unsqueeze(1).to('float32');
    const img = mask.mul(2).add(tn.randn([2, 1, 32, 32]).mul(0.5));
    return { x: img, y: mask };
  });
  const losses: number[] = [];
  const counts: number[] = [];
  m.train();
  for (let step = 0; step < 8; step++) {
    const l = tn.scope(() => {
      opt.zeroGrad();
      const out = seg(m.forward(x));
      const loss = F().diceCELoss(out, y, { mode: 'binary' });
      loss.backward();
      opt.step();
      return loss.item() as number;
    });
    losses.push(l);
    counts.push(tn.memory().tensors);
  }
  assert.ok(losses.every(Number.isFinite));
  assert.ok(losses[losses.length - 1] < 0.85 * losses[0], `loss ${losses.map((v) => v.toFixed(3)).join(' → ')}`);
  // Adam's state is created on the first step; from then on the count stays flat
  assert.deepEqual(counts.slice(1), counts.slice(1).map(() => counts[1]), `live tensors per step: ${counts.join(', ')}`);
  x.dispose();
  y.dispose();
  m.dispose();
});

test('registry: createModel, inputShape, and summary() run on the U-Net', () => {
  const e = tn.models.getModelEntry('unet');
  assert.equal(e.task, 'segmentation');
  assert.deepEqual(e.inputShape({}), [1, 1, 256, 256]);
  assert.deepEqual(e.inputShape({ inChannels: 3 }, 128), [1, 3, 128, 128]);
  assert.deepEqual(e.inputShape({ padding: 'valid' }), [1, 1, 572, 572]);
  assert.deepEqual(e.inputShape({ padding: 'valid' }, 256), [1, 1, 252, 252]);
  assert.throws(() => tn.models.createModel('unet', { channels: 3 }), (err: Error) => err instanceof tn.TorchError && /unknown option 'channels' for unet/.test(err.message));
  const m = tn.models.createModel('unet', { baseWidth: 8, numClasses: 2, deepSupervision: true }) as UNetT;
  assert.ok(m instanceof UNet);
  const s = tn.models.summary(m, [1, 1, 64, 64]);
  assert.equal(s.totalParams, m.numParameters());
  assert.deepEqual(s.outputShape, [1, 2, 64, 64]); // eval mode: the main output only
  assert.ok(s.rows.some((r) => r.name === 'up1.up' && r.type === 'ConvTranspose2d'));
  assert.ok(s.rows.some((r) => r.name === 'outc.conv' && r.macs === 64 * 64 * 8 * 2));
  // multiply-adds of a 3×3 convolution: H·W·Cout·Cin·9
  const inc0 = s.rows.find((r) => r.name === 'inc.double_conv.0');
  assert.equal(inc0?.macs, 64 * 64 * 8 * 1 * 9);
  assert.ok(tn.models.formatSummary(s).includes('parameters:'));
  assert.ok(m.training, 'summary restores training mode');
  m.dispose();
});
