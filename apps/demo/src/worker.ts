/// <reference lib="webworker" />
/**
 * The lab worker: every tensor computation of the demo runs here, on the wasm backend, so the
 * page never freezes. The page starts two of them (one for the AttributionLab playground, one for
 * super-resolution) so an upscale does not hold up the playground.
 *
 * Requests are served one at a time, in order; `cancel` is handled at once and aborts a running
 * upscale (which checks its signal between tiles).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { decodeImage, imageToTensor, initBackend, tensorToImage, type DecodedImage } from '@lab/tensor';
import {
  AttributionLab,
  gridSegments,
  methods,
  scoreAttributionMap,
  type AttributionMethod,
  type AttributionResult,
} from '@lab/attribution';
import {
  NTIRE2022_PUBLISHED,
  createModel,
  imresizeTensor,
  loadOfficialWeights,
  models,
  ntireMetrics,
  upscale,
  type SrModel,
} from '@lab/sr-models';
import type {
  Envelope,
  InitResult,
  LabRequest,
  LabResult,
  MethodInfo,
  MethodOption,
  ModelInfo,
  Reply,
  Rgba,
  SrImageRequest,
  SrImageResult,
  SrMetricsResult,
  SrModelRequest,
  SrModelResult,
  SrUpscaleRequest,
  SrUpscaleResult,
  SrWeightsRequest,
  SrWeightsResult,
} from './protocol';

declare const self: DedicatedWorkerGlobalScope;

// ---------------------------------------------------------------------------------------------
// Attribution methods: the main option of each, and how it is configured for the designed
// network (the same plans as the `lab attribution` suite of apps/bench).

interface Plan {
  option?: MethodOption;
  /** Samples per call when the method needs a batch (feature permutation shuffles across it); the first is shown. */
  batch?: number;
  baselines: boolean;
  config?: (value: number | boolean | string | undefined, env: AttributionLab) => Record<string, unknown>;
  callOptions?: (value: number | boolean | string | undefined, env: AttributionLab) => Record<string, unknown>;
}

/** Each pixel (all channels) one feature: `[H, W, 1]` labels `y·W + x`. */
function pixelMask(env: AttributionLab): tf.Tensor {
  const { height: h, width: w } = env.design;
  return tf.tensor3d(Int32Array.from({ length: h * w }, (_, i) => i), [h, w, 1], 'int32');
}

/** A `cells × cells` grid of features, `[H, W, 1]`. */
function gridMask(env: AttributionLab, cells: number): tf.Tensor {
  const { height: h, width: w } = env.design;
  return tf.tensor3d(gridSegments(h, w, cells, cells).labels, [h, w, 1], 'int32');
}

const LAYERS = ['mix', 'mixRelu', 'spatial', 'spatialRelu', 'detect', 'detectRelu'];

