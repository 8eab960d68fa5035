import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@lab/tensor';
import { expect, it } from 'vitest';
import { TinyTrackerS } from '../../src/models/tinytracker-s/tinytracker-s';
import { quantizeModel } from '../../src/quant/quantize-model';
import type { QConv2d, QFullyConnected } from '../../src/quant/quantized-graph';
import { describeBackends, expectTensorDelta, randomiseBatchNorms, uniformTensor } from '../helpers';

describeBackends('quantizeModel', () => {
  it('quantises TinyTrackerS as TFLite: per-channel conv weights, per-tensor FC, fixed tanh/logistic outputs, ReLU6 clamps', async () => {
    const net = new TinyTrackerS();
    randomiseBatchNorms(net, 1);
    net.eval();
    const calib = uniformTensor([4, 96, 96, 1], 2);
    try {
      const q = await expectTensorDelta(() => quantizeModel(net, calib), 0);
      const convs = q.graph.ops.filter((o): o is QConv2d => o.kind === 'conv2d');
      const fcs = q.graph.ops.filter((o): o is QFullyConnected => o.kind === 'fullyConnected');
      for (const c of convs) {
        expect(c.weightScales).toHaveLength(c.outChannels);
        // symmetric per channel: the largest |q| of every channel is 127 (or the channel is all zero)
        const maxAbs = new Array(c.outChannels).fill(0);
        c.weight.forEach((v, i) => (maxAbs[i % c.outChannels] = Math.max(maxAbs[i % c.outChannels], Math.abs(v))));
        expect(maxAbs.every((m) => m === 127)).toBe(true);
      }
      for (const f of fcs) expect(f.weightScales).toHaveLength(1);
      const p = q.graph.params;
      for (const op of q.graph.ops) {
        if (op.kind === 'tanh') expect(p[op.output]).toEqual({ scale: 1 / 128, zeroPoint: 0 });
        if (op.kind === 'logistic') expect(p[op.output]).toEqual({ scale: 1 / 256, zeroPoint: -128 });
      }
      // ReLU6 fused: the clamp is [zp, zp + round(6/s)] ∩ [−128, 127].
      const stem = convs[0];
      const out = p[stem.output];
      expect(stem.activation).toBe('relu6');
      expect(stem.activationMin).toBe(Math.max(-128, out.zeroPoint));
      expect(stem.activationMax).toBe(Math.min(127, out.zeroPoint + Math.round(6 / out.scale)));
      // The baked grid shares the input's parameters (CONCATENATION restriction).
      const concat = q.graph.ops.find((o) => o.kind === 'concatConstant');
      expect(concat && p[concat.output]).toEqual(p[0]);
      expect(q.bitExact).toBe(true);
    } finally {
      calib.dispose();
      net.dispose();
    }
  });

  it('rejects a non-model, a disposed model and unknown options by name', () => {
    const net = new TinyTrackerS();
    const calib = tf.zeros([1, 96, 96, 1]);
    try {
      expect(() => quantizeModel({} as never, calib)).toThrow(/quantizeModel: model must be a GazeModel/);
      expect(() => quantizeModel(net, calib, { calibration: 'x' } as never)).toThrow(/quantizeModel: unknown option 'calibration'/);
      net.dispose();
      expect(() => quantizeModel(net, calib)).toThrow(InvalidValueError);
    } finally {
      calib.dispose();
      net.dispose();
    }
  });
});
