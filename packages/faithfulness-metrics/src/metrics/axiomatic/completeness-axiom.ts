/**
 * The completeness axiom with tolerances (Sundararajan et al. 2017).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, checkOptions } from '@lab/tensor';
import type { AttributionModel } from '@lab/attribution';
import { checkFinite, checkInt, checkNumber, resolveClasses } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import { readImages, scoreClean, scoreUnits } from '../../core/evaluate';
import { readPixelMaps } from '../../core/maps';
import type { MetricResult } from '../../core/metric';
import { checkModelMetricInputs, mean } from '../../core/prepare';

/** Options of {@link completenessAxiom}; no map transforms (an axiom is checked on the raw map). @category Axiomatic */
export interface CompletenessAxiomOptions {
  /** The reference input: a number, one sample `[H, W, C]` or `[N, H, W, C]`. @defaultValue 0 */
  baseline?: number | tf.Tensor;
  /** Absolute tolerance. @defaultValue 1e-4 */
  atol?: number;
  /** Relative tolerance on `|f(x) − f(b)|`. @defaultValue 1e-2 */
  rtol?: number;
  /** The explained class per sample. @defaultValue the predicted class */
  target?: number | readonly number[];
  /** Images per model call. @defaultValue 32 */
  batchSize?: number;
}

/**
 * Defaults of {@link CompletenessAxiomOptions}: zero baseline; `atol` 1e-4 and `rtol` 1e-2 are
 * package choices (float32 sums, and the quadrature error of a 32–64-step IG). Never exact
 * equality and never on normalised maps (the Quantus `Completeness` pitfall).
 * @category Axiomatic
 */
export const COMPLETENESS_AXIOM_DEFAULTS = Object.freeze({
  /** Default of {@link CompletenessAxiomOptions.baseline}. */
  baseline: 0,
  /** Default of {@link CompletenessAxiomOptions.atol}. */
  atol: 1e-4,
  /** Default of {@link CompletenessAxiomOptions.rtol}. */
  rtol: 1e-2,
  /** Default of {@link CompletenessAxiomOptions.batchSize}. */
  batchSize: 32,
});

/** Result of {@link completenessAxiom}. @category Axiomatic */
export interface CompletenessAxiomResult extends MetricResult {
  /** Fraction of samples that satisfy the axiom within tolerance (higher is better). */
  readonly score: number;
  /** 1 when satisfied, else 0. */
  readonly scores: readonly number[];
  /** `|Σ a − (f(x) − f(b))|` per sample. */
  readonly gaps: readonly number[];
  /** `f(x) − f(b)` per sample. */
  readonly deltas: readonly number[];
}

/**
 * Completeness axiom: whether each map sums to the output difference between the input and the
 * baseline, `|Σ_i a_i − (f_c(x) − f_c(b))| ≤ atol + rtol·|f_c(x) − f_c(b)|`, on the raw,
 * un-normalised attributions (all channels summed).
 * @param model - the model
 * @param inputs - images `[N, H, W, C]`
 * @param attributions - raw maps `[N, H, W, C|1]`
 * @param options - see {@link CompletenessAxiomOptions}
 * @returns per-sample verdicts and gaps (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes (baseline included); {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN/Inf or bad options
 * @see arXiv 1703.01365 (Sundararajan et al., integrated gradients, the completeness axiom); Captum `return_convergence_delta`
 * @example
 * ```ts
 * const { attributions } = await ig.attribute(model, x, { target: 3 });
 * const { score, gaps } = await completenessAxiom(model, x, attributions, { target: 3 });
 * ```
 * @category Axiomatic
 */
export async function completenessAxiom(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: CompletenessAxiomOptions = {}): Promise<CompletenessAxiomResult> {
  const fn = 'completenessAxiom';
  checkOptions(fn, options, ['baseline', 'atol', 'rtol', 'target', 'batchSize']);
  const d = COMPLETENESS_AXIOM_DEFAULTS;
  const atol = checkNumber(fn, 'atol', options.atol ?? d.atol, 0);
  const rtol = checkNumber(fn, 'rtol', options.rtol ?? d.rtol, 0);
  const batchSize = checkInt(fn, 'batchSize', options.batchSize ?? d.batchSize, 1);
  const dims = checkModelMetricInputs(fn, model, inputs, attributions);
  const N = dims.count;
  const size = dims.height * dims.width * dims.channels;
  const b = options.baseline ?? d.baseline;
  let base: Float32Array;
  if (typeof b === 'number') {
    base = new Float32Array(size).fill(checkNumber(fn, 'baseline', b));
  } else if (b instanceof tf.Tensor) {
    const one = b.rank === 3 && b.shape.every((s, k) => s === inputs.shape[k + 1]);
    const all = b.rank === 4 && b.shape.every((s, k) => s === inputs.shape[k]);
    if (!one && !all) throw new ShapeError(`${fn}: baseline must have shape [${inputs.shape.slice(1)}] or [${inputs.shape}], got [${b.shape}]`);
    base = Float32Array.from(await b.data());
    checkFinite(fn, 'baseline', base, size);
  } else {
    throw new InvalidValueError(`${fn}: baseline must be a number or a tf.Tensor, got ${typeof b}`);
  }
  const maps = await readPixelMaps(fn, attributions, { sign: 'keep', normalise: 'none' });
  const images = await readImages(fn, inputs);
  const predicted = await scoreClean(fn, model, images, N, dims, batchSize);
  const classes = resolveClasses(fn, options.target, N, predicted.outputs, predicted.predictions);
  const clean = await scoreClean(fn, model, images, N, dims, batchSize, classes);
  const atBase = await scoreUnits({
    fn,
    model,
    dims,
    count: N,
    batchSize,
    classOf: (k) => classes[k],
    fill: (k, out) => out.set(base.length === size ? base : base.subarray(k * size, (k + 1) * size)),
  });
  const deltas = Array.from({ length: N }, (_, i) => clean.scores[i] - atBase.scores[i]);
  const gaps = deltas.map((dl, i) => {
    let s = 0;
    for (let p = 0; p < maps.pixels; p++) s += maps.values[i * maps.pixels + p];
    return Math.abs(s - dl);
  });
  const scores = gaps.map((g, i) => (g <= atol + rtol * Math.abs(deltas[i]) ? 1 : 0));
  return { score: mean(scores), scores, gaps, deltas };
}

/** The {@link completenessAxiom} metric for the registry. */
export const completenessAxiomMetric = defineMetric<CompletenessAxiomResult, CompletenessAxiomOptions>({
  name: 'completeness-axiom',
  category: 'axiomatic',
  higherIsBetter: true,
  reference: 'arXiv 1703.01365 (Sundararajan et al.); Quantus Completeness (with tolerances)',
  requires: ['model', 'inputs', 'attributions'],
  defaults: COMPLETENESS_AXIOM_DEFAULTS,
  run: (i, o) => completenessAxiom(i.model, i.inputs, i.attributions, o),
});
