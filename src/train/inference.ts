/**
 * Segmentation inference on whole images of any size: padding to a multiple
 * the network needs (2^depth for a U-Net), sliding-window prediction with
 * Gaussian weighting of overlapping tiles (nnU-Net's scheme, step 0.5), and
 * mirroring test-time augmentation.
 */
import * as tn from '../torch/index.js';
import { functional as F, type Module } from '../nn/index.js';

type Tensor = tn.Tensor;

/** Reflect padding (it needs pad < size; tiny inputs are padded by replication instead). */
function reflectPad(x: Tensor, p: number[]): Tensor {
  const h = x.shape[x.ndim - 2];
  const w = x.shape[x.ndim - 1];
  const tooBig = p[0] >= w || p[1] >= w || p[2] >= h || p[3] >= h;
  return F.pad(x, p, tooBig ? 'replicate' : 'reflect');
}

export interface PredictOptions {
  /** Input sides must be multiples of this (2^depth for a U-Net; 32 for MobileNet encoders). Default 16. */
  multiple?: number;
  /** Tile size for sliding-window prediction; null predicts the whole (padded) image at once. */
  patchSize?: number | [number, number] | null;
  /** Tile step as a fraction of the tile (nnU-Net: 0.5). */
  step?: number;
  /** Weight tile centres more than borders (Gaussian, σ = 1/8 of the tile, as nnU-Net). */
  gaussian?: boolean;
  /** Average the predictions of the image and its mirror images (flips of each axis). */
  mirror?: boolean;
  /** 'softmax' over classes (default for > 1 output channel) or 'sigmoid' (one channel). */
  activation?: 'softmax' | 'sigmoid';
}

/** Pads (N, C, H, W) input with reflection so both sides are multiples of `multiple`; returns the padding [l, r, t, b]. */
export function padToMultiple(x: Tensor, multiple: number): { padded: Tensor; pad: [number, number, number, number] } {
  const h = x.shape[x.ndim - 2];
  const w = x.shape[x.ndim - 1];
  const ph = (multiple - (h % multiple)) % multiple;
  const pw = (multiple - (w % multiple)) % multiple;
  const pad: [number, number, number, number] = [Math.floor(pw / 2), pw - Math.floor(pw / 2), Math.floor(ph / 2), ph - Math.floor(ph / 2)];
  if (ph === 0 && pw === 0) return { padded: x.alias(), pad };
  return { padded: reflectPad(x, pad), pad };
}

function gaussianWeight(ph: number, pw: number): Tensor {
  return tn.scope(() => {
    const g = (n: number) => {
      const c = (n - 1) / 2;
      const s = n / 8;
      return tn.arange(0, n).float().sub(c).div(s).square().mul(-0.5).exp();
    };
    const w = g(ph).unsqueeze(1).mul(g(pw).unsqueeze(0));
    // Avoid zero weights at the borders (nnU-Net clamps to the smallest non-zero value).
    return w.div(w.max()).clampMin(1e-3);
  });
}

function positions(size: number, tile: number, step: number): number[] {
  if (size <= tile) return [0];
  const n = Math.ceil((size - tile) / (tile * step)) + 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.round(((size - tile) * i) / (n - 1)));
  return out;
}

function forwardLogits(model: Module, x: Tensor): Tensor {
  const out = model.forward(x) as unknown;
  if (out instanceof tn.Tensor) return out;
  if (Array.isArray(out) && out[0] instanceof tn.Tensor) return out[0];
  if (out && typeof out === 'object' && (out as { seg?: unknown }).seg instanceof tn.Tensor) return (out as { seg: Tensor }).seg;
  throw new tn.TorchError('the model returned neither a Tensor, a list of Tensors nor { seg }', 'predict');
}

/**
 * Class probabilities (N, K, H, W) for (N, C, H, W) images of any size, in
 * eval mode without gradients.
 */
export function predictProbabilities(model: Module, images: Tensor, o: PredictOptions = {}): Tensor {
  if (!(images instanceof tn.Tensor) || images.ndim !== 4) throw new tn.TorchError(`images must be a (N, C, H, W) Tensor, got ${images instanceof tn.Tensor ? `[${images.shape.join(', ')}]` : typeof images}`, 'predict');
  const multiple = o.multiple ?? 16;
  const step = o.step ?? 0.5;
  if (!(step > 0 && step <= 1)) throw new tn.TorchError(`step must be in (0, 1], got ${step}`, 'predict');
  const wasTraining = model.training;
  model.eval();
  try {
    return tn.noGrad(() =>
      tn.scope(() => {
        const [n, , h, w] = images.shape;
        const { padded, pad } = padToMultiple(images, multiple);
        const H = padded.shape[2];
        const W = padded.shape[3];
        const act = (logits: Tensor) => {
          const mode = o.activation ?? (logits.shape[1] === 1 ? 'sigmoid' : 'softmax');
          return mode === 'sigmoid' ? logits.sigmoid() : F.softmax(logits, 1);
        };
        const once = (x: Tensor): Tensor => {
          const probs = act(forwardLogits(model, x));
          if (!o.mirror) return probs;
          let sum = probs;
          for (const dims of [[3], [2], [2, 3]]) sum = sum.add(act(forwardLogits(model, x.flip(dims))).flip(dims));
          return sum.div(4);
        };
        let probs: Tensor;
        const tile = o.patchSize == null ? null : typeof o.patchSize === 'number' ? [o.patchSize, o.patchSize] : o.patchSize;
        if (!tile || (tile[0] >= H && tile[1] >= W)) {
          probs = once(padded);
        } else {
          const [th, tw] = tile.map((t) => Math.max(multiple, Math.floor(t / multiple) * multiple));
          const weight = o.gaussian === false ? tn.ones([th, tw]) : gaussianWeight(th, tw);
          let acc: Tensor | null = null;
          let norm = tn.zeros([Math.max(H, th), Math.max(W, tw)]);
          for (const y0 of positions(H, th, step)) {
            for (const x0 of positions(W, tw, step)) {
              const hh = Math.min(th, H - y0);
              const ww = Math.min(tw, W - x0);
              const p = once(padded.narrow(2, y0, hh).narrow(3, x0, ww));
              const wgt = weight.narrow(0, 0, hh).narrow(1, 0, ww);
              if (acc === null) acc = tn.zeros([n, p.shape[1], H, W]);
              acc.narrow(2, y0, hh).narrow(3, x0, ww).add_(p.mul(wgt));
              norm.narrow(0, y0, hh).narrow(1, x0, ww).add_(wgt);
            }
          }
          norm = norm.narrow(0, 0, H).narrow(1, 0, W);
          probs = acc!.div(norm);
        }
        return probs.narrow(2, pad[2], h).narrow(3, pad[0], w).contiguous();
      }),
    );
  } finally {
    model.train(wasTraining);
  }
}

/** Class maps (N, H, W) int64: argmax of the probabilities, or threshold 0.5 for one sigmoid channel. */
export function predictClasses(model: Module, images: Tensor, o: PredictOptions = {}): Tensor {
  return tn.scope(() => {
    const p = predictProbabilities(model, images, o);
    return p.shape[1] === 1 ? p.squeeze(1).gt(0.5).long() : p.argmax(1);
  });
}
