/**
 * A one-input view of a reference-based model, so the single-input profiler and timers can run it.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module } from '@lab/tensor';
import { imresizeTensor } from '../eval/imresize';
import type { Datsr } from '../models/datsr/datsr';

/**
 * `call(lr)` runs `net.upscale(lr, ref)` with the reference `ref` = bicubic ×4 of `lr` (MATLAB
 * `imresize`, computed in JavaScript, so it adds no multiply-accumulates to a profile): a
 * deterministic reference of 4× the LR size, for cost measurements (`ntireMetrics`, `profile`).
 * The output is a valid ×4 SR image, but a reference made from the LR image carries no extra
 * texture: for results, call `upscale(lr, ref)` with a real reference.
 *
 * The wrapped model is a child, so `numParameters()`, `eval()` and `dispose()` reach it; `minInputSize`
 * is 3 (DATSR pads smaller inputs).
 * @example
 * ```ts
 * const m = await ntireMetrics(new BicubicReferenceAdapter(createReferenceModel('datsr')), { lrSize: 40 });
 * ```
 * @category NTIRE
 */
export class BicubicReferenceAdapter extends Module<[tf.Tensor], tf.Tensor> {
  /** The wrapped reference-based model. */
  readonly net: Datsr;
  /** Upscaling factor of the wrapped model. */
  readonly scale: number;
  /** Smallest LR side accepted. */
  readonly minInputSize = 3;

  /**
   * @param net - a reference-based model with `upscale(lr, ref)` and `scale` 4 (DATSR); owned by the adapter from now on
   * @throws InvalidValueError for a non-module
   */
  constructor(net: Datsr) {
    super();
    if (!(net instanceof Module)) throw new InvalidValueError(`BicubicReferenceAdapter: net must be a Module, got ${typeof net}`);
    this.net = this.registerModule('net', net);
    this.scale = net.scale;
  }

  /**
   * @param lr - `[n, h, w, 3]` float32 in [0, 1]; not disposed
   * @returns `[n, 4h, 4w, 3]`; the caller disposes it
   * @throws ShapeError naming `lr` (from the wrapped model)
   */
  forward(lr: tf.Tensor): tf.Tensor {
    const ref = lr.rank === 4 && lr.dtype === 'float32' ? imresizeTensor(lr as tf.Tensor4D, this.scale) : lr;
    try {
      return this.net.upscale(lr, ref);
    } finally {
      if (ref !== lr) ref.dispose();
    }
  }
}
