import * as tf from '@tensorflow/tfjs-core';
import '../backend/register-gradients';
import { InvalidValueError, ShapeError, checkOptions } from '../errors';
import { Module } from '../nn/module';
import { clipGradNormTensors } from './clip-grad-norm';
import { clipGradValueTensors } from './clip-grad-value';
import { FitError } from './fit-error';
import { type GradMap, checkPositive } from './grad-map';

/** One training batch: inputs `x` (NHWC for images) and targets `y`. @category Training */
export interface FitBatch {
  /** Model input; its first axis is the batch size. */
  x: tf.Tensor;
  /** Target passed to the loss with the prediction. */
  y: tf.Tensor;
}

/** A source of batches: sync or async iterable, or a function giving the batches of each epoch. @category Training */
export type FitData =
  | Iterable<FitBatch>
  | AsyncIterable<FitBatch>
  | ((epoch: number) => Iterable<FitBatch> | AsyncIterable<FitBatch>);

/** What {@link FitOptions.onBatchEnd} receives after each optimizer step. @category Training */
export interface FitBatchInfo {
  /** Epoch, 0-based. */
  epoch: number;
  /** Batch within the epoch, 0-based. */
  batch: number;
  /** Optimizer steps taken so far in this call of {@link fit}, including this one. */
  step: number;
  /** Loss of this batch (before the update). */
  loss: number;
  /** Batch size, `x.shape[0]`. */
  size: number;
}

/** What {@link FitOptions.onEpochEnd} receives after each epoch. @category Training */
export interface FitEpochInfo {
  /** Epoch, 0-based. */
  epoch: number;
  /** Mean loss of the epoch, weighted by batch size. */
  loss: number;
  /** Batches in the epoch. */
  batches: number;
}

/** Options of {@link fit}. `optimizer` and `loss` are required. @category Training */
export interface FitOptions {
  /** Optimizer that applies the (clipped) gradients, e.g. `tf.train.adam(1e-3)`. Its slot variables stay alive after fit (they belong to the optimizer; `optimizer.dispose()` frees them). */
  optimizer: tf.Optimizer;
  /** Loss of a prediction against a target, a scalar; runs inside the gradient tape. */
  loss: (pred: tf.Tensor, y: tf.Tensor) => tf.Scalar;
  /**
   * Passes over the data.
   * @defaultValue 1
   */
  epochs?: number;
  /** When set, gradients are scaled to this global L2 norm at most, as {@link clipGradNorm}. */
  clipGradNorm?: number;
  /** When set, gradient elements are clamped to ±this, as {@link clipGradValue}; applied before `clipGradNorm`. */
  clipGradValue?: number;
  /**
   * Dispose `x` and `y` of each batch after its step. Set it when the data source creates fresh
   * tensors per batch (a generator); leave it off for batches that are reused across epochs.
   * @defaultValue false
   */
  disposeBatches?: boolean;
  /** Called (and awaited) after every optimizer step. */
  onBatchEnd?: (info: FitBatchInfo) => void | Promise<void>;
  /** Called (and awaited) after every epoch. */
  onEpochEnd?: (info: FitEpochInfo) => void | Promise<void>;
  /** Stops training before the next batch once aborted; fit then resolves with `aborted: true`. */
  signal?: AbortSignal;
}

/** Defaults of the optional {@link FitOptions}; clipping is off unless set. @category Training */
export const FIT_DEFAULTS: Readonly<{
  /** Default of {@link FitOptions.epochs}. */
  epochs: number;
  /** Default of {@link FitOptions.disposeBatches}. */
  disposeBatches: boolean;
}> = Object.freeze({
  epochs: 1,
  disposeBatches: false,
});

const KEYS = ['optimizer', 'loss', 'epochs', 'clipGradNorm', 'clipGradValue', 'disposeBatches', 'onBatchEnd', 'onEpochEnd', 'signal'];

/** What {@link fit} returns (and what {@link FitError.partial} holds). @category Training */
export interface FitResult {
  /** Mean loss of each completed epoch, weighted by batch size (`Σ lossᵢ·nᵢ / Σ nᵢ`). */
  epochLosses: number[];
  /** Loss of every batch, one array per epoch started (the last one partial after an abort or error). */
  batchLosses: number[][];
  /** Optimizer steps taken (batches processed) over all epochs. */
  batchCount: number;
  /** True when `signal` stopped training before the last epoch ended. */
  aborted: boolean;
}

