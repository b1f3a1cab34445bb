/**
 * Batch assembly for the DataLoader, in worker threads (this file is the
 * worker's entry point) or in the main thread with workers: 0.
 *
 * Protocol (one MessagePort per worker, plus an Int32Array on a
 * SharedArrayBuffer whose cell 0 the worker bumps and notifies after every
 * message it posts, so the main thread can block in Atomics.wait and pull
 * messages synchronously with receiveMessageOnPort):
 *   main → worker  { type: 'job', id, epoch, batch, indices, seeds }
 *                  { type: 'cancel', before }   jobs with id < before are answered 'skipped'
 *   worker → main  { type: 'ready', length, numClasses, channels, description }   once, after opening the dataset
 *                  { type: 'fatal', message }   the dataset could not be opened / the worker broke
 *                  { type: 'batch', id, ..., input, mask | labels }   buffers transferred, not copied
 *                  { type: 'error', id, sampleId, index, message }   a sample failed
 *                  { type: 'skipped', id }
 * Every job gets exactly one answer (batch, error or skipped), in order.
 */
import { isMainThread, workerData, type MessagePort } from 'node:worker_threads';
import { Compose, size2, type Size2, type TransformSpec } from './augment/index.js';
import { Rng } from './random.js';
import { datasetFromSpec, type DatasetSpec } from './spec.js';
import type { Dataset, Sample } from './types.js';

/** What a batch maker needs besides the dataset (plain JSON). */
export interface PipelineConfig {
  /** Resolved transform list. */
  augment: TransformSpec[];
  /** Every sample is cropped / padded to this size first (unless augment has its own crop or pad). */
  patchSize?: Size2;
  crop?: 'random' | 'center';
  foreground?: number;
}

export interface BatchJob {
  type: 'job';
  id: number;
  epoch: number;
  batch: number;
  indices: number[];
  seeds: number[];
}

export interface BatchResult {
  type: 'batch';
  id: number;
  n: number;
  c: number;
  h: number;
  w: number;
  input: Float32Array;
  mask?: Uint8Array;
  labels?: Int32Array;
  ids: string[];
  indices: number[];
}

export interface JobError {
  type: 'error';
  id: number;
  sampleId?: string;
  index?: number;
  message: string;
  stack?: string;
}

export interface ReadyMessage {
  type: 'ready';
  length: number;
  numClasses: number;
  channels: number;
  description: string;
}

export type WorkerMessage = ReadyMessage | BatchResult | JobError | { type: 'fatal'; message: string } | { type: 'skipped'; id: number };

/** What the main thread passes in workerData. */
export interface WorkerInit {
  tunetDataLoader: true;
  port: MessagePort;
  signal: SharedArrayBuffer;
  spec: DatasetSpec;
  modules: string[];
  config: PipelineConfig;
}

class SampleError extends Error {
  constructor(
    message: string,
    readonly sampleId: string | undefined,
    readonly index: number,
    readonly original: unknown,
  ) {
    super(message);
  }
}

/** Turns dataset samples into augmented batch buffers. */
export class BatchMaker {
  readonly compose: Compose;

  constructor(config: PipelineConfig) {
    const steps = [...config.augment];
    if (config.patchSize !== undefined && !steps.some((t) => t.type === 'crop' || t.type === 'pad')) {
      steps.unshift({ type: 'crop', size: size2(config.patchSize), mode: config.crop ?? 'random', foreground: config.foreground ?? 1 / 3, p: 1 });
    }
    this.compose = new Compose(steps);
  }

  /** The augmented sample for one draw seed (depends only on the sample and the seed). */
  transform(s: Sample, seed: number): Sample {
    return this.compose.apply(s, new Rng(seed));
  }

  /** Reads, augments and assembles a job, awaiting asynchronous datasets. */
  async run(dataset: Dataset, job: BatchJob): Promise<BatchResult | JobError> {
    const samples: Sample[] = [];
    try {
      for (let i = 0; i < job.indices.length; i++) samples.push(this.one(job, i, await this.read(dataset, job.indices[i]!)));
      return this.assemble(job, samples);
    } catch (e) {
      return errorOf(job, e);
    }
  }

  /** As run, for datasets whose get() is synchronous (throws a JobError-like SampleError otherwise). */
  runSync(dataset: Dataset, job: BatchJob): BatchResult | JobError {
    const samples: Sample[] = [];
    try {
      for (let i = 0; i < job.indices.length; i++) {
        const index = job.indices[i]!;
        let s: Sample | Promise<Sample>;
        try {
          s = dataset.get(index);
        } catch (e) {
          throw new SampleError(messageOf(e), undefined, index, e);
        }
        if (s && typeof (s as Promise<Sample>).then === 'function') {
          (s as Promise<Sample>).catch(() => undefined);
          throw new SampleError(
            'the dataset reads samples asynchronously; use workers ≥ 1, or iterate with for await (or await loader.init()) when workers is 0',
            undefined,
            index,
            null,
          );
        }
        samples.push(this.one(job, i, s as Sample));
      }
      return this.assemble(job, samples);
    } catch (e) {
      return errorOf(job, e);
    }
  }

