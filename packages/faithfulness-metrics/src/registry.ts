/**
 * The `metrics` registry: every metric by its kebab-case name, built from explicit imports.
 * @packageDocumentation
 */
import { UnknownNameError } from '@lab/tensor';
import type { Metric } from './core/metric';
import { completenessAxiomMetric } from './metrics/axiomatic/completeness-axiom';
import { inputInvarianceMetric } from './metrics/axiomatic/input-invariance';
import { nonSensitivityMetric } from './metrics/axiomatic/non-sensitivity';
import { effectiveComplexityMetric } from './metrics/complexity/effective-complexity';
import { entropyComplexityMetric } from './metrics/complexity/entropy-complexity';
import { sparsenessMetric } from './metrics/complexity/sparseness';
import { completenessMetric } from './metrics/faithfulness/completeness';
import { deletionMetric } from './metrics/faithfulness/deletion';
import { faithfulnessCorrelationMetric } from './metrics/faithfulness/faithfulness-correlation';
import { faithfulnessEstimateMetric } from './metrics/faithfulness/faithfulness-estimate';
import { infidelityMetric } from './metrics/faithfulness/infidelity';
import { insertionMetric } from './metrics/faithfulness/insertion';
import { irofMetric } from './metrics/faithfulness/irof';
import { monotonicityAryaMetric } from './metrics/faithfulness/monotonicity-arya';
import { monotonicityNguyenMetric } from './metrics/faithfulness/monotonicity-nguyen';
import { pixelFlippingMetric } from './metrics/faithfulness/pixel-flipping';
import { regionPerturbationMetric } from './metrics/faithfulness/region-perturbation';
import { roadLerfMetric, roadMorfMetric } from './metrics/faithfulness/road';
import { sensitivityNMetric } from './metrics/faithfulness/sensitivity-n';
import { soundnessMetric } from './metrics/faithfulness/soundness';
import { sufficiencyMetric } from './metrics/faithfulness/sufficiency';
import { groundTruthOverlapMetric } from './metrics/localisation/ground-truth-overlap';
import { maskAucMetric } from './metrics/localisation/mask-auc';
import { pointingGameMetric } from './metrics/localisation/pointing-game';
import { iobbMetric, iorMetric, iouMetric } from './metrics/localisation/region-overlap';
import { attributionLocalisationMetric, relevanceMassAccuracyMetric } from './metrics/localisation/relevance-mass-accuracy';
import { relevanceRankAccuracyMetric, topKIntersectionMetric } from './metrics/localisation/top-k-intersection';
import { modelParameterRandomisationMetric } from './metrics/randomisation/model-parameter-randomisation';
import { randomLogitMetric } from './metrics/randomisation/random-logit';
import { localLipschitzEstimateMetric } from './metrics/robustness/local-lipschitz-estimate';
import { avgSensitivityMetric, maxSensitivityMetric } from './metrics/robustness/max-sensitivity';

/**
 * Every metric by its registry key (lowercase kebab-case), grouped by category in this order:
 * faithfulness, localisation, complexity, robustness, randomisation, axiomatic. Each entry is a
 * {@link Metric}: metadata (category, direction, reference, required inputs, defaults) and one
 * `evaluate(input, options)`. Built from explicit imports; nothing registers itself.
 * @example
 * ```ts
 * const m = getMetric('soundness');
 * const r = await m.evaluate({ model, inputs, attributions }, { sign: 'abs' });
 * console.log(m.higherIsBetter, r.score);
 * ```
 * @category Registry
 */
