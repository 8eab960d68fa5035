import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { describeBackends, expectTensorDelta, maxRelError } from '../../../tensor/test/helpers';
import { Saliency } from '../../src/methods/saliency';
import { randomInput, reluCnn, vectorD, vectorF } from '../fixtures/gradient-models';

describeBackends('Saliency', () => {
  it('gives the signed gradient (2,−3) of vector F: 2x₁−3x₂+0.5', async () => {
    const model = vectorF();
    const x = tf.tensor2d([[1, 2], [-4, 0.5]]);
    const { attributions } = await new Saliency().attribute(model, x);
    expect(Array.from(await attributions.data())).toEqual([2, -3, 2, -3].map((v) => expect.closeTo(v, 6))); // ∇f = (2, −3)
    tf.dispose([x, attributions]);
    model.dispose();
  });

  it('gives |∇f| = (2,3) with abs and reports signed=false', async () => {
    const model = vectorF();
    const x = tf.tensor2d([[1, 2]]);
    const s = new Saliency({ abs: true });
    expect(s.signed).toBe(false);
    const { attributions } = await s.attribute(model, x);
    expect(Array.from(await attributions.data())).toEqual([2, 3].map((v) => expect.closeTo(v, 6))); // |(2, −3)|
    tf.dispose([x, attributions]);
    model.dispose();
  });

  it('gives (x₂, x₁, 1) for vector D: x₁x₂+x₃ with per-sample inputs', async () => {
    const x = tf.tensor2d([[1, 1, 1], [2, 3, 4]]);
    const { attributions } = await new Saliency().attribute(vectorD, x);
    expect(Array.from(await attributions.data())).toEqual([1, 1, 1, 3, 2, 1].map((v) => expect.closeTo(v, 6))); // ∂(x₁x₂+x₃) = (x₂, x₁, 1)
    tf.dispose([x, attributions]);
  });

  it('gives the same result for batchSize 1 and 3 and leaves numTensors unchanged but the result', async () => {
    const model = reluCnn(8);
    const x = randomInput([3, 6, 6, 3], 31);
    const r1 = await expectTensorDelta(() => new Saliency().attribute(model, x, { target: [0, 1, 2], batchSize: 1 }), 1);
    const r3 = await new Saliency().attribute(model, x, { target: [0, 1, 2], batchSize: 3 });
    expect(maxRelError(await r1.attributions.data(), await r3.attributions.data())).toBeLessThan(1e-5);
    tf.dispose([x, r1.attributions, r3.attributions]);
    model.dispose();
  });

  it('rejects unknown options and a bad target, leaking nothing', async () => {
    expect(() => new Saliency({ absolute: true } as never)).toThrow(/unknown option 'absolute'/);
    expect(() => new Saliency({ abs: 1 } as never)).toThrow(InvalidValueError);
    const model = vectorF();
    const x = tf.tensor2d([[1, 2]]);
    await expect(expectTensorDelta(() => new Saliency().attribute(model, x, { target: [0, 1] }))).rejects.toThrow(/target must have one index per sample/);
    await expect(expectTensorDelta(() => new Saliency().attribute(model, x, { baselines: 0 } as never))).rejects.toThrow(/unknown option 'baselines'/);
    tf.dispose(x);
    model.dispose();
  });
});
