/**
 * Batched gradients of an explained output with respect to the input or to a named layer's output,
 * shared by the gradient-family methods, plus the small option checks those methods share.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, NotAvailableError, ShapeError, UnknownNameError } from '@lab/tensor';
import { type AttributionModel, type Target, runModel, selectTarget, targetForSlice } from './types';

/**
 * Checks a {@link Target} against a batch of `n` samples before any tensor is allocated: a
 * per-sample list must have length `n` and hold non-negative integers (the upper bound is checked
 * against the model output later, by `selectTarget`).
 * @param fn - public function name used in the message
 * @param target - the caller's target
 * @param n - batch size of the input
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} naming `target`.
 * @category Core
 */
export function checkTarget(fn: string, target: unknown, n: number): void {
  if (target === undefined || typeof target === 'function') return;
  if (typeof target === 'number') {
    if (!Number.isInteger(target) || target < 0) {
      throw new InvalidValueError(`${fn}: target must be a non-negative integer, got ${target}`);
    }
    return;
  }
  if (!Array.isArray(target) && !(target instanceof Int32Array)) {
    throw new InvalidValueError(`${fn}: target must be a number, an array of numbers or a function, got ${typeof target}`);
  }
  const list = Array.from(target as ArrayLike<number>);
  if (list.length !== n) {
    throw new InvalidValueError(`${fn}: target must have one index per sample (${n}), got ${list.length}`);
  }
  for (const t of list) {
    if (!Number.isInteger(t) || t < 0) throw new InvalidValueError(`${fn}: target must hold non-negative integers, got ${t}`);
  }
}

/**
 * The {@link Target} of evaluation rows that repeat samples: row `r` explains the same output as
 * sample `sampleOfRow[r]`. Numbers, functions and `undefined` pass through; a per-sample list is
 * gathered.
 * @param target - the per-sample target
 * @param sampleOfRow - sample index of each row
 * @returns the per-row target
 * @category Core
 */
export function targetForRows(target: Target | undefined, sampleOfRow: ArrayLike<number>): Target | undefined {
  if (target === undefined || typeof target === 'number' || typeof target === 'function') return target;
  const list = Array.from(target);
  return Array.from(sampleOfRow, (i) => list[i]);
}

/** Gradients of the explained output of a batch. Both tensors belong to the caller. @category Core */
export interface TargetGradients {
  /** `∂f_c(x_r)/∂x_r` for every row, the input's shape. */
  grads: tf.Tensor;
  /** `f_c(x_r)` for every row, `[m]`. */
  scores: tf.Tensor1D;
}

/**
 * Inspects the gradient tape after the forward pass (while it is still recorded) and returns a
 * message when the gradient would be wrong; the gradient overrides use it to detect nonlinearities
 * they cannot override. The message is thrown as a `NotAvailableError` once the tape is freed.
 * @category Core
 */
export type TapeInspector = (x: tf.Tensor, y: tf.Tensor) => string | undefined;

/**
 * Runs `tf.grad` of `f` at `x`. An exception inside `f` would strand the tape's saved tensors, so
 * it is caught, the pass is finished on a dummy output `Σ 0·x`, and the error is re-thrown after.
 */
function safeGrad(x: tf.Tensor, f: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  let failure: { error: unknown } | undefined;
  const grads = tf.tidy(() =>
    tf.grad((xx: tf.Tensor) => {
      try {
        return f(xx);
      } catch (error) {
        failure = { error };
        return tf.sum(tf.mul(xx, 0));
      }
    })(x),
  );
  if (failure !== undefined) {
    grads.dispose();
    throw failure.error;
  }
  return grads;
}

/**
 * Computes the gradient of the explained output `f_c` of every row of a batch with respect to that
 * row, in one forward and one backward pass.
 *
 * Rows are independent (models must be in evaluation mode), so `∂(Σ_r f_c(x_r))/∂x` holds each
 * row's own gradient.
 * @param model - the model
 * @param x - a batch `[m, …]`
 * @param target - the explained output of each row
 * @param fn - public function name used in messages
 * @param inspect - optional tape check (see {@link TapeInspector})
 * @returns gradients `[m, …]` and scores `[m]`; the caller disposes both
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad target; {@link "@lab/tensor"!NotAvailableError | NotAvailableError} when `inspect` objects.
 * @category Core
 */
