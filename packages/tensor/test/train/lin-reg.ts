import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../../src/index';

/**
 * y = x·w + b with one feature: the smallest model with a closed-form least-squares solution.
 * `modesSeen` records `training` at every forward call.
 */
export class LinReg extends Module<[tf.Tensor], tf.Tensor> {
  readonly w: tf.Variable;
  readonly b: tf.Variable;
  readonly modesSeen: boolean[] = [];
  constructor(w0 = 0, b0 = 0) {
    super();
    this.w = this.registerParameter('weight', tf.tensor2d([[w0]]));
    this.b = this.registerParameter('bias', tf.tensor1d([b0]));
  }
  forward(x: tf.Tensor): tf.Tensor {
    this.modesSeen.push(this.training);
    return tf.add(tf.matMul(x as tf.Tensor2D, this.w as tf.Tensor2D), this.b);
  }
}

/**
 * Data x = 0, 1, 2, 3 and y = 1, 3, 2, 5. By hand: mean x = 1.5, mean y = 2.75,
 * Sxx = Σ(x − 1.5)² = 5, Sxy = Σ(x − 1.5)(y − 2.75) = 5.5, so w* = Sxy / Sxx = 1.1 and
 * b* = 2.75 − 1.1·1.5 = 1.1; residuals −0.1, 0.8, −1.3, 0.6 give the minimal MSE 2.7 / 4 = 0.675.
 */
export const XS = [0, 1, 2, 3];
export const YS = [1, 3, 2, 5];
export const W_STAR = 1.1;
export const B_STAR = 1.1;
export const MSE_STAR = 0.675;

export const mse = (pred: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.mean(tf.squaredDifference(pred, y)) as tf.Scalar;

/** Batches of the data set, cut at the given sizes (caller disposes with disposeBatches). */
export function batches(sizes: number[] = [4]): { x: tf.Tensor; y: tf.Tensor }[] {
  const out: { x: tf.Tensor; y: tf.Tensor }[] = [];
  let i = 0;
  for (const s of sizes) {
    out.push({ x: tf.tensor2d(XS.slice(i, i + s), [s, 1]), y: tf.tensor2d(YS.slice(i, i + s), [s, 1]) });
    i += s;
  }
  return out;
}

export function disposeBatches(bs: { x: tf.Tensor; y: tf.Tensor }[]): void {
  for (const b of bs) tf.dispose([b.x, b.y]);
}

export function value(v: tf.Variable): number {
  return v.dataSync()[0];
}