const PLANS: Record<string, Plan> = {
  saliency: {
    baselines: false,
    option: { key: 'abs', label: 'absolute value', type: 'bool', default: false, hint: '|∂f/∂x| instead of the signed gradient' },
    config: (v) => ({ abs: v === true }),
  },
  'input-x-gradient': { baselines: false },
  'integrated-gradients': {
    baselines: true,
    option: { key: 'steps', label: 'steps', type: 'int', default: 32, min: 1, max: 256, hint: 'Gauss–Legendre nodes on the path' },
    config: (v) => ({ steps: Number(v ?? 32) }),
  },
  'guided-backprop': { baselines: false },
  deconvolution: { baselines: false },
  'gradient-shap': {
    baselines: true,
    option: { key: 'samples', label: 'samples', type: 'int', default: 16, min: 1, max: 256, hint: 'random draws per input' },
    config: (v) => ({ samples: Number(v ?? 16) }),
  },
  'deep-lift': { baselines: true },
  'deep-lift-shap': { baselines: true },
  'grad-cam': {
    baselines: false,
    option: { key: 'layer', label: 'layer', type: 'select', default: 'mix', choices: LAYERS, hint: 'layer whose activations are weighted' },
    config: (v) => ({ layer: String(v ?? 'mix') }),
  },
  'guided-grad-cam': {
    baselines: false,
    option: { key: 'layer', label: 'layer', type: 'select', default: 'mix', choices: LAYERS, hint: 'Grad-CAM layer' },
    config: (v) => ({ layer: String(v ?? 'mix') }),
  },
  occlusion: {
    baselines: true,
    option: { key: 'window', label: 'window', type: 'int', default: 2, min: 1, max: 8, hint: 'square occluding patch, stride 1' },
    config: (v) => ({ window: [Number(v ?? 2), Number(v ?? 2)] }),
  },
  'feature-ablation': { baselines: true, callOptions: (_v, env) => ({ featureMask: pixelMask(env) }) },
  'feature-permutation': { baselines: false, batch: 8, callOptions: (_v, env) => ({ featureMask: pixelMask(env) }) },
  rise: {
    baselines: true,
    option: { key: 'masks', label: 'masks', type: 'int', default: 500, min: 50, max: 4000, hint: 'random 4×4-cell masks, p = 0.5' },
    config: (v) => ({ masks: Number(v ?? 500), cells: 4, p: 0.5 }),
  },
  lime: {
    baselines: true,
    option: { key: 'samples', label: 'samples', type: 'int', default: 100, min: 10, max: 2000, hint: 'perturbed evaluations' },
    config: (v) => ({ samples: Number(v ?? 100) }),
  },
  'kernel-shap': {
    baselines: true,
    option: { key: 'samples', label: 'samples', type: 'int', default: 64, min: 8, max: 1024, hint: 'coalitions over a 4×4 grid' },
    config: (v) => ({ samples: Number(v ?? 64) }),
    callOptions: (_v, env) => ({ featureMask: gridMask(env, 4) }),
  },
  'shapley-value-sampling': {
    baselines: true,
    option: { key: 'samples', label: 'permutations', type: 'int', default: 4, min: 1, max: 50, hint: 'over a 4×4 grid' },
    config: (v) => ({ samples: Number(v ?? 4) }),
    callOptions: (_v, env) => ({ featureMask: gridMask(env, 4) }),
  },
  'exact-shapley': {
    baselines: true,
    option: { key: 'cells', label: 'grid cells', type: 'int', default: 3, min: 2, max: 3, hint: 'cells² features, 2^(cells²) coalitions' },
    callOptions: (v, env) => ({ featureMask: gridMask(env, Number(v ?? 3)) }),
  },
  'extremal-perturbation': {
    baselines: false,
    option: { key: 'iterations', label: 'iterations', type: 'int', default: 60, min: 10, max: 300, hint: 'optimisation steps per area' },
    config: (v, env) => ({ iterations: Number(v ?? 60), step: 2, blurSigma: Math.max(1, env.design.height / 10) }),
  },
  iba: {
    baselines: false,
    option: { key: 'beta', label: 'β', type: 'int', default: 10, min: 1, max: 100, hint: 'weight of the information loss (layer spatialRelu)' },
    config: (v) => ({ layer: 'spatialRelu', beta: Number(v ?? 10) }),
  },
};

function methodInfos(): MethodInfo[] {
  return Object.entries(methods).map(([name, e]) => {
    const plan = PLANS[name] ?? { baselines: false };
    return { name, signed: e.signed, reference: e.reference, baselines: plan.baselines, ...(plan.option ? { option: plan.option } : {}) };
  });
}

