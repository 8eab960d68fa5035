import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidValueError, Rng, ShapeError } from '@lab/tensor';
import { classSamplingWeights } from '../../src/sampling/class-sampling-weights';
import { weightedSample } from '../../src/sampling/weighted-sample';
import { expectTensorDelta, useBackend } from '../fixtures/helpers';

beforeAll(() => useBackend('cpu'));

const LABELS = [
  [1, 0, 0],
  [1, 0, 0],
  [1, 1, 0],
  [1, 0, 1],
];

function expectClose(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i], `entry ${i}`).toBeCloseTo(v, 12));
}

describe('classSamplingWeights', () => {
  it('n⁺=[4, 1, 1]: class weights [1, 4, 4]/9 and per-sample max [0.1, 0.1, 0.4, 0.4]', () => {
    // 1/n⁺ = [¼, 1, 1]; the 0.75 quantile of [¼, 1, 1] is 1, so nothing is clipped; sum 9/4.
    const { classWeights, sampleWeights } = classSamplingWeights(LABELS);
    expectClose(classWeights, [1 / 9, 4 / 9, 4 / 9]);
    // max over positives: [1, 1, 4, 4]/9, normalised by 10/9.
    expectClose(sampleWeights, [0.1, 0.1, 0.4, 0.4]);
  });

  it('mean aggregation averages a sample’s classes: [1/9, 1/9, 5/18, 5/18] normalised', () => {
    expectClose(classSamplingWeights(LABELS, { aggregate: 'mean' }).sampleWeights, [1 / 7, 1 / 7, 5 / 14, 5 / 14]);
    // sum: [1, 1, 5, 5]/9 normalised by 12/9.
    expectClose(classSamplingWeights(LABELS, { aggregate: 'sum' }).sampleWeights, [1 / 12, 1 / 12, 5 / 12, 5 / 12]);
  });

  it('clips at the q-quantile with linear interpolation: n⁺=[8,4,2,1] q=0.5 caps 1/n⁺ at 0.375', () => {
    const labels = [[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [1, 1, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]];
    // [⅛, ¼, ½, 1]: position 0.5·3 = 1.5 → ¼ + ½·(½ − ¼) = 0.375; clipped [⅛, ¼, ⅜, ⅜], sum 9/8.
    expectClose(classSamplingWeights(labels, { clipQuantile: 0.5 }).classWeights, [1 / 9, 2 / 9, 1 / 3, 1 / 3]);
    expectClose(classSamplingWeights(labels, { clipQuantile: null }).classWeights, [1 / 15, 2 / 15, 4 / 15, 8 / 15]);
  });

  it('gives a sample without positives the smallest class weight and a class without positives 0', () => {
    const { classWeights, sampleWeights } = classSamplingWeights([[1, 0, 0], [0, 0, 0], [1, 1, 0]], { clipQuantile: null });
    expectClose(classWeights, [1 / 3, 2 / 3, 0]); // 1/n⁺ = ½, 1
    expectClose(sampleWeights, [0.25, 0.25, 0.5]); // [⅓, ⅓, ⅔]/(4/3)
  });

  it('feeds a sampler that draws from the whole dataset, not only indices 0–14 (the reference bug)', () => {
    const rng = new Rng(5);
    const labels = Array.from({ length: 200 }, (_, i) => Array.from({ length: 15 }, (_, c) => (c === i % 15 || rng.next() < 0.05 ? 1 : 0)));
    const { sampleWeights } = classSamplingWeights(labels);
    expect(sampleWeights.length).toBe(200);
    const drawn = weightedSample(sampleWeights, 200, { seed: 2 });
    expect(Math.max(...drawn)).toBeGreaterThan(150);
    expect(drawn.filter((i) => i >= 15).length).toBeGreaterThan(150);
  });

  it('reads a tensor without allocating and rejects non-0/1 labels, empty positives and bad options', async () => {
    const t = tf.tensor2d(LABELS);
    const r = await expectTensorDelta(() => classSamplingWeights(t), 0);
    expectClose(r.sampleWeights, [0.1, 0.1, 0.4, 0.4]);
    t.dispose();
    expect(() => classSamplingWeights([[0.5, 1]])).toThrow(/labels must hold 0\/1 labels, got 0.5 at \[0, 0\]/);
    expect(() => classSamplingWeights([[0, 0]])).toThrow(InvalidValueError);
    expect(() => classSamplingWeights([[1, 0], [1]])).toThrow(ShapeError);
    expect(() => classSamplingWeights(LABELS, { clipQuantile: 2 })).toThrow(/clipQuantile/);
    expect(() => classSamplingWeights(LABELS, { aggregate: 'min' as never })).toThrow(/aggregate must be one of 'max', 'mean', 'sum'/);
  });
});
