// The classic networks of tn.models (MATLAB Neural Network Toolbox style): the perceptron and its
// learning rule (XOR is out of its reach, AND/OR are not), the MLP trained by backpropagation (learns
// XOR), the exactly designed RBF network (newrbe) and the Elman recurrent network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tn from 'tunet';

const M = tn.models;
const F = tn.nn.functional;

const XOR_X = () => tn.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);

function isTorchError(re: RegExp) {
  return (e: unknown) => e instanceof tn.TorchError && re.test(e.message);
}

test('perceptron: forward is hardlim(xWᵀ + b); the perceptron rule learns AND and OR (incremental and batch)', () => {
  const p = new M.Perceptron({ inFeatures: 2 });
  assert.deepEqual(tn.scope(() => p.forward(XOR_X()).toArray()), [1, 1, 1, 1]); // zero weights: hardlim(0) = 1
  tn.scope(() => {
    const x = XOR_X();
    for (const [name, t] of [['AND', [0, 0, 0, 1]], ['OR', [0, 1, 1, 1]]] as const) {
      for (const mode of ['incremental', 'batch'] as const) {
        const net = new M.Perceptron({ inFeatures: 2 });
        const r = net.train(x, tn.tensor([...t]), { epochs: 100, mode });
        assert.ok(r.converged, `${name} (${mode}) did not converge: errors per epoch ${r.errors.join(',')}`);
        assert.equal(r.errors.at(-1), 0);
        assert.deepEqual(net.forward(x).toArray(), [...t], `${name} (${mode})`);
      }
    }
    // The rule by hand for one sample: w += lr·(t − y)·x, b += lr·(t − y).
    const one = new M.Perceptron({ inFeatures: 2 });
    const r = one.train(tn.tensor([[2, -1]]), tn.tensor([0]), { epochs: 1, lr: 0.5 });
    assert.deepEqual(r.errors, [1]);
    assert.deepEqual(one.weight.toArray(), [-1, 0.5]); // y = hardlim(0) = 1, e = −1
    assert.deepEqual(one.bias.toArray(), [-0.5]);
    // hardlims units with −1/+1 targets.
    const s = new M.Perceptron({ inFeatures: 2, transfer: 'hardlims' });
    const rs = s.train(x, tn.tensor([-1, -1, -1, 1]), { epochs: 100 });
    assert.ok(rs.converged);
    assert.deepEqual(s.forward(x).toArray(), [-1, -1, -1, 1]);
  });
});

test('perceptron: XOR is not linearly separable — after 500 epochs at least one point is still wrong', () => {
  tn.scope(() => {
    const x = XOR_X();
    const t = tn.tensor([0, 1, 1, 0]);
    for (const mode of ['incremental', 'batch'] as const) {
      const p = new M.Perceptron({ inFeatures: 2 });
      const r = p.train(x, t, { epochs: 500, mode });
      assert.equal(r.converged, false);
      assert.equal(r.epochs, 500);
      assert.ok(r.errors.every((e) => e >= 1), `${mode}: an epoch without errors`);
      const y = p.forward(x).toArray();
      const wrong = y.filter((v, i) => v !== [0, 1, 1, 0][i]).length;
      assert.ok(wrong >= 1, `${mode}: the perceptron classified XOR: ${y}`);
    }
  });
  // train() and train(false) still switch modes.
  const p = new M.Perceptron();
  assert.equal(p.train(false), p);
  assert.equal(p.training, false);
  assert.equal(p.eval().training, false);
  assert.equal(p.train().training, true);
});

