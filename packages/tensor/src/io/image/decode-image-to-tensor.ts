import type * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '../../errors';
import { DECODE_IMAGE_DEFAULTS, type DecodeImageOptions, checkBytes } from './decoded-image';
import { decodeImage } from './decode-image';
import { type ImageToTensorOptions, imageToTensor } from './image-to-tensor';

/** Options of {@link decodeImageToTensor}: those of the decoder and of the tensor conversion. @category Image I/O */
export interface DecodeImageToTensorOptions extends DecodeImageOptions, ImageToTensorOptions {}

/**
 * Decodes a PNG, JPEG or BMP file straight into an `[H, W, C]` tensor, float in [0, 1] by default.
 *
 * Equivalent to `imageToTensor(decodeImage(bytes, { maxPixels }), { dtype, channels })`.
 * @param bytes - the whole file
 * @param options - see {@link DecodeImageOptions} and {@link ImageToTensorOptions}
 * @returns a new `[height, width, channels]` tensor; the caller disposes it
 * @throws {@link FormatError} for a corrupt or unknown file (see {@link decodeImage}).
 * @throws {@link InvalidValueError} when `bytes` is not a Uint8Array or an option is invalid.
 * @example
 * ```ts
 * const lr = decodeImageToTensor(bytes);             // float32 [H, W, 3]
 * const y = tf.tidy(() => model.call(lr.expandDims(0)));
 * lr.dispose();
 * ```
 * @category Image I/O
 */
export function decodeImageToTensor(bytes: Uint8Array, options?: DecodeImageToTensorOptions): tf.Tensor3D {
  const fn = 'decodeImageToTensor';
  checkBytes(fn, bytes);
  checkOptions(fn, options, [...Object.keys(DECODE_IMAGE_DEFAULTS), 'dtype', 'channels']);
  const { maxPixels, dtype, channels } = options ?? {};
  const image = decodeImage(bytes, maxPixels === undefined ? undefined : { maxPixels });
  const convert: ImageToTensorOptions = {};
  if (dtype !== undefined) convert.dtype = dtype;
  if (channels !== undefined) convert.channels = channels;
  return imageToTensor(image, convert);
}
