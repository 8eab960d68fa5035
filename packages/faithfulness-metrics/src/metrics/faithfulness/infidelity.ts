/**
 * Infidelity (Yeh et al. 2019).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import type { AttributionModel } from '@lab/attribution';
import { checkBool, checkInt, checkNumber } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import { scoreUnits } from '../../core/evaluate';
import { mapOf } from '../../core/maps';
import type { MetricResult, ModelMetricOptions } from '../../core/metric';
import { checkModelMetricInputs, mean, prepareModelMetric, resolveShared } from '../../core/prepare';
import { rngFor, STREAM } from '../../core/seeds';

/** Options of {@link infidelity}; defaults in {@link INFIDELITY_DEFAULTS}. @category Faithfulness */
export interface InfidelityOptions extends ModelMetricOptions {
  /** Perturbations per sample. @defaultValue 10 */
  samples?: number;
  /** Standard deviation of the per-pixel Gaussian perturbation `I` (added to every channel of the pixel). @defaultValue 0.1 */
  noiseStd?: number;
  /** Scale the attribution by the optimal `β = E[IᵀaΔ]/E[(Iᵀa)²]` first (Captum `normalize`). @defaultValue false */
  normalize?: boolean;
}

/**
 * Defaults of {@link InfidelityOptions}: Captum `infidelity` (`n_perturb_samples=10`,
 * `normalize=False`); the Gaussian perturbation scale 0.1 (for [0, 1] images) is a package choice
 * (Captum leaves `perturb_func` to the caller).
 * @category Faithfulness
 */
export const INFIDELITY_DEFAULTS = Object.freeze({
  /** Default of {@link InfidelityOptions.samples}. */
  samples: 10,
  /** Default of {@link InfidelityOptions.noiseStd}. */
  noiseStd: 0.1,
  /** Default of {@link InfidelityOptions.normalize}. */
  normalize: false,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
  /** Default of {@link ModelMetricOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link ModelMetricOptions.seed}. */
  seed: 0,
});

/** Result of {@link infidelity}. @category Faithfulness */
export interface InfidelityResult extends MetricResult {
  /** Mean infidelity (lower is better). */
  readonly score: number;
  /** Infidelity per sample. */
  readonly scores: readonly number[];
}

/**
 * Infidelity: the expected squared error between the attribution's linear prediction of an
 * output change and the actual change, under random perturbations.
 *
 * `INFD(a, f, x) = E_I[(Iᵀa − (f_c(x) − f_c(x − I)))²]` with `I_p ~ N(0, σ²)` per pixel (applied
 * to all channels; the map's channels are summed), estimated from `samples` draws; with
 * `normalize`, `a` is first scaled by `β = E[IᵀaΔ] / E[(Iᵀa)²]` (0 when the denominator is 0).
 * Computed on the raw (un-normalised) map by default.
 * @param model - the model
 * @param inputs - images `[N, H, W, C]`
 * @param attributions - maps `[N, H, W, C|1]` (channels summed, signed)
 * @param options - see {@link InfidelityOptions}
 * @returns infidelity per sample (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad inputs or options
 * @see arXiv 1901.09392 (Yeh et al., "On the (in)fidelity and sensitivity of explanations"); Captum `captum.metrics.infidelity`
 * @example
 * ```ts
 * const { score } = await infidelity(model, images, maps, { samples: 20 });
 * ```
 * @category Faithfulness
 */
export async function infidelity(model: AttributionModel, inputs: tf.Tensor, attributions: tf.Tensor, options: InfidelityOptions = {}): Promise<InfidelityResult> {
  const fn = 'infidelity';
  checkOptions(fn, options, ['samples', 'noiseStd', 'normalize', 'sign', 'normalise', 'target', 'batchSize', 'seed']);
  const d = INFIDELITY_DEFAULTS;
  const shared = resolveShared(fn, options, d);
  const S = checkInt(fn, 'samples', options.samples ?? d.samples, 1);
  const std = checkNumber(fn, 'noiseStd', options.noiseStd ?? d.noiseStd, 0);
  const norm = checkBool(fn, 'normalize', options.normalize ?? d.normalize);
  checkModelMetricInputs(fn, model, inputs, attributions);
  const prep = await prepareModelMetric(fn, model, inputs, attributions, { ...shared, target: options.target });
  const { images, size, dims, classes, seed, maps } = prep;
  const P = maps.pixels;
  const C = dims.channels;
  const noise = (i: number, r: number): Float32Array => rngFor(seed, STREAM.perturbation, i, r).normal(P, 0, std);
  const out = await scoreUnits({
    fn,
    model,
    dims,
    count: prep.count * S,
    batchSize: prep.batchSize,
    classOf: (k) => classes[Math.floor(k / S)],
    fill: (k, buf) => {
      const i = Math.floor(k / S);
      const I = noise(i, k % S);
      for (let p = 0; p < P; p++) for (let c = 0; c < C; c++) buf[p * C + c] = images[i * size + p * C + c] - I[p];
    },
  });
  const scores = Array.from({ length: prep.count }, (_, i) => {
    const a = mapOf(maps, i);
    const dot = new Float64Array(S);
    const delta = new Float64Array(S);
    for (let r = 0; r < S; r++) {
      const I = noise(i, r);
      let s = 0;
      for (let p = 0; p < P; p++) s += I[p] * a[p];
      dot[r] = s;
      delta[r] = prep.clean.scores[i] - out.scores[i * S + r];
    }
    let beta = 1;
    if (norm) {
      let num = 0;
      let den = 0;
      for (let r = 0; r < S; r++) {
        num += dot[r] * delta[r];
        den += dot[r] * dot[r];
      }
      beta = den > 0 ? num / den : 0;
    }
    let e = 0;
    for (let r = 0; r < S; r++) e += (beta * dot[r] - delta[r]) ** 2;
    return e / S;
  });
  return { score: mean(scores), scores };
}

/** The {@link infidelity} metric for the registry. */
export const infidelityMetric = defineMetric<InfidelityResult, InfidelityOptions>({
  name: 'infidelity',
  category: 'faithfulness',
  higherIsBetter: false,
  reference: 'arXiv 1901.09392 (Yeh et al.); Captum infidelity',
  requires: ['model', 'inputs', 'attributions'],
  defaults: INFIDELITY_DEFAULTS,
  run: (i, o) => infidelity(i.model, i.inputs, i.attributions, o),
});
