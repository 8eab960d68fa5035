/**
 * What soundness and completeness share: the reference-compatibility preset, 8-bit quantisation,
 * and the performance measure.
 * @packageDocumentation
 */
import { checkChoice } from '../../core/checks';
import type { PixelMaps } from '../../core/maps';

/**
 * How P is measured: `accuracy`, top-1 accuracy over the whole dataset (soco `Accuracy`; one
 * decision per step for the dataset), or `pred-score`, the raw model output of the target class
 * per sample (soco `PredScore`, the logit of a timm classifier).
 * @category Faithfulness
 */
export type PerformanceMeasure = 'accuracy' | 'pred-score';

/**
 * `package`: float maps, one shared seeded ordering, accuracy as a plain fraction. `reference`:
 * reproduces sandylaker/soco — maps quantised to 8 bits, separate tie-breaking permutations for the
 * mask and for the mass at every step, accuracy `correct / (N + 1e−6)`. Explicit `ordering` /
 * `quantise` options override the preset.
 * @category Faithfulness
 */
export type SocoPreset = 'package' | 'reference';

/** Resolves the preset into its settings. */
export function resolvePreset(fn: string, preset: unknown, ordering: unknown, quantise: unknown) {
  const p = checkChoice(fn, 'preset', preset ?? 'package', ['package', 'reference'] as const);
  const ref = p === 'reference';
  return {
    preset: p,
    ordering: checkChoice(fn, 'ordering', ordering ?? (ref ? 'independent' : 'shared'), ['shared', 'independent'] as const),
    quantise: checkChoice(fn, 'quantise', quantise ?? (ref ? 'uint8' : 'none'), ['none', 'uint8'] as const),
    accuracyEpsilon: ref ? 1e-6 : 0,
  };
}

/**
 * 8-bit quantisation as the reference's PNG maps: `a ← ⌊255·a / max a⌋ / 255` per sample (a map
 * whose max is 0 stays 0). Maps must already be non-negative. In place.
 */
export function quantiseUint8(maps: PixelMaps): void {
  const { values, count, pixels } = maps;
  for (let i = 0; i < count; i++) {
    let m = 0;
    for (let p = 0; p < pixels; p++) m = Math.max(m, values[i * pixels + p]);
    for (let p = 0; p < pixels; p++) values[i * pixels + p] = m > 0 ? Math.floor((255 * values[i * pixels + p]) / m) / 255 : 0;
  }
}
