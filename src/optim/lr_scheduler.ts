/**
 * Learning-rate schedules, as torch.optim.lr_scheduler of PyTorch 1.13.
 *
 * Every scheduler computes the same values as PyTorch: the recursive ("chainable") formulas of
 * `get_lr()` on a plain `step()`, and the closed forms of `_get_closed_form_lr()` where PyTorch uses
 * them (`step(epoch)`, and the first step after a milestone of SequentialLR). Options are PyTorch's
 * keyword arguments in camelCase, given as one object:
 *
 *     const sched = new tn.optim.lrScheduler.StepLR(opt, { stepSize: 30, gamma: 0.1 });
 *     for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(); }
 *
 * A scheduler writes `lr` of each param group of the optimizer, and keeps the group's starting
 * learning rate in `initialLr` (PyTorch's 'initial_lr'). OneCycleLR also writes `maxLr`, `minLr`,
 * `maxMomentum`, `baseMomentum` and cycles `momentum` (or `betas[0]`) of the groups.
 *
 * nnU-Net's "poly" schedule, lr(epoch) = initialLr * (1 - epoch / maxEpochs) ** 0.9, is
 *
 *     new PolynomialLR(opt, { totalIters: maxEpochs, power: 0.9 })
 *
 * stepped once at the end of every epoch: after `epoch` steps the group's lr is that value (to
 * rounding: PyTorch's and this PolynomialLR multiply per-step factors, which agree with the closed
 * form to about 1e-14 relative), and 0 from epoch maxEpochs on.
 *
 * State dicts (`stateDict()` / `loadStateDict()`) are plain JSON-able objects: non-finite numbers
 * are stored as the strings 'inf', '-inf' and 'nan'. As in PyTorch, save and load the optimizer's
 * state along with the scheduler's (the groups hold `lr` and `initialLr`); the functions of
 * LambdaLR and MultiplicativeLR are not saved.
 *
 * Stricter than PyTorch: options are checked when the scheduler is made (a bad value is a
 * tn.TorchError naming the scheduler and the option), where PyTorch accepts many of them (a
 * negative gamma, patience or factor, decreasing milestones, ...) and fails later or never.
 */
import { TorchError } from '../torch/errors.js';

/** What a scheduler needs of an optimizer: its param groups, each with a learning rate. */
export interface OptimizerLike {
  paramGroups: { lr: number; [k: string]: unknown }[];
}

type Group = OptimizerLike['paramGroups'][number];

/** A JSON value: what state dicts hold. */
export type StateValue = number | string | boolean | null | StateValue[] | { [k: string]: StateValue };
/** The state of a scheduler, as returned by stateDict(). */
export type SchedulerStateDict = { [k: string]: StateValue };

// ---------------------------------------------------------------------------------------------
// Checks

function fail(sched: string, detail: string): never {
  throw new TorchError(detail, sched);
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  return String(v);
}

