import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, profile } from '@lab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { TinyTrackerS } from '../../src/models/tinytracker-s/tinytracker-s';
import { runInferenceGraph } from '../../src/quant/inference-graph';
import { describeBackends, expectTensorDelta, randomiseBatchNorms, uniformTensor, useBackend } from '../helpers';

// Hand count of `lightweight_mobilenetv3` (TinyTrackerS.py) at 96 px with the grid (3 stem inputs):
// stem 3·3·3·8 + 8 = 224; blocks (expand + depthwise + project, all with bias):
//   b1 (→8, ×1): 72 + 80 + 72;  b2 (→16, ×6): 864 + 960 + 1,552;  b3 (→24): 2,448 + 1,440 + 3,480;
//   b4 (→32): 4,800 + 1,920 + 6,176;  b5 (→64): 12,672 + 3,840 + 24,640;
// conv_last 64·128 + 128 = 8,320; fc1 128·64 + 64 = 8,256; fc2 64·2 + 2 = 130   → 81,946
// BN channels 8 + 24 + 208 + 312 + 416 + 832 + 128 = 1,928 (γ, β)             → 3,856
// SE (⌊c/16⌋ units): 8 (bias only) + 1,254 + 2,745 + 4,812 + 18,840             → 27,659
const WITHOUT_SE = 81946 + 3856;
const SE = 27659;

describe('TinyTrackerS', () => {
  beforeAll(() => useBackend('cpu'));

  it('has 113,461 trainable parameters with SE (the spec and TinyTrackerS.py)', () => {
    const net = new TinyTrackerS();
    try {
      expect(net.numParameters()).toBe(WITHOUT_SE + SE);
      expect(net.numParameters()).toBe(113461);
    } finally {
      net.dispose();
    }
  });

  it("has exactly the README's 85.8 k parameters without SE (85,802)", () => {
    const net = new TinyTrackerS({ squeezeExcite: false });
    try {
      expect(net.numParameters()).toBe(WITHOUT_SE);
      expect(Math.round(net.numParameters() / 100) / 10).toBe(85.8); // README: 85.8k
    } finally {
      net.dispose();
    }
  });

  it('takes 96×96 grey input and concatenates the baked grid (released model); 3 channels with faceGrid input', () => {
    const baked = new TinyTrackerS();
    const input = new TinyTrackerS({ faceGrid: 'input' });
    const none = new TinyTrackerS({ faceGrid: 'none' });
    try {
      expect(baked.inputShape).toEqual([96, 96, 1]);
      expect(input.inputShape).toEqual([96, 96, 3]);
      expect(none.getTensor('conv.weight').shape).toEqual([3, 3, 1, 8]);
      expect(baked.getTensor('conv.weight').shape).toEqual([3, 3, 3, 8]);
      // bakedModel: linspace(−0.1, 0.1, 96) along x (channel 0) and y (channel 1).
      const g = baked.bakedGrid as Float32Array;
      expect(g[0]).toBeCloseTo(-0.1, 7);
      expect(g[(0 * 96 + 95) * 2]).toBeCloseTo(0.1, 7);
      expect(g[(95 * 96 + 0) * 2 + 1]).toBeCloseTo(0.1, 7);
      expect(g[(0 * 96 + 95) * 2 + 1]).toBeCloseTo(-0.1, 7);
      expect(baked.outputScaleCm).toBe(10); // train_TinyTrackerS.py: model(x) * 10.
    } finally {
      baked.dispose();
      input.dispose();
      none.dispose();
    }
  });

  it('rejects unknown options and bad values by name', () => {
    expect(() => new TinyTrackerS({ se: false } as never)).toThrow(/TinyTrackerS: unknown option 'se'/);
    expect(() => new TinyTrackerS({ faceGrid: 'yes' as never })).toThrow(/TinyTrackerS: faceGrid must be one of 'baked', 'input', 'none', got 'yes'/);
    expect(() => new TinyTrackerS({ inputSize: 8 })).toThrow(/inputSize/);
  });
});

describeBackends('TinyTrackerS', () => {
  it('has 5.256 M MACs with SE (README: 5.3 M) and 5.229 M without (released TFLite: ≈5.23 M)', async () => {
    // Without SE (96 px, feature maps 48, 24, 12, 12, 6, 6): stem 48²·27·8 = 497,664;
    // b1 48²·8·8 + 24²·9·8 + 24²·8·8 = 225,792; b2 24²·8·96 + 12²·9·96 + 12²·96·16 = 787,968;
    // b3 12²·(16·144 + 9·144 + 144·24) = 1,016,064; b4 12²·24·192 + 6²·9·192 + 6²·192·32 = 946,944;
    // b5 6²·(32·384 + 9·384 + 384·64) = 1,451,520; head 6²·64·128 + 128·64 + 64·2 = 303,232.
    const withSe = new TinyTrackerS();
    const without = new TinyTrackerS({ squeezeExcite: false });
    try {
      const a = (await profile(withSe, [96, 96, 1], { memory: false })).macs as number;
      const b = (await profile(without, [96, 96, 1], { memory: false })).macs as number;
      expect(b).toBe(497664 + 225792 + 787968 + 1016064 + 946944 + 1451520 + 303232);
      expect(b).toBe(5229184);
      // SE FCs: 96·6·2 + 144·9·2 + 192·12·2 + 384·24·2 (the 8-channel SE has no hidden units).
      expect(a - b).toBe(1152 + 2592 + 4608 + 18432);
      expect(Math.round(a / 1e5) / 10).toBe(5.3); // README: 5.3M
      expect(Math.round(b / 1e4) / 100).toBe(5.23); // spec §3: ≈5.23 M
    } finally {
      withSe.dispose();
      without.dispose();
    }
  });

  it('folds batch norms (SE included) into a graph that matches the eval forward within 1e-4 (x=[2,96,96,1])', async () => {
    const net = new TinyTrackerS();
    randomiseBatchNorms(net, 5);
    net.eval();
    const x = uniformTensor([2, 96, 96, 1], 4);
    try {
      const graph = net.inferenceGraph();
      expect(graph.ops.filter((o) => o.kind === 'mul')).toHaveLength(5);
      expect(graph.ops.filter((o) => o.kind === 'constant')).toHaveLength(1); // the 8-channel SE
      const [a, b] = await expectTensorDelta(() => [tf.tidy(() => net.call(x)), runInferenceGraph(graph, x)], 2);
      const da = await a.data();
      const db = await b.data();
      tf.dispose([a, b]);
      for (let i = 0; i < da.length; i++) expect(Math.abs(da[i] - db[i])).toBeLessThan(1e-4);
    } finally {
      x.dispose();
      net.dispose();
    }
  });

  it('returns [n, 2] and frees every intermediate; rejects RGB input', async () => {
    const net = new TinyTrackerS().eval();
    const x = uniformTensor([2, 96, 96, 1], 6);
    const rgb = tf.zeros([1, 96, 96, 3]);
    try {
      const y = await expectTensorDelta(() => net.call(x), 1);
      expect(y.shape).toEqual([2, 2]);
      y.dispose();
      await expect(expectTensorDelta(() => net.call(rgb))).rejects.toThrow(ShapeError);
    } finally {
      tf.dispose([x, rgb]);
      net.dispose();
    }
  });
});
