/**
 * Serialisable dataset specs and the registry that turns them into datasets:
 * `datasetFromSpec({ kind: 'folder', root })`. A spec is plain data (plus typed
 * arrays / SharedArrayBuffers), so the DataLoader can send it to worker threads,
 * where each worker rebuilds its own dataset.
 *
 * Kinds built in:
 *   memory   { kind: 'memory', samples, numClasses?, description? }  samples held directly
 *   shared   { kind: 'shared', buffer, entries, ... }  samples packed in a SharedArrayBuffer
 *            (what `shareSpec` makes of a memory spec, so several workers read one copy)
 *   subset   { kind: 'subset', dataset: <spec>, indices }  (e.g. one part of a split)
 *   folder   { kind: 'folder', root, options? }  SegmentationFolder.open(root, options)
 *   classification-folder { kind: 'classification-folder', root, options? }
 *   idx      { kind: 'idx', images, labels, options? }  IdxDataset
 *
 * Hook for more kinds: a module calls `registerDatasetKind(kind, factory, { module: import.meta.url })`
 * when imported. The module URL travels to the workers, which import it before
 * building the dataset, so kinds registered in the main thread work there too.
 * Kinds listed in LAZY_MODULES are imported on first use (the module must
 * register its kind when loaded) — e.g. 'synthetic' → ./synthetic.js.
 * A Dataset object can name its own spec with `toSpec()`.
 */
import { TorchError } from '../torch/errors.js';
import type { Dataset, Sample } from './types.js';

const OP = 'datasetFromSpec';

export interface MemorySpec {
  kind: 'memory';
  samples: Sample[];
  /** Default: max mask value / label + 1 (at least 2 with masks). */
  numClasses?: number;
  description?: string;
}

/** One sample's place in a SharedSpec buffer. */
export interface SharedEntry {
  id: string;
  channels: number;
  height: number;
  width: number;
  /** Offset in float32 elements of the image, and its length (channels × height × width for a valid sample). */
  image: number;
  imageLength: number;
  /** Byte offset of the mask, or -1 without one, and its length. */
  mask: number;
  maskLength: number;
  label?: number;
}

export interface SharedSpec {
  kind: 'shared';
  buffer: SharedArrayBuffer;
  entries: SharedEntry[];
  numClasses: number;
  channels: number;
  description: string;
}

export interface SubsetSpec {
  kind: 'subset';
  dataset: DatasetSpec;
  indices: number[];
}

/** Any spec: a built-in one, or { kind, ...options } of a registered kind. */
export type DatasetSpec = MemorySpec | SharedSpec | SubsetSpec | { kind: string; [option: string]: unknown };

export type DatasetFactory = (spec: any) => Dataset | Promise<Dataset>;

interface Entry {
  factory: DatasetFactory;
  module?: string;
}

const registry = new Map<string, Entry>();

/** Modules (relative to this file) that register a kind when imported; loaded on first use. */
const LAZY_MODULES: Record<string, string> = {
  synthetic: './synthetic.js',
  csv: './csv.js',
};

/**
 * Registers a dataset kind. `module` (the registering module's import.meta.url)
 * lets worker threads import it and so know the kind too.
 */
export function registerDatasetKind(kind: string, factory: DatasetFactory, options: { module?: string } = {}): void {
  if (typeof kind !== 'string' || kind === '') throw new TorchError('kind must be a non-empty string', 'registerDatasetKind');
  if (typeof factory !== 'function') throw new TorchError(`factory of kind "${kind}" must be a function`, 'registerDatasetKind');
  registry.set(kind, { factory, module: options.module });
}

/** The kinds known now (registered or built in). */
export function datasetKinds(): string[] {
  return [...new Set([...registry.keys(), ...Object.keys(LAZY_MODULES)])].sort();
}

/** Module URLs of every kind registered with one (for worker threads to import). */
export function registeredModules(): string[] {
  return [...new Set([...registry.values()].map((e) => e.module).filter((m): m is string => typeof m === 'string'))];
}

