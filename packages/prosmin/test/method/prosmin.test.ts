import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, Rng, Sequential } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { multiCrop } from '../../src/augment/multi-crop';
import { PROSMIN_DEFAULTS, Prosmin } from '../../src/method/prosmin';
import { prosminLoss } from '../../src/method/prosmin-loss';
import { SmallConvNet } from '../../src/nn/small-convnet';
import { TINY_PROSMIN, randomImages } from '../fixtures/tiny';

describeBackends('Prosmin', () => {
  it('keeps separate target weights that start equal to the online backbone and head', () => {
    const m = new Prosmin(TINY_PROSMIN);
    const online = new Map(m.online.model.namedParameters());
    const target = m.target.namedParameters();
    expect(target.length).toBe(online.size);
    for (const [name, v] of target) {
      const o = online.get(name) as tf.Variable;
      expect(v).not.toBe(o); // distinct objects
      expect(Array.from(v.dataSync())).toEqual(Array.from(o.dataSync()));
    }
    m.dispose();
  });

  it('changes the target only through the update rule ξ ← κξ + (1−κ)θ', () => {
    const m = new Prosmin(TINY_PROSMIN);
    const w = m.online.model.getTensor('head.mlp.0.weight');
    const xi = Array.from(m.target.getTensor('head.mlp.0.weight').dataSync());
    tf.tidy(() => w.assign(tf.add(w, 1)));
    expect(Array.from(m.target.getTensor('head.mlp.0.weight').dataSync())).toEqual(xi);
    const t = tf.zeros([4, 16]) as tf.Tensor2D;
    m.updateTarget(0.75, t);
    const theta = w.dataSync();
    m.target.getTensor('head.mlp.0.weight').dataSync().forEach((v, i) => expect(v).toBeCloseTo(0.75 * xi[i] + 0.25 * theta[i], 5));
    t.dispose();
    m.dispose();
  });

  it('updates the centre as 0.9·c + 0.1·mean(t) from the two global views only', () => {
    const m = new Prosmin(TINY_PROSMIN);
    tf.tidy(() => m.center.assign(tf.fill([1, 16], 2)));
    const x = randomImages(3);
    const views = multiCrop(x, { localCrops: 2, localSize: 6, rng: new Rng(1) });
    const t = m.targetOutputs(views.globals);
    expect(t.shape).toEqual([6, 16]); // 2 global views × 3 images; locals never reach the target
    const mean = tf.tidy(() => tf.mean(t, 0).dataSync());
    m.updateTarget(1, t);
    m.center.dataSync().forEach((v, j) => expect(v).toBeCloseTo(0.9 * 2 + 0.1 * mean[j], 5));
    tf.dispose([x, t, ...views.globals, ...views.locals]);
    m.dispose();
  });

  it('scores M = μ + σ⊙ε samples of every view against the centred target outputs', () => {
    const m = new Prosmin({ ...TINY_PROSMIN, samples: 3 });
    tf.tidy(() => m.center.assign(tf.fill([1, 16], 0.1)));
    const x = randomImages(2);
    const views = multiCrop(x, { localCrops: 1, localSize: 6, rng: new Rng(2) });
    const t = m.targetOutputs(views.globals);
    const loss = tf.tidy(() => m.onlineLoss(views, t, new Rng(5)).dataSync()[0]);
    const expected = tf.tidy(() => {
      const { mu, sigma } = m.online.call([...views.globals, ...views.locals]);
      const eps = new Rng(5).normalTensor([3, 6, 16]);
      const s = tf.reshape(tf.add(mu, tf.mul(sigma, eps)), [3, 3, 2, 16]);
      return prosminLoss(s, tf.reshape(tf.sub(t, 0.1), [2, 2, 16])).dataSync()[0];
    });
    expect(loss).toBeCloseTo(expected, 4);
    tf.dispose([x, t, ...views.globals, ...views.locals]);
    m.dispose();
  });

  it('predicts σ = exp(½·var_layer(·)) > 0 and μ with the reference key names', () => {
    const m = new Prosmin(TINY_PROSMIN);
    const x = randomImages(2);
    const { mu, sigma } = m.predict(x);
    expect(mu.shape).toEqual([2, 16]);
    expect(Math.min(...sigma.dataSync())).toBeGreaterThan(0);
    const sd = m.stateDict();
    const keys = Object.keys(sd);
    for (const k of ['online.model.backbone.features.0.weight', 'online.model.head.last_layer.weight_g', 'online.pred_layer1.bias', 'online.mean_layer.weight', 'online.var_layer.weight', 'target.head.mlp.0.weight', 'center']) {
      expect(keys).toContain(k);
    }
    expect(keys).not.toContain('online.mean_layer.bias');
    tf.dispose([x, mu, sigma, ...Object.values(sd)]);
    m.dispose();
  });

  it('evaluates with the target backbone in eval mode and restores training flags', () => {
    const m = new Prosmin(TINY_PROSMIN);
    const w = m.online.model.getTensor('backbone.features.0.weight');
    tf.tidy(() => w.assign(tf.mul(w, -3))); // online and target now differ
    const x = randomImages(3);
    const f = m.call(x);
    m.target.backbone.eval();
    const ref = tf.tidy(() => m.target.backbone.call(x));
    m.target.backbone.train();
    expect(Array.from(f.dataSync())).toEqual(Array.from(ref.dataSync()));
    expect(m.target.backbone.training).toBe(true);
    tf.dispose([x, f, ref]);
    m.dispose();
  });

  it('accepts a custom backbone factory with embedDim, and returns only the features it is asked for', async () => {
    const m = new Prosmin({ backbone: (rng) => new Sequential(new SmallConvNet({ widths: [4, 6], rng })), embedDim: 6, outDim: 8, hiddenDim: 8, bottleneckDim: 4 });
    const x = randomImages(2);
    const f = await expectTensorDelta(() => m.call(x), 1);
    expect(f.shape).toEqual([2, 6]);
    tf.dispose([x, f]);
    m.dispose();
  });

  it('holds only its variables: constructing and disposing leaves numTensors unchanged', async () => {
    await expectTensorDelta(() => new Prosmin(TINY_PROSMIN).dispose());
  });

  it('rejects unknown options, M < 2, a backbone without embedDim and a bad momentum', () => {
    expect(() => new Prosmin({ lamda: 2 } as never)).toThrow(/unknown option 'lamda'/);
    expect(() => new Prosmin({ ...TINY_PROSMIN, samples: 1 })).toThrow(/samples must be an integer >= 2/);
    expect(() => new Prosmin({ backbone: () => new SmallConvNet() })).toThrow(/embedDim must be a positive integer/);
    expect(() => new Prosmin({ ...TINY_PROSMIN, momentum: 1.2 })).toThrow(InvalidValueError);
    expect(PROSMIN_DEFAULTS.samples).toBe(4);
    expect(PROSMIN_DEFAULTS.lambda).toBe(2.4);
    expect(PROSMIN_DEFAULTS.momentum).toBe(0.9);
    expect(PROSMIN_DEFAULTS.centerMomentum).toBe(0.9);
  });
});
