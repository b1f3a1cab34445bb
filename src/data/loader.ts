/**
 * DataLoader: batches of augmented samples per epoch, assembled off the main
 * thread by worker_threads and prefetched, as tensors { input [N,C,H,W] float32,
 * target [N,H,W] int64 (masks) or [N] int64 (labels) }.
 *
 * The order and the augmentation of epoch e depend only on (seed, e): sample
 * order is a seeded shuffle of (seed, e), and sample k of the epoch is
 * augmented with its own generator seeded from (seed, e, k) — so the same
 * batches come out with 0, 1 or more workers, and a resumed run sees the
 * batches it would have seen.
 *
 * `loader.epoch(e)` is both an Iterable (for the Trainer: `(e) => loader.epoch(e)`,
 * or `loader.source`) and an AsyncIterable. Synchronous iteration pulls worker
 * messages with receiveMessageOnPort and blocks in Atomics.wait only when the
 * next batch is not ready yet. See loader_worker.ts for the message protocol.
 *
 * Tensors of a batch are disposed when the next batch is requested (and when the
 * loop ends), so a training loop holds one batch at a time; pass keepBatches: true
 * to keep them (then dispose them yourself).
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { TorchError } from '../torch/errors.js';
import { fromTypedArray, type Tensor } from '../torch/index.js';
import { resolveAugmentSpec, size2, type AugmentSpec, type Size2 } from './augment/index.js';
import { BatchMaker, type BatchJob, type BatchResult, type JobError, type PipelineConfig, type ReadyMessage, type WorkerInit, type WorkerMessage } from './loader_worker.js';
import { hashSeed, Rng } from './random.js';
import { datasetFromSpec, datasetFromSpecSync, isDatasetSpec, modulesFor, shareSpec, specOf, type DatasetSpec } from './spec.js';
import type { Dataset } from './types.js';

const OP = 'DataLoader';

export interface DataLoaderOptions {
  batchSize: number;
  /** Reshuffle every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the order and the augmentation (default 0). */
  seed?: number;
  /** Augmentation: a transform list, a preset name ('nnunet', 'flips') or { preset, transforms }. Default none. */
  augment?: AugmentSpec;
  /** Crop / pad every sample to this size before augmenting (unless augment has a crop or pad of its own). */
  patchSize?: Size2;
  /** 'random' (default; with foreground oversampling) or 'center' crops to patchSize. */
  crop?: 'random' | 'center';
  /** Share of random crops forced onto foreground (default 1/3, as nnU-Net). */
  foreground?: number;
  /** Worker threads (default min(2, cores)); 0 assembles batches in the calling thread. */
  workers?: number;
  /** Batches prepared ahead per worker (default 2). */
  prefetch?: number;
  /** Drop the last incomplete batch (default false). */
  dropLast?: boolean;
  /** Keep every batch's tensors alive (default false: each batch is disposed when the next is requested). */
  keepBatches?: boolean;
  /** Longest wait for one batch in milliseconds before giving up with an error (default 120000). */
  timeoutMs?: number;
}

/** One batch; the Trainer reads input and target. */
export interface LoaderBatch {
  input: Tensor;
  target: Tensor;
  /** Sample ids and dataset indices, in batch order. */
  ids: string[];
  indices: number[];
  epoch: number;
  /** Batch number within the epoch. */
  index: number;
}

/** The batches of one epoch: iterate with for...of or for await...of. */
export interface EpochBatches extends Iterable<LoaderBatch>, AsyncIterable<LoaderBatch> {
  readonly epoch: number;
}

interface Slot {
  index: number;
  worker: Worker;
  port: MessagePort;
  sig: Int32Array;
  inflight: number;
  ready?: ReadyMessage;
  fatal?: string;
}

interface Pending {
  id: number;
  epoch: number;
  batch: number;
  slot: Slot | null;
  stale: boolean;
  result?: BatchResult | JobError;
}

const open = new Set<DataLoader>();
let exitHook = false;

