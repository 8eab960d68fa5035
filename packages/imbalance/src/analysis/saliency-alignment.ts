/**
 * Saliency alignment: attribution maps of each positive class scored against that class's boxes.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AttributionMethod, AttributionModel } from '@lab/attribution';
import { InvalidValueError, ShapeError, checkOptions } from '@lab/tensor';
import { checkBool, checkInt, checkNumber, checkObject, checkTensor, show } from '../internal/checks';
import { meanStd } from '../internal/stats';
import { type LabeledBox, boxLabels, checkBoxes } from './boxes';
import { boxOverlap } from './box-overlap';
import { boxPointingGame } from './box-pointing-game';

/** A mean and a population standard deviation (NumPy `np.std`). @category Analysis */
export interface MeanStd {
  /** The mean. */
  mean: number;
  /** The population standard deviation. */
  std: number;
}

/** Options of {@link saliencyAlignment}. @category Analysis */
export interface SaliencyAlignmentOptions {
  /** Pointing-game k. @defaultValue 1 */
  topK?: number;
  /** Threshold in (0, 1) of the thresholded overlaps. @defaultValue 0.5 */
  threshold?: number;
  /** Rectify each map (ReLU) and min–max normalise it to [0, 1] before scoring. @defaultValue true */
  normalize?: boolean;
  /** Number of classes C of the report (classes without boxes get empty rows). @defaultValue 1 + the largest box label */
  classes?: number;
  /** Image–class pairs per `attribute` call. @defaultValue 16 */
  batchSize?: number;
  /** Extra options passed to every `method.attribute` call (not `target` or `batchSize`), e.g. `{ baselines: 0 }`. */
  methodOptions?: Readonly<Record<string, unknown>>;
}

/** The alignment statistics of a set of image–class pairs. @category Analysis */
export interface AlignmentStats {
  /** Image–class pairs scored. */
  pairs: number;
  /** Pointing-game score `Σ hits / Σ top pixels`; NaN without pairs. */
  pointingGame: number;
  /** Soft IoBB, IoR and IoU of the [0, 1] maps: mean ± std over pairs. */
  iobb: MeanStd;
  /** Soft IoR, mean ± std over pairs. */
  ior: MeanStd;
  /** Soft IoU, mean ± std over pairs. */
  iou: MeanStd;
  /** IoBB, IoR and IoU of the maps binarised at `threshold`: mean ± std over pairs. */
  iobbThresholded: MeanStd;
  /** Thresholded IoR, mean ± std over pairs. */
  iorThresholded: MeanStd;
  /** Thresholded IoU, mean ± std over pairs. */
  iouThresholded: MeanStd;
}

/** The scores of one image–class pair. @category Analysis */
export interface AlignmentPair {
  /** Index of the image in the batch. */
  image: number;
  /** The class explained (a label of the image's boxes). */
  label: number;
  /** Top pixels of the map inside a box of the class (pointing game). */
  hits: number;
  /** Top pixels counted (k, or more on ties; 0 for a map whose k-th value is 0). */
  points: number;
  /** Soft IoBB of the [0, 1] map. */
  iobb: number;
  /** Soft IoR of the [0, 1] map. */
  ior: number;
  /** Soft IoU of the [0, 1] map. */
  iou: number;
  /** IoBB of the map binarised at `threshold`. */
  iobbThresholded: number;
  /** IoR of the map binarised at `threshold`. */
  iorThresholded: number;
  /** IoU of the map binarised at `threshold`. */
  iouThresholded: number;
}

/** What {@link saliencyAlignment} returns. @category Analysis */
export interface SaliencyAlignmentResult {
  /** Statistics per class (index c); `pairs: 0` and NaN for a class without boxes. */
  perClass: AlignmentStats[];
  /** Statistics over all pairs. */
  overall: AlignmentStats;
  /** Every scored pair, in image order then label order. */
  pairs: AlignmentPair[];
}

