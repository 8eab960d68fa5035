import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { NotAvailableError, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta, maxRelError } from '../../../tensor/test/helpers';
import { DeepLift } from '../../src/methods/deep-lift';
import { DeepLiftShap } from '../../src/methods/deep-lift-shap';
import { randomInput, reluCnn, vectorD, vectorF } from '../fixtures/gradient-models';

describeBackends('DeepLiftShap', () => {
  it('gives w ⊙ (x − mean b) = (2, −7.5) for vector F: 2x₁−3x₂+0.5 with baselines (.5,−1), (−.5,0)', async () => {
    const model = vectorF();
    const x = tf.tensor2d([[1, 2]]);
    const dist = tf.tensor2d([[0.5, -1], [-0.5, 0]]);
    const { attributions, delta } = await new DeepLiftShap().attribute(model, x, { baselines: dist });
    // mean b = (0, −0.5): (2·1, −3·2.5) = (2, −7.5)
    expect(Array.from(await attributions.data())).toEqual([2, -7.5].map((v) => expect.closeTo(v, 5)));
    expect((await (delta as tf.Tensor).data())[0]).toBeCloseTo(0, 5);
    tf.dispose([x, dist, attributions, delta as tf.Tensor]);
    model.dispose();
  });

  it('equals the mean of DeepLift over the baselines and sums to f(x) − mean f(b_j) on a ReLU CNN', async () => {
    const model = reluCnn(16);
    const x = randomInput([2, 6, 6, 3], 61);
    const dist = tf.mul(randomInput([3, 6, 6, 3], 62), 0.3);
    const shap = await new DeepLiftShap().attribute(model, x, { target: [1, 2], baselines: dist, batchSize: 4 });
    const per = [];
    for (let j = 0; j < 3; j++) {
      const b = tf.slice(dist, j, 1);
      const r = await new DeepLift().attribute(model, x, { target: [1, 2], baselines: b });
      per.push(r.attributions);
      tf.dispose([b, r.delta as tf.Tensor]);
    }
    const mean = tf.div(tf.addN(per), 3);
    expect(maxRelError(await shap.attributions.data(), await mean.data())).toBeLessThan(1e-4);
    const d = await (shap.delta as tf.Tensor).data();
    const gap = await tf.tidy(() => {
      const sel = tf.oneHot(tf.tensor1d([1, 2], 'int32'), 3);
      const fx = tf.sum(tf.mul(model.call(x), sel), 1);
      const fb = tf.stack([0, 1].map((i) => tf.mean(tf.gather(model.call(dist), [1, 2][i], 1))));
      return tf.sub(fx, fb);
    }).data();
    for (let i = 0; i < 2; i++) expect(Math.abs(d[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(gap[i])));
    tf.dispose([x, dist, shap.attributions, shap.delta as tf.Tensor, mean, ...per]);
    model.dispose();
  });

  it('gives the same result for batchSize 1 and 100 and leaves numTensors unchanged but the result', async () => {
    const model = reluCnn(17);
    const x = randomInput([2, 6, 6, 3], 63);
    const dist = tf.mul(randomInput([2, 6, 6, 3], 64), 0.3);
    const r1 = await expectTensorDelta(() => new DeepLiftShap().attribute(model, x, { target: 0, baselines: dist, batchSize: 1 }), 2);
    const r100 = await new DeepLiftShap().attribute(model, x, { target: 0, baselines: dist, batchSize: 100 });
    expect(maxRelError(await r1.attributions.data(), await r100.attributions.data())).toBeLessThan(1e-4);
    tf.dispose([x, dist, r1.attributions, r1.delta as tf.Tensor, r100.attributions, r100.delta as tf.Tensor]);
    model.dispose();
  });

  it('rejects mis-shaped baselines, plain functions and unknown options, leaking nothing', async () => {
    const model = vectorF();
    const x = tf.tensor2d([[1, 2]]);
    const bad = tf.zeros([2, 3]);
    await expect(expectTensorDelta(() => new DeepLiftShap().attribute(model, x, { baselines: bad }))).rejects.toThrow(ShapeError);
    const w = tf.tensor2d([[1, 1, 1]]);
    await expect(expectTensorDelta(() => new DeepLiftShap().attribute(vectorD, w))).rejects.toThrow(NotAvailableError);
    expect(() => new DeepLiftShap({ samples: 3 } as never)).toThrow(/unknown option 'samples'/);
    tf.dispose([x, bad, w]);
    model.dispose();
  });
});
