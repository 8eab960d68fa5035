import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta, maxRelError } from '../../../tensor/test/helpers';
import { IntegratedGradients } from '../../src/methods/integrated-gradients';
import { VectorC, randomInput, reluCnn, vectorA, vectorB, vectorD, vectorE, vectorF } from '../fixtures/gradient-models';

/** "Exact" IG for the spec's piecewise-linear vectors: 64 Gauss–Legendre nodes (even n puts no node on a kink at α = ½). */
const exact = new IntegratedGradients({ steps: 64 });

async function attr(method: IntegratedGradients, model: Parameters<IntegratedGradients['attribute']>[0], x: number[][], options = {}) {
  const input = tf.tensor2d(x);
  const { attributions, delta } = await method.attribute(model, input, options);
  const out = { a: Array.from(await attributions.data()), d: Array.from((await delta?.data()) ?? []) };
  tf.dispose([input, attributions, delta as tf.Tensor]);
  return out;
}

describeBackends('IntegratedGradients', () => {
  it('gives (.5,.5) for vector A: ReLU(x₁+x₂−1) at x=(1,1)', async () => {
    const model = vectorA();
    const { a, d } = await attr(exact, model, [[1, 1]]);
    expect(a[0]).toBeCloseTo(0.5, 5); // spec §6 vector A, IG column
    expect(a[1]).toBeCloseTo(0.5, 5);
    expect(d[0]).toBeCloseTo(0, 5); // completeness: f(x) − f(b) = 1
    model.dispose();
  });

  it('gives 1 for vector B: 1−ReLU(1−x) at x=2 (sensitivity under saturation)', async () => {
    const model = vectorB();
    const { a } = await attr(exact, model, [[2]]);
    expect(a[0]).toBeCloseTo(1, 5); // spec §6 vector B, IG column
    model.dispose();
  });

  it('gives (0,1) for vector C: min(x₁,x₂) at x=(3,1)', async () => {
    const model = new VectorC();
    const { a } = await attr(exact, model, [[3, 1]]);
    expect(a[0]).toBeCloseTo(0, 5); // spec §6 vector C, IG column
    expect(a[1]).toBeCloseTo(1, 5);
    model.dispose();
  });

  it('gives (.5,.5,1) for vector D: x₁x₂+x₃ at x=(1,1,1)', async () => {
    const { a, d } = await attr(exact, vectorD, [[1, 1, 1]]);
    expect(a[0]).toBeCloseTo(0.5, 5); // spec §6 vector D, IG column
    expect(a[1]).toBeCloseTo(0.5, 5);
    expect(a[2]).toBeCloseTo(1, 5);
    expect(d[0]).toBeCloseTo(0, 5);
  });

  it('gives zeros for vector E: step(Σx≥2) and reports the whole gap −1 in delta', async () => {
    const { a, d } = await attr(exact, vectorE, [[1, 1, 1]]);
    expect(a).toEqual([0, 0, 0]); // spec §6 vector E: zero gradient everywhere, IG undefined
    expect(d[0]).toBeCloseTo(-1, 6); // Σφ − (f(x) − f(b)) = 0 − (1 − 0)
  });

  it('gives (1,−9) for vector F: 2x₁−3x₂+0.5 at x=(1,2), b=(.5,−1)', async () => {
    const model = vectorF();
    const b = tf.tensor1d([0.5, -1]);
    const { a, d } = await attr(new IntegratedGradients({ steps: 2 }), model, [[1, 2]], { baselines: b });
    expect(a[0]).toBeCloseTo(1, 5); // spec §6 vector F, IG column
    expect(a[1]).toBeCloseTo(-9, 5);
    expect(d[0]).toBeCloseTo(0, 5); // f(x) − f(b) = −8
    b.dispose();
    model.dispose();
  });

  it('sums to f(x) − f(b) on a linear model for every rule (weights sum to 1)', async () => {
    const model = vectorF();
    const b = tf.tensor1d([0.5, -1]);
    for (const rule of ['riemann-left', 'riemann-right', 'riemann-middle', 'riemann-trapezoid', 'gauss-legendre'] as const) {
      const { a, d } = await attr(new IntegratedGradients({ steps: 3, rule }), model, [[1, 2]], { baselines: b });
      expect(a[0] + a[1]).toBeCloseTo(-8, 4); // spec §6 vector F: f(x) − f(b) = −8
      expect(d[0]).toBeCloseTo(0, 4);
    }
    b.dispose();
    model.dispose();
  });

  it('gives the x³ table through the model at n=2: left .375, right 1.875, middle .9375, GL 1, trapezoid 1.5', async () => {
    const cube = (x: tf.Tensor) => tf.pow(x, 3);
    const expected = { 'riemann-left': 0.375, 'riemann-right': 1.875, 'riemann-middle': 0.9375, 'gauss-legendre': 1, 'riemann-trapezoid': 1.5 }; // spec §6 table; trapezoid: see quadrature.test.ts
    for (const [rule, value] of Object.entries(expected)) {
      const { a } = await attr(new IntegratedGradients({ steps: 2, rule: rule as never }), cube, [[1]]);
      expect(a[0]).toBeCloseTo(value, 5);
    }
  });

  it('meets completeness |delta| ≤ 1e-3·|f(x)−f(b)| at 64 GL steps on a bias-free ReLU CNN with max pooling', async () => {
    // Without conv biases the features are positively homogeneous, so from b = 0 the path αx
    // crosses no ReLU or max-pool switch and the quadrature is exact up to float rounding.
    const model = reluCnn(1, { bias: false });
    const x = randomInput([2, 6, 6, 3], 11);
    const { attributions, delta } = await exact.attribute(model, x, { target: [0, 2], batchSize: 48 });
    const gap = tf.tidy(() => {
      const sel = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);
      return tf.sub(tf.sum(tf.mul(model.call(x), sel), 1), tf.sum(tf.mul(model.call(tf.zerosLike(x)), sel), 1));
    });
    const g = await gap.data();
    const d = await (delta as tf.Tensor).data();
    const s = await tf.tidy(() => tf.sum(tf.reshape(attributions, [2, -1]), 1)).data();
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(g[i])).toBeGreaterThan(1e-3); // a non-trivial gap
      expect(Math.abs(d[i])).toBeLessThanOrEqual(1e-3 * Math.abs(g[i]));
      expect(s[i] - g[i]).toBeCloseTo(d[i], 5); // delta = Σφ − (f(x) − f(b))
    }
    tf.dispose([x, attributions, delta as tf.Tensor, gap]);
    model.dispose();
  });

  it('shrinks the completeness gap with more steps on a ReLU CNN whose path crosses kinks', async () => {
    // With biases the integrand jumps at every ReLU/max-pool switch on the path, so every rule's
    // error is O(1/steps) (measured Σ|delta|/Σ|gap| ≈ 1e-2 at 64 GL steps, ≈ 1e-3 at 4096).
    const model = reluCnn(3);
    const x = randomInput([4, 6, 6, 3], 13);
    const total = async (steps: number) => {
      const r = await new IntegratedGradients({ steps }).attribute(model, x, { target: [0, 1, 2, 0], batchSize: 256 });
      const s = tf.tidy(() => tf.sum(tf.abs(r.delta as tf.Tensor)).dataSync()[0]);
      tf.dispose([r.attributions, r.delta as tf.Tensor]);
      return s;
    };
    const coarse = await total(16);
    const fine = await total(512);
    expect(coarse).toBeGreaterThan(1e-4); // the kinks are real
    expect(fine).toBeLessThan(coarse / 4);
    tf.dispose(x);
    model.dispose();
  });

  it('gives the same result for batchSize 1, 5 and 1000', async () => {
    const model = reluCnn(2);
    const x = randomInput([2, 6, 6, 3], 12);
    const ig = new IntegratedGradients({ steps: 8 });
    const runs = [];
    for (const batchSize of [1, 5, 1000]) {
      const r = await ig.attribute(model, x, { target: 1, baselines: 0.1, batchSize });
      runs.push({ a: await r.attributions.data(), d: await (r.delta as tf.Tensor).data() });
      tf.dispose([r.attributions, r.delta as tf.Tensor]);
    }
    for (const r of runs.slice(1)) {
      expect(maxRelError(r.a, runs[0].a)).toBeLessThan(1e-4);
      for (let i = 0; i < 2; i++) expect(r.d[i]).toBeCloseTo(runs[0].d[i], 4);
    }
    tf.dispose(x);
    model.dispose();
  });

  it('accepts a number, one sample, a per-sample tensor and a function as baselines', async () => {
    const model = vectorF();
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const forms = [0.5, tf.tensor1d([0.5, 0.5]), tf.tensor2d([[0.5, 0.5], [0.5, 0.5]]), (t: tf.Tensor) => tf.mul(tf.onesLike(t), 0.5)];
    for (const baselines of forms) {
      const r = await new IntegratedGradients({ steps: 2 }).attribute(model, x, { baselines });
      // F is linear: IG = w ⊙ (x − b) = (2·0.5, −3·1.5) and (2·2.5, −3·3.5)
      expect(Array.from(await r.attributions.data())).toEqual([1, -4.5, 5, -10.5].map((v) => expect.closeTo(v, 5)));
      tf.dispose([r.attributions, r.delta as tf.Tensor]);
      if (baselines instanceof tf.Tensor) baselines.dispose();
    }
    tf.dispose(x);
    model.dispose();
  });

  it('returns the bare path-averaged gradient without delta when multiplyByInputs is false', async () => {
    const model = vectorF();
    const x = tf.tensor2d([[1, 2]]);
    const r = await new IntegratedGradients({ steps: 4, multiplyByInputs: false }).attribute(model, x);
    expect(Array.from(await r.attributions.data())).toEqual([2, -3].map((v) => expect.closeTo(v, 5))); // ∇f = (2, −3)
    expect(r.delta).toBeUndefined();
    tf.dispose([x, r.attributions]);
    model.dispose();
  });

  it('leaves numTensors unchanged except the two returned tensors', async () => {
    const model = reluCnn(3);
    const x = randomInput([2, 6, 6, 3], 13);
    const r = await expectTensorDelta(() => new IntegratedGradients({ steps: 4 }).attribute(model, x, { target: [1, 0], batchSize: 3 }), 2);
    tf.dispose([r.attributions, r.delta as tf.Tensor]);
    tf.dispose(x);
    model.dispose();
  });

  it('does not grow peak memory with steps at fixed batchSize', async () => {
    const model = reluCnn(4);
    const x = randomInput([1, 6, 6, 3], 14);
    const peak = async (steps: number) => {
      const info = await tf.profile(async () => {
        const r = await new IntegratedGradients({ steps }).attribute(model, x, { target: 0, batchSize: 4 });
        tf.dispose([r.attributions, r.delta as tf.Tensor]);
      });
      return info.peakBytes;
    };
    const small = await peak(4);
    const large = await peak(64);
    expect(large).toBeLessThanOrEqual(small * 1.05); // 16× the steps, same chunk size
    tf.dispose(x);
    model.dispose();
  });

  it('rejects bad configuration, options and inputs with typed errors, leaking nothing', async () => {
    expect(() => new IntegratedGradients({ steps: 0 })).toThrow(/steps must be an integer >= 1/);
    expect(() => new IntegratedGradients({ rule: 'simpson' as never })).toThrow(InvalidValueError);
    expect(() => new IntegratedGradients({ rule: 'riemann-trapezoid', steps: 1 })).toThrow(/steps must be >= 2/);
    expect(() => new IntegratedGradients({ n_steps: 5 } as never)).toThrow(/unknown option 'n_steps'/);
    const model = vectorF();
    const x = tf.tensor2d([[1, 2]]);
    const ig = new IntegratedGradients({ steps: 2 });
    await expect(expectTensorDelta(() => ig.attribute(model, x, { stepsPerBatch: 2 } as never))).rejects.toThrow(/unknown option 'stepsPerBatch'/);
    await expect(expectTensorDelta(() => ig.attribute(model, x, { batchSize: 0 }))).rejects.toThrow(/batchSize/);
    await expect(expectTensorDelta(() => ig.attribute(model, x, { target: [0, 0] }))).rejects.toThrow(/target must have one index per sample/);
    await expect(expectTensorDelta(() => ig.attribute(model, x, { target: 3 }))).rejects.toThrow(/target must be an integer in \[0, 1\)/);
    const wrong = tf.zeros([3]);
    const flat = tf.tensor1d([1, 2]);
    await expect(expectTensorDelta(() => ig.attribute(model, x, { baselines: wrong }))).rejects.toThrow(ShapeError);
    await expect(expectTensorDelta(() => ig.attribute(model, flat))).rejects.toThrow(/input must be a batch/);
    tf.dispose([x, wrong, flat]);
    model.dispose();
  });
});
