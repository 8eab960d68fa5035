import * as tf from '@tensorflow/tfjs-core';
import { Rng, initBackend } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/main';
import { benchIntegratedGradients } from '../../src/suites/perf-attribution';
import { captureIo } from '../fixtures';

describe('benchIntegratedGradients', () => {
  it('times IG and the bare passes in one run, leaves no tensors, and reports their ratio', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const r = await benchIntegratedGradients(new Rng(0), { steps: 8, batchSize: 4, size: 8, warmup: 0, runs: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.igMs).toBeGreaterThan(0);
    expect(r.bareMs).toBeGreaterThan(0);
    expect(r.ratio).toBeCloseTo(r.igMs / r.bareMs, 10);
  });
});

describe('perf suite, attribution area', () => {
  it("accepts the area as a bare word ('lab perf attribution') and reports only the IG figures", async () => {
    const io = captureIo();
    expect(await main(['perf', 'attribution', '--runs', '1'], io)).toBe(0);
    expect(io.stdoutText()).toMatch(/Integrated Gradients \(50 Gauss–Legendre steps/);
    expect(io.stdoutText()).not.toMatch(/conv 3×3/);
  });

  it('rejects a second bare word', async () => {
    const io = captureIo();
    expect(await main(['perf', 'attribution', 'core'], io)).toBe(2);
  });
});

describe('benchSr', () => {
  it('scales IMDN true MACs with LR pixels (891,584 conv MACs per LR pixel, specs/sr.md §1.1) and leaks nothing', async () => {
    const { benchSr } = await import('../../src/suites/perf-sr');
    await initBackend();
    const before = tf.memory().numTensors;
    const r = await benchSr(new Rng(0), { size: 16, warmup: 0, runs: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0].macs).toBe(891_584 * 16 * 16);
    expect(r.rows[0].gflops).toBeCloseTo((2 * r.rows[0].macs) / (r.rows[0].medianMs * 1e6), 6);
    expect(r.convGflops).toBeGreaterThan(0);
  });
});

describe('benchRoad', () => {
  it('times cold and warm-started ROAD fills for each removed share', async () => {
    const { benchRoad } = await import('../../src/suites/perf-faithfulness');
    const rows = benchRoad(new Rng(0), { size: 24, runs: 1, shares: [0.5, 0.9] });
    expect(rows.map((r) => r.removedShare)).toEqual([0.5, 0.9]);
    for (const r of rows) {
      expect(r.coldMs).toBeGreaterThan(0);
      expect(r.warmMs).toBeGreaterThan(0);
    }
  });
});
