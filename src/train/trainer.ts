/**
 * The training loop: epochs of training and validation over a data source,
 * metrics per epoch, callbacks, gradient accumulation and clipping, L1/L2
 * penalties, LR schedules, atomic last/best checkpoints, exact resume, and a
 * clear stop on a NaN/Inf loss.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tn from '../torch/index.js';
import { clipGradNorm_, clipGradValue_ } from '../nn/utils/index.js';
import type { Module } from '../nn/index.js';
import { saveCheckpoint, restoreCheckpoint, type StatefulOptimizer, type StatefulScheduler } from './checkpoint.js';
import { JsonlLogger, ProgressBar, type BatchInfo, type Callback, type Logs } from './callbacks.js';
import { l1Penalty, l2Penalty } from './regularization.js';

type Tensor = tn.Tensor;

export type Batch = { input: Tensor; target: Tensor } | [Tensor, Tensor];
/** Batches for one epoch; a function gets the epoch number (reshuffle with a per-epoch seed for exact resume). */
export type DataSource = Iterable<Batch> | ((epoch: number) => Iterable<Batch>);

export interface OptimizerLike extends StatefulOptimizer {
  step(): unknown;
  zeroGrad(setToNone?: boolean): void;
  paramGroups: { lr: number; params: Tensor[] }[];
}

export interface SchedulerLike extends StatefulScheduler {
  step(metric?: number): void;
}

/** A metric accumulated over an epoch's batches. */
export interface Metric {
  name: string;
  reset(): void;
  update(output: Tensor, target: Tensor): void;
  /** One number, or several named ones (e.g. per class). */
  compute(): number | Record<string, number>;
}

/** A metric that is the batch-size-weighted mean of fn over batches. */
export function meanMetric(name: string, fn: (output: Tensor, target: Tensor) => number): Metric {
  let sum = 0;
  let n = 0;
  return {
    name,
    reset() {
      sum = 0;
      n = 0;
    },
    update(output, target) {
      const b = output.ndim > 0 ? output.shape[0] : 1;
      sum += fn(output, target) * b;
      n += b;
    },
    compute() {
      return n === 0 ? NaN : sum / n;
    },
  };
}

export interface TrainerOptions {
  model: Module;
  optimizer: OptimizerLike;
  /** loss(output, target) -> scalar Tensor. */
  loss: (output: Tensor, target: Tensor) => Tensor;
  epochs: number;
  scheduler?: SchedulerLike | null;
  /** Step the schedule after every epoch (default) or every optimizer step. */
  schedulerInterval?: 'epoch' | 'step';
  /** For ReduceLROnPlateau: the log value passed to scheduler.step(value), e.g. 'val_loss'. */
  schedulerMetric?: string;
  metrics?: Metric[];
  callbacks?: Callback[];
  /** Optimizer steps every k batches, with the loss divided by k. */
  gradAccumulation?: number;
  clipGradNorm?: number | null;
  clipGradValue?: number | null;
  /** Penalties added to the loss: l1·Σ|w| and l2·Σw² over weights (parameters with ≥ 2 dimensions). */
  l1?: number;
  l2?: number;
  /** Folder for last.safetensors and best.safetensors (atomic) and metrics.jsonl. */
  checkpointDir?: string | null;
  /** The value that decides the best checkpoint, and whether lower or higher is better. */
  monitor?: string;
  monitorMode?: 'min' | 'max';
  /** Continue from checkpointDir/last.safetensors (true) or from a given checkpoint file. */
  resume?: boolean | string;
  /** Seeds libtorch's generator before training (ignored when resuming: the checkpoint's RNG state is used). */
  seed?: number;
  /** Terminal progress bar (default on when stderr is a terminal; otherwise one line per epoch). false: silent. */
  progress?: boolean;
  /** Where messages go (default stderr). */
  logger?: (line: string) => void;
}

/** Thrown when the loss becomes NaN or infinite. */
export class TrainingDivergedError extends tn.TorchError {
  constructor(detail: string) {
    super(detail, 'Trainer');
    this.name = 'TrainingDivergedError';
  }
}

