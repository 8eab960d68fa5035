import * as tf from '@tensorflow/tfjs-core';
import { LINEAR_LAYOUT, Module } from '../../src/index';

/** A module with a Linear-layout weight (native [in, out] = [3, 2]), a bias and an int32 buffer. */
export class Tiny extends Module<[tf.Tensor], tf.Tensor> {
  readonly weight: tf.Variable;
  constructor(scale = 1) {
    super();
    // Native [in = 3, out = 2]: rows are inputs. PyTorch stores [out, in] = the transpose.
    this.weight = this.registerParameter('weight', tf.tensor2d([[1, 2], [3, 4], [5, 6]].map((r) => r.map((v) => v * scale))), LINEAR_LAYOUT);
    this.registerParameter('bias', tf.tensor1d([0.5 * scale, -0.5 * scale]));
    this.registerBuffer('steps', tf.scalar(7 * scale, 'int32'));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.matMul(x as tf.Tensor2D, this.weight as tf.Tensor2D);
  }
}
