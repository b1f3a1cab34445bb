/**
 * The base class of tunet's optimizers, as torch.optim.Optimizer (PyTorch 1.13): parameter groups
 * with the optimizer's defaults filled in, per-parameter state, step(closure?), zeroGrad,
 * stateDict / loadStateDict and addParamGroup.
 *
 * Memory: the optimizer owns its state tensors (they survive any tn.scope, and are freed when a
 * loadStateDict replaces them or dispose() is called). step() frees every temporary it makes.
 */
import { Tensor, TorchError, enableGrad, keep, noGrad, scope } from '../torch/index.js';

/** One parameter group: its parameters and its options (lr, weightDecay, betas, …). */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  /** Set by learning-rate schedulers: the lr the schedule started from. */
  initialLr?: number;
  [option: string]: unknown;
}

/** What a constructor or addParamGroup accepts as a group: params may be one Tensor or any iterable. */
export interface ParamGroupInput {
  params: Tensor | Iterable<Tensor>;
  [option: string]: unknown;
}

/** The parameters an optimizer is given: tensors, or parameter-group objects. */
export type ParamsInput = Iterable<Tensor> | Iterable<ParamGroupInput>;

/** The state of one parameter (e.g. { step: 3, expAvg: Tensor, expAvgSq: Tensor }). */
export type ParamState = Record<string, Tensor | number>;

/** A parameter group as stateDict() stores it: the options, and the parameters as indices. */
export interface SavedParamGroup {
  params: number[];
  lr: number;
  initialLr?: number;
  [option: string]: unknown;
}

export interface OptimizerStateDict {
  /** State by parameter index (parameters numbered 0.. in group order). */
  state: Record<number, ParamState>;
  paramGroups: SavedParamGroup[];
}

/** The loss a closure returns: a one-element Tensor or a number. */
export type Closure = () => Tensor | number;

/** Describes a value for error messages. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'an array';
  if (x instanceof Tensor) return `a ${x.dtype} Tensor`;
  if (typeof x === 'object') return `a ${(x as object).constructor?.name ?? 'object'}`;
  return `${typeof x} ${String(x)}`;
}

function isIterable(x: unknown): x is Iterable<unknown> {
  return x !== null && typeof x === 'object' && typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x) || x instanceof Tensor) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Copies an option value so that groups never share arrays (betas) with the caller or each other. */
function copyOption(v: unknown): unknown {
  return Array.isArray(v) ? v.map(copyOption) : v;
}

const SNAKE = /_[a-z]/;

export abstract class Optimizer<G extends object = {}> {
  /** The default options, filled into every group that does not set them. */
  readonly defaults: Readonly<Record<string, unknown>>;
  paramGroups: (ParamGroup & G)[] = [];
  /** Per-parameter state, keyed by the parameter tensor. */
  state: Map<Tensor, ParamState> = new Map();

  /**
   * @param params tensors, or parameter-group objects { params, ...options }
   * @param defaults every option the optimizer knows, with its default (lr may be undefined when required)
   */
  constructor(params: ParamsInput, defaults: Record<string, unknown>) {
    const name = this.constructor.name;
    if (params instanceof Tensor) {
      throw new TorchError('params must be an iterable of Tensors or of parameter groups, got a single Tensor; pass [t]', name);
    }
    if (!isIterable(params)) throw new TorchError(`params must be an iterable of Tensors or of parameter groups, got ${describe(params)}`, name);
    this.defaults = Object.freeze({ ...defaults });
    const list = Array.from(params as Iterable<unknown>);
    if (list.length === 0) throw new TorchError('optimizer got an empty parameter list', name);
    const groups: unknown[] = list[0] instanceof Tensor ? [{ params: list }] : list;
    for (const g of groups) this.addParamGroup(g as ParamGroupInput);
  }

  /**
   * Checks one group's options (called with the constructor's defaults and with every added or
   * loaded group); throws a TorchError naming the bad option.
   */
  protected validateGroup(_group: Record<string, unknown>, _where: string): void {}

  /**
   * Performs one optimization step; with a closure, re-evaluates the loss first and returns it.
   * Every parameter with a gradient is updated by update(), under noGrad, inside one tn.scope.
   */
  step(closure?: Closure): number | undefined {
    const loss = this.evalClosure(closure);
    scope(() =>
      noGrad(() => {
        for (const group of this.paramGroups) {
          for (const param of group.params) {
            const grad = param.grad;
            if (grad !== null) this.update(param, grad, group);
          }
        }
      }),
    );
    return loss;
  }

