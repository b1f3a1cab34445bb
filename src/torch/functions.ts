/** torch.* function forms of the Tensor methods (tn.add(a, b) = a.add(b)). */
import { Tensor } from './tensor.js';

type Method<K extends keyof Tensor> = Tensor[K] extends (...args: infer A) => infer R ? (input: Tensor, ...args: A) => R : never;

function fn<K extends keyof Tensor>(name: K): Method<K> {
  return ((input: Tensor, ...args: unknown[]) => (input[name] as (...a: unknown[]) => unknown)(...args)) as Method<K>;
}

export const add = fn('add');
export const sub = fn('sub');
export const mul = fn('mul');
export const div = fn('div');
export const pow = fn('pow');
export const neg = fn('neg');
export const abs = fn('abs');
export const exp = fn('exp');
export const log = fn('log');
export const sqrt = fn('sqrt');
export const sin = fn('sin');
export const cos = fn('cos');
export const tanh = fn('tanh');
export const sigmoid = fn('sigmoid');
export const relu = fn('relu');
export const clamp = fn('clamp');
export const maximum = fn('maximum');
export const minimum = fn('minimum');
export const eq = fn('eq');
export const ne = fn('ne');
export const lt = fn('lt');
export const le = fn('le');
export const gt = fn('gt');
export const ge = fn('ge');
export const sum = fn('sum');
export const mean = fn('mean');
export const std = fn('std');
export const var_ = fn('var');
export const max = fn('max');
export const min = fn('min');
export const argmax = fn('argmax');
export const argmin = fn('argmin');
export const norm = fn('norm');
export const all = fn('all');
export const any = fn('any');
export const matmul = fn('matmul');
export const mm = fn('mm');
export const bmm = fn('bmm');
export const reshape = fn('reshape');
export const permute = fn('permute');
export const transpose = fn('transpose');
export const squeeze = fn('squeeze');
export const unsqueeze = fn('unsqueeze');
export const flatten = fn('flatten');
export const narrow = fn('narrow');
export const indexSelect = fn('indexSelect');
export const gather = fn('gather');
export const maskedFill = fn('maskedFill');
export const split = fn('split');
export const chunk = fn('chunk');
export const flip = fn('flip');
export const roll = fn('roll');
export const allclose = fn('allclose');
export const isnan = fn('isnan');
export const clone = fn('clone');
export const detach = fn('detach');
