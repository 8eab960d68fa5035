/**
 * `@lab/pruning`: channel dependency groups, importance criteria, random channel configuration
 * search under a budget, and real channel removal (random channel pruning, arXiv 2205.05676).
 * @packageDocumentation
 */
export type {
  ChannelRole,
  LayerCall,
  ChannelParamKind,
  ChannelParam,
  LayerCost,
  KeptChannels,
  LayerPruneOptions,
  LayerPruner,
  ContainerAdapter,
} from './layers/layer-pruner';
export { setField } from './layers/layer-pruner';
export { conv2dPruner, isDepthwise } from './layers/conv2d-pruner';
export { linearPruner } from './layers/linear-pruner';
export { batchNorm2dPruner } from './layers/batch-norm2d-pruner';
export { groupNormPruner } from './layers/group-norm-pruner';
export { preluPruner } from './layers/prelu-pruner';
export { pixelShufflePruner, pixelUnshufflePruner } from './layers/pixel-shuffle-pruner';
export { flattenPruner } from './layers/flatten-pruner';
export { basicBlockCifarAdapter } from './layers/basic-block-cifar-adapter';
export { BUILTIN_LAYER_PRUNERS, BUILTIN_CONTAINER_ADAPTERS } from './layers/builtin';

export { DependencyGraph } from './graph/dependency-graph';
export type { GraphLayer, GroupMember, PruningGroup, RemovedChannels, ModelCost } from './graph/dependency-graph';
export { buildDependencyGraph, BUILD_DEPENDENCY_GRAPH_DEFAULTS } from './graph/build-dependency-graph';
export type { BuildDependencyGraphOptions } from './graph/build-dependency-graph';

export type { CriterionNeeds, CriterionContext, ImportanceCriterion, GroupReduction, GroupCriterionOptions } from './criteria/importance-criterion';
export { GROUP_CRITERION_DEFAULTS } from './criteria/importance-criterion';
export { l1Importance } from './criteria/l1-importance';
export { l2Importance } from './criteria/l2-importance';
export { bnScaleImportance } from './criteria/bn-scale-importance';
export type { BnScaleImportanceOptions } from './criteria/bn-scale-importance';
export { taylorImportance } from './criteria/taylor-importance';
export { fpgmImportance } from './criteria/fpgm-importance';
export { hessianImportance } from './criteria/hessian-importance';
export { randomImportance } from './criteria/random-importance';
export type { RandomImportanceOptions } from './criteria/random-importance';
export type { LossFunction, ScoringData } from './criteria/gradient-statistics';
export { scoreGroups, SCORE_GROUPS_DEFAULTS } from './criteria/score-groups';
export type { GroupScores, ScoreGroupsOptions } from './criteria/score-groups';
export { criteria, createCriterion } from './criteria/registry';
export type { CriterionEntry, CriterionName } from './criteria/registry';

export { prune, PRUNE_DEFAULTS } from './pruners/prune';
export type { PrunePlan, PruneOptions } from './pruners/prune';
export { planPruning, PLAN_PRUNING_DEFAULTS } from './pruners/plan-pruning';
export type { PlanPruningOptions } from './pruners/plan-pruning';
export type { ChannelBudget } from './pruners/channel-budget';
export { sampleConfigurations, SAMPLE_CONFIGURATIONS_DEFAULTS } from './pruners/sample-configurations';
export type { SampleConfigurationsOptions, SampleConfigurationsResult, ChannelConfiguration } from './pruners/sample-configurations';
export { uniformKeepRatio, UNIFORM_KEEP_RATIO_DEFAULTS } from './pruners/uniform-keep-ratio';
export type { UniformKeepRatioOptions, UniformKeepRatioResult } from './pruners/uniform-keep-ratio';
export { randomChannelPruning, RANDOM_CHANNEL_PRUNING_DEFAULTS } from './pruners/random-channel-pruning';
export type { RandomChannelPruningOptions, RandomChannelPruningResult, RandomCandidate, TrainPhase } from './pruners/random-channel-pruning';

export { createPruningRecord, PRUNING_RECORD_FORMAT, PRUNING_RECORD_VERSION } from './io/pruning-record';
export type { PruningRecord, PruningRecordGroup, CreatePruningRecordOptions } from './io/pruning-record';
export { applyPruningRecord } from './io/apply-pruning-record';
export type { ApplyPruningRecordOptions } from './io/apply-pruning-record';
export { savePruned, PRUNING_RECORD_METADATA_KEY } from './io/save-pruned';
export { loadPruned, readPruningRecord } from './io/load-pruned';
export type { LoadPrunedResult } from './io/load-pruned';
