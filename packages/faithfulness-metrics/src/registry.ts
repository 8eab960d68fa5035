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
  soundness: soundnessMetric,
  completeness: completenessMetric,
  deletion: deletionMetric,
  insertion: insertionMetric,
  'pixel-flipping': pixelFlippingMetric,
  'region-perturbation': regionPerturbationMetric,
  'road-morf': roadMorfMetric,
  'road-lerf': roadLerfMetric,
  irof: irofMetric,
  'faithfulness-correlation': faithfulnessCorrelationMetric,
  'faithfulness-estimate': faithfulnessEstimateMetric,
  'monotonicity-arya': monotonicityAryaMetric,
  'monotonicity-nguyen': monotonicityNguyenMetric,
  'sensitivity-n': sensitivityNMetric,
  infidelity: infidelityMetric,
  sufficiency: sufficiencyMetric,
  'pointing-game': pointingGameMetric,
  'attribution-localisation': attributionLocalisationMetric,
  'top-k-intersection': topKIntersectionMetric,
  'relevance-mass-accuracy': relevanceMassAccuracyMetric,
  'relevance-rank-accuracy': relevanceRankAccuracyMetric,
  'mask-auc': maskAucMetric,
  iou: iouMetric,
  iobb: iobbMetric,
  ior: iorMetric,
  'ground-truth-overlap': groundTruthOverlapMetric,
  sparseness: sparsenessMetric,
  'entropy-complexity': entropyComplexityMetric,
  'effective-complexity': effectiveComplexityMetric,
  'max-sensitivity': maxSensitivityMetric,
  'avg-sensitivity': avgSensitivityMetric,
  'local-lipschitz-estimate': localLipschitzEstimateMetric,
  'model-parameter-randomisation': modelParameterRandomisationMetric,
  'random-logit': randomLogitMetric,
  'completeness-axiom': completenessAxiomMetric,
  'non-sensitivity': nonSensitivityMetric,
  'input-invariance': inputInvarianceMetric,
});

/** A key of the {@link metrics} registry. @category Registry */
export type MetricName = keyof typeof metrics;

/**
 * The registered metric called `name`.
 * @param name - a registry key, e.g. `soundness`
 * @returns the {@link Metric}
 * @throws {@link UnknownNameError} listing the valid names
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
