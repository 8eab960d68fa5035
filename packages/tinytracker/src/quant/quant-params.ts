/**
 * TFLite's int8 quantisation parameters: per-tensor asymmetric activations, per-channel (or
 * per-tensor) symmetric weights, int32 biases.
 * @packageDocumentation
 */
import { InvalidValueError } from '@lab/tensor';
import { roundHalfAway } from './fixed-point';

/** Affine quantisation of a tensor: `real = scale · (q − zeroPoint)`. @category Quantisation */
export interface QuantParams {
  /** Scale, a float32 value (as the TFLite schema stores it). */
  readonly scale: number;
  /** Zero point in [−128, 127] (0 for weights and biases). */
  readonly zeroPoint: number;
}

/** int8 range of activations. @internal */
export const QMIN = -128;
/** @internal */
export const QMAX = 127;
/** Symmetric (narrow) range of weights: [−127, 127]. @internal */
export const WEIGHT_QMAX = 127;

/**
 * Per-tensor asymmetric int8 parameters from a calibrated range, as the TFLite (MLIR) converter
 * nudges them (`getNudgedScaleAndZeroPoint`).
 *
 * The range is widened to contain 0; `scale = (max − min)/255`; the zero point is
 * `−128 − min/scale` or `127 − max/scale`, whichever has the smaller error term, rounded and
 * clamped to [−128, 127]. A degenerate range `min = max = 0` gives scale 1, zero point 0.
 * @param min - calibrated minimum (finite)
 * @param max - calibrated maximum (finite, ≥ min)
 * @returns the parameters, `scale` rounded to float32
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a non-finite or inverted range
 * @see tensorflow/compiler/mlir/lite/quantization (FakeQuantSupport `getNudgedScaleAndZeroPoint`)
 * @example
 * ```ts
 * activationQuantParams(-1, 1.08); // { scale: 0.008156…, zeroPoint: -5 } — the released TinyTracker input
 * ```
 * @category Quantisation
 */
export function activationQuantParams(min: number, max: number): QuantParams {
  const fn = 'activationQuantParams';
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new InvalidValueError(`${fn}: [min, max] must be a finite range with min <= max, got [${min}, ${max}]`);
  }
  const rmin = Math.min(min, 0);
  const rmax = Math.max(max, 0);
  if (rmin === rmax) return { scale: 1, zeroPoint: 0 };
  const scale = (rmax - rmin) / (QMAX - QMIN);
  const fromMin = QMIN - rmin / scale;
  const fromMinError = Math.abs(QMIN) + Math.abs(rmin / scale);
  const fromMax = QMAX - rmax / scale;
  const fromMaxError = Math.abs(QMAX) + Math.abs(rmax / scale);
  const zp = fromMinError < fromMaxError ? fromMin : fromMax;
  const zeroPoint = zp < QMIN ? QMIN : zp > QMAX ? QMAX : roundHalfAway(zp);
  return { scale: Math.fround(scale), zeroPoint };
}

/** Quantises one real value: `clamp(round(x/scale) + zp, −128, 127)`. @internal */
export function quantizeValue(x: number, p: QuantParams): number {
  const q = roundHalfAway(Math.fround(x / p.scale)) + p.zeroPoint;
  return q < QMIN ? QMIN : q > QMAX ? QMAX : q;
}

/** Symmetric int8 weights with one scale per output channel (or one for the tensor). @category Quantisation */
export interface QuantizedWeights {
  /** int8 values in [−127, 127], same layout as the float weights. */
  readonly values: Int8Array;
  /** One float32 scale per channel (length 1 when per-tensor); zero points are 0. */
  readonly scales: Float32Array;
}

/**
 * Quantises weights symmetrically to [−127, 127], per output channel (the last axis, TFLite's
 * `quantized_dimension` 0 of OHWI conv filters and 3 of `[1, kh, kw, c]` depthwise filters) or
 * per tensor (fully connected layers).
 *
 * `scale_c = max|w_c| / 127` (1 for an all-zero channel), `q = clamp(round(w/scale_c), ±127)`
 * with rounding half away from zero.
 * @param weights - float weights with the output channel as the last (fastest) axis
 * @param channels - number of output channels, or 1 for a single per-tensor scale
 * @returns the int8 values and the scales (no tensors)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when `channels` does not divide the length, or a weight is not finite
 * @example
 * ```ts
 * const q = quantizeWeights(Float32Array.of(0.5, -1, 0.25, 2), 2); // channels [0.5, 0.25], [-1, 2]
 * // q.scales ≈ [0.5/127, 2/127]; q.values = [127, -64, 64, 127]
 * ```
 * @category Quantisation
 */
export function quantizeWeights(weights: Float32Array, channels: number): QuantizedWeights {
  const fn = 'quantizeWeights';
  if (!Number.isInteger(channels) || channels < 1 || weights.length % channels !== 0) {
    throw new InvalidValueError(`${fn}: channels must be a positive integer dividing ${weights.length}, got ${channels}`);
  }
  const maxAbs = new Float64Array(channels);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (!Number.isFinite(w)) throw new InvalidValueError(`${fn}: weights[${i}] must be finite, got ${w}`);
    const c = i % channels;
    if (Math.abs(w) > maxAbs[c]) maxAbs[c] = Math.abs(w);
  }
  const scales = Float32Array.from(maxAbs, (m) => (m === 0 ? 1 : m / WEIGHT_QMAX));
  const values = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    const q = roundHalfAway(weights[i] / scales[i % channels]);
    values[i] = Math.max(-WEIGHT_QMAX, Math.min(WEIGHT_QMAX, q));
  }
  return { values, scales };
}

/**
 * Quantises biases to int32 with scale `s_in · s_w[c]` and zero point 0, as TFLite requires
 * for convolution and fully connected biases: `round(b / (s_in·s_w))`, clamped to int32.
 * @param bias - float biases `[c]`
 * @param inputScale - scale of the layer's input
 * @param weightScales - per-channel weight scales (length c) or one per-tensor scale
 * @returns int32 biases (no tensors)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a non-positive scale or a non-finite bias
 * @example
 * ```ts
 * quantizeBias(Float32Array.of(0.3), 0.1, Float32Array.of(0.01)); // Int32Array [300]
 * ```
 * @category Quantisation
 */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: Float32Array): Int32Array {
  const fn = 'quantizeBias';
  if (!(inputScale > 0) || !Number.isFinite(inputScale)) throw new InvalidValueError(`${fn}: inputScale must be > 0, got ${inputScale}`);
  if (weightScales.length !== 1 && weightScales.length !== bias.length) {
    throw new InvalidValueError(`${fn}: weightScales must have length 1 or ${bias.length}, got ${weightScales.length}`);
  }
  const out = new Int32Array(bias.length);
  for (let c = 0; c < bias.length; c++) {
    if (!Number.isFinite(bias[c])) throw new InvalidValueError(`${fn}: bias[${c}] must be finite, got ${bias[c]}`);
    const s = inputScale * weightScales[weightScales.length === 1 ? 0 : c];
    const q = roundHalfAway(bias[c] / s);
    out[c] = Math.max(-(2 ** 31) + 1, Math.min(2 ** 31 - 1, q));
  }
  return out;
}