  private async read(dataset: Dataset, index: number): Promise<Sample> {
    try {
      return await dataset.get(index);
    } catch (e) {
      throw new SampleError(messageOf(e), undefined, index, e);
    }
  }

  private one(job: BatchJob, i: number, s: Sample): Sample {
    try {
      return this.transform(s, job.seeds[i]!);
    } catch (e) {
      throw new SampleError(messageOf(e), s?.id, job.indices[i]!, e);
    }
  }

  /** Copies samples of one shape into fresh batch buffers. */
  assemble(job: BatchJob, samples: Sample[]): BatchResult {
    const first = samples[0]!;
    const { channels: c, height: h, width: w } = first;
    const n = samples.length;
    const hasMask = first.mask !== undefined;
    const hasLabel = !hasMask && first.label !== undefined;
    if (!hasMask && !hasLabel) throw new SampleError('the sample has neither a mask nor a label to use as target', first.id, job.indices[0]!, null);
    const input = new Float32Array(n * c * h * w);
    const mask = hasMask ? new Uint8Array(n * h * w) : undefined;
    const labels = hasLabel ? new Int32Array(n) : undefined;
    samples.forEach((s, i) => {
      if (s.channels !== c || s.height !== h || s.width !== w) {
        throw new SampleError(
          `the sample is ${s.channels}×${s.height}×${s.width} after augmentation but "${first.id}" in the same batch is ${c}×${h}×${w}; set patchSize (or a crop) so that samples match`,
          s.id,
          job.indices[i]!,
          null,
        );
      }
      input.set(s.image, i * c * h * w);
      if (mask) {
        if (!s.mask) throw new SampleError(`the sample has no mask but "${first.id}" in the same batch has one`, s.id, job.indices[i]!, null);
        mask.set(s.mask, i * h * w);
      } else if (labels) {
        if (s.label === undefined) throw new SampleError(`the sample has no label but "${first.id}" in the same batch has one`, s.id, job.indices[i]!, null);
        labels[i] = s.label;
      }
    });
    const out: BatchResult = { type: 'batch', id: job.id, n, c, h, w, input, ids: samples.map((s) => s.id), indices: [...job.indices] };
    if (mask) out.mask = mask;
    if (labels) out.labels = labels;
    return out;
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function errorOf(job: BatchJob, e: unknown): JobError {
  if (e instanceof SampleError) {
    const o = e.original instanceof Error ? e.original : e;
    return { type: 'error', id: job.id, sampleId: e.sampleId, index: e.index, message: e.message, stack: o.stack };
  }
  return { type: 'error', id: job.id, message: messageOf(e), stack: e instanceof Error ? e.stack : undefined };
}

/** Transferable buffers of a result. */
export function transferList(r: WorkerMessage): ArrayBuffer[] {
  if (r.type !== 'batch') return [];
  const list: ArrayBuffer[] = [r.input.buffer as ArrayBuffer];
  if (r.mask) list.push(r.mask.buffer as ArrayBuffer);
  if (r.labels) list.push(r.labels.buffer as ArrayBuffer);
  return list;
}

async function workerMain(init: WorkerInit): Promise<void> {
  const { port } = init;
  const sig = new Int32Array(init.signal);
  const post = (m: WorkerMessage) => {
    try {
      port.postMessage(m, transferList(m));
    } finally {
      Atomics.add(sig, 0, 1);
      Atomics.notify(sig, 0);
    }
  };
  const fatal = (e: unknown) => post({ type: 'fatal', message: messageOf(e) });
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  let dataset: Dataset;
  let maker: BatchMaker;
  try {
    for (const m of init.modules) await import(m);
    dataset = await datasetFromSpec(init.spec);
    maker = new BatchMaker(init.config);
  } catch (e) {
    fatal(e);
    return;
  }
  post({ type: 'ready', length: dataset.length, numClasses: dataset.numClasses, channels: dataset.channels, description: dataset.describe() });
  const queue: BatchJob[] = [];
  let cancelBefore = 0;
  let running = false;
  const pump = async () => {
    if (running) return;
    running = true;
    while (queue.length > 0) {
      const job = queue.shift()!;
      if (job.id < cancelBefore) {
        post({ type: 'skipped', id: job.id });
        continue;
      }
      post(await maker.run(dataset, job));
      // Let 'cancel' messages in between jobs.
      await new Promise((r) => setImmediate(r));
    }
    running = false;
  };
  port.on('message', (m: BatchJob | { type: 'cancel'; before: number }) => {
    if (m.type === 'job') {
      queue.push(m);
      void pump().catch(fatal);
    } else if (m.type === 'cancel') {
      cancelBefore = Math.max(cancelBefore, m.before);
    }
  });
}

if (!isMainThread && (workerData as Partial<WorkerInit> | null)?.tunetDataLoader === true) {
  void workerMain(workerData as WorkerInit);
}

