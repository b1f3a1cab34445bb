/**
 * nn.Module and nn.Parameter with PyTorch's semantics: registered parameters,
 * buffers (persistent or not) and submodules, dotted names, train/eval,
 * stateDict/loadStateDict, freezing, dtype/device moves.
 */
import { Tensor, TorchError, keep, noGrad, type DTypeLike } from '../torch/index.js';

/** A Tensor that a Module owns as a learnable weight (a leaf that requires grad by default). */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(Parameter.takeDetached(data));
    keep(this); // parameters outlive any tn.scope they are made in
    if (requiresGrad) {
      if (!this.isFloatingPoint()) throw new TorchError(`only floating-point tensors can be parameters that require grad, got ${this.dtype}`, 'Parameter');
      this.requiresGrad_(true);
    }
  }

  private static takeDetached(data: Tensor): never {
    if (!(data instanceof Tensor)) throw new TorchError('Parameter needs a Tensor', 'Parameter');
    const d = data.detach();
    const h = d._h;
    d._h = null; // the handle now belongs to the Parameter
    return h as never;
  }
}

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export type StateDict = Record<string, Tensor>;

type AnyForward = (...args: any[]) => any;

export abstract class Module {
  /** Whether the module is in training mode (dropout active, batch statistics used). */
  training = true;
  private readonly _parameters = new Map<string, Parameter | null>();
  private readonly _buffers = new Map<string, Tensor | null>();
  private readonly _nonPersistent = new Set<string>();
  private readonly _modules = new Map<string, Module | null>();

  abstract forward(...args: any[]): any;

  /** Runs forward (PyTorch's module(x)). */
  call(...args: Parameters<this['forward'] & AnyForward>): ReturnType<this['forward'] & AnyForward> {
    return this.forward(...args);
  }

  // ---- registration ----

  /** Registers a parameter under `name` (its state-dict key) and returns it. null registers an absent one (bias=False). */
  registerParameter<T extends Parameter | null>(name: string, param: T): T {
    checkName(name, 'registerParameter');
    if (param !== null && !(param instanceof Parameter)) {
      throw new TorchError(`'${name}' must be a Parameter (wrap the tensor: new nn.Parameter(t))`, 'registerParameter');
    }
    if (this._buffers.has(name) || this._modules.has(name)) throw new TorchError(`'${name}' is already registered as a buffer or submodule`, 'registerParameter');
    this._parameters.set(name, param);
    return param;
  }

  /** Registers a buffer (state that is not learned, e.g. running statistics). Non-persistent buffers stay out of stateDict. */
  registerBuffer<T extends Tensor | null>(name: string, tensor: T, opts: { persistent?: boolean } = {}): T {
    checkName(name, 'registerBuffer');
    if (tensor !== null && !(tensor instanceof Tensor)) throw new TorchError(`'${name}' must be a Tensor or null`, 'registerBuffer');
    if (this._parameters.has(name) || this._modules.has(name)) throw new TorchError(`'${name}' is already registered as a parameter or submodule`, 'registerBuffer');
    if (tensor !== null) keep(tensor);
    this._buffers.set(name, tensor);
    if (opts.persistent === false) this._nonPersistent.add(name);
    else this._nonPersistent.delete(name);
    return tensor;
  }

  /** Registers a submodule under `name` and returns it. */
  registerModule<T extends Module | null>(name: string, module: T): T {
    checkName(name, 'registerModule');
    if (module !== null && !(module instanceof Module)) throw new TorchError(`'${name}' must be a Module`, 'registerModule');
    if (this._parameters.has(name) || this._buffers.has(name)) throw new TorchError(`'${name}' is already registered as a parameter or buffer`, 'registerModule');
    this._modules.set(name, module);
    return module;
  }

