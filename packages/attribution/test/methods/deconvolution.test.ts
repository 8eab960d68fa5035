import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Module, NotAvailableError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { Deconvolution } from '../../src/methods/deconvolution';
import { FunctionalRelu, randomInput, reluCnn, twoLayerRelu } from '../fixtures/gradient-models';

async function run(method: Deconvolution, model: Module, x: number[][]) {
  const input = tf.tensor2d(x);
  const { attributions } = await method.attribute(model, input);
  const a = Array.from(await attributions.data());
  tf.dispose([input, attributions]);
  return a;
}

describeBackends('Deconvolution', () => {
  it('replaces each ReLU backward by relu(dy), ignoring the forward mask: (7, −2.5)', async () => {
    const model = twoLayerRelu();
    // W₁ relu(w₂) = W₁(1, 0, 3) = (1 + 0 + 6, 0.5 + 0 − 3) = (7, −2.5): unit 3 (z = 0) still passes
    expect(await run(new Deconvolution(), model, [[1, 2]])).toEqual([7, -2.5].map((v) => expect.closeTo(v, 6)));
    model.dispose();
  });

  it('leaves numTensors unchanged but the result and rejects a functional ReLU', async () => {
    const model = reluCnn(11);
    const x = randomInput([2, 6, 6, 3], 34);
    const r = await expectTensorDelta(() => new Deconvolution().attribute(model, x, { target: [2, 1] }), 1);
    tf.dispose([x, r.attributions]);
    const v = tf.tensor2d([[1, 2]]);
    const functional = new FunctionalRelu();
    await expect(expectTensorDelta(() => new Deconvolution().attribute(functional, v))).rejects.toThrow(NotAvailableError);
    tf.dispose(v);
    functional.dispose();
    model.dispose();
  });
});
