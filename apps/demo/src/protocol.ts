/**
 * Messages between the page (src/main.ts) and the lab worker (src/worker.ts). Plain data only:
 * no tensors cross the boundary; pixel buffers are transferred.
 * @packageDocumentation
 */

/** Scores of one attribution map against the designed ground truth (`scoreAttributionMap`). */
export interface Scores {
  positivePrecision: number;
  positiveRecall: number;
  positiveAuc: number;
  negativePrecision: number;
  negativeRecall: number;
  negativeAuc: number;
  signAgreement: number;
}

/** The main option of an attribution method, as the playground shows it. */
export interface MethodOption {
  /** Constructor key (`steps`, `samples`, `window`, …). */
  key: string;
  label: string;
  type: 'int' | 'bool' | 'select';
  default: number | boolean | string;
  min?: number;
  max?: number;
  choices?: string[];
  /** One line shown under the control. */
  hint?: string;
}

export interface MethodInfo {
  name: string;
  signed: boolean;
  reference: string;
  /** Whether the method takes a baseline (the baseline control is enabled). */
  baselines: boolean;
  option?: MethodOption;
}

export interface ModelInfo {
  name: string;
  label: string;
  scale: number;
  scales: number[];
  paper: { title: string; arxiv: string; venue: string };
  checkpoint: { repository: string; files: Record<number, string>; format: string; licence: string };
  /** Published NTIRE 2022 ESR figures (256×256 LR, Titan Xp), when the model took part. */
  published?: {
    paramsM: number;
    flopsG: number;
    activationsM: number;
    convLayers: number;
    runtimeMs: number;
    memoryMiB: number;
    psnrValid: number;
    psnrTest: number;
  };
}

export interface InitResult {
  backend: string;
  simd: boolean;
  threads: number;
  multiThread: boolean;
  crossOriginIsolated: boolean;
  methods: MethodInfo[];
  models: ModelInfo[];
}

export interface LabRequest {
  kind: 'lab';
  seed: number;
  size: number;
  /** Class whose sample is drawn (sample index = class; sample i has class i mod K). */
  classIndex: number;
  inDistribution: boolean;
  method: string;
  option?: number | boolean | string;
  baseline: 'black' | 'grey' | 'background';
}

export interface LabResult {
  width: number;
  height: number;
  /** RGB of the designed image, 0–255, `[H·W·3]`. */
  image: Uint8Array;
  /** Signed ground truth per pixel. */
  groundTruth: Float32Array;
  /** Channel-summed attribution per pixel. */
  attribution: Float32Array;
  scores: Scores;
  scenario: 'signed' | 'unsigned';
  label: number;
  unitNames: string[];
  /** Logits of the designed network on the image. */
  logits: number[];
  /** Completeness gap (IG, DeepLIFT, GradientSHAP), when the method returns one. */
  delta?: number;
  runtimeMs: number;
  /** Tensors alive in the worker after the run (constant from run to run: nothing leaks). */
  tensors: number;
  /** One line describing the design (units, distractors, background). */
  design: string;
}

/** RGBA pixels ready for `ImageData`. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export interface SrImageRequest {
  kind: 'sr-image';
  /** An encoded file (PNG, JPEG, BMP, or anything the browser decodes) … */
  bytes?: ArrayBuffer;
  /** … or raw RGBA pixels. */
  pixels?: Rgba;
  name: string;
}

export interface SrImageResult {
  name: string;
  image: Rgba;
  decoder: string;
}

export interface SrModelRequest {
  kind: 'sr-model';
  name: string;
  scale: number;
}

export interface SrModelResult {
  name: string;
  scale: number;
  params: number;
}

export interface SrWeightsRequest {
  kind: 'sr-weights';
  bytes: ArrayBuffer;
  name: string;
}

export interface SrWeightsResult {
  name: string;
  tensors: number;
  ms: number;
}

export interface SrUpscaleRequest {
  kind: 'sr-upscale';
  /** Core tile side in LR pixels; undefined = whole image. */
  tile?: number;
  overlap: number;
}

export interface SrUpscaleResult {
  sr: Rgba;
  bicubic: Rgba;
  ms: number;
  tiles: number;
  /** Tensors alive in the worker after the run. */
  tensors: number;
}

export interface SrMetricsRequest {
  kind: 'sr-metrics';
  lrSize: number;
}

export interface SrMetricsResult {
  lrSize: number;
  params: number;
  flops: number;
  activations: number;
  convLayers: number;
  memoryMiB: number;
  runtimeMs: number;
  gflopsPerSecond: number;
  ms: number;
}

export type Request =
  | { kind: 'init' }
  | LabRequest
  | SrImageRequest
  | SrModelRequest
  | SrWeightsRequest
  | SrUpscaleRequest
  | SrMetricsRequest
  | { kind: 'cancel' };

export interface ResultOf {
  init: InitResult;
  lab: LabResult;
  'sr-image': SrImageResult;
  'sr-model': SrModelResult;
  'sr-weights': SrWeightsResult;
  'sr-upscale': SrUpscaleResult;
  'sr-metrics': SrMetricsResult;
  cancel: null;
}

/** A request as posted: with the id its reply carries. */
export type Envelope = Request & { id: number };

export type Reply =
  | { id: number; type: 'ok'; result: unknown }
  | { id: number; type: 'error'; error: string; name: string }
  | { id: number; type: 'progress'; done: number; total: number };
