import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Rng } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { multiCrop } from '../../src/augment/multi-crop';
import { BYOL_DEFAULTS, Byol } from '../../src/method/byol';
import { byolLoss } from '../../src/method/byol-loss';
import { randomImages } from '../fixtures/tiny';

const TINY = { widths: [4, 8], hiddenDim: 12, projectionDim: 6 } as const;

describeBackends('Byol', () => {
  it('mirrors backbone and projector in the target (not the predictor), with separate weights', () => {
    const m = new Byol(TINY);
    const targetNames = m.target.namedParameters().map(([n]) => n);
    expect(targetNames.every((n) => n.startsWith('backbone.') || n.startsWith('head.'))).toBe(true);
    expect(targetNames.length).toBe(m.online.model.namedParameters().length);
    expect(m.onlineParameters().some(([n]) => n.startsWith('online.predictor.'))).toBe(true);
    expect(m.target.getTensor('head.net.0.weight')).not.toBe(m.online.model.getTensor('head.net.0.weight'));
    expect(m.usesLocalCrops).toBe(false);
    expect(m.defaultMomentum).toBe(BYOL_DEFAULTS.momentum);
    m.dispose();
  });

  it('computes byolLoss of the online predictions of both global views against the target projections', () => {
    const m = new Byol(TINY);
    const x = randomImages(4);
    const views = multiCrop(x, { localCrops: 0, rng: new Rng(1) });
    const t = m.targetOutputs(views.globals);
    const loss = tf.tidy(() => m.onlineLoss(views, t, new Rng(0)).dataSync()[0]);
    const ref = tf.tidy(() => byolLoss(tf.reshape(m.online.call(views.globals), [2, 4, 6]), tf.reshape(t, [2, 4, 6])).dataSync()[0]);
    expect(loss).toBeCloseTo(ref, 5);
    expect(loss).toBeGreaterThan(0);
    expect(loss).toBeLessThan(8);
    tf.dispose([x, t, ...views.globals, ...views.locals]);
    m.dispose();
  });

  it('holds only its variables: constructing and disposing leaves numTensors unchanged', async () => {
    await expectTensorDelta(() => new Byol(TINY).dispose());
  });

  it('evaluates with the online backbone and returns one new tensor', async () => {
    const m = new Byol(TINY);
    const x = randomImages(2);
    const f = await expectTensorDelta(() => m.call(x), 1);
    m.online.model.backbone.eval();
    const ref = tf.tidy(() => m.online.model.backbone.call(x));
    expect(Array.from(f.dataSync())).toEqual(Array.from(ref.dataSync()));
    expect(() => m.targetOutputs([x as tf.Tensor4D])).toThrow(/globals must hold 2 views/);
    expect(() => new Byol({ projection: 3 } as never)).toThrow(/unknown option 'projection'/);
    tf.dispose([x, f, ref]);
    m.dispose();
  });
});
