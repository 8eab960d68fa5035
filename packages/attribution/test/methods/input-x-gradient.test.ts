import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeBackends, expectTensorDelta, maxRelError } from '../../../tensor/test/helpers';
import { InputXGradient } from '../../src/methods/input-x-gradient';
import { VectorC, randomInput, reluCnn, vectorA, vectorB, vectorD, vectorF } from '../fixtures/gradient-models';

async function attr(model: Parameters<InputXGradient['attribute']>[0], x: number[][]) {
  const input = tf.tensor2d(x);
  const { attributions } = await new InputXGradient().attribute(model, input);
  const a = Array.from(await attributions.data());
  tf.dispose([input, attributions]);
  return a;
}

describeBackends('InputXGradient', () => {
  it('reproduces the spec §6 grad·x column for vectors A, B, C, D and F', async () => {
    expect(await attr(vectorA(), [[1, 1]])).toEqual([1, 1].map((v) => expect.closeTo(v, 6))); // A: (1,1), breaks completeness
    expect(await attr(vectorB(), [[2]])).toEqual([expect.closeTo(0, 6)]); // B: 0, breaks sensitivity
    expect(await attr(new VectorC(), [[3, 1]])).toEqual([0, 1].map((v) => expect.closeTo(v, 6))); // C: (0,1)
    expect(await attr(vectorD, [[1, 1, 1]])).toEqual([1, 1, 1].map((v) => expect.closeTo(v, 6))); // D: (1,1,1)
    // F at x = (1, 2): ∇f ⊙ x = (2·1, −3·2) = (2, −6) (spec §6, grad·x column; zero reference)
    expect(await attr(vectorF(), [[1, 2]])).toEqual([2, -6].map((v) => expect.closeTo(v, 6)));
  });

  it('gives the same result for batchSize 1 and 2 and leaves numTensors unchanged but the result', async () => {
    const model = reluCnn(9);
    const x = randomInput([2, 6, 6, 3], 32);
    const r1 = await expectTensorDelta(() => new InputXGradient().attribute(model, x, { target: 1, batchSize: 1 }), 1);
    const r2 = await new InputXGradient().attribute(model, x, { target: 1 });
    expect(maxRelError(await r1.attributions.data(), await r2.attributions.data())).toBeLessThan(1e-5);
    tf.dispose([x, r1.attributions, r2.attributions]);
    model.dispose();
  });

  it('rejects a non-float input and unknown options, leaking nothing', async () => {
    const model = vectorF();
    const ints = tf.tensor2d([[1, 2]], [1, 2], 'int32');
    await expect(expectTensorDelta(() => new InputXGradient().attribute(model, ints))).rejects.toThrow(/input must be float32/);
    const x = tf.tensor2d([[1, 2]]);
    await expect(expectTensorDelta(() => new InputXGradient().attribute(model, x, { steps: 3 } as never))).rejects.toThrow(/unknown option 'steps'/);
    tf.dispose([ints, x]);
    model.dispose();
  });
});