function modelInfos(): ModelInfo[] {
  // The page offers the efficient CNNs only: GRL and CiaoSR take seconds to minutes per image on wasm.
  return Object.values(models).filter((e) => e.efficient).map((e) => {
    const published = (NTIRE2022_PUBLISHED as Record<string, ModelInfo['published']>)[e.name];
    return {
      name: e.name,
      label: e.label,
      scale: e.scale,
      scales: [...e.scales],
      paper: { ...e.paper },
      checkpoint: {
        repository: e.checkpoint.repository,
        files: { ...e.checkpoint.files },
        format: e.checkpoint.format,
        licence: e.checkpoint.licence,
      },
      ...(published ? { published: { ...published } } : {}),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// AttributionLab playground

let env: AttributionLab | undefined;
let envKey = '';

function getEnv(size: number, inDistribution: boolean): AttributionLab {
  const key = `${size}|${inDistribution}`;
  if (env === undefined || key !== envKey) {
    env?.dispose();
    env = new AttributionLab({ imageSize: size, inDistributionBaseline: inDistribution });
    envKey = key;
  }
  return env;
}

/** The values of a tensor, which is then disposed. */
function take(t: tf.Tensor): Float32Array {
  try {
    return t.dataSync() as Float32Array;
  } finally {
    t.dispose();
  }
}

const term = (f: { colour: string; weight: number }): string => (f.weight === 1 ? f.colour : `${f.weight}·${f.colour}`);

async function runLab(req: LabRequest): Promise<LabResult> {
  const lab = getEnv(req.size, req.inDistribution);
  const d = lab.design;
  const classIndex = Math.max(0, Math.min(d.outputs - 1, req.classIndex));
  const entry = (methods as Record<string, { create(config: unknown): AttributionMethod<any> }>)[req.method];
  if (entry === undefined) throw new Error(`unknown method '${req.method}'`);
  const plan = PLANS[req.method] ?? { baselines: false };
  // Sample i has class i mod K: the shown sample is number `classIndex`, followed by the rest of
  // the batch when the method needs one.
  const count = plan.batch ?? 1;
  const data = lab.generate(classIndex + count, { seed: req.seed });
  const sample = lab.toSample(data, classIndex, classIndex + count);
  const HW = d.height * d.width;
  const value = req.option ?? plan.option?.default;
  let callOptions: Record<string, unknown> = {};
  let result: AttributionResult | undefined;
  try {
    const method = entry.create(plan.config?.(value, lab));
    callOptions = plan.callOptions?.(value, lab) ?? {};
    const t0 = performance.now();
    result = await method.attribute(lab.network, sample.images, {
      ...callOptions,
      ...(sample.target ? { target: sample.target } : {}),
      ...(plan.baselines ? { baselines: lab.baselines[req.baseline] } : {}),
      seed: req.seed,
    });
    const runtimeMs = performance.now() - t0;
    const attribution = take(tf.tidy(() => tf.sum(tf.cast(result!.attributions, 'float32'), 3))).slice(0, HW);
    for (let i = 0; i < attribution.length; i++) if (!Number.isFinite(attribution[i])) attribution[i] = 0;
    const groundTruth = ((await sample.groundTruth.data()) as Float32Array).slice(0, HW);
    const scenario = method.signed ? 'signed' : 'unsigned';
    const scores = scoreAttributionMap(attribution, groundTruth, { scenario, seed: req.seed });
    const logits = Array.from(take(tf.tidy(() => lab.network.call(sample.images) as tf.Tensor))).slice(0, d.outputs);
    const delta = result.delta ? result.delta.dataSync()[0] : undefined;
    const pixels = sample.images.dataSync().subarray(0, HW * 3);
    const image = Uint8Array.from(pixels, (v) => Math.round(v * 255));
    return {
      width: d.width,
      height: d.height,
      image,
      groundTruth,
      attribution,
      scores: { ...scores },
      scenario,
      label: sample.labels[0],
      unitNames: d.units.map((u) => u.name),
      logits,
      ...(delta !== undefined ? { delta } : {}),
      runtimeMs,
      tensors: -1,
      design:
        `${d.height}×${d.width}, ${d.background} background; ` +
        d.units.map((u, j) => `class ${j}: ${[...u.positive.map((f) => `+${term(f)}`), ...u.negative.map((f) => `−${term(f)}`)].join(' ')} (θ ${u.threshold})`).join('; ') +
        `; distractors: ${d.distractors.join(', ') || 'none'}`,
    };
  } finally {
    tf.dispose([sample.images, sample.groundTruth]);
    if (result) tf.dispose([result.attributions, ...(result.delta ? [result.delta] : [])]);
    tf.dispose(Object.values(callOptions).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
  }
}

// ---------------------------------------------------------------------------------------------
// Super-resolution

let lr: tf.Tensor3D | undefined;
let model: SrModel | undefined;
let modelName = '';
let modelScale = 4;
let aborter: AbortController | undefined;

/** Largest accepted LR image (pixels): a ×4 result of 1024×1024 is 16 MP. */
const MAX_LR_PIXELS = 1024 * 1024;

function rgbaOf(img: DecodedImage): Rgba {
  const { width, height, channels, data } = img;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    if (channels >= 3) {
      out[p * 4] = data[s];
      out[p * 4 + 1] = data[s + 1];
      out[p * 4 + 2] = data[s + 2];
    } else {
      out[p * 4] = out[p * 4 + 1] = out[p * 4 + 2] = data[s];
    }
    out[p * 4 + 3] = 255;
  }
  return { width, height, data: out };
}

async function decodeWithBrowser(bytes: ArrayBuffer): Promise<Rgba> {
  const bitmap = await createImageBitmap(new Blob([bytes]));
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const d = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width: d.width, height: d.height, data: d.data };
  } finally {
    bitmap.close();
  }
}

async function setImage(req: SrImageRequest): Promise<SrImageResult> {
  let rgba: Rgba;
  let decoder: string;
  if (req.pixels) {
    rgba = req.pixels;
    decoder = 'drawn on the page (no file)';
  } else if (req.bytes) {
    try {
      // @lab/tensor's pure-JS decoders (PNG incl. 16-bit, JPEG, BMP) …
      const img = decodeImage(new Uint8Array(req.bytes));
      if (img.width * img.height > MAX_LR_PIXELS) throw new RangeError('too large');
      rgba = rgbaOf(img.bitDepth === 8 ? img : tensorToImageOf(img));
      decoder = `decoded by @lab/tensor decodeImage (${img.bitDepth}-bit, ${img.channels} channels)`;
    } catch (e) {
      if (e instanceof RangeError) throw e;
      // … and the browser's for everything else (WebP, GIF, AVIF).
      rgba = await decodeWithBrowser(req.bytes);
      decoder = 'decoded by the browser (createImageBitmap)';
    }
  } else {
    throw new Error('sr-image needs bytes or pixels');
  }
  if (rgba.width * rgba.height > MAX_LR_PIXELS) {
    throw new RangeError(`image is ${rgba.width}×${rgba.height}; the demo accepts up to ${MAX_LR_PIXELS / 1e6} MP (the result is ×16 that)`);
  }
  lr?.dispose();
  lr = imageToTensor({ width: rgba.width, height: rgba.height, channels: 4, data: rgba.data }, { channels: 3 });
  return { name: req.name, image: rgba, decoder };
}

/** 16-bit images to 8-bit for display (imageToTensor keeps the full precision for the model). */
function tensorToImageOf(img: DecodedImage): DecodedImage {
  const t = imageToTensor(img, { channels: 3 });
  try {
    return tensorToImage(t);
  } finally {
    t.dispose();
  }
}

function setModel(req: SrModelRequest): SrModelResult {
  const entry = (models as Record<string, { scales: readonly number[] }>)[req.name];
  if (entry === undefined) throw new Error(`unknown model '${req.name}'`);
  const scale = entry.scales.includes(req.scale) ? req.scale : entry.scales[entry.scales.length - 1];
  model?.dispose();
  model = undefined;
  const options = entry.scales.length > 1 ? { scale } : undefined;
  model = (createModel as (name: string, options?: object) => SrModel)(req.name, options).eval();
  modelName = req.name;
  modelScale = scale;
  return { name: modelName, scale, params: model.numParameters() };
}

function loadWeights(req: SrWeightsRequest): SrWeightsResult {
  if (!model) throw new Error('choose a model first');
  const t0 = performance.now();
  loadOfficialWeights(model, new Uint8Array(req.bytes));
  return { name: req.name, tensors: model.parameters().length, ms: performance.now() - t0 };
}

function rgbaOfTensor(t: tf.Tensor3D): Rgba {
  return rgbaOf(tensorToImage(t));
}

async function runUpscale(id: number, req: SrUpscaleRequest): Promise<SrUpscaleResult> {
  if (!model) throw new Error('choose a model first');
  if (!lr) throw new Error('choose an image first');
  aborter = new AbortController();
  let tiles = 1;
  const t0 = performance.now();
  let sr: tf.Tensor3D | undefined;
  try {
    sr = await upscale(model, lr, {
      scale: modelScale,
      ...(req.tile !== undefined ? { tile: req.tile } : {}),
      overlap: req.overlap,
      signal: aborter.signal,
      onProgress: (done, total) => {
        tiles = total;
        post({ id, type: 'progress', done, total });
      },
    });
    const ms = performance.now() - t0;
    const srRgba = rgbaOfTensor(sr);
    const bicubic = tf.tidy(() => tf.clipByValue(imresizeTensor(lr!, modelScale), 0, 1) as tf.Tensor3D);
    try {
      return { sr: srRgba, bicubic: rgbaOfTensor(bicubic), ms, tiles, tensors: -1 };
    } finally {
      bicubic.dispose();
    }
  } finally {
    sr?.dispose();
    aborter = undefined;
  }
}

async function runMetrics(lrSize: number): Promise<SrMetricsResult> {
  if (!model) throw new Error('choose a model first');
  const t0 = performance.now();
  const m = await ntireMetrics(model, { lrSize, runs: 3, warmup: 1 });
  return {
    lrSize,
    params: m.params,
    flops: m.flops,
    activations: m.activations,
    convLayers: m.convLayers,
    memoryMiB: m.memoryMiB,
    runtimeMs: m.runtimeMs,
    gflopsPerSecond: m.gflopsPerSecond,
    ms: performance.now() - t0,
  };
}

// ---------------------------------------------------------------------------------------------
// Message loop

async function init(): Promise<InitResult> {
  const info = await initBackend();
  return {
    ...info,
    crossOriginIsolated: self.crossOriginIsolated === true,
    methods: methodInfos(),
    models: modelInfos(),
  };
}

function post(reply: Reply, transfer: Transferable[] = []): void {
  self.postMessage(reply, transfer);
}

/** Buffers of the pixel arrays in a result, moved rather than copied to the page. */
function transferables(result: unknown): Transferable[] {
  const out = new Set<ArrayBuffer>();
  const visit = (v: unknown, depth: number): void => {
    if (depth > 3 || v === null || typeof v !== 'object') return;
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer && v.byteLength === v.buffer.byteLength) out.add(v.buffer);
      return;
    }
    for (const x of Object.values(v)) visit(x, depth + 1);
  };
  visit(result, 0);
  return [...out];
}

