/**
 * Sparseness: the Gini index of |a| (Chalasani et al. 2020).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { defineMetric } from '../../core/define-metric';
import { mapOf } from '../../core/maps';
import type { MapOptions, MetricResult } from '../../core/metric';
import { mean } from '../../core/prepare';
import { readComplexityMaps } from './complexity-shared';

/** Defaults of {@link sparseness}: the signed map (the index uses |a| by definition), no normalisation (it is scale-free). @category Complexity */
export const SPARSENESS_DEFAULTS = Object.freeze({
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
});

/** Result of a complexity metric. @category Complexity */
export interface ComplexityResult extends MetricResult {
  readonly score: number;
  readonly scores: readonly number[];
}

/**
 * Sparseness: the Gini index of the absolute attributions, `G = Σ_i (2i − d − 1)|a|_(i) / (d·Σ|a|)`
 * with `|a|` sorted ascending, i = 1…d (pixels). 0 for a uniform map, `(d − 1)/d` for a single
 * non-zero pixel; a map without mass scores 0.
 * @param attributions - maps `[N, H, W, C|1]` (channels summed)
 * @param options - see {@link MapOptions}
 * @returns the index per sample (higher is sparser; no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a map of rank ≠ 4; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN/Inf or bad options
 * @see arXiv 1810.06583 (Chalasani et al., "Concise explanations of neural networks using adversarial training"); Quantus `Sparseness`
 * @example
 * ```ts
 * const { scores } = await sparseness(maps);
 * ```
 * @category Complexity
 */
export async function sparseness(attributions: tf.Tensor, options: MapOptions = {}): Promise<ComplexityResult> {
  const fn = 'sparseness';
  checkOptions(fn, options, ['sign', 'normalise']);
  const maps = await readComplexityMaps(fn, attributions, options, SPARSENESS_DEFAULTS);
  const scores = Array.from({ length: maps.count }, (_, i) => {
    const a = Float64Array.from(mapOf(maps, i), Math.abs).sort();
    const d = a.length;
    let num = 0;
    let total = 0;
    for (let k = 0; k < d; k++) {
      num += (2 * (k + 1) - d - 1) * a[k];
      total += a[k];
    }
    return total > 0 ? num / (d * total) : 0;
  });
  return { score: mean(scores), scores };
}

/** The {@link sparseness} metric for the registry. */
export const sparsenessMetric = defineMetric<ComplexityResult, MapOptions>({
  name: 'sparseness',
  category: 'complexity',
  higherIsBetter: true,
  reference: 'arXiv 1810.06583 (Chalasani et al.); Quantus Sparseness',
  requires: ['attributions'],
  defaults: SPARSENESS_DEFAULTS,
  run: (i, o) => sparseness(i.attributions, o),
});
