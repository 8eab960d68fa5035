import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Linear, Rng, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { ProjectionMlp } from '../../src/nn/projection-mlp';

describeBackends('ProjectionMlp', () => {
  it('has keys net.0 (Linear), net.1 (BatchNorm1d) and net.3 (Linear)', () => {
    const mlp = new ProjectionMlp(6, 10, 4, { rng: new Rng(0) });
    const sd = mlp.stateDict();
    expect(Object.keys(sd).sort()).toEqual(
      ['net.0.bias', 'net.0.weight', 'net.1.bias', 'net.1.num_batches_tracked', 'net.1.running_mean', 'net.1.running_var', 'net.1.weight', 'net.3.bias', 'net.3.weight'],
    );
    tf.dispose(Object.values(sd));
    mlp.dispose();
  });

  it('batch-normalises the hidden layer in training mode: the first bias has no effect', () => {
    const mlp = new ProjectionMlp(3, 5, 2, { rng: new Rng(1) });
    const x = new Rng(2).normalTensor([6, 3]);
    const before = tf.tidy(() => mlp.call(x).dataSync());
    const first = mlp.net.get(0) as Linear;
    tf.tidy(() => (first.bias as tf.Variable).assign(tf.add(first.bias as tf.Variable, 10)));
    const after = tf.tidy(() => mlp.call(x).dataSync());
    after.forEach((v, i) => expect(v).toBeCloseTo(before[i], 3));
    x.dispose();
    mlp.dispose();
  });

  it('returns one new tensor and rejects a wrong width', async () => {
    const mlp = new ProjectionMlp(3, 5, 2, { rng: new Rng(1) });
    const x = tf.randomNormal([4, 3]);
    const y = await expectTensorDelta(() => mlp.call(x), 1);
    expect(y.shape).toEqual([4, 2]);
    const bad = tf.ones([4, 2]);
    expect(() => mlp.call(bad)).toThrow(ShapeError);
    tf.dispose([x, y, bad]);
    mlp.dispose();
  });
});
