import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { Lime } from '../../src/methods/lime';
import { linearModel, quadrantMean, take } from '../fixtures/perturbation-models';

describeBackends('Lime', () => {
  it('recovers w_j·(x_j − b_j) for a linear model (ridge α = 0, 60 samples, features alone)', async () => {
    const input = tf.tensor2d([[1, 2, -1, 3]]);
    const baselines = tf.tensor1d([0.5, 0, 0, 1]);
    const { attributions } = await new Lime({ samples: 60, alpha: 0 }).attribute(linearModel([2, -1, 0, 0.5], 3), input, { baselines, seed: 1 });
    tf.dispose([input, baselines]);
    const a = await take(attributions);
    // f(x_z) = c + Σ_j w_j (b_j + z_j (x_j − b_j)) is exactly linear in z: the weighted fit is exact.
    [1, -2, 0, 1].forEach((v, i) => expect(a[i]).toBeCloseTo(v, 4));
  });

  it('keeps only the `features` largest coefficients and zeroes the rest', async () => {
    const input = tf.tensor2d([[1, 1, 1, 1]]);
    const { attributions } = await new Lime({ samples: 60, alpha: 0, features: 2 }).attribute(linearModel([0, -3, 0, 2]), input);
    input.dispose();
    const a = await take(attributions);
    expect(a[0]).toBe(0);
    expect(a[2]).toBe(0);
    expect(a[1]).toBeCloseTo(-3, 4); // the refit on the two non-zero weights is exact (f is linear in z₁, z₃)
    expect(a[3]).toBeCloseTo(2, 4);
  });

  it('gives one value per grid cell on NHWC images and more weight to the quadrant the model reads', async () => {
    const input = tf.ones([1, 8, 8, 2]);
    const { attributions } = await new Lime({ samples: 40, segmentation: 'grid', gridCells: [2, 2], alpha: 0 }).attribute(quadrantMean, input);
    input.dispose();
    const a = await take(attributions);
    // f = mean of the top-left quadrant = z_0 exactly: coefficients (1, 0, 0, 0)
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) for (let c = 0; c < 2; c++) {
      expect(a[(y * 8 + x) * 2 + c]).toBeCloseTo(y < 4 && x < 4 ? 1 : 0, 4);
    }
  });

  it('segments images with SLIC by default (auto) and with a custom featureMask', async () => {
    const v: number[] = [];
    for (let y = 0; y < 6; y++) for (let x = 0; x < 12; x++) v.push(...(x < 6 ? [1, 0, 0] : [0, 0, 1]));
    const input = tf.tensor4d(v, [1, 6, 12, 3]);
    const model = (x: tf.Tensor) => tf.tidy(() => tf.mean(tf.slice(x, [0, 0, 0, 0], [-1, -1, 6, 1]), [1, 2, 3])); // red of the left half
    const lime = new Lime({ samples: 30, alpha: 0, slic: { segments: 2 } });
    const a = await take((await lime.attribute(model, input)).attributions);
    expect(a[0]).toBeCloseTo(1, 4); // left-half superpixel: f = z_left exactly
    expect(a[(0 * 12 + 11) * 3]).toBeCloseTo(0, 4); // right half
    const mask = tf.tensor3d(new Array(72).fill(0).map((_, p) => (p % 12 < 6 ? 5 : 9)), [6, 12, 1], 'int32');
    const b = await take((await lime.attribute(model, input, { featureMask: mask })).attributions);
    expect(b).toEqual(a);
    tf.dispose([input, mask]);
  });

  it('throws InvalidValueError when the segmentation yields fewer segments than features (lime#386)', async () => {
    const input = tf.ones([1, 8, 8, 3]);
    const lime = new Lime({ segmentation: 'grid', gridCells: [2, 2], features: 5 });
    await expect(expectTensorDelta(() => lime.attribute(quadrantMean, input))).rejects.toThrow(InvalidValueError);
    await expect(lime.attribute(quadrantMean, input)).rejects.toThrow(/4 segments, fewer than features=5/);
    input.dispose();
  });

  it('repeats for a seed and gives identical results for batchSize 1, 7 and 32', async () => {
    const input = tf.tidy(() => tf.div(tf.reshape(tf.range(0, 2 * 6), [2, 6]), 3));
    const lime = new Lime({ samples: 20 });
    const f = (x: tf.Tensor) => tf.tidy(() => tf.sigmoid(tf.sum(tf.mul(x, tf.tensor1d([1, -1, 2, 0, 1, -2])), 1)));
    const outs = [];
    for (const batchSize of [1, 7, 32]) outs.push(await take((await lime.attribute(f, input, { batchSize, seed: 4 })).attributions));
    input.dispose();
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[2]).toEqual(outs[0]);
  });

  it('leaves numTensors unchanged except the returned attributions', async () => {
    const input = tf.ones([2, 4, 4, 3]);
    const r = await expectTensorDelta(() => new Lime({ samples: 10, slic: { segments: 4 } }).attribute(quadrantMean, input), 1);
    tf.dispose([input, r.attributions]);
  });

  it('throws typed errors for bad settings and grid on non-image input', async () => {
    expect(() => new Lime({ kernelWidth: 0 })).toThrow(/kernelWidth must be a number in \(0/);
    expect(() => new Lime({ segmentation: 'quickshift' as never })).toThrow(InvalidValueError);
    expect(() => new Lime({ gridCells: [2] as never })).toThrow(/gridCells/);
    expect(() => new Lime({ nSamples: 3 } as never)).toThrow(/unknown option 'nSamples'/);
    const tab = tf.ones([1, 4]);
    await expect(new Lime({ segmentation: 'grid' }).attribute(linearModel([1, 1, 1, 1]), tab)).rejects.toThrow(ShapeError);
    tab.dispose();
  });
});
