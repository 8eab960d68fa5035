/**
 * `@lab/attribution`: feature attribution methods with one call shape
 * (`method.attribute(model, input, { target, baselines, batchSize, seed })`), and the
 * AttributionLab environment (arXiv 2310.06514).
 * @packageDocumentation
 */
export * from './core/types';
export { quadrature, QUADRATURE_RULES } from './core/quadrature';
export type { Quadrature, QuadratureRule } from './core/quadrature';
export { weightedRidge, solveSymmetric } from './core/linear-model';
export type { LinearFit, WeightedRidgeOptions } from './core/linear-model';

export * from './methods/saliency';
export * from './methods/input-x-gradient';
export * from './methods/integrated-gradients';
export * from './methods/noise-tunnel';
export * from './methods/gradient-shap';
export * from './methods/deep-lift';
export * from './methods/deep-lift-shap';
export * from './methods/guided-backprop';
export * from './methods/deconvolution';
export * from './methods/grad-cam';
export * from './methods/guided-grad-cam';
export * from './methods/occlusion';
export * from './methods/feature-ablation';
export * from './methods/feature-permutation';
export * from './methods/rise';
export * from './methods/lime';
export * from './methods/kernel-shap';
export * from './methods/shapley-value-sampling';
export * from './methods/exact-shapley';
export * from './methods/extremal-perturbation';
export * from './methods/iba';

export * from './segmentation/grid';
export * from './segmentation/slic';

export * from './registry';

export { AttributionWorkers, createAttributionWorkers, attributionTaskUrl } from './parallel/attribution-workers';
export type { AttributionWorkersOptions } from './parallel/attribution-workers';
export type { AttributionTaskInput, AttributionTaskOutput } from './parallel/attribution-task-types';

export * from './lab/index';
