// tn.optim and tn.nn.utils.clipGrad* against PyTorch 1.13, on the fixed model and data of
// test/fixtures/optim.json (written by scripts/make_optim_fixtures.py), plus state-dict round trips,
// memory and bad inputs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as tn from 'tunet';

const F = tn.nn.functional;
type T = tn.Tensor;

interface Spec {
  shape: number[];
  data: number[];
}
interface OptCase {
  name: string;
  optimizer: keyof typeof OPTIMIZERS;
  options: Record<string, unknown>;
  groups: ({ params: number[] } & Record<string, unknown>)[] | null;
  closure: boolean;
  frozenBias: boolean;
  losses: number[];
  params: Record<string, [Spec, Spec]>;
  state: Record<string, Record<string, Spec | number>>;
}
interface ClipCase {
  name: string;
  kind: 'norm' | 'value';
  maxNorm?: number;
  normType?: number | 'inf';
  clipValue?: number;
  hasGrad: boolean[];
  total?: number;
  grads: (Spec | null)[];
}
interface Fixture {
  torch: string;
  steps: number;
  recordAt: number[];
  model: { W: Spec; b: Spec; X: Spec; Y: Spec };
  cases: OptCase[];
  clipGrads: Spec[];
  clip: ClipCase[];
}

function loadFixture(): Fixture {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const p of [path.resolve(here, '../../test/fixtures/optim.json'), path.resolve(here, 'fixtures/optim.json')]) {
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as Fixture;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw new Error('test/fixtures/optim.json not found; run /usr/bin/python3 scripts/make_optim_fixtures.py');
}

const FX = loadFixture();
const RTOL = 1e-5;
const ATOL = 1e-5;

const OPTIMIZERS = {
  SGD: tn.optim.SGD,
  Adagrad: tn.optim.Adagrad,
  RMSprop: tn.optim.RMSprop,
  Adam: tn.optim.Adam,
  AdamW: tn.optim.AdamW,
  Adadelta: tn.optim.Adadelta,
};

const toTensor = (s: Spec): T => tn.keep(tn.fromTypedArray(new Float32Array(s.data), s.shape));

/** Elementwise |a − e| ≤ atol + rtol·|e|, with the worst element in the message. */
function assertClose(actual: T | number[], expected: Spec | number[], what: string, rtol = RTOL, atol = ATOL): void {
  const a = Array.isArray(actual) ? actual : actual.toArray();
  const e = Array.isArray(expected) ? expected : expected.data;
  if (!Array.isArray(actual) && !Array.isArray(expected)) {
    assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  }
  assert.equal(a.length, e.length, `${what}: number of elements`);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - e[i]) - (atol + rtol * Math.abs(e[i]));
    if (!(err <= 0) && (worst < 0 || err > worstErr || Number.isNaN(err))) {
      worst = i;
      worstErr = err;
    }
  }
  assert.ok(worst < 0, `${what}: element ${worst} is ${a[worst]}, PyTorch has ${e[worst]}`);
}

function makeModel(frozenBias = false) {
  const W = toTensor(FX.model.W).requiresGrad_(true);
  const b = toTensor(FX.model.b).requiresGrad_(!frozenBias);
  const X = toTensor(FX.model.X);
  const Y = toTensor(FX.model.Y);
  const lossFn = () => F.mseLoss(F.linear(X, W, b).tanh(), Y);
  const dispose = () => [W, b, X, Y].forEach((t) => t.dispose());
  return { W, b, params: [W, b], lossFn, dispose };
}

function makeOptimizer(c: Pick<OptCase, 'optimizer' | 'options' | 'groups'>, params: T[]): tn.optim.Optimizer {
  const Cls = OPTIMIZERS[c.optimizer] as unknown as new (p: unknown, o: unknown) => tn.optim.Optimizer;
  const arg = c.groups === null ? params : c.groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]) }));
  return new Cls(arg, c.options);
}

