import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Identity, InvalidValueError, Module, ShapeError, UnknownNameError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { Iba } from '../../src/methods/iba';
import { QuadrantNet, quadrantImage, quadrantMean, take } from '../fixtures/perturbation-models';

function split(a: number[], h: number, w: number) {
  let inside = 0;
  let outside = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) (y < h / 2 && x < w / 2 ? (inside += a[y * w + x]) : (outside += a[y * w + x]));
  return { inside: inside / ((h * w) / 4), outside: outside / ((3 * h * w) / 4) };
}

// β is scaled to the model: the score is a mean over 16 pixels, so IBA's β = 10 (for a
// cross-entropy over ImageNet logits) would close the bottleneck everywhere.
const iba = new Iba({ layer: 'feat', beta: 0.01, iterations: 10, noiseSamples: 4 });

describeBackends('Iba', () => {
  it('puts the capacity on the quadrant a quadrant-mean model reads (8×8, layer feat)', async () => {
    const net = new QuadrantNet();
    const input = quadrantImage(8, 8);
    const { attributions } = await iba.attribute(net, input, { seed: 1 });
    input.dispose();
    net.dispose();
    const a = await take(attributions);
    const { inside, outside } = split(a, 8, 8);
    expect(inside).toBeGreaterThan(4 * outside); // bits per position
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0); // a KL divergence: unsigned
  });

  it('gives identical results for batchSize 4 and 32 (2 images, 4 noise draws each)', async () => {
    const net = new QuadrantNet();
    const small = new Iba({ layer: 'feat', beta: 0.01, iterations: 3, noiseSamples: 4 });
    const input = tf.tidy(() => tf.concat([quadrantImage(4, 4), tf.sub(1, quadrantImage(4, 4))]));
    const a = await take((await small.attribute(net, input, { batchSize: 4, seed: 2 })).attributions);
    const b = await take((await small.attribute(net, input, { batchSize: 32, seed: 2 })).attributions);
    input.dispose();
    net.dispose();
    b.forEach((v, i) => expect(v).toBeCloseTo(a[i], 5));
  });

  it('accepts given layer statistics and leaves numTensors unchanged except the returned attributions', async () => {
    const net = new QuadrantNet();
    const input = tf.ones([1, 4, 4, 1]);
    const stats = { mean: tf.scalar(0.5), std: tf.ones([1, 1, 1]) };
    const r = await expectTensorDelta(() => new Iba({ layer: 'feat', iterations: 2, noiseSamples: 2 }).attribute(net, input, { stats }), 1);
    tf.dispose([input, r.attributions, stats.mean, stats.std]);
    net.dispose();
  });

  it('throws typed errors for a function model, an unknown layer, bad stats and bad settings', async () => {
    expect(() => new Iba({} as never)).toThrow(/layer must be a non-empty module name/);
    expect(() => new Iba({ layer: 'feat', beta: -1 })).toThrow(InvalidValueError);
    const net = new QuadrantNet();
    const input = tf.ones([1, 4, 4, 1]);
    await expect(iba.attribute(quadrantMean, input)).rejects.toThrow(/model must be a Module/);
    await expect(new Iba({ layer: 'conv9' }).attribute(net, input)).rejects.toThrow(UnknownNameError);
    const stats = { mean: tf.zeros([3, 3, 1]), std: tf.ones([1]) };
    await expect(expectTensorDelta(() => iba.attribute(net, input, { stats }))).rejects.toThrow(ShapeError);
    tf.dispose([input, stats.mean, stats.std]);
    net.dispose();
  });

  it('throws ShapeError naming the layer when its output is not a feature map [N, h, w, c]', async () => {
    class FlatNet extends Module {
      readonly feat = this.registerModule('feat', new Identity());
      forward(x: tf.Tensor): tf.Tensor {
        return tf.tidy(() => tf.sum(this.feat.call(tf.reshape(x, [x.shape[0], -1])), 1, true));
      }
    }
    const net = new FlatNet();
    const input = tf.ones([1, 4, 4, 1]);
    await expect(expectTensorDelta(() => iba.attribute(net, input))).rejects.toThrow(/layer 'feat' must be a feature map \[N, h, w, c\], got \[1,16\]/);
    input.dispose();
    net.dispose();
  });
});