  /**
   * Own parameters: the registered ones, then Parameter-valued fields that were
   * not registered (their field name is their key).
   */
  private ownParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<unknown>();
    for (const [k, p] of this._parameters) {
      if (p !== null) out.push([k, p]);
      seen.add(p);
    }
    for (const [k, v] of this.fields()) {
      if (v instanceof Parameter && !seen.has(v) && !this._buffers.has(k)) {
        out.push([k, v]);
        seen.add(v);
      }
    }
    return out;
  }

  private ownModules(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<unknown>();
    for (const [k, m] of this._modules) {
      if (m !== null) out.push([k, m]);
      seen.add(m);
    }
    for (const [k, v] of this.fields()) {
      if (v instanceof Module && !seen.has(v)) {
        out.push([k, v]);
        seen.add(v);
      }
    }
    return out;
  }

  private fields(): [string, unknown][] {
    return Object.keys(this)
      .filter((k) => !k.startsWith('_'))
      .map((k) => [k, (this as Record<string, unknown>)[k]]);
  }

  // ---- traversal ----

  namedChildren(): [string, Module][] {
    return this.ownModules();
  }

  children(): Module[] {
    return this.ownModules().map(([, m]) => m);
  }

  /** This module and every descendant, with dotted names ('' for this one). */
  namedModules(prefix = '', memo = new Set<Module>()): [string, Module][] {
    if (memo.has(this)) return [];
    memo.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const [k, m] of this.ownModules()) out.push(...m.namedModules(prefix ? `${prefix}.${k}` : k, memo));
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters with dotted names ('encoder.0.weight'); shared parameters appear once. */
  namedParameters(prefix = '', recurse = true): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [k, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([mp ? `${mp}.${k}` : k, p]);
      }
    }
    return out;
  }

  parameters(recurse = true): Parameter[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  namedBuffers(prefix = '', recurse = true): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [k, b] of m._buffers) if (b !== null) out.push([mp ? `${mp}.${k}` : k, b]);
    }
    return out;
  }

  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  /** Calls fn on every submodule (children first) and on this module. */
  apply(fn: (m: Module) => void): this {
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes ----

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Sets requiresGrad on every parameter (false freezes the module, e.g. a pretrained encoder). */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  freeze(): this {
    return this.requiresGrad_(false);
  }

  unfreeze(): this {
    return this.requiresGrad_(true);
  }

  /** Clears gradients: drops them (default, as PyTorch 2) or zeroes them in place. */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      const g = p.grad;
      if (g === null) continue;
      if (setToNone) p.grad = null;
      else noGrad(() => g.zero_());
      g.dispose();
    }
  }

  /** Number of parameter elements (only those that require grad with trainableOnly). */
  numParameters(opts: { trainableOnly?: boolean } = {}): number {
    let n = 0;
    for (const p of this.parameters()) if (!opts.trainableOnly || p.requiresGrad) n += p.numel();
    return n;
  }

  // ---- state ----

  /**
   * Parameters and persistent buffers by dotted key, as new handles sharing
   * the module's storage (detached). Dispose them when done, or use tn.scope.
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [mp, m] of this.namedModules()) {
      const pre = mp ? `${mp}.` : '';
      for (const [k, p] of m.ownParameters()) out[pre + k] = p.detach();
      for (const [k, b] of m._buffers) if (b !== null && !m._nonPersistent.has(k)) out[pre + k] = b.detach();
    }
    return out;
  }

  /**
   * Copies values from a state dict into this module's parameters and buffers
   * (in place; dtypes are converted). With strict (default), missing or
   * unexpected keys are an error; shapes must always match. The error lists
   * every offending key.
   */
  loadStateDict(state: StateDict | Map<string, Tensor>, opts: { strict?: boolean } = {}): LoadResult {
    const strict = opts.strict ?? true;
    const entries = state instanceof Map ? [...state.entries()] : Object.entries(state ?? {});
    if (state === null || typeof state !== 'object') throw new TorchError('state must be an object or Map of Tensors', 'loadStateDict');
    const given = new Map(entries);
    const targets = new Map<string, Tensor>();
    for (const [mp, m] of this.namedModules()) {
      const pre = mp ? `${mp}.` : '';
      for (const [k, p] of m.ownParameters()) targets.set(pre + k, p);
      for (const [k, b] of m._buffers) if (b !== null && !m._nonPersistent.has(k)) targets.set(pre + k, b);
    }
    const missingKeys = [...targets.keys()].filter((k) => !given.has(k));
    const unexpectedKeys = [...given.keys()].filter((k) => !targets.has(k));
    const mismatched: string[] = [];
    const notTensors: string[] = [];
    for (const [k, t] of targets) {
      const v = given.get(k);
      if (v === undefined) continue;
      if (!(v instanceof Tensor)) {
        notTensors.push(k);
        continue;
      }
      const a = v.shape.join(', ');
      const b = t.shape.join(', ');
      if (a !== b) mismatched.push(`${k}: checkpoint [${a}], model [${b}]`);
    }
    const problems: string[] = [];
    if (strict && missingKeys.length) problems.push(`missing keys: ${missingKeys.join(', ')}`);
    if (strict && unexpectedKeys.length) problems.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
    if (mismatched.length) problems.push(`size mismatch: ${mismatched.join('; ')}`);
    if (notTensors.length) problems.push(`not Tensors: ${notTensors.join(', ')}`);
    if (problems.length) throw new TorchError(`cannot load the state dict into ${this.constructor.name}: ${problems.join(' | ')}`, 'loadStateDict');
    noGrad(() => {
      for (const [k, t] of targets) {
        const v = given.get(k);
        if (v !== undefined) t.copy_(v);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Moves or casts parameters and buffers in place (their identity is kept, so
   * optimizers holding them stay valid). A dtype applies to floating-point
   * tensors only, as in PyTorch.
   */
  to(target: DTypeLike | string): this {
    const isDevice = /^(cpu|cuda|mps|meta)(:\d+)?$/.test(target);
    const all: Tensor[] = [...this.parameters(), ...this.buffers()];
    noGrad(() => {
      for (const t of all) {
        if (!isDevice && !t.isFloatingPoint()) continue;
        const c = t.to(target);
        t.data = c;
        c.dispose();
        const g = t.grad;
        if (g !== null) {
          const gc = g.to(target);
          t.grad = null;
          t.grad = gc;
          gc.dispose();
          g.dispose();
        }
      }
    });
    return this;
  }

  float(): this {
    return this.to('float32');
  }

  double(): this {
    return this.to('float64');
  }

  /** Frees every parameter and buffer handle of this module and its descendants. */
  dispose(): void {
    for (const p of this.parameters()) p.dispose();
    for (const b of this.buffers()) b.dispose();
  }

  /** Extra text for toString(), e.g. "3, 16, kernelSize=[3, 3]". */
  extraRepr(): string {
    return '';
  }

  toString(): string {
    const kids = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (kids.length === 0) return `${head})`;
    const lines = kids.map(([k, m]) => `  (${k}): ${m.toString().split('\n').join('\n  ')}`);
    return `${head}\n${lines.join('\n')}\n)`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function checkName(name: string, op: string) {
  if (typeof name !== 'string' || name === '' || name.includes('.')) {
    throw new TorchError(`name must be a non-empty string without '.', got ${JSON.stringify(name)}`, op);
  }
}
