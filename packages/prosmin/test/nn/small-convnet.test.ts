import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, Rng, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { SMALL_CONVNET_DEFAULTS, SmallConvNet } from '../../src/nn/small-convnet';

describeBackends('SmallConvNet', () => {
  it('maps [n,28,28,1] and [n,12,12,1] to [n, last width] with widths [4,8,16]', () => {
    const net = new SmallConvNet({ widths: [4, 8, 16], rng: new Rng(0) });
    for (const size of [28, 12]) {
      const y = tf.tidy(() => net.call(tf.ones([3, size, size, 1])));
      expect(y.shape).toEqual([3, 16]);
      y.dispose();
    }
    expect(net.embedDim).toBe(16);
    expect(net.minInputSize).toBe(4); // two 2×2 pools
    net.dispose();
  });

  it('has 9·cin·w conv weights and 2w BN parameters per stage (no conv bias)', () => {
    const net = new SmallConvNet({ inChannels: 3, widths: [4, 8], rng: new Rng(0) });
    expect(net.numParameters()).toBe(9 * 3 * 4 + 2 * 4 + 9 * 4 * 8 + 2 * 8); // 108 + 8 + 288 + 16
    const sd = net.stateDict();
    expect(sd['features.0.weight'].shape).toEqual([4, 3, 3, 3]); // OIHW
    expect(Object.keys(sd)).toContain('features.5.running_var'); // 0 conv, 1 bn, 2 relu, 3 pool, 4 conv, 5 bn
    tf.dispose(Object.values(sd));
    net.dispose();
  });

  it('gives the same features for a batch and for its images one at a time in eval mode', () => {
    const net = new SmallConvNet({ widths: [4, 8], rng: new Rng(2) }).eval();
    const x = new Rng(3).uniformTensor([3, 10, 10, 1]);
    const whole = tf.tidy(() => net.call(x).arraySync() as number[][]);
    for (let i = 0; i < 3; i++) {
      const one = tf.tidy(() => (net.call(tf.slice(x, [i, 0, 0, 0], [1, -1, -1, -1])).arraySync() as number[][])[0]);
      one.forEach((v, j) => expect(v).toBeCloseTo(whole[i][j], 5));
    }
    x.dispose();
    net.dispose();
  });

  it('returns one new tensor and frees everything else', async () => {
    const net = new SmallConvNet({ widths: [4], rng: new Rng(0) });
    const x = tf.ones([2, 6, 6, 1]);
    const y = await expectTensorDelta(() => net.call(x), 1);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('rejects bad widths, wrong channels, too small images and unknown options', () => {
    expect(() => new SmallConvNet({ widths: [] })).toThrow(InvalidValueError);
    expect(() => new SmallConvNet({ widths: [4, 0] })).toThrow(/widths must be a non-empty array of positive integers/);
    expect(() => new SmallConvNet({ depth: 3 } as never)).toThrow(/unknown option 'depth'/);
    const net = new SmallConvNet({ widths: [4, 4, 4], rng: new Rng(0) });
    const rgb = tf.ones([1, 8, 8, 3]);
    const tiny = tf.ones([1, 3, 3, 1]);
    expect(() => net.call(rgb)).toThrow(ShapeError);
    expect(() => net.call(tiny)).toThrow(/at least 4×4 px/);
    tf.dispose([rgb, tiny]);
    net.dispose();
    expect(SMALL_CONVNET_DEFAULTS.widths).toEqual([32, 64, 128]);
  });
});
