/**
 * `@lab/prosmin`: probabilistic self-supervised learning with a scoring-rule loss (ProSMIN,
 * arXiv 2309.02048), its BYOL baseline, the scoring rules it rests on, and its evaluation
 * (linear probe, weighted k-NN, OOD AUROC, calibration, corruptions, low-shot).
 * @packageDocumentation
 */
export { energyScore, ENERGY_SCORE_DEFAULTS } from './scoring/energy-score';
export type { EnergyScoreOptions, EnergyDistance } from './scoring/energy-score';
export { crpsGaussian } from './scoring/crps-gaussian';
export { crpsEnsemble } from './scoring/crps-ensemble';
export type { CrpsEnsembleOptions } from './scoring/crps-ensemble';

export { SmallConvNet, SMALL_CONVNET_DEFAULTS } from './nn/small-convnet';
export type { SmallConvNetOptions } from './nn/small-convnet';
export { DinoHead, DINO_HEAD_DEFAULTS } from './nn/dino-head';
export type { DinoHeadOptions } from './nn/dino-head';
export { WeightNormLinear } from './nn/weight-norm-linear';
export type { WeightNormLinearOptions } from './nn/weight-norm-linear';
export { ProjectionMlp } from './nn/projection-mlp';
export type { ProjectionMlpOptions } from './nn/projection-mlp';
export { MultiCropNet } from './nn/multi-crop-net';

export { randomResizedCrop, RANDOM_RESIZED_CROP_DEFAULTS } from './augment/random-resized-crop';
export type { RandomResizedCropOptions } from './augment/random-resized-crop';
export { randomHorizontalFlip } from './augment/random-horizontal-flip';
export type { RandomHorizontalFlipOptions } from './augment/random-horizontal-flip';
export { colorJitter, COLOR_JITTER_DEFAULTS } from './augment/color-jitter';
export type { ColorJitterOptions } from './augment/color-jitter';
export { randomGrayscale } from './augment/random-grayscale';
export type { RandomGrayscaleOptions } from './augment/random-grayscale';
export { randomGaussianBlur, RANDOM_GAUSSIAN_BLUR_DEFAULTS } from './augment/random-gaussian-blur';
export type { RandomGaussianBlurOptions } from './augment/random-gaussian-blur';
export { randomGaussianNoise } from './augment/random-gaussian-noise';
export type { RandomGaussianNoiseOptions } from './augment/random-gaussian-noise';
export { randomSolarize } from './augment/random-solarize';
export type { RandomSolarizeOptions } from './augment/random-solarize';
export { multiCrop, MULTI_CROP_DEFAULTS } from './augment/multi-crop';
export type { MultiCropOptions, MultiCropViews } from './augment/multi-crop';

export { prosminLoss, PROSMIN_LOSS_DEFAULTS } from './method/prosmin-loss';
export type { ProsminLossOptions } from './method/prosmin-loss';
export { byolLoss } from './method/byol-loss';
export { emaUpdate } from './method/ema-update';
export { cosineSchedule } from './method/cosine-schedule';
export type { CosineScheduleOptions } from './method/cosine-schedule';
export { SelfSupervisedMethod } from './method/self-supervised-method';
export { Prosmin, ProsminOnline, PROSMIN_DEFAULTS } from './method/prosmin';
export type { ProsminOptions, GaussianPrediction, BackboneFactory } from './method/prosmin';
export { Byol, ByolOnline, BYOL_DEFAULTS } from './method/byol';
export type { ByolOptions } from './method/byol';

export { pretrain, PRETRAIN_DEFAULTS } from './train/pretrain';
export type { PretrainOptions, PretrainResult, PretrainStepInfo } from './train/pretrain';

export { extractFeatures } from './eval/extract-features';
export type { ExtractFeaturesOptions } from './eval/extract-features';
export type { LabelledFeatures } from './eval/labelled-features';
export { linearProbe, LINEAR_PROBE_DEFAULTS } from './eval/linear-probe';
export type { LinearProbeOptions, LinearProbeResult } from './eval/linear-probe';
export { weightedKnn, WEIGHTED_KNN_DEFAULTS } from './eval/weighted-knn';
export type { WeightedKnnOptions, WeightedKnnResult } from './eval/weighted-knn';
export { auroc } from './eval/auroc';
export { expectedCalibrationError } from './eval/expected-calibration-error';
export type { ExpectedCalibrationErrorOptions, ExpectedCalibrationErrorResult, ReliabilityBin } from './eval/expected-calibration-error';
export { corrupt, CORRUPTIONS, CORRUPTION_SEVERITIES } from './eval/corrupt';
export type { CorruptionName, CorruptOptions } from './eval/corrupt';
export { lowShotSubset } from './eval/low-shot-subset';
export type { LowShotSubsetOptions } from './eval/low-shot-subset';
