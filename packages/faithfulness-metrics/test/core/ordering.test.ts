import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidValueError, Rng, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { pixelOrder, rankPixels } from '../../src/core/ordering';

describe('rankPixels', () => {
  it('sorts descending (morf) and ascending (lerf) without ties: [3, 1, 2] → [0, 2, 1] / [1, 2, 0]', () => {
    expect(Array.from(rankPixels([3, 1, 2], 'morf', new Rng(0)))).toEqual([0, 2, 1]);
    expect(Array.from(rankPixels([3, 1, 2], 'lerf', new Rng(0)))).toEqual([1, 2, 0]);
  });

  it('breaks ties by the seeded permutation, in the same relative order in both directions', () => {
    const v = [1, 1, 1, 1, 1, 1, 1, 1];
    const a = Array.from(rankPixels(v, 'morf', new Rng(4)));
    const b = Array.from(rankPixels(v, 'lerf', new Rng(4)));
    // All equal: both orderings are the permutation itself (random permutation, then stable sort).
    expect(a).toEqual(Array.from(new Rng(4).permutation(8)));
    expect(b).toEqual(a);
    expect(Array.from(rankPixels(v, 'morf', new Rng(5)))).not.toEqual(a);
  });
});

describeBackends('pixelOrder', () => {
  it('sums channels, ranks each sample with its own seeded stream, and allocates no tensor', async () => {
    // Sample 0 per-pixel sums: [1+0, 0+3, 2+0] = [1, 3, 2] → morf [1, 2, 0].
    const a = tf.tensor4d([1, 0, 0, 3, 2, 0, 5, 5, 1, 1, 2, 2], [2, 1, 3, 2]);
    const [o0, o1] = await expectTensorDelta(() => pixelOrder(a), 0);
    expect(Array.from(o0)).toEqual([1, 2, 0]);
    expect(Array.from(o1)).toEqual([0, 2, 1]); // sums [10, 2, 4]
    a.dispose();
  });

  it('rejects NaN maps, a rank-3 tensor and an unknown direction', async () => {
    const nan = tf.tensor4d([NaN, 0], [1, 1, 2, 1]);
    const r3 = tf.zeros([1, 2, 2]);
    await expect(pixelOrder(nan)).rejects.toThrow(InvalidValueError);
    await expect(pixelOrder(r3)).rejects.toThrow(ShapeError);
    await expect(pixelOrder(nan, { direction: 'up' as never })).rejects.toThrow(/direction must be one of/);
    tf.dispose([nan, r3]);
  });
});
