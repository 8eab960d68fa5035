/**
 * `@lab/faithfulness-metrics`: soundness and completeness (arXiv 2308.08949) with pluggable
 * imputers — ROAD noisy linear imputation solved by multigrid-preconditioned conjugate gradient,
 * constant, mean, blur, uniform — and the classic faithfulness, localisation, complexity,
 * robustness, randomisation and axiom metrics, all on one {@link Metric} contract.
 * @packageDocumentation
 */
export type {
  MapOptions,
  Metric,
  MetricCategory,
  MetricInput,
  MetricResult,
  ModelMetricOptions,
  Normalisation,
  SignConversion,
} from './core/metric';
export { PIXEL_ORDER_DEFAULTS, pixelOrder } from './core/ordering';
export type { OrderDirection, PixelOrderOptions } from './core/ordering';

export { Imputer, ImputerState } from './imputation/imputer';
export type { ImputeOptions } from './imputation/imputer';
export { CONSTANT_IMPUTER_DEFAULTS, ConstantImputer } from './imputation/constant-imputer';
export type { ConstantImputerOptions } from './imputation/constant-imputer';
export { MeanImputer } from './imputation/mean-imputer';
export { BLUR_IMPUTER_DEFAULTS, BlurImputer } from './imputation/blur-imputer';
export type { BlurImputerOptions } from './imputation/blur-imputer';
export { UNIFORM_IMPUTER_DEFAULTS, UniformImputer } from './imputation/uniform-imputer';
export type { UniformImputerOptions } from './imputation/uniform-imputer';
export { NOISY_LINEAR_IMPUTER_DEFAULTS, NoisyLinearImputer, ROAD_NEIGHBOURS } from './imputation/noisy-linear-imputer';
export type { NoisyLinearImputerOptions } from './imputation/noisy-linear-imputer';
export type { Preconditioner } from './imputation/multigrid';

export type { PerformanceMeasure, SocoPreset } from './metrics/faithfulness/soco-shared';
export { SOUNDNESS_DEFAULTS, soundness } from './metrics/faithfulness/soundness';
export type { SoundnessOptions, SoundnessResult } from './metrics/faithfulness/soundness';
export { COMPLETENESS_DEFAULTS, completeness } from './metrics/faithfulness/completeness';
export type { CompletenessOptions, CompletenessResult } from './metrics/faithfulness/completeness';
export type { PerturbationCurveOptions, PerturbationCurveResult } from './metrics/faithfulness/ordered-curve';
export { DELETION_DEFAULTS, deletion } from './metrics/faithfulness/deletion';
export { INSERTION_DEFAULTS, insertion } from './metrics/faithfulness/insertion';
export { PIXEL_FLIPPING_DEFAULTS, pixelFlipping } from './metrics/faithfulness/pixel-flipping';
export { REGION_PERTURBATION_DEFAULTS, regionPerturbation } from './metrics/faithfulness/region-perturbation';
export type { RegionPerturbationOptions, RegionPerturbationResult } from './metrics/faithfulness/region-perturbation';
export { ROAD_DEFAULTS, road } from './metrics/faithfulness/road';
export type { RoadOptions, RoadResult } from './metrics/faithfulness/road';
export { IROF_DEFAULTS, irof } from './metrics/faithfulness/irof';
export type { IrofOptions, IrofResult } from './metrics/faithfulness/irof';
export { FAITHFULNESS_CORRELATION_DEFAULTS, faithfulnessCorrelation } from './metrics/faithfulness/faithfulness-correlation';
export type { FaithfulnessCorrelationOptions, FaithfulnessCorrelationResult } from './metrics/faithfulness/faithfulness-correlation';
export { FAITHFULNESS_ESTIMATE_DEFAULTS, faithfulnessEstimate } from './metrics/faithfulness/faithfulness-estimate';
export type { FaithfulnessEstimateOptions, FaithfulnessEstimateResult } from './metrics/faithfulness/faithfulness-estimate';
export { MONOTONICITY_ARYA_DEFAULTS, monotonicityArya } from './metrics/faithfulness/monotonicity-arya';
export type { MonotonicityAryaOptions, MonotonicityAryaResult } from './metrics/faithfulness/monotonicity-arya';
export { MONOTONICITY_NGUYEN_DEFAULTS, monotonicityNguyen } from './metrics/faithfulness/monotonicity-nguyen';
export type { MonotonicityNguyenOptions, MonotonicityNguyenResult } from './metrics/faithfulness/monotonicity-nguyen';
export { SENSITIVITY_N_DEFAULTS, sensitivityN } from './metrics/faithfulness/sensitivity-n';
export type { SensitivityNOptions, SensitivityNResult } from './metrics/faithfulness/sensitivity-n';
export { INFIDELITY_DEFAULTS, infidelity } from './metrics/faithfulness/infidelity';
export type { InfidelityOptions, InfidelityResult } from './metrics/faithfulness/infidelity';
export { SUFFICIENCY_DEFAULTS, sufficiency } from './metrics/faithfulness/sufficiency';
export type { SufficiencyOptions, SufficiencyResult } from './metrics/faithfulness/sufficiency';

