/**
 * Effective complexity (Nguyen and Rodríguez Martínez 2020).
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { checkNumber } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import { mapOf } from '../../core/maps';
import type { MapOptions } from '../../core/metric';
import { mean } from '../../core/prepare';
import { readComplexityMaps } from './complexity-shared';
import type { ComplexityResult } from './sparseness';

/** Options of {@link effectiveComplexity}. @category Complexity */
export interface EffectiveComplexityOptions extends MapOptions {
  /** A pixel counts when `|a_i| > eps` (after normalisation). @defaultValue 1e-5 */
  eps?: number;
}

/** Defaults of {@link EffectiveComplexityOptions}: Quantus `EffectiveComplexity` (`eps=1e-5`, `normalise=True`: by max). @category Complexity */
export const EFFECTIVE_COMPLEXITY_DEFAULTS = Object.freeze({
  /** Default of {@link EffectiveComplexityOptions.eps}. */
  eps: 1e-5,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'keep' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'max' as const,
});

/**
 * Effective complexity: the number of pixels whose attribution magnitude exceeds `eps`,
 * `|{i : |a_i| > eps}|` (after the max-normalisation by default, so `eps` is relative).
 * @param attributions - maps `[N, H, W, C|1]` (channels summed)
 * @param options - see {@link EffectiveComplexityOptions}
 * @returns the count per sample (lower is simpler; no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a map of rank ≠ 4; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN/Inf or bad options
 * @see arXiv 2007.07584 (Nguyen and Rodríguez Martínez); Quantus `EffectiveComplexity`
 * @example
 * ```ts
 * const { scores } = await effectiveComplexity(maps, { eps: 0.01 });
 * ```
 * @category Complexity
 */
export async function effectiveComplexity(attributions: tf.Tensor, options: EffectiveComplexityOptions = {}): Promise<ComplexityResult> {
  const fn = 'effectiveComplexity';
  checkOptions(fn, options, ['eps', 'sign', 'normalise']);
  const eps = checkNumber(fn, 'eps', options.eps ?? EFFECTIVE_COMPLEXITY_DEFAULTS.eps, 0);
  const maps = await readComplexityMaps(fn, attributions, options, EFFECTIVE_COMPLEXITY_DEFAULTS);
  const scores = Array.from({ length: maps.count }, (_, i) => mapOf(maps, i).reduce((s, v) => s + (Math.abs(v) > eps ? 1 : 0), 0));
  return { score: mean(scores), scores };
}

/** The {@link effectiveComplexity} metric for the registry. */
export const effectiveComplexityMetric = defineMetric<ComplexityResult, EffectiveComplexityOptions>({
  name: 'effective-complexity',
  category: 'complexity',
  higherIsBetter: false,
  reference: 'arXiv 2007.07584 (Nguyen and Rodríguez Martínez); Quantus EffectiveComplexity',
  requires: ['attributions'],
  defaults: EFFECTIVE_COMPLEXITY_DEFAULTS,
  run: (i, o) => effectiveComplexity(i.attributions, o),
});