  /** The optimizer's rule for one parameter and its gradient (torch.optim's single-tensor code). */
  protected abstract update(param: Tensor, grad: Tensor, group: ParamGroup & G): void;

  /**
   * Runs the closure (if any) with grad enabled inside a tn.scope, and returns its loss as a number.
   * Tensors the closure makes are freed when it returns (tn.keep one to hold on to it).
   */
  protected evalClosure(closure: Closure | undefined): number | undefined {
    if (closure === undefined || closure === null) return undefined;
    const name = `${this.constructor.name}.step`;
    if (typeof closure !== 'function') throw new TorchError(`closure must be a function returning the loss, got ${describe(closure)}`, name);
    return scope(() =>
      enableGrad(() => {
        const loss = closure();
        if (typeof loss === 'number') return loss;
        if (loss instanceof Tensor) {
          if (loss.numel() !== 1) throw new TorchError(`the closure must return a one-element loss, got a Tensor of shape [${loss.shape}]`, name);
          return loss.item() as number;
        }
        throw new TorchError(`the closure must return the loss (a Tensor or a number), got ${describe(loss)}`, name);
      }),
    );
  }

  /** State of a parameter, created empty on first use (PyTorch's defaultdict). */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /** Makes `t` optimizer-owned state: it survives the tn.scope step runs in. */
  protected own(t: Tensor): Tensor {
    return keep(t);
  }

