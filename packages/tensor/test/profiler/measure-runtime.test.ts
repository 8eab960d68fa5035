import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError } from '../../src/errors';
import { measureRuntime } from '../../src/profiler/index';
import { describeBackends, expectTensorDelta } from '../helpers';

describeBackends('measureRuntime', () => {
  it('calls fn exactly warmup + runs times and returns consistent statistics (warmup=3 runs=7)', async () => {
    let calls = 0;
    const x = tf.ones([16, 16]);
    try {
      const r = await expectTensorDelta(() =>
        measureRuntime(
          () => {
            calls++;
            return tf.tidy(() => tf.matMul(x, x));
          },
          { warmup: 3, runs: 7 },
        ),
      );
      expect(calls).toBe(10);
      expect(r.runs).toBe(7);
      expect(r.samplesMs).toHaveLength(7);
      const sorted = [...r.samplesMs].sort((a, b) => a - b);
      expect(r.minMs).toBe(sorted[0]);
      expect(r.maxMs).toBe(sorted[6]);
      expect(r.medianMs).toBe(sorted[3]);
      expect(r.minMs).toBeLessThanOrEqual(r.medianMs);
      expect(r.medianMs).toBeLessThanOrEqual(r.maxMs);
      expect(r.meanMs).toBeCloseTo(r.samplesMs.reduce((s, v) => s + v, 0) / 7, 10);
      expect(r.samplesMs.every((v) => v >= 0)).toBe(true);
    } finally {
      x.dispose();
    }
  });

  it('uses the mean of the two middle samples as the median of an even count, with 2 + 10 calls by default', async () => {
    let calls = 0;
    const r = await expectTensorDelta(() =>
      measureRuntime(() => {
        calls++;
        return tf.zeros([4]);
      }),
    );
    expect(calls).toBe(12);
    const s = [...r.samplesMs].sort((a, b) => a - b);
    expect(r.medianMs).toBe((s[4] + s[5]) / 2);
  });

  it('awaits async functions and disposes every tensor of an array output', async () => {
    let calls = 0;
    await expectTensorDelta(() =>
      measureRuntime(
        async () => {
          calls++;
          await Promise.resolve();
          return [tf.ones([2]), tf.zeros([3])];
        },
        { warmup: 0, runs: 3 },
      ),
    );
    expect(calls).toBe(3);
  });

  it('times until the outputs are readable (a 20 ms async delay is included)', async () => {
    const r = await measureRuntime(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return tf.zeros([1]);
      },
      { warmup: 0, runs: 2 },
    );
    expect(r.minMs).toBeGreaterThanOrEqual(15);
  });

  it('rejects bad options and non-tensor outputs with InvalidValueError, without leaking', async () => {
    const ok = () => tf.zeros([1]);
    await expect(measureRuntime(ok, { runs: 0 })).rejects.toThrow(/measureRuntime: runs must be a positive integer/);
    await expect(measureRuntime(ok, { warmup: -1 })).rejects.toThrow(/warmup/);
    await expect(measureRuntime(ok, { repeats: 3 } as object)).rejects.toThrow(InvalidValueError);
    await expect(measureRuntime(42 as unknown as () => tf.Tensor)).rejects.toThrow(/fn must be a function/);
    const mixed = () => [tf.zeros([2]), 3] as unknown as tf.Tensor[];
    await expect(expectTensorDelta(() => measureRuntime(mixed, { warmup: 0, runs: 1 }))).rejects.toThrow(
      /fn must return a tf.Tensor or an array of tf.Tensor/,
    );
  });
});
