/**
 * Attribution maps as `[N, H, W]` and box masks as tensors (internal).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@lab/tensor';
import { checkTensor } from '../internal/checks';
import { type LabeledBox, boxMask } from './boxes';

/** Checks an attribution batch `[N, H, W]` or `[N, H, W, C]` and returns `[N, H, W]`. */
export function mapShape(fn: string, attributions: unknown): [number, number, number] {
  const a = checkTensor(fn, 'attributions', attributions);
  if (a.rank !== 3 && a.rank !== 4) throw new ShapeError(`${fn}: attributions must have shape [N, H, W] or [N, H, W, C] (NHWC), got [${a.shape}]`);
  const [n, h, w] = a.shape as [number, number, number];
  if (n === 0 || h === 0 || w === 0) throw new ShapeError(`${fn}: attributions must not be empty, got [${a.shape}]`);
  return [n, h, w];
}

/** `[N, H, W]` maps: the channel mean of a rank-4 batch (call inside a tidy). */
export function toMaps(a: tf.Tensor): tf.Tensor3D {
  return (a.rank === 4 ? tf.mean(a, 3) : a) as tf.Tensor3D;
}

/** `[N, H, W]` 0/1 float masks of each sample's boxes (call inside a tidy). */
export function boxMasks(boxes: readonly (readonly LabeledBox[])[], h: number, w: number): tf.Tensor3D {
  const data = new Float32Array(boxes.length * h * w);
  boxes.forEach((list, i) => data.set(boxMask(list, h, w), i * h * w));
  return tf.tensor3d(data, [boxes.length, h, w]);
}
