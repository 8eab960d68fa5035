import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { expectedCalibrationError } from '../../src/eval/expected-calibration-error';

describeBackends('expectedCalibrationError', () => {
  it('weights |acc − conf| by bin size: two 0.95 (one right) and two 0.55 (both right) give 0.45', () => {
    const p = tf.tensor2d([[0.95, 0.05], [0.95, 0.05], [0.55, 0.45], [0.45, 0.55]]);
    const r = expectedCalibrationError(p, [0, 1, 0, 1]);
    // bin (0.933, 1]: acc ½, conf 0.95 → 0.45; bin (0.533, 0.6]: acc 1, conf 0.55 → 0.45
    expect(r.ece).toBeCloseTo(0.5 * 0.45 + 0.5 * 0.45, 6);
    expect(r.maxCalibrationError).toBeCloseTo(0.45, 6);
    const top = r.bins[14];
    expect([top.count, top.accuracy]).toEqual([2, 0.5]);
    expect(top.confidence).toBeCloseTo(0.95, 6);
    expect(r.bins[8].count).toBe(2); // 0.55 ∈ (8/15, 9/15]
    p.dispose();
  });

  it('is 0 for a calibrated bin (confidence 0.75, three of four right) and puts edges in the lower bin', () => {
    const p = tf.tensor2d([[0.75, 0.25], [0.75, 0.25], [0.75, 0.25], [0.75, 0.25]]);
    expect(expectedCalibrationError(p, [0, 0, 0, 1], { bins: 4 }).ece).toBeCloseTo(0, 6);
    const edge = expectedCalibrationError(p, [0, 0, 0, 1], { bins: 4 }).bins;
    expect(edge.map((b) => b.count)).toEqual([0, 0, 4, 0]); // 0.75 ∈ (0.5, 0.75]
    expect(Number.isNaN(edge[0].accuracy)).toBe(true);
    p.dispose();
  });

  it('allocates nothing that outlives it, and rejects bad labels, values and options', async () => {
    const p = tf.tensor2d([[0.2, 0.8]]);
    await expectTensorDelta(() => expectedCalibrationError(p, [1]));
    expect(() => expectedCalibrationError(p, [2])).toThrow(InvalidValueError);
    expect(() => expectedCalibrationError(p, [0, 1])).toThrow(/labels must have length 1/);
    const bad = tf.tensor2d([[1.5, 0]]);
    expect(() => expectedCalibrationError(bad, [0])).toThrow(/must lie in \[0, 1\]/);
    expect(() => expectedCalibrationError(p, [1], { nBins: 3 } as never)).toThrow(/unknown option 'nBins'/);
    tf.dispose([p, bad]);
  });
});
