import * as tf from '@tensorflow/tfjs-core';
import { Rng, ShapeError } from '@lab/tensor';
import { expect, it } from 'vitest';
import { TinyTracker } from '../../src/models/tinytracker/tinytracker';
import { TinyTrackerS } from '../../src/models/tinytracker-s/tinytracker-s';
import { calibrateActivations } from '../../src/quant/calibrate';
import type { InferenceGraph } from '../../src/quant/inference-graph';
import { runInferenceGraph } from '../../src/quant/inference-graph';
import { runIntegerReference } from '../../src/quant/integer-reference';
import { quantizeGraph } from '../../src/quant/quantize-graph';
import { quantizeModel } from '../../src/quant/quantize-model';
import { QuantizedModel } from '../../src/quant/quantized-model';
import { describeBackends, expectTensorDelta, randomiseBatchNorms, uniformTensor } from '../helpers';
import { convGraph, fcGraph } from './graphs';

/** Seeded int8 values. */
function randomInt8(n: number, seed: number): Int8Array {
  const rng = new Rng(seed);
  return Int8Array.from({ length: n }, () => rng.int(-128, 128));
}

/** Quantises `graph` calibrated on seeded uniform data in ±2. */
function quantized(graph: InferenceGraph, seed: number): QuantizedModel {
  const x = uniformTensor([16, ...graph.tensors[0]], seed, -2, 2);
  try {
    return new QuantizedModel(quantizeGraph(graph, calibrateActivations(graph, x)), 1);
  } finally {
    x.dispose();
  }
}

/** Runs the fake-quantised path and the integer reference on the same int8 input. */
async function bothPaths(q: QuantizedModel, input: Int8Array, batch: number): Promise<[Int8Array, Int8Array]> {
  const xq = tf.tensor(Int32Array.from(input), [batch, ...q.inputShape], 'int32');
  try {
    const y = await expectTensorDelta(() => q.run(xq), 1);
    const fake = Int8Array.from(await y.data());
    y.dispose();
    return [fake, runIntegerReference(q, input, batch)];
  } finally {
    xq.dispose();
  }
}

const LAYERS = [
  { name: 'conv x=[2,9,9,4] k=3 s=2 pads [[0,1],[0,1]] relu', graph: () => convGraph({ h: 9, w: 9, cin: 4, cout: 8, k: 3, stride: 2, pads: [[0, 1], [0, 1]], activation: 'relu' }, 1) },
  { name: 'conv x=[2,6,6,96] k=1 s=1 none (576-style projection)', graph: () => convGraph({ h: 6, w: 6, cin: 96, cout: 16, k: 1, stride: 1, pads: [[0, 0], [0, 0]] }, 2, 0.1) },
  { name: 'depthwise x=[2,8,8,6] k=3 s=1 same relu6', graph: () => convGraph({ h: 8, w: 8, cin: 6, cout: 6, k: 3, stride: 1, pads: [[1, 1], [1, 1]], depthwise: true, activation: 'relu6' }, 3) },
  { name: 'depthwise x=[2,7,7,5] k=3 s=2 pads [[1,1],[1,1]] relu', graph: () => convGraph({ h: 7, w: 7, cin: 5, cout: 5, k: 3, stride: 2, pads: [[1, 1], [1, 1]], depthwise: true, activation: 'relu' }, 4) },
  { name: 'fully connected 576 → 2 none', graph: () => fcGraph(576, 2, 'none', 5) },
  { name: 'fully connected 32 → 128 relu', graph: () => fcGraph(32, 128, 'relu', 6) },
];

