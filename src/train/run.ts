/**
 * One whole segmentation run, as `tunet train` and `tunet demo` do it:
 * data (a folder of images/ + masks/, or synthetic cells) → seeded split by
 * sample id → fingerprint of the training split → normalisation → U-Net (or
 * any registered segmentation model) → Trainer (SegmentationMeter, best
 * checkpoint on val_seg_dice) → evaluation of the best checkpoint on the
 * validation images at full size → a run folder:
 *
 *   config.json       the resolved config (re-run it with `tunet train --config`)
 *   fingerprint.json  statistics of the training split
 *   metrics.jsonl     one line per epoch
 *   metrics.json      { final, best, evaluation: per image and mean Dice / IoU }
 *   checkpoints/      last.safetensors, best.safetensors
 *   curves.png        loss, metrics and learning rate per epoch
 *   predictions/      <id>_overlay.png and <id>_mask.png for up to 8 validation images
 *
 * Normalisation is applied once per whole image before training
 * (normalizeSample over every sample, held in memory as float32): the
 * loader's crops and augmentations then work on normalised images, as in
 * nnU-Net, and inference normalises each whole image the same way. This
 * holds the (normalised) dataset in memory, which suits the datasets this
 * runs on (hundreds of images).
 *
 * Dice and IoU reported (val_seg_dice, evaluation) are the means over the
 * foreground classes (background left out): for binary masks, the
 * foreground Dice.
 *
 * src/train sits above src/models and src/data, so it joins them here.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tn from '../torch/index.js';
import { functional as F, type Module } from '../nn/index.js';
import * as optim from '../optim/index.js';
import { createModel, getModelEntry, listModels } from '../models/index.js';
import {
  SegmentationFolder,
  SyntheticCells,
  SubsetDataset,
  DataLoader,
  computeFingerprint,
  fitNormalization,
  normalizeSample,
  memorySpec,
  trainValTestSplit,
  writePng,
  type Dataset,
  type Fingerprint,
  type NormalizationParams,
  type NormalizationSpec,
  type Sample,
} from '../data/index.js';
import { Trainer, type OptimizerLike, type SchedulerLike } from './trainer.js';
import { SegmentationMeter, confusionMatrix, dice as diceScores, iou as iouScores, nanMean } from './metrics.js';
import { EarlyStopping, type Callback, type Logs } from './callbacks.js';
import { restoreCheckpoint } from './checkpoint.js';
import { predictClasses } from './inference.js';
import { saveCurves } from './curves.js';
import { resolveConfig, type RunConfig } from './config.js';

const OP = 'runSegmentation';
const IGNORE = 255;
const MAX_PREDICTIONS = 8;

export interface RunOptions {
  /** Progress bar / per-epoch lines on stderr (default true). */
  progress?: boolean;
  /** Where messages go (default stderr); pass () => {} for silence. */
  logger?: (line: string) => void;
}

export interface ImageEvaluation {
  id: string;
  height: number;
  width: number;
  /** Mean over the foreground classes (NaN when no class is in the prediction or the mask). */
  dice: number;
  iou: number;
}

export interface Evaluation {
  checkpoint: 'best' | 'last';
  images: ImageEvaluation[];
  /** Means over images (NaN entries skipped). */
  meanDice: number;
  meanIou: number;
  /** Over all validation pixels pooled. */
  pooledDice: number;
  pooledIou: number;
}

export interface RunSummary {
  out: string;
  files: Record<string, string>;
  data: { source: string; numClasses: number; channels: number; train: number; val: number; patchSize: number };
  model: { name: string; parameters: number };
  epochs: number;
  best: { epoch: number; val_seg_dice: number } | null;
  final: Logs;
  evaluation: Evaluation;
  seconds: number;
}

