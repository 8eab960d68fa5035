import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { ExtremalPerturbation } from '../../src/methods/extremal-perturbation';
import { quadrantImage, quadrantMean, take } from '../fixtures/perturbation-models';

/** Mean attribution inside / outside the top-left quadrant of an [1, h, w, 1] map. */
function split(a: number[], h: number, w: number) {
  let inside = 0;
  let outside = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) (y < h / 2 && x < w / 2 ? (inside += a[y * w + x]) : (outside += a[y * w + x]));
  return { inside: inside / ((h * w) / 4), outside: outside / ((3 * h * w) / 4) };
}

// TorchRay's area weight (300); fewer steps with a larger step size than TorchRay, for speed.
const ep = new ExtremalPerturbation({ areas: [0.25], iterations: 60, learningRate: 0.05, step: 2 });

describeBackends('ExtremalPerturbation', () => {
  it('puts the mask on the quadrant a quadrant-mean model reads (area 0.25, 8×8)', async () => {
    const input = quadrantImage(8, 8);
    const { attributions } = await ep.attribute(quadrantMean, input);
    input.dispose();
    const a = await take(attributions);
    const { inside, outside } = split(a, 8, 8);
    expect(inside).toBeGreaterThan(0.7);
    expect(outside).toBeLessThan(0.2);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0); // unsigned mask in [0, 1]
    expect(Math.max(...a)).toBeLessThanOrEqual(1);
  });

  it('gives identical results for batchSize 1 and 32 (2 images × 2 areas)', async () => {
    const small = new ExtremalPerturbation({ areas: [0.25, 0.5], iterations: 5, learningRate: 0.05, step: 2 });
    const input = tf.tidy(() => tf.concat([quadrantImage(4, 4), tf.sub(1, quadrantImage(4, 4))]));
    const a = await take((await small.attribute(quadrantMean, input, { batchSize: 1 })).attributions);
    const b = await take((await small.attribute(quadrantMean, input, { batchSize: 32 })).attributions);
    input.dispose();
    b.forEach((v, i) => expect(v).toBeCloseTo(a[i], 6));
  });

  it('leaves numTensors unchanged except the returned attributions', async () => {
    const input = tf.ones([1, 4, 4, 2]);
    const r = await expectTensorDelta(() => new ExtremalPerturbation({ iterations: 2, step: 2 }).attribute(quadrantMean, input), 1);
    tf.dispose([input, r.attributions]);
  });

  it('throws typed errors for non-image input and bad settings', async () => {
    expect(() => new ExtremalPerturbation({ areas: [] })).toThrow(/areas must be a non-empty array/);
    expect(() => new ExtremalPerturbation({ areas: [1] })).toThrow(InvalidValueError);
    expect(() => new ExtremalPerturbation({ iterations: 0 })).toThrow(/iterations must be a positive integer/);
    expect(() => new ExtremalPerturbation({ maxIter: 3 } as never)).toThrow(/unknown option 'maxIter'/);
    const tab = tf.ones([1, 4]);
    await expect(expectTensorDelta(() => ep.attribute((x) => tf.sum(x, 1), tab))).rejects.toThrow(ShapeError);
    tab.dispose();
  });
});
