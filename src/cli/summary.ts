/** `tunet summary`: a model's per-layer table, or the cost of a standard vs a depthwise-separable conv layer. */
import type { Command } from 'commander';
import * as tn from '../torch/index.js';
import * as nn from '../nn/index.js';
import { createModel, getModelEntry, listModels, summary, formatSummary, type ModelSummary } from '../models/index.js';
import { CliError, parseJsonOption } from './util.js';

export interface LayerCost {
  spec: { height: number; width: number; inChannels: number; outChannels: number; kernel: number };
  standard: { params: number; macs: number };
  separable: { params: number; macs: number; depthwiseMacs: number; pointwiseMacs: number };
  /** separable / standard, and the MobileNet paper's 1/N + 1/Dk². */
  ratio: { params: number; macs: number; paper: number };
}

/** Parses "112x112x32:64" (H×W×Cin → Cout), optionally ":k3" for the kernel size. */
export function parseLayerSpec(spec: string): LayerCost['spec'] {
  const m = /^(\d+)[x×](\d+)[x×](\d+)\s*(?:->|→|:)\s*(\d+)(?::k(\d+))?$/.exec(spec.trim());
  if (!m) throw new CliError(`--layer must look like 112x112x32:64 (height x width x input channels : output channels, optionally :k3 for the kernel), got '${spec}'`);
  const [h, w, cin, cout, k] = [m[1], m[2], m[3], m[4], m[5] ?? '3'].map(Number);
  if ([h, w, cin, cout, k].some((v) => v < 1)) throw new CliError(`--layer sizes must be positive, got '${spec}'`);
  return { height: h, width: w, inChannels: cin, outChannels: cout, kernel: k };
}

/** Parameters and multiply-adds of a k×k standard conv and of its depthwise-separable replacement ('same' padding, no bias). */
export function layerCost(spec: LayerCost['spec']): LayerCost {
  const { height: h, width: w, inChannels: cin, outChannels: cout, kernel: k } = spec;
  const run = (m: nn.Module): ModelSummary => summary(m, [1, cin, h, w]);
  const std = new nn.Conv2d(cin, cout, k, { padding: 'same', bias: false });
  const sep = new nn.DepthwiseSeparableConv2d(cin, cout, k, { padding: 'same', bias: false });
  try {
    const a = run(std);
    const b = run(sep);
    const dw = b.rows.find((r) => r.name === 'depthwise')?.macs ?? 0;
    const pw = b.rows.find((r) => r.name === 'pointwise')?.macs ?? 0;
    return {
      spec,
      standard: { params: a.totalParams, macs: a.totalMacs },
      separable: { params: b.totalParams, macs: b.totalMacs, depthwiseMacs: dw, pointwiseMacs: pw },
      ratio: { params: b.totalParams / a.totalParams, macs: b.totalMacs / a.totalMacs, paper: 1 / cout + 1 / (k * k) },
    };
  } finally {
    std.dispose();
    sep.dispose();
  }
}

export function formatLayerCost(c: LayerCost): string {
  const { height: h, width: w, inChannels: cin, outChannels: cout, kernel: k } = c.spec;
  const n = (v: number) => v.toLocaleString('en-US');
  return [
    `${k}x${k} convolution on ${h}x${w}x${cin} -> ${cout} ('same' padding, no bias)`,
    `  standard:              ${n(c.standard.params).padStart(12)} parameters  ${n(c.standard.macs).padStart(15)} mult-adds`,
    `  depthwise-separable:   ${n(c.separable.params).padStart(12)} parameters  ${n(c.separable.macs).padStart(15)} mult-adds`,
    `    depthwise ${k}x${k}:                                   ${n(c.separable.depthwiseMacs).padStart(15)}`,
    `    pointwise 1x1:                                    ${n(c.separable.pointwiseMacs).padStart(15)}`,
    `  separable / standard:  ${c.ratio.params.toFixed(4)} of the parameters, ${c.ratio.macs.toFixed(4)} of the mult-adds` +
      ` (MobileNet's 1/N + 1/Dk² = ${c.ratio.paper.toFixed(4)})`,
  ].join('\n');
}

export function registerSummary(program: Command): void {
  program
    .command('summary')
    .description('per-layer output shapes, parameters and multiply-adds of a model; or, with --layer, the cost of a standard vs a depthwise-separable convolution')
    .argument('[model]', `model name (${'`tunet summary --list`'} lists them)`)
    .option('--input <size>', 'square input size in pixels (default: the model\'s own)', (v) => parsePositiveInt(v, '--input'))
    .option('--width <alpha>', 'width multiplier α for models that have one (widthMult)', (v) => parsePositive(v, '--width'))
    .option('--classes <n>', 'number of classes', (v) => parsePositiveInt(v, '--classes'))
    .option('--config <json>', 'model options as JSON, e.g. \'{"depth":3,"baseWidth":16}\'')
    .option('--layer <spec>', 'compare a standard and a depthwise-separable conv, e.g. 112x112x32:64 (add :k5 for 5x5)')
    .option('--list', 'list the models')
    .option('--json', 'print JSON')
    .action((name: string | undefined, o: { input?: number; width?: number; classes?: number; config?: string; layer?: string; list?: boolean; json?: boolean }) => {
      if (o.list) {
        const models = listModels().map((e) => ({ name: e.name, task: e.task, description: e.description }));
        if (o.json) console.log(JSON.stringify(models, null, 2));
        else for (const m of models) console.log(`${m.name.padEnd(22)} ${m.task.padEnd(15)} ${m.description}`);
        return;
      }
      if (o.layer) {
        const c = layerCost(parseLayerSpec(o.layer));
        console.log(o.json ? JSON.stringify(c, null, 2) : formatLayerCost(c));
        return;
      }
      if (!name) throw new CliError('give a model name (see `tunet summary --list`) or --layer SPEC');
      const entry = getModelEntry(name);
      const config: Record<string, unknown> = { ...parseJsonOption(o.config, '--config') };
      if (o.width !== undefined) config.widthMult = o.width;
      if (o.classes !== undefined) config.numClasses = o.classes;
      const model = createModel(name, config);
      try {
        const s = summary(model, entry.inputShape(config, o.input), { name });
        console.log(o.json ? JSON.stringify(s, null, 2) : formatSummary(s));
      } finally {
        model.dispose();
      }
    });
}

function parsePositive(v: string, flag: string): number {
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0) throw new CliError(`${flag} must be a positive number, got '${v}'`);
  return x;
}

function parsePositiveInt(v: string, flag: string): number {
  const x = parsePositive(v, flag);
  if (!Number.isInteger(x)) throw new CliError(`${flag} must be a positive integer, got '${v}'`);
  return x;
}

void tn;
