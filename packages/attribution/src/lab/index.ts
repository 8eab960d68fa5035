/**
 * AttributionLab (arXiv 2310.06514): designed data, a hand-weighted network, exact signed ground
 * truth and the faithfulness test. Re-exported by the package entry point.
 * @packageDocumentation
 */
export { PALETTE_COLOURS, paletteIndex, paletteRgb, detectorWeights, detectorResponse } from './palette';
export type { PaletteColour } from './palette';
export { ATTRIBUTION_LAB_DEFAULTS, createLabDesign } from './design';
export type { AttributionLabOptions, LabDesign, LabFeature, LabPatchShape, LabTask, LabUnit, LabUnitSpec } from './design';
export { DESIGNED_DATA_DEFAULTS, generateDesignedData } from './designed-data';
export type { DesignedData, DesignedDataOptions, DesignedPatch } from './designed-data';
export { DesignedNetwork } from './designed-network';
export { DESIGNED_GROUND_TRUTH_DEFAULTS, designedGroundTruth } from './ground-truth';
export type { DesignedGroundTruthOptions } from './ground-truth';
export { AttributionLab } from './environment';
export type { LabBaselines, LabSample, LabSampleOptions } from './environment';
export { FAITHFULNESS_TEST_DEFAULTS, runFaithfulnessTest, scoreAttributionMap } from './faithfulness-test';
export type {
  FaithfulnessScenario,
  FaithfulnessScores,
  FaithfulnessTestOptions,
  FaithfulnessTestResult,
  FaithfulnessThresholds,
  ScoreAttributionMapOptions,
} from './faithfulness-test';
