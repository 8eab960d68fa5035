import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, Linear, Rng, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { extractFeatures } from '../../src/eval/extract-features';
import { SmallConvNet } from '../../src/nn/small-convnet';
import { randomImages } from '../fixtures/tiny';

describeBackends('extractFeatures', () => {
  it('gives identical features for batch sizes 1, 3 and 256', () => {
    const net = new SmallConvNet({ widths: [4, 8], rng: new Rng(0) });
    const x = randomImages(7);
    const runs = [1, 3, 256].map((b) => {
      const f = extractFeatures(net, x, { batchSize: b });
      const v = Array.from(f.dataSync());
      f.dispose();
      return v;
    });
    runs[1].forEach((v, i) => expect(v).toBeCloseTo(runs[0][i], 5));
    runs[2].forEach((v, i) => expect(v).toBeCloseTo(runs[0][i], 5));
    x.dispose();
    net.dispose();
  });

  it('runs in eval mode (running statistics) and restores the training flags', () => {
    const net = new SmallConvNet({ widths: [4], rng: new Rng(1) });
    const x = randomImages(4);
    const f = extractFeatures(net, x);
    expect(net.training).toBe(true);
    net.eval();
    const ref = tf.tidy(() => net.call(x));
    f.dataSync().forEach((v, i) => expect(v).toBeCloseTo(ref.dataSync()[i], 5));
    tf.dispose([x, f, ref]);
    net.dispose();
  });

  it('returns one new tensor and rejects non-modules and models that do not return [b, d]', async () => {
    const net = new SmallConvNet({ widths: [4], rng: new Rng(1) });
    const x = randomImages(3);
    const f = await expectTensorDelta(() => extractFeatures(net, x, { batchSize: 2 }), 1);
    expect(f.shape).toEqual([3, 4]);
    expect(() => extractFeatures({} as never, x)).toThrow(InvalidValueError);
    const flat = tf.ones([3, 4]);
    const lin = new Linear(4, 2);
    expect(() => extractFeatures(lin, x)).toThrow(/Linear: x must have 4 features|must map/);
    expect(() => extractFeatures(net, flat as never)).toThrow(ShapeError);
    tf.dispose([x, f, flat]);
    net.dispose();
    lin.dispose();
  });
});