function checkOptions(o: DataLoaderOptions): void {
  if (o === null || typeof o !== 'object') throw new TorchError('options must be an object with at least batchSize', OP);
  const known = ['batchSize', 'shuffle', 'seed', 'augment', 'patchSize', 'crop', 'foreground', 'workers', 'prefetch', 'dropLast', 'keepBatches', 'timeoutMs'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new TorchError(`unknown option "${k}" (known: ${known.join(', ')})`, OP);
  const int = (k: keyof DataLoaderOptions, min: number) => {
    const v = o[k];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= min)) throw new TorchError(`${k} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`, OP);
  };
  if (o.batchSize === undefined) throw new TorchError('batchSize is required', OP);
  int('batchSize', 1);
  int('workers', 0);
  int('prefetch', 1);
  int('timeoutMs', 1);
  if (o.seed !== undefined && !(typeof o.seed === 'number' && Number.isFinite(o.seed))) throw new TorchError(`seed must be a number, got ${JSON.stringify(o.seed)}`, OP);
  if (o.foreground !== undefined && !(typeof o.foreground === 'number' && o.foreground >= 0 && o.foreground <= 1)) {
    throw new TorchError(`foreground must be a fraction in [0, 1], got ${JSON.stringify(o.foreground)}`, OP);
  }
  if (o.crop !== undefined && o.crop !== 'random' && o.crop !== 'center') throw new TorchError(`crop must be 'random' or 'center', got ${JSON.stringify(o.crop)}`, OP);
  if (o.patchSize !== undefined) {
    const ok = (x: unknown) => Number.isInteger(x) && (x as number) > 0;
    if (!(ok(o.patchSize) || (Array.isArray(o.patchSize) && o.patchSize.length === 2 && o.patchSize.every(ok)))) {
      throw new TorchError(`patchSize must be a positive integer or [height, width], got ${JSON.stringify(o.patchSize)}`, OP);
    }
  }
}

/** Batches of a dataset (or dataset spec) per epoch; see the file comment. */
export class DataLoader {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly workers: number;
  readonly prefetch: number;
  readonly dropLast: boolean;
  readonly keepBatches: boolean;
  readonly timeoutMs: number;
  readonly config: PipelineConfig;
  /** `(epoch) => this.epoch(epoch)`, for the Trainer. */
  readonly source: (epoch: number) => EpochBatches;

  private dataset: Dataset | undefined;
  private readonly spec: DatasetSpec | undefined;
  private info: { length: number; numClasses: number; channels: number; description: string } | undefined;
  private readonly maker: BatchMaker;
  private slots: Slot[] = [];
  private pending = new Map<string, Pending>();
  private byId = new Map<number, Pending>();
  private staleInflight = 0;
  private cursor: { epoch: number; batch: number } | null = null;
  private nextId = 1;
  private orderCache: { epoch: number; order: Int32Array } | undefined;
  private closed = false;
  private iteration = 0;

