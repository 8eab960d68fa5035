/**
 * Overlap with AttributionLab's signed ground truth: precision, recall and F1 at top-k, AUC and
 * mass share, for the positive and the negative part separately.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { checkSeed } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import { mapOf } from '../../core/maps';
import type { MetricResult } from '../../core/metric';
import { rankPixels } from '../../core/ordering';
import { rngFor, STREAM } from '../../core/seeds';
import { checkLocalisationInputs, readLocalisation, rocAuc } from './localisation-shared';

/** Options of {@link groundTruthOverlap}. @category Localisation */
export interface GroundTruthOverlapOptions {
  /** Seed of the tie-breaking permutation of the rankings. @defaultValue 0 */
  seed?: number;
}

/** Defaults of {@link GroundTruthOverlapOptions}. @category Localisation */
export const GROUND_TRUTH_OVERLAP_DEFAULTS = Object.freeze({
  /** Default of {@link GroundTruthOverlapOptions.seed}. */
  seed: 0,
});

/** Scores of one sign (`null` where the sample has no ground-truth pixel of that sign). @category Localisation */
export interface SignedOverlap {
  /** `|S ∩ G| / |S|` with `S` the top-`|G|` pixels of that sign (0 when S is empty). */
  readonly precision: readonly (number | null)[];
  /** `|S ∩ G| / |G|`. */
  readonly recall: readonly (number | null)[];
  /** Harmonic mean of precision and recall (0 when both are 0). */
  readonly f1: readonly (number | null)[];
  /** ROC AUC of `±a` separating `G` from the other pixels. */
  readonly auc: readonly (number | null)[];
  /** Share of the map's mass of that sign inside `G`: `Σ_G a^± / Σ a^±` (0 without mass). */
  readonly massShare: readonly (number | null)[];
}

/** Result of {@link groundTruthOverlap}. @category Localisation */
export interface GroundTruthOverlapResult extends MetricResult {
  /** Mean over samples of the mean F1 over the defined signs (higher is better). */
  readonly score: number;
  /** Per sample: the mean F1 over the signs its ground truth has (0 when it has none). */
  readonly scores: readonly number[];
  /** Overlap of the positive part (`a > 0` against `G⁺`). */
  readonly positive: SignedOverlap;
  /** Overlap of the negative part (`−a > 0` against `G⁻`). */
  readonly negative: SignedOverlap;
}

/**
 * Ground-truth overlap: agreement of a signed map with a signed ground truth (AttributionLab),
 * computed separately for the features that raise the output (`G⁺ = {g > 0}`) and those that lower
 * it (`G⁻ = {g < 0}`).
 *
 * For the positive part, `S⁺` holds the `|G⁺|` highest-ranked pixels with `a > 0` (seeded ties);
 * precision `|S⁺ ∩ G⁺|/|S⁺|`, recall `|S⁺ ∩ G⁺|/|G⁺|`, F1; AUC of `a` for `G⁺` against the rest;
 * mass share `Σ_{G⁺} max(a, 0) / Σ max(a, 0)`. The negative part uses `−a` and `G⁻`. The map is
 * taken as is (channels summed): sign conversion would erase what is tested.
 * @param attributions - signed maps `[N, H, W, C|1]`
 * @param groundTruth - signed ground truth `[N, H, W, 1]` (e.g. `LabSample.groundTruth`)
 * @param options - see {@link GroundTruthOverlapOptions}
 * @returns per-sign scores (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN/Inf or bad options
 * @see arXiv 2310.06514 (Zhang et al., AttributionLab)
 * @example
 * ```ts
 * const s = env.sample(8);
 * const { positive, negative } = await groundTruthOverlap(maps, s.groundTruth);
 * ```
 * @category Localisation
 */
export async function groundTruthOverlap(attributions: tf.Tensor, groundTruth: tf.Tensor, options: GroundTruthOverlapOptions = {}): Promise<GroundTruthOverlapResult> {
  const fn = 'groundTruthOverlap';
  checkOptions(fn, options, ['seed']);
  const seed = checkSeed(fn, options.seed ?? GROUND_TRUTH_OVERLAP_DEFAULTS.seed);
  checkLocalisationInputs(fn, attributions, groundTruth);
  const { maps, masks } = await readLocalisation(fn, attributions, groundTruth, { sign: 'keep', normalise: 'none' });
  const parts = [1, -1].map((sgn) => {
    const out = { precision: [] as (number | null)[], recall: [] as (number | null)[], f1: [] as (number | null)[], auc: [] as (number | null)[], massShare: [] as (number | null)[] };
    for (let i = 0; i < maps.count; i++) {
      const a = mapOf(maps, i).map((v) => sgn * v);
      const g = mapOf(masks, i);
      const inG = (p: number) => sgn * g[p] > 0;
      let K = 0;
      for (let p = 0; p < g.length; p++) if (inG(p)) K++;
      if (K === 0) {
        for (const key of Object.keys(out) as (keyof typeof out)[]) out[key].push(null);
        continue;
      }
      const order = rankPixels(a, 'morf', rngFor(seed, STREAM.ordering, i, sgn > 0 ? 0 : 1));
      let sel = 0;
      let hit = 0;
      for (let t = 0; t < K && a[order[t]] > 0; t++) {
        sel++;
        if (inG(order[t])) hit++;
      }
      const precision = sel > 0 ? hit / sel : 0;
      const recall = hit / K;
      out.precision.push(precision);
      out.recall.push(recall);
      out.f1.push(precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0);
      out.auc.push(rocAuc(a, inG));
      let inside = 0;
      let total = 0;
      for (let p = 0; p < a.length; p++) {
        const v = Math.max(a[p], 0);
        total += v;
        if (inG(p)) inside += v;
      }
      out.massShare.push(total > 0 ? inside / total : 0);
    }
    return out;
  });
  const scores = Array.from({ length: maps.count }, (_, i) => {
    const f = [parts[0].f1[i], parts[1].f1[i]].filter((v): v is number => v !== null);
    return f.length ? f.reduce((s, v) => s + v, 0) / f.length : 0;
  });
  return { score: scores.reduce((s, v) => s + v, 0) / scores.length, scores, positive: parts[0], negative: parts[1] };
}

/** The {@link groundTruthOverlap} metric for the registry (`mask` is the signed ground truth). */
export const groundTruthOverlapMetric = defineMetric<GroundTruthOverlapResult, GroundTruthOverlapOptions>({
  name: 'ground-truth-overlap',
  category: 'localisation',
  higherIsBetter: true,
  reference: 'arXiv 2310.06514 (AttributionLab)',
  requires: ['attributions', 'mask'],
  defaults: GROUND_TRUTH_OVERLAP_DEFAULTS,
  run: (i, o) => groundTruthOverlap(i.attributions, i.mask, o),
});
