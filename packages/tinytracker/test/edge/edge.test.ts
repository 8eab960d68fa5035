import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, UnknownNameError } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import { EDGE_PLATFORMS } from '../../src/edge/edge-platforms';
import { estimateEdgeCost } from '../../src/edge/estimate-edge-cost';
import { measureGazeLatency } from '../../src/edge/measure-latency';
import { TinyTracker } from '../../src/models/tinytracker/tinytracker';
import { quantizeModel } from '../../src/quant/quantize-model';
import { describeBackends, expectTensorDelta, uniformTensor } from '../helpers';

describe('EDGE_PLATFORMS', () => {
  it('holds the IMX500 breakdown, which sums to the ≈19 ms end to end (17.9 + 0.86 + 0.24)', () => {
    const p = EDGE_PLATFORMS.imx500;
    expect((p.sensorMs as number) + (p.inferenceMs as number) + (p.readoutMs as number)).toBeCloseTo(19, 9);
    expect([p.energyMj, p.inferenceEnergyMj]).toEqual([4.9, 0.06]);
    expect(Math.floor(1000 / (p.inferenceMs as number))).toBe(p.fps); // 1162 FPS counts inference only
  });

  it('makes the IMX500 7× more energy-efficient and 1.8× faster than the Coral Micro (paper: 7×, 1.7×)', () => {
    const coral = EDGE_PLATFORMS['coral-micro'];
    const imx = EDGE_PLATFORMS.imx500;
    expect(Math.round((coral.energyMj as number) / (imx.energyMj as number))).toBe(7);
    expect((coral.endToEndMs as number) / (imx.endToEndMs as number)).toBeCloseTo(1.81, 2);
  });
});

describe('estimateEdgeCost', () => {
  it('returns the published IMX500 figures at the reference MACs', () => {
    const e = estimateEdgeCost(16815360);
    expect(e).toMatchObject({ estimate: true, platform: 'imx500', macsRatio: 1 });
    expect(e.inferenceMs).toBeCloseTo(0.86, 12);
    expect(e.endToEndMs).toBeCloseTo(19, 12);
    expect(e.energyMj).toBeCloseTo(4.9, 12);
  });

  it('scales only the inference part on the IMX500 and the whole pipeline on the Coral Micro (half the MACs)', () => {
    const imx = estimateEdgeCost(16815360 / 2);
    expect(imx.inferenceMs).toBeCloseTo(0.43, 12);
    expect(imx.endToEndMs).toBeCloseTo(17.9 + 0.43 + 0.24, 12);
    expect(imx.energyMj).toBeCloseTo(4.9 - 0.06 + 0.03, 12);
    const coral = estimateEdgeCost(16815360 / 2, { platform: 'coral-micro' });
    expect(coral.endToEndMs).toBeCloseTo(17.2, 12);
    expect(coral.energyMj).toBeCloseTo(17.1, 12);
    expect(coral.inferenceMs).toBeUndefined();
  });

  it('rejects unknown platforms (listing them), a platform without TinyTracker figures and bad MACs', () => {
    expect(() => estimateEdgeCost(1e6, { platform: 'jetson' as never })).toThrow(UnknownNameError);
    expect(() => estimateEdgeCost(1e6, { platform: 'jetson' as never })).toThrow(/valid: coral-micro, imx500, spresense/);
    expect(() => estimateEdgeCost(1e6, { platform: 'spresense' })).toThrow(/publishes no TinyTracker latency/);
    expect(() => estimateEdgeCost(0)).toThrow(InvalidValueError);
  });
});

describeBackends('measureGazeLatency', () => {
  it('times the float and int8 models over the requested runs and frees every tensor', async () => {
    const net = new TinyTracker({ inputSize: 32 });
    const calib = uniformTensor([2, 32, 32, 3], 1);
    try {
      net.train();
      const t = await expectTensorDelta(() => measureGazeLatency(net, { warmup: 0, runs: 2 }), 0);
      expect(t.runs).toBe(2);
      expect(t.samplesMs).toHaveLength(2);
      expect(t.minMs).toBeGreaterThan(0);
      expect(net.training).toBe(true); // the mode is restored
      const q = quantizeModel(net, calib);
      const tq = await expectTensorDelta(() => measureGazeLatency(q, { warmup: 0, runs: 1 }), 0);
      expect(tq.runs).toBe(1);
      await expect(measureGazeLatency({} as never)).rejects.toThrow(InvalidValueError);
    } finally {
      calib.dispose();
      net.dispose();
    }
  });
});
