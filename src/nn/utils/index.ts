/** tn.nn.utils: helpers of torch.nn.utils. */
export { clipGradNorm_, clipGradValue_ } from './clip_grad.js';
