/**
 * The face-grid inputs: GazeCapture's 25×25 face box as iTracker's binary mask and as
 * TinyTracker's two coordinate channels.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@lab/tensor';
import { checkInt, show } from '../internal/checks';

/**
 * A face box in the 25×25 face grid of GazeCapture (`faceGrid.json`, `labelFaceGrid`):
 * `[x, y, w, h]`, `x`/`y` the 1-indexed top-left cell.
 * @category Data
 */
export type FaceGridBox = readonly [x: number, y: number, w: number, h: number];

/** Side of GazeCapture's face grid. @category Data */
export const FACE_GRID_SIZE = 25;

/**
 * The constant box `[−0.1, −0.1, 0.1, 0.1]` (already in [−1, 1] coordinates) that
 * `bakedModel` of `TinyTrackerTF.py` concatenates inside the released TinyTrackerS graph.
 * @category Data
 */
export const BAKED_GRID_RANGE = Object.freeze([-0.1, -0.1, 0.1, 0.1] as const);

/** `tf.linspace` as TensorFlow computes it: `start + i·step` in float32, the last value `stop`. */
function linspace(start: number, stop: number, num: number): Float32Array {
  const out = new Float32Array(num);
  const step = Math.fround(Math.fround(stop - start) / (num - 1));
  for (let i = 0; i < num - 1; i++) out[i] = Math.fround(start + Math.fround(step * i));
  out[num - 1] = stop;
  return out;
}

/**
 * Coordinate maps `[size, size, 2]` (x then y) running linearly from `(x0, y0)` at the top-left
 * pixel to `(x1, y1)` at the bottom-right, as `create_grid` + `tf.meshgrid`.
 * @internal
 */
export function coordinateMaps(x0: number, y0: number, x1: number, y1: number, size: number): Float32Array {
  const lx = linspace(x0, x1, size);
  const ly = linspace(y0, y1, size);
  const out = new Float32Array(size * size * 2);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      out[(i * size + j) * 2] = lx[j];
      out[(i * size + j) * 2 + 1] = ly[i];
    }
  }
  return out;
}

function checkBoxes(fn: string, boxes: readonly FaceGridBox[]): void {
  if (!Array.isArray(boxes) || boxes.length === 0) {
    throw new InvalidValueError(`${fn}: boxes must be a non-empty array of [x, y, w, h], got ${show(boxes)}`);
  }
  boxes.forEach((b, i) => {
    if (!Array.isArray(b) || b.length !== 4 || !b.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new InvalidValueError(`${fn}: boxes[${i}] must be [x, y, w, h] of finite numbers, got ${show(b)}`);
    }
  });
}

/**
 * The two face-grid channels of TinyTracker for each face box: x and y coordinate maps
 * `[n, size, size, 2]` that run linearly across the crop from the box's left/top edge to its
 * right/bottom edge, in [−1, 1] grid coordinates.
 *
 * For box `[x, y, w, h]` (1-indexed cells of the 25×25 grid): `x₀ = 2x/25 − 1`,
 * `x₁ = 2(x + w)/25 − 1` (likewise y); pixel `(i, j)` holds `(x₀ + j·(x₁ − x₀)/(size − 1),
 * y₀ + i·(y₁ − y₀)/(size − 1))`, as `create_grid` of `ITrackerDataTF.py`.
 * @param boxes - one `[x, y, w, h]` per sample
 * @param size - side of the face crop (the model's input size)
 * @returns `[n, size, size, 2]` float32; the caller disposes it
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an empty or malformed box list, or a bad size
 * @see pbonazzi/tinytracker `tinytracker/src/ITrackerDataTF.py` (`create_grid`)
 * @example
 * ```ts
 * const grid = faceGridChannels([[6, 7, 13, 13]], 112); // [1, 112, 112, 2]
 * const x5 = tf.concat([faces, grid], 3);             // TinyTracker with faceGrid: true
 * ```
 * @category Data
 */
export function faceGridChannels(boxes: readonly FaceGridBox[], size: number): tf.Tensor4D {
  const fn = 'faceGridChannels';
  checkBoxes(fn, boxes);
  checkInt(fn, 'size', size, 2);
  const per = size * size * 2;
  const data = new Float32Array(boxes.length * per);
  boxes.forEach(([x, y, w, h], n) => {
    const g = FACE_GRID_SIZE;
    data.set(coordinateMaps((x * 2) / g - 1, (y * 2) / g - 1, ((x + w) * 2) / g - 1, ((y + h) * 2) / g - 1, size), n * per);
  });
  return tf.tensor4d(data, [boxes.length, size, size, 2]);
}

/**
 * iTracker's binary face grid: a flattened 25×25 mask `[n, 625]` with ones where the face box
 * lies, as `makeGrid` of the GazeCapture PyTorch code.
 *
 * Cell `(row r, column c)` (0-based, index `25r + c`) is 1 when `x ≤ c < x + w` and
 * `y ≤ r < y + h`, with the box's values used as they are (the reference compares 0-based cell
 * indices with the 1-based `x`, `y`).
 * @param boxes - one `[x, y, w, h]` per sample
 * @returns `[n, 625]` float32 of zeros and ones; the caller disposes it
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an empty or malformed box list
 * @see CSAILVision/GazeCapture `pytorch/ITrackerData.py` (`makeGrid`)
 * @example
 * ```ts
 * const grid = faceGridMask([[6, 7, 13, 13]]); // [1, 625], 169 ones
 * ```
 * @category Data
 */
export function faceGridMask(boxes: readonly FaceGridBox[]): tf.Tensor2D {
  const fn = 'faceGridMask';
  checkBoxes(fn, boxes);
  const g = FACE_GRID_SIZE;
  const data = new Float32Array(boxes.length * g * g);
  boxes.forEach(([x, y, w, h], n) => {
    for (let r = 0; r < g; r++) {
      for (let c = 0; c < g; c++) {
        if (c >= x && c < x + w && r >= y && r < y + h) data[n * g * g + r * g + c] = 1;
      }
    }
  });
  return tf.tensor2d(data, [boxes.length, g * g]);
}
