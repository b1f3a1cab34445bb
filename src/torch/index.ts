/** The engine: tensors, ops and autograd on libtorch. */
import './ops/pointwise.js';
import './ops/views.js';
import './ops/reduce.js';

export { Tensor, type Shape, type NestedArray } from './tensor.js';
export { TorchError } from './errors.js';
export type { DType, DTypeLike } from './dtype.js';
export * from './creation.js';
export { cat, stack, where } from './ops/views.js';
export * from './functions.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './autograd.js';
export * as autograd from './autograd.js';
export { scope, keep, inScope } from './scope.js';
export { manualSeed, getRngState, setRngState, setNumThreads, getNumThreads, memory, buildInfo, cudaIsAvailable, blasLibrary } from './runtime.js';
export { schemaOf } from './dispatch.js';
export * as safetensors from './safetensors.js';
