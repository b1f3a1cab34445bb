// Every op of the engine against PyTorch 1.13, forward and backward, on the fixed inputs of
// test/fixtures/ops.json (written by scripts/make_fixtures.py). OPS below mirrors the OPS table of
// that script key for key: each entry computes the same thing with tunet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tn from 'tunet';
import { assertTensorMatches, gradWeight, loadFixture, toTensor, type FixtureCase } from './helpers/fixtures.js';

const F = tn.nn.functional;
type T = tn.Tensor;
type Args = Record<string, any>;
type OpFn = (x: T[], a: Args) => T | T[];

/** Args may hold 'inf', '-inf' or 'nan' (JSON has no number for them). */
function num(v: unknown): number {
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === 'nan') return NaN;
  return v as number;
}

/** The input named by index a[key], or null. */
function opt(x: T[], a: Args, key: string): T | null {
  return a[key] === undefined || a[key] === null ? null : x[a[key]];
}

const call = (t: T, name: string, ...args: unknown[]): T => (t as unknown as Record<string, (...a: unknown[]) => T>)[name](...args);
const dtypeOpts = (a: Args) => (a.dtype === undefined ? undefined : { dtype: a.dtype });

const ACT: Record<string, (x: T, a: Args) => T> = {
  sigmoid: (x) => F.sigmoid(x),
  tanh: (x) => F.tanh(x),
  relu: (x) => F.relu(x),
  selu: (x) => F.selu(x),
  silu: (x) => F.silu(x),
  mish: (x) => F.mish(x),
  hardswish: (x) => F.hardswish(x),
  hardsigmoid: (x) => F.hardsigmoid(x),
  logsigmoid: (x) => F.logsigmoid(x),
  identity: (x) => F.identity(x),
  hardlim: (x) => F.hardlim(x),
  hardlims: (x) => F.hardlims(x),
  radbas: (x) => F.radbas(x),
  satlin: (x) => F.satlin(x),
  satlins: (x) => F.satlins(x),
  hardtanh: (x, a) => F.hardtanh(x, a.min, a.max),
  relu6: (x) => F.relu6(x),
  leakyRelu: (x, a) => F.leakyRelu(x, a.slope),
  elu: (x, a) => F.elu(x, a.alpha),
  celu: (x, a) => F.celu(x, a.alpha),
  gelu: (x, a) => F.gelu(x, a.approximate),
  softplus: (x, a) => F.softplus(x, a.beta, a.threshold),
  softsign: (x) => F.softsign(x),
  logsig: (x) => F.logsig(x),
  tansig: (x) => F.tansig(x),
  purelin: (x) => F.purelin(x),
  poslin: (x) => F.poslin(x),
  swish: (x) => F.swish(x),
  hSwish: (x) => F.hSwish(x),
  hSigmoid: (x) => F.hSigmoid(x),
};

function loss(x: T[], a: Args): T {
  const reduction = a.reduction;
  const weight = opt(x, a, 'w');
  switch (a.fn) {
    case 'mseLoss': return F.mseLoss(x[0], x[1], { reduction });
    case 'l1Loss': return F.l1Loss(x[0], x[1], { reduction });
    case 'smoothL1Loss': return F.smoothL1Loss(x[0], x[1], { reduction, beta: a.beta });
    case 'huberLoss': return F.huberLoss(x[0], x[1], { reduction, delta: a.delta });
    case 'binaryCrossEntropy': return F.binaryCrossEntropy(x[0], x[1], { weight, reduction });
    case 'binaryCrossEntropyWithLogits': return F.binaryCrossEntropyWithLogits(x[0], x[1], { weight, posWeight: opt(x, a, 'pw'), reduction });
    case 'crossEntropy': return F.crossEntropy(x[0], x[1], { weight, ignoreIndex: a.ignoreIndex, reduction, labelSmoothing: a.labelSmoothing });
    case 'nllLoss': return F.nllLoss(x[0], x[1], { weight, ignoreIndex: a.ignoreIndex, reduction });
  }
  throw new Error(`no loss ${a.fn}`);
}

const indices = (x: T[], pattern: (number | null)[]) => pattern.map((p) => (p === null ? null : x[p]));
const vi = (r: { values: T; indices: T }) => [r.values, r.indices];

