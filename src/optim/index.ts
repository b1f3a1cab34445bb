/** tn.optim: optimizers with torch.optim's semantics (PyTorch 1.13), options in camelCase. */
export {
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
  type ParamsInput,
  type ParamState,
  type SavedParamGroup,
  type OptimizerStateDict,
  type Closure,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adam, type AdamOptions } from './adam.js';
export { AdamW, type AdamWOptions } from './adamw.js';
export { Adadelta, type AdadeltaOptions } from './adadelta.js';
export * as lrScheduler from './lr_scheduler.js';