export const metrics = Object.freeze({
  /** The {@link soundness} metric. */
  soundness: soundnessMetric,
  /** The {@link completeness} metric. */
  completeness: completenessMetric,
  /** The {@link deletion} metric. */
  deletion: deletionMetric,
  /** The {@link insertion} metric. */
  insertion: insertionMetric,
  /** The {@link pixelFlipping} metric. */
  'pixel-flipping': pixelFlippingMetric,
  /** The {@link regionPerturbation} metric. */
  'region-perturbation': regionPerturbationMetric,
  /** The {@link road} metric with MoRF ordering (most relevant pixels imputed first). */
  'road-morf': roadMorfMetric,
  /** The {@link road} metric with LeRF ordering (least relevant pixels imputed first). */
  'road-lerf': roadLerfMetric,
  /** The {@link irof} metric. */
  irof: irofMetric,
  /** The {@link faithfulnessCorrelation} metric. */
  'faithfulness-correlation': faithfulnessCorrelationMetric,
  /** The {@link faithfulnessEstimate} metric. */
  'faithfulness-estimate': faithfulnessEstimateMetric,
  /** The {@link monotonicityArya} metric. */
  'monotonicity-arya': monotonicityAryaMetric,
  /** The {@link monotonicityNguyen} metric. */
  'monotonicity-nguyen': monotonicityNguyenMetric,
  /** The {@link sensitivityN} metric. */
  'sensitivity-n': sensitivityNMetric,
  /** The {@link infidelity} metric. */
  infidelity: infidelityMetric,
  /** The {@link sufficiency} metric. */
  sufficiency: sufficiencyMetric,
  /** The {@link pointingGame} metric. */
  'pointing-game': pointingGameMetric,
  /** The {@link attributionLocalisation} metric. */
  'attribution-localisation': attributionLocalisationMetric,
  /** The {@link topKIntersection} metric. */
  'top-k-intersection': topKIntersectionMetric,
  /** The {@link relevanceMassAccuracy} metric. */
  'relevance-mass-accuracy': relevanceMassAccuracyMetric,
  /** The {@link relevanceRankAccuracy} metric. */
  'relevance-rank-accuracy': relevanceRankAccuracyMetric,
  /** The {@link maskAuc} metric. */
  'mask-auc': maskAucMetric,
  /** Intersection over union of {@link regionOverlap}. */
  iou: iouMetric,
  /** Intersection over the bounding box of {@link regionOverlap}. */
  iobb: iobbMetric,
  /** Intersection over the ground-truth region of {@link regionOverlap}. */
  ior: iorMetric,
  /** The {@link groundTruthOverlap} metric. */
  'ground-truth-overlap': groundTruthOverlapMetric,
  /** The {@link sparseness} metric. */
  sparseness: sparsenessMetric,
  /** The {@link entropyComplexity} metric. */
  'entropy-complexity': entropyComplexityMetric,
  /** The {@link effectiveComplexity} metric. */
  'effective-complexity': effectiveComplexityMetric,
  /** The {@link maxSensitivity} metric. */
  'max-sensitivity': maxSensitivityMetric,
  /** The {@link avgSensitivity} metric. */
  'avg-sensitivity': avgSensitivityMetric,
  /** The {@link localLipschitzEstimate} metric. */
  'local-lipschitz-estimate': localLipschitzEstimateMetric,
  /** The {@link modelParameterRandomisation} metric. */
  'model-parameter-randomisation': modelParameterRandomisationMetric,
  /** The {@link randomLogit} metric. */
  'random-logit': randomLogitMetric,
  /** The {@link completenessAxiom} metric. */
  'completeness-axiom': completenessAxiomMetric,
  /** The {@link nonSensitivity} metric. */
  'non-sensitivity': nonSensitivityMetric,
  /** The {@link inputInvariance} metric. */
  'input-invariance': inputInvarianceMetric,
});

/** A key of the {@link metrics} registry. @category Registry */
export type MetricName = keyof typeof metrics;

/**
 * The registered metric called `name`.
 * @param name - a registry key, e.g. `soundness`
 * @returns the {@link Metric}
 * @throws {@link "@lab/tensor"!UnknownNameError | UnknownNameError} listing the valid names
 * @example
 * ```ts
 * const road = getMetric('road-morf');
 * ```
 * @category Registry
 */
export function getMetric<N extends MetricName>(name: N): (typeof metrics)[N];
export function getMetric(name: string): Metric<any, any>;
export function getMetric(name: string): Metric<any, any> {
  if (!Object.hasOwn(metrics, name)) throw new UnknownNameError('metric', name, Object.keys(metrics));
  return (metrics as Record<string, Metric<any, any>>)[name];
}