export function targetGradients(
  model: AttributionModel,
  x: tf.Tensor,
  target: Target | undefined,
  fn: string,
  inspect?: TapeInspector,
): TargetGradients {
  let scores: tf.Tensor1D | undefined;
  let problem: string | undefined;
  try {
    const grads = safeGrad(x, (xx) => {
      const s = selectTarget(runModel(model, xx), target, fn);
      scores = tf.keep(tf.clone(s));
      const total = tf.sum(s);
      if (inspect) problem = inspect(xx, total);
      return total;
    });
    if (problem !== undefined) {
      grads.dispose();
      throw new NotAvailableError(problem);
    }
    const out = { grads, scores: scores as tf.Tensor1D };
    scores = undefined;
    return out;
  } finally {
    scores?.dispose();
  }
}

/** Gradients at a named layer. Every tensor belongs to the caller. @category Core */
export interface LayerGradients {
  /** The layer's output `A` for every row. */
  activations: tf.Tensor;
  /** `∂f_c/∂A`, the shape of `activations`. */
  grads: tf.Tensor;
  /** `f_c(x_r)` for every row, `[m]`. */
  scores: tf.Tensor1D;
}

/**
 * Resolves a dotted module name of a model.
 * @param model - the model
 * @param layer - dotted name, as listed by `model.namedModules()`
 * @param fn - public function name used in messages
 * @returns the sub-module
 * @throws {@link "@lab/tensor"!NotAvailableError | NotAvailableError} when the model is a plain function; {@link "@lab/tensor"!UnknownNameError | UnknownNameError}
 * listing the model's module names when the name does not exist.
 * @category Core
 */
export function resolveLayer(model: AttributionModel, layer: string, fn: string): Module<any, any> {
  if (typeof layer !== 'string' || layer === '') {
    throw new InvalidValueError(`${fn}: layer must be a non-empty dotted module name, got ${String(layer)}`);
  }
  if (!(model instanceof Module)) {
    throw new NotAvailableError(`${fn}: layer '${layer}' needs a Module model, got a plain function`);
  }
  const named = model.namedModules();
  const found = named.find(([name]) => name === layer);
  if (!found) {
    throw new UnknownNameError(`${fn} layer`, layer, named.map(([name]) => name).filter((n) => n !== ''));
  }
  return found[1];
}

/** Thrown by the probe hook to stop a forward pass once the layer has run. */
class StopForward {}

/**
 * Shape of one sample of a layer's output, found by running the model on the first row of `x`
 * until the layer has run (the rest of that forward pass is skipped).
 */
function layerSampleShape(model: Module<any, any>, layerModule: Module<any, any>, layer: string, x: tf.Tensor, fn: string): number[] {
  let shape: number[] | undefined;
  const handle = layerModule.registerForwardHook((_m, _inputs, output) => {
    if (!(output instanceof tf.Tensor)) throw new ShapeError(`${fn}: layer '${layer}' must output a tf.Tensor`);
    shape = output.shape.slice();
    throw new StopForward();
  });
  try {
    tf.tidy(() => {
      runModel(model as Module<[tf.Tensor], tf.Tensor>, sliceRows(x, 0, 1));
    });
  } catch (e) {
    if (!(e instanceof StopForward)) throw e;
  } finally {
    handle.remove();
  }
  if (shape === undefined) throw new InvalidValueError(`${fn}: layer '${layer}' is not called by the model's forward pass`);
  if (shape[0] !== 1) {
    throw new ShapeError(`${fn}: layer '${layer}' output must be batch-major [N, …], got [${shape}] for one sample`);
  }
  return shape.slice(1);
}

/**
 * Computes the gradient of the explained output with respect to a named layer's output `A`, by
 * the replacing-hook trick: a forward hook replaces `A` by `A + d` with `d = 0`, and the gradient is
 * taken with respect to `d` (`∂f/∂d = ∂f/∂A`), so the network below the layer is not differentiated.
 * @param model - a Module
 * @param layer - dotted name of the layer (as in `model.namedModules()`)
 * @param x - a batch `[m, …]`
 * @param target - the explained output of each row
 * @param fn - public function name used in messages
 * @returns activations, gradients and scores; the caller disposes all three
 * @throws {@link "@lab/tensor"!UnknownNameError | UnknownNameError} for an unknown layer; {@link "@lab/tensor"!NotAvailableError | NotAvailableError} for a plain
 * function; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when the layer is not called exactly once per forward pass.
 * @category Core
 */
