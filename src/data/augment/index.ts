/** Seeded augmentation of plain samples (image bilinear, mask nearest), pure TypeScript for worker threads. */
export { flip, rot90, affine, elastic, bicubicField, type AffineParams, type ElasticParams } from './geometry.js';
export { brightness, contrast, gamma, gaussianNoise, gaussianBlur, gaussianKernel, type GammaOptions } from './intensity.js';
export { padTo, cropAt, centerCrop, randomCrop, type PadOptions, type RandomCropOptions, type CropInfo } from './crop.js';
export { remap, reflectCoord, reflectIndex, checkSample, cloneSample, type Padding } from './sample.js';
export {
  Compose,
  buildAugment,
  resolveAugmentSpec,
  applyTransform,
  augmentPresets,
  nnunetPreset,
  size2,
  type AugmentSpec,
  type TransformSpec,
  type TransformType,
  type Range,
  type Size2,
} from './compose.js';
