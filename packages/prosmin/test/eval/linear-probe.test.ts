import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, Rng, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { LINEAR_PROBE_DEFAULTS, linearProbe } from '../../src/eval/linear-probe';

/** Three Gaussian blobs in 4-D around ±3 on different axes: linearly separable with margin. */
function blobs(nPerClass: number, seed: number, scale = 1): { features: tf.Tensor2D; labels: Int32Array } {
  const rng = new Rng(seed);
  const centers = [[3, 0, 0, 0], [0, 3, 0, 0], [0, 0, -3, 0]];
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < nPerClass; i++) {
      rows.push(centers[c].map((m) => scale * (m + 0.5 * rng.gaussian())));
      labels.push(c);
    }
  }
  return { features: tf.tensor2d(rows), labels: Int32Array.from(labels) };
}

describeBackends('linearProbe', () => {
  it('separates well-separated blobs perfectly and returns probabilities that sum to 1', async () => {
    const train = blobs(30, 1);
    const test = blobs(20, 2);
    const r = await linearProbe(train, test, { epochs: 30, lr: 5, batchSize: 32 });
    expect(r.accuracy).toBe(1);
    expect(r.trainAccuracy).toBe(1);
    expect(r.probabilities.shape).toEqual([60, 3]);
    tf.tidy(() => tf.sum(r.probabilities, 1).dataSync()).forEach((s) => expect(s).toBeCloseTo(1, 5));
    expect(Array.from(r.predictions)).toEqual(Array.from(test.labels));
    tf.dispose([train.features, test.features, r.probabilities]);
  });

  it('gives the same predictions for features scaled by 7 when standardising', async () => {
    const train = blobs(10, 3);
    const test = blobs(10, 4);
    const scaledTrain = blobs(10, 3, 7);
    const scaledTest = blobs(10, 4, 7);
    const a = await linearProbe(train, test, { epochs: 5, lr: 1 });
    const b = await linearProbe(scaledTrain, scaledTest, { epochs: 5, lr: 1 });
    expect(Array.from(b.predictions)).toEqual(Array.from(a.predictions));
    const pa = a.probabilities.dataSync();
    b.probabilities.dataSync().forEach((v, i) => expect(v).toBeCloseTo(pa[i], 3));
    tf.dispose([train.features, test.features, scaledTrain.features, scaledTest.features, a.probabilities, b.probabilities]);
  });

  it('returns exactly one new tensor (the probabilities)', async () => {
    const train = blobs(4, 5);
    const test = blobs(2, 6);
    const r = await expectTensorDelta(() => linearProbe(train, test, { epochs: 2 }), 1);
    tf.dispose([train.features, test.features, r.probabilities]);
  });

  it('rejects mismatched widths, labels beyond numClasses and unknown options', async () => {
    const train = blobs(4, 5);
    const wide = { features: tf.ones([2, 5]) as tf.Tensor2D, labels: [0, 1] };
    await expect(linearProbe(train, wide)).rejects.toThrow(ShapeError);
    await expect(linearProbe(train, { features: tf.ones([1, 4]) as tf.Tensor2D, labels: [5] })).rejects.toThrow(/test.labels\[0\] must be below numClasses = 3/);
    await expect(linearProbe(train, train, { epoch: 3 } as never)).rejects.toThrow(InvalidValueError);
    await expect(linearProbe({ features: train.features, labels: [0] }, train)).rejects.toThrow(/train.labels must have length 12/);
    expect(LINEAR_PROBE_DEFAULTS).toMatchObject({ epochs: 100, lr: 0.001, momentum: 0.9, batchSize: 128 });
    tf.dispose([train.features, wide.features]);
  });
});
