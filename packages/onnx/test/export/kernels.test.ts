import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Module, Rng, initBackend } from '@lab/tensor';
import { compareWithTfjs } from '../helpers';

let filter: tf.Tensor4D;
let dwFilter: tf.Tensor4D;
let bias: tf.Tensor1D;
let dense: tf.Tensor2D;
let alpha: tf.Tensor1D;

beforeAll(async () => {
  await initBackend();
  const rng = new Rng(5);
  filter = rng.normalTensor([3, 3, 4, 6], 0, 0.3) as tf.Tensor4D;
  dwFilter = rng.normalTensor([3, 3, 4, 2], 0, 0.3) as tf.Tensor4D;
  bias = rng.normalTensor([6]) as tf.Tensor1D;
  dense = rng.normalTensor([10, 192], 0, 0.1) as tf.Tensor2D;
  alpha = tf.tensor1d([0.1, 0.2, 0.3, 0.4]);
});

afterAll(() => {
  tf.dispose([filter, dwFilter, bias, dense, alpha]);
});

/** A model made of one function of its input. */
class Fn extends Module {
  constructor(private readonly f: (x: tf.Tensor4D) => tf.Tensor) {
    super();
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.f(x as tf.Tensor4D));
  }
}


/** Each case: name, function, and whether it is size-generic (then also run at another H, W). */
const CASES: [string, (x: tf.Tensor4D) => tf.Tensor, boolean][] = [
  ['transpose to [n,c,h,w] order', (x) => tf.transpose(x, [0, 3, 1, 2]), true],
  ['transpose to [n,w,h,c] order', (x) => tf.transpose(x, [0, 2, 1, 3]), true],
  ['mean over channels (rank 3 out)', (x) => tf.mean(x, 3), true],
  ['sum over [0, 1] (W, C order kept)', (x) => tf.sum(x, [0, 1]), true],
  ['max over W keepDims', (x) => tf.max(x, 2, true), true],
  ['min over H', (x) => tf.min(x, 1), true],
  ['softmax over channels', (x) => tf.softmax(x), true],
  ['concat along H', (x) => tf.concat([x, tf.mul(x, 2)], 1), true],
  ['split W [3, 5] and swap', (x) => tf.concat(tf.split(x, [3, 5], 2).reverse(), 2), false],
  ['slice begin [0,1,2,1] size [1,3,4,2]', (x) => tf.slice(x, [0, 1, 2, 1], [1, 3, 4, 2]), false],
  ['channel slice', (x) => tf.slice(x, [0, 0, 0, 1], [-1, -1, -1, 2]), true],
  ['pad [[0,0],[1,2],[0,1],[1,0]] with 0.5', (x) => tf.pad(x, [[0, 0], [1, 2], [0, 1], [1, 0]], 0.5), true],
  ['tile [1,2,1,3]', (x) => tf.tile(x, [1, 2, 1, 3]), true],
  ['resize bilinear align corners to 12×16', (x) => tf.image.resizeBilinear(x, [12, 16], true), false],
  ['resize bilinear half pixel ×2', (x) => tf.image.resizeBilinear(x, [x.shape[1] * 2, x.shape[2] * 2], false, true), true],
  ['resize nearest half pixel to 12×16', (x) => tf.image.resizeNearestNeighbor(x, [12, 16], false, true), false],
  ['resize nearest asymmetric to 9×13', (x) => tf.image.resizeNearestNeighbor(x, [9, 13]), false],
  ['avg pool 3 s2 same', (x) => tf.avgPool(x, 3, 2, 'same'), true],
  ['max pool 2 s1 valid', (x) => tf.maxPool(x, 2, 1, 'valid'), true],
  ['conv 3×3 s2 explicit pad', (x) => tf.conv2d(x, filter, 2, [[0, 0], [1, 1], [2, 0], [0, 0]]), true],
  ['conv 3×3 dilation 2 same', (x) => tf.conv2d(x, filter, 1, 'same', 'NHWC', 2), true],
  ['depthwise 3×3 multiplier 2 same', (x) => tf.depthwiseConv2d(x, dwFilter, 1, 'same'), true],
  ['fused conv + bias + relu6', (x) => tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias, activation: 'relu6' }), true],
  ['flatten + matMul transposeB', (x) => tf.matMul(tf.reshape(x, [1, 192]), dense, false, true), false],
  ['depthToSpace 2 (DCR)', (x) => tf.depthToSpace(x, 2), true],
  ['elu, selu, exp, abs', (x) => tf.addN([tf.elu(tf.sub(x, 0.5)), tf.selu(tf.sub(x, 0.5)), tf.exp(tf.neg(x)), tf.abs(tf.sub(x, 0.3))]), true],
  ['prelu with per-channel alpha', (x) => tf.prelu(tf.sub(x, 0.5), alpha), true],
  ['squared difference, rsqrt, clip, maximum, div, pow', (x) => tf.addN([tf.squaredDifference(x, alpha), tf.rsqrt(tf.add(x, 1)), tf.clipByValue(x, 0.2, 0.7), tf.maximum(x, 0.5), tf.div(x, 3), tf.pow(x, 2)]), true],
  ['broadcast add of a [n, c] activation', (x) => tf.add(x, tf.mean(x, [1, 2])), true],
  ['onesLike and zerosLike', (x) => tf.add(tf.mul(x, tf.onesLike(x)), tf.zerosLike(x)), true],
  ['cast to int32 and back', (x) => tf.cast(tf.cast(tf.mul(x, 10), 'int32'), 'float32'), true],
  ['stack along a new axis 4 (rank-5 output)', (x) => tf.stack([x, tf.mul(x, 2)], 4), true],
  ['unstack channels and stack them back reversed', (x) => tf.stack(tf.unstack(x, 3).reverse(), 3), true],
  ['sigmoid, tanh, log, sqrt', (x) => tf.addN([tf.sigmoid(x), tf.tanh(x), tf.log(tf.add(x, 1)), tf.sqrt(x)]), true],
];

describe('exportOnnx kernel conversions', () => {
  for (const [name, f, generic] of CASES) {
    it(`matches tfjs for ${name} on x=[1,6,8,4]${generic ? ' and [1,10,6,4]' : ''} within 1e-5 of the range`, async () => {
      const errors = await compareWithTfjs(new Fn(f), [1, 6, 8, 4], generic ? [[1, 6, 8, 4], [1, 10, 6, 4]] : [[1, 6, 8, 4]]);
      for (const e of errors) expect(e).toBeLessThan(1e-5);
    });
  }
});