function normSpec(name: RunConfig['data']['normalization']): NormalizationSpec {
  switch (name) {
    case 'zscore-image': return { method: 'zscore', scope: 'image' };
    case 'zscore-dataset': return { method: 'zscore', scope: 'dataset' };
    case 'percentile': return { method: 'percentile', scope: 'dataset' };
    case 'minmax-image': return { method: 'minmax', scope: 'image' };
    case 'none': return { method: 'none' };
  }
}

async function openData(c: RunConfig): Promise<Dataset> {
  if (c.data.path !== null) return SegmentationFolder.open(c.data.path);
  const s = c.data.synthetic!;
  return new SyntheticCells({ count: s.count, size: s.size, seed: s.seed });
}

async function loadAll(d: Dataset, indices: number[]): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const i of indices) out.push(await d.get(i));
  return out;
}

/** The U-Net's size multiple 2^depth (32 for other models: enough for MobileNet encoders). */
function sizeMultiple(model: RunConfig['model']): number {
  if (model.name === 'unet') return 2 ** (typeof model.depth === 'number' ? model.depth : 4);
  return 32;
}

/** Median training size clipped to 256, rounded down to a multiple (at least the multiple). */
export function defaultPatchSize(fp: Fingerprint, multiple: number): number {
  const side = Math.min(fp.size.height.median, fp.size.width.median, 256);
  return Math.max(multiple, Math.floor(side / multiple) * multiple);
}

function makeOptimizer(c: RunConfig['train']['optimizer'], params: tn.Tensor[]): OptimizerLike {
  switch (c.name) {
    case 'adam': return new optim.Adam(params, { lr: c.lr, weightDecay: c.weightDecay }) as unknown as OptimizerLike;
    case 'adamw': return new optim.AdamW(params, { lr: c.lr, weightDecay: c.weightDecay }) as unknown as OptimizerLike;
    case 'sgd': return new optim.SGD(params, { lr: c.lr, weightDecay: c.weightDecay, momentum: c.momentum, nesterov: c.nesterov }) as unknown as OptimizerLike;
  }
}

function makeScheduler(name: RunConfig['train']['scheduler'], opt: OptimizerLike, epochs: number): SchedulerLike | null {
  const o = opt as never;
  if (name === 'poly') return new optim.lrScheduler.PolynomialLR(o, { totalIters: epochs, power: 0.9 }) as unknown as SchedulerLike;
  if (name === 'cosine') return new optim.lrScheduler.CosineAnnealingLR(o, { TMax: epochs }) as unknown as SchedulerLike;
  return null;
}

function makeLoss(name: RunConfig['train']['loss']): (out: tn.Tensor, target: tn.Tensor) => tn.Tensor {
  switch (name) {
    case 'dice-ce': return (o, t) => F.diceCELoss(o, t, { ignoreIndex: IGNORE });
    case 'dice': return (o, t) => F.diceLoss(o, t, { ignoreIndex: IGNORE });
    case 'ce': return (o, t) => F.crossEntropy(o, t, { ignoreIndex: IGNORE });
    case 'focal': return (o, t) => F.focalLoss(o, t, { ignoreIndex: IGNORE });
  }
}

/** Grey 0..255 display of a C × H × W image (channel mean, stretched to its 1st–99th value range). */
function greyDisplay(s: Sample): Float32Array {
  const n = s.height * s.width;
  const g = new Float32Array(n);
  for (let c = 0; c < s.channels; c++) for (let i = 0; i < n; i++) g[i] += s.image[c * n + i]! / s.channels;
  const sorted = Float32Array.from(g).sort();
  const lo = sorted[Math.floor(0.01 * (n - 1))]!;
  const hi = sorted[Math.ceil(0.99 * (n - 1))]!;
  const k = hi > lo ? 255 / (hi - lo) : 0;
  for (let i = 0; i < n; i++) g[i] = Math.min(255, Math.max(0, (g[i]! - lo) * k));
  return g;
}

/**
 * RGB overlay (3 × H × W, 0..255): the grey image, with foreground pixels
 * blended 50% with red (prediction only), green (ground truth only) or yellow
 * (both). Ignored mask pixels (255) count as background.
 */