export function layerGradients(
  model: AttributionModel,
  layer: string,
  x: tf.Tensor,
  target: Target | undefined,
  fn: string,
): LayerGradients {
  const layerModule = resolveLayer(model, layer, fn);
  const sampleShape = layerSampleShape(model as Module<any, any>, layerModule, layer, x, fn);
  const m = x.shape[0];
  let activations: tf.Tensor | undefined;
  let scores: tf.Tensor1D | undefined;
  let calls = 0;
  let d: tf.Tensor | undefined;
  const handle = layerModule.registerForwardHook((_mod, _inputs, output) => {
    calls += 1;
    if (calls > 1 || d === undefined) return undefined;
    const a = output as tf.Tensor;
    if (a.rank !== sampleShape.length + 1 || a.shape[0] !== m || a.shape.slice(1).some((s, i) => s !== sampleShape[i])) {
      throw new ShapeError(`${fn}: layer '${layer}' output shape [${a.shape}] does not match [${m},${sampleShape}]`);
    }
    activations = tf.keep(tf.clone(a));
    return tf.add(a, d);
  });
  try {
    d = tf.zeros([m, ...sampleShape]);
    const grads = safeGrad(d, () => {
      const s = selectTarget(runModel(model, x), target, fn);
      scores = tf.keep(tf.clone(s));
      return tf.sum(s);
    });
    if (calls !== 1) {
      grads.dispose();
      throw new InvalidValueError(`${fn}: layer '${layer}' must be called exactly once per forward pass, got ${calls}`);
    }
    const out = { activations: activations as tf.Tensor, grads, scores: scores as tf.Tensor1D };
    activations = undefined;
    scores = undefined;
    return out;
  } finally {
    handle.remove();
    d?.dispose();
    activations?.dispose();
    scores?.dispose();
  }
}

/**
 * Explained output `f_c(x)` of every sample, evaluated in chunks of `batchSize`.
 * @param model - the model
 * @param x - a batch `[n, …]`
 * @param target - per-sample target
 * @param batchSize - rows per forward pass
 * @param fn - public function name used in messages
 * @returns `[n]`; the caller disposes it
 * @category Core
 */
export function targetScores(
  model: AttributionModel,
  x: tf.Tensor,
  target: Target | undefined,
  batchSize: number,
  fn: string,
): tf.Tensor1D {
  return concatChunks(x.shape[0], batchSize, (start, end) =>
    tf.tidy(() => selectTarget(runModel(model, sliceRows(x, start, end)), targetForSlice(target, start, end), fn)),
  ) as tf.Tensor1D;
}

/** Rows `[start, end)` of a batch; the caller disposes the slice. @category Core */
export function sliceRows(x: tf.Tensor, start: number, end: number): tf.Tensor {
  return tf.slice(x, [start, ...new Array<number>(x.rank - 1).fill(0)], [end - start, ...x.shape.slice(1)]);
}

/**
 * Runs `body` on consecutive row ranges `[start, end)` of at most `batchSize` rows covering
 * `[0, total)`, and concatenates the results along axis 0. Chunk results are disposed once
 * concatenated; the result belongs to the caller.
 * @category Core
 */
export function concatChunks(total: number, batchSize: number, body: (start: number, end: number) => tf.Tensor): tf.Tensor {
  const parts: tf.Tensor[] = [];
  try {
    for (let start = 0; start < total; start += batchSize) parts.push(body(start, Math.min(total, start + batchSize)));
    if (parts.length === 1) return parts.pop() as tf.Tensor;
    return tf.concat(parts, 0);
  } finally {
    for (const p of parts) p.dispose();
  }
}

/**
 * Evaluates per-row terms in chunks of `batchSize` rows and sums them per sample:
 * `out[j][i] = Σ_{r : sampleOfRow[r] = i} term_j(r)`. Memory holds one chunk and the
 * `[samples, …]` accumulators, whatever the number of rows.
 * @param rows - number of evaluation rows
 * @param samples - number of samples (the accumulators' first axis)
 * @param sampleOfRow - sample index of each row
 * @param batchSize - rows per chunk
 * @param term - the terms of rows `[start, end)`, each `[end − start, …]` (disposed here)
 * @returns one `[samples, …]` sum per term; the caller disposes them
 * @category Core
 */
export function sumRowsPerSample(
  rows: number,
  samples: number,
  sampleOfRow: Int32Array,
  batchSize: number,
  term: (start: number, end: number) => tf.Tensor[],
): tf.Tensor[] {
  let acc: tf.Tensor[] | undefined;
  try {
    for (let start = 0; start < rows; start += batchSize) {
      const end = Math.min(rows, start + batchSize);
      acc = addRowTerms(acc, sampleOfRow.subarray(start, end), samples, term(start, end));
    }
    if (acc === undefined) throw new InvalidValueError('sumRowsPerSample: rows must be positive');
    const out = acc;
    acc = undefined;
    return out;
  } finally {
    if (acc) tf.dispose(acc);
  }
}

