/**
 * Saliency (vanilla gradient; Simonyan, Vedaldi & Zisserman 2013).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { checkBoolOption, checkModel, checkSeed, checkTarget, concatChunks, sliceRows, targetGradients } from '../core/gradients';
import {
  type AttributionMethod,
  type AttributionModel,
  type AttributionOptions,
  type AttributionResult,
  checkAttributionInput,
  checkBatchSize,
  targetForSlice,
} from '../core/types';
import { type AttributionWorkers, checkWorkers, prefetch } from '../parallel/attribution-workers';

/** Settings of {@link Saliency}. @category Methods */
export interface SaliencyConfig {
  /**
   * Return `|∂f_c/∂x|` instead of the signed gradient. Captum's default is `true`, which confuses
   * comparisons with signed methods (captum#826); this package keeps signed output by default.
   * @defaultValue false
   */
  abs?: boolean;
}

/** Per-call options of {@link Saliency.attribute}: the shared ones only. @category Methods */
export interface SaliencyOptions extends AttributionOptions {
  /**
   * Evaluate the gradient chunks (`batchSize` rows each) on these workers, which hold a copy of
   * `model` ({@link createAttributionWorkers}); the chunks are concatenated here in order, so the
   * result is bit-identical to the single-thread path. `target` must not be a function. Wrapped
   * in a {@link NoiseTunnel} (SmoothGrad), the noise samples are then spread over the workers.
   * @defaultValue undefined (this thread)
   */
  workers?: AttributionWorkers;
}

/**
 * Defaults of {@link Saliency}: `abs: false` (signed, the spec's rule "signed output wherever the
 * method is signed"; Captum uses `abs=True`); `batchSize` is this package's.
 * @category Methods
 */
export const SALIENCY_DEFAULTS = Object.freeze({
  /** Default of {@link SaliencyConfig.abs}. */
  abs: false,
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
});

/**
 * Saliency: the gradient of the explained output with respect to the input.
 *
 * `S_i(x) = ∂f_c(x)/∂x_i`, or `|∂f_c(x)/∂x_i|` with `abs`. Samples are evaluated in chunks of
 * `batchSize`.
 * @see arXiv 1312.6034; Captum `Saliency`
 * @example
 * ```ts
 * const { attributions } = await new Saliency().attribute(model, images, { target: 3 });
 * // attributions: images' shape, signed; caller disposes
 * ```
 * @category Methods
 */
export class Saliency implements AttributionMethod<SaliencyOptions> {
  readonly name = 'saliency';
  /** False when `abs` is set. */
  readonly signed: boolean;
  /** Whether absolute gradients are returned. */
  readonly abs: boolean;

  /**
   * @param config - see {@link SaliencyConfig}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an unknown key or a non-boolean `abs`.
   */
  constructor(config: SaliencyConfig = {}) {
    checkOptions('Saliency', config, ['abs']);
    this.abs = checkBoolOption('Saliency', 'abs', config.abs ?? SALIENCY_DEFAULTS.abs);
    this.signed = !this.abs;
  }

  /**
   * Computes the input gradient of the explained output.
   * @param model - the model
   * @param input - a batch `[N, …]` (NHWC for images)
   * @param options - target, batchSize, seed (unused: the method is deterministic)
   * @returns attributions of the input's shape; the caller disposes them
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad input, target or option.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: SaliencyOptions = {}): Promise<AttributionResult> {
    const fn = 'Saliency.attribute';
    checkOptions(fn, options, ['target', 'batchSize', 'seed', 'workers']);
    checkModel(fn, model);
    checkAttributionInput(fn, input);
    checkTarget(fn, options.target, input.shape[0]);
    const batchSize = checkBatchSize(fn, options.batchSize, SALIENCY_DEFAULTS.batchSize);
    checkSeed(fn, options.seed);
    const workers = checkWorkers(fn, options.workers, options.target);
    if (workers !== undefined) return { attributions: await this.onWorkers(workers, input, options.target, batchSize, fn) };
    const attributions = concatChunks(input.shape[0], batchSize, (start, end) => {
      const xs = sliceRows(input, start, end);
      try {
        const { grads, scores } = targetGradients(model, xs, targetForSlice(options.target, start, end), fn);
        scores.dispose();
        if (!this.abs) return grads;
        const out = tf.abs(grads);
        grads.dispose();
        return out;
      } finally {
        xs.dispose();
      }
    });
    return { attributions };
  }

  /** The chunks of {@link Saliency.attribute} on workers, concatenated in order (as `concatChunks`). */
  private async onWorkers(workers: AttributionWorkers, input: tf.Tensor, target: SaliencyOptions['target'], batchSize: number, fn: string): Promise<tf.Tensor> {
    const rows = input.shape[0];
    const chunks = Math.ceil(rows / batchSize);
    const ahead = prefetch(chunks, 2 * workers.size, async (k) => {
      const start = k * batchSize;
      const end = Math.min(rows, start + batchSize);
      const xs = sliceRows(input, start, end);
      try {
        const [r] = await workers.gradients([xs], [targetForSlice(target, start, end)], fn);
        return r;
      } finally {
        xs.dispose();
      }
    });
    const parts: tf.Tensor[] = [];
    try {
      for (let k = 0; k < chunks; k++) {
        const { grads, scores } = await ahead.take(k);
        scores.dispose();
        if (!this.abs) {
          parts.push(grads);
          continue;
        }
        parts.push(tf.abs(grads));
        grads.dispose();
      }
      if (parts.length === 1) return parts.pop() as tf.Tensor;
      return tf.concat(parts, 0);
    } finally {
      tf.dispose(parts);
      await ahead.discard((r) => tf.dispose([r.grads, r.scores]));
    }
  }
}
