/** tn.nn: neural-network building blocks. */
export * as functional from './functional/index.js';
export { Module, Parameter, type StateDict, type LoadResult } from './module.js';
export { Sequential, ModuleList, ModuleDict } from './containers.js';
export * as utils from './utils/index.js';
export * from './layers/index.js';
export * as init from './init.js';
