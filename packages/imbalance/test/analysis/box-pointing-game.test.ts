import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { boxPointingGame } from '../../src/analysis/box-pointing-game';
import { describeBackends, expectTensorDelta } from '../fixtures/helpers';

const BOX = { x: 0, y: 0, width: 2, height: 2, label: 0 }; // the top-left 2×2 of a 4×4 map

describeBackends('boxPointingGame', () => {
  it('k=1: a peak inside the box hits, outside misses; score = Σ hits/Σ points', async () => {
    const maps = tf.tensor3d([
      [[0, 0, 0, 0], [0, 0.9, 0, 0], [0, 0, 0, 0.2], [0, 0, 0, 0]],
      [[0, 0, 0, 0], [0, 0.1, 0, 0], [0, 0, 0, 0.8], [0, 0, 0, 0]],
    ]);
    const r = await expectTensorDelta(() => boxPointingGame(maps, [[BOX], [BOX]]), 0);
    expect(r).toEqual({ hits: [1, 0], points: [1, 1], score: 0.5 });
    maps.dispose();
  });

  it('k=3 counts ties with the k-th value: 4 top pixels, 3 in the box', async () => {
    // Values 5, 4, 4, 4 at (0,0), (0,1), (1,0), (3,3): k-th (3rd) largest is 4, so 4 pixels point.
    const maps = tf.tensor4d([[[[5], [4], [0], [0]], [[4], [0], [0], [0]], [[0], [0], [0], [0]], [[0], [0], [0], [4]]]]);
    expect(boxPointingGame(maps, [[BOX]], { topK: 3 })).toEqual({ hits: [3], points: [4], score: 0.75 });
    maps.dispose();
  });

  it('averages channels and lets an all-zero map point nowhere (0 of 0), NaN when no map points', () => {
    const maps = tf.zeros([1, 4, 4, 3]);
    const r = boxPointingGame(maps, [[BOX]]);
    expect(r.points).toEqual([0]);
    expect(Number.isNaN(r.score)).toBe(true);
    maps.dispose();
  });

  it('rejects a box list of another length, a bad box, k beyond the map and a non-map', () => {
    const maps = tf.zeros([2, 4, 4]);
    expect(() => boxPointingGame(maps, [[BOX]])).toThrow(ShapeError);
    expect(() => boxPointingGame(maps, [[BOX], [{ ...BOX, width: 0 }]])).toThrow(/boxes\[1\]\[0\] must have width and height > 0/);
    expect(() => boxPointingGame(maps, [[BOX], [{ ...BOX, label: -1 }]])).toThrow(/label must be an integer >= 0/);
    expect(() => boxPointingGame(maps, [[BOX], []], { topK: 17 })).toThrow(InvalidValueError);
    const flat = tf.zeros([2, 16]);
    expect(() => boxPointingGame(flat, [[BOX], []])).toThrow(/attributions must have shape \[N, H, W\]/);
    tf.dispose([maps, flat]);
  });
});
