/**
 * Deterministic splits of sample ids (e.g. file stems): train / validation /
 * test and k folds. The assignment depends only on the set of ids and the seed
 * (not on the order the ids come in); parts are disjoint and cover every id,
 * and list their ids in input order. Optional stratification by class label
 * keeps each class's share in every part (for classification data).
 */
import { TorchError } from '../torch/errors.js';
import { Rng } from './random.js';

/** A class label per id: an array parallel to ids, or a map / record from id to label. */
export type Labels = ArrayLike<number> | Map<string, number> | Record<string, number>;

export interface SplitOptions {
  /** Validation share: a fraction in [0, 1), or a count (an integer ≥ 1). Default 0. */
  val?: number;
  /** Test share, as val. Default 0. */
  test?: number;
  /** Default 0. */
  seed?: number;
  /** Stratify by these labels. */
  labels?: Labels;
}

export interface Split {
  train: string[];
  val: string[];
  test: string[];
}

export interface Fold {
  train: string[];
  val: string[];
}

function checkIds(ids: readonly string[], op: string): void {
  if (!Array.isArray(ids)) throw new TorchError(`ids must be an array of strings, got ${typeof ids}`, op);
  const seen = new Set<string>();
  for (const id of ids) {
    if (typeof id !== 'string') throw new TorchError(`ids must be strings, got ${typeof id}`, op);
    if (seen.has(id)) throw new TorchError(`duplicate id "${id}"`, op);
    seen.add(id);
  }
}

function labelOf(labels: Labels, ids: readonly string[], op: string): Map<string, number> {
  const out = new Map<string, number>();
  ids.forEach((id, i) => {
    let v: number | undefined;
    if (labels instanceof Map) v = labels.get(id);
    else if (Array.isArray(labels) || ArrayBuffer.isView(labels)) v = (labels as ArrayLike<number>)[i];
    else v = (labels as Record<string, number>)[id];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TorchError(`no numeric label for id "${id}"`, op);
    out.set(id, v);
  });
  return out;
}

/** Groups the ids by label (labels ascending), each group sorted then shuffled; one group when unstratified. */
function groups(ids: readonly string[], seed: number, labels: Labels | undefined, op: string): string[][] {
  const sorted = [...ids].sort();
  let gs: string[][];
  if (labels === undefined) {
    gs = [sorted];
  } else {
    const lab = labelOf(labels, ids, op);
    const by = new Map<number, string[]>();
    for (const id of sorted) {
      const l = lab.get(id)!;
      if (!by.has(l)) by.set(l, []);
      by.get(l)!.push(id);
    }
    gs = [...by.keys()].sort((a, b) => a - b).map((k) => by.get(k)!);
  }
  const rng = new Rng(seed);
  for (const g of gs) rng.shuffle(g);
  return gs;
}

function count(share: number | undefined, n: number, name: string, op: string): number {
  if (share === undefined) return 0;
  if (typeof share !== 'number' || !Number.isFinite(share) || share < 0) throw new TorchError(`${name} must be a fraction in [0, 1) or a count, got ${share}`, op);
  if (share < 1) return Math.round(share * n);
  if (!Number.isInteger(share)) throw new TorchError(`${name} must be a fraction in [0, 1) or an integer count, got ${share}`, op);
  return share;
}

/** Splits `total` over groups in proportion to their sizes (largest remainders; ties to earlier groups). */
function allocate(sizes: number[], total: number): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  if (n === 0) return sizes.map(() => 0);
  const exact = sizes.map((s) => (s * total) / n);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ r: e - Math.floor(e), i })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    if (out[i]! < sizes[i]!) {
      out[i]! += 1;
      left--;
    }
  }
  return out;
}

/** Disjoint train / val / test parts covering all ids. */
export function trainValTestSplit(ids: readonly string[], o: SplitOptions = {}): Split {
  const OP = 'trainValTestSplit';
  checkIds(ids, OP);
  const n = ids.length;
  const nVal = count(o.val, n, 'val', OP);
  const nTest = count(o.test, n, 'test', OP);
  if (nVal + nTest > n) throw new TorchError(`val (${nVal}) and test (${nTest}) together exceed the ${n} ids`, OP);
  const gs = groups(ids, o.seed ?? 0, o.labels, OP);
  const sizes = gs.map((g) => g.length);
  const vals = allocate(sizes, nVal);
  const tests = allocate(
    sizes.map((s, i) => s - vals[i]!),
    nTest,
  );
  const part = new Map<string, 'train' | 'val' | 'test'>();
  gs.forEach((g, i) => {
    g.forEach((id, j) => part.set(id, j < vals[i]! ? 'val' : j < vals[i]! + tests[i]! ? 'test' : 'train'));
  });
  const out: Split = { train: [], val: [], test: [] };
  for (const id of ids) out[part.get(id)!].push(id);
  return out;
}

/** k folds: fold i validates on its ids and trains on the rest; fold sizes differ by at most one. */
export function kFold(ids: readonly string[], k: number, seed = 0, o: { labels?: Labels } = {}): Fold[] {
  const OP = 'kFold';
  checkIds(ids, OP);
  if (!Number.isInteger(k) || k < 2) throw new TorchError(`k must be an integer ≥ 2, got ${k}`, OP);
  if (k > ids.length) throw new TorchError(`k (${k}) exceeds the number of ids (${ids.length})`, OP);
  // Classes one after another, dealt round-robin: each class spreads evenly over the folds.
  const order = groups(ids, seed, o.labels, OP).flat();
  const fold = new Map<string, number>();
  order.forEach((id, j) => fold.set(id, j % k));
  return Array.from({ length: k }, (_, i) => ({
    train: ids.filter((id) => fold.get(id) !== i),
    val: ids.filter((id) => fold.get(id) === i),
  }));
}