test('MLP 2-4-1 (tansig, logsig) learns XOR by backpropagation (seed 0, Adam), loss down, memory flat', () => {
  tn.manualSeed(0);
  const m = new M.MLP({ inFeatures: 2, hiddenSizes: [4], outFeatures: 1, transfer: ['tansig', 'logsig'] });
  assert.deepEqual(Object.keys(tn.scope(() => m.stateDict())), ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']);
  assert.equal(m.numParameters(), 2 * 4 + 4 + 4 * 1 + 1);
  const x = XOR_X();
  const t = tn.tensor([[0], [1], [1], [0]]);
  const opt = new tn.optim.Adam(m.parameters(), { lr: 0.05 });
  const warm = m.train(x, t, { optimizer: opt, epochs: 5 }); // creates Adam's state
  const live = tn.memory().tensors;
  const r = m.train(x, t, { optimizer: opt, epochs: 295 });
  assert.ok(tn.memory().tensors <= live, `training leaked tensors: ${tn.memory().tensors} > ${live}`); // the GC may only lower it
  assert.ok(r.losses.at(-1)! < 0.01 * warm.losses[0], `mse ${warm.losses[0]} → ${r.losses.at(-1)}`);
  const y = tn.noGrad(() => tn.scope(() => m.forward(x).toArray()));
  assert.deepEqual(y.map((v) => (v >= 0.5 ? 1 : 0)), [0, 1, 1, 0], `outputs ${y}`);
  x.dispose();
  t.dispose();
});

test('MLP: shapes, transfer functions by name, default gradient descent, goal, bad options', () => {
  tn.manualSeed(3);
  const m = new M.MLP({ inFeatures: 3, hiddenSizes: [5, 4], outFeatures: 2, transfer: ['logsig', 'poslin', 'softmax'] });
  const y = tn.scope(() => m.forward(tn.randn([6, 3])).sum(1).toArray());
  assert.equal(y.length, 6);
  for (const v of y) assert.ok(Math.abs(v - 1) < 1e-6); // softmax rows sum to 1
  // The default (traingd) lowers an MSE regression loss on y = x₁ − x₂.
  const r = tn.scope(() => {
    const net = new M.MLP({ inFeatures: 2, hiddenSizes: [8] }); // tansig, purelin
    const x = tn.randn([16, 2]);
    const t = x.select(1, 0).sub(x.select(1, 1)).unsqueeze(1);
    return net.train(x, t, { lr: 0.1, epochs: 60 });
  });
  assert.ok(r.losses.at(-1)! < 0.5 * r.losses[0], `traingd: ${r.losses[0]} → ${r.losses.at(-1)}`);
  // Cross-entropy on class indices; the goal stops training early.
  const g = tn.scope(() => {
    const net = new M.MLP({ inFeatures: 2, hiddenSizes: [8], outFeatures: 2, transfer: ['relu', 'purelin'] });
    return net.train(XOR_X(), tn.tensor([0, 1, 1, 0], { dtype: 'int64' }), { loss: 'crossEntropy', optimizer: new tn.optim.Adam(net.parameters(), { lr: 0.05 }), epochs: 2000, goal: 0.05 });
  });
  assert.ok(g.reachedGoal && g.epochs < 2000 && g.losses.at(-1)! <= 0.05, `goal: ${g.epochs} epochs, ${g.losses.at(-1)}`);
  assert.throws(() => new M.MLP({ hiddenSizes: [4], transfer: ['tansig'] }), isTorchError(/option 'transfer' must list 2/));
  assert.throws(() => new M.MLP({ transfer: ['tansig', 'wiggle' as never] }), isTorchError(/transfer'\[1\]/));
  assert.throws(() => new M.MLP({ hiddenSizes: [0] }), isTorchError(/hiddenSizes/));
  assert.throws(() => m.train(tn.zeros([1, 3]), tn.zeros([1, 2]), { epochs: -1 }), isTorchError(/epochs/));
  assert.throws(() => m.train(tn.zeros([1, 3]), tn.zeros([1, 2]), { optimiser: 1 } as never), isTorchError(/unknown option 'optimiser'/));
});

test('RBF exact design (newrbe): fits 20 sine samples exactly and interpolates between them', () => {
  tn.scope(() => {
    const x = tn.linspace(0, 2 * Math.PI, 20).unsqueeze(1); // spacing 0.33
    const t = x.sin();
    const mid = x.slice(0, 0, 19).add(Math.PI / 19); // halfway between samples
    // float32 network, spread 0.5.
    const net = M.RBFNetwork.newrbe(x, t, 0.5);
    assert.equal(net.config.numCenters, 20);
    assert.equal(net.centers.dtype, 'float32');
    const fit = net.forward(x).sub(t).abs().max().item();
    assert.ok(fit < 1e-4, `training points: max error ${fit}`);
    const gen = net.forward(mid).sub(mid.sin()).abs().max().item();
    assert.ok(gen < 0.02, `between the points: max error ${gen}`);
    // Each unit: bias 0.8326/spread, so radbas gives 0.5 at distance spread.
    assert.ok(Math.abs(net.bias1.toArray()[0] - 0.8326 / 0.5) < 1e-4);
    const a = net.hidden(tn.tensor([[0.5]])).toArray()[0]; // distance 0.5 from the centre at 0
    assert.ok(Math.abs(a - 0.5) < 1e-6, `unit output at distance spread: ${a}`);
    // MATLAB's default spread 1 makes the design ill-conditioned (weights ~1e4): the float64 network keeps the exact fit.
    const x64 = x.double();
    const net64 = M.RBFNetwork.newrbe(x64, x64.sin(), 1);
    assert.equal(net64.output.weight.dtype, 'float64');
    assert.ok(net64.forward(x64).sub(x64.sin()).abs().max().item() < 1e-6); // about 3e-8: the condition number is large
    assert.ok(net64.forward(mid.double()).sub(mid.double().sin()).abs().max().item() < 0.005);
    // train(x, t) on a model of the right size does the same design and reports the fit.
    const m = new M.RBFNetwork({ inFeatures: 1, numCenters: 20, spread: 0.5 });
    const r = m.train(x, t);
    assert.ok(r.maxError < 1e-4);
    assert.ok(m.forward(x).sub(net.forward(x)).abs().max().item() < 1e-5);
    assert.throws(() => new M.RBFNetwork({ numCenters: 5 }).train(x, t), isTorchError(/one sample per centre/));
    assert.throws(() => new M.RBFNetwork({ spread: 0 }), isTorchError(/spread/));
    // Two inputs, two outputs.
    const x2 = tn.rand([12, 2]).mul(3);
    const t2 = tn.stack([x2.select(1, 0).mul(x2.select(1, 1)), x2.select(1, 0).cos()], 1);
    const net2 = M.RBFNetwork.newrbe(x2, t2, 0.8);
    assert.deepEqual(net2.forward(x2).shape, [12, 2]);
    assert.ok(net2.forward(x2).sub(t2).abs().max().item() < 1e-3);
  });
});

test('Elman: shapes (time-first, batch-first, unbatched), the recurrence by hand, continuing from the final state', () => {
  tn.manualSeed(0);
  const e = new M.Elman({ inputSize: 2, hiddenSize: 5, outputSize: 3 });
  assert.deepEqual(Object.keys(tn.scope(() => e.stateDict())), ['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'fc.weight', 'fc.bias']);
  assert.equal(e.numParameters(), 5 * 2 + 5 * 5 + 5 + 5 + 3 * 5 + 3);
  tn.noGrad(() => tn.scope(() => {
    const x = tn.randn([4, 3, 2]); // (T, N, F)
    const out = e.forward(x);
    assert.deepEqual(out.output.shape, [4, 3, 3]);
    assert.deepEqual(out.states.shape, [4, 3, 5]);
    assert.deepEqual(out.hidden.shape, [3, 5]);
    assert.equal(out.hidden.sub(out.states.select(0, 3)).abs().max().item(), 0);
    // h1 = tanh(W_ih x0 + b_ih + b_hh) (empty context), h2 = tanh(W_ih x1 + b_ih + W_hh h1 + b_hh), y = W_o h + b_o.
    const { rnn, fc } = e;
    const h1 = F.linear(x.select(0, 0), rnn.weight_ih_l0, rnn.bias_ih_l0).add(rnn.bias_hh_l0).tanh();
    const h2 = F.linear(x.select(0, 1), rnn.weight_ih_l0, rnn.bias_ih_l0).add(F.linear(h1, rnn.weight_hh_l0, rnn.bias_hh_l0)).tanh();
    assert.ok(h2.sub(out.states.select(0, 1)).abs().max().item() < 1e-6);
    assert.ok(F.linear(h2, fc.weight, fc.bias).sub(out.output.select(0, 1)).abs().max().item() < 1e-6);
    // Two halves with the state carried over = the whole sequence.
    const a = e.forward(x.slice(0, 0, 2));
    const b = e.forward(x.slice(0, 2, 4), a.hidden);
    assert.ok(b.output.sub(out.output.slice(0, 2, 4)).abs().max().item() < 1e-6);
    // batchFirst and unbatched layouts give the same numbers.
    const bf = new M.Elman({ inputSize: 2, hiddenSize: 5, outputSize: 3, batchFirst: true });
    bf.loadStateDict(e.stateDict());
    const obf = bf.forward(x.transpose(0, 1));
    assert.deepEqual(obf.output.shape, [3, 4, 3]);
    assert.ok(obf.output.transpose(0, 1).sub(out.output).abs().max().item() < 1e-6);
    const un = e.forward(x.select(1, 2)); // (T, F)
    assert.deepEqual(un.output.shape, [4, 3]);
    assert.deepEqual(un.hidden.shape, [5]);
    assert.ok(un.output.sub(out.output.select(1, 2)).abs().max().item() < 1e-6);
  }));
  assert.throws(() => e.forward(tn.zeros([4, 3, 7])), isTorchError(/expected input/));
  assert.throws(() => e.forward(tn.zeros([4, 3, 2]), tn.zeros([2, 5])), isTorchError(/h0 must be \(3, 5\)/));
});

test('Elman learns to predict the next value of a sine (loss falls 5×), memory flat across steps', () => {
  tn.manualSeed(0);
  const T = 20;
  const N = 8;
  // x_t = sin(0.5·t + φ_n), target x_{t+1}; one value does not tell rising from falling: the context must.
  const seq = tn.scope(() => {
    const t = tn.arange(0, T + 1).float().mul(0.5).unsqueeze(1); // (T+1, 1)
    const phase = tn.linspace(0, 2 * Math.PI * (1 - 1 / N), N).unsqueeze(0); // (1, N)
    return t.add(phase).sin().unsqueeze(2); // (T+1, N, 1)
  });
  const x = seq.slice(0, 0, T);
  const y = seq.slice(0, 1, T + 1);
  const e = new M.Elman({ inputSize: 1, hiddenSize: 8, outputSize: 1 });
  const opt = new tn.optim.Adam(e.parameters(), { lr: 0.02 });
  const losses: number[] = [];
  let live = -1;
  for (let step = 0; step < 80; step++) {
    opt.zeroGrad();
    losses.push(tn.scope(() => {
      const l = F.mseLoss(e.forward(x).output, y);
      l.backward();
      return l.item();
    }));
    tn.scope(() => {
      opt.step();
    });
    if (step === 1) live = tn.memory().tensors;
    // Never above: the GC may free garbage of earlier tests (dropped models) meanwhile, never add.
    if (step > 1) assert.ok(tn.memory().tensors <= live, `step ${step} leaked tensors: ${tn.memory().tensors} > ${live}`);
  }
  opt.zeroGrad();
  assert.ok(losses.at(-1)! < losses[0] / 5, `mse ${losses[0]} → ${losses.at(-1)}`);
  // train(x, t, options) does the same (backpropagation through time, full batch).
  const r = e.train(x, y, { optimizer: opt, epochs: 20 });
  assert.ok(r.losses.at(-1)! <= losses.at(-1)! * 1.5);
  for (const t of [seq, x, y]) t.dispose();
});

test('the registry builds the classic networks by name', () => {
  const names = M.listModels().map((m) => m.name);
  for (const n of ['perceptron', 'mlp', 'rbf', 'elman']) assert.ok(names.includes(n), n);
  const mlp = M.createModel('mlp', { inFeatures: 4, hiddenSizes: [8, 8], outFeatures: 3, transfer: ['tansig', 'tansig', 'purelin'] });
  const s = M.summary(mlp, M.getModelEntry('mlp').inputShape({ inFeatures: 4 }));
  assert.deepEqual(s.outputShape, [1, 3]);
  assert.equal(s.totalParams, 4 * 8 + 8 + 8 * 8 + 8 + 8 * 3 + 3);
  assert.equal(s.totalMacs, 4 * 8 + 8 * 8 + 8 * 3);
  const el = M.createModel('elman', { inputSize: 2, hiddenSize: 6 });
  assert.deepEqual(M.getModelEntry('elman').inputShape({ inputSize: 2 }, 7), [7, 1, 2]);
  assert.deepEqual(M.summary(el, [7, 1, 2]).outputShape, [7, 1, 1]);
  assert.deepEqual(tn.scope(() => (M.createModel('perceptron', { inFeatures: 3, outFeatures: 2 }).forward(tn.zeros([5, 3])) as tn.Tensor).shape), [5, 2]);
  assert.deepEqual(tn.scope(() => (M.createModel('rbf', { inFeatures: 2, numCenters: 4 }).forward(tn.zeros([5, 2])) as tn.Tensor).shape), [5, 1]);
  assert.throws(() => M.createModel('perceptron', { transfer: 'logsig' }), isTorchError(/transfer/));
  assert.throws(() => M.createModel('elman', { hidden: 3 }), isTorchError(/unknown option 'hidden'/));
});
