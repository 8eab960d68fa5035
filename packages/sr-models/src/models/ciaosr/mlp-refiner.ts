/**
 * The MLP of LIIF-style decoders (mmediting's `MLPRefiner`).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, ReLU, Sequential, ShapeError, type Rng } from '@lab/tensor';
import { checkPositiveInt } from '../common/options';

/**
 * A multilayer perceptron on the last axis: `Linear(in, h₁)`, ReLU, …, `Linear(h_k, out)`, as
 * `MLPRefiner` of mmediting (used by LIIF and CiaoSR).
 *
 * Parameters: `layers.0`, `layers.2`, …, `layers.{2k}` (each a {@link Linear}; PyTorch
 * `[out, in]` weights), so the keys equal the reference `imnet_q.layers.0.weight` and so on.
 * @see caojiezhang/CiaoSR `mmedited/models/components/refiners/mlp_refiner.py` (`MLPRefiner`)
 * @example
 * ```ts
 * const mlp = new MlpRefiner(580, 576, [256, 256, 256, 256]);
 * const y = mlp.call(tf.zeros([10, 580])); // [10, 576]
 * ```
 * @category Models
 */
export class MlpRefiner extends Module {
  /** Size of the last input axis. */
  readonly inDim: number;
  /** Size of the last output axis. */
  readonly outDim: number;
  /** `layers`: the Linear and ReLU modules in order. */
  readonly layers: Sequential;

  /**
   * @param inDim - input features
   * @param outDim - output features
   * @param hiddenDims - widths of the hidden layers (each followed by a ReLU)
   * @param rng - generator of the initial weights (the global one when omitted)
   * @throws InvalidValueError for a size that is not a positive integer
   */
  constructor(inDim: number, outDim: number, hiddenDims: readonly number[], rng?: Rng) {
    super();
    const fn = 'MlpRefiner';
    this.inDim = checkPositiveInt(fn, 'inDim', inDim);
    this.outDim = checkPositiveInt(fn, 'outDim', outDim);
    hiddenDims.forEach((d, i) => checkPositiveInt(fn, `hiddenDims[${i}]`, d));
    const mods: Module<any, any>[] = [];
    let last = inDim;
    for (const d of hiddenDims) {
      mods.push(new Linear(last, d, { rng }), new ReLU());
      last = d;
    }
    mods.push(new Linear(last, outDim, { rng }));
    this.layers = this.registerModule('layers', new Sequential(...mods));
  }

  /**
   * @param x - `[…, inDim]` float32
   * @returns `[…, outDim]`; the caller disposes it
   * @throws ShapeError when the last axis is not `inDim`
   */
  forward(x: tf.Tensor): tf.Tensor {
    if (!(x instanceof tf.Tensor) || x.rank < 1 || x.shape[x.rank - 1] !== this.inDim) {
      throw new ShapeError(`MlpRefiner: x must have ${this.inDim} features on its last axis, got ${x instanceof tf.Tensor ? `shape [${x.shape}]` : typeof x}`);
    }
    return this.layers.call(x);
  }
}
