/** `tunet train` (a folder of images/ + masks/) and `tunet demo` (synthetic cells): whole segmentation runs. */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import YAML from 'yaml';
import { runSegmentation, resolveConfig, setConfigPath, type RunSummary } from '../train/run.js';
import { CliError } from './util.js';

/** The demo's defaults: synthetic cells and a small U-Net, tuned to reach Dice ≥ 0.85 in minutes on 2 cores. */
export const DEMO_CONFIG = {
  data: { synthetic: { count: 160, size: 128, seed: 0 }, batchSize: 8, workers: 1, augment: 'flips' },
  model: { name: 'unet', depth: 3, baseWidth: 16, norm: 'batch' },
  train: { epochs: 12, optimizer: { name: 'adam', lr: 3e-3 }, scheduler: 'poly', loss: 'dice-ce' },
} as const;

function int(v: string, flag: string, min = 1): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) throw new CliError(`${flag} must be an integer ≥ ${min}, got '${v}'`);
  return x;
}

function positive(v: string, flag: string): number {
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0) throw new CliError(`${flag} must be a positive number, got '${v}'`);
  return x;
}

/** Reads a JSON or YAML run config file. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read the config file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let v: unknown;
  try {
    v = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw new CliError(`the config file ${path} is not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new CliError(`the config file ${path} must hold an object (data, model, train, out)`);
  return v as Record<string, unknown>;
}

function report(s: RunSummary, json: boolean | undefined): void {
  if (json) {
    console.log(JSON.stringify(s, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2));
    return;
  }
  const e = s.evaluation;
  console.log(
    [
      `done in ${s.seconds.toFixed(1)} s: ${s.epochs} epochs, ${s.data.train} training / ${s.data.val} validation images`,
      `validation (best checkpoint, full images): mean Dice ${e.meanDice.toFixed(4)}, mean IoU ${e.meanIou.toFixed(4)}`,
      `results in ${s.out}:`,
      `  config.json (re-run: tunet train --config ${s.files.config}), metrics.json, metrics.jsonl, fingerprint.json,`,
      `  curves.png, checkpoints/{best,last}.safetensors, predictions/ (overlays: red = prediction only, green = mask only, yellow = both)`,
    ].join('\n'),
  );
}

interface TrainFlags {
  data?: string;
  config?: string;
  model?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  patch?: number;
  workers?: number;
  out?: string;
  seed?: number;
  json?: boolean;
  progress?: boolean;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a segmentation model on a folder of images/ + masks/ (paired by file stem) and evaluate it; writes a run folder')
    .option('--data <dir>', 'folder with images/ and masks/ (required unless the config has data.path)')
    .option('--config <file>', 'run config, JSON or YAML (keys: data, model, train, out); the flags below override it')
    .option('--model <name>', 'model name (default unet; see `tunet summary --list`)')
    .option('--epochs <n>', 'training epochs', (v) => int(v, '--epochs'))
    .option('--batch-size <n>', 'batch size', (v) => int(v, '--batch-size'))
    .option('--lr <x>', 'learning rate', (v) => positive(v, '--lr'))
    .option('--patch <n>', 'square training patch in pixels (default: median image size ≤ 256, a multiple of 2^depth)', (v) => int(v, '--patch'))
    .option('--workers <n>', 'data loader worker threads (0: none)', (v) => int(v, '--workers', 0))
    .option('--out <dir>', 'run folder (default runs/<date>-<time>-<model>)')
    .option('--seed <n>', 'seed of the split, the loader and the training', (v) => int(v, '--seed', 0))
    .option('--no-progress', 'no progress bar or per-epoch lines')
    .option('--json', 'print the run summary as JSON')
    .addHelpText('after', '\nExample:\n  tunet train --data ../shared/data/nuclei --epochs 30 --out runs/nuclei\n  tunet train --config runs/nuclei/config.json   # repeat a run')
    .action(async (o: TrainFlags) => {
      const cfg: Record<string, unknown> = o.config ? readConfigFile(o.config) : {};
      if (o.data !== undefined) {
        setConfigPath(cfg, 'data.path', o.data);
        setConfigPath(cfg, 'data.synthetic', null);
      }
      const data = cfg.data as { path?: unknown; synthetic?: unknown } | undefined;
      if (data?.path == null && data?.synthetic == null) {
        throw new CliError('give the data folder with --data DIR (or data.path or data.synthetic in --config); `tunet demo` trains on synthetic cells');
      }
      if (o.model !== undefined) {
        const m = (cfg.model ?? {}) as Record<string, unknown>;
        cfg.model = m.name === undefined || m.name === o.model ? { ...m, name: o.model } : { name: o.model };
      }
      await run(cfg, o);
    });

  program
    .command('demo')
    .description('train a U-Net on synthetic cell images (no data needed) and evaluate it; writes a run folder')
    .option('--epochs <n>', `training epochs (default ${DEMO_CONFIG.train.epochs})`, (v) => int(v, '--epochs'))
    .option('--out <dir>', 'run folder (default runs/<date>-<time>-unet)')
    .option('--workers <n>', 'data loader worker threads (0: none)', (v) => int(v, '--workers', 0))
    .option('--seed <n>', 'seed of the data, the split and the training', (v) => int(v, '--seed', 0))
    .option('--no-progress', 'no progress bar or per-epoch lines')
    .option('--json', 'print the run summary as JSON')
    .addHelpText(
      'after',
      `\nThe demo: ${DEMO_CONFIG.data.synthetic.count} synthetic ${DEMO_CONFIG.data.synthetic.size}×${DEMO_CONFIG.data.synthetic.size} cell images (80/20 split), ` +
        `U-Net depth ${DEMO_CONFIG.model.depth}, width ${DEMO_CONFIG.model.baseWidth}, Adam + poly schedule, Dice + cross-entropy loss.`,
    )
    .action(async (o: TrainFlags) => {
      const cfg = JSON.parse(JSON.stringify(DEMO_CONFIG)) as Record<string, unknown>;
      if (o.seed !== undefined) setConfigPath(cfg, 'data.synthetic.seed', o.seed);
      await run(cfg, o);
    });
}

async function run(cfg: Record<string, unknown>, o: TrainFlags): Promise<void> {
  if (o.epochs !== undefined) setConfigPath(cfg, 'train.epochs', o.epochs);
  if (o.batchSize !== undefined) setConfigPath(cfg, 'data.batchSize', o.batchSize);
  if (o.lr !== undefined) setConfigPath(cfg, 'train.optimizer.lr', o.lr);
  if (o.patch !== undefined) setConfigPath(cfg, 'data.patchSize', o.patch);
  if (o.workers !== undefined) setConfigPath(cfg, 'data.workers', o.workers);
  if (o.out !== undefined) cfg.out = o.out;
  if (o.seed !== undefined) {
    setConfigPath(cfg, 'data.seed', o.seed);
    setConfigPath(cfg, 'train.seed', o.seed);
  }
  resolveConfig(cfg); // bad keys fail here, before any data is read
  const summary = await runSegmentation(cfg, { progress: o.progress !== false });
  report(summary, o.json);
}