/**
 * Trains a module by gradient descent over batches, with optional gradient clipping, and
 * returns the mean loss of each epoch.
 *
 * Each step computes `L = loss(model.call(x), y)` and its gradients with `tf.variableGrads` over
 * `model.parameters()`, checks that `L` is finite (otherwise the step is not applied and fit
 * rejects), clamps element values (`clipGradValue`), scales to the global norm (`clipGradNorm`,
 * as `torch.nn.utils.clip_grad_norm_`) and calls `optimizer.applyGradients`. Every module is in
 * training mode during fit; each module's previous mode is restored afterwards. No tensor
 * outlives its step, so after fit `tf.memory().numTensors` has grown only by the optimizer's new
 * slot variables (Adam: 2 per parameter; SGD: none).
 * @param model - the module to train, called with one input tensor
 * @param data - batches `{x, y}`: an array or other iterable (reused each epoch), an async
 * iterable, or `(epoch) => iterable` for fresh batches per epoch
 * @param options - see {@link FitOptions}
 * @returns a promise of the per-epoch losses, the number of steps and whether it was aborted
 * @throws {@link InvalidValueError} (synchronously checked, as a rejected promise) for an invalid
 * model, data or option.
 * @throws {@link FitError} for any error during training, with the epoch and batch in the message,
 * the cause, and the losses so far in `partial`; an epoch with no batches is such an error.
 * @see https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html
 * @example
 * ```ts
 * const result = await fit(model, batches, {
 *   optimizer: tf.train.adam(1e-3),
 *   loss: (pred, y) => tf.losses.absoluteDifference(y, pred) as tf.Scalar,
 *   epochs: 10,
 *   clipGradNorm: 1,
 * });
 * console.log(result.epochLosses);
 * ```
 * @category Training
 */
export async function fit(model: Module<[tf.Tensor], tf.Tensor>, data: FitData, options: FitOptions): Promise<FitResult> {
  const fn = 'fit';
  if (!(model instanceof Module)) {
    throw new InvalidValueError(`${fn}: model must be a Module, got ${model === null ? 'null' : typeof model}`);
  }
  if (model.isDisposed) throw new InvalidValueError(`${fn}: model has been disposed`);
  if (!isIterableSource(data) && typeof data !== 'function') {
    throw new InvalidValueError(`${fn}: data must be an iterable or async iterable of {x, y} batches, or a function (epoch) => such an iterable, got ${data === null ? 'null' : typeof data}`);
  }
  if (typeof options !== 'object' || options === null) {
    throw new InvalidValueError(`${fn}: options must be an object with optimizer and loss, got ${options === null ? 'null' : typeof options}`);
  }
  checkOptions(fn, options, KEYS);
  const { optimizer, loss, onBatchEnd, onEpochEnd, signal } = options;
  if (!(optimizer instanceof tf.Optimizer)) {
    throw new InvalidValueError(`${fn}: optimizer must be a tf.Optimizer (e.g. tf.train.adam()), got ${optimizer === null ? 'null' : typeof optimizer}`);
  }
  if (typeof loss !== 'function') throw new InvalidValueError(`${fn}: loss must be a function (pred, y) => tf.Scalar, got ${typeof loss}`);
  const epochs = options.epochs ?? FIT_DEFAULTS.epochs;
  if (typeof epochs !== 'number' || !Number.isInteger(epochs) || epochs < 1) {
    throw new InvalidValueError(`${fn}: epochs must be a positive integer, got ${String(epochs)}`);
  }
  if (options.clipGradNorm !== undefined) checkPositive(fn, 'clipGradNorm', options.clipGradNorm);
  if (options.clipGradValue !== undefined) checkPositive(fn, 'clipGradValue', options.clipGradValue);
  const disposeBatches = options.disposeBatches ?? FIT_DEFAULTS.disposeBatches;
  if (typeof disposeBatches !== 'boolean') throw new InvalidValueError(`${fn}: disposeBatches must be a boolean, got ${typeof disposeBatches}`);
  for (const [name, cb] of [['onBatchEnd', onBatchEnd], ['onEpochEnd', onEpochEnd]] as const) {
    if (cb !== undefined && typeof cb !== 'function') throw new InvalidValueError(`${fn}: ${name} must be a function, got ${typeof cb}`);
  }
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean')) {
    throw new InvalidValueError(`${fn}: signal must be an AbortSignal, got ${signal === null ? 'null' : typeof signal}`);
  }
  const params = model.parameters();
  if (params.length === 0) throw new InvalidValueError(`${fn}: model has no trainable parameters`);

  const result: FitResult = { epochLosses: [], batchLosses: [], batchCount: 0, aborted: false };
  const snapshot = (): FitResult => ({
    epochLosses: result.epochLosses.slice(),
    batchLosses: result.batchLosses.map((l) => l.slice()),
    batchCount: result.batchCount,
    aborted: result.aborted,
  });
  const modes = model.modules().map((m) => [m, m.training] as const);
  model.train();
  let epoch = 0;
  let batch = -1;
  try {
    for (epoch = 0; epoch < epochs && !result.aborted; epoch++) {
      batch = -1;
      if (signal?.aborted) {
        result.aborted = true;
        break;
      }
      const source = typeof data === 'function' ? data(epoch) : data;
      if (!isIterableSource(source)) {
        throw new InvalidValueError(
          `data(${epoch}) must return an iterable or async iterable of {x, y} batches, got ${source === null ? 'null' : typeof source}`,
        );
      }
      const losses: number[] = [];
      result.batchLosses.push(losses);
      let sum = 0;
      let count = 0;
      batch = 0;
      for await (const b of source as AsyncIterable<FitBatch>) {
        try {
          if (signal?.aborted) {
            result.aborted = true;
            break;
          }
          const { lossValue, size } = await step(model, params, b, optimizer, loss, options.clipGradValue, options.clipGradNorm);
          losses.push(lossValue);
          sum += lossValue * size;
          count += size;
          result.batchCount++;
          if (onBatchEnd) await onBatchEnd({ epoch, batch, step: result.batchCount, loss: lossValue, size });
        } finally {
          if (disposeBatches) disposeBatch(b);
        }
        batch++;
      }
      // An epoch cut short by the signal is not complete: its mean is not recorded.
      if (result.aborted) break;
      if (losses.length === 0) {
        const hint =
          epoch > 0 && typeof data !== 'function'
            ? ' (a generator is exhausted after one pass: pass (epoch) => generator() for fresh batches each epoch)'
            : '';
        throw new InvalidValueError(`data yielded no batches in epoch ${epoch}${hint}`);
      }
      const mean = count > 0 ? sum / count : NaN;
      result.epochLosses.push(mean);
      const batches = losses.length;
      batch = -1;
      if (onEpochEnd) await onEpochEnd({ epoch, loss: mean, batches });
    }
  } catch (e) {
    const where = batch >= 0 ? `epoch ${epoch}, batch ${batch}` : `epoch ${epoch}`;
    const message = e instanceof Error ? e.message : String(e);
    throw new FitError(`fit: training failed at ${where}: ${message}`, { epoch, batch, partial: snapshot(), cause: e });
  } finally {
    for (const [m, mode] of modes) m.training = mode;
  }
  return result;
}