function unpack(b: Batch): [Tensor, Tensor] {
  if (Array.isArray(b)) return b;
  if (b && typeof b === 'object' && 'input' in b && 'target' in b) return [b.input, b.target];
  throw new tn.TorchError('a batch must be [input, target] or { input, target }', 'Trainer');
}

export class Trainer {
  readonly model: Module;
  readonly optimizer: OptimizerLike;
  readonly epochs: number;
  readonly callbacks: Callback[];
  /** Set by a callback to end training after the current epoch. */
  stopTraining = false;
  /** Batches per epoch, once known (after the first epoch, or from an array source). */
  batchesPerEpoch: number | undefined;
  history: Logs[] = [];
  /** The next epoch to run (0-based). */
  epoch = 0;
  globalStep = 0;
  best: number;
  private readonly o: TrainerOptions;
  private readonly monitorMode: 'min' | 'max';

  constructor(o: TrainerOptions) {
    const E = (m: string) => new tn.TorchError(m, 'Trainer');
    if (!o || !o.model || typeof o.model.forward !== 'function') throw E('model must be an nn.Module');
    if (!o.optimizer || typeof o.optimizer.step !== 'function') throw E('optimizer must be a tn.optim optimizer');
    if (typeof o.loss !== 'function') throw E('loss must be a function (output, target) => Tensor');
    if (!Number.isInteger(o.epochs) || o.epochs < 1) throw E(`epochs must be a positive integer, got ${o.epochs}`);
    const acc = o.gradAccumulation ?? 1;
    if (!Number.isInteger(acc) || acc < 1) throw E(`gradAccumulation must be a positive integer, got ${acc}`);
    for (const k of ['clipGradNorm', 'clipGradValue', 'l1', 'l2'] as const) {
      const v = o[k];
      if (v != null && !(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw E(`${k} must be a non-negative number, got ${String(v)}`);
    }
    this.o = o;
    this.model = o.model;
    this.optimizer = o.optimizer;
    this.epochs = o.epochs;
    const monitor = o.monitor ?? 'val_loss';
    this.monitorMode = o.monitorMode ?? (/acc|dice|iou|f1|precision|recall/i.test(monitor) ? 'max' : 'min');
    this.best = this.monitorMode === 'min' ? Infinity : -Infinity;
    this.callbacks = [...(o.callbacks ?? [])];
    if (o.progress !== false) this.callbacks.unshift(new ProgressBar());
    if (o.checkpointDir) {
      mkdirSync(o.checkpointDir, { recursive: true });
      this.callbacks.push(new JsonlLogger(join(o.checkpointDir, 'metrics.jsonl')));
    }
  }

  log(line: string): void {
    (this.o.logger ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
  }

  get lastCheckpoint(): string | null {
    return this.o.checkpointDir ? join(this.o.checkpointDir, 'last.safetensors') : null;
  }

  get bestCheckpoint(): string | null {
    return this.o.checkpointDir ? join(this.o.checkpointDir, 'best.safetensors') : null;
  }

  /** Trains for the remaining epochs; returns the per-epoch logs. */
  fit(train: DataSource, val?: DataSource | null): Logs[] {
    this.maybeResume();
    if (this.epoch === 0 && this.o.seed !== undefined) tn.manualSeed(this.o.seed);
    this.call('onTrainBegin');
    this.model.train();
    try {
      while (this.epoch < this.epochs && !this.stopTraining) {
        const epoch = this.epoch;
        this.call('onEpochBegin', epoch);
        const trainLogs = this.trainEpoch(train, epoch);
        const valLogs = val ? this.evaluate(val, epoch) : {};
        const logs: Logs = { epoch: epoch + 1, ...trainLogs, ...valLogs, lr: this.optimizer.paramGroups[0].lr };
        if (this.o.scheduler && (this.o.schedulerInterval ?? 'epoch') === 'epoch') this.stepScheduler(logs);
        this.history.push(logs);
        this.epoch = epoch + 1;
        this.call('onEpochEnd', epoch, logs);
        this.saveCheckpoints(logs);
      }
    } finally {
      this.call('onTrainEnd', this.history);
    }
    return this.history;
  }

  private batchesOf(src: DataSource, epoch: number): Iterable<Batch> {
    return typeof src === 'function' ? src(epoch) : src;
  }

  private trainEpoch(train: DataSource, epoch: number): Logs {
    const acc = this.o.gradAccumulation ?? 1;
    const metrics = this.o.metrics ?? [];
    metrics.forEach((m) => m.reset());
    let lossSum = 0;
    let seen = 0;
    let batch = 0;
    let pending = 0;
    const weights = this.model.parameters().filter((p) => p.ndim >= 2);
    this.optimizer.zeroGrad(true);
    for (const b of this.batchesOf(train, epoch)) {
      const loss = tn.scope(() => {
        const [x, y] = unpack(b);
        const out = this.model.forward(x) as Tensor;
        let l = this.o.loss(out, y);
        const lossValue = l.item();
        if (!Number.isFinite(lossValue)) this.diverged(epoch, batch, lossValue);
        if (this.o.l1) l = l.add(l1Penalty(weights).mul(this.o.l1));
        if (this.o.l2) l = l.add(l2Penalty(weights).mul(this.o.l2));
        (acc > 1 ? l.div(acc) : l).backward();
        if (metrics.length) tn.noGrad(() => metrics.forEach((m) => m.update(out.detach(), y)));
        return lossValue;
      });
      pending += 1;
      if (pending === acc) {
        this.optimizerStep();
        pending = 0;
      }
      const [x] = unpack(b);
      const n = x.ndim > 0 ? x.shape[0] : 1;
      lossSum += loss * n;
      seen += n;
      const info: BatchInfo = { epoch, batch, batches: this.batchesPerEpoch, loss, lr: this.optimizer.paramGroups[0].lr };
      this.call('onBatchEnd', info);
      batch += 1;
    }
    if (pending > 0) this.optimizerStep();
    if (batch === 0) throw new tn.TorchError(`the training data gave no batches in epoch ${epoch + 1}`, 'Trainer');
    this.batchesPerEpoch = batch;
    return { loss: lossSum / seen, ...this.metricLogs(metrics, '') };
  }

  private optimizerStep(): void {
    const params = this.model.parameters().filter((p) => p.requiresGrad);
    if (this.o.clipGradValue != null) clipGradValue_(params, this.o.clipGradValue);
    if (this.o.clipGradNorm != null) clipGradNorm_(params, this.o.clipGradNorm);
    tn.scope(() => {
      this.optimizer.step();
    });
    this.optimizer.zeroGrad(true);
    this.globalStep += 1;
    if (this.o.scheduler && this.o.schedulerInterval === 'step') this.o.scheduler.step();
  }

  /** Loss and metrics over a data source, in eval mode without gradients (keys prefixed 'val_'). */
  evaluate(data: DataSource, epoch = this.epoch): Logs {
    const metrics = this.o.metrics ?? [];
    metrics.forEach((m) => m.reset());
    let lossSum = 0;
    let seen = 0;
    const wasTraining = this.model.training;
    this.model.eval();
    try {
      tn.noGrad(() => {
        for (const b of this.batchesOf(data, epoch)) {
          tn.scope(() => {
            const [x, y] = unpack(b);
            const out = this.model.forward(x) as Tensor;
            const n = x.ndim > 0 ? x.shape[0] : 1;
            lossSum += this.o.loss(out, y).item() * n;
            seen += n;
            metrics.forEach((m) => m.update(out, y));
          });
        }
      });
    } finally {
      this.model.train(wasTraining);
    }
    if (seen === 0) throw new tn.TorchError('the validation data gave no batches', 'Trainer');
    return { val_loss: lossSum / seen, ...this.metricLogs(metrics, 'val_') };
  }

  private metricLogs(metrics: Metric[], prefix: string): Logs {
    const out: Logs = {};
    for (const m of metrics) {
      const v = m.compute();
      if (typeof v === 'number') out[prefix + m.name] = v;
      else for (const [k, x] of Object.entries(v)) out[`${prefix}${m.name}_${k}`] = x;
    }
    return out;
  }

  private stepScheduler(logs: Logs): void {
    const s = this.o.scheduler!;
    if (this.o.schedulerMetric) {
      const v = logs[this.o.schedulerMetric];
      if (v === undefined) throw new tn.TorchError(`schedulerMetric '${this.o.schedulerMetric}' is not in the epoch logs (${Object.keys(logs).join(', ')})`, 'Trainer');
      s.step(v);
    } else {
      s.step();
    }
  }

  private diverged(epoch: number, batch: number, value: number): never {
    const lr = this.optimizer.paramGroups.map((g) => g.lr).join(', ');
    const last = this.lastCheckpoint && existsSync(this.lastCheckpoint) ? ` The last good checkpoint is ${this.lastCheckpoint} (epoch ${this.epoch}).` : '';
    throw new TrainingDivergedError(
      `the loss became ${value} at epoch ${epoch + 1}, batch ${batch + 1} (optimizer step ${this.globalStep}). Likely causes: ` +
        `a learning rate too high for this model (now ${lr}) — try 10× lower or a warm-up; inputs not normalised (e.g. 0–255 pixels); ` +
        `targets outside the loss's range (BCE needs 0/1 targets, masks stored as 0/255 must be divided by 255); ` +
        `log or division by zero in a custom loss; exploding gradients — set clipGradNorm.${last}`,
    );
  }

  private monitorValue(logs: Logs): number | undefined {
    return logs[this.o.monitor ?? 'val_loss'] ?? (this.o.monitor ? undefined : logs.loss);
  }

  private saveCheckpoints(logs: Logs): void {
    const v = this.monitorValue(logs);
    const improved = v !== undefined && (this.monitorMode === 'min' ? v < this.best : v > this.best);
    if (improved) this.best = v!;
    if (!this.o.checkpointDir) return;
    const parts = {
      model: this.model,
      optimizer: this.optimizer,
      scheduler: this.o.scheduler ?? null,
      state: this.loopState(),
    };
    saveCheckpoint(this.lastCheckpoint!, parts);
    if (improved) saveCheckpoint(this.bestCheckpoint!, parts);
  }

  private loopState(): Record<string, unknown> {
    const callbacks: Record<string, unknown> = {};
    this.callbacks.forEach((c, i) => {
      if (c.stateDict) callbacks[`${i}:${c.constructor.name}`] = c.stateDict();
    });
    return {
      epoch: this.epoch,
      globalStep: this.globalStep,
      best: Number.isFinite(this.best) ? this.best : null,
      history: this.history,
      batchesPerEpoch: this.batchesPerEpoch ?? null,
      callbacks,
    };
  }

  private maybeResume(): void {
    const r = this.o.resume;
    if (!r) return;
    const path = typeof r === 'string' ? r : this.lastCheckpoint;
    if (!path) throw new tn.TorchError('resume: true needs checkpointDir', 'Trainer');
    if (!existsSync(path)) {
      if (typeof r === 'string') throw new tn.TorchError(`cannot resume: ${path} does not exist`, 'Trainer');
      return; // nothing saved yet: start from scratch
    }
    const s = restoreCheckpoint(path, { model: this.model, optimizer: this.optimizer, scheduler: this.o.scheduler ?? null }) as {
      epoch: number;
      globalStep: number;
      best: number | null;
      history: Logs[];
      batchesPerEpoch: number | null;
      callbacks: Record<string, unknown>;
    };
    this.epoch = s.epoch;
    this.globalStep = s.globalStep;
    this.best = s.best ?? (this.monitorMode === 'min' ? Infinity : -Infinity);
    this.history = s.history ?? [];
    this.batchesPerEpoch = s.batchesPerEpoch ?? undefined;
    this.callbacks.forEach((c, i) => {
      const st = s.callbacks?.[`${i}:${c.constructor.name}`];
      if (st !== undefined && c.loadStateDict) c.loadStateDict(st);
    });
    this.log(`resumed from ${path} at epoch ${this.epoch + 1}/${this.epochs}`);
  }

  private call<K extends keyof Callback>(hook: K, ...args: unknown[]): void {
    for (const c of this.callbacks) {
      const f = c[hook] as ((...a: unknown[]) => void) | undefined;
      if (typeof f === 'function') f.call(c, this, ...args);
    }
  }
}
