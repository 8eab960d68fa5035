import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Module, NotAvailableError } from '@lab/tensor';
import { describeBackends, expectTensorDelta, maxRelError } from '../../../tensor/test/helpers';
import { GuidedBackprop } from '../../src/methods/guided-backprop';
import { Saliency } from '../../src/methods/saliency';
import { FunctionalRelu, linear, randomInput, reluCnn, twoLayerRelu } from '../fixtures/gradient-models';

async function run(method: GuidedBackprop | Saliency, model: Module, x: number[][]) {
  const input = tf.tensor2d(x);
  const { attributions } = await method.attribute(model, input);
  const a = Array.from(await attributions.data());
  tf.dispose([input, attributions]);
  return a;
}

describeBackends('GuidedBackprop', () => {
  it('rectifies the backward signal at each ReLU: (1, 0.5) where the gradient is (3, −1.5)', async () => {
    const model = twoLayerRelu();
    // Saliency: W₁(w₂ ⊙ mask) = W₁(1, −2, 0) = (1 + 2, 0.5 − 2) = (3, −1.5)
    expect(await run(new Saliency(), model, [[1, 2]])).toEqual([3, -1.5].map((v) => expect.closeTo(v, 6)));
    // Guided: W₁(relu(w₂) ⊙ mask) = W₁(1, 0, 0) = (1, 0.5)
    expect(await run(new GuidedBackprop(), model, [[1, 2]])).toEqual([1, 0.5].map((v) => expect.closeTo(v, 6)));
    model.dispose();
  });

  it('equals the gradient on a model without ReLUs', async () => {
    const model = linear([[2], [-3]], [0.5]);
    expect(await run(new GuidedBackprop(), model, [[1, 2]])).toEqual([2, -3].map((v) => expect.closeTo(v, 6))); // ∇(2x₁ − 3x₂)
    model.dispose();
  });

  it('gives the same result for batchSize 1 and 2 and leaves numTensors unchanged but the result', async () => {
    const model = reluCnn(10);
    const x = randomInput([2, 6, 6, 3], 33);
    const r1 = await expectTensorDelta(() => new GuidedBackprop().attribute(model, x, { target: 0, batchSize: 1 }), 1);
    const r2 = await new GuidedBackprop().attribute(model, x, { target: 0 });
    expect(maxRelError(await r1.attributions.data(), await r2.attributions.data())).toBeLessThan(1e-5);
    tf.dispose([x, r1.attributions, r2.attributions]);
    model.dispose();
  });

  it('rejects a plain function and a functional ReLU with NotAvailableError, leaking nothing', async () => {
    const x = tf.tensor2d([[1, 2]]);
    await expect(expectTensorDelta(() => new GuidedBackprop().attribute((t: tf.Tensor) => tf.relu(t), x, { target: 0 }))).rejects.toThrow(NotAvailableError);
    const functional = new FunctionalRelu();
    await expect(expectTensorDelta(() => new GuidedBackprop().attribute(functional, x))).rejects.toThrow(/cannot override Relu/);
    tf.dispose(x);
    functional.dispose();
  });
});