/**
 * Defaults of {@link saliencyAlignment}: pointing-game k = 1, ReLU + min–max normalisation (the
 * reference's Grad-CAM protocol, specs/imbalance.md §5.1), threshold 0.5 for the thresholded
 * overlaps (this package's choice; the reference leaves `attr_threshold` to the config), batch 16.
 * @category Analysis
 */
export const SALIENCY_ALIGNMENT_DEFAULTS = Object.freeze({
  /** Default of {@link SaliencyAlignmentOptions.topK}. */
  topK: 1,
  /** Default of {@link SaliencyAlignmentOptions.threshold}. */
  threshold: 0.5,
  /** Default of {@link SaliencyAlignmentOptions.normalize}. */
  normalize: true,
  /** Default of {@link SaliencyAlignmentOptions.batchSize}. */
  batchSize: 16,
});

/**
 * How well attribution maps align with ground-truth boxes, per class: the pointing game and soft
 * and thresholded IoBB, IoR and IoU, reported as mean ± std over image–class pairs.
 *
 * For every image and every distinct label c of its boxes, `method` explains class c (target c);
 * the map is averaged over channels, rectified and min–max normalised to [0, 1] (an all-zero map
 * stays zero), and scored against the boxes of class c with {@link boxPointingGame} and
 * {@link boxOverlap}. Pairs are evaluated `batchSize` at a time; results do not depend on it.
 * Works with any `@lab/attribution` method (Grad-CAM, Extremal Perturbation, …); put the model
 * in evaluation mode first.
 * @param method - an attribution method, e.g. `new GradCam({ layer: 'features.4' })`
 * @param model - the classifier, outputs `[N, C]` logits
 * @param images - `[N, H, W, channels]` inputs (NHWC); not disposed
 * @param boxes - per image, its ground-truth boxes in pixels of the input
 * @param options - see {@link SaliencyAlignmentOptions}
 * @returns per-class and overall statistics and the per-pair scores; no tensor outlives the call
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a non-image batch or a box list of another length;
 * {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad boxes or options; the method's own errors.
 * @see arXiv 2204.01729 §5.1 (specs/imbalance.md); imba-explain `PointingGame`, `Overlap`
 * @example
 * ```ts
 * const r = await saliencyAlignment(new GradCam({ layer: 'conv3' }), model, images, boxes);
 * console.log(r.perClass[3].pointingGame, r.perClass[3].iobb.mean);
 * ```
 * @category Analysis
 */
