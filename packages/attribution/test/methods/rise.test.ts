import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { Rise } from '../../src/methods/rise';
import { quadrantMean, take } from '../fixtures/perturbation-models';

const quadrantMass = (a: number[], h: number, w: number, c: number) => {
  let inside = 0;
  let outside = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
    if (y < h / 2 && x < w / 2) inside += a[(y * w + x) * c + k];
    else outside += a[(y * w + x) * c + k];
  }
  return { inside: inside / ((h * w * c) / 4), outside: outside / ((3 * h * w * c) / 4) };
};

describeBackends('Rise', () => {
  it('averages to 1 for a constant model: E[M(y,x)]/p = 1 (1000 masks, within 4 standard errors)', async () => {
    const input = tf.ones([1, 8, 8, 1]);
    const { attributions } = await new Rise({ masks: 1000, cells: 4, p: 0.5 }).attribute((x) => tf.onesLike(tf.sum(x, [1, 2, 3])), input);
    input.dispose();
    const a = await take(attributions);
    // Upsampled masks are convex combinations of Bernoulli(p) cells, so E[M] = p and Var[M] ≤ p(1 − p).
    const tol = (4 * Math.sqrt(0.25 / 1000)) / 0.5;
    for (const v of a) expect(Math.abs(v - 1)).toBeLessThan(tol);
  });

  it('puts more saliency on the quadrant a quadrant-mean model reads', async () => {
    const input = tf.ones([1, 8, 8, 2]);
    const { attributions } = await new Rise({ masks: 300, cells: 4, p: 0.5 }).attribute(quadrantMean, input, { seed: 2 });
    input.dispose();
    const { inside, outside } = quadrantMass(await take(attributions), 8, 8, 2);
    expect(inside).toBeGreaterThan(outside + 0.05); // ≈ 0.59 vs 0.49: the covariance of M(y,x) with f
  });

  it('is linear in the model: 2f gives twice the saliency (same seed)', async () => {
    const input = tf.ones([1, 6, 6, 1]);
    const rise = new Rise({ masks: 50, cells: 3 });
    const a = await take((await rise.attribute(quadrantMean, input, { seed: 1 })).attributions);
    const b = await take((await rise.attribute((x) => tf.tidy(() => tf.mul(2, quadrantMean(x))), input, { seed: 1 })).attributions);
    input.dispose();
    b.forEach((v, i) => expect(v).toBeCloseTo(2 * a[i], 5));
  });

  it('repeats for a seed and gives identical results for batchSize 1, 6 and 32', async () => {
    const input = tf.tidy(() => tf.div(tf.reshape(tf.range(0, 2 * 36), [2, 6, 6, 1]), 36));
    const rise = new Rise({ masks: 20, cells: 3, p: 0.5 });
    const outs = [];
    for (const batchSize of [1, 6, 32]) outs.push(await take((await rise.attribute(quadrantMean, input, { batchSize, seed: 9 })).attributions));
    input.dispose();
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[2]).toEqual(outs[0]);
  });

  it('leaves numTensors unchanged except the returned attributions', async () => {
    const input = tf.ones([2, 4, 4, 3]);
    const r = await expectTensorDelta(() => new Rise({ masks: 8, cells: 2 }).attribute(quadrantMean, input), 1);
    tf.dispose([input, r.attributions]);
  });

  it('throws typed errors for non-image input, too many cells and bad settings', async () => {
    expect(() => new Rise({ p: 0 })).toThrow(/p must be a number in \(0, 1\]/);
    expect(() => new Rise({ masks: 1.5 })).toThrow(InvalidValueError);
    const tab = tf.ones([1, 4]);
    await expect(new Rise().attribute((x) => tf.sum(x, 1), tab)).rejects.toThrow(ShapeError);
    const small = tf.ones([1, 4, 4, 1]);
    await expect(expectTensorDelta(() => new Rise({ cells: 8 }).attribute(quadrantMean, small))).rejects.toThrow(/cells \(8\) must not exceed/);
    tf.dispose([tab, small]);
  });
});
