import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, ShapeError } from '@lab/tensor';

/**
 * What an attribution method explains: a `@lab/tensor` {@link Module} or a plain function from a
 * batch of inputs to a batch of outputs (`[N, …] → [N, K]` for classifiers, `[N]` or `[N, 1]` for
 * regression). Layer methods (Grad-CAM, layer variants, IBA) need a Module so they can reach a
 * named sub-module.
 * @category Core
 */
export type AttributionModel = Module<[tf.Tensor], tf.Tensor> | ((x: tf.Tensor) => tf.Tensor);

/**
 * Which output to explain: a class index for every sample, one index per sample, or a function
 * that maps the model output `[N, …]` to one scalar per sample `[N]` (regression, custom scores).
 * `undefined` is allowed only when the output already has one value per sample.
 * @category Core
 */
export type Target = number | readonly number[] | Int32Array | ((output: tf.Tensor) => tf.Tensor1D);

/**
 * A reference input: a number (broadcast everywhere), a tensor of the input's shape, of one
 * sample's shape (broadcast over the batch) or per sample, or a function of the input returning
 * such a tensor. Baselines live in the model's input space (a "black" image of a normalised model
 * is the normalised value of 0).
 * @category Core
 */
export type Baseline = number | tf.Tensor | ((x: tf.Tensor) => tf.Tensor);

/**
 * Options every method accepts; each method's options type extends this one.
 * @category Core
 */
export interface AttributionOptions {
  /** The output to explain. See {@link Target}. */
  target?: Target;
  /**
   * How many model inputs one forward/backward evaluation may hold (path steps, noise samples,
   * perturbations), bounding memory. Results do not depend on it.
   * @defaultValue method-specific (usually 32)
   */
  batchSize?: number;
  /** Seed of every random choice the method makes. @defaultValue 0 */
  seed?: number;
}

/**
 * What a method returns. `attributions` has the input's shape and belongs to the caller, as does
 * `delta` when present.
 * @category Core
 */
export interface AttributionResult {
  /** Per-feature attribution, same shape as the input. Signed unless the method says otherwise. */
  attributions: tf.Tensor;
  /**
   * Completeness gap per sample, `Σ attributions − (f(x) − f(baseline))`, `[N]`, for methods that
   * satisfy completeness (IG, DeepLIFT, Shapley family).
   */
  delta?: tf.Tensor1D;
}

/**
 * The contract of every attribution method: a name and one `attribute(model, input, options)` call.
 * Methods hold their configuration only; the model is passed on each call, so one method object
 * can be evaluated against many models (as the AttributionLab sanity check does).
 * @category Core
 */
export interface AttributionMethod<O extends AttributionOptions = AttributionOptions> {
  /** Registry key, lowercase kebab-case (e.g. `integrated-gradients`). */
  readonly name: string;
  /** Whether the maps carry a sign (false for IBA, Extremal Perturbation, |saliency|). */
  readonly signed: boolean;
  /**
   * Attributes the model's (target) output to the input features.
   * @param model - the model to explain
   * @param input - a batch `[N, …]` (NHWC for images)
   * @returns attributions of the input's shape (caller disposes)
   */
  attribute(model: AttributionModel, input: tf.Tensor, options?: O): Promise<AttributionResult>;
}

/** Runs a model on a batch, whichever form it has. @category Core */
export function runModel(model: AttributionModel, x: tf.Tensor): tf.Tensor {
  return model instanceof Module ? model.call(x) : model(x);
}

/**
 * Reduces a model output `[N, …]` to the explained scalar per sample `[N]`.
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a class index out of range or a per-sample list of the wrong length.
 * @category Core
 */
