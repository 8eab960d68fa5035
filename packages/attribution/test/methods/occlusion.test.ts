import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { Occlusion } from '../../src/methods/occlusion';
import type { AttributionModel } from '../../src/core/types';
import { linearModel, quadrantMean, take, vectorA, vectorB, vectorC, vectorD, vectorE, vectorF } from '../fixtures/perturbation-models';

const round = (a: number[]) => a.map((v) => Number(v.toFixed(5)));

describeBackends('Occlusion', () => {
  const single = new Occlusion({ window: [1] });
  const cases: [string, AttributionModel, number[][], number[], number[] | undefined][] = [
    // spec §6, "1-feature occlusion" column
    ['A → (1,1)', vectorA, [[1, 1]], [1, 1], undefined],
    ['B → 1', vectorB, [[2]], [1], undefined],
    ['C → (1,1)', vectorC, [[3, 1]], [1, 1], undefined],
    ['D → (1,1,1)', vectorD, [[1, 1, 1]], [1, 1, 1], undefined],
    ['E → (0,0,0)', vectorE, [[1, 1, 1]], [0, 0, 0], undefined],
    ['F, b=(0.5,−1) → (1,−9)', vectorF, [[1, 2]], [1, -9], [0.5, -1]],
  ];
  for (const [name, model, x, expected, b] of cases) {
    it(`reproduces the 1-feature occlusion of spec vector ${name}`, async () => {
      const input = tf.tensor2d(x);
      const baselines = b ? tf.tensor1d(b) : undefined;
      const { attributions } = await single.attribute(model, input, { baselines });
      tf.dispose([input, baselines as tf.Tensor]);
      expect(round(await take(attributions))).toEqual(expected);
    });
  }

  it('averages the drop over the windows containing each pixel: 1×4×4×1, window 2, stride 1, f = x[0,0]', async () => {
    const model = (x: tf.Tensor) => tf.tidy(() => tf.reshape(tf.slice(x, [0, 0, 0, 0], [-1, 1, 1, 1]), [-1]));
    const input = tf.ones([1, 4, 4, 1]);
    const { attributions } = await new Occlusion({ window: [2, 2], stride: 1 }).attribute(model, input);
    input.dispose();
    // Hand derivation: 9 windows; only the window at (0,0) contains pixel (0,0) and drops f by 1.
    // (0,0) is in 1 window → 1; (0,1),(1,0) are in 2 windows, one dropping 1 → 0.5; (1,1) in 4 → 0.25.
    expect(round(await take(attributions))).toEqual([1, 0.5, 0, 0, 0.5, 0.25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('gives 4 everywhere for f = Σx on ones (window 2, stride 1): an average, not a sum over windows', async () => {
    const model = (x: tf.Tensor) => tf.tidy(() => tf.sum(x, [1, 2, 3]));
    const input = tf.ones([1, 4, 4, 1]);
    const { attributions } = await new Occlusion({ window: [2, 2], stride: [1, 1] }).attribute(model, input);
    input.dispose();
    expect(round(await take(attributions))).toEqual(new Array(16).fill(4)); // every window drops 4 (hand derivation)
  });

  it('occludes all channels of a pixel with a 2-D window on NHWC input, and gives 0 to uncovered pixels', async () => {
    const model = (x: tf.Tensor) => tf.tidy(() => tf.sum(x, [1, 2, 3]));
    const input = tf.ones([1, 3, 3, 2]);
    const { attributions } = await new Occlusion({ window: [2, 2], stride: 2 }).attribute(model, input);
    input.dispose();
    // One window (rows 0–1, cols 0–1, both channels) drops 8; row 2 and column 2 are covered by no window → 0.
    const a = round(await take(attributions));
    expect(a).toEqual([8, 8, 8, 8, 0, 0, 8, 8, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('gives 0 to a dummy feature (window 1)', async () => {
    const input = tf.tensor2d([[1, 2, 3]]);
    const { attributions } = await single.attribute(linearModel([1, 0, -2]), input);
    input.dispose();
    expect(round(await take(attributions))).toEqual([1, 0, -6]); // w_j x_j; x₂ is a dummy
  });

  it('gives identical results for batchSize 1, 2 and 32 (8×8 images, window 3, stride 2)', async () => {
    const input = tf.tidy(() => tf.div(tf.reshape(tf.range(0, 2 * 64 * 2), [2, 8, 8, 2]), 100));
    const occ = new Occlusion({ window: [3, 3], stride: [2, 2] });
    const outs = [];
    for (const batchSize of [1, 2, 32]) outs.push(await take((await occ.attribute(quadrantMean, input, { batchSize })).attributions));
    input.dispose();
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[2]).toEqual(outs[0]);
  });

  it('leaves numTensors unchanged except the returned attributions', async () => {
    const input = tf.ones([2, 4, 4, 1]);
    const r = await expectTensorDelta(() => new Occlusion({ window: [2, 2] }).attribute(quadrantMean, input, { baselines: 0.5 }), 1);
    tf.dispose([input, r.attributions]);
  });

  it('throws typed errors for bad windows, strides, options and baselines', async () => {
    expect(() => new Occlusion({ window: [] })).toThrow(InvalidValueError);
    expect(() => new Occlusion({ window: [0] })).toThrow(/window must hold positive integers/);
    expect(() => new Occlusion({ window: [2, 2], stride: [1] })).toThrow(/stride must have 2 entries/);
    expect(() => new Occlusion({ window: [2], size: 2 } as never)).toThrow(/unknown option 'size'/);
    const input = tf.ones([1, 4, 4, 1]);
    await expect(new Occlusion({ window: [5, 5] }).attribute(quadrantMean, input)).rejects.toThrow(ShapeError);
    await expect(new Occlusion({ window: [1, 1, 1, 1] }).attribute(quadrantMean, input)).rejects.toThrow(/window has 4 axes/);
    await expect(new Occlusion({ window: [2, 2] }).attribute(quadrantMean, input, { batchSize: 0 })).rejects.toThrow(/batchSize/);
    const bad = tf.ones([3, 3]);
    await expect(expectTensorDelta(() => new Occlusion({ window: [2, 2] }).attribute(quadrantMean, input, { baselines: bad }))).rejects.toThrow(ShapeError);
    tf.dispose([input, bad]);
  });
});
