import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, Rng } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { WEIGHTED_KNN_DEFAULTS, weightedKnn } from '../../src/eval/weighted-knn';

describeBackends('weightedKnn', () => {
  it('votes exp(cos/T) of the k nearest: query (1, 0.1) with k=2 over (1,0)₀, (0,1)₁, (1,1)₁', () => {
    const train = { features: tf.tensor2d([[1, 0], [0, 1], [1, 1]]), labels: [0, 1, 1] };
    const test = { features: tf.tensor2d([[2, 0.2]]), labels: [0] }; // scale does not matter
    const r = weightedKnn(train, test, { k: 2 });
    const q = 1 / Math.hypot(1, 0.1);
    const s0 = q; // cos with (1,0)
    const s2 = (1.1 * q) / Math.SQRT2; // cos with (1,1): neighbour 2; (0,1) at 0.0995 is third
    const w0 = Math.exp(s0 / 0.07);
    const w2 = Math.exp(s2 / 0.07);
    const p = r.probabilities.dataSync();
    expect(p[0]).toBeCloseTo(w0 / (w0 + w2), 5);
    expect(p[1]).toBeCloseTo(w2 / (w0 + w2), 5);
    expect(Array.from(r.predictions)).toEqual([0]);
    expect(r.accuracy).toBe(1);
    tf.dispose([train.features, test.features, r.probabilities]);
  });

  it('gives identical votes for batch sizes 1, 7 and 256', () => {
    const rng = new Rng(3);
    const train = { features: rng.normalTensor([40, 5]) as tf.Tensor2D, labels: Array.from({ length: 40 }, (_, i) => i % 4) };
    const test = { features: rng.normalTensor([13, 5]) as tf.Tensor2D, labels: Array.from({ length: 13 }, (_, i) => i % 4) };
    const runs = [1, 7, 256].map((b) => {
      const r = weightedKnn(train, test, { k: 5, batchSize: b });
      const v = Array.from(r.probabilities.dataSync());
      r.probabilities.dispose();
      return v;
    });
    runs[1].forEach((v, i) => expect(v).toBeCloseTo(runs[0][i], 6));
    runs[2].forEach((v, i) => expect(v).toBeCloseTo(runs[0][i], 6));
    tf.dispose([train.features, test.features]);
  });

  it('returns one new tensor and rejects k > n, T ≤ 0 and unknown options', async () => {
    const train = { features: tf.ones([3, 2]) as tf.Tensor2D, labels: [0, 1, 1] };
    const r = await expectTensorDelta(() => weightedKnn(train, train, { k: 3 }), 1);
    expect(() => weightedKnn(train, train, { k: 4 })).toThrow(InvalidValueError);
    expect(() => weightedKnn(train, train, { k: 2, temperature: 0 })).toThrow(/temperature must be a finite number in \(0/);
    expect(() => weightedKnn(train, train, { K: 2 } as never)).toThrow(/unknown option 'K'/);
    expect(WEIGHTED_KNN_DEFAULTS).toMatchObject({ k: 20, temperature: 0.07 });
    tf.dispose([train.features, r.probabilities]);
  });
});