const OPS: Record<string, OpFn> = {
  // creation
  arange: (x, a) => (tn.arange as (...args: unknown[]) => T)(...a.args, dtypeOpts(a)),
  linspace: (x, a) => tn.linspace(a.start, a.end, a.steps, dtypeOpts(a)),
  eye: (x, a) => (a.args.length === 1 ? tn.eye(a.args[0], dtypeOpts(a)) : tn.eye(a.args[0], a.args[1], dtypeOpts(a))),
  full: (x, a) => tn.full(a.shape, a.value, dtypeOpts(a)),
  zeros: (x, a) => tn.zeros(a.shape, dtypeOpts(a)),
  ones: (x, a) => tn.ones(a.shape, dtypeOpts(a)),
  zerosLike: (x, a) => tn.zerosLike(x[0], dtypeOpts(a)),
  onesLike: (x, a) => tn.onesLike(x[0], dtypeOpts(a)),
  fullLike: (x, a) => tn.fullLike(x[0], a.value, dtypeOpts(a)),
  tensor: (x, a) => tn.tensor(a.data, { dtype: a.dtype ?? 'float32' }),
  to: (x, a) => x[0].to(a.dtype),
  clone: (x) => x[0].clone(),
  contiguous: (x) => x[0].transpose(0, 1).contiguous(),
  // views and indexing
  reshape: (x, a) => x[0].reshape(a.shape),
  viewAs: (x) => x[0].viewAs(x[1]),
  reshapeAs: (x) => x[0].reshapeAs(x[1]),
  expandAs: (x) => x[0].expandAs(x[1]),
  view: (x, a) => x[0].view(a.shape),
  permute: (x, a) => x[0].permute(a.dims),
  transpose: (x, a) => x[0].transpose(a.d0, a.d1),
  t: (x) => x[0].t(),
  mT: (x) => x[0].mT(),
  squeeze: (x, a) => x[0].squeeze(a.dim),
  unsqueeze: (x, a) => x[0].unsqueeze(a.dim),
  flatten: (x, a) => x[0].flatten(a.start, a.end),
  unflatten: (x, a) => x[0].unflatten(a.dim, a.sizes),
  expand: (x, a) => x[0].expand(a.shape),
  repeat: (x, a) => x[0].repeat(a.repeats),
  narrow: (x, a) => x[0].narrow(a.dim, a.start, a.length),
  slice: (x, a) => x[0].slice(a.dim, a.start ?? null, a.end ?? null, a.step ?? 1),
  select: (x, a) => x[0].select(a.dim, a.index),
  indexSelect: (x, a) => x[0].indexSelect(a.dim, x[1]),
  gather: (x, a) => x[0].gather(a.dim, x[1]),
  scatter: (x, a) => x[0].scatter(a.dim, x[1], x.length > 2 ? x[2] : a.value),
  scatterAdd: (x, a) => x[0].scatterAdd(a.dim, x[1], x[2]),
  index: (x, a) => x[0].index(indices(x, a.pattern)),
  indexPut: (x, a) => x[0].clone().indexPut_(indices(x, a.pattern), x[a.values], a.accumulate ?? false),
  maskedFill: (x, a) => x[0].maskedFill(x[1], x.length > 2 ? x[2] : a.value),
  maskedSelect: (x) => x[0].maskedSelect(x[1]),
  where: (x, a) => tn.where(x[0], 'a' in a ? x[a.a] : a.aScalar, 'b' in a ? x[a.b] : a.bScalar),
  cat: (x, a) => tn.cat(x, a.dim),
  stack: (x, a) => tn.stack(x, a.dim),
  split: (x, a) => x[0].split(a.s, a.dim),
  chunk: (x, a) => x[0].chunk(a.chunks, a.dim),
  unbind: (x, a) => x[0].unbind(a.dim),
  flip: (x, a) => x[0].flip(a.dims),
  roll: (x, a) => x[0].roll(a.shifts, a.dims),
  tril: (x, a) => x[0].tril(a.diagonal),
  triu: (x, a) => x[0].triu(a.diagonal),
  nonzero: (x) => x[0].nonzero(),
  pad: (x, a) => F.pad(x[0], a.pad, a.mode, a.value),
  // pointwise
  unary: (x, a) => call(x[0], a.fn),
  unary_: (x, a) => call(x[0], `${a.fn}_`),
  binary: (x, a) => {
    const other = 'scalar' in a ? num(a.scalar) : x[1];
    if (a.fn === 'add' || a.fn === 'sub' || a.fn === 'rsub') return call(x[0], a.fn, other, a.alpha);
    if (a.fn === 'div') return x[0].div(other, a.mode);
    return call(x[0], a.fn, other);
  },
  clamp: (x, a) => x[0].clamp('minT' in a ? x[a.minT] : a.min ?? null, 'maxT' in a ? x[a.maxT] : a.max ?? null),
  clampMin: (x, a) => x[0].clampMin('minT' in a ? x[1] : a.min),
  clampMax: (x, a) => x[0].clampMax('maxT' in a ? x[1] : a.max),
  allclose: (x, a) => tn.full([], x[0].allclose(x[1], a.rtol, a.atol, a.equalNan)),
  equal: (x) => tn.full([], x[0].equal(x[1])),
  lerp: (x, a) => x[0].lerp(x[1], x.length > 2 ? x[2] : a.weight),
  addcmul: (x, a) => x[0].addcmul(x[1], x[2], a.value),
  addcdiv: (x, a) => x[0].addcdiv(x[1], x[2], a.value),
  // in-place (values only)
  inplace: (x, a) => {
    const other = 'scalar' in a ? num(a.scalar) : x[1];
    if (a.fn === 'add' || a.fn === 'sub') return call(x[0], `${a.fn}_`, other, a.alpha);
    if (a.fn === 'div') return x[0].div_(other, a.mode);
    return call(x[0], `${a.fn}_`, other);
  },
  addcmul_: (x, a) => x[0].addcmul_(x[1], x[2], a.value),
  addcdiv_: (x, a) => x[0].addcdiv_(x[1], x[2], a.value),
  copy_: (x) => x[0].copy_(x[1]),
  zero_: (x) => x[0].zero_(),
  fill_: (x, a) => x[0].fill_(a.value),
  clamp_: (x, a) => x[0].clamp_(a.min, a.max),
  lerp_: (x, a) => x[0].lerp_(x[1], x.length > 2 ? x[2] : a.weight),
  maskedFill_: (x, a) => x[0].maskedFill_(x[1], a.value),
  // reductions
  sum: (x, a) => x[0].sum(a.dim ?? null, a.keepdim ?? false, { dtype: a.dtype }),
  mean: (x, a) => x[0].mean(a.dim ?? null, a.keepdim ?? false),
  prod: (x, a) => x[0].prod(a.dim, a.keepdim),
  var: (x, a) => x[0].var(a.dim ?? null, { correction: a.correction, unbiased: a.unbiased, keepdim: a.keepdim }),
  std: (x, a) => x[0].std(a.dim ?? null, { correction: a.correction, unbiased: a.unbiased, keepdim: a.keepdim }),
  max: (x, a) => ('dim' in a ? vi(x[0].max(a.dim, a.keepdim)) : x[0].max()),
  min: (x, a) => ('dim' in a ? vi(x[0].min(a.dim, a.keepdim)) : x[0].min()),
  amax: (x, a) => x[0].amax(a.dim, a.keepdim),
  amin: (x, a) => x[0].amin(a.dim, a.keepdim),
  argmax: (x, a) => x[0].argmax(a.dim, a.keepdim),
  argmin: (x, a) => x[0].argmin(a.dim, a.keepdim),
  norm: (x, a) => x[0].norm(num(a.p ?? 2), a.dim ?? null, a.keepdim ?? false),
  all: (x, a) => x[0].all(a.dim, a.keepdim),
  any: (x, a) => x[0].any(a.dim, a.keepdim),
  logsumexp: (x, a) => x[0].logsumexp(a.dim, a.keepdim),
  cumsum: (x, a) => x[0].cumsum(a.dim),
  cumprod: (x, a) => x[0].cumprod(a.dim),
  sort: (x, a) => vi(x[0].sort(a.dim, a.descending)),
  argsort: (x, a) => x[0].argsort(a.dim, a.descending),
  topk: (x, a) => vi(x[0].topk(a.k, a.dim, a.largest)),
  countNonzero: (x, a) => x[0].countNonzero(a.dim),
  // linear algebra
  matmul: (x) => x[0].matmul(x[1]),
  mm: (x) => x[0].mm(x[1]),
  bmm: (x) => x[0].bmm(x[1]),
  mv: (x) => x[0].mv(x[1]),
  dot: (x) => x[0].dot(x[1]),
  outer: (x) => x[0].outer(x[1]),
  linear: (x) => F.linear(x[0], x[1], x[2] ?? null),
  // convolution, pooling, resampling
  conv1d: (x, a) => F.conv1d(x[0], x[1], x[2] ?? null, a),
  conv2d: (x, a) => F.conv2d(x[0], x[1], x[2] ?? null, a),
  convTranspose2d: (x, a) => F.convTranspose2d(x[0], x[1], x[2] ?? null, a),
  maxPool2d: (x, a) => F.maxPool2d(x[0], a.k, a),
  maxPool1d: (x, a) => F.maxPool1d(x[0], a.k, a),
  avgPool2d: (x, a) => F.avgPool2d(x[0], a.k, a),
  avgPool1d: (x, a) => F.avgPool1d(x[0], a.k, a),
  adaptiveAvgPool2d: (x, a) => F.adaptiveAvgPool2d(x[0], a.size),
  adaptiveMaxPool2d: (x, a) => F.adaptiveMaxPool2d(x[0], a.size),
  interpolate: (x, a) => F.interpolate(x[0], a),
  pixelShuffle: (x, a) => F.pixelShuffle(x[0], a.r),
  pixelUnshuffle: (x, a) => F.pixelUnshuffle(x[0], a.r),
  // normalisation, dropout, softmax
  batchNorm: (x, a) => {
    const rm = opt(x, a, 'rm');
    const rv = opt(x, a, 'rv');
    const y = F.batchNorm(x[0], rm, rv, { weight: opt(x, a, 'w'), bias: opt(x, a, 'b'), training: a.training, momentum: a.momentum, eps: a.eps });
    return rm ? [y, rm, rv!] : y;
  },
  groupNorm: (x, a) => F.groupNorm(x[0], a.groups, opt(x, a, 'w'), opt(x, a, 'b'), a.eps),
  layerNorm: (x, a) => F.layerNorm(x[0], a.shape, opt(x, a, 'w'), opt(x, a, 'b'), a.eps),
  instanceNorm: (x, a) => F.instanceNorm(x[0], { weight: opt(x, a, 'w'), bias: opt(x, a, 'b'), eps: a.eps }),
  dropout: (x, a) => F.dropout(x[0], a.p, a.training),
  dropout2d: (x, a) => F.dropout2d(x[0], a.p, a.training),
  alphaDropout: (x, a) => F.alphaDropout(x[0], a.p, a.training),
  softmax: (x, a) => F.softmax(x[0], a.dim, a.dtype),
  logSoftmax: (x, a) => F.logSoftmax(x[0], a.dim, a.dtype),
  oneHot: (x, a) => F.oneHot(x[0], a.numClasses),
  // activations and losses
  act: (x, a) => ACT[a.fn](x[0], a),
  prelu: (x) => F.prelu(x[0], x[1]),
  reluInplace: (x) => F.reluInplace(x[0]),
  loss,
};

