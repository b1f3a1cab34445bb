/** Layers (nn.Linear, nn.Conv2d, …) with PyTorch's semantics, initialisation and state-dict keys. */
export { Linear, Identity, Flatten, Unflatten } from './linear.js';
export { Conv1d, Conv2d, ConvTranspose2d, DepthwiseSeparableConv2d, type ConvLayerOptions, type ConvLayerPadding, type ConvTransposeLayerOptions, type DepthwiseSeparableOptions, type PaddingMode } from './conv.js';
export { BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm, InstanceNorm2d, type BatchNormOptions } from './norm.js';
export { Dropout, Dropout2d } from './dropout.js';
export {
  MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, GlobalAvgPool2d, StochasticPool2d, Upsample,
  type MaxPoolLayerOptions, type AvgPoolLayerOptions,
} from './pooling.js';
export * from './activation.js';
export {
  Conv2dNormActivation, SqueezeExcite, InvertedResidual, BasicBlock, Bottleneck, makeDivisible, makeActivation,
  type ActivationSpec, type NormFactory, type ConvNormActivationOptions, type SqueezeExciteOptions, type InvertedResidualOptions, type ResBlockOptions,
} from './blocks.js';
