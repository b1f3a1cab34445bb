/** Dropout layers; active only in training mode (module.train()), identity in eval mode. */
import { Tensor, TorchError } from '../../torch/index.js';
import { Module } from '../module.js';
import { dropout, dropout2d } from '../functional/norm.js';
import { checkInput } from './util.js';

function probability(p: unknown, op: string): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new TorchError(`dropout probability has to be between 0 and 1, but got ${String(p)}`, op);
  return p;
}

/** Zeroes each element with probability p while training and scales the rest by 1/(1 − p). */
export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    this.p = probability(p, 'Dropout');
  }

  forward(input: Tensor): Tensor {
    return dropout(checkInput(input, 'Dropout'), this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** Zeroes whole channels of (N, C, H, W) input with probability p while training (Tompson et al. 2015). */
export class Dropout2d extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    this.p = probability(p, 'Dropout2d');
  }

  forward(input: Tensor): Tensor {
    return dropout2d(checkInput(input, 'Dropout2d'), this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
