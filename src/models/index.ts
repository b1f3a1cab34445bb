/** tn.models: the model zoo and model summaries. */
export * from './summary.js';
export * from './registry.js';
