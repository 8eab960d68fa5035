/**
 * Overlap of the attribution region with the ground-truth region: IoU, IoBB and IoR, thresholded
 * or soft.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@lab/tensor';
import { checkChoice, checkNumber } from '../../core/checks';
import { defineMetric } from '../../core/define-metric';
import { mapOf } from '../../core/maps';
import type { MapOptions, MetricResult } from '../../core/metric';
import { mean } from '../../core/prepare';
import { checkLocalisationInputs, readLocalisation, resolveMapOptions } from './localisation-shared';

/** Options of {@link regionOverlap}; defaults in {@link REGION_OVERLAP_DEFAULTS}. @category Localisation */
export interface RegionOverlapOptions extends MapOptions {
  /** `threshold`: binarise `B = {p : a_p ≥ threshold·max a}`; `soft`: use the max-normalised map as memberships. @defaultValue 'threshold' */
  mode?: 'threshold' | 'soft';
  /** Fraction of the maximum, in (0, 1], for `threshold` mode. @defaultValue 0.5 */
  threshold?: number;
}

/**
 * Defaults of {@link RegionOverlapOptions}: the positive part of the map, threshold at half the
 * maximum (a common choice in weakly supervised localisation; package choice).
 * @category Localisation
 */
export const REGION_OVERLAP_DEFAULTS = Object.freeze({
  /** Default of {@link RegionOverlapOptions.mode}. */
  mode: 'threshold' as 'threshold' | 'soft',
  /** Default of {@link RegionOverlapOptions.threshold}. */
  threshold: 0.5,
  /** Default sign conversion, see {@link MapOptions.sign}. */
  sign: 'positive' as const,
  /** Default normalisation, see {@link MapOptions.normalise}. */
  normalise: 'none' as const,
});

/** One overlap score. @category Localisation */
export interface OverlapScore extends MetricResult {
  readonly score: number;
  readonly scores: readonly number[];
}

/** Result of {@link regionOverlap}. @category Localisation */
export interface RegionOverlapResult {
  /** Intersection over union `|B ∩ G| / |B ∪ G|`. */
  readonly iou: OverlapScore;
  /** Intersection over the attribution region `|B ∩ G| / |B|` (ChestX-ray8's "intersection over the detected box": a precision). */
  readonly iobb: OverlapScore;
  /** Intersection over the ground-truth region `|B ∩ G| / |G|` (a recall). */
  readonly ior: OverlapScore;
}

/**
 * Region overlap: how well the attribution's region `B` matches the ground-truth region `G`.
 *
 * Thresholded: `B = {p : a_p ≥ τ·max a}`; soft: memberships `b_p = a_p / max a ∈ [0, 1]` with
 * `|B ∩ G| = Σ b·g`, `|B| = Σ b`, `|B ∪ G| = Σ (b + g − b·g)` (product t-norm). Maps must be
 * non-negative after the sign conversion. An empty denominator (no region, or a map without mass)
 * gives 0.
 * @param attributions - maps `[N, H, W, C|1]` (channels summed)
 * @param mask - ground truth `[N, H, W, 1]`; region = value > 0
 * @param options - see {@link RegionOverlapOptions}
 * @returns IoU, IoBB and IoR per sample (no tensors)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for NaN/Inf, negative values or bad options
 * @see arXiv 1705.02315 (Wang et al., ChestX-ray8: IoU and IoBB for weakly supervised localisation)
 * @example
 * ```ts
 * const { iou, ior } = await regionOverlap(maps, masks, { mode: 'soft' });
 * ```
 * @category Localisation
 */
export async function regionOverlap(attributions: tf.Tensor, mask: tf.Tensor, options: RegionOverlapOptions = {}): Promise<RegionOverlapResult> {
  const fn = 'regionOverlap';
  checkOptions(fn, options, ['mode', 'threshold', 'sign', 'normalise']);
  const d = REGION_OVERLAP_DEFAULTS;
  const mo = resolveMapOptions(fn, options, d);
  const mode = checkChoice(fn, 'mode', options.mode ?? d.mode, ['threshold', 'soft'] as const);
  const tau = checkNumber(fn, 'threshold', options.threshold ?? d.threshold, 1e-12, 1);
  checkLocalisationInputs(fn, attributions, mask);
  const { maps, masks } = await readLocalisation(fn, attributions, mask, { ...mo, requireNonNegative: true });
  const iou: number[] = [];
  const iobb: number[] = [];
  const ior: number[] = [];
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  for (let i = 0; i < maps.count; i++) {
    const a = mapOf(maps, i);
    const m = mapOf(masks, i);
    const max = a.reduce((s, v) => Math.max(s, v), 0);
    let inter = 0;
    let sb = 0;
    let sg = 0;
    let union = 0;
    for (let p = 0; p < a.length; p++) {
      const b = max > 0 ? (mode === 'soft' ? a[p] / max : a[p] >= tau * max ? 1 : 0) : 0;
      const g = m[p] > 0 ? 1 : 0;
      inter += b * g;
      sb += b;
      sg += g;
      union += b + g - b * g;
    }
    iou.push(ratio(inter, union));
    iobb.push(ratio(inter, sb));
    ior.push(ratio(inter, sg));
  }
  const wrap = (s: number[]): OverlapScore => ({ score: mean(s), scores: s });
  return { iou: wrap(iou), iobb: wrap(iobb), ior: wrap(ior) };
}

const overlapMetric = (name: 'iou' | 'iobb' | 'ior', reference: string) =>
  defineMetric<OverlapScore, RegionOverlapOptions>({
    name,
    category: 'localisation',
    higherIsBetter: true,
    reference,
    requires: ['attributions', 'mask'],
    defaults: REGION_OVERLAP_DEFAULTS,
    run: async (i, o) => (await regionOverlap(i.attributions, i.mask, o))[name],
  });

/** IoU of {@link regionOverlap} for the registry. */
export const iouMetric = overlapMetric('iou', 'arXiv 1705.02315 (ChestX-ray8 IoU)');
/** IoBB of {@link regionOverlap} for the registry. */
export const iobbMetric = overlapMetric('iobb', 'arXiv 1705.02315 (ChestX-ray8 IoBB)');
/** IoR of {@link regionOverlap} for the registry. */
export const iorMetric = overlapMetric('ior', 'package definition: intersection over the ground-truth region');
