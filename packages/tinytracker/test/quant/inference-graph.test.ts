import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@lab/tensor';
import { expect, it } from 'vitest';
import { GraphBuilder, runInferenceGraph } from '../../src/quant/inference-graph';
import { describeBackends, expectTensorDelta } from '../helpers';

/** x [1,2,2,1] → conv 1×1 (w 2, b 1, relu) → add x → mean → reshape. */
function smallGraph() {
  const g = new GraphBuilder([2, 2, 1]);
  const c = g.add({
    kind: 'conv2d', name: 'conv', input: 0, output: g.tensor([2, 2, 1]), depthwise: false, kernel: [1, 1], stride: [1, 1],
    pads: [[0, 0], [0, 0]], inChannels: 1, outChannels: 1, weight: Float32Array.of(2), bias: Float32Array.of(1), activation: 'relu',
  });
  const a = g.add({ kind: 'add', name: 'add', inputs: [0, c], output: g.tensor([2, 2, 1]) });
  const m = g.add({ kind: 'mean', name: 'mean', input: a, output: g.tensor([1]) });
  return g.build(m);
}

describeBackends('runInferenceGraph', () => {
  it('computes relu(2x + 1) + x then the spatial mean (hand values, x = [−2, −1, 0, 1])', async () => {
    const x = tf.tensor4d([-2, -1, 0, 1], [1, 2, 2, 1]);
    try {
      const seen: number[] = [];
      const y = await expectTensorDelta(() => runInferenceGraph(smallGraph(), x, { onTensor: (id) => seen.push(id) }), 1);
      // relu(2x+1) = [0, 0, 1, 3]; + x = [−2, −1, 1, 4]; mean = 0.5
      expect(Array.from(await y.data())).toEqual([0.5]);
      expect(y.shape).toEqual([1, 1]);
      y.dispose();
      expect(seen).toEqual([0, 1, 2, 3]);
    } finally {
      x.dispose();
    }
  });

  it('rejects an input that does not match the graph', async () => {
    const x = tf.zeros([1, 3, 2, 1]);
    try {
      await expect(expectTensorDelta(() => runInferenceGraph(smallGraph(), x))).rejects.toThrow(ShapeError);
      expect(() => runInferenceGraph(smallGraph(), x)).toThrow(/runInferenceGraph: x must have shape \[n, 2, 2, 1\], got \[1,3,2,1\]/);
    } finally {
      x.dispose();
    }
  });
});
