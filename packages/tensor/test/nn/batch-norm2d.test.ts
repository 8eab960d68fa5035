import * as tf from '@tensorflow/tfjs-core';
import '../../src/backend/index'; // gradients and wasm training kernels, as the package entry registers them
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '../../src/errors';
import { BATCH_NORM2D_DEFAULTS, BatchNorm2d } from '../../src/nn/batch-norm2d';
import { describeBackends, expectTensorDelta } from '../helpers';
import { expectClose, take } from './reference';

// x: [2, 1, 2, 2] (n, h, w, c). Channel 0 holds 1, 2, 3, 6 (mean 3, biased var 3.5, unbiased 14/3);
// channel 1 holds 0, 0, 0, 4 (mean 1, biased var 3, unbiased 4).
const X = [1, 0, 2, 0, 3, 0, 6, 4];
const SHAPE: [number, number, number, number] = [2, 1, 2, 2];
const EPS = 1e-5;

function normalised(): number[] {
  const out: number[] = [];
  for (let i = 0; i < X.length; i++) {
    const c = i % 2;
    out.push(c === 0 ? (X[i] - 3) / Math.sqrt(3.5 + EPS) : (X[i] - 1) / Math.sqrt(3 + EPS));
  }
  return out;
}

describeBackends('BatchNorm2d', () => {
  it('normalises with batch mean and biased variance in training mode (hand-computed)', async () => {
    expect(BATCH_NORM2D_DEFAULTS).toEqual({ eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true });
    const bn = new BatchNorm2d(2);
    const x = tf.tensor4d(X, SHAPE);
    const y = await expectTensorDelta(() => bn.call(x), 1);
    expectClose(take(y), normalised(), 1e-6);
    x.dispose();
    bn.dispose();
  });

  it('updates running stats with momentum 0.1 and the unbiased variance: mean [0.3,0.1], var [1.36667,1.3]', () => {
    // running_mean = 0.9·0 + 0.1·[3, 1]; running_var = 0.9·1 + 0.1·[14/3, 4]
    const bn = new BatchNorm2d(2);
    const x = tf.tensor4d(X, SHAPE);
    bn.call(x).dispose();
    expectClose(bn.runningMean!.dataSync(), [0.3, 0.1], 1e-6);
    expectClose(bn.runningVar!.dataSync(), [0.9 + 0.1 * (14 / 3), 0.9 + 0.4], 1e-6);
    expect(Array.from(bn.numBatchesTracked!.dataSync())).toEqual([1]);
    bn.call(x).dispose();
    // second step: 0.9·0.3 + 0.1·3 = 0.57
    expectClose(bn.runningMean!.dataSync(), [0.57, 0.19], 1e-6);
    expect(Array.from(bn.numBatchesTracked!.dataSync())).toEqual([2]);
    x.dispose();
    bn.dispose();
  });

  it('uses the cumulative average with momentum null (mean of the batch means)', () => {
    const bn = new BatchNorm2d(1, { momentum: null });
    const a = tf.tensor4d([1, 3], [1, 1, 2, 1]); // mean 2
    const b = tf.tensor4d([10, 20], [1, 1, 2, 1]); // mean 15
    bn.call(a).dispose();
    bn.call(b).dispose();
    expectClose(bn.runningMean!.dataSync(), [8.5], 1e-6);
    a.dispose();
    b.dispose();
    bn.dispose();
  });

  it('uses running statistics and the affine map in eval mode: (x − μ)/√(σ² + eps)·γ + β', () => {
    const bn = new BatchNorm2d(2);
    const dict = {
      weight: tf.tensor1d([2, 1]),
      bias: tf.tensor1d([0, 1]),
      running_mean: tf.tensor1d([1, 2]),
      running_var: tf.tensor1d([4, 9]),
      num_batches_tracked: tf.scalar(7, 'int32'),
    };
    bn.loadStateDict(dict);
    bn.eval();
    const x = tf.tensor4d(X, SHAPE);
    const expected = X.map((v, i) => (i % 2 === 0 ? ((v - 1) / Math.sqrt(4 + EPS)) * 2 : (v - 2) / Math.sqrt(9 + EPS) + 1));
    expectClose(take(bn.call(x)), expected, 1e-6);
    // eval does not touch the running stats
    expect(Array.from(bn.runningMean!.dataSync())).toEqual([1, 2]);
    expect(Array.from(bn.numBatchesTracked!.dataSync())).toEqual([7]);
    for (const t of [x, ...Object.values(dict)]) t.dispose();
    bn.dispose();
  });

  it('has no buffers without trackRunningStats and then normalises with batch stats in eval too', () => {
    const bn = new BatchNorm2d(2, { trackRunningStats: false, affine: false });
    expect(bn.namedBuffers()).toEqual([]);
    expect(bn.namedParameters()).toEqual([]);
    bn.eval();
    const x = tf.tensor4d(X, SHAPE);
    expectClose(take(bn.call(x)), normalised(), 1e-6);
    x.dispose();
    bn.dispose();
  });

  it('back-propagates through the batch statistics in training mode (analytic gradients)', async () => {
    // L = Σ c·y with y = γ·x̂ + β: dL/dγ = Σ c·x̂, dL/dβ = Σ c,
    // dL/dx = γ/σ · (c − mean(c) − x̂·mean(c·x̂)) per channel.
    const bn = new BatchNorm2d(2);
    const gamma = tf.tensor1d([1.5, -0.5]);
    bn.weight!.assign(gamma);
    const c = [1, -2, 0.5, 3, -1, 1, 2, 0];
    const ct = tf.tensor4d(c, SHAPE);
    const x = tf.tensor4d(X, SHAPE);
    const { value, grads } = await expectTensorDelta(
      () => tf.variableGrads(() => tf.sum(tf.mul(bn.call(x), ct)) as tf.Scalar, bn.parameters()),
      3,
    );
    const xhat = normalised();
    const dGamma = [0, 0];
    const dBeta = [0, 0];
    for (let i = 0; i < 8; i++) {
      dGamma[i % 2] += c[i] * xhat[i];
      dBeta[i % 2] += c[i];
    }
    expectClose(take(grads[bn.weight!.name]), dGamma, 1e-5);
    expectClose(take(grads[bn.bias!.name]), dBeta, 1e-6);
    value.dispose();
    // The running statistics were updated inside variableGrads.
    expect(Array.from(bn.numBatchesTracked!.dataSync())).toEqual([1]);

    const dx = await expectTensorDelta(() => tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(bn.call(xi), ct)))(x), 1);
    const sigma = [Math.sqrt(3.5 + EPS), Math.sqrt(3 + EPS)];
    const g = [1.5, -0.5];
    const expected: number[] = [];
    for (let i = 0; i < 8; i++) {
      const ch = i % 2;
      const meanC = dBeta[ch] / 4;
      const meanCx = dGamma[ch] / 4;
      expected.push((g[ch] / sigma[ch]) * (c[i] - meanC - xhat[i] * meanCx));
    }
    expectClose(take(dx), expected, 1e-5);
    for (const t of [gamma, ct, x]) t.dispose();
    bn.dispose();
  });

  it('rejects the wrong channel count (ShapeError) and a single value per channel in training', () => {
    const bn = new BatchNorm2d(3);
    const x = tf.zeros([2, 2, 2, 2]);
    expect(() => bn.call(x)).toThrow(/BatchNorm2d: x must have 3 channels/);
    expect(() => bn.call(x)).toThrow(ShapeError);
    const one = tf.zeros([1, 1, 1, 3]);
    expect(() => bn.call(one)).toThrow(/more than 1 value per channel/);
    bn.eval();
    bn.call(one).dispose(); // fine in eval
    expect(() => new BatchNorm2d(3, { momentum: 2 })).toThrow(InvalidValueError);
    expect(() => new BatchNorm2d(3, { eps: -1 })).toThrow(/BatchNorm2d: eps/);
    for (const t of [x, one]) t.dispose();
    bn.dispose();
  });

  it('leaves numTensors unchanged after construct, training call in tidy, dispose', async () => {
    const x = tf.tensor4d(X, SHAPE);
    await expectTensorDelta(() => {
      const bn = new BatchNorm2d(2, { momentum: null });
      tf.tidy(() => {
        bn.call(x);
      });
      // The running stats assigned inside the tidy survive it (cumulative average of one batch = its mean).
      expectClose(bn.runningMean!.dataSync(), [3, 1], 1e-6);
      bn.dispose();
    }, 0);
    x.dispose();
  });
});
