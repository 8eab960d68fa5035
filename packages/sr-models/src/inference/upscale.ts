/**
 * Whole-image and tiled super-resolution inference with a bounded memory footprint.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  InvalidValueError,
  ShapeError,
  WorkerPool,
  checkOptions,
  payloadToTensor,
  tensorToPayload,
  type ModelTaskInput,
  type ModelTaskOutput,
  type Module,
} from '@lab/tensor';
import { AbortError } from './abort-error';

/** Options of {@link upscale}; defaults in {@link UPSCALE_DEFAULTS}. @category Inference */
export interface UpscaleOptions {
  /** The model's upscaling factor `s`; its output must be `s` times its input on both sides. Required. */
  scale: number;
  /**
   * Side of the square core tiles, in input (LR) pixels; each tile runs with `overlap` pixels of
   * context on every side. Omitted, or at least the image's longer side: one whole-image call.
   * @defaultValue undefined (whole image)
   */
  tile?: number;
  /**
   * Context around each tile core, in input pixels; only the core's output is kept. When it is at
   * least the model's receptive-field radius (and the model has no global operation), the tiled
   * output equals the whole-image output up to float rounding.
   * @defaultValue 32 (the tiling of CiaoSR's evaluation and NTIRE 2022 team NJU_Jet)
   */
  overlap?: number;
  /** Tiles per model call; all windows have the same size, so they batch. @defaultValue 1 */
  batchSize?: number;
  /** Called after each model call with the tiles done and the total (`1, 1` without tiling). */
  onProgress?: (done: number, total: number) => void;
  /** Cancels between model calls; the promise then rejects with {@link AbortError}. */
  signal?: AbortSignal;
  /**
   * Run the model calls (batches of tiles, or the whole image) on these workers instead of this
   * thread: a pool of `@lab/tensor`'s model task (`createWorkerPool({ task: modelTaskUrl(), init:
   * spec })`) whose spec rebuilds `model` with its weights (for a registry model:
   * `{ module: <this package's dist/index.js URL>, export: 'models.<name>.factory', args: [options],
   * stateDict }`). Tiles are cut and assembled here exactly as without workers, and each worker runs
   * the same kernels on the same window, so the output is bit-identical. Up to `2 × size` batches
   * are in flight. The pool is not closed.
   * @defaultValue undefined (this thread)
   */
  workers?: WorkerPool<ModelTaskInput, ModelTaskOutput>;
}

/** Defaults of {@link UpscaleOptions} (`tile` undefined: whole image). @category Inference */
export const UPSCALE_DEFAULTS: Readonly<{
  /** Default of {@link UpscaleOptions.overlap}. */
  overlap: number;
  /** Default of {@link UpscaleOptions.batchSize}. */
  batchSize: number;
}> = Object.freeze({
  overlap: 32,
  batchSize: 1,
});

const KEYS = ['scale', 'tile', 'overlap', 'batchSize', 'onProgress', 'signal', 'workers'];

/** One tile: window `[y0, y0 + h) × [x0, x0 + w)` and its core `[cy0, cy1) × [cx0, cx1)` (input pixels). */
interface Tile {
  readonly y0: number;
  readonly x0: number;
  readonly cy0: number;
  readonly cy1: number;
  readonly cx0: number;
  readonly cx1: number;
}

/** Window starts and cores along one axis of length `n` (internal; exported for tests). */
export function planAxis(n: number, tile: number, overlap: number): { window: number; spans: { start: number; core0: number; core1: number }[] } {
  const window = Math.min(tile + 2 * overlap, n);
  const spans: { start: number; core0: number; core1: number }[] = [];
  for (let core0 = 0; core0 < n; core0 += tile) {
    const core1 = Math.min(core0 + tile, n);
    const start = Math.min(Math.max(core0 - overlap, 0), n - window);
    spans.push({ start, core0, core1 });
  }
  return { window, spans };
}

function show(v: unknown): string {
  if (v instanceof tf.Tensor) return `a tensor of shape [${v.shape}]`;
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return typeof v === 'string' ? `'${v}'` : String(v);
}

function checkInt(fn: string, arg: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new InvalidValueError(`${fn}: ${arg} must be an integer >= ${min}, got ${show(v)}`);
  }
  return v;
}

function throwIfAborted(fn: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(`${fn}: aborted`, { cause: signal.reason });
}

