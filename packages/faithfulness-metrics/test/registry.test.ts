import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidValueError, UnknownNameError } from '@lab/tensor';
import { describeBackends } from '../../tensor/test/helpers';
import { getMetric, metrics, type MetricName } from '../src/index';

const CATEGORIES = ['faithfulness', 'localisation', 'complexity', 'robustness', 'randomisation', 'axiomatic'];

describe('metrics', () => {
  it('keys every entry by its name, with a category, a direction, a reference and frozen defaults', () => {
    for (const key of Object.keys(metrics) as MetricName[]) {
      const m = metrics[key];
      expect(m.name, key).toBe(key);
      expect(key).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(CATEGORIES).toContain(m.category);
      expect(typeof m.higherIsBetter).toBe('boolean');
      expect(m.reference.length).toBeGreaterThan(5);
      expect(Object.isFrozen(m.defaults)).toBe(true);
      expect(m.requires.length).toBeGreaterThan(0);
    }
    expect(Object.keys(metrics).length).toBe(37);
  });

  it('gives the two monotonicity papers distinct names and the right score directions', () => {
    expect(metrics['monotonicity-arya'].reference).toMatch(/Arya/);
    expect(metrics['monotonicity-nguyen'].reference).toMatch(/Nguyen/);
    expect([metrics['road-morf'].higherIsBetter, metrics['road-lerf'].higherIsBetter, metrics.deletion.higherIsBetter, metrics.insertion.higherIsBetter]).toEqual([false, true, false, true]);
  });

});

describeBackends('Metric.evaluate', () => {
  it('evaluates through the contract, and names a missing input field', async () => {
    const a = tf.tensor4d([0, 0, 5, 0], [1, 1, 4, 1]);
    const r = await metrics.sparseness.evaluate({ attributions: a });
    expect(r.score).toBe(0.75); // one-hot over 4 pixels: (d − 1)/d
    await expect(metrics.soundness.evaluate({ attributions: a })).rejects.toThrow(InvalidValueError);
    await expect(metrics.soundness.evaluate({ attributions: a })).rejects.toThrow(/input.model is required/);
    a.dispose();
  });
});

describe('getMetric', () => {
  it('returns the entry, and throws UnknownNameError listing the valid names', () => {
    expect(getMetric('soundness')).toBe(metrics.soundness);
    expect(() => getMetric('soundnes')).toThrow(UnknownNameError);
    expect(() => getMetric('soundnes')).toThrow(/valid: .*soundness/);
  });
});
