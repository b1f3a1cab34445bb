/**
 * Training checkpoints: model, optimizer, LR schedule, RNG state and loop
 * state in one safetensors file, written atomically (a kill at any instant
 * leaves the previous complete file). Tensors are stored under
 * `model/<key>`, `optimizer/<param index>/<name>` and `rng`; everything else
 * is JSON in the `tunet` metadata entry.
 */
import * as tn from '../torch/index.js';
import type { Module } from '../nn/index.js';

type Tensor = tn.Tensor;
const { TorchError } = tn;

/** The structural view of an optimizer that checkpoints need (tn.optim optimizers fit it). */
export interface OptimizerState {
  state: Record<number, Record<string, Tensor | number>>;
  paramGroups: Record<string, unknown>[];
}
export interface StatefulOptimizer {
  stateDict(): OptimizerState;
  loadStateDict(sd: OptimizerState): void;
}
export interface StatefulScheduler {
  stateDict(): unknown;
  loadStateDict(sd: any): void;
}

export interface CheckpointParts {
  model: Module;
  optimizer?: StatefulOptimizer | null;
  scheduler?: StatefulScheduler | null;
  /** Any JSON-able loop state (epoch, history, callbacks). */
  state?: Record<string, unknown>;
  /** Save the RNG state (default true) so a resumed run draws the same numbers. */
  rng?: boolean;
}

export interface LoadedCheckpoint {
  modelState: Record<string, Tensor>;
  optimizerState: OptimizerState | null;
  schedulerState: unknown;
  rngState: Tensor | null;
  state: Record<string, unknown>;
  /** Frees the tensors read from the file. */
  dispose(): void;
}

const FORMAT = 'tunet-checkpoint-1';

/** Writes a checkpoint atomically. */
export function saveCheckpoint(path: string, parts: CheckpointParts): void {
  const tensors: Record<string, Tensor> = {};
  const owned: Tensor[] = [];
  try {
    const model = parts.model.stateDict();
    for (const [k, t] of Object.entries(model)) {
      tensors[`model/${k}`] = t;
      owned.push(t);
    }
    let optimizer: { paramGroups: unknown; scalars: Record<string, Record<string, number>> } | null = null;
    if (parts.optimizer) {
      const sd = parts.optimizer.stateDict();
      const scalars: Record<string, Record<string, number>> = {};
      for (const [i, st] of Object.entries(sd.state)) {
        for (const [name, v] of Object.entries(st)) {
          if (v instanceof tn.Tensor) {
            tensors[`optimizer/${i}/${name}`] = v;
            owned.push(v);
          } else {
            (scalars[i] ??= {})[name] = v;
          }
        }
      }
      optimizer = { paramGroups: sd.paramGroups, scalars };
    }
    if (parts.rng !== false) {
      const r = tn.getRngState();
      tensors.rng = r;
      owned.push(r);
    }
    const meta = {
      format: FORMAT,
      optimizer,
      scheduler: parts.scheduler ? parts.scheduler.stateDict() : null,
      state: parts.state ?? {},
    };
    tn.safetensors.saveFile(tensors, path, { tunet: JSON.stringify(meta) });
  } finally {
    for (const t of owned) t.dispose();
  }
}

/** Reads a checkpoint; errors name the file and what is wrong with it. */
export function loadCheckpoint(path: string): LoadedCheckpoint {
  const { tensors, metadata } = tn.safetensors.loadFile(path);
  const all = Object.values(tensors);
  const dispose = () => all.forEach((t) => t.dispose());
  let meta: { format?: string; optimizer: { paramGroups: Record<string, unknown>[]; scalars: Record<string, Record<string, number>> } | null; scheduler: unknown; state: Record<string, unknown> };
  try {
    meta = JSON.parse(metadata.tunet ?? 'null');
  } catch {
    dispose();
    throw new TorchError(`${path} has unreadable tunet metadata`, 'loadCheckpoint');
  }
  if (!meta || meta.format !== FORMAT) {
    dispose();
    throw new TorchError(`${path} is a safetensors file but not a tunet checkpoint (no '${FORMAT}' metadata); load plain weights with model.loadStateDict(tn.safetensors.loadFile(path).tensors)`, 'loadCheckpoint');
  }
  const modelState: Record<string, Tensor> = {};
  const optState: Record<number, Record<string, Tensor | number>> = {};
  for (const [k, t] of Object.entries(tensors)) {
    if (k.startsWith('model/')) modelState[k.slice(6)] = t;
    else if (k.startsWith('optimizer/')) {
      const [, i, name] = k.split('/');
      (optState[Number(i)] ??= {})[name] = t;
    }
  }
  let optimizerState: OptimizerState | null = null;
  if (meta.optimizer) {
    for (const [i, sc] of Object.entries(meta.optimizer.scalars)) Object.assign((optState[Number(i)] ??= {}), sc);
    optimizerState = { state: optState, paramGroups: meta.optimizer.paramGroups };
  }
  return { modelState, optimizerState, schedulerState: meta.scheduler, rngState: tensors.rng ?? null, state: meta.state ?? {}, dispose };
}

/**
 * Restores model, optimizer, scheduler and RNG from a checkpoint and returns
 * its loop state.
 */
export function restoreCheckpoint(path: string, parts: Omit<CheckpointParts, 'state'>): Record<string, unknown> {
  const ck = loadCheckpoint(path);
  try {
    parts.model.loadStateDict(ck.modelState);
    if (parts.optimizer) {
      if (!ck.optimizerState) throw new TorchError(`${path} has no optimizer state to resume from`, 'restoreCheckpoint');
      parts.optimizer.loadStateDict(ck.optimizerState);
    }
    if (parts.scheduler && ck.schedulerState != null) parts.scheduler.loadStateDict(ck.schedulerState);
    if (parts.rng !== false && ck.rngState) tn.setRngState(ck.rngState);
    return ck.state;
  } finally {
    ck.dispose();
  }
}
