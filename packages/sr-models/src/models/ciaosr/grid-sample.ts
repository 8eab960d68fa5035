/**
 * Continuous-coordinate sampling of NHWC maps in LIIF's convention (pixel centres, `(y, x)` in
 * `[−1, 1]`), as `F.grid_sample(..., align_corners=False)` does on NCHW maps.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, checkInput } from '@lab/tensor';

/**
 * The pixel-centre coordinates of an `h × w` grid in LIIF's convention: row `i`, column `j` has
 * `(y, x) = (−1 + (2i + 1)/h, −1 + (2j + 1)/w)`, row-major (`make_coord` of yinboc/liif).
 * @param height - rows, a positive integer
 * @param width - columns, a positive integer
 * @returns `[height·width, 2]` float32 `(y, x)` pairs; the caller disposes it
 * @throws InvalidValueError for a size that is not a positive integer
 * @see arXiv 2012.09161 (LIIF); yinboc/liif `utils.py` (`make_coord`)
 * @example
 * ```ts
 * makeCoord(1, 2).arraySync(); // [[0, -0.5], [0, 0.5]]
 * ```
 * @category Models
 */
export function makeCoord(height: number, width: number): tf.Tensor2D {
  checkSize('makeCoord', 'height', height);
  checkSize('makeCoord', 'width', width);
  return tf.tensor2d(makeCoordData(height, width, 0, height, 0, width), [height * width, 2]);
}

/**
 * `(y, x)` pairs of the pixel centres of rows `[r0, r1)` and columns `[c0, c1)` of an
 * `outH × outW` grid, flattened row-major (the values of {@link makeCoord}).
 * @internal
 */
export function makeCoordData(outH: number, outW: number, r0: number, r1: number, c0: number, c1: number): Float32Array {
  const data = new Float32Array((r1 - r0) * (c1 - c0) * 2);
  let k = 0;
  for (let i = r0; i < r1; i++) {
    const y = -1 + (2 * i + 1) / outH;
    for (let j = c0; j < c1; j++) {
      data[k++] = y;
      data[k++] = -1 + (2 * j + 1) / outW;
    }
  }
  return data;
}

function checkSize(fn: string, arg: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new InvalidValueError(`${fn}: ${arg} must be a positive integer, got ${String(v)}`);
  }
}

function checkCoords(fn: string, map: tf.Tensor, coords: unknown): asserts coords is tf.Tensor3D {
  checkInput(fn, coords, 3, 2, 'coords');
  if (coords.shape[0] !== map.shape[0]) {
    throw new ShapeError(`${fn}: coords must have the batch size of the map (${map.shape[0]}), got shape [${coords.shape}]`);
  }
  if (coords.dtype !== 'float32') throw new ShapeError(`${fn}: coords must have dtype float32, got ${coords.dtype}`);
}

/**
 * The unnormalised source index `((c + 1)·size − 1)/2` of normalised coordinates `c`
 * (`align_corners=False`), computed in float32 in the reference's order.
 */
function sourceIndex(c: tf.Tensor, size: number): tf.Tensor {
  return tf.div(tf.sub(tf.mul(tf.add(c, 1), size), 1), 2);
}

/**
 * Nearest-neighbour sampling indices: row `round((( y + 1)·h − 1)/2)` and the like for `x`,
 * rounded half to even (PyTorch's `nearbyint`) and clamped into the map.
 * @param coords - `[…, 2]` `(y, x)`
 * @returns `[…]` int32 row and column indices
 * @internal
 */
export function nearestIndices(coords: tf.Tensor, h: number, w: number): { iy: tf.Tensor; ix: tf.Tensor } {
  return tf.tidy(() => {
    const [y, x] = tf.split(coords, 2, -1).map((t) => tf.squeeze(t, [-1]));
    const iy = tf.cast(tf.clipByValue(tf.round(sourceIndex(y, h)), 0, h - 1), 'int32');
    const ix = tf.cast(tf.clipByValue(tf.round(sourceIndex(x, w)), 0, w - 1), 'int32');
    return { iy, ix };
  });
}

/**
 * Gathers `map[b, iy, ix, :]` for int32 index tensors of shape `[n, q]`.
 * @returns `[n, q, c]`
 * @internal
 */
export function gatherPixels(map: tf.Tensor4D, iy: tf.Tensor, ix: tf.Tensor): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, h, w, c] = map.shape;
    const q = iy.shape[1] as number;
    const base = tf.reshape(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(h * w, 'int32')), [n, 1]);
    const flat = tf.add(base, tf.add(tf.mul(iy, tf.scalar(w, 'int32')), ix));
    return tf.reshape(tf.gather(tf.reshape(map, [n * h * w, c]), tf.reshape(flat, [-1])), [n, q, c]) as tf.Tensor3D;
  });
}