/** One training step as the fixture script does it; returns the loss before the step. */
function trainStep(opt: tn.optim.Optimizer, lossFn: () => T, closure: boolean): number {
  return tn.scope(() => {
    if (closure) {
      const loss = opt.step(() => {
        opt.zeroGrad();
        const l = lossFn();
        l.backward();
        return l;
      });
      assert.equal(typeof loss, 'number', 'step(closure) returns the loss');
      return loss as number;
    }
    opt.zeroGrad();
    const l = lossFn();
    l.backward();
    const r = opt.step();
    assert.equal(r, undefined, 'step() without a closure returns undefined');
    return l.item();
  });
}

function disposeStateDict(sd: tn.optim.OptimizerStateDict): void {
  for (const s of Object.values(sd.state)) for (const v of Object.values(s)) if (v instanceof tn.Tensor) v.dispose();
}

describe('optimizers match torch.optim (PyTorch ' + FX.torch + ')', () => {
  for (const c of FX.cases) {
    test(c.name, () => {
      const m = makeModel(c.frozenBias);
      const opt = makeOptimizer(c, m.params);
      for (let s = 1; s <= FX.steps; s++) {
        const loss = trainStep(opt, m.lossFn, c.closure);
        assertClose([loss], [c.losses[s - 1]], `loss before step ${s}`);
        const snap = c.params[String(s)];
        if (snap) {
          assertClose(m.W, snap[0], `W after step ${s}`);
          assertClose(m.b, snap[1], `b after step ${s}`);
        }
      }
      const sd = opt.stateDict();
      const expectedKeys = Object.keys(c.state).filter((k) => Object.keys(c.state[k]).length > 0).sort();
      assert.deepEqual(Object.keys(sd.state).sort(), expectedKeys, 'parameters with state');
      for (const k of expectedKeys) {
        const exp = c.state[k];
        const got = sd.state[Number(k)];
        assert.deepEqual(Object.keys(got).sort(), Object.keys(exp).sort(), `state keys of parameter ${k}`);
        for (const [key, v] of Object.entries(exp)) {
          if (typeof v === 'number') assert.equal(got[key], v, `state ${key} of parameter ${k}`);
          else assertClose(got[key] as T, v, `state ${key} of parameter ${k}`);
        }
      }
      // The saved groups hold every option, with the params as indices in group order.
      const sizes = c.groups === null ? [2] : c.groups.map((g) => g.params.length);
      let next = 0;
      assert.deepEqual(sd.paramGroups.map((g) => g.params), sizes.map((n) => Array.from({ length: n }, () => next++)));
      for (const [gi, g] of sd.paramGroups.entries()) {
        for (const [k, v] of Object.entries(c.options)) if (!(c.groups?.[gi] && k in c.groups[gi])) assert.deepEqual(g[k], v, `group ${gi} option ${k}`);
        if (c.groups) for (const [k, v] of Object.entries(c.groups[gi])) if (k !== 'params') assert.deepEqual(g[k], v, `group ${gi} option ${k}`);
      }
      disposeStateDict(sd);
      opt.dispose();
      m.dispose();
    });
  }
});

