import * as tf from '@tensorflow/tfjs-core';
import '../../src/backend/index'; // gradients and wasm training kernels, as the package entry registers them
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '../../src/errors';
import { Linear } from '../../src/nn/linear';
import { Rng } from '../../src/random/rng';
import { describeBackends, expectTensorDelta } from '../helpers';
import { expectClose, take } from './reference';

/** Linear(3 → 2) with torch weight [[1,2,3],[4,5,6]] and bias [0.5,-1]. */
function golden(): Linear {
  const fc = new Linear(3, 2);
  const dict = { weight: tf.tensor2d([[1, 2, 3], [4, 5, 6]]), bias: tf.tensor1d([0.5, -1]) };
  fc.loadStateDict(dict);
  dict.weight.dispose();
  dict.bias.dispose();
  return fc;
}

describeBackends('Linear', () => {
  it('computes x·Wᵀ + b by hand: [[1,0,-1],[2,1,0]] → [[-1.5,-3],[4.5,12]]', async () => {
    // row 1: [1−3, 4−6] + [0.5, −1]; row 2: [2+2, 8+5] + [0.5, −1]
    const fc = golden();
    const x = tf.tensor2d([[1, 0, -1], [2, 1, 0]]);
    const y = await expectTensorDelta(() => fc.call(x), 1);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(take(y))).toEqual([-1.5, -3, 4.5, 12]);
    x.dispose();
    fc.dispose();
  });

  it('keeps any leading shape: [2,2,3] → [2,2,2] and [3] → [2]', () => {
    const fc = golden();
    const x = tf.tensor3d([[[1, 0, -1], [2, 1, 0]], [[0, 0, 0], [1, 1, 1]]]);
    const y = fc.call(x);
    expect(y.shape).toEqual([2, 2, 2]);
    // [0,0,0] → b; [1,1,1] → [6, 15] + b
    expect(Array.from(take(y))).toEqual([-1.5, -3, 4.5, 12, 0.5, -1, 6.5, 14]);
    const v = tf.tensor1d([1, 1, 1]);
    const yv = fc.call(v);
    expect(yv.shape).toEqual([2]);
    expect(Array.from(take(yv))).toEqual([6.5, 14]);
    x.dispose();
    v.dispose();
    fc.dispose();
  });

  it('has no bias parameter with bias: false', () => {
    const fc = new Linear(4, 3, { bias: false });
    expect(fc.namedParameters().map(([n]) => n)).toEqual(['weight']);
    expect(fc.numParameters()).toBe(12);
    fc.dispose();
  });

  it('initialises weight and bias in U(±1/√in) (in=25: ±0.2), seeded', () => {
    const a = new Linear(25, 40, { rng: new Rng(1) });
    const b = new Linear(25, 40, { rng: new Rng(1) });
    const w = take(tf.clone(a.weight));
    const maxAbs = w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbs).toBeLessThanOrEqual(0.2 + 1e-7);
    expect(maxAbs).toBeGreaterThan(0.19);
    expect(Array.from(take(tf.clone(b.weight)))).toEqual(Array.from(w));
    a.dispose();
    b.dispose();
  });

  it('gives dL/dW[o,i] = Σₙ x[n,i] and dL/db[o] = N for L = Σy', async () => {
    const fc = golden();
    const x = tf.tensor2d([[1, 0, -1], [2, 1, 0]]);
    const { value, grads } = await expectTensorDelta(
      () => tf.variableGrads(() => tf.sum(fc.call(x)) as tf.Scalar, fc.parameters()),
      3,
    );
    // native weight is [in, out]: gradient row i is Σₙ x[n,i] for both outputs → [[3,3],[1,1],[-1,-1]]
    expect(Array.from(take(grads[fc.weight.name]))).toEqual([3, 3, 1, 1, -1, -1]);
    expect(Array.from(take(grads[fc.bias!.name]))).toEqual([2, 2]);
    expectClose(take(value), [-1.5 - 3 + 4.5 + 12]);
    x.dispose();
    fc.dispose();
  });

  it('rejects a wrong feature count with a ShapeError naming Linear and x', async () => {
    const fc = new Linear(3, 2);
    const x = tf.zeros([2, 4]);
    await expect(expectTensorDelta(() => fc.call(x))).rejects.toThrow(ShapeError);
    expect(() => fc.call(x)).toThrow(/Linear: x must have 3 features on its last axis, got shape \[2,4\]/);
    expect(() => new Linear(0, 2)).toThrow(InvalidValueError);
    expect(() => new Linear(2, 2, { useBias: true } as object)).toThrow(/unknown option 'useBias'/);
    x.dispose();
    fc.dispose();
  });

  it('leaves numTensors unchanged after construct, call in tidy, dispose', async () => {
    const x = tf.zeros([2, 3]);
    await expectTensorDelta(() => {
      const fc = new Linear(3, 5);
      tf.tidy(() => {
        fc.call(x);
      });
      fc.dispose();
    }, 0);
    x.dispose();
  });
});
