/** Datasets and preprocessing: image files, folders, IDX, CSV, synthetic cells, normalisation, fingerprints. */
export * from './types.js';
export * from './random.js';
export * from './bmp.js';
export * from './image.js';
export * from './mask.js';
export * from './folder.js';
export * from './idx.js';
export * from './csv.js';
export * from './synthetic.js';
export * from './preprocess.js';
export * from './fingerprint.js';
export * as augment from './augment/index.js';
export { Compose, buildAugment, resolveAugmentSpec, augmentPresets, nnunetPreset, type AugmentSpec, type TransformSpec } from './augment/index.js';
export * from './split.js';
export * from './spec.js';
export * from './loader.js';
