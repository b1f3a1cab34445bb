// Learning-rate schedules against PyTorch 1.13: every case of test/fixtures/lr_scheduler.json
// (written by scripts/make_sched_fixtures.py) run step by step on a minimal optimizer object,
// state-dict round trips in the middle of each schedule, nnU-Net's poly formula, bad options, and
// OneCycleLR on a real tn.optim.SGD training a tensor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as tn from 'tunet';
import S = tn.optim.lrScheduler;

type Group = { lr: number; [k: string]: unknown };
type Opt = { paramGroups: Group[] };
type Sched = S.LRScheduler | S.ReduceLROnPlateau;

interface Case {
  name: string;
  scheduler: string;
  options: Record<string, any>;
  groups: Group[];
  steps?: number;
  epochs?: (number | null)[];
  metrics?: number[];
  lrs: number[][];
  momentum?: number[][];
  nnunetMaxEpochs?: number;
  nnunet?: number[][];
}

function loadCases(): Case[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const p of [path.resolve(here, '../../test/fixtures/lr_scheduler.json'), path.resolve(here, 'fixtures/lr_scheduler.json')]) {
    try {
      return (JSON.parse(readFileSync(p, 'utf8')) as { cases: Case[] }).cases;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw new Error('test/fixtures/lr_scheduler.json not found: run /usr/bin/python3 scripts/make_sched_fixtures.py');
}

const CASES = loadCases();

/** The functions the fixture cases name (same as LAMBDAS of scripts/make_sched_fixtures.py). */
const LAMBDAS: Record<string, S.LrLambda> = {
  pow095: (e) => 0.95 ** e,
  stepDiv: (e) => 1.0 / (1 + Math.floor(e / 10)),
  warmup10: (e) => Math.min(1.0, (e + 1) / 10),
  mul095: () => 0.95,
  mulAlt: (e) => (e % 3 === 0 ? 0.9 : 1.02),
};

const fakeOptimizer = (groups: Group[]): Opt => ({ paramGroups: structuredClone(groups) });

function build(opt: Opt, name: string, options: Record<string, any>): Sched {
  if (name === 'SequentialLR') {
    const subs = options.schedulers.map((s: any) => build(opt, s.scheduler, s.options));
    return new S.SequentialLR(opt, { schedulers: subs, milestones: options.milestones });
  }
  if (name === 'ChainedScheduler') {
    return new S.ChainedScheduler(options.schedulers.map((s: any) => build(opt, s.scheduler, s.options)));
  }
  const o = { ...options };
  if (o.lrLambda !== undefined) o.lrLambda = Array.isArray(o.lrLambda) ? o.lrLambda.map((n: string) => LAMBDAS[n]) : LAMBDAS[o.lrLambda];
  const Ctor = (S as unknown as Record<string, new (opt: Opt, o: unknown) => Sched>)[name];
  assert.equal(typeof Ctor, 'function', `no scheduler ${name}`);
  return new Ctor(opt, o);
}

/** The case's i-th call of step. */
function callStep(c: Case, sched: Sched, i: number): void {
  if (c.metrics) (sched as S.ReduceLROnPlateau).step(c.metrics[i]);
  else if (c.epochs) {
    const e = c.epochs[i];
    if (e === null) (sched as S.LRScheduler).step();
    else (sched as S.LRScheduler).step(e);
  } else (sched as S.LRScheduler).step();
}

const nCalls = (c: Case) => c.metrics?.length ?? c.epochs?.length ?? c.steps!;

function momenta(opt: Opt): number[] {
  return opt.paramGroups.map((g) => (Array.isArray(g.betas) ? (g.betas as number[])[0] : (g.momentum as number)));
}

function assertClose(actual: number[], expected: number[], label: string): void {
  assert.equal(actual.length, expected.length, `${label}: ${actual.length} groups, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const b = expected[i];
    const ok = a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
    assert.ok(ok, `${label}, group ${i}: ${a} vs PyTorch ${b} (relative difference ${Math.abs(a - b) / Math.abs(b)})`);
  }
}

/** Runs calls [from, to) of the case, comparing each row with the fixture. */
function runAndCompare(c: Case, opt: Opt, sched: Sched, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    callStep(c, sched, i);
    const lrs = opt.paramGroups.map((g) => g.lr);
    assertClose(lrs, c.lrs[i + 1], `${c.name}, after step ${i + 1}`);
    assertClose(sched.getLastLr(), c.lrs[i + 1], `${c.name}, getLastLr() after step ${i + 1}`);
    if (c.momentum) assertClose(momenta(opt), c.momentum[i + 1], `${c.name}, momentum after step ${i + 1}`);
  }
}

test('fixture covers every scheduler', () => {
  const names = new Set(CASES.map((c) => c.scheduler));
  for (const n of [
    'StepLR', 'MultiStepLR', 'ConstantLR', 'LinearLR', 'ExponentialLR', 'PolynomialLR', 'CosineAnnealingLR',
    'CosineAnnealingWarmRestarts', 'LambdaLR', 'MultiplicativeLR', 'SequentialLR', 'ChainedScheduler', 'OneCycleLR',
    'ReduceLROnPlateau',
  ]) {
    assert.ok(names.has(n), `no fixture case for ${n}`);
  }
});

for (const c of CASES) {
  test(`matches PyTorch: ${c.name}`, () => {
    const opt = fakeOptimizer(c.groups);
    const sched = build(opt, c.scheduler, c.options);
    assertClose(opt.paramGroups.map((g) => g.lr), c.lrs[0], `${c.name}, after construction`);
    if (c.momentum) assertClose(momenta(opt), c.momentum[0], `${c.name}, momentum after construction`);
    runAndCompare(c, opt, sched, 0, nCalls(c));
    assert.equal(c.lrs.length, nCalls(c) + 1);
  });

  if (nCalls(c) > 25) {
    test(`stateDict round trip at step 25: ${c.name}`, () => {
      const optA = fakeOptimizer(c.groups);
      const a = build(optA, c.scheduler, c.options);
      for (let i = 0; i < 25; i++) callStep(c, a, i);
      // What a checkpoint holds: JSON of the scheduler's and of the optimizer's state.
      const saved = JSON.parse(JSON.stringify({ sched: a.stateDict(), groups: optA.paramGroups }));

      const optB = fakeOptimizer(c.groups);
      const b = build(optB, c.scheduler, c.options);
      saved.groups.forEach((g: Group, i: number) => Object.assign(optB.paramGroups[i], g)); // optimizer.loadStateDict
      b.loadStateDict(saved.sched);
      assert.deepEqual(b.stateDict(), a.stateDict());
      assertClose(b.getLastLr(), c.lrs[25], `${c.name}, getLastLr() after loading`);
      runAndCompare(c, optB, b, 25, nCalls(c));
      // The original, continued, agrees too.
      runAndCompare(c, optA, a, 25, nCalls(c));
    });
  }
}

test('PolynomialLR({ totalIters: maxEpochs, power: 0.9 }) is nnU-Net poly lr', () => {
  const c = CASES.find((x) => x.nnunet)!;
  assert.ok(c, 'no nnU-Net case in the fixture');
  const T = c.nnunetMaxEpochs!;
  assert.deepEqual(c.options, { totalIters: T, power: 0.9 });
  const opt = fakeOptimizer(c.groups);
  const sched = new S.PolynomialLR(opt, { totalIters: T, power: 0.9 });
  const base = c.groups.map((g) => g.lr);
  for (let e = 0; e <= T + 5; e++) {
    if (e > 0) sched.step();
    const lrs = opt.paramGroups.map((g) => g.lr);
    // nnU-Net's formula, as PyTorch computed it and as computed here.
    const mine = base.map((b) => (e <= T ? b * (1 - e / T) ** 0.9 : 0));
    if (e <= T) assertClose(lrs, c.nnunet![e], `epoch ${e} vs nnU-Net (Python)`);
    assertClose(lrs, mine, `epoch ${e} vs nnU-Net formula`);
  }
  assert.deepEqual(sched.getLastLr(), [0, 0]);
});

test('ReduceLROnPlateau state dict is JSON (best = Infinity before the first step) and round-trips', () => {
  const opt = fakeOptimizer([{ lr: 0.1 }]);
  const a = new S.ReduceLROnPlateau(opt, { mode: 'max', patience: 1 });
  const sd = a.stateDict();
  assert.equal(sd.best, '-inf');
  assert.equal(sd.modeWorse, '-inf');
  const b = new S.ReduceLROnPlateau(fakeOptimizer([{ lr: 0.1 }]), { mode: 'min', patience: 5 });
  b.loadStateDict(JSON.parse(JSON.stringify(sd)));
  assert.equal(b.best, -Infinity);
  assert.equal(b.mode, 'max');
  assert.equal(b.patience, 1);
  b.step(1);
  b.step(0.5);
  b.step(0.5);
  assert.deepEqual(b.getLastLr(), [0.1 * 0.1]);
  // A one-element tensor is a metric too.
  using m = tn.tensor([2.5]);
  b.step(m);
  assert.equal(b.best, 2.5);
});

test('OneCycleLR: stepping past totalSteps, and cycleMomentum without momentum, are errors', () => {
  const opt = fakeOptimizer([{ lr: 0.1, momentum: 0.9 }]);
  const s = new S.OneCycleLR(opt, { maxLr: 1, totalSteps: 4 });
  for (let i = 0; i < 4; i++) s.step();
  assert.throws(() => s.step(), (e: unknown) => e instanceof tn.TorchError && e.op === 'OneCycleLR' && /total steps is 4/.test(e.message));
  assert.throws(
    () => new S.OneCycleLR(fakeOptimizer([{ lr: 0.1 }]), { maxLr: 1, totalSteps: 4 }),
    (e: unknown) => e instanceof tn.TorchError && e.op === 'OneCycleLR' && /momentum/.test(e.message),
  );
  // Without cycling, a group without momentum is fine and keeps no momentum.
  const opt2 = fakeOptimizer([{ lr: 0.1 }]);
  new S.OneCycleLR(opt2, { maxLr: 1, totalSteps: 4, cycleMomentum: false });
  assert.equal('momentum' in opt2.paramGroups[0], false);
  assertClose([opt2.paramGroups[0].lr], [1 / 25], 'OneCycleLR start lr'); // the cos formula at pct 0, not exactly maxLr / 25
});

test('resuming (lastEpoch >= 0) needs initialLr; a state dict of another scheduler is refused', () => {
  assert.throws(
    () => new S.StepLR(fakeOptimizer([{ lr: 0.1 }]), { stepSize: 2, lastEpoch: 4 }),
    (e: unknown) => e instanceof tn.TorchError && e.op === 'StepLR' && /initialLr/.test(e.message),
  );
  const opt = fakeOptimizer([{ lr: 0.05, initialLr: 0.1 }]);
  const s = new S.StepLR(opt, { stepSize: 2, gamma: 0.5, lastEpoch: 4 });
  assert.equal(s.lastEpoch, 5);
  assert.equal(opt.paramGroups[0].lr, 0.05); // 5 % 2 != 0: the lr is kept
  s.step();
  assert.equal(opt.paramGroups[0].lr, 0.025);
  const cos = new S.CosineAnnealingLR(fakeOptimizer([{ lr: 0.1 }]), { TMax: 10 });
  assert.throws(() => cos.loadStateDict(s.stateDict()), (e: unknown) => e instanceof tn.TorchError && e.op === 'CosineAnnealingLR' && /stepSize/.test(e.message));
  const copy = s.getLastLr();
  copy[0] = 123;
  assert.equal(s.getLastLr()[0], 0.025);
});

type Bad = [label: string, make: (opt: Opt) => unknown, sched: string, option: string];
const BAD: Bad[] = [
  ['StepLR stepSize 0', (o) => new S.StepLR(o, { stepSize: 0 }), 'StepLR', 'stepSize'],
  ['StepLR stepSize 2.5', (o) => new S.StepLR(o, { stepSize: 2.5 }), 'StepLR', 'stepSize'],
  ['StepLR gamma 0', (o) => new S.StepLR(o, { stepSize: 3, gamma: 0 }), 'StepLR', 'gamma'],
  ['StepLR gamma -0.5', (o) => new S.StepLR(o, { stepSize: 3, gamma: -0.5 }), 'StepLR', 'gamma'],
  ['StepLR step_size (snake case)', (o) => new S.StepLR(o, { step_size: 3 } as unknown as S.StepLROptions), 'StepLR', 'step_size'],
  ['StepLR lastEpoch -2', (o) => new S.StepLR(o, { stepSize: 3, lastEpoch: -2 }), 'StepLR', 'lastEpoch'],
  ['MultiStepLR decreasing', (o) => new S.MultiStepLR(o, { milestones: [10, 5] }), 'MultiStepLR', 'milestones'],
  ['MultiStepLR negative', (o) => new S.MultiStepLR(o, { milestones: [-1, 5] }), 'MultiStepLR', 'milestones[0]'],
  ['MultiStepLR not a list', (o) => new S.MultiStepLR(o, { milestones: 5 as unknown as number[] }), 'MultiStepLR', 'milestones'],
  ['MultiStepLR gamma NaN', (o) => new S.MultiStepLR(o, { milestones: [5], gamma: NaN }), 'MultiStepLR', 'gamma'],
  ['ConstantLR factor 1.5', (o) => new S.ConstantLR(o, { factor: 1.5 }), 'ConstantLR', 'factor'],
  ['ConstantLR totalIters 0', (o) => new S.ConstantLR(o, { totalIters: 0 }), 'ConstantLR', 'totalIters'],
  ['LinearLR startFactor 0', (o) => new S.LinearLR(o, { startFactor: 0 }), 'LinearLR', 'startFactor'],
  ['LinearLR endFactor 2', (o) => new S.LinearLR(o, { endFactor: 2 }), 'LinearLR', 'endFactor'],
  ['LinearLR totalIters 0', (o) => new S.LinearLR(o, { totalIters: 0 }), 'LinearLR', 'totalIters'],
  ['ExponentialLR gamma missing', (o) => new S.ExponentialLR(o, {} as S.ExponentialLROptions), 'ExponentialLR', 'gamma'],
  ['ExponentialLR gamma -1', (o) => new S.ExponentialLR(o, { gamma: -1 }), 'ExponentialLR', 'gamma'],
  ['PolynomialLR totalIters 0', (o) => new S.PolynomialLR(o, { totalIters: 0 }), 'PolynomialLR', 'totalIters'],
  ['PolynomialLR power -1', (o) => new S.PolynomialLR(o, { totalIters: 10, power: -1 }), 'PolynomialLR', 'power'],
  ['CosineAnnealingLR TMax 0', (o) => new S.CosineAnnealingLR(o, { TMax: 0 }), 'CosineAnnealingLR', 'TMax'],
  ['CosineAnnealingLR etaMin -1', (o) => new S.CosineAnnealingLR(o, { TMax: 5, etaMin: -1 }), 'CosineAnnealingLR', 'etaMin'],
  ['CosineAnnealingWarmRestarts T0 0', (o) => new S.CosineAnnealingWarmRestarts(o, { T0: 0 }), 'CosineAnnealingWarmRestarts', 'T0'],
  ['CosineAnnealingWarmRestarts TMult 1.5', (o) => new S.CosineAnnealingWarmRestarts(o, { T0: 2, TMult: 1.5 }), 'CosineAnnealingWarmRestarts', 'TMult'],
  ['LambdaLR not a function', (o) => new S.LambdaLR(o, { lrLambda: 3 as unknown as S.LrLambda }), 'LambdaLR', 'lrLambda'],
  ['LambdaLR wrong count', (o) => new S.LambdaLR(o, { lrLambda: [(e) => e, (e) => e] }), 'LambdaLR', 'lrLambdas'],
  ['OneCycleLR no steps', (o) => new S.OneCycleLR(o, { maxLr: 0.1 }), 'OneCycleLR', 'totalSteps'],
  ['OneCycleLR totalSteps 0', (o) => new S.OneCycleLR(o, { maxLr: 0.1, totalSteps: 0 }), 'OneCycleLR', 'totalSteps'],
  ['OneCycleLR epochs without stepsPerEpoch', (o) => new S.OneCycleLR(o, { maxLr: 0.1, epochs: 3 }), 'OneCycleLR', 'stepsPerEpoch'],
  ['OneCycleLR pctStart 1.2', (o) => new S.OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, pctStart: 1.2 }), 'OneCycleLR', 'pctStart'],
  ['OneCycleLR annealStrategy', (o) => new S.OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, annealStrategy: 'exp' as 'cos' }), 'OneCycleLR', 'annealStrategy'],
  ['OneCycleLR maxLr list length', (o) => new S.OneCycleLR(o, { maxLr: [0.1, 0.2], totalSteps: 10 }), 'OneCycleLR', 'maxLr'],
  ['OneCycleLR maxLr -1', (o) => new S.OneCycleLR(o, { maxLr: -1, totalSteps: 10 }), 'OneCycleLR', 'maxLr'],
  ['OneCycleLR divFactor 0', (o) => new S.OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, divFactor: 0 }), 'OneCycleLR', 'divFactor'],
  ['ReduceLROnPlateau factor 1', (o) => new S.ReduceLROnPlateau(o, { factor: 1 }), 'ReduceLROnPlateau', 'factor'],
  ['ReduceLROnPlateau factor -0.1', (o) => new S.ReduceLROnPlateau(o, { factor: -0.1 }), 'ReduceLROnPlateau', 'factor'],
  ['ReduceLROnPlateau patience -1', (o) => new S.ReduceLROnPlateau(o, { patience: -1 }), 'ReduceLROnPlateau', 'patience'],
  ['ReduceLROnPlateau cooldown -1', (o) => new S.ReduceLROnPlateau(o, { cooldown: -1 }), 'ReduceLROnPlateau', 'cooldown'],
  ['ReduceLROnPlateau threshold -1', (o) => new S.ReduceLROnPlateau(o, { threshold: -1 }), 'ReduceLROnPlateau', 'threshold'],
  ['ReduceLROnPlateau mode', (o) => new S.ReduceLROnPlateau(o, { mode: 'mean' as 'min' }), 'ReduceLROnPlateau', 'mode'],
  ['ReduceLROnPlateau thresholdMode', (o) => new S.ReduceLROnPlateau(o, { thresholdMode: 'pct' as 'rel' }), 'ReduceLROnPlateau', 'thresholdMode'],
  ['ReduceLROnPlateau minLr list length', (o) => new S.ReduceLROnPlateau(o, { minLr: [0, 0] }), 'ReduceLROnPlateau', 'minLr'],
  ['ReduceLROnPlateau minLr -1', (o) => new S.ReduceLROnPlateau(o, { minLr: -1 }), 'ReduceLROnPlateau', 'minLr'],
  ['ReduceLROnPlateau eps -1', (o) => new S.ReduceLROnPlateau(o, { eps: -1 }), 'ReduceLROnPlateau', 'eps'],
  ['no param groups', () => new S.StepLR({ paramGroups: [] }, { stepSize: 2 }), 'StepLR', 'param group'],
];

for (const [label, make, sched, option] of BAD) {
  test(`bad option: ${label}`, () => {
    const opt = fakeOptimizer([{ lr: 0.1, momentum: 0.9 }]);
    assert.throws(
      () => make(opt),
      (e: unknown) => e instanceof tn.TorchError && e.op === sched && e.message.includes(option),
      `${label}: expected a TorchError of ${sched} naming ${option}`,
    );
    // Checked before the optimizer is touched.
    assert.deepEqual(opt.paramGroups, [{ lr: 0.1, momentum: 0.9 }]);
  });
}

test('bad option: SequentialLR milestones and schedulers', () => {
  const opt = fakeOptimizer([{ lr: 0.1 }]);
  const a = new S.LinearLR(opt, { totalIters: 3 });
  const b = new S.ExponentialLR(opt, { gamma: 0.9 });
  const other = new S.ExponentialLR(fakeOptimizer([{ lr: 0.1 }]), { gamma: 0.9 });
  const isErr = (opt: string) => (e: unknown) => e instanceof tn.TorchError && e.op === 'SequentialLR' && e.message.includes(opt);
  assert.throws(() => new S.SequentialLR(opt, { schedulers: [a, b], milestones: [] }), isErr('milestones'));
  assert.throws(() => new S.SequentialLR(opt, { schedulers: [a, b], milestones: [0] }), isErr('milestones[0]'));
  assert.throws(() => new S.SequentialLR(opt, { schedulers: [a, b, b], milestones: [5, 5] }), isErr('milestones'));
  assert.throws(() => new S.SequentialLR(opt, { schedulers: [a, other], milestones: [3] }), isErr('schedulers[1]'));
  assert.throws(() => new S.SequentialLR(opt, { schedulers: [], milestones: [] }), isErr('schedulers'));
  assert.throws(() => new S.ChainedScheduler([a, other]), (e: unknown) => e instanceof tn.TorchError && e.op === 'ChainedScheduler');
});

test('with a real tn.optim.SGD: OneCycleLR sets lr and momentum; both state dicts round-trip mid-cycle', () => {
  const c = CASES.find((x) => x.name === 'OneCycleLR SGD')!;
  assert.ok(c, 'no OneCycleLR SGD case in the fixture');
  assert.deepEqual(c.groups, [{ lr: 0.1, momentum: 0.9 }]);
  const before = tn.memory().tensors;
  const train = (opt: tn.optim.SGD, w: tn.Tensor) =>
    tn.scope(() => {
      opt.zeroGrad();
      w.sub(tn.tensor([1, -2, 0.5])).pow(2).sum().backward();
      opt.step();
    });
  const check = (opt: tn.optim.SGD, i: number, label: string) => {
    assertClose([opt.paramGroups[0].lr], c.lrs[i], `${label}: lr after step ${i}`);
    assertClose([opt.paramGroups[0].momentum], c.momentum![i], `${label}: momentum after step ${i}`);
  };

  const w = tn.tensor([0.3, 0.2, -0.4], { dtype: 'float64' }).requiresGrad_();
  const opt = new tn.optim.SGD([w], { lr: 0.1, momentum: 0.9 });
  const sched = new S.OneCycleLR(opt, c.options as S.OneCycleLROptions);
  check(opt, 0, 'SGD');
  for (let i = 0; i < 25; i++) {
    train(opt, w);
    sched.step();
    check(opt, i + 1, 'SGD');
  }
  const optState = opt.stateDict();
  const schedState = JSON.parse(JSON.stringify(sched.stateDict()));
  assert.equal(optState.paramGroups[0].initialLr, 0.1 / 25);

  // Resume in a fresh optimizer and scheduler, as from a checkpoint.
  const w2 = tn.scope(() => w.detach().clone()).requiresGrad_();
  const opt2 = new tn.optim.SGD([w2], { lr: 0.1, momentum: 0.9 });
  const sched2 = new S.OneCycleLR(opt2, c.options as S.OneCycleLROptions);
  opt2.loadStateDict(optState);
  sched2.loadStateDict(schedState);
  for (const t of Object.values(optState.state[0])) if (t instanceof tn.Tensor) t.dispose();
  for (let i = 25; i < c.steps!; i++) {
    train(opt, w);
    sched.step();
    check(opt, i + 1, 'SGD');
    train(opt2, w2);
    sched2.step();
    check(opt2, i + 1, 'resumed SGD');
  }
  assert.deepEqual(w2.toArray(), w.toArray());
  opt.zeroGrad();
  opt2.zeroGrad();
  for (const o of [opt, opt2]) for (const s of o.state.values()) for (const t of Object.values(s)) if (t instanceof tn.Tensor) t.dispose();
  w.dispose();
  w2.dispose();
  assert.equal(tn.memory().tensors, before);
});