/** Module URLs that a worker must import to build `spec` (the registering modules of its kinds). */
export function modulesFor(spec: DatasetSpec): string[] {
  const kinds = new Set<string>();
  const walk = (s: DatasetSpec) => {
    kinds.add(s.kind);
    if (s.kind === 'subset' && isDatasetSpec((s as SubsetSpec).dataset)) walk((s as SubsetSpec).dataset);
  };
  walk(spec);
  return [...new Set([...kinds].map((k) => registry.get(k)?.module).filter((m): m is string => typeof m === 'string'))];
}

export function isDatasetSpec(x: unknown): x is DatasetSpec {
  return x !== null && typeof x === 'object' && typeof (x as { kind?: unknown }).kind === 'string' && typeof (x as { get?: unknown }).get !== 'function';
}

function checkSpec(spec: unknown): asserts spec is DatasetSpec {
  if (!isDatasetSpec(spec)) throw new TorchError(`a dataset spec must be an object with a string "kind", got ${spec === null ? 'null' : typeof spec}`, OP);
}

/** Builds the dataset a spec names (imports the kind's module first when needed). */
export async function datasetFromSpec(spec: DatasetSpec): Promise<Dataset> {
  checkSpec(spec);
  if (spec.kind === 'subset') {
    const s = spec as SubsetSpec;
    return new SubsetDataset(await datasetFromSpec(s.dataset), s.indices);
  }
  if (!registry.has(spec.kind) && Object.hasOwn(LAZY_MODULES, spec.kind)) {
    const url = new URL(LAZY_MODULES[spec.kind]!, import.meta.url).href;
    try {
      await import(url);
    } catch (e) {
      throw new TorchError(`dataset kind "${spec.kind}": cannot load ${url}: ${(e as Error).message}`, OP);
    }
    if (!registry.has(spec.kind)) throw new TorchError(`dataset kind "${spec.kind}": ${url} did not register it (call registerDatasetKind)`, OP);
  }
  return await entryOf(spec.kind).factory(spec);
}

/** As datasetFromSpec, for kinds whose factory is synchronous and already loaded (memory, shared, idx, registered ones). */
export function datasetFromSpecSync(spec: DatasetSpec): Dataset {
  checkSpec(spec);
  if (spec.kind === 'subset') {
    const s = spec as SubsetSpec;
    return new SubsetDataset(datasetFromSpecSync(s.dataset), s.indices);
  }
  if (!registry.has(spec.kind)) {
    throw new TorchError(`dataset kind "${spec.kind}" is not loaded yet; use await datasetFromSpec(spec) (or await loader.init())`, OP);
  }
  const d = registry.get(spec.kind)!.factory(spec);
  if (d && typeof (d as Promise<Dataset>).then === 'function') {
    throw new TorchError(`dataset kind "${spec.kind}" opens asynchronously; use await datasetFromSpec(spec) (or await loader.init())`, OP);
  }
  return d as Dataset;
}

function entryOf(kind: string): Entry {
  const e = registry.get(kind);
  if (!e) throw new TorchError(
      `unknown dataset kind "${kind}" (known: ${datasetKinds().join(', ')}); kinds registered elsewhere reach worker threads when registered with { module: import.meta.url }`,
      OP,
    );
  return e;
}

