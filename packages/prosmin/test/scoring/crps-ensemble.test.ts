import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, Rng, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { crpsEnsemble } from '../../src/scoring/crps-ensemble';

function run(x: number[][], y: number[], w?: number[][]): number[] {
  return tf.tidy(() => Array.from(crpsEnsemble(tf.tensor2d(x), tf.tensor1d(y), w ? { weights: tf.tensor2d(w) } : {}).dataSync()));
}

/** Σᵢ wᵢ|xᵢ − y| − ½ Σᵢⱼ wᵢwⱼ|xᵢ − xⱼ| with normalised weights (the kernel form of the CRPS). */
function kernelForm(x: number[], y: number, w: number[]): number {
  const total = w.reduce((a, b) => a + b, 0);
  const p = w.map((v) => v / total);
  let fit = 0;
  let spread = 0;
  for (let i = 0; i < x.length; i++) {
    fit += p[i] * Math.abs(x[i] - y);
    for (let j = 0; j < x.length; j++) spread += p[i] * p[j] * Math.abs(x[i] - x[j]);
  }
  return fit - spread / 2;
}

describeBackends('crpsEnsemble', () => {
  it('gives 0.5 for members {0, 2} at y = 1 (two unit strips of height ¼)', () => {
    expect(run([[0, 2]], [1])[0]).toBeCloseTo(0.5, 6);
  });

  it('gives |y − x| for a single member and handles y outside the members', () => {
    const a = run([[3]], [5])[0];
    const b = run([[0, 1]], [-2])[0];
    const c = run([[0, 1]], [4])[0];
    expect(a).toBeCloseTo(2, 6);
    // y = −2 below {0, 1}: ∫_{-2}^{0} 1 + ∫_0^1 ¼ = 2.25; y = 4: ∫_0^1 ¼ + ∫_1^4 1 = 3.25
    expect(b).toBeCloseTo(2.25, 6);
    expect(c).toBeCloseTo(3.25, 6);
  });

  it('equals the kernel form Σ|xᵢ−y|/M − Σ|xᵢ−xⱼ|/(2M²) on random ensembles, ties included', () => {
    const rng = new Rng(9);
    const xs: number[][] = [];
    const ys: number[] = [];
    for (let k = 0; k < 6; k++) {
      const row = Array.from(rng.normal(9, 0, 2));
      row[3] = row[1]; // a tie
      xs.push(row);
      ys.push(k === 0 ? row[1] : rng.gaussian()); // y on a member in the first instance
    }
    const got = run(xs, ys);
    for (let k = 0; k < 6; k++) expect(got[k]).toBeCloseTo(kernelForm(xs[k], ys[k], xs[k].map(() => 1)), 4);
  });

  it('uses normalised weights: weights [1,1,2] equal members [a,b,c,c]', () => {
    const x = [[0.5, -1, 2]];
    const weighted = run(x, [0.3], [[1, 1, 2]])[0];
    expect(weighted).toBeCloseTo(run([[0.5, -1, 2, 2]], [0.3])[0], 5);
    expect(weighted).toBeCloseTo(kernelForm(x[0], 0.3, [1, 1, 2]), 5);
    expect(run(x, [0.3], [[10, 10, 20]])[0]).toBeCloseTo(weighted, 5);
  });

  it('keeps the leading shape [2,3] of [2,3,M] samples', () => {
    const out = tf.tidy(() => crpsEnsemble(tf.ones([2, 3, 4]), tf.zeros([2, 3])));
    expect(out.shape).toEqual([2, 3]);
    expect(Array.from(out.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    out.dispose();
  });

  it('returns one new tensor and frees everything else', async () => {
    const x = tf.ones([3, 5]);
    const y = tf.zeros([3]);
    const out = await expectTensorDelta(() => crpsEnsemble(x, y), 1);
    tf.dispose([x, y, out]);
  });

  it('rejects negative or all-zero weights, non-finite values and mismatched shapes', async () => {
    const x = tf.tensor2d([[0, 1]]);
    const y = tf.tensor1d([0]);
    const neg = tf.tensor2d([[1, -1]]);
    const zero = tf.tensor2d([[0, 0]]);
    await expectTensorDelta(() => expect(() => crpsEnsemble(x, y, { weights: neg })).toThrow(InvalidValueError));
    expect(() => crpsEnsemble(x, y, { weights: zero })).toThrow(/must not all be zero/);
    expect(() => run([[0, NaN]], [0])).toThrow(/samples must be finite/);
    expect(() => crpsEnsemble(x, tf.zeros([2]))).toThrow(ShapeError);
    expect(() => crpsEnsemble(x, y, { weights: tf.ones([2]) })).toThrow(/weights must have the shape of samples/);
    expect(() => crpsEnsemble(x, y, { weight: 1 } as never)).toThrow(/unknown option 'weight'/);
    tf.dispose([x, y, neg, zero]);
  });
});
