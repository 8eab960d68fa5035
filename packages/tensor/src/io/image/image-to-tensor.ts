import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '../../errors';
import { type ImageInput, checkImage } from './decoded-image';

/** Options of {@link imageToTensor}. @category Image I/O */
export interface ImageToTensorOptions {
  /**
   * `'float32'` scales samples to [0, 1] (`v / 255`, or `v / 65535` for 16-bit images, like
   * torchvision's `ToTensor`); `'int32'` keeps the integer sample values.
   * @defaultValue 'float32'
   */
  dtype?: 'float32' | 'int32';
  /**
   * Channels of the result. Alpha is dropped (not composited) when narrowing; grey is repeated to
   * RGB and an opaque alpha is added when widening; RGB → grey is the ITU-R BT.601 luma
   * `0.299 R + 0.587 G + 0.114 B` (rounded to the nearest integer, ties up, for `'int32'`).
   * @defaultValue the image's own channel count
   */
  channels?: 1 | 3 | 4;
}

/** Defaults of {@link ImageToTensorOptions} (`channels` defaults to the image's own). @category Image I/O */
export const IMAGE_TO_TENSOR_DEFAULTS: Readonly<{
  /** Default of {@link ImageToTensorOptions.dtype}. */
  dtype: 'float32';
}> = Object.freeze({
  dtype: 'float32',
});

const KEYS = ['dtype', 'channels'];

/**
 * Converts decoded pixels into an `[H, W, C]` tensor, float in [0, 1] or integer sample values.
 *
 * Float values are `v / (2^bitDepth − 1)` computed in double precision and rounded once to float32,
 * which equals PyTorch's float32 `x / 255`. Channel conversion follows {@link ImageToTensorOptions.channels}.
 * @param image - a {@link DecodedImage} or raw pixels ({@link ImageInput})
 * @param options - see {@link ImageToTensorOptions}
 * @returns a new `[height, width, channels]` tensor (NHWC without the batch axis); the caller disposes it
 * @throws {@link ShapeError} when the image fields disagree with the data length.
 * @throws {@link InvalidValueError} for an unknown option, a dtype other than float32/int32, or
 * `channels` other than 1, 3 or 4 (a 2-channel result comes only from a grey + alpha image as is).
 * @example
 * ```ts
 * const x = imageToTensor(decodeImage(bytes)); // float32 [H, W, 3] in [0, 1]
 * const batch = x.expandDims(0);                // [1, H, W, 3]
 * x.dispose();
 * ```
 * @category Image I/O
 */
export function imageToTensor(image: ImageInput, options?: ImageToTensorOptions): tf.Tensor3D {
  const fn = 'imageToTensor';
  const img = checkImage(fn, image);
  checkOptions(fn, options, KEYS);
  const dtype = options?.dtype ?? IMAGE_TO_TENSOR_DEFAULTS.dtype;
  if (dtype !== 'float32' && dtype !== 'int32') {
    throw new InvalidValueError(`${fn}: dtype must be 'float32' or 'int32', got ${String(dtype)}`);
  }
  const outCh = options?.channels ?? img.channels;
  if (options?.channels !== undefined && outCh !== 1 && outCh !== 3 && outCh !== 4) {
    throw new InvalidValueError(`${fn}: channels must be 1, 3 or 4, got ${String(options.channels)}`);
  }
  const { width, height, channels: inCh, data } = img;
  const full = img.bitDepth === 16 ? 65535 : 255;
  const count = width * height;
  const isFloat = dtype === 'float32';
  const out = isFloat ? new Float32Array(count * outCh) : new Int32Array(count * outCh);
  const inColour = inCh >= 3;
  const inAlpha = inCh === 2 || inCh === 4;
  for (let i = 0; i < count; i++) {
    const s = i * inCh;
    const o = i * outCh;
    let r: number, g: number, b: number;
    if (inColour) {
      r = data[s];
      g = data[s + 1];
      b = data[s + 2];
    } else {
      r = g = b = data[s];
    }
    const a = inAlpha ? data[s + inCh - 1] : full;
    if (outCh === 1 || outCh === 2) {
      if (inColour) {
        const luma = 0.299 * r + 0.587 * g + 0.114 * b;
        out[o] = isFloat ? luma / full : Math.min(full, Math.floor(luma + 0.5));
      } else {
        out[o] = isFloat ? r / full : r;
      }
      if (outCh === 2) out[o + 1] = isFloat ? a / full : a;
    } else {
      out[o] = isFloat ? r / full : r;
      out[o + 1] = isFloat ? g / full : g;
      out[o + 2] = isFloat ? b / full : b;
      if (outCh === 4) out[o + 3] = isFloat ? a / full : a;
    }
  }
  return tf.tensor3d(out, [height, width, outCh], dtype);
}
