import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../../tensor/test/helpers';
import { groundTruthOverlap } from '../../../src/metrics/localisation/ground-truth-overlap';
import { maskAuc } from '../../../src/metrics/localisation/mask-auc';
import { pointingGame } from '../../../src/metrics/localisation/pointing-game';
import { regionOverlap } from '../../../src/metrics/localisation/region-overlap';
import { attributionLocalisation, relevanceMassAccuracy } from '../../../src/metrics/localisation/relevance-mass-accuracy';
import { relevanceRankAccuracy, topKIntersection } from '../../../src/metrics/localisation/top-k-intersection';

const r4 = (v: number[]) => tf.tensor4d(v, [1, 1, v.length, 1]);
const close = (v: number, d = 6) => Number(v.toFixed(d));

describeBackends('pointingGame', () => {
  it('hits within the tolerance: max at (0,0), region at (2,2) of 3×3 is √8 = 2.828 px away', async () => {
    const a = tf.tensor4d([9, 0, 0, 0, 0, 0, 0, 0, 0], [1, 3, 3, 1]);
    const m = tf.tensor4d([0, 0, 0, 0, 0, 0, 0, 0, 1], [1, 3, 3, 1]);
    expect((await expectTensorDelta(() => pointingGame(a, m, { tolerance: 2.83 }), 0)).scores).toEqual([1]);
    expect((await pointingGame(a, m, { tolerance: 2.8 })).scores).toEqual([0]);
    expect((await pointingGame(a, m, { tolerance: 0 })).points).toEqual([0]);
    tf.dispose([a, m]);
  });

  it('misses on an empty region and rejects a mask of another size', async () => {
    const a = r4([1, 2, 3, 4]);
    const [empty, wrong] = [r4([0, 0, 0, 0]), tf.zeros([1, 1, 3, 1])];
    expect((await pointingGame(a, empty)).score).toBe(0);
    await expect(pointingGame(a, wrong)).rejects.toThrow(ShapeError);
    await expect(pointingGame(a, wrong)).rejects.toThrow(/mask must have shape/);
    tf.dispose([a, empty, wrong]);
  });
});

describeBackends('relevanceMassAccuracy', () => {
  it('is Σ_G a / Σ a: a = [1,2,3,4], G = {0,1} → 0.3; positive part of [−1,2,3,4] → 2/9', async () => {
    const m = r4([1, 1, 0, 0]);
    const [a, s] = [r4([1, 2, 3, 4]), r4([-1, 2, 3, 4])];
    expect(close((await relevanceMassAccuracy(a, m)).score)).toBe(0.3);
    expect(close((await relevanceMassAccuracy(s, m)).score)).toBe(close(2 / 9));
    await expect(relevanceMassAccuracy(s, m, { sign: 'keep' })).rejects.toThrow(InvalidValueError);
    tf.dispose([m, a, s]);
  });
});

describeBackends('attributionLocalisation', () => {
  it('gives μ = 0.3 and μ_w = 0.3·4/2 = 0.6, and 0 (not NaN) for a map without mass', async () => {
    const m = r4([1, 1, 0, 0]);
    const [a, z] = [r4([1, 2, 3, 4]), r4([0, 0, 0, 0])];
    expect(close((await attributionLocalisation(a, m)).score)).toBe(0.3);
    expect(close((await attributionLocalisation(a, m, { weighted: true })).score)).toBe(0.6);
    expect((await attributionLocalisation(z, m)).score).toBe(0);
    tf.dispose([m, a, z]);
  });
});

describeBackends('localisation masks', () => {
  it('accept int32 and bool masks without allocating a tensor', async () => {
    const a = r4([4, 3, 2, 1]);
    const [mi, mb] = [tf.tensor4d([1, 0, 1, 0], [1, 1, 4, 1], 'int32'), tf.tensor4d([true, false, true, false], [1, 1, 4, 1], 'bool')];
    expect((await expectTensorDelta(() => relevanceRankAccuracy(a, mi), 0)).score).toBe(0.5);
    expect((await expectTensorDelta(() => relevanceRankAccuracy(a, mb), 0)).score).toBe(0.5);
    tf.dispose([a, mi, mb]);
  });
});

describeBackends('topKIntersection', () => {
  it('k = 2 of a = [4,3,2,1] with G = {0,2}: top-2 {0,1} → 1/2; k > H·W is rejected', async () => {
    const [a, m] = [r4([4, 3, 2, 1]), r4([1, 0, 1, 0])];
    expect((await topKIntersection(a, m, { k: 2 })).score).toBe(0.5);
    await expect(topKIntersection(a, m, { k: 5 })).rejects.toThrow(/k must be an integer in \[1, 4\]/);
    tf.dispose([a, m]);
  });
});

