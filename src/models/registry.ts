/**
 * The model zoo's registry: each model file registers a name, a description
 * and a factory taking a (partial) config, so the CLI and tools can build
 * models by name (`tunet summary mobilenet_v2 --width 0.75`).
 */
import * as tn from '../torch/index.js';
import type { Module } from '../nn/index.js';

export interface ModelEntry {
  /** As used on the command line, e.g. 'unet', 'mobilenet_v2', 'resnet18'. */
  name: string;
  description: string;
  task: 'segmentation' | 'classification' | 'regression' | 'sequence';
  /** Builds the model from a partial config (unknown keys are an error). */
  create(config?: Record<string, unknown>): Module;
  /** The input shape (batch 1) for summaries, given the config and an optional square input size. */
  inputShape(config: Record<string, unknown>, size?: number): number[];
}

const entries = new Map<string, ModelEntry>();

export function registerModel(e: ModelEntry): void {
  if (entries.has(e.name)) throw new tn.TorchError(`a model named '${e.name}' is already registered`, 'registerModel');
  entries.set(e.name, e);
}

export function getModelEntry(name: string): ModelEntry {
  const e = entries.get(name);
  if (!e) throw new tn.TorchError(`unknown model '${name}'; known models: ${[...entries.keys()].sort().join(', ')}`, 'models');
  return e;
}

/** Builds a registered model by name. */
export function createModel(name: string, config: Record<string, unknown> = {}): Module {
  return getModelEntry(name).create(config);
}

export function listModels(): ModelEntry[] {
  return [...entries.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Rejects config keys a model does not know, naming them and the known ones. */
export function checkConfigKeys(model: string, config: Record<string, unknown>, known: readonly string[]): void {
  const bad = Object.keys(config).filter((k) => !known.includes(k));
  if (bad.length) throw new tn.TorchError(`unknown option${bad.length > 1 ? 's' : ''} ${bad.map((b) => `'${b}'`).join(', ')} for ${model}; known: ${known.join(', ')}`, model);
}
