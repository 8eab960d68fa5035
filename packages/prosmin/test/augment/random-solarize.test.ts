import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Rng } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { randomSolarize } from '../../src/augment/random-solarize';

describeBackends('randomSolarize', () => {
  it('inverts values at or above 128/255 at p=1: [0.2, 0.5, 0.6, 1] → [0.2, 0.5, 0.4, 0]', () => {
    const x = tf.tensor4d([0.2, 0.5, 0.6, 1], [1, 1, 4, 1]);
    const y = randomSolarize(x, { p: 1, rng: new Rng(0) });
    const v = Array.from(y.dataSync());
    [0.2, 0.5, 0.4, 0].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 6)); // 0.5 < 128/255 = 0.50196
    tf.dispose([x, y]);
  });

  it('honours a custom threshold, leaves images alone at p=0 and returns one new tensor', async () => {
    const x = tf.tensor4d([0.2, 0.3], [1, 1, 2, 1]);
    const y = await expectTensorDelta(() => randomSolarize(x, { p: 1, threshold: 0.25 }), 1);
    expect(Array.from(y.dataSync()).map((v) => +v.toFixed(6))).toEqual([0.2, 0.7]);
    const z = randomSolarize(x, { p: 0 });
    expect(Array.from(z.dataSync()).map((v) => +v.toFixed(6))).toEqual([0.2, 0.3]);
    expect(() => randomSolarize(x, { threshold: NaN })).toThrow(/threshold must be a finite number/);
    tf.dispose([x, y, z]);
  });
});
