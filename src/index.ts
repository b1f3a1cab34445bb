/** tunet: train and diagnose deep networks in TypeScript on libtorch. */
export * from './torch/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as train from './train/index.js';
export * as models from './models/index.js';
export * as data from './data/index.js';
