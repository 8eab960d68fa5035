/**
 * Training and evaluation of gaze models with TinyTracker's recipe.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Rng, checkOptions, fit, type FitBatch } from '@lab/tensor';
import { augmentFaces } from '../data/augment-faces';
import { checkBool, checkInt, checkNumber, checkPositive, checkTensor, withDefaults } from '../internal/checks';
import { meanEuclideanError } from '../metrics/mean-euclidean-error';
import { GazeModel } from '../models/common/gaze-model';
import { QuantizedModel } from '../quant/quantized-model';

/** Options of {@link trainGazeModel}; defaults in {@link TRAIN_GAZE_MODEL_DEFAULTS}. @category Training */
export interface TrainGazeModelOptions {
  /** Passes over the data. @defaultValue 15 */
  epochs?: number;
  /** Samples per step. @defaultValue 128 */
  batchSize?: number;
  /** Initial Adam learning rate. @defaultValue 1e-3 */
  learningRate?: number;
  /** Steps per decay of the learning rate (`ExponentialDecay(decay_steps)`, not staircase). @defaultValue 10000 */
  decaySteps?: number;
  /** Factor per `decaySteps` steps. @defaultValue 0.9 */
  decayRate?: number;
  /**
   * Apply {@link augmentFaces} to the image channels of each batch (the first 3, or 1 for grey
   * models; face-grid channels are left alone). @defaultValue true
   */
  augment?: boolean;
  /** Seed of shuffling and augmentation. @defaultValue 0 */
  seed?: number;
  /** Validation set, scored after every epoch with {@link evaluateGazeError}. */
  validation?: {
    /** Validation inputs `[N, ...model.inputShape]`, float32 in [−1, 1]. */
    readonly images: tf.Tensor;
    /** Validation targets `[N, 2]` in cm. */
    readonly gazeCm: tf.Tensor;
  };
  /** Called after every epoch. */
  onEpochEnd?: (info: { epoch: number; loss: number; validationErrorCm?: number }) => void | Promise<void>;
}

/**
 * Defaults of {@link TrainGazeModelOptions}: `train_TinyTracker.py` (Adam, lr 1e-3,
 * `ExponentialDecay(1e-3, decay_steps=10000, decay_rate=0.9)`, batch 128, 15 epochs, MSE of
 * output·30 against cm, augmentation on).
 * @category Training
 */
export const TRAIN_GAZE_MODEL_DEFAULTS = Object.freeze({
  /** Default of {@link TrainGazeModelOptions.epochs}. */
  epochs: 15,
  /** Default of {@link TrainGazeModelOptions.batchSize}. */
  batchSize: 128,
  /** Default of {@link TrainGazeModelOptions.learningRate}. */
  learningRate: 1e-3,
  /** Default of {@link TrainGazeModelOptions.decaySteps}. */
  decaySteps: 10000,
  /** Default of {@link TrainGazeModelOptions.decayRate}. */
  decayRate: 0.9,
  /** Default of {@link TrainGazeModelOptions.augment}. */
  augment: true,
  /** Default of {@link TrainGazeModelOptions.seed}. */
  seed: 0,
});

/** What {@link trainGazeModel} returns. @category Training */
export interface TrainGazeModelResult {
  /** Mean MSE loss (cm²) of each epoch. */
  readonly epochLosses: number[];
  /** Mean Euclidean validation error (cm) after each epoch; empty without validation data. */
  readonly validationErrorsCm: number[];
  /** Optimizer steps taken. */
  readonly steps: number;
}

const KEYS = [...Object.keys(TRAIN_GAZE_MODEL_DEFAULTS), 'validation', 'onEpochEnd'];

/**
 * Trains a gaze model with TinyTracker's recipe: `loss = MSE(model(x)·outputScaleCm, y)` (y in
 * cm), Adam with an exponentially decaying learning rate `lr·rate^(step/decaySteps)`, shuffled
 * batches (seeded), {@link augmentFaces} on the image channels.
 *
 * Runs `fit` of `@lab/tensor`; the model is in training mode during the steps and in its previous
 * mode afterwards. The optimizer is created and disposed here, so `tf.memory().numTensors` is
 * unchanged afterwards.
 * @param model - the {@link GazeModel} to train (updated in place)
 * @param images - inputs `[N, ...model.inputShape]` float32 in [−1, 1]
 * @param gazeCm - targets `[N, 2]` in cm
 * @param options - see {@link TrainGazeModelOptions}
 * @returns per-epoch losses and validation errors
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad model or option; {@link "@lab/tensor"!ShapeError | ShapeError} for mis-shaped
 *   data; `FitError` when a step fails (e.g. a non-finite loss)
 * @see pbonazzi/tinytracker `train_TinyTracker.py`
 * @example
 * ```ts
 * const r = await trainGazeModel(net, images, gazeCm, { epochs: 2, batchSize: 32 });
 * ```
 * @category Training
 */
