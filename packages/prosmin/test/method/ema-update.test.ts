import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { BatchNorm2d, InvalidValueError, Linear, Rng, Sequential, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { emaUpdate } from '../../src/method/ema-update';

const pair = (seedA: number, seedB: number) => [new Linear(2, 2, { rng: new Rng(seedA) }), new Linear(2, 2, { rng: new Rng(seedB) })] as const;

describeBackends('emaUpdate', () => {
  it('sets ξ ← κξ + (1 − κ)θ for every parameter (κ = 0.9, hand values)', () => {
    const [target, online] = pair(1, 2);
    const xi = Array.from(target.weight.dataSync());
    const theta = Array.from(online.weight.dataSync());
    emaUpdate(target, online, 0.9);
    target.weight.dataSync().forEach((v, i) => expect(v).toBeCloseTo(0.9 * xi[i] + 0.1 * theta[i], 6));
    expect(Array.from(online.weight.dataSync())).toEqual(theta);
    target.dispose();
    online.dispose();
  });

  it('copies at κ = 0, keeps the target at κ = 1, and leaves buffers alone', () => {
    const target = new Sequential(new BatchNorm2d(2));
    const online = new Sequential(new BatchNorm2d(2));
    tf.tidy(() => {
      online.getTensor('0.weight').assign(tf.tensor1d([3, 4]));
      online.getTensor('0.running_mean').assign(tf.tensor1d([7, 7]));
    });
    emaUpdate(target, online, 1);
    expect(Array.from(target.getTensor('0.weight').dataSync())).toEqual([1, 1]);
    emaUpdate(target, online, 0);
    expect(Array.from(target.getTensor('0.weight').dataSync())).toEqual([3, 4]);
    expect(Array.from(target.getTensor('0.running_mean').dataSync())).toEqual([0, 0]);
    target.dispose();
    online.dispose();
  });

  it('allocates nothing that outlives it, and rejects κ outside [0, 1], missing partners and shape mismatches', async () => {
    const [target, online] = pair(3, 4);
    await expectTensorDelta(() => emaUpdate(target, online, 0.5));
    expect(() => emaUpdate(target, online, 1.5)).toThrow(InvalidValueError);
    const bigger = new Linear(3, 2);
    const noBias = new Linear(2, 2, { bias: false });
    expect(() => emaUpdate(target, bigger, 0.5)).toThrow(ShapeError);
    expect(() => emaUpdate(target, noBias, 0.5)).toThrow(/online has no parameter 'bias'/);
    for (const m of [target, online, bigger, noBias]) m.dispose();
  });
});