/** Rejects option names the scheduler does not know (a typo, or a snake_case PyTorch name). */
function checkKeys(sched: string, options: object | undefined, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail(sched, `options must be an object, got ${show(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) fail(sched, `unknown option '${k}' (options: ${allowed.join(', ')})`);
  }
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

interface Range {
  gt?: number;
  ge?: number;
  lt?: number;
  le?: number;
  int?: boolean;
}

function describe(r: Range): string {
  const parts: string[] = [];
  if (r.gt !== undefined) parts.push(`> ${r.gt}`);
  if (r.ge !== undefined) parts.push(`>= ${r.ge}`);
  if (r.lt !== undefined) parts.push(`< ${r.lt}`);
  if (r.le !== undefined) parts.push(`<= ${r.le}`);
  return `${r.int ? 'an integer' : 'a finite number'}${parts.length ? ' ' + parts.join(' and ') : ''}`;
}

function inRange(v: unknown, r: Range): v is number {
  if (!isNum(v)) return false;
  if (r.int && !Number.isInteger(v)) return false;
  if (r.gt !== undefined && !(v > r.gt)) return false;
  if (r.ge !== undefined && !(v >= r.ge)) return false;
  if (r.lt !== undefined && !(v < r.lt)) return false;
  if (r.le !== undefined && !(v <= r.le)) return false;
  return true;
}

function checkNum(sched: string, name: string, v: unknown, r: Range): number {
  if (!inRange(v, r)) fail(sched, `${name} must be ${describe(r)}, got ${show(v)}`);
  return v;
}

/** A number, or one number per param group. */
function perGroup(sched: string, name: string, v: unknown, nGroups: number, r: Range): number[] {
  if (Array.isArray(v)) {
    if (v.length !== nGroups) fail(sched, `expected ${nGroups} values for ${name} (one per param group), got ${v.length}`);
    return v.map((x, i) => checkNum(sched, `${name}[${i}]`, x, r));
  }
  const x = checkNum(sched, name, v, r);
  return new Array<number>(nGroups).fill(x);
}

function checkOptimizer(sched: string, optimizer: unknown): OptimizerLike {
  const groups = (optimizer as OptimizerLike | null)?.paramGroups;
  if (!Array.isArray(groups) || groups.length === 0) {
    fail(sched, 'optimizer must be an optimizer with at least one param group (an object with paramGroups)');
  }
  groups.forEach((g, i) => {
    if (g === null || typeof g !== 'object' || typeof g.lr !== 'number') {
      fail(sched, `param group ${i} of the optimizer has no numeric lr`);
    }
  });
  return optimizer as OptimizerLike;
}

function checkLastEpoch(sched: string, v: unknown): number {
  return checkNum(sched, 'lastEpoch', v, { int: true, ge: -1 });
}

/** Python's bisect_right on a sorted array: how many elements are <= x. */
function bisectRight(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < a[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function groupNumber(sched: string, g: Group, key: string, i: number): number {
  const v = g[key];
  if (typeof v !== 'number') fail(sched, `param group ${i} has no numeric '${key}'`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// State dicts: plain JSON data

function encode(v: unknown, path: string): StateValue {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'nan';
    if (v === Infinity) return 'inf';
    if (v === -Infinity) return '-inf';
    return v;
  }
  if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
  if (Array.isArray(v)) return v.map((x, i) => encode(x, `${path}[${i}]`));
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    const out: { [k: string]: StateValue } = {};
    for (const [k, x] of Object.entries(v)) out[k] = encode(x, `${path}.${k}`);
    return out;
  }
  throw new TorchError(`cannot store ${path} (${typeof v}) in a state dict`, 'stateDict');
}

function decode(v: StateValue): unknown {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = decode(x);
    return out;
  }
  return v;
}

/** Own fields of `obj` but the skipped ones (the optimizer, functions, wrapped schedulers). */
function collectState(obj: object, skip: ReadonlySet<string>): SchedulerStateDict {
  const out: SchedulerStateDict = {};
  for (const [k, v] of Object.entries(obj)) {
    if (skip.has(k) || typeof v === 'function') continue;
    out[k] = encode(v, k);
  }
  return out;
}

function applyState(obj: object, sd: SchedulerStateDict, sched: string, skip: ReadonlySet<string>): void {
  if (sd === null || typeof sd !== 'object' || Array.isArray(sd)) fail(sched, 'loadStateDict: the state dict must be an object');
  const target = obj as Record<string, unknown>;
  for (const k of Object.keys(sd)) {
    if (skip.has(k) || !Object.prototype.hasOwnProperty.call(obj, k) || typeof target[k] === 'function') {
      fail(sched, `loadStateDict: unexpected key '${k}' (a state dict of another scheduler?)`);
    }
  }
  for (const [k, v] of Object.entries(sd)) target[k] = decode(v);
}

// ---------------------------------------------------------------------------------------------
// Base class

const BASE_SKIP = new Set(['optimizer', 'schedName', 'lrLambdas']);

/**
 * The base of the epoch-indexed schedulers (PyTorch's _LRScheduler). `step()` advances
 * `lastEpoch` by one and sets each group's lr by the scheduler's recursive formula;
 * `step(epoch)` jumps to `epoch` with the closed form where the scheduler has one (deprecated in
 * PyTorch, kept for SequentialLR and for resuming).
 */
export abstract class LRScheduler {
  readonly optimizer: OptimizerLike;
  /** The number of the last step: -1 before the first, 0 right after construction. */
  lastEpoch = -1;
  /** The groups' initialLr when the scheduler was made. */
  baseLrs: number[] = [];
  /** How many times step() ran (PyTorch's _step_count). */
  stepCount = 0;
  protected lastLr: number[] = [];
  /** @internal The name in error messages. */
  protected readonly schedName: string;

  protected constructor(optimizer: OptimizerLike, name: string) {
    this.schedName = name;
    this.optimizer = checkOptimizer(name, optimizer);
  }

  /**
   * Sets initialLr and baseLrs and takes the initial step (PyTorch's _LRScheduler.__init__);
   * subclasses call it once their options are set.
   */
  protected attach(lastEpoch: number): void {
    const groups = this.optimizer.paramGroups;
    if (lastEpoch === -1) {
      for (const g of groups) if (!('initialLr' in g)) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (!('initialLr' in g)) {
          fail(this.schedName, `param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer (lastEpoch = ${lastEpoch})`);
        }
      });
    }
    this.baseLrs = groups.map((g, i) => groupNumber(this.schedName, g, 'initialLr', i));
    this.lastEpoch = lastEpoch;
    this.initialStep();
  }

  /** @internal Resets the step count and takes the first step (PyTorch's _initial_step). */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The recursive ("chainable") formula: the lrs for the new lastEpoch. */
  protected abstract computeLr(): number[];

  /** The closed form at lastEpoch, used by step(epoch); null where PyTorch has none. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /**
   * Advances the schedule by one step, or, given `epoch`, sets lastEpoch to it and uses the
   * closed form (or the recursive formula where the scheduler has no closed form), as PyTorch.
   */
  step(epoch?: number): void {
    this.stepCount += 1;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.computeLr();
    } else {
      this.lastEpoch = checkNum(this.schedName, 'epoch', epoch, { ge: 0 });
      values = this.closedFormLr() ?? this.computeLr();
    }
    this.setLrs(values);
  }

  protected setLrs(values: number[]): void {
    const groups = this.optimizer.paramGroups;
    const n = Math.min(groups.length, values.length);
    for (let i = 0; i < n; i++) groups[i].lr = values[i];
    this.lastLr = groups.map((g) => g.lr);
  }

  /** The lrs the last step set, one per param group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's state (every field but the optimizer) as plain JSON data. */
  stateDict(): SchedulerStateDict {
    return collectState(this, BASE_SKIP);
  }

  /** Restores a state from stateDict(). Load the optimizer's state too. */
  loadStateDict(stateDict: SchedulerStateDict): void {
    applyState(this, stateDict, this.schedName, BASE_SKIP);
  }
}

// ---------------------------------------------------------------------------------------------
// LambdaLR, MultiplicativeLR

/** A function of the epoch number giving a factor. */
export type LrLambda = (epoch: number) => number;

function lambdas(sched: string, v: unknown, nGroups: number): LrLambda[] {
  if (Array.isArray(v)) {
    if (v.length !== nGroups) fail(sched, `expected ${nGroups} lrLambdas (one per param group), got ${v.length}`);
    v.forEach((f, i) => {
      if (typeof f !== 'function') fail(sched, `lrLambda[${i}] must be a function, got ${show(f)}`);
    });
    return [...v] as LrLambda[];
  }
  if (typeof v !== 'function') fail(sched, `lrLambda must be a function or a list of functions, got ${show(v)}`);
  return new Array<LrLambda>(nGroups).fill(v as LrLambda);
}

function callLambda(sched: string, f: LrLambda, epoch: number): number {
  const x = f(epoch);
  if (typeof x !== 'number') fail(sched, `lrLambda(${epoch}) returned ${show(x)}, not a number`);
  return x;
}

export interface LambdaLROptions {
  /** factor(epoch), or one function per param group: lr = initialLr * factor(epoch). */
  lrLambda: LrLambda | LrLambda[];
  lastEpoch?: number;
}

export interface MultiplicativeLROptions {
  /** factor(epoch), or one function per param group: lr *= factor(epoch) at each step. */
  lrLambda: LrLambda | LrLambda[];
  lastEpoch?: number;
}

/** The schedulers driven by user functions of the epoch (one per param group). */
abstract class LambdaDrivenLR extends LRScheduler {
  lrLambdas: LrLambda[];

  protected constructor(optimizer: OptimizerLike, options: LambdaLROptions, name: string) {
    super(optimizer, name);
    checkKeys(name, options, ['lrLambda', 'lastEpoch']);
    this.lrLambdas = lambdas(name, options?.lrLambda, this.optimizer.paramGroups.length);
    this.attach(checkLastEpoch(name, options.lastEpoch ?? -1));
  }

  /** start[i] * lrLambda_i(lastEpoch) for each group. */
  protected scaled(start: number[]): number[] {
    const n = Math.min(this.lrLambdas.length, start.length);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(start[i] * callLambda(this.schedName, this.lrLambdas[i], this.lastEpoch));
    return out;
  }
}

/** lr = initialLr * lrLambda(epoch). */
export class LambdaLR extends LambdaDrivenLR {
  constructor(optimizer: OptimizerLike, options: LambdaLROptions) {
    super(optimizer, options, 'LambdaLR');
  }

  protected computeLr(): number[] {
    return this.scaled(this.baseLrs);
  }
}

/** lr = lr * lrLambda(epoch) at each step after the first. */
export class MultiplicativeLR extends LambdaDrivenLR {
  constructor(optimizer: OptimizerLike, options: MultiplicativeLROptions) {
    super(optimizer, options, 'MultiplicativeLR');
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch > 0) return this.scaled(groups.map((g) => g.lr));
    return groups.map((g) => g.lr);
  }
}

// ---------------------------------------------------------------------------------------------
// StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR

export interface StepLROptions {
  /** Decay every stepSize epochs (a positive integer). */
  stepSize: number;
  /** Multiplicative factor of decay (> 0). Default 0.1. */
  gamma?: number;
  lastEpoch?: number;
}

/** Multiplies the lr by gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: OptimizerLike, options: StepLROptions) {
    super(optimizer, 'StepLR');
    checkKeys('StepLR', options, ['stepSize', 'gamma', 'lastEpoch']);
    this.stepSize = checkNum('StepLR', 'stepSize', options?.stepSize, { int: true, ge: 1 });
    this.gamma = checkNum('StepLR', 'gamma', options.gamma ?? 0.1, { gt: 0 });
    this.attach(checkLastEpoch('StepLR', options.lastEpoch ?? -1));
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

export interface MultiStepLROptions {
  /** Epochs at which to multiply the lr by gamma: non-negative integers, non-decreasing (a repeated milestone applies gamma once per repetition, as PyTorch). */
  milestones: number[];
  /** Multiplicative factor of decay (> 0). Default 0.1. */
  gamma?: number;
  lastEpoch?: number;
}

/** Multiplies the lr by gamma at each milestone. */
export class MultiStepLR extends LRScheduler {
  /** Sorted; repeated values count several times (PyTorch's Counter). */
  milestones: number[];
  gamma: number;

  constructor(optimizer: OptimizerLike, options: MultiStepLROptions) {
    super(optimizer, 'MultiStepLR');
    checkKeys('MultiStepLR', options, ['milestones', 'gamma', 'lastEpoch']);
    const ms = options?.milestones;
    if (!Array.isArray(ms)) fail('MultiStepLR', `milestones must be a list of epoch numbers, got ${show(ms)}`);
    ms.forEach((m, i) => {
      checkNum('MultiStepLR', `milestones[${i}]`, m, { int: true, ge: 0 });
      if (i > 0 && m < ms[i - 1]) fail('MultiStepLR', `milestones must be increasing, got ${show(ms)}`);
    });
    this.milestones = [...ms];
    this.gamma = checkNum('MultiStepLR', 'gamma', options.gamma ?? 0.1, { gt: 0 });
    this.attach(checkLastEpoch('MultiStepLR', options.lastEpoch ?? -1));
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (count === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    const sorted = [...this.milestones].sort((a, b) => a - b);
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(sorted, this.lastEpoch));
  }
}

export interface ConstantLROptions {
  /** The factor applied until totalIters, in (0, 1]. Default 1/3. */
  factor?: number;
  /** Number of steps with the reduced lr (a positive integer). Default 5. */
  totalIters?: number;
  lastEpoch?: number;
}

/** Multiplies the lr by a constant factor until totalIters steps. */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;

  constructor(optimizer: OptimizerLike, options: ConstantLROptions = {}) {
    super(optimizer, 'ConstantLR');
    checkKeys('ConstantLR', options, ['factor', 'totalIters', 'lastEpoch']);
    this.factor = checkNum('ConstantLR', 'factor', options.factor ?? 1.0 / 3, { gt: 0, le: 1 });
    this.totalIters = checkNum('ConstantLR', 'totalIters', options.totalIters ?? 5, { int: true, ge: 1 });
    this.attach(checkLastEpoch('ConstantLR', options.lastEpoch ?? -1));
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch > this.totalIters || this.lastEpoch !== this.totalIters) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1.0 / this.factor));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }
}

export interface LinearLROptions {
  /** The factor at the first step, in (0, 1]. Default 1/3. */
  startFactor?: number;
  /** The factor from totalIters on, in [0, 1]. Default 1. */
  endFactor?: number;
  /** Number of steps to go from startFactor to endFactor (a positive integer). Default 5. */
  totalIters?: number;
  lastEpoch?: number;
}

/**
 * Changes the lr factor linearly from startFactor to endFactor over totalIters steps: a linear
 * warm-up with endFactor 1. startFactor 0 is refused (PyTorch's recursive formula divides by it:
 * use a small positive value).
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: OptimizerLike, options: LinearLROptions = {}) {
    super(optimizer, 'LinearLR');
    checkKeys('LinearLR', options, ['startFactor', 'endFactor', 'totalIters', 'lastEpoch']);
    this.startFactor = checkNum('LinearLR', 'startFactor', options.startFactor ?? 1.0 / 3, { gt: 0, le: 1 });
    this.endFactor = checkNum('LinearLR', 'endFactor', options.endFactor ?? 1.0, { ge: 0, le: 1 });
    this.totalIters = checkNum('LinearLR', 'totalIters', options.totalIters ?? 5, { int: true, ge: 1 });
    this.attach(checkLastEpoch('LinearLR', options.lastEpoch ?? -1));
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return groups.map((g) => g.lr);
    const s = this.startFactor;
    const e = this.endFactor;
    return groups.map((g) => g.lr * (1 + (e - s) / (this.totalIters * s + (this.lastEpoch - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const s = this.startFactor;
    const e = this.endFactor;
    return this.baseLrs.map((b) => b * (s + ((e - s) * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters));
  }
}

export interface ExponentialLROptions {
  /** Multiplicative factor of decay per step (> 0). */
  gamma: number;
  lastEpoch?: number;
}

/** Multiplies the lr by gamma every step. */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: OptimizerLike, options: ExponentialLROptions) {
    super(optimizer, 'ExponentialLR');
    checkKeys('ExponentialLR', options, ['gamma', 'lastEpoch']);
    this.gamma = checkNum('ExponentialLR', 'gamma', options?.gamma, { gt: 0 });
    this.attach(checkLastEpoch('ExponentialLR', options.lastEpoch ?? -1));
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

export interface PolynomialLROptions {
  /** Number of steps over which the lr decays to 0 (a positive integer). Default 5. */
  totalIters?: number;
  /** The power of the polynomial (>= 0). Default 1. */
  power?: number;
  lastEpoch?: number;
}

/**
 * lr = initialLr * (1 - min(epoch, totalIters) / totalIters) ** power, computed step by step as
 * PyTorch. nnU-Net's poly schedule is `{ totalIters: maxEpochs, power: 0.9 }`.
 */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;

  constructor(optimizer: OptimizerLike, options: PolynomialLROptions = {}) {
    super(optimizer, 'PolynomialLR');
    checkKeys('PolynomialLR', options, ['totalIters', 'power', 'lastEpoch']);
    this.totalIters = checkNum('PolynomialLR', 'totalIters', options.totalIters ?? 5, { int: true, ge: 1 });
    this.power = checkNum('PolynomialLR', 'power', options.power ?? 1.0, { ge: 0 });
    this.attach(checkLastEpoch('PolynomialLR', options.lastEpoch ?? -1));
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return groups.map((g) => g.lr);
    const t = this.totalIters;
    const decay = ((1.0 - this.lastEpoch / t) / (1.0 - (this.lastEpoch - 1) / t)) ** this.power;
    return groups.map((g) => g.lr * decay);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (1.0 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
}

// ---------------------------------------------------------------------------------------------
// Cosine annealing

export interface CosineAnnealingLROptions {
  /** Half period, in steps (> 0). */
  TMax: number;
  /** Minimum lr (>= 0). Default 0. */
  etaMin?: number;
  lastEpoch?: number;
}

/**
 * Cosine annealing from initialLr to etaMin over TMax steps (and back up over the next TMax, as
 * PyTorch: it does not restart).
 */
export class CosineAnnealingLR extends LRScheduler {
  TMax: number;
  etaMin: number;

  constructor(optimizer: OptimizerLike, options: CosineAnnealingLROptions) {
    super(optimizer, 'CosineAnnealingLR');
    checkKeys('CosineAnnealingLR', options, ['TMax', 'etaMin', 'lastEpoch']);
    this.TMax = checkNum('CosineAnnealingLR', 'TMax', options?.TMax, { gt: 0 });
    this.etaMin = checkNum('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0, { ge: 0 });
    this.attach(checkLastEpoch('CosineAnnealingLR', options.lastEpoch ?? -1));
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { lastEpoch: k, TMax: T, etaMin } = this;
    if (k === 0) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && k > 0) {
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((k * Math.PI) / T))) / 2);
    }
    if ((k - 1 - T) % (2 * T) === 0) {
      const n = Math.min(this.baseLrs.length, groups.length);
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push(groups[i].lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
      return out;
    }
    return groups.map((g) => ((1 + Math.cos((Math.PI * k) / T)) / (1 + Math.cos((Math.PI * (k - 1)) / T))) * (g.lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: k, TMax: T, etaMin } = this;
    return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((Math.PI * k) / T))) / 2);
  }
}

export interface CosineAnnealingWarmRestartsOptions {
  /** Steps until the first restart (a positive integer). */
  T0: number;
  /** Factor by which the period grows after each restart (an integer >= 1). Default 1. */
  TMult?: number;
  /** Minimum lr (>= 0). Default 0. */
  etaMin?: number;
  lastEpoch?: number;
}

/**
 * SGDR: cosine annealing from initialLr to etaMin, restarting after T0, T0*TMult, ... steps.
 * `step()` advances by one; `step(epoch)` jumps to `epoch`, which may be fractional (e.g.
 * `epoch + batch / batchesPerEpoch`, stepping after every batch).
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  T0: number;
  Ti: number;
  TMult: number;
  etaMin: number;
  Tcur: number;

  constructor(optimizer: OptimizerLike, options: CosineAnnealingWarmRestartsOptions) {
    super(optimizer, 'CosineAnnealingWarmRestarts');
    const name = 'CosineAnnealingWarmRestarts';
    checkKeys(name, options, ['T0', 'TMult', 'etaMin', 'lastEpoch']);
    this.T0 = checkNum(name, 'T0', options?.T0, { int: true, ge: 1 });
    this.Ti = this.T0;
    this.TMult = checkNum(name, 'TMult', options.TMult ?? 1, { int: true, ge: 1 });
    this.etaMin = checkNum(name, 'etaMin', options.etaMin ?? 0, { ge: 0 });
    const lastEpoch = checkLastEpoch(name, options.lastEpoch ?? -1);
    this.Tcur = lastEpoch;
    this.attach(lastEpoch);
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.Tcur) / this.Ti))) / 2);
  }

  /** One step, or a jump to `epoch` (>= 0, may be fractional). */
  override step(epoch?: number): void {
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.Tcur = this.Tcur + 1;
      if (this.Tcur >= this.Ti) {
        this.Tcur = this.Tcur - this.Ti;
        this.Ti = this.Ti * this.TMult;
      }
    } else {
      checkNum(this.schedName, 'epoch', epoch, { ge: 0 });
      if (epoch >= this.T0) {
        if (this.TMult === 1) {
          this.Tcur = epoch % this.T0;
        } else {
          const n = Math.trunc(Math.log((epoch / this.T0) * (this.TMult - 1) + 1) / Math.log(this.TMult));
          this.Tcur = epoch - (this.T0 * (this.TMult ** n - 1)) / (this.TMult - 1);
          this.Ti = this.T0 * this.TMult ** n;
        }
      } else {
        this.Ti = this.T0;
        this.Tcur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    this.setLrs(this.computeLr());
  }
}

// ---------------------------------------------------------------------------------------------
// SequentialLR, ChainedScheduler

const NESTED_SKIP = new Set(['optimizer', 'schedName', 'schedulers']);

export interface SequentialLROptions {
  /** The schedulers, all of the same optimizer, made (in order) just before this one. */
  schedulers: LRScheduler[];
  /** Steps at which to switch to the next scheduler: positive integers, increasing, one fewer than schedulers. */
  milestones: number[];
  lastEpoch?: number;
}

/**
 * Runs schedulers one after another, switching at the milestones; e.g. a linear warm-up and then
 * cosine annealing:
 *
 *     const warm = new LinearLR(opt, { startFactor: 0.01, totalIters: 5 });
 *     const cos = new CosineAnnealingLR(opt, { TMax: 95 });
 *     const sched = new SequentialLR(opt, { schedulers: [warm, cos], milestones: [5] });
 *
 * As PyTorch, a scheduler starts (at its epoch 0, by its closed form where it has one) at its
 * milestone, from the lr its predecessor left.
 */
export class SequentialLR extends LRScheduler {
  schedulers: LRScheduler[];
  milestones: number[];

  constructor(optimizer: OptimizerLike, options: SequentialLROptions) {
    super(optimizer, 'SequentialLR');
    const name = 'SequentialLR';
    checkKeys(name, options, ['schedulers', 'milestones', 'lastEpoch']);
    const { schedulers, milestones } = options ?? ({} as SequentialLROptions);
    if (!Array.isArray(schedulers) || schedulers.length === 0) fail(name, 'schedulers must be a non-empty list of schedulers');
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) fail(name, `schedulers[${i}] is not a scheduler (ReduceLROnPlateau cannot be sequenced)`);
      if (s.optimizer !== optimizer) {
        fail(name, `schedulers[${i}] belongs to another optimizer: all schedulers must belong to the optimizer passed in`);
      }
    });
    if (!Array.isArray(milestones)) fail(name, `milestones must be a list of step numbers, got ${show(milestones)}`);
    if (milestones.length !== schedulers.length - 1) {
      fail(name, `milestones must have one fewer entry than schedulers, got ${schedulers.length} schedulers and ${milestones.length} milestones`);
    }
    milestones.forEach((m, i) => {
      checkNum(name, `milestones[${i}]`, m, { int: true, ge: 1 });
      if (i > 0 && !(m > milestones[i - 1])) fail(name, `milestones must be increasing, got ${show(milestones)}`);
    });
    const lastEpoch = checkLastEpoch(name, options.lastEpoch ?? -1);
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = lastEpoch + 1;
    const groups = this.optimizer.paramGroups;
    // Reset learning rates back to initial values.
    groups.forEach((g, i) => {
      g.lr = groupNumber(name, g, 'initialLr', i);
    });
    this.baseLrs = groups.map((g) => g.lr);
    // "Undo" the step performed by the other schedulers, and take the first one's initial step.
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0].initialStep();
    this.lastLr = this.schedulers[0].getLastLr();
  }

  protected computeLr(): number[] {
    return this.getLastLr();
  }

  /** Steps the scheduler of the current phase (takes no epoch). */
  override step(epoch?: number): void {
    if (epoch !== undefined) fail(this.schedName, 'step() takes no epoch');
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  /** This scheduler's state, with the wrapped schedulers' states under `schedulers`. */
  override stateDict(): SchedulerStateDict {
    const sd = collectState(this, NESTED_SKIP);
    sd.schedulers = this.schedulers.map((s) => s.stateDict());
    return sd;
  }

  override loadStateDict(stateDict: SchedulerStateDict): void {
    loadNested(this, this.schedulers, stateDict, this.schedName);
  }
}

function loadNested(obj: LRScheduler, schedulers: LRScheduler[], stateDict: SchedulerStateDict, name: string): void {
  if (stateDict === null || typeof stateDict !== 'object') fail(name, 'loadStateDict: the state dict must be an object');
  const { schedulers: nested, ...rest } = stateDict;
  if (!Array.isArray(nested) || nested.length !== schedulers.length) {
    fail(name, `loadStateDict: expected the states of ${schedulers.length} schedulers under 'schedulers'`);
  }
  applyState(obj, rest, name, NESTED_SKIP);
  nested.forEach((s, i) => schedulers[i].loadStateDict(s as SchedulerStateDict));
}

/**
 * Steps several schedulers together at each step (their factors multiply). Unlike the others it
 * takes the schedulers only: they carry the optimizer.
 */
export class ChainedScheduler extends LRScheduler {
  schedulers: LRScheduler[];

  constructor(schedulers: LRScheduler[]) {
    const name = 'ChainedScheduler';
    if (!Array.isArray(schedulers) || schedulers.length === 0) fail(name, 'schedulers must be a non-empty list of schedulers');
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) fail(name, `schedulers[${i}] is not a scheduler`);
      if (s.optimizer !== schedulers[0].optimizer) {
        fail(name, `schedulers[${i}] belongs to another optimizer than schedulers[0]: all must belong to the same one`);
      }
    });
    super(schedulers[0].optimizer, name);
    this.schedulers = [...schedulers];
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  protected computeLr(): number[] {
    return this.getLastLr();
  }

  /** Steps every scheduler once (takes no epoch). */
  override step(epoch?: number): void {
    if (epoch !== undefined) fail(this.schedName, 'step() takes no epoch');
    for (const s of this.schedulers) s.step();
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  override stateDict(): SchedulerStateDict {
    const sd = collectState(this, NESTED_SKIP);
    sd.schedulers = this.schedulers.map((s) => s.stateDict());
    return sd;
  }

  override loadStateDict(stateDict: SchedulerStateDict): void {
    loadNested(this, this.schedulers, stateDict, this.schedName);
  }
}

// ---------------------------------------------------------------------------------------------
// OneCycleLR

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

export interface OneCycleLROptions {
  /** Peak lr, or one per param group (> 0). */
  maxLr: number | number[];
  /** Steps in the cycle (a positive integer); or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr, in [0, 1]. Default 0.3. */
  pctStart?: number;
  /** 'cos' (default) or 'linear'. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (or betas[0] for Adam-like groups) inversely to the lr. Default true. */
  cycleMomentum?: boolean;
  /** Momentum at the lr peak, or one per group. Default 0.85. */
  baseMomentum?: number | number[];
  /** Momentum at the start and end, or one per group. Default 0.95. */
  maxMomentum?: number | number[];
  /** initialLr = maxLr / divFactor (> 0). Default 25. */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor (> 0). Default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, down to initialLr, down to minLr) as the original paper. Default false. */
  threePhase?: boolean;
  /** The number of the last batch, to resume (then the groups must hold initialLr, maxLr, minLr, ...). */
  lastEpoch?: number;
}

/**
 * The 1cycle policy: the lr rises from maxLr/divFactor to maxLr over pctStart of the cycle and
 * anneals to initialLr/finalDivFactor; momentum moves inversely between maxMomentum and
 * baseMomentum. Step after every batch; stepping more than totalSteps times is an error, as in
 * PyTorch.
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  phases: Phase[];
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  useBeta1: boolean;

  constructor(optimizer: OptimizerLike, options: OneCycleLROptions) {
    super(optimizer, 'OneCycleLR');
    const name = 'OneCycleLR';
    checkKeys(name, options, [
      'maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum',
      'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase', 'lastEpoch',
    ]);
    if (options === undefined) fail(name, 'options with maxLr are required');
    const groups = this.optimizer.paramGroups;
    const n = groups.length;

    if (options.totalSteps === undefined && options.epochs === undefined && options.stepsPerEpoch === undefined) {
      fail(name, 'you must define either totalSteps OR (epochs AND stepsPerEpoch)');
    } else if (options.totalSteps !== undefined) {
      this.totalSteps = checkNum(name, 'totalSteps', options.totalSteps, { int: true, ge: 1 });
    } else {
      const epochs = checkNum(name, 'epochs', options.epochs, { int: true, ge: 1 });
      const spe = checkNum(name, 'stepsPerEpoch', options.stepsPerEpoch, { int: true, ge: 1 });
      this.totalSteps = epochs * spe;
    }
    const pctStart = checkNum(name, 'pctStart', options.pctStart ?? 0.3, { ge: 0, le: 1 });
    const strategy = options.annealStrategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear') fail(name, `annealStrategy must be 'cos' or 'linear', got ${show(strategy)}`);
    this.annealStrategy = strategy;
    const divFactor = checkNum(name, 'divFactor', options.divFactor ?? 25, { gt: 0 });
    const finalDivFactor = checkNum(name, 'finalDivFactor', options.finalDivFactor ?? 1e4, { gt: 0 });
    const threePhase = options.threePhase ?? false;
    if (typeof threePhase !== 'boolean') fail(name, `threePhase must be a boolean, got ${show(threePhase)}`);
    const cycleMomentum = options.cycleMomentum ?? true;
    if (typeof cycleMomentum !== 'boolean') fail(name, `cycleMomentum must be a boolean, got ${show(cycleMomentum)}`);
    const lastEpoch = checkLastEpoch(name, options.lastEpoch ?? -1);
    const maxLrs = perGroup(name, 'maxLr', options.maxLr, n, { gt: 0 });
    let maxMomentums: number[] = [];
    let baseMomentums: number[] = [];
    let useBeta1 = false;
    if (cycleMomentum) {
      useBeta1 = 'betas' in groups[0];
      groups.forEach((g, i) => {
        if (useBeta1 ? !Array.isArray(g.betas) : !('momentum' in g)) {
          fail(name, `optimizer must support momentum (param groups with 'momentum' or 'betas') with the cycleMomentum option enabled (param group ${i})`);
        }
      });
      maxMomentums = perGroup(name, 'maxMomentum', options.maxMomentum ?? 0.95, n, { ge: 0 });
      baseMomentums = perGroup(name, 'baseMomentum', options.baseMomentum ?? 0.85, n, { ge: 0 });
    }

    const t = this.totalSteps;
    this.phases = threePhase
      ? [
          { endStep: pctStart * t - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: 2 * pctStart * t - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
          { endStep: t - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
        ]
      : [
          { endStep: pctStart * t - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: t - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        ];

    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = (g.initialLr as number) / finalDivFactor;
      });
    }
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    if (cycleMomentum && lastEpoch === -1) {
      groups.forEach((g, i) => {
        if (useBeta1) g.betas = [maxMomentums[i], ...(g.betas as number[]).slice(1)];
        else g.momentum = maxMomentums[i];
        g.maxMomentum = maxMomentums[i];
        g.baseMomentum = baseMomentums[i];
      });
    }
    this.attach(lastEpoch);
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'cos') {
      const cosOut = Math.cos(Math.PI * pct) + 1;
      return end + ((start - end) / 2.0) * cosOut;
    }
    return (end - start) * pct + start;
  }

  protected computeLr(): number[] {
    const name = this.schedName;
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      fail(name, `tried to step ${stepNum + 1} times; the specified number of total steps is ${this.totalSteps}`);
    }
    const lrs: number[] = [];
    this.optimizer.paramGroups.forEach((g, gi) => {
      let startStep = 0;
      let lr = NaN;
      let momentum = NaN;
      for (let i = 0; i < this.phases.length; i++) {
        const phase = this.phases[i];
        const endStep = phase.endStep;
        if (stepNum <= endStep || i === this.phases.length - 1) {
          if (endStep - startStep === 0) {
            fail(name, `phase ${i} of the cycle has length 0 at step ${stepNum} (pctStart * totalSteps is too small or too large)`);
          }
          const pct = (stepNum - startStep) / (endStep - startStep);
          lr = this.anneal(groupNumber(name, g, phase.startLr, gi), groupNumber(name, g, phase.endLr, gi), pct);
          if (this.cycleMomentum) {
            momentum = this.anneal(groupNumber(name, g, phase.startMomentum, gi), groupNumber(name, g, phase.endMomentum, gi), pct);
          }
          break;
        }
        startStep = phase.endStep;
      }
      lrs.push(lr);
      if (this.cycleMomentum) {
        if (this.useBeta1) {
          if (!Array.isArray(g.betas)) fail(name, `param group ${gi} has no betas`);
          g.betas = [momentum, ...(g.betas as number[]).slice(1)];
        } else {
          g.momentum = momentum;
        }
      }
    });
    return lrs;
  }
}

// ---------------------------------------------------------------------------------------------
// ReduceLROnPlateau

export interface ReduceLROnPlateauOptions {
  /** 'min' (default): reduce when the metric stops decreasing; 'max': stops increasing. */
  mode?: 'min' | 'max';
  /** new lr = lr * factor, in [0, 1). Default 0.1. */
  factor?: number;
  /** Steps without improvement before reducing (an integer >= 0). Default 10. */
  patience?: number;
  /** How much better counts as better (>= 0). Default 1e-4. */
  threshold?: number;
  /** 'rel' (default): better than best * (1 -/+ threshold); 'abs': best -/+ threshold. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps to wait after a reduction before counting bad steps again (an integer >= 0). Default 0. */
  cooldown?: number;
  /** Lower bound on the lr, or one per param group (>= 0). Default 0. */
  minLr?: number | number[];
  /** Reductions smaller than eps are skipped (>= 0). Default 1e-8. */
  eps?: number;
}

const PLATEAU_SKIP = new Set(['optimizer']);

/** Reduces the lr by `factor` when a metric has not improved for `patience` steps: `step(metric)`. */
export class ReduceLROnPlateau {
  readonly optimizer: OptimizerLike;
  factor: number;
  minLrs: number[];
  patience: number;
  cooldown: number;
  cooldownCounter = 0;
  mode: 'min' | 'max';
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  best: number;
  numBadEpochs = 0;
  modeWorse: number;
  eps: number;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: OptimizerLike, options: ReduceLROnPlateauOptions = {}) {
    const name = 'ReduceLROnPlateau';
    this.optimizer = checkOptimizer(name, optimizer);
    checkKeys(name, options, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']);
    this.factor = checkNum(name, 'factor', options.factor ?? 0.1, { ge: 0, lt: 1 });
    this.minLrs = perGroup(name, 'minLr', options.minLr ?? 0, this.optimizer.paramGroups.length, { ge: 0 });
    this.patience = checkNum(name, 'patience', options.patience ?? 10, { int: true, ge: 0 });
    this.cooldown = checkNum(name, 'cooldown', options.cooldown ?? 0, { int: true, ge: 0 });
    this.threshold = checkNum(name, 'threshold', options.threshold ?? 1e-4, { ge: 0 });
    this.eps = checkNum(name, 'eps', options.eps ?? 1e-8, { ge: 0 });
    this.mode = options.mode ?? 'min';
    this.thresholdMode = options.thresholdMode ?? 'rel';
    this.modeWorse = this.initIsBetter();
    this.best = this.modeWorse;
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private initIsBetter(): number {
    if (this.mode !== 'min' && this.mode !== 'max') fail('ReduceLROnPlateau', `mode must be 'min' or 'max', got ${show(this.mode)}`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') {
      fail('ReduceLROnPlateau', `thresholdMode must be 'rel' or 'abs', got ${show(this.thresholdMode)}`);
    }
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether `a` is better than `best` by the threshold. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.thresholdMode === 'rel') return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Records `metric` (a number, or a tensor with one element) and reduces the lr if it has plateaued. */
  step(metric: number | { item(): number }, epoch?: number): void {
    let current: unknown = metric;
    if (metric !== null && typeof metric === 'object' && typeof metric.item === 'function') current = metric.item();
    if (typeof current !== 'number') {
      fail('ReduceLROnPlateau', `step(metric): metric must be a number or a one-element tensor, got ${show(metric)}`);
    }
    if (epoch === undefined) epoch = this.lastEpoch + 1;
    this.lastEpoch = epoch;

    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // ignore any bad epochs in cooldown
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      if (i >= this.minLrs.length) fail('ReduceLROnPlateau', `param group ${i} was added after the scheduler was made: it has no minLr`);
      const oldLr = g.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]);
      if (oldLr - newLr > this.eps) g.lr = newLr;
    });
  }

  /** The groups' lrs after the last step (before any step: their current lrs). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return collectState(this, PLATEAU_SKIP);
  }

  loadStateDict(stateDict: SchedulerStateDict): void {
    applyState(this, stateDict, 'ReduceLROnPlateau', PLATEAU_SKIP);
    this.modeWorse = this.initIsBetter();
  }
}