export async function trainGazeModel(model: GazeModel, images: tf.Tensor, gazeCm: tf.Tensor, options: TrainGazeModelOptions = {}): Promise<TrainGazeModelResult> {
  const fn = 'trainGazeModel';
  if (!(model instanceof GazeModel)) throw new InvalidValueError(`${fn}: model must be a GazeModel`);
  checkOptions(fn, options, KEYS);
  const o = withDefaults(TRAIN_GAZE_MODEL_DEFAULTS, options);
  checkInt(fn, 'epochs', o.epochs);
  checkInt(fn, 'batchSize', o.batchSize);
  checkPositive(fn, 'learningRate', o.learningRate);
  checkPositive(fn, 'decaySteps', o.decaySteps);
  checkNumber(fn, 'decayRate', o.decayRate, 0, 1);
  checkBool(fn, 'augment', o.augment);
  checkNumber(fn, 'seed', o.seed);
  const n = checkTensor(fn, 'images', images, [-1, ...model.inputShape]).shape[0];
  checkTensor(fn, 'gazeCm', gazeCm, [n, 2]);
  if (o.validation !== undefined) {
    const m = checkTensor(fn, 'validation.images', o.validation.images, [-1, ...model.inputShape]).shape[0];
    checkTensor(fn, 'validation.gazeCm', o.validation.gazeCm, [m, 2]);
  }
  if (o.onEpochEnd !== undefined && typeof o.onEpochEnd !== 'function') throw new InvalidValueError(`${fn}: onEpochEnd must be a function`);

  const imageChannels = model.inputShape[2] >= 3 ? 3 : 1;
  const rng = new Rng(o.seed);
  const optimizer = tf.train.adam(o.learningRate);
  const scale = model.outputScaleCm;
  let step = 0;
  const batches = function* (epoch: number): Generator<FitBatch> {
    const order = rng.permutation(n);
    for (let start = 0; start < n; start += o.batchSize) {
      const idx = tf.tensor1d(order.subarray(start, Math.min(n, start + o.batchSize)), 'int32');
      const batch = tf.tidy(() => {
        let x = tf.gather(images, idx);
        if (o.augment) {
          const channels = x.shape[3] as number;
          const parts = channels === imageChannels ? [x] : tf.split(x, [imageChannels, channels - imageChannels], 3);
          const augmented = augmentFaces(parts[0], { seed: rng.nextUint32() + epoch });
          x = parts.length === 1 ? augmented : tf.concat([augmented, parts[1]], 3);
        }
        return { x, y: tf.gather(gazeCm, idx) };
      });
      idx.dispose();
      yield batch;
    }
  };
  const validationErrorsCm: number[] = [];
  try {
    const result = await fit(model, (epoch) => batches(epoch), {
      optimizer,
      epochs: o.epochs,
      disposeBatches: true,
      loss: (pred, y) => tf.losses.meanSquaredError(y, tf.mul(pred, scale)) as tf.Scalar,
      onBatchEnd: () => {
        step++;
        (optimizer as unknown as { learningRate: number }).learningRate = o.learningRate * o.decayRate ** (step / o.decaySteps);
      },
      onEpochEnd: async ({ epoch, loss }) => {
        let validationErrorCm: number | undefined;
        if (o.validation) {
          validationErrorCm = await evaluateGazeError(model, o.validation.images, o.validation.gazeCm, { batchSize: o.batchSize });
          validationErrorsCm.push(validationErrorCm);
        }
        await o.onEpochEnd?.({ epoch, loss, validationErrorCm });
      },
    });
    return { epochLosses: result.epochLosses, validationErrorsCm, steps: result.batchCount };
  } finally {
    optimizer.dispose();
  }
}

/** Options of {@link evaluateGazeError}. @category Training */
export interface EvaluateGazeErrorOptions {
  /** Samples per forward pass (results do not depend on it). @defaultValue 64 */
  batchSize?: number;
}

/**
 * Mean Euclidean error (cm) of a float or int8 gaze model on a labelled set: the model's outputs
 * × `outputScaleCm` against the targets, in evaluation mode, batch by batch
 * ({@link meanEuclideanError} over all samples).
 * @param model - a {@link GazeModel} (run in eval mode, mode restored) or a {@link QuantizedModel} (its `predict`)
 * @param images - inputs `[N, ...inputShape]` float32
 * @param gazeCm - targets `[N, 2]` cm
 * @param options - see {@link EvaluateGazeErrorOptions}
 * @returns the mean error in cm; no tensors remain
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad model or option; {@link "@lab/tensor"!ShapeError | ShapeError} for mis-shaped data
 * @example
 * ```ts
 * const cm = await evaluateGazeError(quantized, images, gazeCm);
 * ```
 * @category Training
 */
export async function evaluateGazeError(model: GazeModel | QuantizedModel, images: tf.Tensor, gazeCm: tf.Tensor, options: EvaluateGazeErrorOptions = {}): Promise<number> {
  const fn = 'evaluateGazeError';
  checkOptions(fn, options, ['batchSize']);
  const batchSize = checkInt(fn, 'batchSize', options.batchSize ?? 64);
  if (!(model instanceof GazeModel) && !(model instanceof QuantizedModel)) throw new InvalidValueError(`${fn}: model must be a GazeModel or a QuantizedModel`);
  const n = checkTensor(fn, 'images', images, [-1, ...model.inputShape]).shape[0];
  checkTensor(fn, 'gazeCm', gazeCm, [n, 2]);
  const modes = model instanceof GazeModel ? model.modules().map((m) => [m, m.training] as const) : [];
  if (model instanceof GazeModel) model.eval();
  try {
    let sum = 0;
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const x = tf.slice(images, start, size);
      const y = tf.slice(gazeCm, start, size);
      const pred = tf.tidy(() => tf.mul(model instanceof GazeModel ? model.call(x) : model.predict(x), model.outputScaleCm));
      sum += meanEuclideanError(pred, y) * size;
      tf.dispose([x, y, pred]);
    }
    return sum / n;
  } finally {
    for (const [m, mode] of modes) m.training = mode;
  }
}
