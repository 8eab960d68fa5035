/**
 * The base class of the super-resolution networks: input checks and the pixel-range contract.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, ShapeError, checkInput } from '@lab/tensor';
import { PIXEL_RANGES, type PixelRange } from './pixel-range';

/**
 * What every super-resolution model of this package offers to callers (tiled inference,
 * evaluation, benchmarks): an NHWC RGB network that enlarges its input `scale` times and reads
 * and writes pixel values in `range`.
 * @category Models
 */
export interface SrModel extends Module<[tf.Tensor], tf.Tensor> {
  /**
   * Factor by which height and width grow: an integer for the fixed-scale networks; any real
   * number above 0 for arbitrary-scale ones (CiaoSR, output `round(h·scale)`). Tiled `upscale` and
   * `evaluateSr` take integer scales only.
   */
  readonly scale: number;
  /** Range of the tensors `call` accepts and returns. */
  readonly range: PixelRange;
  /** Range the weights were trained for (what the reference code feeds the network). */
  readonly nativeRange: PixelRange;
  /** Smallest input height and width the network accepts (ESA blocks need 15). */
  readonly minInputSize: number;
}

/** Options shared by every network of this package. @category Models */
export interface SrNetworkOptions {
  /**
   * Range of the input and output tensors. When it differs from the network's native range the
   * input is multiplied (or divided) by 255 before the first layer and the output converted back,
   * so callers can pass `[0, 1]` images to every model. `'0-255'` for RFDN/RLFN (or `'0-1'` for
   * IMDN) reproduces the reference code bit for bit.
   * @defaultValue '0-1'
   */
  range?: PixelRange;
}

/** Defaults of {@link SrNetworkOptions}. @category Models */
export const SR_NETWORK_DEFAULTS = Object.freeze({
  /** Default of {@link SrNetworkOptions.range}. */
  range: '0-1',
} as const);

/** Option keys of {@link SrNetworkOptions}, for `checkOptions` in subclasses. @internal */
export const SR_NETWORK_OPTION_KEYS = ['range'] as const;

/**
 * Base class of the networks: checks the input (`[n, h, w, 3]` float32, at least
 * {@link SrNetwork.minInputSize} pixels high and wide) and converts between the caller's
 * {@link SrNetwork.range} and the network's native range around {@link SrNetwork.forwardNative}.
 * Registers no parameters, so subclasses' parameter names equal the reference `state_dict` keys.
 * @category Models
 */
export abstract class SrNetwork extends Module<[tf.Tensor], tf.Tensor> implements SrModel {
  readonly scale: number;
  readonly range: PixelRange;
  readonly nativeRange: PixelRange;
  readonly minInputSize: number;
  private readonly label: string;

  /**
   * @param label - class name used in error messages
   * @param spec - the network's fixed properties and the caller's range option
   * @throws InvalidValueError for a range other than `'0-1'` or `'0-255'`
   */
  protected constructor(
    label: string,
    spec: { scale: number; nativeRange: PixelRange; range: PixelRange | undefined; minInputSize?: number },
  ) {
    super();
    const range = spec.range ?? SR_NETWORK_DEFAULTS.range;
    if (!PIXEL_RANGES.includes(range)) {
      throw new InvalidValueError(`${label}: range must be '0-1' or '0-255', got ${JSON.stringify(range)}`);
    }
    this.label = label;
    this.scale = spec.scale;
    this.nativeRange = spec.nativeRange;
    this.range = range;
    this.minInputSize = spec.minInputSize ?? 1;
  }

  /**
   * The network itself on an input in the native range.
   * @param x - `[n, h, w, 3]` in {@link SrNetwork.nativeRange}, already checked
   * @returns `[n, h·scale, w·scale, 3]` in the native range
   */
  protected abstract forwardNative(x: tf.Tensor4D): tf.Tensor4D;

  /**
   * Super-resolves a batch of RGB images.
   * @param x - `[n, h, w, 3]` float32 in {@link SrNetwork.range}, `h, w ≥ minInputSize`; not disposed
   * @returns `[n, h·scale, w·scale, 3]` float32 in {@link SrNetwork.range}, not clamped; the caller disposes it
   * @throws ShapeError for another rank, channel count or dtype, or a too small input
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkInput(this.label, x, 4, 3);
    if (x.dtype !== 'float32') throw new ShapeError(`${this.label}: x must have dtype float32, got ${x.dtype}`);
    const [, h, w] = x.shape;
    if (h < this.minInputSize || w < this.minInputSize) {
      throw new ShapeError(
        `${this.label}: x must be at least ${this.minInputSize}×${this.minInputSize} pixels (height and width), got shape [${x.shape}]`,
      );
    }
    return tf.tidy(() => {
      if (this.range === this.nativeRange) return this.forwardNative(x as tf.Tensor4D);
      // x·255 and y/255 (or x/255 and y·255), as the reference scripts convert uint8 images.
      const up = this.nativeRange === '0-255';
      const y = this.forwardNative((up ? tf.mul(x, 255) : tf.div(x, 255)) as tf.Tensor4D);
      return up ? tf.div(y, 255) : tf.mul(y, 255);
    });
  }
}
