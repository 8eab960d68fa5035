import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { classCounts } from '../../src/core/class-counts';
import { expectTensorDelta, useBackend } from '../fixtures/helpers';

beforeAll(() => useBackend('cpu'));

describe('classCounts', () => {
  it('counts n⁺ per column and n⁻ = N − n⁺', () => {
    expect(classCounts([[1, 0], [1, 1], [0, 0]])).toEqual({ positives: [2, 1], negatives: [1, 2] });
  });

  it('reads a tensor without allocating', async () => {
    const t = tf.tensor2d([[0, 1, 1]]);
    expect(await expectTensorDelta(() => classCounts(t), 0)).toEqual({ positives: [0, 1, 1], negatives: [1, 0, 0] });
    t.dispose();
  });

  it('rejects ragged rows, empty input and labels other than 0/1', () => {
    expect(() => classCounts([[1, 0], [1]])).toThrow(ShapeError);
    expect(() => classCounts([])).toThrow(/must not be empty/);
    expect(() => classCounts([[2]])).toThrow(InvalidValueError);
  });
});
