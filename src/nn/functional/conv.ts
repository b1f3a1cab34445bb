/** Convolution, pooling, resampling and padding (torch.nn.functional). */
import { op } from '../../torch/dispatch.js';
import { TorchError, check } from '../../torch/errors.js';
import { Tensor, describe, wrapAll } from '../../torch/tensor.js';

export type IntOrPair = number | readonly number[];
export type ConvPadding = IntOrPair | 'same' | 'valid';

export interface ConvOptions {
  stride?: IntOrPair;
  padding?: ConvPadding;
  dilation?: IntOrPair;
  groups?: number;
}

export interface ConvTransposeOptions {
  stride?: IntOrPair;
  padding?: IntOrPair;
  outputPadding?: IntOrPair;
  dilation?: IntOrPair;
  groups?: number;
}

const shapeStr = (t: Tensor) => `[${t.shape.join(', ')}]`;

function asTensor(x: unknown, opName: string, arg: string): Tensor {
  if (x instanceof Tensor) return x;
  throw new TorchError(`argument '${arg}' must be a Tensor, got ${describe(x)}`, opName);
}

function optTensor(x: unknown, opName: string, arg: string): Tensor | null {
  return x === null || x === undefined ? null : asTensor(x, opName, arg);
}

function intArg(v: unknown, n: number, opName: string, arg: string, min: number): number[] {
  const arr = typeof v === 'number' ? Array(n).fill(v) : v;
  if (!Array.isArray(arr) || (arr.length !== n && arr.length !== 1) || !arr.every((x) => Number.isInteger(x) && x >= min)) {
    throw new TorchError(`${arg} must be an integer ≥ ${min} or an array of ${n} such integers, got ${describe(v)}${Array.isArray(v) ? ` [${v.join(', ')}]` : ''}`, opName);
  }
  return arr.length === 1 ? Array(n).fill(arr[0]) : arr;
}

function checkConvShapes(opName: string, input: Tensor, weight: Tensor, bias: Tensor | null, spatial: number, groups: number, transposed: boolean) {
  const nd = input.ndim;
  check(nd === spatial + 2 || nd === spatial + 1, opName, () => `input must be ${spatial + 2}-d (batch, channels, ${spatial === 2 ? 'height, width' : 'length'}) or ${spatial + 1}-d unbatched, got shape ${shapeStr(input)}`);
  check(weight.ndim === spatial + 2, opName, () => `weight must be ${spatial + 2}-d, got shape ${shapeStr(weight)}`);
  check(Number.isInteger(groups) && groups >= 1, opName, `groups must be a positive integer, got ${groups}`);
  const cin = input.shape[nd === spatial + 2 ? 1 : 0];
  const expected = transposed ? weight.shape[0] : weight.shape[1] * groups;
  check(cin === expected, opName, () =>
    transposed
      ? `input has ${cin} channels but weight ${shapeStr(weight)} expects ${expected} (weight is [in, out/groups, …])`
      : `input has ${cin} channels but weight ${shapeStr(weight)} with groups=${groups} expects ${expected}`,
  );
  if (!transposed) check(weight.shape[0] % groups === 0, opName, () => `out channels ${weight.shape[0]} are not divisible by groups=${groups}`);
  check(input.dtype === weight.dtype, opName, () => `input is ${input.dtype} but weight is ${weight.dtype}; convert one with .to()`);
  if (bias) {
    const cout = transposed ? weight.shape[1] * groups : weight.shape[0];
    check(bias.ndim === 1 && bias.shape[0] === cout, opName, () => `bias must have shape [${cout}], got ${shapeStr(bias)}`);
  }
}

function convN(spatial: 1 | 2, name: string) {
  const numeric = op(`aten::conv${spatial}d`);
  const stringPad = op(`aten::conv${spatial}d.padding`);
  return (input: Tensor, weight: Tensor, bias: Tensor | null = null, o: ConvOptions = {}): Tensor => {
    const x = asTensor(input, name, 'input');
    const w = asTensor(weight, name, 'weight');
    const b = optTensor(bias, name, 'bias');
    const groups = o.groups ?? 1;
    checkConvShapes(name, x, w, b, spatial, groups, false);
    const stride = intArg(o.stride ?? 1, spatial, name, 'stride', 1);
    const dilation = intArg(o.dilation ?? 1, spatial, name, 'dilation', 1);
    const pad = o.padding ?? 0;
    if (typeof pad === 'string') {
      check(pad === 'same' || pad === 'valid', name, `padding must be a number, an array, 'same' or 'valid', got '${pad}'`);
      check(pad !== 'same' || stride.every((s) => s === 1), name, "padding='same' is not supported for strided convolutions");
      return new Tensor(stringPad(x.h, w.h, b?.h ?? null, stride, pad, dilation, groups));
    }
    const padding = intArg(pad, spatial, name, 'padding', 0);
    return new Tensor(numeric(x.h, w.h, b?.h ?? null, stride, padding, dilation, groups));
  };
}

