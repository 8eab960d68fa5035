import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { boxOverlap } from '../../src/analysis/box-overlap';
import { describeBackends, expectTensorDelta } from '../fixtures/helpers';

const BOX = { x: 0, y: 0, width: 2, height: 2, label: 0 }; // 4 pixels of a 4×4 map

describeBackends('boxOverlap', () => {
  it('soft: map 1 on the box’s top row and 0.5 on two outside pixels gives IoBB ½, IoR ⅔, IoU 2/5', async () => {
    const maps = tf.tensor3d([[[1, 1, 0, 0], [0, 0, 0.5, 0], [0, 0, 0, 0.5], [0, 0, 0, 0]]]);
    const r = await expectTensorDelta(() => boxOverlap(maps, [[BOX]]), 0);
    // |A ∩ B| = 2, |A| = 3, |B| = 4: 2/4, 2/3, 2/(3 + 4 − 2).
    expect(r.iobb[0]).toBeCloseTo(0.5, 6);
    expect(r.ior[0]).toBeCloseTo(2 / 3, 6);
    expect(r.iou[0]).toBeCloseTo(0.4, 6);
    // t = 0.6 drops the two 0.5 pixels: |A| = 2, so IoR = 1 and IoU = 2/4.
    const hard = boxOverlap(maps, [[BOX]], { threshold: 0.6 });
    expect([hard.iobb[0], hard.ior[0], hard.iou[0]].map((v) => Number(v.toFixed(6)))).toEqual([0.5, 1, 0.5]);
    maps.dispose();
  });

  it('gives 0 for an empty map or an empty box list (guarded by 1e-8)', () => {
    const maps = tf.zeros([2, 4, 4]);
    const r = boxOverlap(maps, [[BOX], []]);
    expect(r).toEqual({ iobb: [0, 0], ior: [0, 0], iou: [0, 0] });
    maps.dispose();
  });

  it('rejects maps outside [0, 1] and a threshold of 1', async () => {
    const maps = tf.fill([1, 2, 2], 2);
    await expect(expectTensorDelta(() => boxOverlap(maps, [[BOX]]))).rejects.toThrow(/attributions must lie in \[0, 1\]/);
    const zeros = tf.zeros([1, 2, 2]);
    expect(() => boxOverlap(zeros, [[BOX]], { threshold: 1 })).toThrow(/threshold must be a finite number > 0 and < 1/);
    tf.dispose([maps, zeros]);
  });
});
