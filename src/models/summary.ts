/**
 * Model summary: per-layer output shape, parameters and multiply-adds,
 * measured by running one forward pass (batch 1, eval mode, no grad) with
 * every leaf module's forward instrumented. Multiply-adds count what the
 * papers count: convolutions, transposed convolutions and linear layers.
 */
import * as tn from '../torch/index.js';
import { Module } from '../nn/index.js';

type Tensor = tn.Tensor;

export interface LayerRow {
  /** Dotted module name, e.g. 'features.3.conv.0.0'. */
  name: string;
  type: string;
  outputShape: number[];
  /** Parameters owned directly by this module. */
  params: number;
  /** Multiply-adds for one sample. */
  macs: number;
}

export interface ModelSummary {
  model: string;
  inputShape: number[];
  outputShape: number[] | number[][];
  rows: LayerRow[];
  totalParams: number;
  trainableParams: number;
  totalMacs: number;
  /** float32 weight size in bytes (parameters + persistent buffers). */
  weightBytes: number;
}

function shapeOf(out: unknown): number[] {
  if (out instanceof tn.Tensor) return out.shape;
  if (Array.isArray(out) && out[0] instanceof tn.Tensor) return out[0].shape;
  if (out && typeof out === 'object') {
    const first = Object.values(out).find((v) => v instanceof tn.Tensor) as Tensor | undefined;
    if (first) return first.shape;
  }
  return [];
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Multiply-adds of one call of a leaf module, from its weight and its input/output shapes (batch 1). */
export function layerMacs(m: Module, input: number[], output: number[]): number {
  const w = (m as unknown as { weight?: Tensor | null }).weight;
  if (!(w instanceof tn.Tensor)) return 0;
  const ws = w.shape;
  const batch = output[0] ?? 1;
  switch (m.constructor.name) {
    case 'Conv1d':
    case 'Conv2d':
      // Each output element: Cin/groups × kernel multiply-adds.
      return (prod(output) / batch) * prod(ws.slice(1));
    case 'ConvTranspose2d':
      // Each input element is scattered over Cout/groups × kernel outputs.
      return (prod(input) / (input[0] ?? 1)) * prod(ws.slice(1));
    case 'Linear':
      return (prod(output) / batch) * ws[1];
    default:
      return 0;
  }
}

function ownParams(m: Module): number {
  return m.parameters(false).reduce((n, p) => n + p.numel(), 0);
}

/** Summarises a model on an input of shape `inputShape`, batch dimension included (e.g. [1, 3, 224, 224]). */
export function summary(model: Module, inputShape: readonly number[], opts: { name?: string; input?: Tensor } = {}): ModelSummary {
  if (!(model instanceof Module)) throw new tn.TorchError('summary needs an nn.Module', 'summary');
  const shape = [...inputShape];
  if (!shape.every((d) => Number.isInteger(d) && d > 0)) throw new tn.TorchError(`input shape must be positive integers, got [${shape.join(', ')}]`, 'summary');
  const rows: LayerRow[] = [];
  const patched: Module[] = [];
  for (const [name, m] of model.namedModules()) {
    const isLeaf = m.children().length === 0;
    const hasOwn = ownParams(m) > 0;
    if ((m === model && !isLeaf) || (!isLeaf && !hasOwn)) continue;
    const original = m.forward;
    patched.push(m);
    (m as unknown as { forward: (...a: unknown[]) => unknown }).forward = function (this: Module, ...args: unknown[]) {
      const out = original.apply(this, args);
      const inp = args[0] instanceof tn.Tensor ? args[0].shape : [];
      const outShape = shapeOf(out);
      rows.push({ name: name || '(model)', type: m.constructor.name, outputShape: outShape, params: ownParams(m), macs: isLeaf ? layerMacs(m, inp, outShape) : 0 });
      return out;
    };
  }
  const wasTraining = model.training;
  model.eval();
  let outputShape: number[] | number[][] = [];
  try {
    tn.noGrad(() =>
      tn.scope(() => {
        const x = opts.input ?? tn.zeros(shape);
        const out = model.forward(x) as unknown;
        outputShape = Array.isArray(out) ? out.map((o) => shapeOf(o)) : shapeOf(out);
      }),
    );
  } finally {
    for (const m of patched) delete (m as unknown as { forward?: unknown }).forward;
    model.train(wasTraining);
  }
  const params = model.parameters();
  const sd = model.stateDict();
  let weightBytes = 0;
  for (const t of Object.values(sd)) {
    weightBytes += t.numel() * 4;
    t.dispose();
  }
  return {
    model: opts.name ?? model.constructor.name,
    inputShape: shape,
    outputShape,
    rows,
    totalParams: params.reduce((n, p) => n + p.numel(), 0),
    trainableParams: params.filter((p) => p.requiresGrad).reduce((n, p) => n + p.numel(), 0),
    totalMacs: rows.reduce((n, r) => n + r.macs, 0),
    weightBytes,
  };
}

function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} K`;
  return String(n);
}

/** A plain-text table of a summary, like torchinfo's. */
export function formatSummary(s: ModelSummary): string {
  const head = ['layer', 'type', 'output shape', 'params', 'mult-adds'];
  const body = s.rows.map((r) => [r.name, r.type, `[${r.outputShape.join(', ')}]`, r.params.toLocaleString('en-US'), r.macs ? r.macs.toLocaleString('en-US') : '-']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [
    `${s.model} on input [${s.inputShape.join(', ')}]`,
    rule,
    line(head),
    rule,
    ...body.map(line),
    rule,
    `parameters:      ${s.totalParams.toLocaleString('en-US')} (${human(s.totalParams)}; trainable ${s.trainableParams.toLocaleString('en-US')})`,
    `mult-adds:       ${s.totalMacs.toLocaleString('en-US')} (${human(s.totalMacs)}) per sample`,
    `weights float32: ${(s.weightBytes / 2 ** 20).toFixed(2)} MiB`,
  ].join('\n');
}
