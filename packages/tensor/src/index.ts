/**
 * `@lab/tensor`: the shared tensor stack of lab.
 * @packageDocumentation
 */
export * from './errors';
export * from './random/index';
export * from './backend/index';
export * from './nn/index';
export * from './train/index';
export * from './io/weights/index';
export * from './io/image/index';
export * from './profiler/index';
export * from './models/index';
export * from './parallel/index';
