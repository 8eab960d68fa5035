import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { useBackend } from '../../../tensor/test/helpers';
import { gaussianMatrix, linearResampleMatrix, resolveFeatureMask } from '../../src/core/perturbation';

describe('resolveFeatureMask', () => {
  beforeAll(() => useBackend('cpu'));

  it('numbers every element of a sample when no mask is given', () => {
    const g = resolveFeatureMask('f', undefined, [2, 2, 3]);
    expect(g.length).toBe(2);
    expect(g[0].count).toBe(6);
    expect(Array.from(g[0].labels)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('renumbers labels by increasing value and broadcasts a [H, W, 1] mask over channels', () => {
    const mask = tf.tensor3d([9, -3, 9, 4], [2, 2, 1], 'int32');
    const g = resolveFeatureMask('f', mask, [1, 2, 2, 2]);
    mask.dispose();
    expect(g[0].count).toBe(3);
    expect(Array.from(g[0].labels)).toEqual([2, 2, 0, 0, 2, 2, 1, 1]); // −3 → 0, 4 → 1, 9 → 2
  });

  it('keeps per-sample masks apart and rejects them when a shared mask is required', () => {
    const mask = tf.tensor2d([[0, 0, 1], [0, 1, 2]], [2, 3], 'int32');
    const g = resolveFeatureMask('f', mask, [2, 3]);
    expect([g[0].count, g[1].count]).toEqual([2, 3]);
    expect(() => resolveFeatureMask('f', mask, [2, 3], { shared: true })).toThrow(ShapeError);
    mask.dispose();
  });

  it('throws ShapeError for a rank or shape that does not broadcast and InvalidValueError for fractions', () => {
    const bad = tf.zeros([2, 2]);
    expect(() => resolveFeatureMask('f', bad, [1, 2, 2, 3])).toThrow(/featureMask must have the input's rank/);
    const frac = tf.tensor1d([0.5, 1]);
    expect(() => resolveFeatureMask('f', frac, [1, 2])).toThrow(InvalidValueError);
    tf.dispose([bad, frac]);
  });
});

describe('linearResampleMatrix', () => {
  it('upsamples 2 → 4 with half-pixel centres: rows (1,0), (.75,.25), (.25,.75), (0,1)', () => {
    expect(Array.from(linearResampleMatrix(4, 2))).toEqual([1, 0, 0.75, 0.25, 0.25, 0.75, 0, 1]); // hand: src = (i + .5)/2 − .5, clamped
  });
});

describe('gaussianMatrix', () => {
  it('has rows summing to 1 and is the identity for sigma 0', () => {
    const g = gaussianMatrix(5, 1.5);
    for (let i = 0; i < 5; i++) expect(g.slice(i * 5, i * 5 + 5).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(Array.from(gaussianMatrix(2, 0))).toEqual([1, 0, 0, 1]);
  });
});