/**
 * {@link sumRowsPerSample} with terms that arrive asynchronously (from a worker pool): the same
 * chunks, summed in the same order with the same operations, so the sums are bit-identical.
 * @param rows - number of evaluation rows
 * @param samples - number of samples (the accumulators' first axis)
 * @param sampleOfRow - sample index of each row
 * @param batchSize - rows per chunk
 * @param term - the terms of rows `[start, end)`, each `[end − start, …]` (disposed here)
 * @returns one `[samples, …]` sum per term; the caller disposes them
 * @category Core
 */
export async function sumRowsPerSampleAsync(
  rows: number,
  samples: number,
  sampleOfRow: Int32Array,
  batchSize: number,
  term: (start: number, end: number) => Promise<tf.Tensor[]>,
): Promise<tf.Tensor[]> {
  let acc: tf.Tensor[] | undefined;
  try {
    for (let start = 0; start < rows; start += batchSize) {
      const end = Math.min(rows, start + batchSize);
      acc = addRowTerms(acc, sampleOfRow.subarray(start, end), samples, await term(start, end));
    }
    if (acc === undefined) throw new InvalidValueError('sumRowsPerSampleAsync: rows must be positive');
    const out = acc;
    acc = undefined;
    return out;
  } finally {
    if (acc) tf.dispose(acc);
  }
}

/** `acc + Σ_rows terms` per sample (one accumulation step); disposes `terms` and the old `acc`. */
function addRowTerms(acc: tf.Tensor[] | undefined, sampleRows: Int32Array, samples: number, terms: tf.Tensor[]): tf.Tensor[] {
  const m = sampleRows.length;
  let next: tf.Tensor[];
  try {
    next = tf.tidy(() => {
      const onehot = rowsToSamples(sampleRows, samples);
      return terms.map((t, j) => {
        const flat = tf.reshape(t, [m, -1]);
        const summed = tf.reshape(tf.matMul(onehot, flat, true, false), [samples, ...t.shape.slice(1)]);
        return acc === undefined ? summed : tf.add(acc[j], summed);
      });
    });
  } finally {
    tf.dispose(terms);
  }
  if (acc) tf.dispose(acc);
  return next;
}

/** `[m, samples]` matrix with a 1 at `(r, sampleOfRow[r])` (tf.oneHot needs depth ≥ 2). */
function rowsToSamples(sampleOfRow: Int32Array, samples: number): tf.Tensor2D {
  const m = sampleOfRow.length;
  const data = new Float32Array(m * samples);
  for (let r = 0; r < m; r++) data[r * samples + sampleOfRow[r]] = 1;
  return tf.tensor2d(data, [m, samples]);
}

/** `[values.length, 1, …, 1]` (rank `rank`) from per-row numbers, to scale each row. @category Core */
export function rowColumn(values: ArrayLike<number>, rank: number): tf.Tensor {
  return tf.tensor(Float32Array.from(values), [values.length, ...new Array<number>(rank - 1).fill(1)], 'float32');
}

/** Checks an integer option `>= min`. @internal */
export function checkIntOption(fn: string, name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new InvalidValueError(`${fn}: ${name} must be an integer >= ${min}, got ${String(v)}`);
  }
  return v;
}

/** Checks a finite number option within `[lo, hi]`. @internal */
export function checkNumberOption(fn: string, name: string, v: unknown, lo = -Infinity, hi = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    throw new InvalidValueError(`${fn}: ${name} must be a finite number in [${lo}, ${hi}], got ${String(v)}`);
  }
  return v;
}

/** Checks a boolean option. @internal */
export function checkBoolOption(fn: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new InvalidValueError(`${fn}: ${name} must be a boolean, got ${String(v)}`);
  return v;
}

/** Checks a seed option (default 0). @internal */
export function checkSeed(fn: string, seed: unknown): number {
  const s = seed ?? 0;
  if (typeof s !== 'number' || !Number.isFinite(s)) throw new InvalidValueError(`${fn}: seed must be a finite number, got ${String(s)}`);
  return s;
}

/** Checks that a model is a Module or a function. @internal */
export function checkModel(fn: string, model: unknown): void {
  if (!(model instanceof Module) && typeof model !== 'function') {
    throw new InvalidValueError(`${fn}: model must be a Module or a function, got ${typeof model}`);
  }
}

/** Rows `idx` of a batch (`tf.gather` on axis 0); the caller disposes the result. @category Core */
export function gatherRows(x: tf.Tensor, idx: ArrayLike<number>): tf.Tensor {
  return tf.tidy(() => tf.gather(x, tf.tensor1d(Int32Array.from(idx), 'int32'), 0));
}

/** Sum over every axis but the first: `[m, …] → [m]`. @category Core */
export function sumPerRow(x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.reshape(x, [x.shape[0], -1]), 1) as tf.Tensor1D);
}