describe('clip grad matches torch.nn.utils (PyTorch ' + FX.torch + ')', () => {
  for (const c of FX.clip) {
    test(c.name, () => {
      const ps = FX.clipGrads.map((g, i) => {
        const p = tn.keep(tn.zeros(g.shape).requiresGrad_());
        if (c.hasGrad[i]) p.grad = toTensor(g);
        return p;
      });
      if (c.kind === 'norm') {
        const normType = c.normType === 'inf' ? Infinity : (c.normType as number);
        const total = tn.nn.utils.clipGradNorm_(ps, c.maxNorm as number, normType);
        assert.equal(typeof total, 'number');
        assertClose([total], [c.total as number], 'total norm');
      } else {
        assert.equal(tn.nn.utils.clipGradValue_(ps, c.clipValue as number), undefined);
      }
      ps.forEach((p, i) => {
        const g = p.grad;
        const e = c.grads[i];
        if (e === null) assert.equal(g, null, `parameter ${i} has no grad`);
        else assertClose(g as T, e, `grad ${i}`);
        g?.dispose();
        p.dispose();
      });
    });
  }

  test('edge cases: one tensor, no grads, non-finite norms', () => {
    const p = tn.keep(tn.zeros([3]).requiresGrad_());
    assert.equal(tn.nn.utils.clipGradNorm_([p], 1), 0, 'no gradients: total norm 0');
    p.grad = tn.tensor([3, 4, 0]);
    assert.ok(Math.abs(tn.nn.utils.clipGradNorm_(p, 1) - 5) < 1e-6, 'a single Tensor is accepted');
    assertClose(p.grad as T, [0.6, 0.8, 0], 'clipped to norm 1', 0, 1e-6);
    p.grad = tn.tensor([Infinity, 1, 0]);
    assert.throws(() => tn.nn.utils.clipGradNorm_([p], 1, 2, true), (e: unknown) => e instanceof tn.TorchError && /non-finite/.test(e.message));
    assert.deepEqual(p.grad?.toArray(), [Infinity, 1, 0], 'an error leaves the gradient unchanged');
    assert.equal(tn.nn.utils.clipGradNorm_([p], 1), Infinity, 'without errorIfNonfinite: the norm is returned');
    assert.throws(() => tn.nn.utils.clipGradNorm_([p, 3 as unknown as T], 1), tn.TorchError);
    assert.throws(() => tn.nn.utils.clipGradNorm_(p, 'x' as unknown as number), tn.TorchError);
    assert.throws(() => tn.nn.utils.clipGradValue_(p, NaN), tn.TorchError);
    p.dispose();
  });
});

/** Configurations that exercise every kind of state, for round trips and memory. */
const ROUND_TRIP: Pick<OptCase, 'optimizer' | 'options' | 'groups'>[] = [
  { optimizer: 'SGD', options: { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01 }, groups: null },
  { optimizer: 'Adagrad', options: { lr: 0.1, lrDecay: 0.05, initialAccumulatorValue: 0.1 }, groups: null },
  { optimizer: 'RMSprop', options: { lr: 0.01, momentum: 0.5, centered: true }, groups: null },
  { optimizer: 'Adam', options: { lr: 0.01, amsgrad: true }, groups: [{ params: [0] }, { params: [1], lr: 0.03, weightDecay: 0.1 }] },
  { optimizer: 'AdamW', options: { lr: 0.01, betas: [0.8, 0.9] }, groups: null },
  { optimizer: 'Adadelta', options: { rho: 0.8, weightDecay: 0.01 }, groups: null },
];

