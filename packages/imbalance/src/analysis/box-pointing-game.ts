/**
 * The pointing game of attribution maps against ground-truth boxes.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import { checkInt, checkObject } from '../internal/checks';
import { type LabeledBox, checkBoxes } from './boxes';
import { boxMasks, mapShape, toMaps } from './maps';

/** Options of {@link boxPointingGame}. @category Analysis */
export interface BoxPointingGameOptions {
  /** How many of the highest attribution pixels point (ties with the k-th value included). @defaultValue 1 */
  topK?: number;
}

/** What {@link boxPointingGame} returns. @category Analysis */
export interface BoxPointingGameResult {
  /** Per sample, top pixels inside a box. */
  hits: number[];
  /** Per sample, top pixels counted (k, or more on ties; 0 for a map whose k-th value is 0). */
  points: number[];
  /** `Σ hits / Σ points` over the batch; NaN when no sample pointed. */
  score: number;
}

/** Defaults of {@link boxPointingGame}: k = 1 (imba-explain `PointingGame(top_k=1)`). @category Analysis */
export const BOX_POINTING_GAME_DEFAULTS = Object.freeze({
  /** Default of {@link BoxPointingGameOptions.topK}. */
  topK: 1,
});

/**
 * The pointing game: whether the highest-attribution pixels of each map fall inside a ground-truth box.
 *
 * With `v_k` the k-th largest value of a map, the top pixels are those with `a ≥ v_k` (ties
 * included); a hit is a top pixel inside any of the sample's boxes. The score is
 * `Σ hits / Σ top pixels` over the batch. A map whose k-th value is 0 (an all-zero map after ReLU)
 * points nowhere and counts 0 of 0, as in the reference. Pure tensor ops; only per-sample counts
 * are read back.
 * @param attributions - `[N, H, W]` or `[N, H, W, C]` maps (channels are averaged); not disposed
 * @param boxes - per sample, the boxes to point into (pixel units of the map)
 * @param options - k
 * @returns per-sample hits and points and the pooled score; no tensor outlives the call
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a bad map shape or a box list of another length;
 * {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad box or k.
 * @see arXiv 2204.01729; Zhang et al. 2016 (arXiv 1608.00507); imba-explain `PointingGame`
 * @example
 * ```ts
 * const { score } = boxPointingGame(maps, [[{ x: 2, y: 2, width: 4, height: 4, label: 0 }]]);
 * ```
 * @category Analysis
 */
export function boxPointingGame(attributions: tf.Tensor, boxes: readonly (readonly LabeledBox[])[], options: BoxPointingGameOptions = {}): BoxPointingGameResult {
  const fn = 'boxPointingGame';
  const [n, h, w] = mapShape(fn, attributions);
  checkBoxes(fn, boxes, n);
  checkObject(fn, 'options', options);
  checkOptions(fn, options, ['topK']);
  const topK = checkInt(fn, 'topK', options.topK ?? BOX_POINTING_GAME_DEFAULTS.topK, 1);
  if (topK > h * w) throw new InvalidValueError(`${fn}: topK must be <= H·W = ${h * w}, got ${topK}`);
  const counts = tf.tidy(() => {
    const flat = tf.reshape(toMaps(attributions), [n, h * w]);
    const kth = tf.slice(tf.topk(flat, topK, true).values, [0, topK - 1], [n, 1]);
    const top = tf.mul(tf.cast(tf.greaterEqual(flat, kth), 'float32'), tf.cast(tf.notEqual(kth, 0), 'float32'));
    const inside = tf.reshape(boxMasks(boxes, h, w), [n, h * w]);
    return tf.stack([tf.sum(tf.mul(top, inside), 1), tf.sum(top, 1)]);
  });
  const values = counts.dataSync();
  counts.dispose();
  const hits = Array.from(values.subarray(0, n));
  const points = Array.from(values.subarray(n, 2 * n));
  const total = points.reduce((a, b) => a + b, 0);
  return { hits, points, score: total === 0 ? NaN : hits.reduce((a, b) => a + b, 0) / total };
}