describeBackends('QuantizedModel', () => {
  for (const layer of LAYERS) {
    it(`equals the integer reference bit for bit: ${layer.name}`, async () => {
      const q = quantized(layer.graph(), 10);
      expect(q.bitExact).toBe(true);
      const batch = 2;
      const [fake, ref] = await bothPaths(q, randomInt8(batch * q.inputShape.reduce((a, b) => a * b, 1), 20), batch);
      expect(Array.from(fake)).toEqual(Array.from(ref));
      expect(new Set(ref).size).toBeGreaterThan(Math.min(5, ref.length - 1)); // the outputs are not saturated to one value
    });
  }

  it('equals the integer reference at the extreme inputs −128 and 127 (conv k=3, 96 → 16)', async () => {
    const q = quantized(convGraph({ h: 5, w: 5, cin: 96, cout: 16, k: 3, stride: 1, pads: [[1, 1], [1, 1]] }, 7, 0.05), 11);
    expect(q.bitExact).toBe(true);
    const n = 5 * 5 * 96;
    const input = Int8Array.from({ length: 2 * n }, (_, i) => (i < n ? -128 : 127));
    const [fake, ref] = await bothPaths(q, input, 2);
    expect(Array.from(fake)).toEqual(Array.from(ref));
  });

  it('equals the integer reference through all of TinyTracker (conv, depthwise, add, FC, tanh), x=[2,112,112,3]', async () => {
    const net = new TinyTracker();
    randomiseBatchNorms(net, 8);
    net.eval();
    const calib = uniformTensor([6, 112, 112, 3], 30);
    try {
      const q = quantizeModel(net, calib);
      expect(q.bitExact).toBe(true);
      expect(q.graph.ops.filter((o) => o.kind === 'add')).toHaveLength(6);
      const [fake, ref] = await bothPaths(q, randomInt8(2 * 112 * 112 * 3, 31), 2);
      expect(Array.from(fake)).toEqual(Array.from(ref));
    } finally {
      calib.dispose();
      net.dispose();
    }
  });

  it('equals the integer reference through TinyTrackerS (baked grid, SE mean/mul/logistic), x=[2,96,96,1]', async () => {
    const net = new TinyTrackerS();
    randomiseBatchNorms(net, 9);
    net.eval();
    const calib = uniformTensor([6, 96, 96, 1], 32);
    try {
      const q = quantizeModel(net, calib);
      const kinds = new Set(q.graph.ops.map((o) => o.kind));
      for (const k of ['concatConstant', 'mean', 'mul', 'logistic', 'constant', 'tanh']) expect(kinds.has(k as never)).toBe(true);
      const [fake, ref] = await bothPaths(q, randomInt8(2 * 96 * 96, 33), 2);
      expect(Array.from(fake)).toEqual(Array.from(ref));
    } finally {
      calib.dispose();
      net.dispose();
    }
  });

  it('quantizes inputs as TFLite QUANTIZE: [−1, 0, 1.08, 2] → [−128, −5, 127, 127] with (0.00816, −5)', async () => {
    // Calibrating the input on exactly [−1, 1.08] gives the released model's input parameters.
    const graph = fcGraph(1, 1, 'none', 12);
    const calib = tf.tensor2d([[-1], [1.08]]);
    const x = tf.tensor2d([[-1], [0], [1.08], [2]]);
    try {
      const q = new QuantizedModel(quantizeGraph(graph, calibrateActivations(graph, calib)), 1);
      expect(q.inputParams.zeroPoint).toBe(-5);
      const xq = await expectTensorDelta(() => q.quantizeInput(x), 1);
      expect(xq.dtype).toBe('int32');
      // −1/0.0081569 = −122.596 → −123 − 5; 1.08/0.0081569 = 132.404 → 132 − 5
      expect(Array.from(await xq.data())).toEqual([-128, -5, 127, 127]);
      xq.dispose();
    } finally {
      tf.dispose([calib, x]);
    }
  });

  it('predicts within two output steps of the float layer (FC 32 → 8, relu) and equals dequantise(run)', async () => {
    const graph = fcGraph(32, 8, 'relu', 13);
    const x = uniformTensor([4, 32], 15, -2, 2);
    // Calibrated on x itself, so nothing is clipped: the error is input, weight and output rounding.
    const q = new QuantizedModel(quantizeGraph(graph, calibrateActivations(graph, x)), 1);
    try {
      const y = await expectTensorDelta(() => q.predict(x), 1);
      const yf = runInferenceGraph(graph, x);
      const a = await y.data();
      const b = await yf.data();
      const xq = q.quantizeInput(x);
      const r = q.run(xq);
      const { scale, zeroPoint } = q.outputParams;
      const deq = Array.from(await r.data(), (v) => Math.fround(scale * (v - zeroPoint)));
      tf.dispose([y, yf, xq, r]);
      expect(Array.from(a)).toEqual(deq);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(2 * scale);
    } finally {
      x.dispose();
    }
  });

  it('rejects float32 input to run and mis-shaped input to predict, without leaking', async () => {
    const q = quantized(fcGraph(4, 2, 'none', 16), 17);
    const f = tf.zeros([1, 4]);
    const bad = tf.zeros([1, 5]);
    try {
      await expect(expectTensorDelta(() => q.run(f))).rejects.toThrow(/QuantizedModel.run: xq must be int32, got float32/);
      await expect(expectTensorDelta(() => q.predict(bad))).rejects.toThrow(ShapeError);
    } finally {
      tf.dispose([f, bad]);
    }
  });
});