  constructor(data: DatasetSpec | Dataset, options: DataLoaderOptions) {
    checkOptions(options);
    this.batchSize = options.batchSize;
    this.shuffle = options.shuffle ?? true;
    this.seed = options.seed ?? 0;
    this.prefetch = options.prefetch ?? 2;
    this.dropLast = options.dropLast ?? false;
    this.keepBatches = options.keepBatches ?? false;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.config = {
      augment: resolveAugmentSpec(options.augment),
      ...(options.patchSize !== undefined ? { patchSize: size2(options.patchSize) } : {}),
      crop: options.crop ?? 'random',
      foreground: options.foreground ?? 1 / 3,
    };
    this.maker = new BatchMaker(this.config);
    let workers = options.workers ?? Math.min(2, availableParallelism());
    if (isDatasetSpec(data)) {
      this.spec = data;
    } else if (data !== null && typeof data === 'object' && typeof (data as Dataset).get === 'function') {
      this.dataset = data as Dataset;
      this.spec = specOf(this.dataset);
      if (this.spec === undefined) {
        if (options.workers !== undefined && options.workers > 0) {
          throw new TorchError(
            `workers: ${options.workers} needs a dataset spec, and ${this.dataset.describe()} has none: pass a spec ({ kind, ... }), give the dataset a toSpec() method, use memorySpec(samples) / await materialize(dataset), or workers: 0`,
            OP,
          );
        }
        workers = 0;
      }
    } else {
      throw new TorchError('the data must be a Dataset or a dataset spec ({ kind, ... })', OP);
    }
    this.workers = workers;
    if (this.dataset) this.setInfo(this.dataset);
    this.source = (e: number) => this.epoch(e);
    if (workers > 0) this.spawn();
    open.add(this);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const l of open) l.close();
      });
    }
  }

  private spawn(): void {
    const spec = shareSpec(this.spec!);
    const modules = modulesFor(spec);
    const url = new URL('./loader_worker.js', import.meta.url);
    for (let i = 0; i < this.workers; i++) {
      const { port1, port2 } = new MessageChannel();
      const signal = new SharedArrayBuffer(4);
      const init: WorkerInit = { tunetDataLoader: true, port: port2, signal, spec, modules, config: this.config };
      const worker = new Worker(url, { workerData: init, transferList: [port2] });
      const slot: Slot = { index: i, worker, port: port1, sig: new Int32Array(signal), inflight: 0 };
      worker.on('error', (e) => {
        slot.fatal ??= e.message;
        Atomics.notify(slot.sig, 0);
      });
      worker.on('exit', (code) => {
        if (!this.closed) slot.fatal ??= `the worker exited (code ${code})`;
        Atomics.notify(slot.sig, 0);
      });
      worker.unref();
      this.slots.push(slot);
    }
  }

  /** Samples in the dataset (after init). */
  get numSamples(): number {
    return this.ensureInfo().length;
  }

  /** Batches per epoch (after init: the first epoch, init() or initSync()). */
  get length(): number {
    const n = this.ensureInfo().length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  get numClasses(): number {
    return this.ensureInfo().numClasses;
  }

  describe(): string {
    return `DataLoader(${this.ensureInfo().description}; batch ${this.batchSize}, ${this.workers} workers)`;
  }

  /** Opens the dataset (or waits for the workers to open theirs). Needed before sync iteration only for datasets that open asynchronously with workers: 0. */
  async init(): Promise<this> {
    this.checkOpen();
    if (this.info) return this;
    if (this.workers === 0) {
      this.dataset ??= await datasetFromSpec(this.spec!);
      this.setInfo(this.dataset);
      return this;
    }
    const slot = this.slots[0]!;
    const deadline = Date.now() + this.timeoutMs;
    while (!slot.ready) {
      if (this.pollSlot(slot)) continue;
      this.checkFatal(slot);
      await this.waitAsync(slot, deadline, 'to open the dataset');
    }
    return this;
  }

  /** init() for the synchronous path. */
  initSync(): this {
    this.checkOpen();
    if (this.info) return this;
    if (this.workers === 0) {
      this.dataset ??= datasetFromSpecSync(this.spec!);
      this.setInfo(this.dataset);
      return this;
    }
    const slot = this.slots[0]!;
    const deadline = Date.now() + this.timeoutMs;
    while (!slot.ready) {
      if (this.pollSlot(slot)) continue;
      this.checkFatal(slot);
      this.waitSync(slot, deadline, 'to open the dataset');
    }
    return this;
  }

  private setInfo(d: Dataset): void {
    this.info = { length: d.length, numClasses: d.numClasses, channels: d.channels, description: d.describe() };
  }

  private ensureInfo(): NonNullable<DataLoader['info']> {
    if (!this.info) this.initSync();
    return this.info!;
  }

  /** The batches of epoch e (order and augmentation from (seed, e) only). */
  epoch(e: number): EpochBatches {
    if (!Number.isInteger(e) || e < 0) throw new TorchError(`epoch must be a non-negative integer, got ${e}`, OP);
    this.checkOpen();
    return {
      epoch: e,
      [Symbol.iterator]: () => this.iterate(e),
      [Symbol.asyncIterator]: () => this.iterateAsync(e),
    };
  }

  private *iterate(e: number): Generator<LoaderBatch, void, undefined> {
    const token = this.enter();
    let last: LoaderBatch | undefined;
    try {
      this.initSync();
      const nb = this.length;
      for (let b = 0; b < nb; b++) {
        this.checkCurrent(token, e);
        const r = this.workers === 0 ? this.maker.runSync(this.dataset!, this.job(e, b, 0)) : this.takeSync(e, b);
        const batch = this.toBatch(r, e, b);
        this.release(last);
        last = batch;
        yield batch;
      }
    } finally {
      this.release(last);
    }
  }

  private async *iterateAsync(e: number): AsyncGenerator<LoaderBatch, void, undefined> {
    const token = this.enter();
    let last: LoaderBatch | undefined;
    try {
      await this.init();
      const nb = this.length;
      for (let b = 0; b < nb; b++) {
        this.checkCurrent(token, e);
        const r = this.workers === 0 ? await this.maker.run(this.dataset!, this.job(e, b, 0)) : await this.takeAsync(e, b);
        const batch = this.toBatch(r, e, b);
        this.release(last);
        last = batch;
        yield batch;
      }
    } finally {
      this.release(last);
    }
  }

  /** Starts an iteration; a newer one supersedes any unfinished older one. */
  private enter(): number {
    this.checkOpen();
    return ++this.iteration;
  }

  private checkCurrent(token: number, e: number): void {
    this.checkOpen();
    if (token !== this.iteration) throw new TorchError(`the iteration over epoch ${e} was superseded by a newer one (one epoch at a time per loader)`, OP);
  }

  private release(b: LoaderBatch | undefined): void {
    if (b && !this.keepBatches) {
      b.input.dispose();
      b.target.dispose();
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new TorchError('the loader is closed', OP);
  }

  /** The sample order of epoch e. */
  order(e: number): Int32Array {
    if (this.orderCache?.epoch === e) return this.orderCache.order;
    const n = this.ensureInfo().length;
    const idx = Array.from({ length: n }, (_, i) => i);
    if (this.shuffle) new Rng(hashSeed(this.seed, 1, e)).shuffle(idx);
    const order = Int32Array.from(idx);
    this.orderCache = { epoch: e, order };
    return order;
  }

  private job(e: number, b: number, id: number): BatchJob {
    const order = this.order(e);
    const start = b * this.batchSize;
    const end = Math.min(order.length, start + this.batchSize);
    const indices: number[] = [];
    const seeds: number[] = [];
    for (let k = start; k < end; k++) {
      indices.push(order[k]!);
      seeds.push(hashSeed(this.seed, 2, e, k));
    }
    return { type: 'job', id, epoch: e, batch: b, indices, seeds };
  }

  private toBatch(r: BatchResult | JobError, e: number, b: number): LoaderBatch {
    if (r.type === 'error') {
      const who = r.sampleId !== undefined ? `sample "${r.sampleId}" (index ${r.index})` : r.index !== undefined ? `sample at index ${r.index}` : `batch ${b}`;
      const err = new TorchError(`${who} of epoch ${e}: ${r.message}`, OP);
      if (r.stack) err.stack = `${err.name}: ${err.message}\n  caused by: ${r.stack}`;
      throw err;
    }
    const input = fromTypedArray(r.input, [r.n, r.c, r.h, r.w]);
    const target = r.mask ? fromTypedArray(r.mask, [r.n, r.h, r.w], { dtype: 'int64' }) : fromTypedArray(r.labels!, [r.n], { dtype: 'int64' });
    return { input, target, ids: r.ids, indices: r.indices, epoch: e, index: b };
  }

  // ---- worker scheduling ----

  private key(e: number, b: number): string {
    return `${e}:${b}`;
  }

  private batchesPer(): number {
    return this.length;
  }

  /** Makes sure batch (e, b) is dispatched (restarting the queue there if not), and tops the queue up. */
  private ensure(e: number, b: number): Pending {
    let p = this.pending.get(this.key(e, b));
    if (!p) {
      this.restartAt(e, b);
      this.fill();
      p = this.pending.get(this.key(e, b))!;
    }
    return p;
  }

  /** Drops every queued batch (workers skip them) and continues from (e, b). */
  private restartAt(e: number, b: number): void {
    for (const p of this.pending.values()) {
      if (p.result) {
        this.byId.delete(p.id);
      } else {
        p.stale = true;
        this.staleInflight++;
      }
    }
    this.pending.clear();
    for (const s of this.slots) s.port.postMessage({ type: 'cancel', before: this.nextId });
    this.cursor = { epoch: e, batch: b };
  }

  /** Dispatches batches from the cursor (continuing into the next epoch) while fewer than prefetch × workers are queued. */
  private fill(): void {
    const window = this.prefetch * this.slots.length;
    const nb = this.batchesPer();
    // At least one live job even when cancelled ones still fill the window.
    while (this.cursor && (this.pending.size === 0 || this.pending.size + this.staleInflight < window)) {
      const alive = this.slots.filter((s) => s.fatal === undefined);
      if (alive.length === 0) return;
      const slot = alive.reduce((a, s) => (s.inflight < a.inflight ? s : a));
      const { epoch, batch } = this.cursor;
      const job = this.job(epoch, batch, this.nextId++);
      const p: Pending = { id: job.id, epoch, batch, slot, stale: false };
      this.pending.set(this.key(epoch, batch), p);
      this.byId.set(job.id, p);
      slot.inflight++;
      slot.port.postMessage(job);
      this.cursor = batch + 1 < nb ? { epoch, batch: batch + 1 } : { epoch: epoch + 1, batch: 0 };
    }
  }

  /** Takes one message from the slot if there is one; true if it did. */
  private pollSlot(slot: Slot): boolean {
    const m = receiveMessageOnPort(slot.port) as { message: WorkerMessage } | undefined;
    if (!m) return false;
    this.handle(slot, m.message);
    return true;
  }

  private handle(slot: Slot, m: WorkerMessage): void {
    switch (m.type) {
      case 'ready':
        slot.ready = m;
        this.info ??= { length: m.length, numClasses: m.numClasses, channels: m.channels, description: m.description };
        return;
      case 'fatal':
        slot.fatal ??= m.message;
        return;
      case 'batch':
      case 'error':
      case 'skipped': {
        slot.inflight--;
        const p = this.byId.get(m.id);
        if (!p) return;
        if (p.stale) {
          this.byId.delete(m.id);
          this.staleInflight--;
          return;
        }
        if (m.type === 'skipped') return;
        p.result = m;
        return;
      }
    }
  }

  private checkFatal(slot: Slot): void {
    if (slot.fatal !== undefined) {
      throw new TorchError(`worker ${slot.index}${slot.ready ? '' : ' could not open the dataset'}: ${slot.fatal}`, OP);
    }
  }

  private waitSync(slot: Slot, deadline: number, what: string): void {
    const v = Atomics.load(slot.sig, 0);
    if (this.pollSlot(slot)) return;
    const left = deadline - Date.now();
    if (left <= 0) throw new TorchError(`worker ${slot.index} sent nothing for ${this.timeoutMs} ms (waiting ${what})`, OP);
    Atomics.wait(slot.sig, 0, v, Math.min(left, 1000));
  }

  private async waitAsync(slot: Slot, deadline: number, what: string): Promise<void> {
    const v = Atomics.load(slot.sig, 0);
    if (this.pollSlot(slot)) return;
    const left = deadline - Date.now();
    if (left <= 0) throw new TorchError(`worker ${slot.index} sent nothing for ${this.timeoutMs} ms (waiting ${what})`, OP);
    const ms = Math.min(left, 1000);
    const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: unknown } }).waitAsync;
    const r = waitAsync(slot.sig, 0, v, ms);
    if (!r.async) return;
    // A ref'd timer keeps the event loop alive while waiting (the workers are unref'd).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([r.value, new Promise((res) => (timer = setTimeout(res, ms)))]);
    clearTimeout(timer);
  }

  private takeSync(e: number, b: number): BatchResult | JobError {
    const p = this.ensure(e, b);
    const deadline = Date.now() + this.timeoutMs;
    while (!p.result) {
      if (this.pollSlot(p.slot!)) continue;
      this.checkFatal(p.slot!);
      this.waitSync(p.slot!, deadline, `for batch ${b} of epoch ${e}`);
    }
    return this.consume(p);
  }

  private async takeAsync(e: number, b: number): Promise<BatchResult | JobError> {
    const p = this.ensure(e, b);
    const deadline = Date.now() + this.timeoutMs;
    while (!p.result) {
      if (this.pollSlot(p.slot!)) continue;
      this.checkFatal(p.slot!);
      await this.waitAsync(p.slot!, deadline, `for batch ${b} of epoch ${e}`);
    }
    return this.consume(p);
  }

  private consume(p: Pending): BatchResult | JobError {
    this.pending.delete(this.key(p.epoch, p.batch));
    this.byId.delete(p.id);
    this.fill();
    return p.result!;
  }

  /** Stops the workers (idempotent). Also done on process exit. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    open.delete(this);
    for (const s of this.slots) {
      s.port.close();
      void s.worker.terminate().catch(() => undefined);
    }
    this.slots = [];
    this.pending.clear();
    this.byId.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
