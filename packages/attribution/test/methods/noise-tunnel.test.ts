import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { describeBackends, expectTensorDelta, maxRelError } from '../../../tensor/test/helpers';
import { IntegratedGradients } from '../../src/methods/integrated-gradients';
import { NoiseTunnel } from '../../src/methods/noise-tunnel';
import { Saliency } from '../../src/methods/saliency';
import { randomInput, reluCnn, vectorD, vectorF } from '../fixtures/gradient-models';

async function values(nt: NoiseTunnel<any>, model: Parameters<NoiseTunnel['attribute']>[0], x: tf.Tensor, options = {}) {
  const { attributions } = await nt.attribute(model, x, options);
  const a = Array.from(await attributions.data());
  attributions.dispose();
  return a;
}

describeBackends('NoiseTunnel', () => {
  it('gives ∇f, ∇f² and 0 for smoothgrad, smoothgrad-sq and vargrad of Saliency on linear vector F', async () => {
    const model = vectorF();
    const x = tf.tensor2d([[1, 2], [3, -1]]);
    // The gradient of 2x₁ − 3x₂ + 0.5 is (2, −3) at every noisy point.
    expect(await values(new NoiseTunnel(new Saliency()), model, x)).toEqual([2, -3, 2, -3].map((v) => expect.closeTo(v, 5)));
    expect(await values(new NoiseTunnel(new Saliency(), { type: 'smoothgrad-sq' }), model, x)).toEqual([4, 9, 4, 9].map((v) => expect.closeTo(v, 4)));
    expect(await values(new NoiseTunnel(new Saliency(), { type: 'vargrad' }), model, x)).toEqual([0, 0, 0, 0].map((v) => expect.closeTo(v, 4)));
    tf.dispose(x);
    model.dispose();
  });

  it('estimates E[∇] = (x₂, x₁, 1) and Var = (σ², σ², 0) of Saliency on vector D: x₁x₂+x₃, S=400, σ=0.5', async () => {
    const x = tf.tensor2d([[1, 2, 3]]);
    const mean = await values(new NoiseTunnel(new Saliency(), { samples: 400, stdev: 0.5 }), vectorD, x, { seed: 3 });
    // ∇(x₁x₂ + x₃) at x + ε is (x₂ + ε₂, x₁ + ε₁, 1): mean (2, 1, 1) ± 3σ/√S = 0.075
    expect(Math.abs(mean[0] - 2)).toBeLessThan(0.075);
    expect(Math.abs(mean[1] - 1)).toBeLessThan(0.075);
    expect(mean[2]).toBeCloseTo(1, 5);
    const variance = await values(new NoiseTunnel(new Saliency(), { type: 'vargrad', samples: 400, stdev: 0.5 }), vectorD, x, { seed: 3 });
    // Var(ε) = σ² = 0.25; the sample variance's standard error is σ²·√(2/S) ≈ 0.018
    expect(Math.abs(variance[0] - 0.25)).toBeLessThan(0.06);
    expect(Math.abs(variance[1] - 0.25)).toBeLessThan(0.06);
    expect(variance[2]).toBeCloseTo(0, 5);
    tf.dispose(x);
  });

  it('repeats exactly for one seed and changes with another', async () => {
    const x = tf.tensor2d([[1, 2, 3]]);
    const nt = new NoiseTunnel(new Saliency(), { samples: 4, stdev: 0.3 });
    const a = await values(nt, vectorD, x, { seed: 5 });
    expect(await values(nt, vectorD, x, { seed: 5 })).toEqual(a);
    expect(await values(nt, vectorD, x, { seed: 6 })).not.toEqual(a);
    tf.dispose(x);
  });

  it('gives the same result for batchSize 1, 3 and 64 around IG with per-sample targets and baselines', async () => {
    const model = reluCnn(12);
    const x = randomInput([2, 6, 6, 3], 41);
    const b = tf.mul(randomInput([2, 6, 6, 3], 42), 0.1);
    const nt = new NoiseTunnel(new IntegratedGradients({ steps: 4 }), { samples: 3, stdev: 0.2 });
    const runs = [];
    for (const batchSize of [1, 3, 64]) runs.push(await values(nt, model, x, { target: [2, 0], baselines: b, batchSize, seed: 9 }));
    for (const r of runs.slice(1)) expect(maxRelError(r, runs[0])).toBeLessThan(1e-4);
    tf.dispose([x, b]);
    model.dispose();
  });

  it('leaves numTensors unchanged except the returned attributions', async () => {
    const model = reluCnn(13);
    const x = randomInput([2, 6, 6, 3], 43);
    const nt = new NoiseTunnel(new IntegratedGradients({ steps: 3 }), { type: 'vargrad', samples: 3 });
    const r = await expectTensorDelta(() => nt.attribute(model, x, { target: 1, batchSize: 4 }), 1);
    expect(r.delta).toBeUndefined();
    tf.dispose([x, r.attributions]);
    model.dispose();
  });

  it('reports signed only for smoothgrad of a signed method', () => {
    expect(new NoiseTunnel(new Saliency()).signed).toBe(true);
    expect(new NoiseTunnel(new Saliency({ abs: true })).signed).toBe(false);
    expect(new NoiseTunnel(new Saliency(), { type: 'smoothgrad-sq' }).signed).toBe(false);
    expect(new NoiseTunnel(new Saliency(), { type: 'vargrad' }).signed).toBe(false);
  });

  it('rejects bad configuration and passes the wrapped method’s errors through, leaking nothing', async () => {
    expect(() => new NoiseTunnel({} as never)).toThrow(/method must be an AttributionMethod/);
    expect(() => new NoiseTunnel(new Saliency(), { type: 'smoothgrad_sq' as never })).toThrow(/type must be one of/);
    expect(() => new NoiseTunnel(new Saliency(), { samples: 0 })).toThrow(/samples must be an integer >= 1/);
    expect(() => new NoiseTunnel(new Saliency(), { stdev: -1 })).toThrow(InvalidValueError);
    expect(() => new NoiseTunnel(new Saliency(), { stdevs: 1 } as never)).toThrow(/unknown option 'stdevs'/);
    const model = vectorF();
    const x = tf.tensor2d([[1, 2]]);
    const nt = new NoiseTunnel(new Saliency());
    await expect(expectTensorDelta(() => nt.attribute(model, x, { baselines: 0 } as never))).rejects.toThrow(/Saliency.attribute: unknown option 'baselines'/);
    await expect(expectTensorDelta(() => nt.attribute(model, x, { target: [0, 0] }))).rejects.toThrow(/target must have one index per sample/);
    tf.dispose(x);
    model.dispose();
  });
});