describeBackends('relevanceRankAccuracy', () => {
  it('uses K = |G|: G = {0,2} → top-2 {0,1} → 1/2; an empty region → 0', async () => {
    const [a, m, e] = [r4([4, 3, 2, 1]), r4([1, 0, 1, 0]), r4([0, 0, 0, 0])];
    expect((await relevanceRankAccuracy(a, m)).score).toBe(0.5);
    expect((await relevanceRankAccuracy(a, e)).score).toBe(0);
    tf.dispose([a, m, e]);
  });
});

describeBackends('maskAuc', () => {
  it('counts ordered pairs with ties as ½: a = [3,1,2,2], G = {0,2} → 3.5/4 = 0.875', async () => {
    // Region scores {3, 2}, background {1, 2}: 3>1, 3>2, 2>1, 2=2 (½) → 3.5 of 4 pairs.
    const [a, m] = [r4([3, 1, 2, 2]), r4([1, 0, 1, 0])];
    expect((await maskAuc(a, m)).score).toBe(0.875);
    tf.dispose([a, m]);
  });

  it('is 1 for a perfect ranking, 0 for the reverse and 0.5 for a constant map or a one-class mask', async () => {
    const a = r4([4, 3, 2, 1]);
    const [good, bad, all, flat] = [r4([1, 1, 0, 0]), r4([0, 0, 1, 1]), r4([1, 1, 1, 1]), r4([2, 2, 2, 2])];
    expect((await maskAuc(a, good)).score).toBe(1);
    expect((await maskAuc(a, bad)).score).toBe(0);
    expect((await maskAuc(a, all)).score).toBe(0.5);
    expect((await maskAuc(flat, good)).score).toBe(0.5);
    tf.dispose([a, good, bad, all, flat]);
  });
});

describeBackends('regionOverlap', () => {
  it('thresholded at ½·max: B = {0,1}, G = {0,2} → IoU 1/3, IoBB 1/2, IoR 1/2', async () => {
    const [a, m] = [r4([1, 0.6, 0.4, 0]), r4([1, 0, 1, 0])];
    const r = await expectTensorDelta(() => regionOverlap(a, m), 0);
    expect([close(r.iou.score), r.iobb.score, r.ior.score]).toEqual([close(1 / 3), 0.5, 0.5]);
    tf.dispose([a, m]);
  });

  it('soft: ∩ = 1 + .4 = 1.4, ∪ = 1 + .6 + 1 = 2.6 → IoU 0.538462, IoBB 1.4/2 = 0.7, IoR 0.7', async () => {
    const [a, m] = [r4([1, 0.6, 0.4, 0]), r4([1, 0, 1, 0])];
    const r = await regionOverlap(a, m, { mode: 'soft' });
    expect([close(r.iou.score), close(r.iobb.score), close(r.ior.score)]).toEqual([0.538462, 0.7, 0.7]);
    tf.dispose([a, m]);
  });

  it('gives 0 for a map without mass and rejects a threshold of 0', async () => {
    const [z, m] = [r4([0, 0, 0, 0]), r4([1, 0, 1, 0])];
    const r = await regionOverlap(z, m);
    expect([r.iou.score, r.iobb.score, r.ior.score]).toEqual([0, 0, 0]);
    await expect(regionOverlap(z, m, { threshold: 0 })).rejects.toThrow(/threshold/);
    tf.dispose([z, m]);
  });
});

describeBackends('groundTruthOverlap', () => {
  it('scores the positive and negative parts separately: hand-derived 1×4 case', async () => {
    // g = [1, 1, −1, 0], a = [2, −1, −3, .5].
    // +: G⁺ = {0,1}, top-2 with a > 0: {0, 3} → P = R = F1 = .5; AUC: 2 beats −3 and .5, −1 beats −3 → 3/4;
    //    mass share 2/(2 + .5) = .8.  −: G⁻ = {2}, top-1 of −a is pixel 2 → P = R = F1 = 1; AUC 1;
    //    mass share of max(−a, 0) = [0, 1, 3, 0]: 3/4.
    const [a, g] = [r4([2, -1, -3, 0.5]), r4([1, 1, -1, 0])];
    const r = await expectTensorDelta(() => groundTruthOverlap(a, g), 0);
    expect([r.positive.precision[0], r.positive.recall[0], r.positive.f1[0], r.positive.auc[0], r.positive.massShare[0]]).toEqual([0.5, 0.5, 0.5, 0.75, 0.8]);
    expect([r.negative.precision[0], r.negative.recall[0], r.negative.f1[0], r.negative.auc[0], r.negative.massShare[0]]).toEqual([1, 1, 1, 1, 0.75]);
    expect(r.score).toBe(0.75);
    tf.dispose([a, g]);
  });

  it('marks a sign the ground truth lacks as null and averages F1 over the signs present', async () => {
    const [a, g] = [r4([2, 1, 0, 0]), r4([1, 0, 0, 0])];
    const r = await groundTruthOverlap(a, g);
    expect(r.negative.f1).toEqual([null]);
    // top-1 of a is pixel 0 ∈ G⁺ → F1⁺ = 1.
    expect(r.scores).toEqual([1]);
    tf.dispose([a, g]);
  });
});
