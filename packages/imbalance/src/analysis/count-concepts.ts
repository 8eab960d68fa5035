/**
 * Concept counting (Network-Dissection style): how many box-bound blobs a layer's units light up.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, ShapeError, UnknownNameError, checkOptions } from '@lab/tensor';
import { checkBool, checkChoice, checkInt, checkNumber, checkObject, checkTensor, show } from '../internal/checks';
import { meanStd, quantileSorted } from '../internal/stats';
import { type LabeledBox, boxLabels, boxMask, checkBoxes } from './boxes';
import { type Connectivity, countComponents } from './connected-components';

/** Options of {@link countConcepts}. @category Analysis */
export interface CountConceptsOptions {
  /** Quantile q of each unit's upsampled activations over all images of the call that sets its threshold, in (0, 1). @defaultValue 0.99 */
  quantile?: number;
  /** Count every blob of a unit (true), or 1 for each unit with any blob (false). @defaultValue true */
  countDisjoint?: boolean;
  /** Keep only the parts of each unit's mask inside the union of the image's boxes. @defaultValue true */
  withBoxes?: boolean;
  /** Pixel connectivity of a blob. @defaultValue 8 */
  connectivity?: Connectivity;
  /** Number of classes C of the report. @defaultValue 1 + the largest box label */
  classes?: number;
  /** Images per forward pass; results do not depend on it. @defaultValue 16 */
  batchSize?: number;
}

/** Min, max, mean and std (population) of concept counts. @category Analysis */
export interface ConceptStats {
  /** Images counted. */
  images: number;
  /** Smallest concept count of an image. */
  min: number;
  /** Largest concept count of an image. */
  max: number;
  /** Mean concept count per image. */
  mean: number;
  /** Population standard deviation of the concept counts. */
  std: number;
}

/** What {@link countConcepts} returns. @category Analysis */
export interface CountConceptsResult {
  /** The number of concepts of each image: Σ over units of its blob count (or 0/1 per unit). */
  perImage: number[];
  /** Per class c: statistics over the images with a box of class c; NaN and `images: 0` for none. */
  perClass: ConceptStats[];
  /** Statistics over all images (each once). */
  overall: ConceptStats;
  /** The threshold of each unit (its q-quantile). */
  thresholds: number[];
}

/**
 * Defaults of {@link countConcepts}: q = 0.99, `count_disjoint=True` and `with_bboxes=True`
 * (imba-explain `configs/_base_/explain/count_concepts.py`; its NIH ResNet config uses q = 0.96),
 * 8-connectivity (as OpenCV's contour finder), batch 16.
 * @category Analysis
 */
export const COUNT_CONCEPTS_DEFAULTS = Object.freeze({
  /** Default of {@link CountConceptsOptions.quantile}. */
  quantile: 0.99,
  /** Default of {@link CountConceptsOptions.countDisjoint}. */
  countDisjoint: true,
  /** Default of {@link CountConceptsOptions.withBoxes}. */
  withBoxes: true,
  /** Default of {@link CountConceptsOptions.connectivity}. */
  connectivity: 8 as Connectivity,
  /** Default of {@link CountConceptsOptions.batchSize}. */
  batchSize: 16,
});

/**
 * The number of concepts a layer's units detect inside each image's ground-truth boxes
 * (Network-Dissection style, with no IoU threshold).
 *
 * 1. The output `[N, h, w, K]` of module `layer` is upsampled bilinearly (half-pixel centres, as
 *    PyTorch `align_corners=False`) to the input's `H × W`.
 * 2. Each unit k gets the threshold `T_k`, the q-quantile of its upsampled values over all `N·H·W`
 *    pixels of the call (linear interpolation, as `torch.quantile`). Call once per data-loader batch
 *    to reproduce the reference's per-batch thresholds.
 * 3. A pixel is active when `a ≥ T_k` and `a` exceeds the unit's minimum over the call (so a
 *    mostly-zero unit whose quantile is its floor does not mark every pixel, where the reference
 *    would), ANDed with the union of the image's boxes (`withBoxes`).
 * 4. Blobs are the connected components (`connectivity`) of the mask; the image's count is their
 *    number summed over units (`countDisjoint`), or the number of units with any blob.
 *
 * Per class: statistics over the images with a box of that class (each image once per distinct
 * label). The reference counts OpenCV contours (holes included) and its global row pools the
 * per-class lists; here blobs are components and the overall row counts each image once.
 * @param model - the network; put it in evaluation mode first
 * @param layer - dotted name of the module whose NHWC output is dissected (e.g. `'layer3.5'`)
 * @param images - `[N, H, W, C]` inputs; not disposed
 * @param boxes - per image, its ground-truth boxes in pixels of the input
 * @param options - see {@link CountConceptsOptions}
 * @returns per-image counts, per-class and overall statistics and the unit thresholds; no tensor outlives the call
 * @throws {@link "@lab/tensor"!UnknownNameError | UnknownNameError} for an unknown layer; {@link "@lab/tensor"!ShapeError | ShapeError} for a non-image batch,
 * a layer output that is not `[n, h, w, K]` or a box list of another length;
 * {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad boxes or options.
 * @see arXiv 2204.01729 §5.2 (specs/imbalance.md); Bau et al. 2017 (arXiv 1704.05796); imba-explain `ConceptDetector`
 * @example
 * ```ts
 * const r = await countConcepts(model, 'features.3', images, boxes, { quantile: 0.96 });
 * console.log(r.perClass.map((s) => s.mean));
 * ```
 * @category Analysis
 */
