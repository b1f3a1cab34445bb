/**
 * The configuration of a segmentation run (`tunet train`, `tunet demo`,
 * runSegmentation): a zod schema with defaults. Unknown keys are rejected with
 * their path named. `resolveConfig(partial)` fills in every default; the run
 * writes the resolved config (with the values it derived from the data: patch
 * size, input channels, classes) to <out>/config.json, and that file resolves
 * to itself, so `tunet train --config <out>/config.json` repeats the run.
 */
import { z } from 'zod';
import * as tn from '../torch/index.js';

const OP = 'RunConfig';

const posInt = z.number().int().positive();
const nonNegInt = z.number().int().nonnegative();

/** Default options of the U-Net when the config names model 'unet' (also the demo's). */
export const UNET_RUN_DEFAULTS = { depth: 3, baseWidth: 16, norm: 'batch' } as const;

const syntheticSchema = z
  .object({
    count: posInt.default(160),
    size: posInt.min(8).default(128),
    seed: z.number().int().default(0),
  })
  .strict();

const dataSchema = z
  .object({
    /** A folder with images/ and masks/; null: synthetic cells. */
    path: z.string().min(1).nullable().default(null),
    /** Synthetic cells (used when path is null). */
    synthetic: syntheticSchema.nullable().default(null),
    /** Validation share (fraction in [0, 1) or a count ≥ 1). */
    val: z.number().nonnegative().default(0.2),
    /** Seed of the split and of the loader's order and augmentation. */
    seed: z.number().int().default(0),
    /** Square training patch; null: the training images' median size clipped to 256, rounded down to a multiple of 2^depth. */
    patchSize: posInt.nullable().default(null),
    batchSize: posInt.default(8),
    /** DataLoader worker threads (0: batches assembled in the main thread). */
    workers: nonNegInt.default(2),
    augment: z.enum(['nnunet', 'flips', 'none']).default('nnunet'),
    normalization: z.enum(['zscore-image', 'zscore-dataset', 'percentile', 'minmax-image', 'none']).default('zscore-image'),
  })
  .strict();

/** Model options are checked by the model itself (createModel names an unknown option). */
const modelSchema = z.object({ name: z.string().min(1).default('unet') }).catchall(z.unknown());

const optimizerSchema = z
  .object({
    name: z.enum(['adam', 'adamw', 'sgd']).default('adam'),
    lr: z.number().positive().default(1e-3),
    weightDecay: z.number().nonnegative().default(0),
    /** SGD only. */
    momentum: z.number().nonnegative().default(0.9),
    nesterov: z.boolean().default(false),
  })
  .strict();

const trainSchema = z
  .object({
    epochs: posInt.default(50),
    optimizer: optimizerSchema.default({}),
    /** 'poly': PolynomialLR power 0.9 over the epochs (nnU-Net); 'cosine': CosineAnnealingLR over the epochs. */
    scheduler: z.enum(['poly', 'cosine', 'none']).default('poly'),
    loss: z.enum(['dice-ce', 'ce', 'dice', 'focal']).default('dice-ce'),
    earlyStopping: z
      .object({
        /** Epochs without improvement of val_seg_dice before stopping; null: off. */
        patience: posInt.nullable().default(null),
        minDelta: z.number().nonnegative().default(0),
      })
      .strict()
      .default({}),
    clipGradNorm: z.number().positive().nullable().default(12),
    seed: z.number().int().default(0),
    /** libtorch intra-op threads; null: libtorch's default. */
    threads: posInt.nullable().default(null),
  })
  .strict();

export const RunConfigSchema = z
  .object({
    data: dataSchema.default({}),
    model: modelSchema.default({}),
    train: trainSchema.default({}),
    /** The run folder; null: runs/<YYYYmmdd-HHMMSS>-<model>. */
    out: z.string().min(1).nullable().default(null),
  })
  .strict();

export type RunConfig = z.infer<typeof RunConfigSchema> & { out: string };
export type RunConfigInput = z.input<typeof RunConfigSchema>;

/** Deep-partial input accepted by resolveConfig. */
export type PartialRunConfig = {
  data?: Partial<Omit<RunConfig['data'], 'synthetic'>> & { synthetic?: Partial<NonNullable<RunConfig['data']['synthetic']>> | null };
  model?: { name?: string; [option: string]: unknown };
  train?: Partial<Omit<RunConfig['train'], 'optimizer' | 'earlyStopping'>> & {
    optimizer?: Partial<RunConfig['train']['optimizer']>;
    earlyStopping?: Partial<RunConfig['train']['earlyStopping']>;
  };
  out?: string | null;
};

function pathOf(path: (string | number)[]): string {
  return path.length ? path.join('.') : '(top level)';
}

function formatIssue(i: z.ZodIssue): string {
  if (i.code === 'unrecognized_keys') {
    const keys = i.keys.map((k) => (i.path.length ? `${pathOf(i.path)}.${k}` : k));
    return `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')}`;
  }
  return `${pathOf(i.path)}: ${i.message}`;
}

/** The default run folder name: runs/<YYYYmmdd-HHMMSS>-<model>. */
export function defaultRunDir(model: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `runs/${stamp}-${model}`;
}

/**
 * Validates a (partial) run config and fills in every default; throws a
 * TorchError ('RunConfig: …') naming the offending key.
 */
export function resolveConfig(partial: unknown = {}): RunConfig {
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
    throw new tn.TorchError(`a run config must be an object, got ${partial === null ? 'null' : Array.isArray(partial) ? 'an array' : typeof partial}`, OP);
  }
  const r = RunConfigSchema.safeParse(partial);
  if (!r.success) throw new tn.TorchError(r.error.issues.map(formatIssue).join('; '), OP);
  const c = r.data;
  // Synthetic cells are the data when no folder is given; a folder excludes them.
  if (c.data.path !== null && c.data.synthetic !== null) {
    const given = (partial as { data?: { synthetic?: unknown } }).data?.synthetic;
    if (given != null) throw new tn.TorchError("data.path and data.synthetic exclude each other: give a folder or synthetic cells", OP);
  }
  if (c.data.path === null && c.data.synthetic === null) c.data.synthetic = syntheticSchema.parse({});
  if (c.data.path !== null) c.data.synthetic = null;
  if (c.data.val >= 1 && !Number.isInteger(c.data.val)) throw new tn.TorchError(`data.val must be a fraction in [0, 1) or an integer count, got ${c.data.val}`, OP);
  // U-Net defaults (the user's options win).
  if (c.model.name === 'unet') c.model = { ...UNET_RUN_DEFAULTS, ...c.model };
  return { ...c, out: c.out ?? defaultRunDir(c.model.name) };
}

/** Sets a value at a dotted path of a (partial) config object, creating the objects on the way. */
export function setConfigPath(config: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o: Record<string, unknown> = config;
  for (const k of keys.slice(0, -1)) {
    if (o[k] === null || typeof o[k] !== 'object') o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]!] = value;
}