export async function saliencyAlignment(
  method: AttributionMethod<any>,
  model: AttributionModel,
  images: tf.Tensor,
  boxes: readonly (readonly LabeledBox[])[],
  options: SaliencyAlignmentOptions = {},
): Promise<SaliencyAlignmentResult> {
  const fn = 'saliencyAlignment';
  if (method === null || typeof method !== 'object' || typeof method.attribute !== 'function') {
    throw new InvalidValueError(`${fn}: method must be an attribution method with attribute(), got ${show(method)}`);
  }
  const x = checkTensor(fn, 'images', images);
  if (x.rank !== 4) throw new ShapeError(`${fn}: images must have shape [N, H, W, C] (NHWC), got [${x.shape}]`);
  const [n, h, w] = x.shape as [number, number, number, number];
  checkBoxes(fn, boxes, n);
  checkObject(fn, 'options', options);
  checkOptions(fn, options, ['topK', 'threshold', 'normalize', 'classes', 'batchSize', 'methodOptions']);
  const d = SALIENCY_ALIGNMENT_DEFAULTS;
  const topK = checkInt(fn, 'topK', options.topK ?? d.topK, 1);
  const threshold = checkNumber(fn, 'threshold', options.threshold ?? d.threshold, 0, 1, { lo: true, hi: true });
  const normalize = checkBool(fn, 'normalize', options.normalize ?? d.normalize);
  const batchSize = checkInt(fn, 'batchSize', options.batchSize ?? d.batchSize, 1);
  checkObject(fn, 'methodOptions', options.methodOptions);
  const methodOptions = { ...(options.methodOptions ?? {}) };
  for (const key of ['target', 'batchSize']) {
    if (key in methodOptions) throw new InvalidValueError(`${fn}: methodOptions must not set '${key}' (saliencyAlignment sets it), got ${show(methodOptions[key])}`);
  }
  const maxLabel = Math.max(-1, ...boxes.flatMap((list) => list.map((b) => b.label)));
  const classes = options.classes === undefined ? maxLabel + 1 : checkInt(fn, 'classes', options.classes, 1);
  if (maxLabel >= classes) throw new InvalidValueError(`${fn}: classes must exceed every box label (${maxLabel}), got ${classes}`);

  const todo = boxes.flatMap((list, image) => boxLabels(list).map((label) => ({ image, label })));
  const pairs: AlignmentPair[] = [];
  for (let start = 0; start < todo.length; start += batchSize) {
    const chunk = todo.slice(start, start + batchSize);
    const input = tf.tidy(() => tf.gather(x, tf.tensor1d(chunk.map((p) => p.image), 'int32')));
    let maps: tf.Tensor | undefined;
    try {
      const { attributions, delta } = await method.attribute(model, input, {
        ...methodOptions,
        target: chunk.map((p) => p.label),
        batchSize,
      });
      delta?.dispose();
      maps = tf.tidy(() => prepareMaps(attributions, chunk.length, h, w, normalize));
      attributions.dispose();
      const chunkBoxes = chunk.map((p) => boxes[p.image].filter((b) => b.label === p.label));
      const pg = boxPointingGame(maps, chunkBoxes, { topK });
      const soft = boxOverlap(maps, chunkBoxes);
      const hard = boxOverlap(maps, chunkBoxes, { threshold });
      chunk.forEach((p, k) =>
        pairs.push({
          ...p,
          hits: pg.hits[k],
          points: pg.points[k],
          iobb: soft.iobb[k],
          ior: soft.ior[k],
          iou: soft.iou[k],
          iobbThresholded: hard.iobb[k],
          iorThresholded: hard.ior[k],
          iouThresholded: hard.iou[k],
        }),
      );
    } finally {
      input.dispose();
      maps?.dispose();
    }
  }
  const perClass = Array.from({ length: classes }, (_, c) => stats(pairs.filter((p) => p.label === c)));
  return { perClass, overall: stats(pairs), pairs };
}

/** `[m, H, W]` maps from any attribution shape: channel mean, then ReLU and min–max per map. */
function prepareMaps(a: tf.Tensor, m: number, h: number, w: number, normalize: boolean): tf.Tensor3D {
  if (a.shape[0] !== m || a.shape[1] !== h || a.shape[2] !== w || (a.rank !== 3 && a.rank !== 4)) {
    throw new ShapeError(`saliencyAlignment: the method must return maps [${m}, ${h}, ${w}(, C)], got [${a.shape}]`);
  }
  let maps = (a.rank === 4 ? tf.mean(a, 3) : a) as tf.Tensor3D;
  if (!normalize) return maps;
  maps = tf.relu(maps);
  const lo = tf.min(maps, [1, 2], true);
  const span = tf.sub(tf.max(maps, [1, 2], true), lo);
  // An all-zero (or constant) map stays zero instead of 0/0.
  return tf.where(tf.greater(span, 0), tf.div(tf.sub(maps, lo), tf.maximum(span, 1e-30)), tf.zerosLike(maps)) as tf.Tensor3D;
}

function stats(pairs: AlignmentPair[]): AlignmentStats {
  const pick = (k: keyof AlignmentPair): MeanStd => meanStd(pairs.map((p) => p[k]));
  const points = pairs.reduce((s, p) => s + p.points, 0);
  return {
    pairs: pairs.length,
    pointingGame: points === 0 ? NaN : pairs.reduce((s, p) => s + p.hits, 0) / points,
    iobb: pick('iobb'),
    ior: pick('ior'),
    iou: pick('iou'),
    iobbThresholded: pick('iobbThresholded'),
    iorThresholded: pick('iorThresholded'),
    iouThresholded: pick('iouThresholded'),
  };
}
