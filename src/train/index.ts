/** tn.train: the training loop, callbacks, checkpoints, regularisation and metrics. */
export * from './metrics.js';
export * from './trainer.js';
export * from './callbacks.js';
export * from './checkpoint.js';
export * from './regularization.js';
export * from './curves.js';
export * from './inference.js';
export * from './run.js';