export type { LocalisationOptions } from './metrics/localisation/localisation-shared';
export { POINTING_GAME_DEFAULTS, pointingGame } from './metrics/localisation/pointing-game';
export type { PointingGameOptions, PointingGameResult } from './metrics/localisation/pointing-game';
export {
  ATTRIBUTION_LOCALISATION_DEFAULTS,
  RELEVANCE_MASS_ACCURACY_DEFAULTS,
  attributionLocalisation,
  relevanceMassAccuracy,
} from './metrics/localisation/relevance-mass-accuracy';
export type { AttributionLocalisationOptions, MassShareResult } from './metrics/localisation/relevance-mass-accuracy';
export { RELEVANCE_RANK_ACCURACY_DEFAULTS, TOP_K_INTERSECTION_DEFAULTS, relevanceRankAccuracy, topKIntersection } from './metrics/localisation/top-k-intersection';
export type { TopKIntersectionOptions, TopKResult } from './metrics/localisation/top-k-intersection';
export { MASK_AUC_DEFAULTS, maskAuc } from './metrics/localisation/mask-auc';
export type { MaskAucResult } from './metrics/localisation/mask-auc';
export { REGION_OVERLAP_DEFAULTS, regionOverlap } from './metrics/localisation/region-overlap';
export type { OverlapScore, RegionOverlapOptions, RegionOverlapResult } from './metrics/localisation/region-overlap';
export { GROUND_TRUTH_OVERLAP_DEFAULTS, groundTruthOverlap } from './metrics/localisation/ground-truth-overlap';
export type { GroundTruthOverlapOptions, GroundTruthOverlapResult, SignedOverlap } from './metrics/localisation/ground-truth-overlap';

export { SPARSENESS_DEFAULTS, sparseness } from './metrics/complexity/sparseness';
export type { ComplexityResult } from './metrics/complexity/sparseness';
export { ENTROPY_COMPLEXITY_DEFAULTS, entropyComplexity } from './metrics/complexity/entropy-complexity';
export { EFFECTIVE_COMPLEXITY_DEFAULTS, effectiveComplexity } from './metrics/complexity/effective-complexity';
export type { EffectiveComplexityOptions } from './metrics/complexity/effective-complexity';

export type { RobustnessOptions } from './metrics/robustness/sensitivity-shared';
export { SENSITIVITY_DEFAULTS, avgSensitivity, maxSensitivity } from './metrics/robustness/max-sensitivity';
export type { SensitivityOptions, SensitivityResult } from './metrics/robustness/max-sensitivity';
export { LOCAL_LIPSCHITZ_DEFAULTS, localLipschitzEstimate } from './metrics/robustness/local-lipschitz-estimate';
export type { LocalLipschitzOptions, LocalLipschitzResult } from './metrics/robustness/local-lipschitz-estimate';

export { MODEL_PARAMETER_RANDOMISATION_DEFAULTS, modelParameterRandomisation } from './metrics/randomisation/model-parameter-randomisation';
export type { MapSimilarity, ModelParameterRandomisationOptions, ModelParameterRandomisationResult } from './metrics/randomisation/model-parameter-randomisation';
export { RANDOM_LOGIT_DEFAULTS, randomLogit } from './metrics/randomisation/random-logit';
export type { RandomLogitOptions, RandomLogitResult } from './metrics/randomisation/random-logit';

export { COMPLETENESS_AXIOM_DEFAULTS, completenessAxiom } from './metrics/axiomatic/completeness-axiom';
export type { CompletenessAxiomOptions, CompletenessAxiomResult } from './metrics/axiomatic/completeness-axiom';
export { NON_SENSITIVITY_DEFAULTS, nonSensitivity } from './metrics/axiomatic/non-sensitivity';
export type { NonSensitivityOptions, NonSensitivityResult } from './metrics/axiomatic/non-sensitivity';
export { INPUT_INVARIANCE_DEFAULTS, inputInvariance } from './metrics/axiomatic/input-invariance';
export type { InputInvarianceOptions, InputInvarianceResult } from './metrics/axiomatic/input-invariance';

export { getMetric, metrics } from './registry';
export type { MetricName } from './registry';
