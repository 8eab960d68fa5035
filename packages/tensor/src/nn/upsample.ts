/**
 * Spatial resizing with PyTorch's `nn.Upsample` / `F.interpolate` index rules, on NHWC tensors.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, checkOptions } from '../errors';
import { applyAxisMatrix, checkFloat, intPair, show } from './internal';
import { Module, checkInput } from './module';

/** Options of {@link Upsample}; give exactly one of `scaleFactor` and `size`. @category Modules */
export interface UpsampleOptions {
  /** Multiplier of height and width, one number or `[sh, sw]`; output size `⌊in · s⌋`. */
  scaleFactor?: number | [number, number];
  /** Output size, one number or `[h, w]`. */
  size?: number | [number, number];
  /** Interpolation. @defaultValue 'nearest' (as PyTorch) */
  mode?: 'nearest' | 'bilinear';
  /**
   * Bilinear only: map corner pixel centres onto each other, `src = dst · (in − 1)/(out − 1)`;
   * otherwise half-pixel centres are used, `src = max(0, (dst + ½) · scale − ½)`.
   * @defaultValue false
   */
  alignCorners?: boolean;
}

/**
 * A layer that resizes NHWC feature maps exactly as PyTorch's `nn.Upsample` (`F.interpolate`
 * with `recompute_scale_factor` unset).
 *
 * Per axis, with `scale = 1/scaleFactor` when a scale factor is given and `in/out` otherwise:
 * `'nearest'` reads `src = min(⌊dst · scale⌋, in − 1)`; `'bilinear'` interpolates linearly between
 * `⌊src⌋` and `⌊src⌋ + 1` (clamped) at `src = max(0, (dst + ½)·scale − ½)`, or at
 * `src = dst · (in − 1)/(out − 1)` with `alignCorners`. When these rules coincide with tfjs's
 * resize kernels (always with `size` or `alignCorners`, and whenever `in · scaleFactor` is an
 * integer) those kernels run; otherwise the layer applies the interpolation as one matrix per
 * axis, which gives PyTorch's result for fractional scale factors too. Every path is
 * differentiable.
 * @see `torch.nn.Upsample`, `torch.nn.functional.interpolate`
 * @example
 * ```ts
 * const up = new Upsample({ scaleFactor: 2, mode: 'bilinear' });
 * const y = up.call(tf.zeros([1, 8, 8, 3])); // [1, 16, 16, 3]
 * ```
 * @category Modules
 */
export class Upsample extends Module {
  /** Scale factor `[sh, sw]`, or null when `size` is given. */
  readonly scaleFactor: [number, number] | null;
  /** Output size `[h, w]`, or null when `scaleFactor` is given. */
  readonly size: [number, number] | null;
  /** Interpolation mode. */
  readonly mode: 'nearest' | 'bilinear';
  /** Whether corners are aligned (bilinear). */
  readonly alignCorners: boolean;

  /**
   * @param options - see {@link UpsampleOptions}
   * @throws {@link InvalidValueError} unless exactly one of `scaleFactor`/`size` is valid, on an
   *   unknown mode or option, or with `alignCorners: true` for `'nearest'`
   */
  constructor(options: UpsampleOptions) {
    super();
    const fn = 'Upsample';
    if (options === undefined || options === null || typeof options !== 'object') {
      throw new InvalidValueError(`${fn}: options must be an object with scaleFactor or size, got ${show(options)}`);
    }
    checkOptions(fn, options, ['scaleFactor', 'size', 'mode', 'alignCorners']);
    const { scaleFactor, size } = options;
    if ((scaleFactor === undefined) === (size === undefined)) {
      throw new InvalidValueError(`${fn}: exactly one of scaleFactor and size must be given`);
    }
    if (scaleFactor !== undefined) {
      const sf = typeof scaleFactor === 'number' ? [scaleFactor, scaleFactor] : scaleFactor;
      if (!Array.isArray(sf) || sf.length !== 2 || !sf.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0)) {
        throw new InvalidValueError(`${fn}: scaleFactor must be a positive number or a pair of them, got ${show(scaleFactor)}`);
      }
      this.scaleFactor = [sf[0], sf[1]];
      this.size = null;
    } else {
      this.size = intPair(fn, 'size', size);
      this.scaleFactor = null;
    }
    const mode = options.mode ?? 'nearest';
    if (mode !== 'nearest' && mode !== 'bilinear') {
      throw new InvalidValueError(`${fn}: mode must be 'nearest' or 'bilinear', got ${show(mode)}`);
    }
    this.mode = mode;
    const ac = options.alignCorners ?? false;
    if (typeof ac !== 'boolean') throw new InvalidValueError(`${fn}: alignCorners must be a boolean, got ${show(ac)}`);
    if (ac && mode === 'nearest') {
      throw new InvalidValueError(`${fn}: alignCorners can only be set with mode 'bilinear' (as PyTorch)`);
    }
    this.alignCorners = ac;
  }

  /** Output `[h, w]` for an input of spatial size `[h, w]`. */
  outputSize(h: number, w: number): [number, number] {
    if (this.size) return [this.size[0], this.size[1]];
    const sf = this.scaleFactor as [number, number];
    return [Math.floor(h * sf[0]), Math.floor(w * sf[1])];
  }

  /**
   * Resizes `x`.
   * @param x - input `[n, h, w, c]`, float32
   * @returns output `[n, h', w', c]`; the caller disposes it
   * @throws {@link ShapeError} if `x` is not rank 4, or the output would be empty
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkInput('Upsample', x, 4);
    checkFloat('Upsample', x);
    const [, h, w] = x.shape;
    const [oh, ow] = this.outputSize(h, w);
    if (oh < 1 || ow < 1) {
      throw new ShapeError(`Upsample: the output size must be positive, got [${oh}, ${ow}] for x of shape [${x.shape}]`);
    }
    const sf = this.scaleFactor;
    // PyTorch's source scale is 1/scaleFactor; tfjs uses in/out. They agree when out = in · s exactly.
    const tfjsRule = this.alignCorners || sf === null || (h * sf[0] === oh && w * sf[1] === ow);
    return tf.tidy(() => {
      const x4 = x as tf.Tensor4D;
      if (tfjsRule) {
        return this.mode === 'nearest'
          ? tf.image.resizeNearestNeighbor(x4, [oh, ow], false, false)
          : tf.image.resizeBilinear(x4, [oh, ow], this.alignCorners, !this.alignCorners);
      }
      const sh = 1 / (sf as [number, number])[0];
      const sw = 1 / (sf as [number, number])[1];
      const mh = interpolationMatrix(this.mode, h, oh, sh);
      const y = applyAxisMatrix(x4, mh, oh, 1);
      const mw = interpolationMatrix(this.mode, w, ow, sw);
      return applyAxisMatrix(y, mw, ow, 2);
    });
  }
}

/** Row-major `[out, in]` matrix of PyTorch's nearest or half-pixel bilinear rule with source scale `scale`. */
function interpolationMatrix(mode: 'nearest' | 'bilinear', n: number, out: number, scale: number): Float32Array {
  const m = new Float32Array(out * n);
  for (let d = 0; d < out; d++) {
    if (mode === 'nearest') {
      m[d * n + Math.min(Math.floor(d * scale), n - 1)] = 1;
      continue;
    }
    const src = Math.max(0, (d + 0.5) * scale - 0.5);
    const i0 = Math.min(Math.floor(src), n - 1);
    const i1 = Math.min(i0 + 1, n - 1);
    const lambda = src - i0;
    m[d * n + i0] += 1 - lambda;
    m[d * n + i1] += lambda;
  }
  return m;
}
