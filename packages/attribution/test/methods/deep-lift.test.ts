import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Conv2d, Flatten, LeakyReLU, Linear, MaxPool2d, Module, NotAvailableError, ReLU, Rng, Sequential, Sigmoid, Tanh } from '@lab/tensor';
import { describeBackends, expectTensorDelta, maxRelError } from '../../../tensor/test/helpers';
import { DeepLift } from '../../src/methods/deep-lift';
import { VectorC, linear, randomInput, reluCnn, vectorA, vectorB, vectorD, vectorF } from '../fixtures/gradient-models';

async function attr(model: Module, x: number[][], options = {}, method = new DeepLift()) {
  const input = tf.tensor2d(x);
  const { attributions, delta } = await method.attribute(model, input, options);
  const out = { a: Array.from(await attributions.data()), d: Array.from((await delta?.data()) ?? []) };
  tf.dispose([input, attributions, delta as tf.Tensor]);
  return out;
}

/** `ReLU(W₂·ReLU(W₁x + b₁) + b₂)` with one ReLU instance used twice. */
class ReusedRelu extends Module {
  readonly l1 = this.registerModule('l1', linear([[1, -2], [0.5, 1]], [0.1, -0.3]));
  readonly l2 = this.registerModule('l2', linear([[1], [-1.5]], [0.2]));
  readonly act = this.registerModule('act', new ReLU());
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.act.call(this.l2.call(this.act.call(this.l1.call(x)))));
  }
}

/** `W₂·relu(W₁x)` with a functional tf.relu that no module can override. */
class FunctionalRelu extends Module {
  readonly l1 = this.registerModule('l1', linear([[1, -2], [0.5, 1]], [0.1, -0.3]));
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sum(tf.relu(this.l1.call(x)), 1, true));
  }
}

/** A ReLU module created inside forward (captum#1082): invisible to the hooks. */
class InlineRelu extends Module {
  readonly l1 = this.registerModule('l1', linear([[1, -2], [0.5, 1]], [0.1, -0.3]));
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sum(new ReLU().call(this.l1.call(x)), 1, true));
  }
}

/** Vector D as a Module: `x₁x₂ + x₃`, a product of two input-dependent tensors. */
class ProductD extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return vectorD(x);
  }
}

