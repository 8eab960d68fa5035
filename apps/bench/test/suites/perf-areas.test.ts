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
    const r = await benchSr(new Rng(0), { size: 16, warmup: 0, runs: 1, heavy: false });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0].macs).toBe(891_584 * 16 * 16);
    expect(r.rows[0].gflops).toBeCloseTo((2 * r.rows[0].macs) / (r.rows[0].medianMs * 1e6), 6);
    expect(r.convGflops).toBeGreaterThan(0);
  });
});

/**
 * Hand count of CiaoSR (RDN, C 64, hidden 256) true MACs at an h×w LR input and an H×W output, as
 * packages/sr-models/test/models/ciaosr-measure.test.ts: encoder convs, the non-local attention
 * (scale 2), the per-pixel first layers of imnet_k and imnet_v, and the decoder per query.
 */
function ciaosrMacs(h: number, w: number, outH: number, outW: number): number {
  const px = h * w;
  const enc = (21973952 - 9472) * px; // RDN conv weights without the 9,472 biases
  const l = (h / 2) * (w / 2);
  const nonLocal = px * 64 * 32 + px * 64 * 64 + l * 64 * 32 + px * l * 288 + 9 * px * l * 256 + px * 64 * 64 * 9;
  const projections = px * (576 + 640) * 256;
  const decoder = outH * outW * (4 * (492544 + 525312 - 311296) + 361216);
  return enc + nonLocal + projections + decoder;
}

describe('benchSr, costly rows', () => {
  it('adds GRL-T ×4 and CiaoSR ×3.5 rows with true MACs (attention included) and leaks nothing', async () => {
    const { benchSr } = await import('../../src/suites/perf-sr');
    await initBackend();
    const before = tf.memory().numTensors;
    const r = await benchSr(new Rng(0), { size: 16, warmup: 0, runs: 1, heavy: { grlSize: 16, ciaosrSize: 8, ciaosrScale: 3.5, queryBatchSize: 256 } });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.rows.map((row) => row.label)).toEqual(['IMDN-NTIRE ×4, 16×16 LR', 'GRL-T ×4, 16×16 LR', 'CiaoSR (RDN) ×3.5, 8×8 LR → 28×28, 256 queries per batch']);
    const [, grl, ciao] = r.rows;
    expect(grl.inputShape).toEqual([1, 16, 16, 3]);
    // GRL pads a 16×16 input to its 64×64 stripe, so it costs a 64×64 pass: 10,012,688,384 true
    // MACs (profiled), of which the attention matmuls are, by hand, 16 blocks × (window branch
    // 2 · 4096 tokens · 1024 keys · 32 channels + anchor-stripe branch 4 · 4096 · 256 anchors · 32).
    const attention = 16 * (2 * 4096 * 1024 * 32 + 4 * 4096 * 256 * 32);
    expect(attention).toBe(6_442_450_944);
    expect(grl.macs).toBe(10_012_688_384);
    expect(ciao.macs).toBe(ciaosrMacs(8, 8, 28, 28));
    for (const row of r.rows) expect(row.gflops, row.label).toBeCloseTo((2 * row.macs) / (row.medianMs * 1e6), 6);
  }, 120_000);
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