/**
 * Samples a map at continuous coordinates with the nearest pixel, as
 * `F.grid_sample(map, coords.flip(-1), mode='nearest', align_corners=False)`: the pixel
 * `round(((y + 1)·h − 1)/2)`, `round(((x + 1)·w − 1)/2)` (half to even, as PyTorch), clamped into
 * the map (PyTorch returns zeros for a coordinate whose pixel falls outside, which happens only on
 * the border `±1`).
 * @param map - `[n, h, w, c]` float32 (NHWC); not disposed
 * @param coords - `[n, q, 2]` float32 `(y, x)` in `[−1, 1]`, pixel centres at `−1 + (2i + 1)/h`
 * @returns `[n, q, c]` float32; the caller disposes it
 * @throws ShapeError for a bad rank, batch size or dtype
 * @see yinboc/liif `models/liif.py` (`query_rgb`); caojiezhang/CiaoSR `ciaosr_net.py`
 * @example
 * ```ts
 * const v = gridSampleNearest(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), tf.tensor3d([[[-0.6, 0.4]]]));
 * v.arraySync(); // [[[2]]]: row 0, column 1
 * ```
 * @category Models
 */
export function gridSampleNearest(map: tf.Tensor4D, coords: tf.Tensor3D): tf.Tensor3D {
  const fn = 'gridSampleNearest';
  checkInput(fn, map, 4, undefined, 'map');
  checkCoords(fn, map, coords);
  return tf.tidy(() => {
    const [, h, w] = map.shape;
    const { iy, ix } = nearestIndices(coords, h, w);
    return gatherPixels(map, iy, ix);
  });
}

/**
 * Samples an image at continuous coordinates bilinearly with border padding, as
 * `F.grid_sample(img, coords.flip(-1), mode='bilinear', padding_mode='border',
 * align_corners=False)`: the source position `u = clamp(((y + 1)·h − 1)/2, 0, h − 1)` (likewise
 * `v` for `x`) is interpolated from its four neighbours with weights `(1 − fu)(1 − fv)`, …,
 * where `fu = u − ⌊u⌋`.
 * @param map - `[n, h, w, c]` float32 (NHWC); not disposed
 * @param coords - `[n, q, 2]` float32 `(y, x)` in LIIF's convention (any real; clamped to the border)
 * @returns `[n, q, c]` float32; the caller disposes it
 * @throws ShapeError for a bad rank, batch size or dtype
 * @see caojiezhang/CiaoSR `ciaosr_net.py` (`forward`, the LR residual)
 * @example
 * ```ts
 * const v = gridSampleBilinear(tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1]), tf.tensor3d([[[0, 0]]]));
 * v.arraySync(); // [[[1.5]]]: the mean of the four pixels
 * ```
 * @category Models
 */
export function gridSampleBilinear(map: tf.Tensor4D, coords: tf.Tensor3D): tf.Tensor3D {
  const fn = 'gridSampleBilinear';
  checkInput(fn, map, 4, undefined, 'map');
  checkCoords(fn, map, coords);
  return tf.tidy(() => {
    const [, h, w] = map.shape;
    const [y, x] = tf.split(coords, 2, -1).map((t) => tf.squeeze(t, [-1]));
    const u = tf.clipByValue(sourceIndex(y, h), 0, h - 1);
    const v = tf.clipByValue(sourceIndex(x, w), 0, w - 1);
    const u0 = tf.floor(u);
    const v0 = tf.floor(v);
    const fu = tf.expandDims(tf.sub(u, u0), -1);
    const fv = tf.expandDims(tf.sub(v, v0), -1);
    const iu0 = tf.cast(u0, 'int32');
    const iv0 = tf.cast(v0, 'int32');
    const one = tf.scalar(1, 'int32');
    const iu1 = tf.minimum(tf.add(iu0, one), tf.scalar(h - 1, 'int32'));
    const iv1 = tf.minimum(tf.add(iv0, one), tf.scalar(w - 1, 'int32'));
    const top = tf.add(tf.mul(gatherPixels(map, iu0, iv0), tf.sub(1, fv)), tf.mul(gatherPixels(map, iu0, iv1), fv));
    const bottom = tf.add(tf.mul(gatherPixels(map, iu1, iv0), tf.sub(1, fv)), tf.mul(gatherPixels(map, iu1, iv1), fv));
    return tf.add(tf.mul(top, tf.sub(1, fu)), tf.mul(bottom, fu)) as tf.Tensor3D;
  });
}
