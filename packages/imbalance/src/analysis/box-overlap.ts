/**
 * IoBB, IoR and IoU of attribution maps against ground-truth boxes.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import { checkNumber, checkObject } from '../internal/checks';
import { type LabeledBox, checkBoxes } from './boxes';
import { boxMasks, mapShape, toMaps } from './maps';

/** Options of {@link boxOverlap}. @category Analysis */
export interface BoxOverlapOptions {
  /**
   * Binarise the map at this value in (0, 1) first (`A = [a ≥ t]`); soft overlaps of the [0, 1]
   * map when absent.
   * @defaultValue undefined (soft)
   */
  threshold?: number;
}

/** What {@link boxOverlap} returns: one value per sample. @category Analysis */
export interface BoxOverlapResult {
  /** Intersection over the box area: `|A ∩ B| / |B|`. */
  iobb: number[];
  /** Intersection over the attribution's area: `|A ∩ B| / |A|`. */
  ior: number[];
  /** Intersection over union: `|A ∩ B| / (|A| + |B| − |A ∩ B|)`. */
  iou: number[];
}

/** The guard added to every denominator (imba-explain `Overlap`, `1e-8`). @category Analysis */
export const BOX_OVERLAP_EPS = 1e-8;

/**
 * Overlap of attribution maps with each sample's ground-truth boxes: IoBB, IoR and IoU.
 *
 * With `A` the map in [0, 1] (soft), or `[a ≥ t]` with a threshold, and `B` the 0/1 union of the
 * sample's boxes: `|A ∩ B| = Σ A·B`, `IoBB = |A ∩ B|/|B|`, `IoR = |A ∩ B|/|A|` and
 * `IoU = |A ∩ B|/(|A| + |B| − |A ∩ B|)`, each denominator plus 1e-8 as the reference. Pure tensor
 * ops; only per-sample values are read back.
 * @param attributions - `[N, H, W]` or `[N, H, W, C]` maps in [0, 1] (channels are averaged); not disposed
 * @param boxes - per sample, its boxes (pixel units of the map)
 * @param options - the binarising threshold
 * @returns per-sample IoBB, IoR and IoU; no tensor outlives the call
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a bad shape; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for maps outside [0, 1],
 * a bad box or threshold.
 * @see arXiv 2204.01729; imba-explain `Overlap`
 * @example
 * ```ts
 * const soft = boxOverlap(maps, boxes);
 * const hard = boxOverlap(maps, boxes, { threshold: 0.5 });
 * ```
 * @category Analysis
 */
export function boxOverlap(attributions: tf.Tensor, boxes: readonly (readonly LabeledBox[])[], options: BoxOverlapOptions = {}): BoxOverlapResult {
  const fn = 'boxOverlap';
  const [n, h, w] = mapShape(fn, attributions);
  checkBoxes(fn, boxes, n);
  checkObject(fn, 'options', options);
  checkOptions(fn, options, ['threshold']);
  const threshold = options.threshold === undefined ? undefined : checkNumber(fn, 'threshold', options.threshold, 0, 1, { lo: true, hi: true });
  const sums = tf.tidy(() => {
    const maps = tf.reshape(toMaps(attributions), [n, h * w]);
    const range = tf.stack([tf.min(maps), tf.max(maps)]);
    const a = threshold === undefined ? maps : tf.cast(tf.greaterEqual(maps, threshold), 'float32');
    const b = tf.reshape(boxMasks(boxes, h, w), [n, h * w]);
    return tf.concat([tf.sum(tf.mul(a, b), 1), tf.sum(a, 1), tf.sum(b, 1), range]);
  });
  const v = sums.dataSync();
  sums.dispose();
  const [lo, hi] = [v[3 * n], v[3 * n + 1]];
  if (!(lo >= 0 && hi <= 1)) throw new InvalidValueError(`${fn}: attributions must lie in [0, 1] (normalise them first), got [${lo}, ${hi}]`);
  const out: BoxOverlapResult = { iobb: [], ior: [], iou: [] };
  for (let i = 0; i < n; i++) {
    const inter = v[i];
    const area = v[n + i];
    const box = v[2 * n + i];
    out.iobb.push(inter / (box + BOX_OVERLAP_EPS));
    out.ior.push(inter / (area + BOX_OVERLAP_EPS));
    out.iou.push(inter / (area + box - inter + BOX_OVERLAP_EPS));
  }
  return out;
}
