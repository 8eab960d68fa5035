import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { multiLabelMetrics } from '../../src/metrics/multi-label-metrics';
import { expectTensorDelta, useBackend } from '../fixtures/helpers';

beforeAll(() => useBackend('cpu'));

const SCORES = [
  [0.9, 0.2],
  [0.6, 0.7],
  [0.3, 0.1],
  [0.2, 0.4],
];
const LABELS = [
  [1, 1],
  [1, 0],
  [0, 0],
  [0, 1],
];

describe('multiLabelMetrics', () => {
  it('gives per-class AUROC [1, 0.5], AP [1, 7/12] and their macro means', () => {
    const m = multiLabelMetrics(SCORES, LABELS);
    // class 1: positives {0.2, 0.4} vs negatives {0.7, 0.1}: 2 of 4 pairs ordered.
    expect(m.auroc).toEqual([1, 0.5]);
    // class 1 ranking 0.7(0) 0.4(1) 0.2(1) 0.1(0): ½·½ + ½·⅔ = 7/12.
    expect(m.ap[0]).toBe(1);
    expect(m.ap[1]).toBeCloseTo(7 / 12, 12);
    expect(m.macroAuroc).toBe(0.75);
    expect(m.macroAp).toBeCloseTo((1 + 7 / 12) / 2, 12);
  });

  it('pools all pairs for the micro AUROC: 11.5 of 16 pairs', () => {
    // positives {0.9, 0.2, 0.6, 0.4} vs negatives {0.7, 0.3, 0.1, 0.2}: 4 + 1.5 + 3 + 3.
    expect(multiLabelMetrics(SCORES, LABELS).microAuroc).toBe(11.5 / 16);
  });

  it('counts exact-match, label and per-class accuracy at each threshold', () => {
    const [half, low] = multiLabelMetrics(SCORES, LABELS, { thresholds: [0.5, 0.15] }).accuracy;
    // t = 0.5: class 0 all right; class 1 predicts [0, 1, 0, 0] against [1, 0, 0, 1] (1 right).
    expect(half).toEqual({ threshold: 0.5, exactMatch: 0.25, label: 5 / 8, perClass: [1, 0.25] });
    // t = 0.15: class 0 predicts [1, 1, 1, 1] (2 right), class 1 [1, 1, 0, 1] (3 right); only row 0 is fully right.
    expect(low).toEqual({ threshold: 0.15, exactMatch: 0.25, label: 5 / 8, perClass: [0.5, 0.75] });
  });

  it('leaves a class with one label value out of the macro means and names it', () => {
    const m = multiLabelMetrics(SCORES.map((r) => [...r, 0.5]), LABELS.map((r) => [...r, 0]));
    expect(Number.isNaN(m.auroc[2])).toBe(true);
    expect(m.undefinedAuroc).toEqual([2]);
    expect(m.undefinedAp).toEqual([2]);
    expect(m.macroAuroc).toBe(0.75);
  });

  it('reads tensors without allocating and rejects mismatched shapes, bad labels and unknown options', async () => {
    const s = tf.tensor2d(SCORES);
    const y = tf.tensor2d(LABELS);
    const m = await expectTensorDelta(() => multiLabelMetrics(s, y), 0);
    expect(m.auroc).toEqual([1, 0.5]);
    tf.dispose([s, y]);
    expect(() => multiLabelMetrics(SCORES, [[1, 0]])).toThrow(ShapeError);
    expect(() => multiLabelMetrics(SCORES, LABELS.map((r) => r.map((v) => v * 2)))).toThrow(/0\/1 labels/);
    expect(() => multiLabelMetrics(SCORES, LABELS, { threshold: 0.5 } as never)).toThrow(InvalidValueError);
    expect(() => multiLabelMetrics(SCORES, LABELS.map(() => [0, 0]))).toThrow(/at least one positive/);
  });
});
