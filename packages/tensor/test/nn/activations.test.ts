import * as tf from '@tensorflow/tfjs-core';
import '../../src/backend/index'; // gradients and wasm training kernels, as the package entry registers them
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '../../src/errors';
import { GELU, Hardswish, Identity, LeakyReLU, PReLU, ReLU, ReLU6, Sigmoid, SiLU, Tanh } from '../../src/nn/activations';
import type { Module } from '../../src/nn/module';
import { describeBackends, expectTensorDelta } from '../helpers';
import { expectClose, take } from './reference';

// [layer, input, expected output, source of the expected values]
const GOLDEN: [string, () => Module, number[], number[]][] = [
  ['ReLU', () => new ReLU(), [-1, 0, 2], [0, 0, 2]],
  ['ReLU6', () => new ReLU6(), [-1, 3, 7], [0, 3, 6]],
  ['LeakyReLU()', () => new LeakyReLU(), [-2, 3], [-0.02, 3]],
  ['LeakyReLU(0.2)', () => new LeakyReLU(0.2), [-1, 2], [-0.2, 2]],
  ['PReLU()', () => new PReLU(), [-4, 2], [-1, 2]],
  // Φ(1) = 0.8413447460685429, −Φ(−1) = −0.15865525393145707, 2Φ(2) = 1.9544997361036416
  ['GELU()', () => new GELU(), [1, -1, 2, 0], [0.8413447460685429, -0.15865525393145707, 1.9544997361036416, 0]],
  // 0.5·(1 + tanh(√(2/π)·1.044715)) = 0.8411919906082768 (PyTorch F.gelu(1, approximate='tanh'))
  ['GELU(tanh)', () => new GELU({ approximate: 'tanh' }), [1, 0], [0.8411919906082768, 0]],
  // 1/(1 + e^−1) = 0.7310585786300049; −2/(1 + e^2) = −0.23840584404423515
  ['SiLU', () => new SiLU(), [1, -2, 0], [0.7310585786300049, -0.23840584404423515, 0]],
  // x·relu6(x+3)/6: −4 → 0, −3 → 0, 1 → 4/6, 3 → 3, 4 → 4
  ['Hardswish', () => new Hardswish(), [-4, -3, 1, 3, 4], [0, 0, 2 / 3, 3, 4]],
  // 1/(1 + e^−2) = 0.8807970779778823
  ['Sigmoid', () => new Sigmoid(), [0, 2], [0.5, 0.8807970779778823]],
  // tanh(1) = 0.7615941559557649
  ['Tanh', () => new Tanh(), [0, 1], [0, 0.7615941559557649]],
  ['Identity', () => new Identity(), [1, -2], [1, -2]],
];

describeBackends('activations', () => {
  for (const [name, make, input, expected] of GOLDEN) {
    it(`${name} maps [${input}] to the reference values and returns one new tensor`, async () => {
      const layer = make();
      const x = tf.tensor1d(input);
      const y = await expectTensorDelta(() => layer.call(x), 1);
      expect(y).not.toBe(x);
      expectClose(take(y), expected, 2e-6, 2e-6);
      x.dispose();
      layer.dispose();
    });
  }

  it('PReLU(C) applies slope c to channel c of the last axis', () => {
    const act = new PReLU(2);
    const dict = { weight: tf.tensor1d([0.1, 0.5]) };
    act.loadStateDict(dict);
    const x = tf.tensor4d([-1, -1, 2, -2], [1, 1, 2, 2]);
    expectClose(take(act.call(x)), [-0.1, -0.5, 2, -1], 1e-7);
    x.dispose();
    dict.weight.dispose();
    act.dispose();
  });

  it('PReLU gives dL/da[c] = Σ min(0, x) over channel c for L = Σy', () => {
    const act = new PReLU(2);
    const x = tf.tensor4d([-1, -3, 2, -2, -0.5, 4], [1, 1, 3, 2]);
    const { value, grads } = tf.variableGrads(() => tf.sum(act.call(x)) as tf.Scalar, act.parameters());
    expectClose(take(grads[act.weight.name]), [-1.5, -5], 1e-6);
    value.dispose();
    x.dispose();
    act.dispose();
  });

  it("GELU has derivative Φ(x) + x·φ(x) (1.0833155 at x = 1, 0.5 at x = 0)", () => {
    const x = tf.tensor1d([1, 0]);
    const g = tf.grad((xi: tf.Tensor) => tf.sum(new GELU().call(xi)))(x);
    // Φ(1) + φ(1) = 0.8413447 + 0.2419707
    expectClose(take(g), [1.0833155, 0.5], 1e-5);
    x.dispose();
  });

  it('rejects a non-tensor or integer input with a ShapeError naming the layer', () => {
    const xi = tf.tensor1d([1, 2], 'int32');
    expect(() => new ReLU().call(xi)).toThrow(/ReLU: x must have dtype float32, got int32/);
    expect(() => new Tanh().call([1, 2] as unknown as tf.Tensor)).toThrow(ShapeError);
    const x3 = tf.zeros([1, 2, 3]);
    expect(() => new PReLU(2).call(x3)).toThrow(/PReLU: x must have 2 channels/);
    expect(() => new GELU({ approximate: 'erf' as 'none' })).toThrow(InvalidValueError);
    expect(() => new LeakyReLU(NaN)).toThrow(/LeakyReLU: negativeSlope/);
    xi.dispose();
    x3.dispose();
  });
});
