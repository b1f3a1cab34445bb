/** tn.nn.functional: the ops of torch.nn.functional with PyTorch's signatures, in camelCase. */
export * from './conv.js';
export * from './norm.js';
export * from './activation.js';
export * from './loss.js';
export * from './segmentation.js';
