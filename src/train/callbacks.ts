/** Trainer callbacks: progress bar, JSONL metric log, early stopping. */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import cliProgress from 'cli-progress';
import * as tn from '../torch/index.js';
import type { Trainer } from './trainer.js';

export type Logs = Record<string, number>;

export interface BatchInfo {
  epoch: number;
  batch: number;
  /** Batches in the epoch, when the data source knows. */
  batches?: number;
  loss: number;
  lr: number;
}

export interface Callback {
  onTrainBegin?(trainer: Trainer): void;
  onEpochBegin?(trainer: Trainer, epoch: number): void;
  onBatchEnd?(trainer: Trainer, info: BatchInfo): void;
  onEpochEnd?(trainer: Trainer, epoch: number, logs: Logs): void;
  onTrainEnd?(trainer: Trainer, history: Logs[]): void;
  /** JSON-able state saved in checkpoints, so a resumed run continues the callback exactly. */
  stateDict?(): unknown;
  loadStateDict?(state: any): void;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}

/**
 * A terminal progress bar per epoch with rate, ETA, running loss and the last
 * epoch's metrics. Without a terminal it prints one line per epoch instead.
 */
export class ProgressBar implements Callback {
  private bar: cliProgress.SingleBar | null = null;
  private lossSum = 0;
  private count = 0;
  private started = 0;
  /** keys: the log values printed after each epoch (default: losses, main metrics and lr; not per-class values). */
  constructor(private readonly opts: { stream?: NodeJS.WriteStream; tty?: boolean; keys?: string[] } = {}) {}

  private get stream(): NodeJS.WriteStream {
    return this.opts.stream ?? process.stderr;
  }

  private get tty(): boolean {
    return this.opts.tty ?? Boolean(this.stream.isTTY);
  }

  onEpochBegin(trainer: Trainer, epoch: number): void {
    this.lossSum = 0;
    this.count = 0;
    this.started = Date.now();
    if (!this.tty) return;
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.stream,
        format: `epoch ${epoch + 1}/${trainer.epochs} |{bar}| {value}/{total} batches | {rate} it/s | ETA {eta_formatted} | loss {loss}`,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(trainer.batchesPerEpoch ?? 0, 0, { loss: '-', rate: '-' });
  }

  onBatchEnd(_trainer: Trainer, info: BatchInfo): void {
    this.lossSum += info.loss;
    this.count += 1;
    if (!this.bar) return;
    const secs = (Date.now() - this.started) / 1000;
    if (info.batches !== undefined && info.batches > this.bar.getTotal()) this.bar.setTotal(info.batches);
    if (info.batches === undefined && info.batch + 1 > this.bar.getTotal()) this.bar.setTotal(info.batch + 1);
    this.bar.update(info.batch + 1, { loss: fmt(this.lossSum / this.count), rate: secs > 0 ? ((info.batch + 1) / secs).toFixed(1) : '-' });
  }

  onEpochEnd(trainer: Trainer, epoch: number, logs: Logs): void {
    const shown = this.opts.keys ?? Object.keys(logs).filter((k) => k !== 'epoch' && !/_\d+$/.test(k) && !/(precision|recall|specificity|micro)/i.test(k));
    const parts = shown.filter((k) => k in logs).map((k) => `${k} ${fmt(logs[k])}`);
    const secs = ((Date.now() - this.started) / 1000).toFixed(1);
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
    }
    this.stream.write(`epoch ${epoch + 1}/${trainer.epochs} (${secs} s): ${parts.join(', ')}\n`);
  }

  onTrainEnd(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

/** Appends one JSON object per epoch (and optionally per batch) to a file. */
export class JsonlLogger implements Callback {
  constructor(private readonly path: string, private readonly opts: { batches?: boolean } = {}) {
    mkdirSync(dirname(path), { recursive: true });
  }

  onBatchEnd(_t: Trainer, info: BatchInfo): void {
    if (this.opts.batches) appendFileSync(this.path, JSON.stringify({ type: 'batch', time: new Date().toISOString(), ...info }) + '\n');
  }

  /** logs.epoch is 1-based, as printed. */
  onEpochEnd(_t: Trainer, _epoch: number, logs: Logs): void {
    appendFileSync(this.path, JSON.stringify({ type: 'epoch', time: new Date().toISOString(), ...logs }) + '\n');
  }
}

export interface EarlyStoppingOptions {
  monitor?: string;
  mode?: 'min' | 'max';
  /** Epochs without improvement before stopping. */
  patience?: number;
  /** The smallest change that counts as an improvement. */
  minDelta?: number;
  /** Put the best epoch's weights back when stopping. */
  restoreBestWeights?: boolean;
}

/** Stops training when the monitored value stops improving (Keras/Lightning semantics). */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBestWeights: boolean;
  best: number;
  bestEpoch = -1;
  wait = 0;
  stoppedEpoch = -1;
  private bestWeights: Record<string, tn.Tensor> | null = null;

  constructor(o: EarlyStoppingOptions = {}) {
    this.monitor = o.monitor ?? 'val_loss';
    this.mode = o.mode ?? (/acc|dice|iou|f1|precision|recall/i.test(this.monitor) ? 'max' : 'min');
    this.patience = o.patience ?? 10;
    this.minDelta = Math.abs(o.minDelta ?? 0);
    this.restoreBestWeights = o.restoreBestWeights ?? false;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new tn.TorchError(`patience must be a non-negative integer, got ${o.patience}`, 'EarlyStopping');
    if (this.mode !== 'min' && this.mode !== 'max') throw new tn.TorchError(`mode must be 'min' or 'max', got ${String(o.mode)}`, 'EarlyStopping');
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  private improved(v: number): boolean {
    return this.mode === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta;
  }

  onEpochEnd(trainer: Trainer, epoch: number, logs: Logs): void {
    const v = logs[this.monitor];
    if (v === undefined) {
      throw new tn.TorchError(`monitored value '${this.monitor}' is not in the epoch logs (${Object.keys(logs).join(', ')}); give validation data or monitor another value`, 'EarlyStopping');
    }
    if (this.improved(v)) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.snapshot(trainer);
      return;
    }
    this.wait += 1;
    if (this.wait > this.patience) {
      this.stoppedEpoch = epoch;
      trainer.stopTraining = true;
      trainer.log(`early stopping at epoch ${epoch + 1}: ${this.monitor} has not improved for ${this.wait} epochs (best ${fmt(this.best)} at epoch ${this.bestEpoch + 1})`);
    }
  }

  onTrainEnd(trainer: Trainer): void {
    if (this.restoreBestWeights && this.bestWeights && this.stoppedEpoch >= 0) {
      trainer.model.loadStateDict(this.bestWeights);
      trainer.log(`restored the weights of epoch ${this.bestEpoch + 1}`);
    }
    this.release();
  }

  private snapshot(trainer: Trainer): void {
    this.release();
    const sd = trainer.model.stateDict();
    this.bestWeights = {};
    for (const [k, t] of Object.entries(sd)) {
      this.bestWeights[k] = tn.keep(t.clone());
      t.dispose();
    }
  }

  private release(): void {
    if (this.bestWeights) for (const t of Object.values(this.bestWeights)) t.dispose();
    this.bestWeights = null;
  }

  stateDict(): unknown {
    return { best: this.best, bestEpoch: this.bestEpoch, wait: this.wait };
  }

  loadStateDict(s: { best: number | null; bestEpoch: number; wait: number }): void {
    this.best = s.best ?? (this.mode === 'min' ? Infinity : -Infinity);
    this.bestEpoch = s.bestEpoch;
    this.wait = s.wait;
  }
}
