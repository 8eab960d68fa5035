import { InvalidValueError } from '@lab/tensor';

/**
 * A label map of an `H × W` image: `labels[y·W + x]` ∈ `0..count−1`, every label used.
 * @category Segmentation
 */
export interface Segmentation {
  /** Row-major labels, length `height·width`. */
  labels: Int32Array;
  /** Number of segments K. */
  count: number;
  /** Image height H. */
  height: number;
  /** Image width W. */
  width: number;
}

/**
 * Splits an `h × w` image into a regular grid of `cellsY × cellsX` rectangular segments.
 *
 * Pixel (y, x) gets label `⌊y·cellsY/h⌋·cellsX + ⌊x·cellsX/w⌋`, so cells differ in size by at most
 * one pixel per axis and labels run row by row from 0 to `cellsY·cellsX − 1`.
 * @param h - image height (pixels)
 * @param w - image width (pixels)
 * @param cellsY - cells along the height, 1..h
 * @param cellsX - cells along the width, 1..w
 * @returns the label map (count = cellsY·cellsX)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when a size is not a positive integer or a cell count exceeds its axis.
 * @example
 * ```ts
 * const { labels, count } = gridSegments(8, 8, 2, 2); // 4 quadrants
 * const mask = tf.tensor3d(labels, [8, 8, 1], 'int32'); // a featureMask for one NHWC sample
 * ```
 * @category Segmentation
 */
export function gridSegments(h: number, w: number, cellsY: number, cellsX: number): Segmentation {
  const fn = 'gridSegments';
  for (const [name, v] of [['h', h], ['w', w], ['cellsY', cellsY], ['cellsX', cellsX]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new InvalidValueError(`${fn}: ${name} must be a positive integer, got ${v}`);
  }
  if (cellsY > h) throw new InvalidValueError(`${fn}: cellsY must be <= h (${h}), got ${cellsY}`);
  if (cellsX > w) throw new InvalidValueError(`${fn}: cellsX must be <= w (${w}), got ${cellsX}`);
  const labels = new Int32Array(h * w);
  for (let y = 0; y < h; y++) {
    const cy = Math.floor((y * cellsY) / h);
    for (let x = 0; x < w; x++) labels[y * w + x] = cy * cellsX + Math.floor((x * cellsX) / w);
  }
  return { labels, count: cellsY * cellsX, height: h, width: w };
}