export function overlayImage(grey: Float32Array, pred: ArrayLike<number>, truth: ArrayLike<number>): Uint8Array {
  const n = grey.length;
  const out = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    const g = grey[i]!;
    const p = pred[i]! > 0;
    const t = truth[i]! > 0 && truth[i]! !== IGNORE;
    let r = g;
    let gr = g;
    let b = g;
    if (p || t) {
      const cr = p ? 255 : 0;
      const cg = t ? 255 : 0;
      r = 0.5 * g + 0.5 * cr;
      gr = 0.5 * g + 0.5 * cg;
      b = 0.5 * g;
    }
    out[i] = Math.round(r);
    out[n + i] = Math.round(gr);
    out[2 * n + i] = Math.round(b);
  }
  return out;
}

function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}

function addInto(a: number[][], b: number[][]): void {
  for (let i = 0; i < a.length; i++) for (let j = 0; j < a.length; j++) a[i]![j]! += b[i]![j]!;
}

/** Runs a whole segmentation training and evaluation; see the file comment. */
export async function runSegmentation(partial: unknown, options: RunOptions = {}): Promise<RunSummary> {
  const t0 = Date.now();
  const config = resolveConfig(partial);
  const log = options.logger ?? ((l: string) => process.stderr.write(`${l}\n`));
  const out = resolve(config.out);
  if (config.train.threads !== null) tn.setNumThreads(config.train.threads);

  const entry = getModelEntry(config.model.name);
  if (entry.task !== 'segmentation') {
    const seg = listModels().filter((e) => e.task === 'segmentation').map((e) => e.name);
    throw new tn.TorchError(`model '${entry.name}' is a ${entry.task} model; a segmentation run needs one of: ${seg.join(', ')}`, OP);
  }

  {
    // Check the model options before reading any data (the real model is built once the data's classes are known).
    const { name: _n, ...o } = config.model;
    createModel(config.model.name, o).dispose();
  }

  // ---- data ----
  const dataset = await openData(config);
  const numClasses = dataset.numClasses;
  const channels = dataset.channels;
  const ids: string[] = [];
  const known = (dataset as { ids?: string[] }).ids;
  for (let i = 0; i < dataset.length; i++) ids.push(known?.[i] ?? (await dataset.get(i)).id);
  if (new Set(ids).size !== ids.length) throw new tn.TorchError(`${dataset.describe()}: sample ids are not unique`, OP);
  if (dataset.length < 2) throw new tn.TorchError(`${dataset.describe()}: at least 2 images are needed (one to train, one to validate)`, OP);
  const split = trainValTestSplit(ids, { val: config.data.val, seed: config.data.seed });
  if (split.val.length === 0) split.val.push(split.train.pop()!);
  if (split.train.length === 0) throw new tn.TorchError(`data.val (${config.data.val}) leaves no training images of ${ids.length}`, OP);
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const trainIdx = split.train.map((id) => indexOf.get(id)!);
  const valIdx = split.val.map((id) => indexOf.get(id)!);
  log(`data: ${dataset.describe()}`);
  log(`split: ${trainIdx.length} training, ${valIdx.length} validation images (seed ${config.data.seed})`);

  const fingerprint = await computeFingerprint(new SubsetDataset(dataset, trainIdx));
  const norm: NormalizationParams = fitNormalization(normSpec(config.data.normalization), fingerprint);
  const multiple = sizeMultiple(config.model);
  const patchSize = config.data.patchSize ?? defaultPatchSize(fingerprint, multiple);
  if (patchSize % multiple !== 0) throw new tn.TorchError(`data.patchSize ${patchSize} must be a multiple of ${multiple} (2^depth of the model)`, OP);

  const trainRaw = await loadAll(dataset, trainIdx);
  const valRaw = await loadAll(dataset, valIdx);
  const trainSamples = trainRaw.map((s) => normalizeSample(s, norm));
  const valSamples = valRaw.map((s) => normalizeSample(s, norm));
  trainRaw.length = 0;

  // The fully resolved config, with what came from the data.
  const resolved: RunConfig = {
    ...config,
    data: { ...config.data, patchSize },
    model: { ...config.model, inChannels: channels, numClasses },
    out: config.out,
  };

  // ---- run folder ----
  mkdirSync(out, { recursive: true });
  const ckDir = join(out, 'checkpoints');
  const predDir = join(out, 'predictions');
  // A repeated run into the same folder starts clean (the Trainer appends to metrics.jsonl).
  for (const f of [join(ckDir, 'metrics.jsonl'), join(ckDir, 'last.safetensors'), join(ckDir, 'best.safetensors'), predDir]) rmSync(f, { recursive: true, force: true });
  const files = {
    config: join(out, 'config.json'),
    fingerprint: join(out, 'fingerprint.json'),
    metricsJsonl: join(out, 'metrics.jsonl'),
    metrics: join(out, 'metrics.json'),
    lastCheckpoint: join(ckDir, 'last.safetensors'),
    bestCheckpoint: join(ckDir, 'best.safetensors'),
    curves: join(out, 'curves.png'),
    predictions: predDir,
  };
  writeFileSync(files.config, JSON.stringify(resolved, null, 2) + '\n');
  writeFileSync(files.fingerprint, JSON.stringify(fingerprint, null, 2) + '\n');

  // ---- model, optimisation ----
  tn.manualSeed(config.train.seed);
  const { name: modelName, ...modelOptions } = resolved.model;
  const model: Module = createModel(modelName, modelOptions);
  const loaders: DataLoader[] = [];
  let optimizer: OptimizerLike | null = null;
  try {
    const params = model.parameters().filter((p) => p.requiresGrad);
    const nParams = params.reduce((a, p) => a + p.numel(), 0);
    log(`model: ${modelName} (${nParams.toLocaleString('en-US')} parameters), patch ${patchSize}×${patchSize}, batch ${config.data.batchSize}`);
    optimizer = makeOptimizer(config.train.optimizer, params);
    const scheduler = makeScheduler(config.train.scheduler, optimizer, config.train.epochs);

    const trainLoader = new DataLoader(memorySpec(trainSamples, { numClasses, description: `${trainSamples.length} training images` }), {
      batchSize: config.data.batchSize,
      shuffle: true,
      seed: config.data.seed,
      augment: config.data.augment === 'none' ? undefined : config.data.augment,
      patchSize,
      workers: config.data.workers,
      dropLast: trainSamples.length > config.data.batchSize,
    });
    loaders.push(trainLoader);
    const valLoader = new DataLoader(memorySpec(valSamples, { numClasses, description: `${valSamples.length} validation images` }), {
      batchSize: config.data.batchSize,
      shuffle: false,
      patchSize,
      crop: 'center',
      workers: 0,
    });
    loaders.push(valLoader);

    const monitor = 'val_seg_dice';
    const callbacks: Callback[] = [];
    if (config.train.earlyStopping.patience !== null) {
      callbacks.push(new EarlyStopping({ monitor, mode: 'max', patience: config.train.earlyStopping.patience, minDelta: config.train.earlyStopping.minDelta }));
    }
    const trainer = new Trainer({
      model,
      optimizer,
      scheduler,
      loss: makeLoss(config.train.loss),
      epochs: config.train.epochs,
      metrics: [new SegmentationMeter(numClasses, { name: 'seg', ignoreIndex: IGNORE, includeBackground: false, perClass: numClasses > 2 })],
      callbacks,
      clipGradNorm: config.train.clipGradNorm,
      checkpointDir: ckDir,
      monitor,
      monitorMode: 'max',
      seed: config.train.seed,
      progress: options.progress ?? true,
      logger: log,
    });
    const history = trainer.fit(trainLoader.source, valLoader.source);
    for (const l of loaders) l.close();

    // metrics.jsonl: the Trainer writes it next to the checkpoints.
    copyFileSync(join(ckDir, 'metrics.jsonl'), files.metricsJsonl);
    await saveCurves(history, files.curves, { title: `${modelName}: ${trainIdx.length} training / ${valIdx.length} validation images` });

    // ---- evaluation of the best checkpoint, whole validation images ----
    const which: 'best' | 'last' = existsSync(files.bestCheckpoint) ? 'best' : 'last';
    restoreCheckpoint(which === 'best' ? files.bestCheckpoint : files.lastCheckpoint, { model, rng: false });
    mkdirSync(predDir, { recursive: true });
    const images: ImageEvaluation[] = [];
    const pooled = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
    for (let k = 0; k < valSamples.length; k++) {
      const s = valSamples[k]!;
      const pred = tn.scope(() => {
        const x = tn.fromTypedArray(s.image, [1, s.channels, s.height, s.width]);
        const p = predictClasses(model, x, { multiple, patchSize });
        return p.to('uint8').toTypedArray() as Uint8Array;
      });
      const cm = tn.scope(() => {
        const p = tn.fromTypedArray(pred, [1, s.height, s.width]).to('int64');
        const t = tn.fromTypedArray(s.mask!, [1, s.height, s.width]).to('int64');
        return confusionMatrix(p, t, numClasses, { ignoreIndex: IGNORE });
      });
      addInto(pooled, cm);
      images.push({ id: s.id, height: s.height, width: s.width, dice: diceScores(cm, { includeBackground: false }).macro, iou: iouScores(cm, { includeBackground: false }).macro });
      if (k < MAX_PREDICTIONS) {
        const name = safeName(s.id);
        const shape = { channels: 1, height: s.height, width: s.width };
        const scale = numClasses === 2 ? 255 : Math.floor(255 / Math.max(1, numClasses - 1));
        await writePng(join(predDir, `${name}_mask.png`), pred.map((v) => v * scale), shape);
        await writePng(join(predDir, `${name}_overlay.png`), overlayImage(greyDisplay(valRaw[k]!), pred, s.mask!), { ...shape, channels: 3 });
      }
    }
    const evaluation: Evaluation = {
      checkpoint: which,
      images,
      meanDice: nanMean(images.map((i) => i.dice)),
      meanIou: nanMean(images.map((i) => i.iou)),
      pooledDice: diceScores(pooled, { includeBackground: false }).macro,
      pooledIou: iouScores(pooled, { includeBackground: false }).macro,
    };

    const final = history[history.length - 1] ?? {};
    let bestLogs: Logs | null = null;
    for (const h of history) if (Number.isFinite(h[monitor]) && (bestLogs === null || h[monitor]! > bestLogs[monitor]!)) bestLogs = h;
    writeFileSync(files.metrics, JSON.stringify({ final, best: bestLogs, evaluation }, jsonNumbers, 2) + '\n');
    const summary: RunSummary = {
      out,
      files,
      data: { source: dataset.describe(), numClasses, channels, train: trainIdx.length, val: valIdx.length, patchSize },
      model: { name: modelName, parameters: nParams },
      epochs: history.length,
      best: bestLogs ? { epoch: bestLogs.epoch!, val_seg_dice: bestLogs[monitor]! } : null,
      final,
      evaluation,
      seconds: (Date.now() - t0) / 1000,
    };
    log(
      `evaluation (${which} checkpoint, ${images.length} validation images at full size): ` +
        `mean Dice ${evaluation.meanDice.toFixed(4)}, mean IoU ${evaluation.meanIou.toFixed(4)}`,
    );
    return summary;
  } finally {
    for (const l of loaders) l.close();
    (optimizer as { dispose?: () => void } | null)?.dispose?.();
    model.dispose();
  }
}

/** JSON has no NaN: write null for non-finite numbers. */
function jsonNumbers(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

export * from './config.js';
