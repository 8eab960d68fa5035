/**
 * `@lab/tinytracker`: TinyTracker, TinyTrackerS and iTracker gaze models, int8 post-training
 * quantisation with a TFLite-exact integer reference, GazeCapture data, and size, latency and
 * energy accounting.
 * @packageDocumentation
 */
export { GazeModel } from './models/common/gaze-model';
export { TinyTracker, TINYTRACKER_DEFAULTS, TINYTRACKER_RELEASED } from './models/tinytracker/tinytracker';
export type { TinyTrackerOptions } from './models/tinytracker/tinytracker';
export { TinyTrackerS, TINYTRACKER_S_DEFAULTS } from './models/tinytracker-s/tinytracker-s';
export type { TinyTrackerSOptions } from './models/tinytracker-s/tinytracker-s';
export { ITracker, ITRACKER_INPUT_SIZE } from './models/itracker/itracker';
export type { ITrackerOptions } from './models/itracker/itracker';
export { CrossMapLRN2d } from './models/itracker/cross-map-lrn2d';
export { models, findModel } from './models/registry';
export type { ModelEntry, ModelName, ModelPaper } from './models/registry';

export { runInferenceGraph } from './quant/inference-graph';
export type {
  InferenceGraph,
  GraphOp,
  GraphConv2d,
  GraphFullyConnected,
  GraphAdd,
  GraphMean,
  GraphMul,
  GraphElementwise,
  GraphReshape,
  GraphConcatConstant,
  GraphConstant,
  GraphPads,
  FusedActivation,
  RunInferenceGraphOptions,
} from './quant/inference-graph';
export { foldBatchNorm } from './quant/fold-batch-norm';
export type { FoldedConv } from './quant/fold-batch-norm';
export { calibrateActivations, CALIBRATE_DEFAULTS } from './quant/calibrate';
export type { CalibrateOptions, ActivationRanges } from './quant/calibrate';
export { quantizeMultiplier, multiplyByQuantizedMultiplier } from './quant/fixed-point';
export type { QuantizedMultiplier } from './quant/fixed-point';
export { activationQuantParams, quantizeWeights, quantizeBias } from './quant/quant-params';
export type { QuantParams, QuantizedWeights } from './quant/quant-params';
export { quantizeModel } from './quant/quantize-model';
export type { QuantizeModelOptions } from './quant/quantize-model';
export { QuantizedModel } from './quant/quantized-model';
export type {
  QuantizedGraph,
  QuantizedOp,
  QConv2d,
  QFullyConnected,
  QAdd,
  QMean,
  QMul,
  QLookup,
  QReshape,
  QConcatConstant,
  QConstant,
  ChannelRequant,
} from './quant/quantized-graph';
export { runIntegerReference } from './quant/integer-reference';
export { modelSize } from './quant/model-size';
export type { ModelSizeResult } from './quant/model-size';

export { faceGridChannels, faceGridMask, FACE_GRID_SIZE, BAKED_GRID_RANGE } from './data/face-grid';
export type { FaceGridBox } from './data/face-grid';
export { generateGazeData, GENERATE_GAZE_DATA_DEFAULTS, GAZE_SCREEN_CM } from './data/generate-gaze-data';
export type { GenerateGazeDataOptions, GazeData } from './data/generate-gaze-data';
export { augmentFaces, AUGMENT_FACES_DEFAULTS } from './data/augment-faces';
export type { AugmentFacesOptions } from './data/augment-faces';
export { parseGazeCaptureRecording, loadGazeCapture, cropFace, loadGazeCaptureFaces, CROP_FACE_DEFAULTS } from './data/gazecapture';
export type {
  GazeCaptureSample,
  GazeCaptureRecordingFiles,
  GazeCaptureSplit,
  PixelBox,
  LoadGazeCaptureOptions,
  CropFaceOptions,
  LoadGazeCaptureFacesOptions,
} from './data/gazecapture';

export { meanEuclideanError } from './metrics/mean-euclidean-error';
export { trainGazeModel, evaluateGazeError, TRAIN_GAZE_MODEL_DEFAULTS } from './train/train-gaze-model';
export type { TrainGazeModelOptions, TrainGazeModelResult, EvaluateGazeErrorOptions } from './train/train-gaze-model';

export { EDGE_PLATFORMS } from './edge/edge-platforms';
export type { EdgePlatform, EdgePlatformName } from './edge/edge-platforms';
export { estimateEdgeCost, ESTIMATE_EDGE_COST_DEFAULTS } from './edge/estimate-edge-cost';
export type { EstimateEdgeCostOptions, EdgeCostEstimate } from './edge/estimate-edge-cost';
export { measureGazeLatency, MEASURE_GAZE_LATENCY_DEFAULTS } from './edge/measure-latency';
export type { MeasureGazeLatencyOptions } from './edge/measure-latency';