export async function countConcepts(
  model: Module<[tf.Tensor], tf.Tensor>,
  layer: string,
  images: tf.Tensor,
  boxes: readonly (readonly LabeledBox[])[],
  options: CountConceptsOptions = {},
): Promise<CountConceptsResult> {
  const fn = 'countConcepts';
  if (!(model instanceof Module)) throw new InvalidValueError(`${fn}: model must be a Module, got ${show(model)}`);
  if (typeof layer !== 'string' || layer === '') throw new InvalidValueError(`${fn}: layer must be a non-empty dotted module name, got ${show(layer)}`);
  const named = model.namedModules();
  const found = named.find(([name]) => name === layer);
  if (!found) throw new UnknownNameError(`${fn} layer`, layer, named.map(([name]) => name).filter((name) => name !== ''));
  const x = checkTensor(fn, 'images', images);
  if (x.rank !== 4) throw new ShapeError(`${fn}: images must have shape [N, H, W, C] (NHWC), got [${x.shape}]`);
  const [n, h, w] = x.shape as [number, number, number, number];
  checkBoxes(fn, boxes, n);
  checkObject(fn, 'options', options);
  checkOptions(fn, options, ['quantile', 'countDisjoint', 'withBoxes', 'connectivity', 'classes', 'batchSize']);
  const d = COUNT_CONCEPTS_DEFAULTS;
  const q = checkNumber(fn, 'quantile', options.quantile ?? d.quantile, 0, 1, { lo: true, hi: true });
  const countDisjoint = checkBool(fn, 'countDisjoint', options.countDisjoint ?? d.countDisjoint);
  const withBoxes = checkBool(fn, 'withBoxes', options.withBoxes ?? d.withBoxes);
  const connectivity = Number(checkChoice(fn, 'connectivity', String(options.connectivity ?? d.connectivity), ['4', '8'] as const)) as Connectivity;
  const batchSize = checkInt(fn, 'batchSize', options.batchSize ?? d.batchSize, 1);
  const maxLabel = Math.max(-1, ...boxes.flatMap((list) => list.map((b) => b.label)));
  const classes = options.classes === undefined ? Math.max(maxLabel + 1, 1) : checkInt(fn, 'classes', options.classes, 1);
  if (maxLabel >= classes) throw new InvalidValueError(`${fn}: classes must exceed every box label (${maxLabel}), got ${classes}`);

  // 1. Upsampled activations of every image, [N, H, W, K] on the CPU.
  const layerModule = found[1];
  const parts: Float32Array[] = [];
  let units = -1;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    let captured: tf.Tensor | undefined;
    let calls = 0;
    const handle = layerModule.registerForwardHook((_m, _inputs, output) => {
      calls++;
      if (calls === 1 && output instanceof tf.Tensor) captured = tf.keep(output.clone());
      return undefined;
    });
    try {
      try {
        tf.tidy(() => {
          model.call(tf.slice(x, [start, 0, 0, 0], [end - start, -1, -1, -1]));
        });
      } finally {
        handle.remove();
      }
      if (calls !== 1 || captured === undefined) throw new InvalidValueError(`${fn}: layer '${layer}' must run once per forward pass and output a tensor, ran ${calls} times`);
      const a = captured;
      if (a.rank !== 4 || a.shape[0] !== end - start) throw new ShapeError(`${fn}: layer '${layer}' must output NHWC [${end - start}, h, w, K], got [${a.shape}]`);
      units = a.shape[3] as number;
      const up = tf.tidy(() => tf.image.resizeBilinear(a as tf.Tensor4D, [h, w], false, true));
      parts.push(up.dataSync() as Float32Array);
      up.dispose();
    } finally {
      captured?.dispose();
    }
  }
  const k = units;
  const all = new Float32Array(n * h * w * k);
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }

  // 2. Per-unit thresholds and floors over all N·H·W pixels.
  const pixels = n * h * w;
  const thresholds: number[] = [];
  const floors: number[] = [];
  const column = new Float32Array(pixels);
  for (let u = 0; u < k; u++) {
    for (let p = 0; p < pixels; p++) column[p] = all[p * k + u];
    column.sort();
    thresholds.push(quantileSorted(column, q));
    floors.push(column[0]);
  }

  // 3–4. Masks, blobs and counts per image.
  const perImage: number[] = [];
  const mask = new Uint8Array(h * w);
  for (let i = 0; i < n; i++) {
    const region = withBoxes ? boxMask(boxes[i], h, w) : undefined;
    let count = 0;
    for (let u = 0; u < k; u++) {
      const t = thresholds[u];
      const floor = floors[u];
      for (let p = 0; p < h * w; p++) {
        const v = all[(i * h * w + p) * k + u];
        mask[p] = v >= t && v > floor && (region === undefined || region[p] === 1) ? 1 : 0;
      }
      const blobs = countComponents(mask, h, w, connectivity);
      count += countDisjoint ? blobs : blobs > 0 ? 1 : 0;
    }
    perImage.push(count);
  }
  const perClass = Array.from({ length: classes }, (_, c) => conceptStats(perImage.filter((_, i) => boxLabels(boxes[i]).includes(c))));
  return { perImage, perClass, overall: conceptStats(perImage), thresholds };
}

function conceptStats(values: number[]): ConceptStats {
  const { mean, std } = meanStd(values);
  return {
    images: values.length,
    min: values.length === 0 ? NaN : Math.min(...values),
    max: values.length === 0 ? NaN : Math.max(...values),
    mean,
    std,
  };
}
