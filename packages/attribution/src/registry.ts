import { UnknownNameError } from '@lab/tensor';
import type { AttributionMethod } from './core/types';
import { Deconvolution } from './methods/deconvolution';
import { DeepLift, type DeepLiftConfig } from './methods/deep-lift';
import { DeepLiftShap, type DeepLiftShapConfig } from './methods/deep-lift-shap';
import { ExactShapley, type ExactShapleyConfig } from './methods/exact-shapley';
import { ExtremalPerturbation, type ExtremalPerturbationConfig } from './methods/extremal-perturbation';
import { FeatureAblation } from './methods/feature-ablation';
import { FeaturePermutation } from './methods/feature-permutation';
import { GradCam, type GradCamConfig } from './methods/grad-cam';
import { GradientShap, type GradientShapConfig } from './methods/gradient-shap';
import { GuidedBackprop } from './methods/guided-backprop';
import { GuidedGradCam, type GuidedGradCamConfig } from './methods/guided-grad-cam';
import { Iba, type IbaConfig } from './methods/iba';
import { InputXGradient } from './methods/input-x-gradient';
import { IntegratedGradients, type IntegratedGradientsConfig } from './methods/integrated-gradients';
import { KernelShap, type KernelShapConfig } from './methods/kernel-shap';
import { Lime, type LimeConfig } from './methods/lime';
import { Occlusion, type OcclusionConfig } from './methods/occlusion';
import { Rise, type RiseConfig } from './methods/rise';
import { Saliency, type SaliencyConfig } from './methods/saliency';
import { ShapleyValueSampling, type ShapleyValueSamplingConfig } from './methods/shapley-value-sampling';

/**
 * One entry of the {@link methods} registry: how to build a method from a configuration, and where
 * it comes from.
 * @category Registry
 */
export interface MethodEntry<C> {
  /** Builds the method; `config` holds the method settings (its constructor options). */
  create(config: C): AttributionMethod<any>;
  /** Whether the method's maps carry a sign. */
  signed: boolean;
  /** Needs a layer name in its configuration (Grad-CAM, Guided Grad-CAM, IBA). */
  needsLayer: boolean;
  /** Paper the method comes from. */
  reference: string;
}

function entry<C>(create: (config: C) => AttributionMethod<any>, signed: boolean, reference: string, needsLayer = false): MethodEntry<C> {
  return Object.freeze({ create, signed, needsLayer, reference });
}

/**
 * Every attribution method by its registry key (lowercase kebab-case), built from explicit
 * imports so bundlers keep exactly what is used. The CLI and the demo build methods from here.
 * `NoiseTunnel` wraps another method and so is not an entry; build it with `new NoiseTunnel(m)`.
 * @example
 * ```ts
 * const ig = createMethod('integrated-gradients', { steps: 32 });
 * const { attributions } = await ig.attribute(model, x, { target: 3 });
 * ```
 * @category Registry
 */