  /**
   * Clears the gradients of every parameter: sets them to null (default, as PyTorch 2), or with
   * setToNone=false zeroes them in place.
   */
  zeroGrad(setToNone = true): void {
    scope(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (p.isDisposed) continue;
          const g = p.grad;
          if (g === null) continue;
          if (setToNone) {
            p.grad = null;
          } else {
            if (g.gradFn !== null) g.detach_();
            else g.requiresGrad_(false);
            g.zero_();
          }
        }
      }
    });
  }

  /** Adds a parameter group, filling in the defaults for options it does not set. */
  addParamGroup(paramGroup: ParamGroupInput): void {
    const name = `${this.constructor.name}.addParamGroup`;
    if (!isPlainObject(paramGroup)) throw new TorchError(`a parameter group must be an object { params, ...options }, got ${describe(paramGroup)}`, name);
    if (!('params' in paramGroup)) throw new TorchError("a parameter group needs a 'params' entry", name);
    const raw = paramGroup.params;
    let params: unknown[];
    if (raw instanceof Tensor) params = [raw];
    else if (isIterable(raw)) params = Array.from(raw);
    else throw new TorchError(`'params' must be a Tensor or an iterable of Tensors, got ${describe(raw)}`, name);
    if (params.length === 0) throw new TorchError('a parameter group has no parameters', name);

    const seen = new Set<Tensor>();
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TorchError(`optimizer can only optimize Tensors, but parameter ${i} is ${describe(p)}`, name);
      if (p.isDisposed) throw new TorchError(`parameter ${i} was disposed`, name);
      if (!p.isFloatingPoint()) throw new TorchError(`optimizer can only optimize floating-point tensors, but parameter ${i} is ${p.dtype}`, name);
      if (!p.isLeaf) throw new TorchError(`can't optimize a non-leaf Tensor (parameter ${i} was computed by ${p.gradFn}); optimize the leaf it came from, or detach it and call requiresGrad_()`, name);
      if (seen.has(p)) throw new TorchError(`parameter ${i} appears more than once in the group`, name);
      seen.add(p);
    });
    for (const [gi, group] of this.paramGroups.entries()) {
      for (const p of group.params) {
        if (seen.has(p)) throw new TorchError(`some parameters appear in more than one parameter group (one is already in group ${gi})`, name);
      }
    }

    const group: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(paramGroup)) {
      if (k === 'params') continue;
      if (SNAKE.test(k)) {
        const camel = k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
        if (camel in this.defaults) throw new TorchError(`unknown option '${k}'; options are camelCase: '${camel}'`, name);
      }
      group[k] = copyOption(v);
    }
    for (const [k, v] of Object.entries(this.defaults)) {
      if (!(k in group) || group[k] === undefined) {
        if (v === undefined) throw new TorchError(`parameter group didn't specify a value of required optimization parameter ${k}`, name);
        group[k] = copyOption(v);
      }
    }
    this.validateGroup(group, `parameter group ${this.paramGroups.length}`);
    group.params = params as Tensor[];
    this.paramGroups.push(group as unknown as ParamGroup & G);
  }

  /** The parameters of every group, in order (their stateDict indices). */
  protected allParams(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /**
   * The optimizer's state and options. Parameters are numbered 0.. in group order; state tensors
   * are cloned, so the result is a snapshot that later steps do not change.
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let next = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params') packed[k] = copyOption(v);
      packed.params = g.params.map((p) => {
        let i = index.get(p);
        if (i === undefined) index.set(p, (i = next++));
        return i;
      });
      return packed as SavedParamGroup;
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const out: ParamState = {};
      for (const [k, v] of Object.entries(s)) out[k] = v instanceof Tensor ? v.clone() : v;
      state[i] = out;
    }
    return { state, paramGroups };
  }

  /**
   * Loads a stateDict(): the groups must match this optimizer's in number and size; state tensors
   * are copied (cast to the parameter's dtype, except 'step') and the old state is freed.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const name = `${this.constructor.name}.loadStateDict`;
    if (!isPlainObject(stateDict)) throw new TorchError(`expects an object { state, paramGroups } from stateDict(), got ${describe(stateDict)}`, name);
    const saved = stateDict.paramGroups;
    const savedState = stateDict.state;
    if (!Array.isArray(saved)) throw new TorchError(`the state dict has no 'paramGroups' array (got ${describe(saved)})`, name);
    if (!isPlainObject(savedState)) throw new TorchError(`the state dict has no 'state' object (got ${describe(savedState)})`, name);
    const groups = this.paramGroups;
    if (groups.length !== saved.length) {
      throw new TorchError(`loaded state dict has ${saved.length} parameter group(s) but the optimizer has ${groups.length}`, name);
    }
    const idMap = new Map<number, Tensor>();
    for (let gi = 0; gi < groups.length; gi++) {
      const sg = saved[gi];
      if (!isPlainObject(sg) || !Array.isArray(sg.params)) throw new TorchError(`parameter group ${gi} of the state dict has no 'params' array`, name);
      if (sg.params.length !== groups[gi].params.length) {
        throw new TorchError(`parameter group ${gi} has ${sg.params.length} parameter(s) in the loaded state dict but ${groups[gi].params.length} in the optimizer`, name);
      }
      sg.params.forEach((id, j) => {
        if (!Number.isInteger(id)) throw new TorchError(`parameter group ${gi} of the state dict has a non-integer parameter index ${describe(id)}`, name);
        if (idMap.has(id)) throw new TorchError(`parameter index ${id} appears more than once in the state dict's groups`, name);
        idMap.set(id, groups[gi].params[j]);
      });
    }
    // Validate everything before changing anything.
    const newGroups = saved.map((sg, gi) => {
      const g: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(sg)) if (k !== 'params') g[k] = copyOption(v);
      this.validateGroup(g, `loaded parameter group ${gi}`);
      return g;
    });
    const entries: [Tensor, Record<string, unknown>][] = [];
    for (const [key, s] of Object.entries(savedState)) {
      const id = Number(key);
      const p = idMap.get(id);
      if (p === undefined) throw new TorchError(`the state dict has state for parameter ${key}, which no parameter group lists`, name);
      if (!isPlainObject(s)) throw new TorchError(`the state of parameter ${key} must be an object, got ${describe(s)}`, name);
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof Tensor) {
          if (v.isDisposed) throw new TorchError(`state '${k}' of parameter ${key} was disposed`, name);
          if (!(k === 'step' && v.numel() === 1)) this.checkLoadedState(p, k, v, `state '${k}' of parameter ${key}`, name);
        } else if (typeof v !== 'number') {
          throw new TorchError(`state '${k}' of parameter ${key} must be a Tensor or a number, got ${describe(v)}`, name);
        }
      }
      entries.push([p, s]);
    }

    const state = new Map<Tensor, ParamState>();
    for (const [p, s] of entries) {
      const out: ParamState = {};
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof Tensor && k === 'step' && v.numel() === 1) {
          out[k] = v.item() as number; // PyTorch 1.13 keeps some steps as 1-element tensors; tunet's are numbers
        } else if (v instanceof Tensor) {
          const cast = k !== 'step' && p.isFloatingPoint() && v.isFloatingPoint() && v.dtype !== p.dtype ? v.to(p.dtype) : v.clone();
          out[k] = keep(cast);
        } else {
          out[k] = v as number;
        }
      }
      state.set(p, out);
    }
    this.disposeState();
    this.state = state;
    this.paramGroups = groups.map((g, gi) => ({ ...newGroups[gi], params: g.params }) as unknown as ParamGroup & G);
  }

  /**
   * Checks one loaded state tensor against its parameter. The default requires tensors of one or
   * more dimensions to have the parameter's shape (state of another model would fail later, less
   * clearly); override for optimizers whose state has other shapes.
   */
  protected checkLoadedState(param: Tensor, _key: string, value: Tensor, what: string, opName: string): void {
    if (value.ndim === 0) return;
    const ps = param.shape;
    const vs = value.shape;
    if (ps.length !== vs.length || ps.some((d, i) => d !== vs[i])) {
      throw new TorchError(`${what} has shape [${vs}] but the parameter has shape [${ps}]`, opName);
    }
  }

  /** Frees every state tensor and empties the state. */
  private disposeState(): void {
    for (const s of this.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
    this.state = new Map();
  }

  /** Frees the optimizer's state tensors (the parameters are not touched). */
  dispose(): void {
    this.disposeState();
  }

  toString(): string {
    let s = `${this.constructor.name} (`;
    this.paramGroups.forEach((g, i) => {
      s += `\nParameter Group ${i}`;
      for (const k of Object.keys(g).filter((k) => k !== 'params').sort()) s += `\n    ${k}: ${JSON.stringify((g as Record<string, unknown>)[k])}`;
    });
    return `${s}\n)`;
  }
}

// ---- option checks shared by the optimizers ----

/** A finite-or-not number option, checked with `ok`; throws a TorchError like PyTorch's ValueError. */
export function checkNumber(group: Record<string, unknown>, key: string, where: string, op: string, ok: (v: number) => boolean, expect: string): void {
  const v = group[key];
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TorchError(`${where}: ${key} must be a number, got ${describe(v)}`, op);
  if (!ok(v)) throw new TorchError(`${where}: invalid ${key} value ${v} (expected ${expect})`, op);
}

export function checkNonNegative(group: Record<string, unknown>, keys: string[], where: string, op: string): void {
  for (const k of keys) checkNumber(group, k, where, op, (v) => v >= 0, '>= 0');
}

export function checkBoolean(group: Record<string, unknown>, keys: string[], where: string, op: string): void {
  for (const k of keys) {
    if (typeof group[k] !== 'boolean') throw new TorchError(`${where}: ${k} must be true or false, got ${describe(group[k])}`, op);
  }
}

export function checkBetas(group: Record<string, unknown>, where: string, op: string): void {
  const b = group.betas;
  if (!Array.isArray(b) || b.length !== 2 || !b.every((x) => typeof x === 'number')) {
    throw new TorchError(`${where}: betas must be a pair of numbers [beta1, beta2], got ${Array.isArray(b) ? JSON.stringify(b) : describe(b)}`, op);
  }
  b.forEach((x: number, i) => {
    if (!(x >= 0 && x < 1)) throw new TorchError(`${where}: invalid beta parameter at index ${i}: ${x} (expected 0 <= beta < 1)`, op);
  });
}

/** The defaults with the options that are set (not undefined) laid over them. */
export function withDefaults<T extends object>(base: T, options: object): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = copyOption(v);
  return out as T;
}

/** Rejects constructor options the optimizer does not know (typos would otherwise be ignored). */
export function checkKnownOptions(opts: object, known: readonly string[], op: string): void {
  if (opts === null || typeof opts !== 'object') throw new TorchError(`options must be an object, got ${describe(opts)}`, op);
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) {
      const camel = k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
      const hint = known.includes(camel) ? ` (options are camelCase: '${camel}')` : ` (known: ${known.join(', ')})`;
      throw new TorchError(`unknown option '${k}'${hint}`, op);
    }
  }
}