describeBackends('DeepLift', () => {
  it('gives (.5,.5) for vector A: ReLU(x₁+x₂−1) at x=(1,1)', async () => {
    const { a, d } = await attr(vectorA(), [[1, 1]]);
    expect(a[0]).toBeCloseTo(0.5, 6); // spec §6 vector A, DeepLIFT Rescale: m = (1−0)/(1−(−1)) = ½
    expect(a[1]).toBeCloseTo(0.5, 6);
    expect(d[0]).toBeCloseTo(0, 6);
  });

  it('gives 1 for vector B: 1−ReLU(1−x) at x=2', async () => {
    const { a } = await attr(vectorB(), [[2]]);
    expect(a[0]).toBeCloseTo(1, 6); // spec §6 vector B: m = (0−1)/(−1−1) = ½, φ = 2·(−1)·½·(−1) = 1
  });

  it('gives (0,1) for vector C: min(x₁,x₂) at x=(3,1) (Rescale, not RevealCancel)', async () => {
    const { a } = await attr(new VectorC(), [[3, 1]]);
    expect(a[0]).toBeCloseTo(0, 6); // spec §6 vector C, Rescale column: m = (2−0)/(2−0) = 1 → x₁: 3·(1−1) = 0
    expect(a[1]).toBeCloseTo(1, 6); // x₂: 1·(0 + 1) = 1
  });

  it('gives (1,−9) for vector F: 2x₁−3x₂+0.5 at x=(1,2), b=(.5,−1)', async () => {
    const b = tf.tensor1d([0.5, -1]);
    const { a, d } = await attr(vectorF(), [[1, 2]], { baselines: b });
    expect(a[0]).toBeCloseTo(1, 5); // spec §6 vector F, DeepLIFT column
    expect(a[1]).toBeCloseTo(-9, 5);
    expect(d[0]).toBeCloseTo(0, 5);
    b.dispose();
  });

  it('falls back to the gradient where |Δz| < eps: vector A at x=(1,1), b=(2,0) gives (−1,1)', async () => {
    // z = x₁+x₂−1 = 1 = z_b, so m = g'(1) = 1 and φ = (x − b)·1 = (−1, 1); a zero multiplier would give (0, 0).
    const b = tf.tensor1d([2, 0]);
    const { a, d } = await attr(vectorA(), [[1, 1]], { baselines: b });
    expect(a).toEqual([-1, 1].map((v) => expect.closeTo(v, 6))); // hand derivation above
    expect(d[0]).toBeCloseTo(0, 6);
    b.dispose();
  });

  it('sums to f(x) − f(b) to float precision on a ReLU CNN with max pooling', async () => {
    const model = reluCnn(5);
    const x = randomInput([3, 6, 6, 3], 21);
    const b = tf.mul(randomInput([1, 6, 6, 3], 22), 0.5);
    const { attributions, delta } = await new DeepLift().attribute(model, x, { target: [0, 1, 2], baselines: b });
    const gap = await tf.tidy(() => {
      const sel = tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3);
      return tf.sub(tf.sum(tf.mul(model.call(x), sel), 1), tf.sum(tf.mul(model.call(tf.add(tf.zerosLike(x), b)), sel), 1));
    }).data();
    const sums = await tf.tidy(() => tf.sum(tf.reshape(attributions, [3, -1]), 1)).data();
    const d = await (delta as tf.Tensor).data();
    for (let i = 0; i < 3; i++) {
      expect(Math.abs(sums[i] - gap[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(gap[i]))); // summation-to-delta
      expect(Math.abs(d[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(gap[i])));
    }
    tf.dispose([x, b, attributions, delta as tf.Tensor]);
    model.dispose();
  });

  it('sums to f(x) − f(b) with Sigmoid, Tanh, LeakyReLU, adjacent activations and a reused ReLU instance', async () => {
    const mlp = new Sequential(linear([[1, -1, 0.5], [2, 0.3, -1]], [0.1, 0, -0.2]), new Sigmoid(), linear([[1, 0], [-1, 2], [0.5, 1]], [0, 0.1]), new Tanh(), linear([[3], [-2]], [0]), new LeakyReLU());
    // Adjacent nonlinearities (captum#1104): ReLU → Sigmoid → Tanh with nothing in between.
    const adjacent = new Sequential(linear([[1, -1], [2, 0.5]], [-0.5, 0.2]), new ReLU(), new Sigmoid(), new Tanh(), linear([[2], [-1]], [0]));
    for (const model of [mlp, adjacent, new ReusedRelu()]) {
      const { a, d } = await attr(model as Module, [[1.5, -0.7], [0.2, 2]], { baselines: 0.3 });
      expect(Math.abs(d[0])).toBeLessThan(1e-5);
      expect(Math.abs(d[1])).toBeLessThan(1e-5);
      expect(a.some((v) => Math.abs(v) > 1e-3)).toBe(true); // non-trivial attributions
    }
  });

  it('sums to f(x) − f(b) with overlapping, padded max-pool windows (k=3, s=2, p=1)', async () => {
    const rng = new Rng(30);
    const model = new Sequential(new Conv2d(3, 2, 3, { padding: 1, rng }), new ReLU(), new MaxPool2d(3, { stride: 2, padding: 1 }), new Flatten(), new Linear(18, 2, { rng })).eval();
    const x = randomInput([2, 6, 6, 3], 25);
    const { attributions, delta } = await new DeepLift().attribute(model, x, { target: [0, 1], baselines: 0.2 });
    const d = await (delta as tf.Tensor).data();
    const s = await tf.tidy(() => tf.sum(tf.abs(attributions))).data();
    expect(s[0]).toBeGreaterThan(1e-3);
    for (let i = 0; i < 2; i++) expect(Math.abs(d[i])).toBeLessThan(1e-5);
    tf.dispose([x, attributions, delta as tf.Tensor]);
    model.dispose();
  });

  it('gives the same result for batchSize 1 and 4', async () => {
    const model = reluCnn(6);
    const x = randomInput([4, 6, 6, 3], 23);
    const r1 = await new DeepLift().attribute(model, x, { target: 2, batchSize: 1 });
    const r4 = await new DeepLift().attribute(model, x, { target: 2, batchSize: 4 });
    expect(maxRelError(await r1.attributions.data(), await r4.attributions.data())).toBeLessThan(1e-5);
    tf.dispose([x, r1.attributions, r1.delta as tf.Tensor, r4.attributions, r4.delta as tf.Tensor]);
    model.dispose();
  });

  it('leaves numTensors unchanged except the two returned tensors, also on the error path', async () => {
    const model = reluCnn(7);
    const x = randomInput([2, 6, 6, 3], 24);
    const r = await expectTensorDelta(() => new DeepLift().attribute(model, x, { target: [0, 1] }), 2);
    tf.dispose([r.attributions, r.delta as tf.Tensor]);
    await expect(expectTensorDelta(() => new DeepLift().attribute(model, x, { target: 5 }))).rejects.toThrow(/target/);
    const fnl = new FunctionalRelu();
    const v = tf.tensor2d([[1, 2]]);
    await expect(expectTensorDelta(() => new DeepLift().attribute(fnl, v))).rejects.toThrow(NotAvailableError);
    tf.dispose([x, v]);
    model.dispose();
  });

  it('rejects a plain function, functional nonlinearities, inline modules and products with NotAvailableError', async () => {
    const v = tf.tensor2d([[1, 2]]);
    const w = tf.tensor2d([[1, 1, 1]]);
    const dl = new DeepLift();
    await expect(dl.attribute(vectorD, w)).rejects.toThrow(/must be a Module, got a plain function/);
    await expect(dl.attribute(new FunctionalRelu(), v)).rejects.toThrow(/cannot override Relu/);
    await expect(dl.attribute(new InlineRelu(), v)).rejects.toThrow(/cannot override Relu/);
    await expect(dl.attribute(new ProductD(), w)).rejects.toThrow(/Multiply of two input-dependent tensors/);
    expect(() => new DeepLift({ eps: -1 })).toThrow(/eps/);
    expect(() => new DeepLift({ rule: 'reveal-cancel' } as never)).toThrow(/unknown option 'rule'/);
    await expect(dl.attribute(vectorA(), v, { baseline: 0 } as never)).rejects.toThrow(/unknown option 'baseline'/);
    tf.dispose([v, w]);
  });
});
