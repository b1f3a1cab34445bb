// A tiny MLP (4 -> 16 -> 1, tanh) trained by manual SGD, shared by
// test/leak.test.ts and its GC-only child process.
import * as tn from 'tunet';

const F = tn.nn.functional;

export interface Model {
  params: tn.Tensor[];
  x: tn.Tensor;
  y: tn.Tensor;
}

export const LR = 0.05;

/** Fixed data and parameters (seeded), made outside any scope. */
export function makeModel(): Model {
  tn.manualSeed(7);
  const x = tn.randn([64, 4]);
  const y = tn.scope(() => x.sin().sum(1, true).mul(0.5));
  const params = tn.scope(() => [
    tn.randn([16, 4]).mul(0.5),
    tn.zeros([16]),
    tn.randn([1, 16]).mul(0.25),
    tn.zeros([1]),
  ]);
  for (const p of params) p.requiresGrad_();
  return { params, x, y };
}

export function forward(m: Model): tn.Tensor {
  const [w1, b1, w2, b2] = m.params;
  return F.mseLoss(F.linear(F.linear(m.x, w1, b1).tanh(), w2, b2), m.y);
}

/**
 * One step with every temporary left for a scope (or the GC) to free: the
 * gradients are read through new handles and cleared by `p.grad = null`.
 */
export function step(m: Model): tn.Tensor {
  const loss = forward(m);
  loss.backward();
  tn.noGrad(() => {
    for (const p of m.params) {
      p.sub_(p.grad!, LR);
      p.grad = null;
    }
  });
  return loss;
}

/** The same step with every temporary disposed by hand; gradients zeroed in place with zero_(). */
export function stepDisposing(m: Model): number {
  const [w1, b1, w2, b2] = m.params;
  const a = F.linear(m.x, w1, b1);
  const h = a.tanh();
  const out = F.linear(h, w2, b2);
  const loss = F.mseLoss(out, m.y);
  loss.backward();
  tn.noGrad(() => {
    for (const p of m.params) {
      const g = p.grad!;
      p.sub_(g, LR);
      g.zero_();
      g.dispose();
    }
  });
  const value = loss.item();
  for (const t of [a, h, out, loss]) t.dispose();
  return value;
}

export function disposeModel(m: Model): void {
  for (const t of [...m.params, m.x, m.y]) t.dispose();
}

export const rssMB = (): number => process.memoryUsage().rss / 2 ** 20;
