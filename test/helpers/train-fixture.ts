// A small, deterministic training problem shared by the trainer tests and the kill-and-resume child.
import * as tn from 'tunet';

const F = tn.nn.functional;

export class TinyNet extends tn.nn.Module {
  w1 = new tn.nn.Parameter(tn.randn([16, 8]).mul(0.3));
  b1 = new tn.nn.Parameter(tn.zeros([16]));
  w2 = new tn.nn.Parameter(tn.randn([1, 16]).mul(0.3));
  b2 = new tn.nn.Parameter(tn.zeros([1]));
  constructor(readonly p = 0.2) {
    super();
  }
  forward(x: tn.Tensor): tn.Tensor {
    const h = F.dropout(F.relu(F.linear(x, this.w1, this.b1)), this.p, this.training);
    return F.linear(h, this.w2, this.b2);
  }
}

/** 64 samples of y = x·w + noise, made from a fixed seed. */
export function makeData(): { x: tn.Tensor; y: tn.Tensor } {
  tn.manualSeed(123);
  const x = tn.keep(tn.randn([64, 8]));
  const w = tn.randn([8, 1]);
  const y = tn.keep(x.matmul(w).add(tn.randn([64, 1]).mul(0.1)));
  return { x, y };
}

/** A per-epoch shuffled batch source: the order depends only on the epoch (exact resume). */
export function batches(x: tn.Tensor, y: tn.Tensor, batchSize: number) {
  return (epoch: number) => {
    const n = x.shape[0];
    const order = Array.from({ length: n }, (_, i) => i);
    let s = 1000 + epoch;
    for (let i = n - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const j = s % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const out: [tn.Tensor, tn.Tensor][] = [];
    for (let i = 0; i < n; i += batchSize) {
      const idx = tn.tensor(order.slice(i, i + batchSize), { dtype: 'int64' });
      out.push([x.indexSelect(0, idx), y.indexSelect(0, idx)]);
      idx.dispose();
    }
    return out;
  };
}
