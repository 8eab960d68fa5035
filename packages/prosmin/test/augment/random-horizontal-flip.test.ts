import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Rng } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { randomHorizontalFlip } from '../../src/augment/random-horizontal-flip';

describeBackends('randomHorizontalFlip', () => {
  it('mirrors every image at p=1 and none at p=0', () => {
    const x = tf.tensor4d([[[[1], [2], [3]]]]); // one 1×3 image
    const all = randomHorizontalFlip(x, { p: 1, rng: new Rng(0) });
    const none = randomHorizontalFlip(x, { p: 0, rng: new Rng(0) });
    expect(Array.from(all.dataSync())).toEqual([3, 2, 1]);
    expect(Array.from(none.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([x, all, none]);
  });

  it('flips about half of 400 images at p=0.5, each either kept or mirrored', () => {
    const row = tf.tile(tf.tensor4d([0, 1], [1, 1, 2, 1]), [400, 1, 1, 1]) as tf.Tensor4D;
    const y = randomHorizontalFlip(row, { rng: new Rng(9) });
    const v = y.dataSync();
    let flipped = 0;
    for (let i = 0; i < 400; i++) {
      expect([v[2 * i], v[2 * i + 1]]).toEqual(v[2 * i] === 1 ? [1, 0] : [0, 1]);
      if (v[2 * i] === 1) flipped++;
    }
    expect(flipped).toBeGreaterThan(170); // Binomial(400, ½): mean 200, sd 10
    expect(flipped).toBeLessThan(230);
    tf.dispose([row, y]);
  });

  it('returns one new tensor and rejects p outside [0, 1]', async () => {
    const x = tf.ones([2, 3, 3, 1]) as tf.Tensor4D;
    const y = await expectTensorDelta(() => randomHorizontalFlip(x, { rng: new Rng(0) }), 1);
    expect(() => randomHorizontalFlip(x, { p: 1.5 })).toThrow(/p must be a finite number in \[0, 1\]/);
    tf.dispose([x, y]);
  });
});
