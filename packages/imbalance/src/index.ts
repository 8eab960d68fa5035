/**
 * `@lab/imbalance`: cost-sensitive losses, re-sampling, multi-label metrics, and the
 * saliency-alignment and concept-counting analyses of arXiv 2204.01729 ("Analyzing the Effects of
 * Handling Data Imbalance on Learned Features from Medical Images by Looking Into the Models").
 * @packageDocumentation
 */
export { classCounts } from './core/class-counts';
export type { ClassCounts } from './core/class-counts';

export { binaryCrossEntropy } from './losses/multi-label/binary-cross-entropy';
export type { BinaryCrossEntropyOptions } from './losses/multi-label/binary-cross-entropy';
export { intraWeightedBce, intraFallbackWeight, INTRA_WEIGHTED_BCE_DEFAULTS } from './losses/multi-label/intra-weighted-bce';
export type { IntraWeightedBceOptions } from './losses/multi-label/intra-weighted-bce';
export { interWeightedBce, interClassWeights, INTER_WEIGHTED_BCE_DEFAULTS } from './losses/multi-label/inter-weighted-bce';
export type { InterWeightedBceOptions } from './losses/multi-label/inter-weighted-bce';
export { sigmoidFocalLoss, SIGMOID_FOCAL_LOSS_DEFAULTS } from './losses/multi-label/sigmoid-focal-loss';
export type { SigmoidFocalLossOptions } from './losses/multi-label/sigmoid-focal-loss';
export { classBalancedFocalLoss, classBalancedAlpha, CLASS_BALANCED_FOCAL_LOSS_DEFAULTS } from './losses/multi-label/class-balanced-focal-loss';
export type { ClassBalancedFocalLossOptions } from './losses/multi-label/class-balanced-focal-loss';
export {
  multiTaskUncertaintyLoss,
  MultiTaskUncertaintyLoss,
  MULTI_TASK_UNCERTAINTY_LOSS_DEFAULTS,
} from './losses/multi-label/multi-task-uncertainty-loss';
export type { MultiTaskUncertaintyLossOptions, MultiTaskUncertaintyLossConfig } from './losses/multi-label/multi-task-uncertainty-loss';
export { asymmetricLoss, ASYMMETRIC_LOSS_DEFAULTS } from './losses/multi-label/asymmetric-loss';
export type { AsymmetricLossOptions } from './losses/multi-label/asymmetric-loss';

export { weightedCrossEntropy } from './losses/single-label/weighted-cross-entropy';
export type { WeightedCrossEntropyOptions } from './losses/single-label/weighted-cross-entropy';
export { softmaxFocalLoss, SOFTMAX_FOCAL_LOSS_DEFAULTS } from './losses/single-label/softmax-focal-loss';
export type { SoftmaxFocalLossOptions } from './losses/single-label/softmax-focal-loss';
export { classBalancedSoftmaxLoss, classBalancedWeights, CLASS_BALANCED_SOFTMAX_LOSS_DEFAULTS } from './losses/single-label/class-balanced-softmax-loss';
export type { ClassBalancedSoftmaxLossOptions } from './losses/single-label/class-balanced-softmax-loss';
export { ldamLoss, ldamMargins, deferredReweightingWeights, LDAM_LOSS_DEFAULTS } from './losses/single-label/ldam-loss';
export type { LdamLossOptions, DeferredReweightingOptions } from './losses/single-label/ldam-loss';

export { multiLabelLosses, createMultiLabelLoss } from './losses/registry';
export type { MultiLabelLoss, MultiLabelLossEntry, MultiLabelLossName, MultiLabelLossOptions } from './losses/registry';

export { classSamplingWeights, CLASS_SAMPLING_WEIGHTS_DEFAULTS } from './sampling/class-sampling-weights';
export type { ClassSamplingWeightsOptions, ClassSamplingWeightsResult, SampleWeightAggregate } from './sampling/class-sampling-weights';
export { weightedSample, WEIGHTED_SAMPLE_DEFAULTS } from './sampling/weighted-sample';
export type { WeightedSampleOptions } from './sampling/weighted-sample';
export { classAwareSample } from './sampling/class-aware-sample';
export type { ClassAwareSampleOptions } from './sampling/class-aware-sample';

export { rocAuc } from './metrics/roc-auc';
export { averagePrecision } from './metrics/average-precision';
export { multiLabelMetrics, MULTI_LABEL_METRICS_DEFAULTS } from './metrics/multi-label-metrics';
export type { MultiLabelMetricsOptions, MultiLabelMetricsResult, ThresholdAccuracy } from './metrics/multi-label-metrics';
export type { MatrixInput } from './internal/matrix';

export type { LabeledBox } from './analysis/boxes';
export type { Connectivity } from './analysis/connected-components';
export { boxPointingGame, BOX_POINTING_GAME_DEFAULTS } from './analysis/box-pointing-game';
export type { BoxPointingGameOptions, BoxPointingGameResult } from './analysis/box-pointing-game';
export { boxOverlap, BOX_OVERLAP_EPS } from './analysis/box-overlap';
export type { BoxOverlapOptions, BoxOverlapResult } from './analysis/box-overlap';
export { saliencyAlignment, SALIENCY_ALIGNMENT_DEFAULTS } from './analysis/saliency-alignment';
export type { SaliencyAlignmentOptions, SaliencyAlignmentResult, AlignmentStats, AlignmentPair, MeanStd } from './analysis/saliency-alignment';
export { countConcepts, COUNT_CONCEPTS_DEFAULTS } from './analysis/count-concepts';
export type { CountConceptsOptions, CountConceptsResult, ConceptStats } from './analysis/count-concepts';

export { CHESTXRAY14_CLASSES, parseChestXray14Labels, parseChestXray14Boxes } from './data/chestxray14';
export type { ChestXray14Options, ChestXray14BoxesOptions, ChestXray14Labels } from './data/chestxray14';
export { longTailedCounts, longTailedCanvases, LONG_TAILED_CANVASES_DEFAULTS } from './data/long-tailed-canvases';
export type { GlyphSet, LongTailedCanvasesOptions, LongTailedCanvases } from './data/long-tailed-canvases';
