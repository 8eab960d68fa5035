import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  Conv2d,
  PixelShuffle,
  ReLU,
  Sequential,
  initBackend,
  profile,
  stateDictFromRaw,
  disposeStateDict,
} from '../src/index';

describe('README quick start', () => {
  it('runs as written and gives the shapes and counts derived by hand', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const net = new Sequential(new Conv2d(3, 12, 3, { padding: 1 }), new ReLU(), new PixelShuffle(2));
    const y = tf.tidy(() => net.call(tf.zeros([1, 16, 16, 3])));
    expect(y.shape).toEqual([1, 32, 32, 3]);
    const stats = await profile(net, [16, 16, 3]);
    // params: 12·3·3·3 weights + 12 biases = 336; MACs: 16·16 positions × 3·3·3·12 = 82,944.
    expect(stats.params).toBe(336);
    expect(stats.macs).toBe(82_944);
    // The state dict is in PyTorch layout, the form readTorchStateDict returns for a .pth.
    const sd = net.stateDict();
    expect(sd['0.weight'].shape).toEqual([12, 3, 3, 3]); // OIHW, as PyTorch
    const dict = stateDictFromRaw(Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, { dtype: 'F32' as const, shape: t.shape, data: t.dataSync() as Float32Array }])));
    net.loadStateDict(dict);
    disposeStateDict(dict);
    disposeStateDict(sd);
    y.dispose();
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