/** One optimizer step; every tensor it makes is freed before it returns. */
async function step(
  model: Module<[tf.Tensor], tf.Tensor>,
  params: tf.Variable[],
  b: FitBatch,
  optimizer: tf.Optimizer,
  loss: FitOptions['loss'],
  clipValue: number | undefined,
  clipNorm: number | undefined,
): Promise<{ lossValue: number; size: number }> {
  if (typeof b !== 'object' || b === null || !(b.x instanceof tf.Tensor) || !(b.y instanceof tf.Tensor)) {
    throw new ShapeError(`batch must be an object {x: tf.Tensor, y: tf.Tensor}, got ${b === null ? 'null' : typeof b}`);
  }
  if (b.x.isDisposed || b.y.isDisposed) throw new InvalidValueError('batch tensors x and y must not be disposed');
  const size = b.x.rank > 0 ? b.x.shape[0] : 1;
  let value: tf.Scalar;
  let grads: tf.NamedTensorMap;
  try {
    // The tidy frees the forward pass's tensors when the forward or backward pass throws.
    ({ value, grads } = tf.tidy(() =>
      tf.variableGrads(() => {
        const out = loss(model.call(b.x), b.y);
        if (!(out instanceof tf.Tensor)) throw new ShapeError(`loss must return a tf.Scalar, got ${typeof out}`);
        if (out.rank !== 0) throw new ShapeError(`loss must return a scalar, got shape [${out.shape}]`);
        return out as tf.Scalar;
      }, params),
    ));
  } catch (e) {
    freeAbandonedTape();
    throw e;
  }
  let lossValue: number;
  try {
    lossValue = (await value.data())[0];
    if (!Number.isFinite(lossValue)) {
      throw new InvalidValueError(`loss must be finite, got ${lossValue}; the step was not applied`);
    }
    tf.tidy(() => {
      let g: GradMap = grads as GradMap;
      if (clipValue !== undefined) g = clipGradValueTensors(g, clipValue);
      if (clipNorm !== undefined) {
        const clipped = clipGradNormTensors(g, clipNorm);
        g = clipped.grads;
      }
      optimizer.applyGradients(g);
    });
  } finally {
    value.dispose();
    tf.dispose(Object.values(grads));
  }
  return { lossValue, size };
}

/**
 * After a pass under `tf.variableGrads` throws, the engine keeps its tape, whose nodes hold
 * kept copies of the tensors saved for backprop; nothing else frees them. Free them here.
 */
function freeAbandonedTape(): void {
  const state = tf.engine().state;
  if (state.gradientDepth !== 0 || state.activeTape == null) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) if (!t.isDisposed) t.dispose();
  state.activeTape = null as unknown as typeof state.activeTape;
}

function isIterableSource(d: unknown): d is Iterable<FitBatch> | AsyncIterable<FitBatch> {
  return (
    typeof d === 'object' &&
    d !== null &&
    (typeof (d as Iterable<unknown>)[Symbol.iterator] === 'function' ||
      typeof (d as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
  );
}

function disposeBatch(b: FitBatch): void {
  if (typeof b !== 'object' || b === null) return;
  for (const t of [b.x, b.y]) if (t instanceof tf.Tensor && !t.isDisposed) t.dispose();
}