/** 1-d convolution over (N, C, L) input. */
export const conv1d = convN(1, 'conv1d');
/** 2-d convolution over (N, C, H, W) input; groups = C for depthwise. */
export const conv2d = convN(2, 'conv2d');

const convT2 = op('aten::conv_transpose2d.input');
/** Transposed 2-d convolution ("deconvolution"); weight is (in, out/groups, kH, kW). */
export function convTranspose2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, o: ConvTransposeOptions = {}): Tensor {
  const name = 'convTranspose2d';
  const x = asTensor(input, name, 'input');
  const w = asTensor(weight, name, 'weight');
  const b = optTensor(bias, name, 'bias');
  const groups = o.groups ?? 1;
  checkConvShapes(name, x, w, b, 2, groups, true);
  return new Tensor(
    convT2(x.h, w.h, b?.h ?? null, intArg(o.stride ?? 1, 2, name, 'stride', 1), intArg(o.padding ?? 0, 2, name, 'padding', 0),
      intArg(o.outputPadding ?? 0, 2, name, 'outputPadding', 0), groups, intArg(o.dilation ?? 1, 2, name, 'dilation', 1)),
  );
}

export interface PoolOptions {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  dilation?: IntOrPair;
  ceilMode?: boolean;
}

function checkPoolInput(x: Tensor, spatial: number, name: string) {
  check(x.ndim === spatial + 2 || x.ndim === spatial + 1, name, () => `input must be ${spatial + 2}-d or ${spatial + 1}-d, got shape ${shapeStr(x)}`);
}

function poolArgs(kernelSize: IntOrPair, o: PoolOptions, n: number, name: string) {
  const k = intArg(kernelSize, n, name, 'kernelSize', 1);
  const s = o.stride === undefined || o.stride === null ? k : intArg(o.stride, n, name, 'stride', 1);
  const p = intArg(o.padding ?? 0, n, name, 'padding', 0);
  p.forEach((pi, i) => check(pi * 2 <= k[i], name, () => `padding ${pi} must be at most half the kernel size ${k[i]}`));
  return { k, s, p, d: intArg(o.dilation ?? 1, n, name, 'dilation', 1) };
}

