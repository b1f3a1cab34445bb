/** tn.models: the model zoo and model summaries. */
export * from './summary.js';
export * from './registry.js';
export * from './unet.js';
export * from './mobilenet_v1.js';
export * from './mobilenet_v2.js';
export * from './mobilenet_v3.js';
export * from './unet_mobilenet.js';
export * from './lenet.js';
export * from './vgg7.js';
export * from './resnet.js';
export * from './classic.js';
