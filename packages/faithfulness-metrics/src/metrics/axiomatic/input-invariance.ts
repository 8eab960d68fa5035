/**
 * Input invariance (Kindermans et al. 2017).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { runModel, type AttributionMethod, type AttributionModel } from '@lab/attribution';
import { checkImages, checkInt, checkModel, checkNumber, resolveClasses } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import { readImages, scoreClean } from '../../core/evaluate';
import { checkMethod, explainUnits } from '../../core/explain';
import type { MetricResult } from '../../core/metric';
import { mean } from '../../core/prepare';

/** Options of {@link inputInvariance}; defaults in {@link INPUT_INVARIANCE_DEFAULTS}. @category Axiomatic */
export interface InputInvarianceOptions {
  /** The constant c added to every input value. @defaultValue −1 */
  shift?: number;
  /** Absolute tolerance on the map difference. @defaultValue 1e-5 */
  atol?: number;
  /** Relative tolerance, times `max |a(x)|`. @defaultValue 1e-3 */
  rtol?: number;
  /** Extra options of every `method.attribute` call (`target` is set by the metric). */
  methodOptions?: Readonly<Record<string, unknown>>;
  /** The explained class per sample. @defaultValue the predicted class */
  target?: number | readonly number[];
  /** Images per `attribute` call. @defaultValue 32 */
  batchSize?: number;
}

/** Defaults of {@link InputInvarianceOptions}: Quantus `InputInvariance` (`input_shift=-1`); tolerances are package choices. @category Axiomatic */
export const INPUT_INVARIANCE_DEFAULTS = Object.freeze({
  /** Default of {@link InputInvarianceOptions.shift}. */
  shift: -1,
  /** Default of {@link InputInvarianceOptions.atol}. */
  atol: 1e-5,
  /** Default of {@link InputInvarianceOptions.rtol}. */
  rtol: 1e-3,
  /** Default of {@link InputInvarianceOptions.batchSize}. */
  batchSize: 32,
});

/** Result of {@link inputInvariance}. @category Axiomatic */
export interface InputInvarianceResult extends MetricResult {
  /** Fraction of invariant samples (higher is better). */
  readonly score: number;
  /** 1 when `max |a(x) − a'(x + c)| ≤ atol + rtol·max |a(x)|`, else 0. */
  readonly scores: readonly number[];
  /** `max |a(x) − a'(x + c)|` per sample. */
  readonly maxDifference: readonly number[];
}

/**
 * Input invariance: whether the map is unchanged when the input is shifted by a constant and the
 * model absorbs the shift, `f'(x + c) = f(x)`. Here `f'(x') = f(x' − c)`, which is the first-layer
 * bias compensation of Kindermans et al. as a function; maps are compared raw (channels summed).
 * Methods that read layers of a Module (Grad-CAM, IBA) cannot run on the wrapped model and throw.
 * @param model - the model
 * @param inputs - images `[N, H, W, C]`
 * @param method - the attribution method
 * @param options - see {@link InputInvarianceOptions}
 * @returns per-sample verdicts (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs or options
 * @see arXiv 1711.00867 (Kindermans et al., "The (un)reliability of saliency methods"); Quantus `InputInvariance`
 * @example
 * ```ts
 * const { score } = await inputInvariance(model, images, new Saliency()); // gradients: invariant
 * ```
 * @category Axiomatic
 */
export async function inputInvariance(model: AttributionModel, inputs: tf.Tensor, method: AttributionMethod<any>, options: InputInvarianceOptions = {}): Promise<InputInvarianceResult> {
  const fn = 'inputInvariance';
  checkOptions(fn, options, ['shift', 'atol', 'rtol', 'methodOptions', 'target', 'batchSize']);
  const d = INPUT_INVARIANCE_DEFAULTS;
  checkModel(fn, model);
  const dims = checkImages(fn, inputs);
  checkMethod(fn, method, options.methodOptions);
  const c = checkNumber(fn, 'shift', options.shift ?? d.shift);
  const atol = checkNumber(fn, 'atol', options.atol ?? d.atol, 0);
  const rtol = checkNumber(fn, 'rtol', options.rtol ?? d.rtol, 0);
  const batchSize = checkInt(fn, 'batchSize', options.batchSize ?? d.batchSize, 1);
  const N = dims.count;
  const P = dims.height * dims.width;
  const size = P * dims.channels;
  const images = await readImages(fn, inputs);
  const predicted = await scoreClean(fn, model, images, N, dims, batchSize);
  const classes = resolveClasses(fn, options.target, N, predicted.outputs, predicted.predictions);
  const shifted = (x: tf.Tensor): tf.Tensor => tf.tidy(() => runModel(model, tf.sub(x, c)));
  const common = { fn, method, dims, count: N, batchSize, methodOptions: options.methodOptions, sign: 'keep' as const, normalise: 'none' as const, classOf: (k: number) => classes[k] };
  const a = await explainUnits({ ...common, model, fill: (k, out) => out.set(images.subarray(k * size, (k + 1) * size)) });
  const b = await explainUnits({
    ...common,
    model: shifted,
    fill: (k, out) => {
      for (let q = 0; q < size; q++) out[q] = images[k * size + q] + c;
    },
  });
  const maxDifference: number[] = [];
  const scores = Array.from({ length: N }, (_, i) => {
    let diff = 0;
    let scale = 0;
    for (let p = 0; p < P; p++) {
      diff = Math.max(diff, Math.abs(a[i * P + p] - b[i * P + p]));
      scale = Math.max(scale, Math.abs(a[i * P + p]));
    }
    maxDifference.push(diff);
    return diff <= atol + rtol * scale ? 1 : 0;
  });
  return { score: mean(scores), scores, maxDifference };
}

/** The {@link inputInvariance} metric for the registry. */
export const inputInvarianceMetric = defineMetric<InputInvarianceResult, InputInvarianceOptions>({
  name: 'input-invariance',
  category: 'axiomatic',
  higherIsBetter: true,
  reference: 'arXiv 1711.00867 (Kindermans et al.); Quantus InputInvariance',
  requires: ['model', 'inputs', 'method'],
  defaults: INPUT_INVARIANCE_DEFAULTS,
  run: (i, o) => inputInvariance(i.model, i.inputs, i.method, { ...o, methodOptions: o?.methodOptions ?? i.methodOptions }),
});