const maxPool2dIdx = op('aten::max_pool2d_with_indices');
const maxPool2d_ = op('aten::max_pool2d');
/** 2-d max pooling; with returnIndices, [output, indices] (for maxUnpool). */
export function maxPool2d(input: Tensor, kernelSize: IntOrPair, o?: PoolOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(input: Tensor, kernelSize: IntOrPair, o: PoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: IntOrPair, o: PoolOptions & { returnIndices?: boolean } = {}): Tensor | [Tensor, Tensor] {
  const x = asTensor(input, 'maxPool2d', 'input');
  checkPoolInput(x, 2, 'maxPool2d');
  const { k, s, p, d } = poolArgs(kernelSize, o, 2, 'maxPool2d');
  if (o.returnIndices) return wrapAll(maxPool2dIdx(x.h, k, s, p, d, o.ceilMode ?? false)) as [Tensor, Tensor];
  return new Tensor(maxPool2d_(x.h, k, s, p, d, o.ceilMode ?? false));
}

const maxPool1d_ = op('aten::max_pool1d');
export function maxPool1d(input: Tensor, kernelSize: IntOrPair, o: PoolOptions = {}): Tensor {
  const x = asTensor(input, 'maxPool1d', 'input');
  checkPoolInput(x, 1, 'maxPool1d');
  const { k, s, p, d } = poolArgs(kernelSize, o, 1, 'maxPool1d');
  return new Tensor(maxPool1d_(x.h, k, s, p, d, o.ceilMode ?? false));
}

export interface AvgPoolOptions {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

const avgPool2d_ = op('aten::avg_pool2d');
export function avgPool2d(input: Tensor, kernelSize: IntOrPair, o: AvgPoolOptions = {}): Tensor {
  const x = asTensor(input, 'avgPool2d', 'input');
  checkPoolInput(x, 2, 'avgPool2d');
  const { k, s, p } = poolArgs(kernelSize, o, 2, 'avgPool2d');
  return new Tensor(avgPool2d_(x.h, k, s, p, o.ceilMode ?? false, o.countIncludePad ?? true, o.divisorOverride ?? null));
}

const avgPool1d_ = op('aten::avg_pool1d');
export function avgPool1d(input: Tensor, kernelSize: IntOrPair, o: AvgPoolOptions = {}): Tensor {
  const x = asTensor(input, 'avgPool1d', 'input');
  checkPoolInput(x, 1, 'avgPool1d');
  const { k, s, p } = poolArgs(kernelSize, o, 1, 'avgPool1d');
  return new Tensor(avgPool1d_(x.h, k, s, p, o.ceilMode ?? false, o.countIncludePad ?? true));
}

const adaptiveAvg = op('aten::adaptive_avg_pool2d');
const adaptiveMax = op('aten::adaptive_max_pool2d');
/** Average-pools to a fixed output size; 1 gives global average pooling. */
export function adaptiveAvgPool2d(input: Tensor, outputSize: IntOrPair): Tensor {
  const x = asTensor(input, 'adaptiveAvgPool2d', 'input');
  checkPoolInput(x, 2, 'adaptiveAvgPool2d');
  return new Tensor(adaptiveAvg(x.h, intArg(outputSize, 2, 'adaptiveAvgPool2d', 'outputSize', 1)));
}

export function adaptiveMaxPool2d(input: Tensor, outputSize: IntOrPair): Tensor {
  const x = asTensor(input, 'adaptiveMaxPool2d', 'input');
  checkPoolInput(x, 2, 'adaptiveMaxPool2d');
  const [out, idx] = wrapAll(adaptiveMax(x.h, intArg(outputSize, 2, 'adaptiveMaxPool2d', 'outputSize', 1)));
  idx.dispose();
  return out;
}

export interface InterpolateOptions {
  size?: IntOrPair;
  scaleFactor?: number | readonly number[];
  mode?: 'nearest' | 'bilinear';
  alignCorners?: boolean;
}

const upNearest = op('aten::upsample_nearest2d.vec');
const upBilinear = op('aten::upsample_bilinear2d.vec');
/** Resizes (N, C, H, W) input by size or scaleFactor with nearest or bilinear sampling. */
export function interpolate(input: Tensor, o: InterpolateOptions): Tensor {
  const name = 'interpolate';
  const x = asTensor(input, name, 'input');
  check(x.ndim === 4, name, () => `input must be 4-d (N, C, H, W), got shape ${shapeStr(x)}`);
  check((o.size === undefined) !== (o.scaleFactor === undefined), name, 'give exactly one of size and scaleFactor');
  const mode = o.mode ?? 'nearest';
  check(mode === 'nearest' || mode === 'bilinear', name, `mode must be 'nearest' or 'bilinear', got '${String(mode)}'`);
  check(mode === 'bilinear' || o.alignCorners === undefined, name, 'alignCorners only applies to bilinear mode');
  const size = o.size === undefined ? null : intArg(o.size, 2, name, 'size', 1);
  let scales: number[] | null = null;
  if (o.scaleFactor !== undefined) {
    const sf = typeof o.scaleFactor === 'number' ? [o.scaleFactor, o.scaleFactor] : [...o.scaleFactor];
    check(sf.length === 2 && sf.every((v) => Number.isFinite(v) && v > 0), name, `scaleFactor must be a positive number or two of them, got ${String(o.scaleFactor)}`);
    scales = sf;
  }
  if (mode === 'nearest') return new Tensor(upNearest(x.h, size, scales));
  return new Tensor(upBilinear(x.h, size, o.alignCorners ?? false, scales));
}

const pixelShuffle_ = op('aten::pixel_shuffle');
const pixelUnshuffle_ = op('aten::pixel_unshuffle');
/** (N, C·r², H, W) -> (N, C, H·r, W·r). */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  const x = asTensor(input, 'pixelShuffle', 'input');
  check(Number.isInteger(upscaleFactor) && upscaleFactor > 0, 'pixelShuffle', `upscaleFactor must be a positive integer, got ${upscaleFactor}`);
  check(x.ndim >= 3 && x.shape[x.ndim - 3] % (upscaleFactor * upscaleFactor) === 0, 'pixelShuffle', () => `channels (${x.shape[x.ndim - 3]}) must be divisible by upscaleFactor² (${upscaleFactor * upscaleFactor})`);
  return new Tensor(pixelShuffle_(x.h, upscaleFactor));
}

export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  const x = asTensor(input, 'pixelUnshuffle', 'input');
  return new Tensor(pixelUnshuffle_(x.h, downscaleFactor));
}

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';
const pad_ = op('aten::pad');
/**
 * Pads the last dimensions; `pad` lists (left, right, top, bottom, …) from the
 * last dimension backwards, as in PyTorch.
 */
export function pad(input: Tensor, padding: readonly number[], mode: PadMode = 'constant', value = 0): Tensor {
  const x = asTensor(input, 'pad', 'input');
  check(Array.isArray(padding) && padding.length % 2 === 0 && padding.every((v) => Number.isInteger(v)), 'pad', `padding must be an even-length array of integers, got ${describe(padding)}`);
  check(padding.length / 2 <= x.ndim, 'pad', () => `padding has ${padding.length / 2} dimension pairs but the input has ${x.ndim} dimensions`);
  check(['constant', 'reflect', 'replicate', 'circular'].includes(mode), 'pad', `mode must be constant, reflect, replicate or circular, got '${mode}'`);
  return new Tensor(pad_(x.h, padding, mode, mode === 'constant' ? value : null));
}
