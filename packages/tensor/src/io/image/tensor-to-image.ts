import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, checkOptions } from '../../errors';
import type { DecodedImage } from './decoded-image';

/** Options of {@link tensorToImage}. @category Image I/O */
export interface TensorToImageOptions {
  /**
   * Scale of the tensor's values: `'0-1'` (1.0 is full scale) or `'0-255'` (255 is full scale).
   * @defaultValue '0-1' (the convention of every lab model)
   */
  range?: '0-1' | '0-255';
  /**
   * Bits per sample of the result: 8 (`Uint8Array`) or 16 (`Uint16Array`, full scale 65535).
   * @defaultValue 8
   */
  bitDepth?: 8 | 16;
}

/** Defaults of {@link TensorToImageOptions}. @category Image I/O */
export const TENSOR_TO_IMAGE_DEFAULTS: Readonly<Required<TensorToImageOptions>> = Object.freeze({
  /** Default of {@link TensorToImageOptions.range}. */
  range: '0-1',
  /** Default of {@link TensorToImageOptions.bitDepth}. */
  bitDepth: 8,
});

/**
 * Quantises an `[H, W, C]` tensor into integer samples: scale, clamp, round half to even.
 *
 * Each value `v` becomes `roundHalfEven(clamp(fround(v · k), 0, full))` where `full` is 255 or
 * 65535 and `k = full` for range `'0-1'`, `k = full / 255` for `'0-255'`. The product is rounded
 * to float32 first and ties go to the even integer, so 8-bit output equals BasicSR's `tensor2img`
 * (`(x.clamp(0, 1) * 255.0).round()` in float32, since `torch.round` and `np.round` round half to
 * even): 0.5/255 → 0, 1.5/255 → 2, 2.5/255 → 2. Infinities clamp to 0 or full scale.
 * @param t - float32 or int32 tensor `[height, width, channels]`, channels 1–4 (grey, grey + alpha,
 * RGB, RGBA); not disposed
 * @param options - see {@link TensorToImageOptions}
 * @returns a new {@link DecodedImage}; no tensor is allocated
 * @throws {@link ShapeError} when `t` is not a rank-3 float32/int32 tensor with 1–4 channels and a
 * non-empty height and width.
 * @throws {@link InvalidValueError} when `t` holds NaN (the message gives the first position) or an
 * option is invalid.
 * @example
 * ```ts
 * const sr = tf.tidy(() => model.call(lr).squeeze([0]) as tf.Tensor3D);
 * const png = encodePng(tensorToImage(sr));
 * sr.dispose();
 * ```
 * @category Image I/O
 */
export function tensorToImage(t: tf.Tensor3D, options?: TensorToImageOptions): DecodedImage {
  const fn = 'tensorToImage';
  if (!(t instanceof tf.Tensor)) throw new ShapeError(`${fn}: t must be a tf.Tensor, got ${t === null ? 'null' : typeof t}`);
  if (t.rank !== 3) throw new ShapeError(`${fn}: t must have rank 3 [height, width, channels], got shape [${t.shape}]`);
  const [height, width, channels] = t.shape;
  if (channels < 1 || channels > 4) {
    throw new ShapeError(`${fn}: t must have 1–4 channels (last axis), got shape [${t.shape}]`);
  }
  if (height < 1 || width < 1) throw new ShapeError(`${fn}: t must have a non-empty height and width, got shape [${t.shape}]`);
  if (t.dtype !== 'float32' && t.dtype !== 'int32') {
    throw new ShapeError(`${fn}: t must have dtype float32 or int32, got ${t.dtype}`);
  }
  checkOptions(fn, options, Object.keys(TENSOR_TO_IMAGE_DEFAULTS));
  const range = options?.range ?? TENSOR_TO_IMAGE_DEFAULTS.range;
  const bitDepth = options?.bitDepth ?? TENSOR_TO_IMAGE_DEFAULTS.bitDepth;
  if (range !== '0-1' && range !== '0-255') {
    throw new InvalidValueError(`${fn}: range must be '0-1' or '0-255', got ${String(range)}`);
  }
  if (bitDepth !== 8 && bitDepth !== 16) throw new InvalidValueError(`${fn}: bitDepth must be 8 or 16, got ${String(bitDepth)}`);
  const full = bitDepth === 16 ? 65535 : 255;
  const k = range === '0-1' ? full : full / 255;
  const values = t.dataSync();
  const out = bitDepth === 16 ? new Uint16Array(values.length) : new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) {
      const c = i % channels;
      const x = Math.floor(i / channels) % width;
      const y = Math.floor(i / (channels * width));
      throw new InvalidValueError(`${fn}: t must not contain NaN, got NaN at [${y}, ${x}, ${c}]`);
    }
    const s = Math.fround(v * k);
    out[i] = s <= 0 ? 0 : s >= full ? full : roundHalfEven(s);
  }
  return { width, height, channels: channels as 1 | 2 | 3 | 4, bitDepth, data: out };
}

/** Rounds to the nearest integer, ties to even (IEEE 754 roundTiesToEven), for finite x ≥ 0. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
