import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InputXGradient, IntegratedGradients, Saliency } from '@lab/attribution';
import { ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../../tensor/test/helpers';
import { completenessAxiom } from '../../../src/metrics/axiomatic/completeness-axiom';
import { inputInvariance } from '../../../src/metrics/axiomatic/input-invariance';
import { nonSensitivity } from '../../../src/metrics/axiomatic/non-sensitivity';
import { row, weightedSum } from '../../fixtures/models';

const w = [2, -1, 0.5, 3];
const f = weightedSum(w);
const x0 = [0.2, 0.4, 0.6, 0.8];

describeBackends('completenessAxiom', () => {
  it('holds for x ⊙ w on a linear model and fails for w alone with gap |Σw − Σwx| = |4.5 − 2.7| = 1.8', async () => {
    // f(x) − f(0) = Σ w x = .4 − .4 + .3 + 2.4 = 2.7; Σ w = 4.5.
    const x = row(x0);
    const [ixg, sal] = [row(x0.map((v, p) => v * w[p])), row(w)];
    const ok = await expectTensorDelta(() => completenessAxiom(f, x, ixg, { target: 0 }), 0);
    expect(ok.scores).toEqual([1]);
    expect(ok.deltas[0]).toBeCloseTo(2.7, 5);
    const bad = await completenessAxiom(f, x, sal, { target: 0 });
    expect(bad.scores).toEqual([0]);
    expect(bad.gaps[0]).toBeCloseTo(1.8, 5);
    tf.dispose([x, ixg, sal]);
  });

  it('holds for integrated gradients against a tensor baseline, on the raw (never normalised) map', async () => {
    const x = row(x0);
    const b = tf.tensor3d([1, 1, 1, 1], [1, 4, 1]);
    const { attributions } = await new IntegratedGradients({ steps: 16 }).attribute(f, x, { target: 0, baselines: b });
    const r = await completenessAxiom(f, x, attributions, { target: 0, baseline: b, atol: 1e-4, rtol: 0 });
    expect(r.scores).toEqual([1]);
    await expect(completenessAxiom(f, x, attributions, { normalise: 'max' } as never)).rejects.toThrow(/unknown option 'normalise'/);
    const wrong = tf.zeros([4, 1]);
    await expect(completenessAxiom(f, x, attributions, { baseline: wrong })).rejects.toThrow(ShapeError);
    tf.dispose([x, b, attributions, wrong]);
  });
});

describeBackends('nonSensitivity', () => {
  it('counts groups ignored by exactly one of model and map: f ignores pixels 1 and 3', async () => {
    const g = weightedSum([2, 0, 0.5, 0]);
    const x = row([1, 1, 1, 1]);
    const [match, off] = [row([1, 0, 1, 0]), row([1, 1, 0, 0])];
    expect((await expectTensorDelta(() => nonSensitivity(g, x, match, { target: 0 }), 0)).scores).toEqual([0]);
    // Pixel 1: the model ignores it, the map does not; pixel 2: the reverse → 2 violations.
    expect((await nonSensitivity(g, x, off, { target: 0 })).scores).toEqual([2]);
    tf.dispose([x, match, off]);
  });
});

describeBackends('inputInvariance', () => {
  it('holds for gradients and fails for input × gradient by |c|·max|w| = 3 (shift −1)', async () => {
    const x = row(x0);
    const sal = await expectTensorDelta(() => inputInvariance(f, x, new Saliency(), { target: 0 }), 0);
    expect(sal.scores).toEqual([1]);
    const ixg = await inputInvariance(f, x, new InputXGradient(), { target: 0 });
    expect(ixg.scores).toEqual([0]);
    expect(ixg.maxDifference[0]).toBeCloseTo(3, 5);
    x.dispose();
  });
});
