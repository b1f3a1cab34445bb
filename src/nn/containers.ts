/** Sequential, ModuleList and ModuleDict. */
import { Tensor, TorchError } from '../torch/index.js';
import { Module } from './module.js';

/** Runs its modules in order, each on the previous one's output. Keys are '0', '1', … */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }

  get length(): number {
    return this.children().length;
  }

  at(i: number): Module {
    const kids = this.children();
    const k = i < 0 ? kids.length + i : i;
    if (!Number.isInteger(k) || k < 0 || k >= kids.length) throw new TorchError(`index ${i} is out of range for ${kids.length} modules`, 'Sequential');
    return kids[k];
  }

  append(m: Module): this {
    this.registerModule(String(this.children().length), m);
    return this;
  }

  /**
   * Runs the modules in order. Intermediate results are disposed as soon as
   * the next module has consumed them (autograd keeps what backward needs), so
   * a deep Sequential does not wait for the GC; a module that must keep its
   * output should keep a clone.
   */
  forward(input: any): any {
    let x = input;
    for (const m of this.children()) {
      const y = m.forward(x);
      if (x !== input && x !== y && x instanceof Tensor) x.dispose();
      x = y;
    }
    return x;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
}

/** A list of submodules registered as '0', '1', …; forward is up to the owner. */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  get length(): number {
    return this.children().length;
  }

  at(i: number): Module {
    const kids = this.children();
    const k = i < 0 ? kids.length + i : i;
    if (!Number.isInteger(k) || k < 0 || k >= kids.length) throw new TorchError(`index ${i} is out of range for ${kids.length} modules`, 'ModuleList');
    return kids[k];
  }

  append(m: Module): this {
    this.registerModule(String(this.children().length), m);
    return this;
  }

  forward(): never {
    throw new TorchError('ModuleList has no forward; iterate over it in the owner\'s forward', 'ModuleList');
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
}

/** Submodules by name; forward is up to the owner. */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.registerModule(k, m);
  }

  get(key: string): Module | undefined {
    return this.namedChildren().find(([k]) => k === key)?.[1];
  }

  set(key: string, m: Module): this {
    this.registerModule(key, m);
    return this;
  }

  keys(): string[] {
    return this.namedChildren().map(([k]) => k);
  }

  forward(): never {
    throw new TorchError('ModuleDict has no forward; use its modules in the owner\'s forward', 'ModuleDict');
  }
}