/** Lets timers and abort events run between model calls. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Runs a super-resolution model on one image, whole or in overlapping tiles.
 *
 * Tiled mode splits the input into `tile × tile` cores (the last ones smaller), runs each with
 * `overlap` pixels of context on every side (windows are shifted inwards at the image border, so
 * every window has the same size and the border context is the image's own), and keeps only each
 * core's output (`s·core` pixels): seams vanish when `overlap` covers the receptive field. Tile
 * outputs are read back to the CPU and assembled there, so device memory is bounded by one batch
 * of windows plus the final output. The model is called as is: put it in eval mode first.
 * @param model - a module mapping `[n, h, w, C]` to `[n, s·h, s·w, C']`, NHWC; not disposed
 * @param image - float32 `[H, W, C]` or `[1, H, W, C]` (lab models: RGB in [0, 1]); not disposed
 * @param options - see {@link UpscaleOptions}; `scale` is required
 * @returns a new float32 tensor `[s·H, s·W, C']` or `[1, s·H, s·W, C']` (the rank of `image`),
 * owned by the caller; nothing else stays allocated, on success, error or abort
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a bad rank, batch, dtype, or a model output of the wrong shape.
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN or infinite input values and bad or unknown options.
 * @throws {@link AbortError} when `signal` fires (checked before each model call).
 * @throws `WorkerTaskError` (from `@lab/tensor`) when a worker of `workers` fails; the pool is then closed.
 * @example
 * ```ts
 * model.eval();
 * const sr = await upscale(model, lr, { scale: 4, tile: 128, overlap: 32, onProgress: (d, n) => bar(d / n) });
 * const png = encodePng(tensorToImage(sr));
 * sr.dispose();
 * ```
 * @category Inference
 */
