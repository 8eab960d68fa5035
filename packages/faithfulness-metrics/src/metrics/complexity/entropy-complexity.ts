/**
 * Complexity: the entropy of the fractional contributions (Bhatt et al. 2020).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { defineMetric } from '../../core/define-metric';
import { mapOf } from '../../core/maps';
import type { MapOptions } from '../../core/metric';
import { mean } from '../../core/prepare';
import { readComplexityMaps } from './complexity-shared';
import type { ComplexityResult } from './sparseness';

/** Defaults of {@link entropyComplexity}: the signed map (|a| is taken by definition), no normalisation (scale-free). @category Complexity */
export const ENTROPY_COMPLEXITY_DEFAULTS = Object.freeze({
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
});

/**
 * Entropy complexity: the Shannon entropy (nats) of the fractional contributions
 * `p_i = |a_i| / Σ_j |a_j|`, `H = −Σ_i p_i ln p_i` (0·ln 0 = 0). `ln d` for a uniform map, 0 for a
 * single non-zero pixel; a map without mass scores 0.
 * @param attributions - maps `[N, H, W, C|1]` (channels summed)
 * @param options - see {@link MapOptions}
 * @returns the entropy per sample (lower is simpler; no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a map of rank ≠ 4; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN/Inf or bad options
 * @see arXiv 2005.00631 (Bhatt et al., "Evaluating and aggregating feature-based model explanations"); Quantus `Complexity`
 * @example
 * ```ts
 * const { score } = await entropyComplexity(maps);
 * ```
 * @category Complexity
 */
export async function entropyComplexity(attributions: tf.Tensor, options: MapOptions = {}): Promise<ComplexityResult> {
  const fn = 'entropyComplexity';
  checkOptions(fn, options, ['sign', 'normalise']);
  const maps = await readComplexityMaps(fn, attributions, options, ENTROPY_COMPLEXITY_DEFAULTS);
  const scores = Array.from({ length: maps.count }, (_, i) => {
    const a = mapOf(maps, i);
    const total = a.reduce((s, v) => s + Math.abs(v), 0);
    if (!(total > 0)) return 0;
    let h = 0;
    for (const v of a) {
      const p = Math.abs(v) / total;
      if (p > 0) h -= p * Math.log(p);
    }
    return h;
  });
  return { score: mean(scores), scores };
}

/** The {@link entropyComplexity} metric for the registry. */
export const entropyComplexityMetric = defineMetric<ComplexityResult, MapOptions>({
  name: 'entropy-complexity',
  category: 'complexity',
  higherIsBetter: false,
  reference: 'arXiv 2005.00631 (Bhatt et al.); Quantus Complexity',
  requires: ['attributions'],
  defaults: ENTROPY_COMPLEXITY_DEFAULTS,
  run: (i, o) => entropyComplexity(i.attributions, o),
});