function isZero(t: T): boolean {
  return t.toArray().every((v) => v === 0);
}

function runCase(c: FixtureCase): void {
  const fn = OPS[c.op];
  assert.ok(fn, `test/ops.test.ts has no entry for op '${c.op}'`);
  const xs = c.inputs.map((spec) => toTensor(spec));
  c.inputs.forEach((spec, i) => {
    if (spec.grad) xs[i].requiresGrad_();
  });
  const r = fn(xs, c.args);
  assert.equal(Array.isArray(r), c.multi, `${c.name}: tunet returned ${Array.isArray(r) ? 'an array' : 'one tensor'}`);
  const outs = Array.isArray(r) ? r : [r];
  assert.equal(outs.length, c.outputs.length, `${c.name}: ${outs.length} outputs, PyTorch ${c.outputs.length}`);
  outs.forEach((o, k) => assertTensorMatches(o, c.outputs[k], `${c.name} output ${k}`, c.tol));

  for (const [k, spec] of c.outputs.entries()) {
    if (spec.requiresGrad !== undefined) {
      assert.equal(outs[k].requiresGrad, spec.requiresGrad, `${c.name} output ${k}: requiresGrad ${outs[k].requiresGrad}, PyTorch ${spec.requiresGrad}`);
    }
  }
  if (!c.grads) return;
  let L: T | null = null;
  for (const [k, spec] of c.outputs.entries()) {
    if (!spec.weighted) continue;
    const term = outs[k].mul(gradWeight(outs[k].shape, outs[k].dtype, k)).sum();
    L = L === null ? term : L.add(term);
  }
  assert.ok(L !== null, `${c.name}: the fixture has gradients but no weighted output`);
  const gin = xs.filter((_, i) => c.inputs[i].grad);
  const gs = tn.autograd.grad(L, gin, { allowUnused: true });
  let j = 0;
  c.inputs.forEach((spec, i) => {
    if (!spec.grad) return;
    const g = gs[j++];
    const want = c.grads![i];
    if (want === null) {
      assert.ok(g === null || isZero(g), `${c.name}: input ${i} has no gradient in PyTorch but tunet gives a nonzero one`);
      return;
    }
    assert.ok(g !== null, `${c.name}: input ${i} got no gradient`);
    assertTensorMatches(g, want, `${c.name} grad of input ${i}`, c.tol);
  });
}

const fixture = loadFixture('ops.json');

test('the fixture covers every op of the table and nothing else', () => {
  const used = new Set(fixture.cases.map((c) => c.op));
  assert.deepEqual([...used].filter((op) => !(op in OPS)), [], 'ops in the fixture that the test cannot run');
  assert.deepEqual(Object.keys(OPS).filter((op) => !used.has(op)), [], 'table entries with no case');
  assert.ok(fixture.cases.length > 500, `only ${fixture.cases.length} cases`);
});

const before = tn.memory().tensors;

for (const c of fixture.cases) {
  test(c.name, () => {
    tn.scope(() => runCase(c));
  });
}

test('the cases leave no live tensors behind', () => {
  assert.equal(tn.memory().tensors, before);
});