/** The spec of a dataset object: its toSpec(), or a spec for the built-in classes; undefined if it has none. */
export function specOf(d: Dataset): DatasetSpec | undefined {
  const any = d as unknown as Record<string, unknown>;
  if (typeof any.toSpec === 'function') return (any.toSpec as () => DatasetSpec).call(d);
  if (d instanceof MemoryDataset) return d.spec;
  if (d instanceof SharedDataset) return d.spec;
  if (d instanceof SubsetDataset) {
    const inner = specOf(d.dataset);
    return inner ? { kind: 'subset', dataset: inner, indices: [...d.indices] } : undefined;
  }
  const name = d.constructor?.name;
  if (name === 'SegmentationFolder' && typeof any.resolvedOptions === 'function') {
    const o = (any.resolvedOptions as () => Record<string, unknown>).call(d);
    const { root, ...options } = o;
    return { kind: 'folder', root, options };
  }
  if (name === 'IdxDataset' && typeof any.imagesPath === 'string' && typeof any.labelsPath === 'string') {
    const classNames = any.classNames as string[] | undefined;
    return { kind: 'idx', images: any.imagesPath, labels: any.labelsPath, options: { limit: d.length, ...(classNames ? { classNames: [...classNames] } : {}) } };
  }
  return undefined;
}

/** A memory spec of the given samples. */
export function memorySpec(samples: Sample[], options: { numClasses?: number; description?: string } = {}): MemorySpec {
  return { kind: 'memory', samples, ...options };
}

/** Reads every sample of a dataset into a memory spec (for small datasets without a spec of their own). */
export async function materialize(d: Dataset): Promise<MemorySpec> {
  const samples: Sample[] = [];
  for (let i = 0; i < d.length; i++) samples.push(await d.get(i));
  return { kind: 'memory', samples, numClasses: d.numClasses, description: d.describe() };
}

/**
 * The spec to send to worker threads: memory specs become shared specs (all
 * samples packed once into a SharedArrayBuffer that every worker reads without
 * a copy); other specs are returned as they are (subsets recursively).
 */
export function shareSpec(spec: DatasetSpec): DatasetSpec {
  checkSpec(spec);
  if (spec.kind === 'subset') return { ...(spec as SubsetSpec), dataset: shareSpec((spec as SubsetSpec).dataset) };
  if (spec.kind !== 'memory') return spec;
  const m = new MemoryDataset(spec as MemorySpec);
  let floats = 0;
  let bytes = 0;
  for (const s of m.samples) {
    floats += s.image.length;
    bytes += s.mask ? s.mask.length : 0;
  }
  const buffer = new SharedArrayBuffer(floats * 4 + bytes);
  const f32 = new Float32Array(buffer, 0, floats);
  const u8 = new Uint8Array(buffer);
  const entries: SharedEntry[] = [];
  let fo = 0;
  let bo = floats * 4;
  for (const s of m.samples) {
    f32.set(s.image, fo);
    const e: SharedEntry = { id: s.id, channels: s.channels, height: s.height, width: s.width, image: fo, imageLength: s.image.length, mask: -1, maskLength: 0 };
    fo += s.image.length;
    if (s.mask) {
      u8.set(s.mask, bo);
      e.mask = bo;
      e.maskLength = s.mask.length;
      bo += s.mask.length;
    }
    if (s.label !== undefined) e.label = s.label;
    entries.push(e);
  }
  return { kind: 'shared', buffer, entries, numClasses: m.numClasses, channels: m.channels, description: m.describe() };
}

function inferClasses(samples: Sample[]): number {
  let max = -1;
  let masks = false;
  for (const s of samples) {
    if (s.mask) {
      masks = true;
      for (let i = 0; i < s.mask.length; i++) if (s.mask[i]! > max && s.mask[i]! !== 255) max = s.mask[i]!;
    }
    if (s.label !== undefined && s.label > max) max = s.label;
  }
  return masks ? Math.max(2, max + 1) : Math.max(0, max + 1);
}

function checkIndex(i: number, n: number, what: string): void {
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new TorchError(`index ${i} out of range for ${n} samples`, `${what}.get`);
}

/** Samples held in memory (get returns them as they are: callers must not modify them). */
export class MemoryDataset implements Dataset {
  readonly samples: Sample[];
  readonly numClasses: number;
  readonly channels: number;
  readonly spec: MemorySpec;

