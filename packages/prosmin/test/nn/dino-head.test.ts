import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, Linear, Rng, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { DINO_HEAD_DEFAULTS, DinoHead } from '../../src/nn/dino-head';
import { WeightNormLinear } from '../../src/nn/weight-norm-linear';

describeBackends('WeightNormLinear', () => {
  it('computes x·(g ⊙ v/‖v‖) column by column (hand values)', () => {
    const layer = new WeightNormLinear(2, 2, { rng: new Rng(0) });
    tf.tidy(() => {
      layer.weightV.assign(tf.tensor2d([[3, 0], [4, 2]])); // native [in, out]: columns (3,4) and (0,2)
      layer.weightG.assign(tf.tensor1d([2, 5]));
    });
    const y = tf.tidy(() => layer.call(tf.tensor2d([[1, 1]])).arraySync() as number[][]);
    expect(y[0][0]).toBeCloseTo(2 * (3 + 4) / 5, 5); // g₀ · (3,4)/5 · (1,1)
    expect(y[0][1]).toBeCloseTo(5 * (0 + 2) / 2, 5); // g₁ · (0,1)
    layer.dispose();
  });

  it('is invariant to the scale of v, stores weight_g as [out, 1] and freezes it on request', () => {
    const layer = new WeightNormLinear(3, 4, { rng: new Rng(1) });
    const x = new Rng(2).normalTensor([2, 3]);
    const before = tf.tidy(() => layer.call(x).dataSync());
    tf.tidy(() => layer.weightV.assign(tf.mul(layer.weightV, 7)));
    const after = tf.tidy(() => layer.call(x).dataSync());
    after.forEach((v, i) => expect(v).toBeCloseTo(before[i], 5));
    const sd = layer.stateDict();
    expect(sd.weight_g.shape).toEqual([4, 1]);
    expect(sd.weight_v.shape).toEqual([4, 3]);
    tf.dispose([x, ...Object.values(sd)]);
    layer.dispose();
    const frozen = new WeightNormLinear(3, 4, { trainableNorm: false });
    expect(frozen.namedParameters().map(([n]) => n)).toEqual(['weight_v']);
    frozen.dispose();
  });
});

describeBackends('DinoHead', () => {
  it('has DINO keys mlp.0/2/4 and last_layer, N(0, 0.02²) weights and zero biases', () => {
    const head = new DinoHead(8, 12, { hiddenDim: 32, bottleneckDim: 6, rng: new Rng(0) });
    const sd = head.stateDict();
    expect(Object.keys(sd).sort()).toEqual(
      ['last_layer.weight_g', 'last_layer.weight_v', 'mlp.0.bias', 'mlp.0.weight', 'mlp.2.bias', 'mlp.2.weight', 'mlp.4.bias', 'mlp.4.weight'],
    );
    expect(sd['mlp.4.weight'].shape).toEqual([6, 32]);
    const w = Array.from(sd['mlp.2.weight'].dataSync());
    // trunc_normal_(std=.02) truncates at ±2 absolute (DINO): in effect N(0, 0.02²); 192 draws.
    const std = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.017);
    expect(std).toBeLessThan(0.023);
    expect(Array.from(sd['mlp.0.bias'].dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(sd['last_layer.weight_g'].dataSync()).every((v) => v === 1)).toBe(true);
    tf.dispose(Object.values(sd));
    head.dispose();
  });

  it('ignores the scale of the bottleneck (it is L2-normalised): scaling mlp.4 by 3 changes nothing', () => {
    const head = new DinoHead(5, 7, { hiddenDim: 9, bottleneckDim: 4, rng: new Rng(4) });
    const x = new Rng(5).normalTensor([3, 5]);
    const before = tf.tidy(() => head.call(x).dataSync());
    const last = (head.mlp as unknown as { get(i: number): Linear }).get(4);
    tf.tidy(() => {
      last.weight.assign(tf.mul(last.weight, 3));
      (last.bias as tf.Variable).assign(tf.add(last.bias as tf.Variable, 0.5)); // bias 0 before, so shift then scale
      (last.bias as tf.Variable).assign(tf.mul(tf.sub(last.bias as tf.Variable, 0.5), 3));
    });
    const after = tf.tidy(() => head.call(x).dataSync());
    after.forEach((v, i) => expect(v).toBeCloseTo(before[i], 5));
    x.dispose();
    head.dispose();
  });

  it('allocates only its variables (constructing and disposing leaves numTensors unchanged)', async () => {
    await expectTensorDelta(() => new DinoHead(4, 6, { hiddenDim: 8, bottleneckDim: 3 }).dispose());
  });

  it('returns one new tensor, and rejects a wrong width and unknown options', async () => {
    const head = new DinoHead(4, 6, { hiddenDim: 8, bottleneckDim: 3, layers: 2 });
    const x = tf.ones([2, 4]);
    const y = await expectTensorDelta(() => head.call(x), 1);
    expect(y.shape).toEqual([2, 6]);
    const bad = tf.ones([2, 5]);
    expect(() => head.call(bad)).toThrow(ShapeError);
    expect(() => new DinoHead(4, 6, { hidden: 3 } as never)).toThrow(InvalidValueError);
    tf.dispose([x, y, bad]);
    head.dispose();
    expect(DINO_HEAD_DEFAULTS).toEqual({ hiddenDim: 2048, bottleneckDim: 256, layers: 3, normLastLayer: false });
  });
});