export function selectTarget(output: tf.Tensor, target: Target | undefined, fn = 'attribute'): tf.Tensor1D {
  const n = output.shape[0];
  if (typeof target === 'function') {
    const s = target(output);
    if (s.rank !== 1 || s.shape[0] !== n) {
      throw new ShapeError(`${fn}: target function must return shape [${n}], got [${s.shape}]`);
    }
    return s;
  }
  const flat = tf.reshape(output, [n, -1]);
  const k = flat.shape[1] as number;
  if (target === undefined) {
    if (k !== 1) {
      throw new InvalidValueError(`${fn}: target must be given for a model with ${k} outputs per sample`);
    }
    return tf.reshape(flat, [n]) as tf.Tensor1D;
  }
  const idx = typeof target === 'number' ? new Array<number>(n).fill(target) : Array.from(target);
  if (idx.length !== n) {
    throw new InvalidValueError(`${fn}: target must have one index per sample (${n}), got ${idx.length}`);
  }
  for (const t of idx) {
    if (!Number.isInteger(t) || t < 0 || t >= k) {
      throw new InvalidValueError(`${fn}: target must be an integer in [0, ${k}), got ${t}`);
    }
  }
  const mask = k === 1 ? tf.ones([n, 1]) : tf.oneHot(tf.tensor1d(idx, 'int32'), k);
  return tf.sum(tf.mul(flat, mask), 1) as tf.Tensor1D;
}

/**
 * Per-sample target indices as an array of length `n`, for methods that split a batch into
 * single samples; `undefined` stays `undefined` and functions are passed through.
 * @category Core
 */
export function targetForSlice(target: Target | undefined, start: number, end: number): Target | undefined {
  if (target === undefined || typeof target === 'number' || typeof target === 'function') return target;
  return Array.from(target).slice(start, end);
}

/**
 * Resolves a {@link Baseline} to a tensor of the input's exact shape (caller disposes).
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} when a tensor baseline cannot be broadcast to the input.
 * @category Core
 */
export function resolveBaseline(baseline: Baseline | undefined, x: tf.Tensor, fn = 'attribute'): tf.Tensor {
  return tf.tidy(() => {
    if (baseline === undefined) return tf.zerosLike(x);
    if (typeof baseline === 'number') {
      if (!Number.isFinite(baseline)) throw new InvalidValueError(`${fn}: baselines must be finite, got ${baseline}`);
      return tf.fill(x.shape, baseline);
    }
    const b = typeof baseline === 'function' ? baseline(x) : baseline;
    if (!(b instanceof tf.Tensor)) throw new InvalidValueError(`${fn}: baselines must resolve to a tf.Tensor`);
    const sameAsSample = b.rank === x.rank - 1 && b.shape.every((d, i) => d === x.shape[i + 1]);
    const sameAsInput = b.rank === x.rank && b.shape.every((d, i) => d === x.shape[i] || (i === 0 && d === 1));
    if (!sameAsSample && !sameAsInput) {
      throw new ShapeError(
        `${fn}: baselines must have the input's shape [${x.shape}] or one sample's shape [${x.shape.slice(1)}], got [${b.shape}]`,
      );
    }
    return tf.add(tf.zerosLike(x), b);
  });
}

/**
 * Validates a method's input batch: a float tensor of rank ≥ 2 with finite values.
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} or {@link "@lab/tensor"!InvalidValueError | InvalidValueError} naming the argument.
 * @category Core
 */
export function checkAttributionInput(fn: string, x: unknown): asserts x is tf.Tensor {
  if (!(x instanceof tf.Tensor)) throw new ShapeError(`${fn}: input must be a tf.Tensor, got ${typeof x}`);
  if (x.rank < 2) throw new ShapeError(`${fn}: input must be a batch of rank >= 2, got shape [${x.shape}]`);
  if (x.dtype !== 'float32') throw new ShapeError(`${fn}: input must be float32, got ${x.dtype}`);
  const finite = tf.tidy(() => tf.all(tf.isFinite(x)).dataSync()[0]);
  if (!finite) throw new InvalidValueError(`${fn}: input must be finite (no NaN/Inf)`);
}

/**
 * Checks a batch size option.
 * @category Core
 */
export function checkBatchSize(fn: string, batchSize: number | undefined, fallback: number): number {
  const b = batchSize ?? fallback;
  if (!Number.isInteger(b) || b < 1) throw new InvalidValueError(`${fn}: batchSize must be a positive integer, got ${b}`);
  return b;
}
