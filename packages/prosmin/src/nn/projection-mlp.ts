/**
 * BYOL's projector and predictor MLP.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Linear, Module, ReLU, Rng, Sequential, ShapeError, getGlobalRng } from '@lab/tensor';
import { checkInt, checkOptions, checkRng, checkTensor } from '../internal/validate';

/** Options of {@link ProjectionMlp}. @category Networks */
export interface ProjectionMlpOptions {
  /** Generator of the initial weights. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/** Batch norm over the features of `[n, c]` rows (PyTorch's `BatchNorm1d` on 2-D input). */
class BatchNorm1d extends BatchNorm2d {
  override forward(x: tf.Tensor): tf.Tensor {
    const [n, c] = x.shape;
    return tf.tidy(() => tf.reshape(super.forward(tf.reshape(x, [n, 1, 1, c])), [n, c]));
  }
}

/**
 * BYOL's MLP: `Linear(in, hidden) → BatchNorm1d → ReLU → Linear(hidden, out)` (`net.0`, `net.1`, `net.3`).
 *
 * BYOL uses it as projector (in = encoder width, hidden 4096, out 256) and as predictor
 * (in = out = 256, hidden 4096).
 * @see Grill et al. 2020, arXiv:2006.07733, §3.3
 * @example
 * ```ts
 * const proj = new ProjectionMlp(128, 512, 64);
 * const z = proj.call(tf.randomNormal([8, 128])); // [8, 64]
 * ```
 * @category Networks
 */
export class ProjectionMlp extends Module {
  /** Input size. */
  readonly inDim: number;
  /** Output size. */
  readonly outDim: number;
  /** The layers. */
  readonly net: Sequential;

  /**
   * @param inDim - input size
   * @param hiddenDim - hidden size
   * @param outDim - output size
   * @param options - see {@link ProjectionMlpOptions}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on a bad size or unknown option
   */
  constructor(inDim: number, hiddenDim: number, outDim: number, options: ProjectionMlpOptions = {}) {
    super();
    const fn = 'ProjectionMlp';
    checkOptions(fn, options, ['rng']);
    this.inDim = checkInt(fn, 'inDim', inDim);
    checkInt(fn, 'hiddenDim', hiddenDim);
    this.outDim = checkInt(fn, 'outDim', outDim);
    const rng = options.rng === undefined ? getGlobalRng() : checkRng(fn, options.rng);
    this.net = this.registerModule(
      'net',
      new Sequential(new Linear(inDim, hiddenDim, { rng }), new BatchNorm1d(hiddenDim), new ReLU(), new Linear(hiddenDim, outDim, { rng })),
    );
  }

  /**
   * Applies the MLP.
   * @param x - `[n, inDim]`, float32 (n ≥ 2 in training mode, for the batch statistics)
   * @returns `[n, outDim]`; the caller disposes it
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a wrong shape
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkTensor('ProjectionMlp', 'x', x, 2);
    if (x.shape[1] !== this.inDim) throw new ShapeError(`ProjectionMlp: x must have ${this.inDim} features, got shape [${x.shape}]`);
    return this.net.call(x);
  }
}