async function handle(msg: Envelope): Promise<unknown> {
  switch (msg.kind) {
    case 'init':
      return init();
    case 'lab': {
      await initBackend();
      const r = await runLab(msg);
      r.tensors = tf.memory().numTensors; // after runLab's own clean-up
      return r;
    }
    case 'sr-image':
      await initBackend();
      return setImage(msg);
    case 'sr-model':
      await initBackend();
      return setModel(msg);
    case 'sr-weights':
      return loadWeights(msg);
    case 'sr-upscale': {
      const r = await runUpscale(msg.id, msg);
      r.tensors = tf.memory().numTensors;
      return r;
    }
    case 'sr-metrics':
      return runMetrics(msg.lrSize);
    default:
      throw new Error(`unknown request ${(msg as { kind: string }).kind}`);
  }
}

let queue: Promise<void> = Promise.resolve();

self.onmessage = (event: MessageEvent<Envelope>) => {
  const msg = event.data;
  if (msg.kind === 'cancel') {
    aborter?.abort(new Error('cancelled'));
    post({ id: msg.id, type: 'ok', result: null });
    return;
  }
  queue = queue.then(async () => {
    try {
      const result = await handle(msg);
      post({ id: msg.id, type: 'ok', result }, transferables(result));
    } catch (e) {
      const err = e as Error;
      const message =
        err instanceof RangeError && /memory access out of bounds|Array buffer allocation/i.test(err.message)
          ? `out of wasm memory (${err.message}); use a smaller image or tile`
          : (err?.message ?? String(e));
      post({ id: msg.id, type: 'error', error: message, name: err?.name ?? 'Error' });
    }
  });
};
