import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@lab/tensor';
import { expect, it } from 'vitest';
import { calibrateActivations } from '../../src/quant/calibrate';
import { describeBackends, expectTensorDelta } from '../helpers';
import { fcGraph } from './graphs';

describeBackends('calibrateActivations', () => {
  it('records the exact min/max of the input and of every op output', async () => {
    const graph = fcGraph(3, 2, 'none', 1);
    const x = tf.tensor2d([[-1, 0.5, 2], [0.25, -3, 1]]);
    try {
      const ranges = await expectTensorDelta(() => calibrateActivations(graph, x), 0);
      expect(ranges[0]).toEqual([-3, 2]);
      const y = tf.tidy(() => tf.add(tf.matMul(x, tf.tensor2d((graph.ops[0] as { weight: Float32Array }).weight, [3, 2])), tf.tensor1d((graph.ops[0] as { bias: Float32Array }).bias)));
      const v = Array.from(await y.data());
      y.dispose();
      expect(ranges[1]?.[0]).toBeCloseTo(Math.min(...v), 6);
      expect(ranges[1]?.[1]).toBeCloseTo(Math.max(...v), 6);
    } finally {
      x.dispose();
    }
  });

  it('gives the same ranges for batch sizes 1, 2 and 5', () => {
    const graph = fcGraph(4, 3, 'relu', 2);
    const x = tf.randomUniform([5, 4], -2, 2, 'float32', 3);
    try {
      const r1 = calibrateActivations(graph, x, { batchSize: 1 });
      expect(calibrateActivations(graph, x, { batchSize: 2 })).toEqual(r1);
      expect(calibrateActivations(graph, x, { batchSize: 5, method: 'minmax' })).toEqual(r1);
    } finally {
      x.dispose();
    }
  });

  it('clips a single outlier with the 99th percentile but keeps it with min/max', () => {
    // 999 values uniform in [0, 1) and one at 100: the 99th percentile lies near 1.
    const v = Float32Array.from({ length: 1000 }, (_, i) => (i === 500 ? 100 : (i % 999) / 999));
    const x = tf.tensor2d(v, [1000, 1]);
    const graph = fcGraph(1, 1, 'none', 4);
    try {
      const mm = calibrateActivations(graph, x)[0] as readonly [number, number];
      const pc = calibrateActivations(graph, x, { method: 'percentile', percentile: 99, bins: 1000 })[0] as readonly [number, number];
      expect(mm[1]).toBe(100);
      expect(pc[1]).toBeLessThan(1.2); // bin width 0.1, so within one bin of the true 0.99
      expect(pc[1]).toBeGreaterThan(0.9);
      expect(pc[0]).toBeCloseTo(0, 6);
    } finally {
      x.dispose();
    }
  });

  it('rejects unknown options and bad values by name', () => {
    const graph = fcGraph(1, 1, 'none', 5);
    const x = tf.zeros([2, 1]);
    try {
      expect(() => calibrateActivations(graph, x, { bins: 1 })).toThrow(/calibrateActivations: bins must be an integer >= 2, got 1/);
      expect(() => calibrateActivations(graph, x, { percentile: 40 })).toThrow(InvalidValueError);
      expect(() => calibrateActivations(graph, x, { mode: 'x' } as never)).toThrow(/unknown option 'mode'/);
    } finally {
      x.dispose();
    }
  });
});