  constructor(spec: MemorySpec) {
    if (!Array.isArray(spec.samples)) throw new TorchError('a memory spec needs samples: an array of Samples', OP);
    this.spec = spec;
    this.samples = spec.samples;
    this.numClasses = spec.numClasses ?? inferClasses(spec.samples);
    this.channels = spec.samples[0]?.channels ?? 0;
  }
  get length(): number {
    return this.samples.length;
  }
  get(index: number): Sample {
    checkIndex(index, this.samples.length, 'MemoryDataset');
    return this.samples[index]!;
  }
  describe(): string {
    return this.spec.description ?? `${this.samples.length} samples in memory`;
  }
}

/** Samples packed in a SharedArrayBuffer; get returns views on it (callers must not modify them). */
export class SharedDataset implements Dataset {
  readonly numClasses: number;
  readonly channels: number;
  readonly spec: SharedSpec;

  constructor(spec: SharedSpec) {
    if (!(spec.buffer instanceof SharedArrayBuffer) || !Array.isArray(spec.entries)) throw new TorchError('a shared spec needs buffer (SharedArrayBuffer) and entries', OP);
    this.spec = spec;
    this.numClasses = spec.numClasses;
    this.channels = spec.channels;
  }
  get length(): number {
    return this.spec.entries.length;
  }
  get(index: number): Sample {
    checkIndex(index, this.spec.entries.length, 'SharedDataset');
    const e = this.spec.entries[index]!;
    const s: Sample = {
      id: e.id,
      image: new Float32Array(this.spec.buffer, e.image * 4, e.imageLength),
      channels: e.channels,
      height: e.height,
      width: e.width,
    };
    if (e.mask >= 0) s.mask = new Uint8Array(this.spec.buffer, e.mask, e.maskLength);
    if (e.label !== undefined) s.label = e.label;
    return s;
  }
  describe(): string {
    return this.spec.description;
  }
}

/** The samples of `dataset` at `indices`, in that order. */
export class SubsetDataset implements Dataset {
  readonly indices: readonly number[];
  constructor(
    readonly dataset: Dataset,
    indices: readonly number[],
  ) {
    if (!Array.isArray(indices)) throw new TorchError('a subset needs indices: an array of integers', OP);
    for (const i of indices) checkIndex(i, dataset.length, 'SubsetDataset');
    this.indices = [...indices];
  }
  get length(): number {
    return this.indices.length;
  }
  get numClasses(): number {
    return this.dataset.numClasses;
  }
  get channels(): number {
    return this.dataset.channels;
  }
  get(index: number): Sample | Promise<Sample> {
    checkIndex(index, this.indices.length, 'SubsetDataset');
    return this.dataset.get(this.indices[index]!);
  }
  describe(): string {
    return `${this.indices.length} of ${this.dataset.describe()}`;
  }
}

registerDatasetKind('memory', (spec: MemorySpec) => new MemoryDataset(spec));
registerDatasetKind('shared', (spec: SharedSpec) => new SharedDataset(spec));
registerDatasetKind('folder', async (spec: { root?: unknown; options?: Record<string, unknown> }) => {
  if (typeof spec.root !== 'string') throw new TorchError('a folder spec needs root: the folder path', OP);
  const { SegmentationFolder } = await import('./folder.js');
  return SegmentationFolder.open(spec.root, (spec.options ?? {}) as never);
});
registerDatasetKind('classification-folder', async (spec: { root?: unknown; options?: Record<string, unknown> }) => {
  if (typeof spec.root !== 'string') throw new TorchError('a classification-folder spec needs root: the folder path', OP);
  const { ClassificationFolder } = await import('./folder.js');
  return ClassificationFolder.open(spec.root, (spec.options ?? {}) as never);
});
registerDatasetKind('idx', async (spec: { images?: unknown; labels?: unknown; options?: Record<string, unknown> }) => {
  if (typeof spec.images !== 'string' || typeof spec.labels !== 'string') throw new TorchError('an idx spec needs images and labels: the IDX file paths', OP);
  const { IdxDataset } = await import('./idx.js');
  return new IdxDataset(spec.images, spec.labels, (spec.options ?? {}) as never);
});