export const methods = Object.freeze({
  /** {@link Saliency}: the input gradient (signed by default, or its absolute value). */
  saliency: entry((c: SaliencyConfig = {}) => new Saliency(c), true, 'Simonyan et al. 2014, arXiv 1312.6034'),
  /** {@link InputXGradient}: the input times its gradient. */
  'input-x-gradient': entry((_c: Record<string, never> = {}) => new InputXGradient(), true, 'Shrikumar et al. 2016, arXiv 1605.01713'),
  /** {@link IntegratedGradients}: the path integral of the gradient from a baseline. */
  'integrated-gradients': entry((c: IntegratedGradientsConfig = {}) => new IntegratedGradients(c), true, 'Sundararajan et al. 2017, arXiv 1703.01365'),
  /** {@link GuidedBackprop}: the gradient with ReLU backward passes that keep only positive gradients. */
  'guided-backprop': entry((_c: Record<string, never> = {}) => new GuidedBackprop(), true, 'Springenberg et al. 2015, arXiv 1412.6806'),
  /** {@link Deconvolution}: the gradient with each ReLU backward pass replaced by a ReLU of the incoming gradient. */
  deconvolution: entry((_c: Record<string, never> = {}) => new Deconvolution(), true, 'Zeiler and Fergus 2014, arXiv 1311.2901'),
  /** {@link GradientShap}: expected gradients over noisy points between baselines and the input. */
  'gradient-shap': entry((c: GradientShapConfig = {}) => new GradientShap(c), true, 'Lundberg and Lee 2017, arXiv 1705.07874'),
  /** {@link DeepLift}: DeepLIFT multipliers (Rescale rule) against a baseline. */
  'deep-lift': entry((c: DeepLiftConfig = {}) => new DeepLift(c), true, 'Shrikumar et al. 2017, arXiv 1704.02685'),
  /** {@link DeepLiftShap}: DeepLIFT averaged over a distribution of baselines. */
  'deep-lift-shap': entry((c: DeepLiftShapConfig = {}) => new DeepLiftShap(c), true, 'Lundberg and Lee 2017, arXiv 1705.07874'),
  /** {@link GradCam}: channel-weighted activations of a layer, weights from the pooled gradients. */
  'grad-cam': entry((c: GradCamConfig) => new GradCam(c), true, 'Selvaraju et al. 2017, arXiv 1610.02391', true),
  /** {@link GuidedGradCam}: Grad-CAM times guided backpropagation. */
  'guided-grad-cam': entry((c: GuidedGradCamConfig) => new GuidedGradCam(c), true, 'Selvaraju et al. 2017, arXiv 1610.02391', true),
  /** {@link Occlusion}: the output change when a sliding window is replaced by the baseline. */
  occlusion: entry((c: OcclusionConfig) => new Occlusion(c), true, 'Zeiler and Fergus 2014, arXiv 1311.2901'),
  /** {@link FeatureAblation}: the output change when each feature group is replaced by the baseline. */
  'feature-ablation': entry((_c: Record<string, never> = {}) => new FeatureAblation(), true, 'Captum FeatureAblation'),
  /** {@link FeaturePermutation}: the output change when each feature group is permuted across the batch. */
  'feature-permutation': entry((_c: Record<string, never> = {}) => new FeaturePermutation(), true, 'Fisher et al. 2019, arXiv 1801.01489'),
  /** {@link Rise}: the output-weighted average of random masks (unsigned). */
  rise: entry((c: RiseConfig = {}) => new Rise(c), false, 'Petsiuk et al. 2018, arXiv 1806.07421'),
  /** {@link Lime}: a weighted linear surrogate fitted on perturbed interpretable features. */
  lime: entry((c: LimeConfig = {}) => new Lime(c), true, 'Ribeiro et al. 2016, arXiv 1602.04938'),
  /** {@link KernelShap}: Shapley values estimated by the Shapley-kernel weighted regression. */
  'kernel-shap': entry((c: KernelShapConfig = {}) => new KernelShap(c), true, 'Lundberg and Lee 2017, arXiv 1705.07874'),
  /** {@link ShapleyValueSampling}: Shapley values estimated from random feature permutations. */
  'shapley-value-sampling': entry((c: ShapleyValueSamplingConfig = {}) => new ShapleyValueSampling(c), true, 'Castro et al. 2009'),
  /** {@link ExactShapley}: exact Shapley values over every coalition of a few features. */
  'exact-shapley': entry((c: ExactShapleyConfig = {}) => new ExactShapley(c), true, 'Shapley 1953'),
  /** {@link ExtremalPerturbation}: optimised smooth masks of fixed areas (unsigned). */
  'extremal-perturbation': entry((c: ExtremalPerturbationConfig = {}) => new ExtremalPerturbation(c), false, 'Fong et al. 2019, arXiv 1910.08485'),
  /** {@link Iba}: the per-sample information bottleneck on a layer (unsigned). */
  iba: entry((c: IbaConfig) => new Iba(c), false, 'Schulz et al. 2020, arXiv 2001.00396', true),
});

/** A key of the {@link methods} registry. @category Registry */
export type MethodName = keyof typeof methods;

/** The configuration type of a registered method. @category Registry */
export type MethodConfig<N extends MethodName> = Parameters<(typeof methods)[N]['create']>[0];

/**
 * Builds a registered method by name.
 * @throws {@link "@lab/tensor"!UnknownNameError | UnknownNameError} listing the valid names when `name` is not registered.
 * @category Registry
 */
export function createMethod<N extends MethodName>(name: N, ...config: undefined extends MethodConfig<N> ? [MethodConfig<N>?] : [MethodConfig<N>]): AttributionMethod<any> {
  const e = (methods as Record<string, MethodEntry<any>>)[name];
  if (!e) throw new UnknownNameError('attribution method', String(name), Object.keys(methods));
  return e.create(config[0]);
}
