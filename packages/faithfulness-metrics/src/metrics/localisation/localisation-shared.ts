/**
 * Inputs of the localisation metrics: maps and ground-truth masks, read to the host.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@lab/tensor';
import { checkMapShape } from '../../core/checks';
import { checkMapOptions, readPixelMaps, type PixelMaps } from '../../core/maps';
import type { MapOptions, Normalisation, SignConversion } from '../../core/metric';
import { rankPixels } from '../../core/ordering';
import { rngFor, STREAM } from '../../core/seeds';

/** Options of every localisation metric: the map options and the tie-breaking seed. @category Localisation */
export interface LocalisationOptions extends MapOptions {
  /** Seed of the tie-breaking permutation of rankings. @defaultValue 0 */
  seed?: number;
}

/** Checks `attributions` `[N, H, W, C|1]` against a mask `[N, H, W, 1]` (or `[N, H, W]`). */
export function checkLocalisationInputs(fn: string, attributions: unknown, mask: unknown): { count: number; height: number; width: number } {
  if (!(attributions instanceof tf.Tensor) || attributions.rank !== 4) {
    throw new ShapeError(`${fn}: attributions must be a tf.Tensor [N, H, W, C], got ${attributions instanceof tf.Tensor ? `[${attributions.shape}]` : typeof attributions}`);
  }
  const [count, height, width] = attributions.shape as number[];
  checkMapShape(fn, mask, count, height, width, 1, 'mask');
  return { count, height, width };
}

/** Reads the maps (with the sign/normalisation) and the masks (channel sum; region = value > 0). */
export async function readLocalisation(
  fn: string,
  attributions: tf.Tensor,
  mask: tf.Tensor,
  o: { sign: SignConversion; normalise: Normalisation; requireNonNegative?: boolean },
): Promise<{ maps: PixelMaps; masks: PixelMaps }> {
  const maps = await readPixelMaps(fn, attributions, o);
  const masks = await readPixelMaps(fn, mask, { sign: 'keep', normalise: 'none', arg: 'mask' });
  return { maps, masks };
}

/** Resolves the map options. */
export function resolveMapOptions(fn: string, o: MapOptions, d: { sign: SignConversion; normalise: Normalisation }) {
  return checkMapOptions(fn, o.sign ?? d.sign, o.normalise ?? d.normalise);
}

/** Seeded descending ranking of one map (the shared ordering). */
export function morfOrder(values: Float64Array, seed: number, sample: number): Int32Array {
  return rankPixels(values, 'morf', rngFor(seed, STREAM.ordering, sample));
}

/**
 * Area under the ROC curve of `scores` as a detector of `positive` pixels (Mann–Whitney U, ties
 * counted ½). Without both classes there is no ranking to judge: 0.5 (chance).
 */
export function rocAuc(scores: ArrayLike<number>, positive: (p: number) => boolean): number {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (positive(idx[k])) {
        pos++;
        rankSum += avg;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return 0.5;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
