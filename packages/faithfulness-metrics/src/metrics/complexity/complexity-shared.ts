import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@lab/tensor';
import { checkMapOptions, readPixelMaps, type PixelMaps } from '../../core/maps';
import type { MapOptions, Normalisation, SignConversion } from '../../core/metric';

/** Validates and reads a map batch for a complexity metric. */
export async function readComplexityMaps(fn: string, attributions: unknown, o: MapOptions, d: { sign: SignConversion; normalise: Normalisation }): Promise<PixelMaps> {
  const mo = checkMapOptions(fn, o.sign ?? d.sign, o.normalise ?? d.normalise);
  if (!(attributions instanceof tf.Tensor) || attributions.rank !== 4) {
    throw new ShapeError(`${fn}: attributions must be a tf.Tensor [N, H, W, C], got ${attributions instanceof tf.Tensor ? `[${attributions.shape}]` : typeof attributions}`);
  }
  return readPixelMaps(fn, attributions, mo);
}
