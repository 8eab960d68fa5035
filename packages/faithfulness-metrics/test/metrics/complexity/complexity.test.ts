import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../../tensor/test/helpers';
import { effectiveComplexity } from '../../../src/metrics/complexity/effective-complexity';
import { entropyComplexity } from '../../../src/metrics/complexity/entropy-complexity';
import { sparseness } from '../../../src/metrics/complexity/sparseness';

const r4 = (v: number[]) => tf.tensor4d(v, [1, 1, v.length, 1]);

describeBackends('sparseness', () => {
  it('Gini of |a|: one-hot → (d−1)/d = 0.75, uniform → 0, [1, 2, 3, −4] → 0.25, zeros → 0', async () => {
    // |a| sorted 1,2,3,4 (d = 4): Σ(2i − 5)|a|_(i) = −3·1 − 1·2 + 1·3 + 3·4 = 10; / (4·10) = 0.25.
    const maps = [r4([0, 0, 5, 0]), r4([2, 2, 2, 2]), r4([1, 2, 3, -4]), r4([0, 0, 0, 0])];
    const got = [];
    for (const m of maps) got.push((await expectTensorDelta(() => sparseness(m), 0)).score);
    expect(got.map((v) => Number(v.toFixed(10)))).toEqual([0.75, 0, 0.25, 0]);
    tf.dispose(maps);
  });

  it('rejects a map of rank 2', async () => {
    const m = tf.zeros([2, 2]);
    await expect(sparseness(m)).rejects.toThrow(ShapeError);
    m.dispose();
  });
});

describeBackends('entropyComplexity', () => {
  it('is ln 4 for a uniform map, 0 for one-hot and for zeros, and ln 2 for two equal pixels', async () => {
    const maps = [r4([1, -1, 1, 1]), r4([0, 3, 0, 0]), r4([0, 0, 0, 0]), r4([0, 2, -2, 0])];
    const got = [];
    for (const m of maps) got.push((await entropyComplexity(m)).score);
    expect(got[0]).toBeCloseTo(Math.log(4), 12);
    expect(got[1]).toBe(0);
    expect(got[2]).toBe(0);
    expect(got[3]).toBeCloseTo(Math.log(2), 12);
    tf.dispose(maps);
  });
});

describeBackends('effectiveComplexity', () => {
  it('counts |a| above eps after max-normalisation: [1e−7, .5, −1, 0] → 2; eps = .6 → 1', async () => {
    const m = r4([1e-7, 0.5, -1, 0]);
    expect((await effectiveComplexity(m)).score).toBe(2);
    expect((await effectiveComplexity(m, { eps: 0.6 })).score).toBe(1);
    await expect(effectiveComplexity(m, { eps: -1 })).rejects.toThrow(/eps/);
    m.dispose();
  });
});