describe('stateDict / loadStateDict', () => {
  for (const c of ROUND_TRIP) {
    test(`${c.optimizer}: 10 steps + save + load into a fresh optimizer + 10 steps == 20 steps`, () => {
      const ref = makeModel();
      const refOpt = makeOptimizer(c, ref.params);
      for (let s = 0; s < 20; s++) trainStep(refOpt, ref.lossFn, false);

      const m = makeModel();
      const first = makeOptimizer(c, m.params);
      for (let s = 0; s < 10; s++) trainStep(first, m.lossFn, false);
      const sd = first.stateDict();
      // The saved state is a snapshot: stepping the first optimizer does not change it.
      const before = JSON.stringify(Object.values(sd.state).map((s) => Object.values(s).map((v) => (v instanceof tn.Tensor ? v.toArray() : v))));
      trainStep(first, m.lossFn, false);
      const after = JSON.stringify(Object.values(sd.state).map((s) => Object.values(s).map((v) => (v instanceof tn.Tensor ? v.toArray() : v))));
      assert.equal(after, before, 'stateDict() clones the state');
      first.dispose();
      // Restore the parameters to their values after 10 steps.
      const m2 = makeModel();
      const replay = makeOptimizer(c, m2.params);
      for (let s = 0; s < 10; s++) trainStep(replay, m2.lossFn, false);
      replay.dispose();

      // A fresh optimizer with other options: loading brings back the saved options too.
      const fresh = makeOptimizer({ ...c, options: { ...c.options, lr: 0.5 } }, m2.params);
      fresh.loadStateDict(sd);
      disposeStateDict(sd); // the optimizer holds copies
      assert.deepEqual(fresh.paramGroups.map((g) => g.lr), refOpt.paramGroups.map((g) => g.lr));
      for (let s = 0; s < 10; s++) trainStep(fresh, m2.lossFn, false);
      assert.deepEqual(m2.W.toArray(), ref.W.toArray(), 'W after 20 steps');
      assert.deepEqual(m2.b.toArray(), ref.b.toArray(), 'b after 20 steps');
      const sdRef = refOpt.stateDict();
      const sdFresh = fresh.stateDict();
      for (const [k, s] of Object.entries(sdRef.state)) {
        for (const [key, v] of Object.entries(s)) {
          const got = sdFresh.state[Number(k)][key];
          if (v instanceof tn.Tensor) assert.deepEqual((got as T).toArray(), v.toArray(), `state ${key} of ${k}`);
          else assert.equal(got, v, `state ${key} of ${k}`);
        }
      }
      disposeStateDict(sdRef);
      disposeStateDict(sdFresh);
      [refOpt, fresh].forEach((o) => o.dispose());
      [ref, m, m2].forEach((x) => x.dispose());
    });
  }

  test('loading checks group count, group sizes, indices and state shapes', () => {
    const m = makeModel();
    const opt = new tn.optim.Adam(m.params, { lr: 0.01 });
    trainStep(opt, m.lossFn, false);
    const sd = opt.stateDict();
    const twoGroups = new tn.optim.Adam([{ params: [m.W] }, { params: [m.b] }]);
    assert.throws(() => twoGroups.loadStateDict(sd), (e: unknown) => e instanceof tn.TorchError && /1 parameter group\(s\).*optimizer has 2/.test(e.message));
    const other = makeModel();
    const oneParam = new tn.optim.Adam([other.W]);
    assert.throws(() => oneParam.loadStateDict(sd), (e: unknown) => e instanceof tn.TorchError && /group 0 has 2 parameter\(s\) in the loaded state dict but 1 in the optimizer/.test(e.message));
    const swapped = new tn.optim.Adam([other.b, other.W]);
    assert.throws(() => swapped.loadStateDict(sd), (e: unknown) => e instanceof tn.TorchError && /expAvg' of parameter 0 has shape \[3,4\] but the parameter has shape \[3\]/.test(e.message));
    assert.equal(swapped.state.size, 0, 'a failed load changes nothing');
    const badIndex = { state: { 5: sd.state[0] }, paramGroups: sd.paramGroups };
    assert.throws(() => new tn.optim.Adam(other.params).loadStateDict(badIndex), (e: unknown) => e instanceof tn.TorchError && /parameter 5/.test(e.message));
    const badOption = { state: {}, paramGroups: [{ ...sd.paramGroups[0], lr: -1 }] };
    assert.throws(() => new tn.optim.Adam(other.params).loadStateDict(badOption), (e: unknown) => e instanceof tn.TorchError && /lr/.test(e.message));
    assert.throws(() => new tn.optim.Adam(other.params).loadStateDict(null as unknown as tn.optim.OptimizerStateDict), tn.TorchError);
    // A float64 state is cast to the parameter's dtype (as PyTorch), 'step' is kept.
    const ok = new tn.optim.Adam(other.params);
    const sd64 = { state: { 0: { ...sd.state[0], expAvg: (sd.state[0].expAvg as T).double() } }, paramGroups: sd.paramGroups };
    ok.loadStateDict(sd64);
    assert.equal((ok.state.get(other.W)?.expAvg as T).dtype, 'float32');
    assert.equal(ok.state.get(other.W)?.step, 1);
    (sd64.state[0].expAvg as T).dispose();
    // A 'step' saved as a one-element tensor (as PyTorch 1.13's Adam keeps it) loads as a number.
    const stepT = tn.tensor([7]);
    ok.loadStateDict({ state: { 1: { ...sd.state[1], step: stepT } }, paramGroups: sd.paramGroups });
    assert.equal(ok.state.get(other.b)?.step, 7);
    assert.equal(ok.state.has(other.W), false, 'loading replaces the whole state');
    stepT.dispose();
    disposeStateDict(sd);
    [opt, twoGroups, oneParam, swapped, ok].forEach((o) => o.dispose());
    m.dispose();
    other.dispose();
  });
});

describe('memory', () => {
  for (const c of ROUND_TRIP) {
    test(`${c.optimizer}: 200 steps keep tn.memory().tensors flat`, () => {
      const m = makeModel();
      const opt = makeOptimizer(c, m.params);
      // Two warm-up steps make the state; then no step may raise the live-tensor count. It is
      // checked at every step, so a leak cannot hide behind a garbage collection that frees it (a
      // collection can lower the count: tensors other tests dropped without dispose() are freed).
      trainStep(opt, m.lossFn, false);
      trainStep(opt, m.lossFn, c.optimizer === 'Adam');
      let base = tn.memory().tensors;
      for (let s = 0; s < 200; s++) {
        tn.scope(() => {
          opt.zeroGrad();
          m.lossFn().backward();
        });
        opt.step(); // outside any scope: step itself must free its temporaries
        if (s % 2 === 1) tn.scope(() => opt.step(() => { opt.zeroGrad(); const l2 = m.lossFn(); l2.backward(); return l2; }));
        const now = tn.memory().tensors;
        assert.ok(now <= base, `live tensors after step ${s}: ${now}, before it: ${base}`);
        base = now;
      }
      opt.dispose();
      assert.ok(tn.memory().tensors < base, 'dispose() frees the state');
      m.dispose();
    });
  }

  test('state made inside a tn.scope survives it; clipGrad frees its temporaries', () => {
    const m = makeModel();
    const opt = new tn.optim.Adam(m.params);
    tn.scope(() => trainStep(opt, m.lossFn, false));
    const st = opt.state.get(m.W);
    assert.ok(st && st.expAvg instanceof tn.Tensor && !(st.expAvg as T).isDisposed);
    let base = tn.memory().tensors;
    for (let i = 0; i < 20; i++) {
      tn.nn.utils.clipGradNorm_(m.params, 0.01);
      tn.nn.utils.clipGradNorm_(m.params, 0.01, Infinity);
      tn.nn.utils.clipGradValue_(m.params, 0.001);
      const now = tn.memory().tensors;
      assert.ok(now <= base, `live tensors after round ${i}: ${now}, before it: ${base}`);
      base = now;
    }
    opt.dispose();
    m.dispose();
  });
});

describe('API', () => {
  test('zeroGrad sets grads to null by default, or zeroes them', () => {
    const m = makeModel();
    const opt = new tn.optim.SGD(m.params, { lr: 0.1 });
    m.lossFn().backward();
    opt.zeroGrad(false);
    for (const p of m.params) assert.deepEqual(p.grad?.toArray(), new Array(p.numel()).fill(0));
    opt.zeroGrad();
    for (const p of m.params) assert.equal(p.grad, null);
    m.dispose();
  });

  test('defaults fill the groups; addParamGroup; params without grad are skipped', () => {
    const m = makeModel();
    const extra = tn.keep(tn.ones([2]).requiresGrad_());
    const opt = new tn.optim.Adam([{ params: [m.W], lr: 0.1 }], { betas: [0.5, 0.6], weightDecay: 0.01 });
    assert.deepEqual({ ...opt.paramGroups[0], params: undefined }, { params: undefined, lr: 0.1, betas: [0.5, 0.6], eps: 1e-8, weightDecay: 0.01, amsgrad: false, maximize: false });
    opt.addParamGroup({ params: m.b, eps: 1e-3 });
    opt.addParamGroup({ params: new Set([extra]) });
    assert.equal(opt.paramGroups.length, 3);
    assert.equal(opt.paramGroups[1].lr, 1e-3);
    assert.equal(opt.paramGroups[1].eps, 1e-3);
    assert.notEqual(opt.paramGroups[1].betas, opt.paramGroups[2].betas, 'groups do not share the betas array');
    trainStep(opt, m.lossFn, false);
    assert.equal(extra.grad, null);
    assert.deepEqual(extra.toArray(), [1, 1], 'a parameter without grad is not changed');
    assert.equal(opt.state.has(extra), false);
    assert.equal(opt.state.get(m.b)?.step, 1);
    assert.match(String(opt), /Parameter Group 2/);
    // A Module's parameters() work as parameters.
    class Scale extends tn.nn.Module {
      w = tn.scope(() => new tn.nn.Parameter(tn.ones([2])));
      forward(x: T) {
        return x.mul(this.w);
      }
    }
    const mod = new Scale();
    const sgd = new tn.optim.SGD(mod.parameters(), { lr: 0.5 });
    tn.scope(() => mod.forward(mod.w).sum().backward());
    sgd.step();
    assert.deepEqual(mod.w.toArray(), [0, 0]);
    const p = mod.w;
    opt.dispose();
    m.dispose();
    extra.dispose();
    p.dispose();
  });

  test('Adagrad makes its state up front, as PyTorch', () => {
    const m = makeModel();
    const opt = new tn.optim.Adagrad(m.params, { initialAccumulatorValue: 0.25 });
    const sd = opt.stateDict();
    assert.deepEqual(Object.keys(sd.state), ['0', '1']);
    assert.equal(sd.state[1].step, 0);
    assert.deepEqual((sd.state[1].sum as T).toArray(), [0.25, 0.25, 0.25]);
    disposeStateDict(sd);
    opt.dispose();
    m.dispose();
  });
});

describe('bad inputs give TorchErrors', () => {
  const isTorchError = (re?: RegExp) => (e: unknown) => e instanceof tn.TorchError && (re === undefined || re.test(e.message));
  const W = tn.keep(tn.zeros([2, 2]).requiresGrad_());
  const b = tn.keep(tn.zeros([2]).requiresGrad_());

  test('negative lr and other option values out of range', () => {
    for (const Cls of Object.values(OPTIMIZERS)) {
      const C = Cls as unknown as new (p: unknown, o: unknown) => unknown;
      assert.throws(() => new C([W], { lr: -0.1 }), isTorchError(/lr/), `${Cls.name} lr < 0`);
      assert.throws(() => new C([W], { lr: NaN }), isTorchError(/lr/), `${Cls.name} lr NaN`);
      assert.throws(() => new C([{ params: [W], lr: -1 }], { lr: 0.1 }), isTorchError(/parameter group 0.*lr/), `${Cls.name} group lr < 0`);
      assert.throws(() => new C([W], { lr: 0.1, weightDecay: -1 }), isTorchError(/weightDecay/), `${Cls.name} weightDecay < 0`);
      assert.throws(() => new C([W], { lr: 0.1, weight_decay: 0.1 }), isTorchError(/camelCase: 'weightDecay'/), `${Cls.name} snake_case`);
      assert.throws(() => new C([W], { lr: 0.1, bogus: 1 }), isTorchError(/unknown option 'bogus'/), `${Cls.name} unknown option`);
    }
    assert.throws(() => new tn.optim.Adam([W], { betas: [1.0, 0.999] }), isTorchError(/beta parameter at index 0/));
    assert.throws(() => new tn.optim.Adam([W], { betas: [0.9, -0.1] }), isTorchError(/beta parameter at index 1/));
    assert.throws(() => new tn.optim.AdamW([W], { betas: [0.9] as unknown as [number, number] }), isTorchError(/pair/));
    assert.throws(() => new tn.optim.Adam([W], { eps: -1 }), isTorchError(/eps/));
    assert.throws(() => new tn.optim.SGD([W], {}), isTorchError(/lr is required|required/));
    assert.throws(() => new tn.optim.SGD([W], { lr: 0.1, nesterov: true }), isTorchError(/Nesterov/));
    assert.throws(() => new tn.optim.SGD([W], { lr: 0.1, momentum: -0.5 }), isTorchError(/momentum/));
    assert.throws(() => new tn.optim.Adadelta([W], { rho: 1.5 }), isTorchError(/rho/));
    assert.throws(() => new tn.optim.RMSprop([W], { alpha: -0.5 }), isTorchError(/alpha/));
    assert.throws(() => new tn.optim.RMSprop([W], { centered: 1 as unknown as boolean }), isTorchError(/centered/));
    assert.throws(() => new tn.optim.Adagrad([W], { lrDecay: -1 }), isTorchError(/lrDecay/));
    assert.throws(() => new tn.optim.Adagrad([W], { initialAccumulatorValue: -1 }), isTorchError(/initialAccumulatorValue/));
    const opt = new tn.optim.Adam([W]);
    assert.throws(() => opt.addParamGroup({ params: [b], lr: -1 }), isTorchError(/parameter group 1.*lr/));
    assert.equal(opt.paramGroups.length, 1, 'a rejected group is not added');
  });

  test('bad parameter lists', () => {
    assert.throws(() => new tn.optim.SGD([], { lr: 0.1 }), isTorchError(/empty parameter list/));
    assert.throws(() => new tn.optim.SGD(W as unknown as T[], { lr: 0.1 }), isTorchError(/single Tensor/));
    assert.throws(() => new tn.optim.SGD(5 as unknown as T[], { lr: 0.1 }), isTorchError(/iterable/));
    assert.throws(() => new tn.optim.SGD([W, b, W], { lr: 0.1 }), isTorchError(/more than once/));
    assert.throws(() => new tn.optim.SGD([{ params: [W] }, { params: [b, W] }], { lr: 0.1 }), isTorchError(/more than one parameter group/));
    const opt = new tn.optim.Adam([W]);
    assert.throws(() => opt.addParamGroup({ params: [W] }), isTorchError(/more than one parameter group/));
    assert.throws(() => opt.addParamGroup({ params: [] }), isTorchError(/no parameters/));
    assert.throws(() => opt.addParamGroup({} as tn.optim.ParamGroupInput), isTorchError(/'params'/));
    const ints = tn.keep(tn.tensor([1, 2], { dtype: 'int64' }));
    assert.throws(() => new tn.optim.Adam([ints]), isTorchError(/floating-point/));
    const nonLeaf = tn.keep(W.mul(2));
    assert.throws(() => new tn.optim.Adam([nonLeaf]), isTorchError(/non-leaf/));
    assert.throws(() => new tn.optim.Adam([W, 'x' as unknown as T]), isTorchError(/parameter 1 is string/));
    const gone = tn.zeros([1]);
    gone.dispose();
    assert.throws(() => new tn.optim.Adam([gone]), isTorchError(/disposed/));
    ints.dispose();
    nonLeaf.dispose();
  });

  test('bad closures', () => {
    const opt = new tn.optim.SGD([W], { lr: 0.1 });
    assert.throws(() => opt.step(() => tn.zeros([2])), isTorchError(/one-element/));
    assert.throws(() => opt.step(() => 'loss' as unknown as number), isTorchError(/closure must return/));
    assert.throws(() => opt.step(5 as unknown as () => number), isTorchError(/closure must be a function/));
    assert.equal(opt.step(() => 1.5), 1.5);
  });
});