export async function upscale<T extends tf.Tensor3D | tf.Tensor4D>(
  model: Module<[tf.Tensor4D], tf.Tensor>,
  image: T,
  options: UpscaleOptions,
): Promise<T> {
  const fn = 'upscale';
  if (model === null || typeof model !== 'object' || typeof (model as { call?: unknown }).call !== 'function') {
    throw new InvalidValueError(`${fn}: model must be a Module with call(), got ${show(model)}`);
  }
  if (!(image instanceof tf.Tensor)) throw new ShapeError(`${fn}: image must be a tf.Tensor, got ${show(image)}`);
  if (image.rank !== 3 && !(image.rank === 4 && image.shape[0] === 1)) {
    throw new ShapeError(`${fn}: image must be [H, W, C] or [1, H, W, C], got shape [${image.shape}]`);
  }
  if (image.dtype !== 'float32') throw new ShapeError(`${fn}: image must have dtype float32, got ${image.dtype}`);
  const [height, width, channels] = image.rank === 4 ? image.shape.slice(1) : image.shape;
  if (height < 1 || width < 1 || channels < 1) throw new ShapeError(`${fn}: image must be non-empty, got shape [${image.shape}]`);
  if (options === undefined || options === null || typeof options !== 'object') {
    throw new InvalidValueError(`${fn}: options must be an object with scale, got ${show(options)}`);
  }
  checkOptions(fn, options, KEYS);
  const scale = checkInt(fn, 'scale', options.scale, 1);
  const tile = options.tile === undefined ? undefined : checkInt(fn, 'tile', options.tile, 1);
  const overlap = checkInt(fn, 'overlap', options.overlap ?? UPSCALE_DEFAULTS.overlap, 0);
  const batchSize = checkInt(fn, 'batchSize', options.batchSize ?? UPSCALE_DEFAULTS.batchSize, 1);
  const { onProgress, signal } = options;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new InvalidValueError(`${fn}: onProgress must be a function, got ${show(onProgress)}`);
  }
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || typeof signal.aborted !== 'boolean')) {
    throw new InvalidValueError(`${fn}: signal must be an AbortSignal, got ${show(signal)}`);
  }
  const { workers } = options;
  if (workers !== undefined && !(workers instanceof WorkerPool)) {
    throw new InvalidValueError(`${fn}: workers must be a WorkerPool of the model task, got ${show(workers)}`);
  }
  if (workers?.closed) throw new InvalidValueError(`${fn}: workers must be an open WorkerPool, got a closed one`);
  throwIfAborted(fn, signal);

  const values = await image.data();
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const c = i % channels;
      const x = Math.floor(i / channels) % width;
      const y = Math.floor(i / (channels * width));
      throw new InvalidValueError(`${fn}: image must hold finite values, got ${values[i]} at [${y}, ${x}, ${c}]`);
    }
  }
  throwIfAborted(fn, signal);

  const checkOutput = (out: unknown, n: number, h: number, w: number): tf.Tensor4D => {
    if (!(out instanceof tf.Tensor) || out.rank !== 4 || out.shape[0] !== n || out.shape[1] !== h * scale || out.shape[2] !== w * scale) {
      throw new ShapeError(
        `${fn}: model output must be [${n}, ${h * scale}, ${w * scale}, C] for an input [${n}, ${h}, ${w}, ${channels}] at scale ${scale}, got ${show(out)}`,
      );
    }
    return out as tf.Tensor4D;
  };

  /** The model on a batch of windows, here or on a worker; the caller disposes the result. */
  const callModel = async (x: tf.Tensor4D, n: number, h: number, w: number): Promise<tf.Tensor4D> => {
    if (workers === undefined) return tf.tidy(() => checkOutput(model.call(x), n, h, w));
    const [{ y }] = await workers.map([{ x: tensorToPayload(x) }], { transfer: true });
    const out = payloadToTensor(y);
    try {
      return checkOutput(out, n, h, w);
    } catch (e) {
      out.dispose();
      throw e;
    }
  };

  if (tile === undefined || (tile >= height && tile >= width)) {
    const x = (image.rank === 4 ? image : tf.expandDims(image, 0)) as tf.Tensor4D;
    let y: tf.Tensor4D;
    try {
      y = await callModel(x, 1, height, width);
    } finally {
      if (x !== image) x.dispose();
    }
    const out = image.rank === 4 ? y : tf.tidy(() => tf.squeeze(y, [0]));
    if (out !== y) y.dispose();
    try {
      onProgress?.(1, 1);
    } catch (e) {
      out.dispose();
      throw e;
    }
    return out as T;
  }

  const rows = planAxis(height, tile, overlap);
  const cols = planAxis(width, tile, overlap);
  const tiles: Tile[] = [];
  for (const r of rows.spans) {
    for (const c of cols.spans) tiles.push({ y0: r.start, x0: c.start, cy0: r.core0, cy1: r.core1, cx0: c.core0, cx1: c.core1 });
  }
  const winH = rows.window;
  const winW = cols.window;
  const outW = width * scale;
  let out: Float32Array | undefined;
  let outChannels = 0;
  const batches = Math.ceil(tiles.length / batchSize);
  const windowsOf = (k: number): tf.Tensor4D =>
    tf.tidy(() => {
      const x = (image.rank === 4 ? image : tf.expandDims(image, 0)) as tf.Tensor4D;
      const windows = tiles.slice(k * batchSize, (k + 1) * batchSize).map((t) => tf.slice(x, [0, t.y0, t.x0, 0], [1, winH, winW, channels]));
      return (windows.length === 1 ? windows[0] : tf.concat(windows, 0)) as tf.Tensor4D;
    });
  const runBatch = async (k: number): Promise<Float32Array> => {
    const input = windowsOf(k);
    let y: tf.Tensor4D;
    try {
      y = await callModel(input, input.shape[0], winH, winW);
    } finally {
      input.dispose();
    }
    try {
      outChannels = y.shape[3];
      return (await y.data()) as Float32Array;
    } finally {
      y.dispose();
    }
  };
  // With workers, up to 2 batches per worker are in flight while earlier ones are assembled here.
  const ahead = workers === undefined ? 0 : 2 * workers.size;
  const inflight = new Map<number, Promise<Float32Array>>();
  let next = 0;
  try {
    for (let k = 0; k < batches; k++) {
      throwIfAborted(fn, signal);
      for (; next <= Math.min(batches - 1, k + ahead); next++) {
        const p = runBatch(next);
        p.catch(() => undefined);
        inflight.set(next, p);
      }
      const data = await (inflight.get(k) as Promise<Float32Array>);
      inflight.delete(k);
      const first = k * batchSize;
      const batch = tiles.slice(first, first + batchSize);
      const oc = outChannels;
      if (out === undefined) out = new Float32Array(height * scale * outW * oc);
      const tileW = winW * scale;
      const tileSize = winH * scale * tileW * oc;
      batch.forEach((t, b) => {
        const rowLen = (t.cx1 - t.cx0) * scale * oc;
        for (let oy = t.cy0 * scale; oy < t.cy1 * scale; oy++) {
          const src = b * tileSize + ((oy - t.y0 * scale) * tileW + (t.cx0 - t.x0) * scale) * oc;
          out!.set(data.subarray(src, src + rowLen), (oy * outW + t.cx0 * scale) * oc);
        }
      });
      onProgress?.(Math.min(first + batchSize, tiles.length), tiles.length);
      await yieldToEventLoop();
    }
  } finally {
    // Batches still in flight (after an abort or a failure) release their tensors themselves.
    await Promise.allSettled(inflight.values());
  }
  throwIfAborted(fn, signal);
  const shape: number[] = image.rank === 4 ? [1, height * scale, outW, outChannels] : [height * scale, outW, outChannels];
  return tf.tensor(out!, shape, 'float32') as unknown as T;
}
