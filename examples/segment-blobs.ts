/**
 * Train a small segmentation network on synthetic blobs with the Trainer:
 * Dice + cross-entropy loss, Adam, a poly LR schedule, IoU/Dice per epoch,
 * checkpoints and early stopping.
 *
 *   node dist/examples/segment-blobs.js [epochs] [runDir]
 */
import { pathToFileURL } from 'node:url';
import * as tn from 'tunet';

const { nn, optim, train } = tn;
const F = nn.functional;

/** Grey images of 1–3 bright discs on a noisy, unevenly lit background, with their exact masks. */
export function makeBlobs(n: number, size: number, seed: number): { images: tn.Tensor; masks: tn.Tensor } {
  tn.manualSeed(seed);
  return tn.scope(() => {
    const coords = tn.arange(0, size).float();
    const yy = coords.reshape([1, size, 1]);
    const xx = coords.reshape([1, 1, size]);
    let mask = tn.zeros([n, size, size], { dtype: 'bool' });
    for (let k = 0; k < 3; k++) {
      const cy = tn.rand([n, 1, 1]).mul(size * 0.7).add(size * 0.15);
      const cx = tn.rand([n, 1, 1]).mul(size * 0.7).add(size * 0.15);
      const r = tn.rand([n, 1, 1]).mul(size * 0.12).add(size * 0.08);
      const present = tn.rand([n, 1, 1]).lt(k === 0 ? 1.1 : 0.6);
      const disc = yy.sub(cy).square().add(xx.sub(cx).square()).lt(r.square()).logicalAnd(present);
      mask = mask.logicalOr(disc);
    }
    const light = xx.add(yy).div(2 * size).mul(0.4); // uneven illumination
    const images = mask.float().mul(0.6).add(light).add(tn.randn([n, size, size]).mul(0.15)).unsqueeze(1);
    return { images, masks: mask.long() };
  });
}

export class TinySegNet extends nn.Module {
  enc1 = new nn.Sequential(new nn.Conv2d(1, 16, 3, { padding: 'same' }), new nn.BatchNorm2d(16), new nn.ReLU());
  enc2 = new nn.Sequential(new nn.MaxPool2d(2), new nn.Conv2d(16, 32, 3, { padding: 'same' }), new nn.BatchNorm2d(32), new nn.ReLU());
  up = new nn.ConvTranspose2d(32, 16, 2, { stride: 2 });
  dec = new nn.Sequential(new nn.Conv2d(32, 16, 3, { padding: 'same' }), new nn.BatchNorm2d(16), new nn.ReLU());
  head = new nn.Conv2d(16, 2, 1);
  forward(x: tn.Tensor): tn.Tensor {
    return tn.scope(() => {
      const a = this.enc1.forward(x);
      const b = this.up.forward(this.enc2.forward(a));
      return this.head.forward(this.dec.forward(tn.cat([a, b], 1)));
    });
  }
}

function batchesOf(images: tn.Tensor, masks: tn.Tensor, batchSize: number, shuffleSeed: number | null) {
  // A generator: each batch is freed as soon as the trainer has moved on to the next one.
  return function* (epoch: number): Generator<[tn.Tensor, tn.Tensor]> {
    const n = images.shape[0];
    const order = Array.from({ length: n }, (_, i) => i);
    if (shuffleSeed !== null) {
      // Fisher–Yates with a seed per epoch: the same order after a resume.
      let s = shuffleSeed + epoch * 7919;
      for (let i = n - 1; i > 0; i--) {
        s = (s * 16807) % 2147483647;
        const j = s % (i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    for (let i = 0; i < n; i += batchSize) {
      const idx = tn.tensor(order.slice(i, i + batchSize), { dtype: 'int64' });
      const batch: [tn.Tensor, tn.Tensor] = [images.indexSelect(0, idx), masks.indexSelect(0, idx)];
      idx.dispose();
      yield batch;
      batch.forEach((t) => t.dispose());
    }
  };
}

export interface BlobRunOptions {
  epochs?: number;
  runDir?: string | null;
  progress?: boolean;
}

/** Trains TinySegNet on synthetic blobs; returns the history (val_seg_dice etc.). */
export function trainBlobs(o: BlobRunOptions = {}) {
  const epochs = o.epochs ?? 8;
  const tr = makeBlobs(64, 32, 1);
  const va = makeBlobs(32, 32, 2);
  tn.manualSeed(0);
  const model = new TinySegNet();
  const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
  const scheduler = new optim.lrScheduler.PolynomialLR(optimizer, { totalIters: epochs, power: 0.9 });
  const trainer = new train.Trainer({
    model,
    optimizer,
    scheduler,
    epochs,
    seed: 0,
    loss: (logits, masks) => F.diceCELoss(logits, masks),
    metrics: [new train.SegmentationMeter(2, { name: 'seg' })],
    monitor: 'val_seg_dice',
    checkpointDir: o.runDir ?? null,
    progress: o.progress ?? true,
    callbacks: [new train.EarlyStopping({ monitor: 'val_loss', patience: 5 })],
  });
  const history = trainer.fit(batchesOf(tr.images, tr.masks, 8, 5), batchesOf(va.images, va.masks, 16, null));
  for (const t of [tr.images, tr.masks, va.images, va.masks]) t.dispose();
  return { history, model, optimizer };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { history } = trainBlobs({ epochs: Number(process.argv[2] ?? 8), runDir: process.argv[3] ?? 'runs/blobs' });
  console.log(JSON.stringify(history[history.length - 1]));
}
