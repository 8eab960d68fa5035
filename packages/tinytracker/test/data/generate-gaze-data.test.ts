import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@lab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { faceGridChannels } from '../../src/data/face-grid';
import { GAZE_SCREEN_CM, generateGazeData } from '../../src/data/generate-gaze-data';
import { expectTensorDelta, useBackend } from '../helpers';

/** Ridge regression (normal equations, Cholesky) from features X [n, d] to 2 targets. */
function ridge(X: Float64Array, Y: ArrayLike<number>, n: number, d: number, lambda: number): Float64Array {
  const A = new Float64Array(d * d);
  const B = new Float64Array(d * 2);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const xa = X[i * d + a];
      for (let b = a; b < d; b++) A[a * d + b] += xa * X[i * d + b];
      B[a * 2] += xa * Y[i * 2];
      B[a * 2 + 1] += xa * Y[i * 2 + 1];
    }
  }
  for (let a = 0; a < d; a++) {
    A[a * d + a] += lambda;
    for (let b = 0; b < a; b++) A[a * d + b] = A[b * d + a];
  }
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * d + j];
      for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
      L[i * d + j] = i === j ? Math.sqrt(s) : s / L[j * d + j];
    }
  }
  const W = new Float64Array(d * 2);
  for (let c = 0; c < 2; c++) {
    const z = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = B[i * 2 + c];
      for (let k = 0; k < i; k++) s -= L[i * d + k] * z[k];
      z[i] = s / L[i * d + i];
    }
    for (let i = d - 1; i >= 0; i--) {
      let s = z[i];
      for (let k = i + 1; k < d; k++) s -= L[k * d + i] * W[k * 2 + c];
      W[i * 2 + c] = s / L[i * d + i];
    }
  }
  return W;
}

describe('generateGazeData', () => {
  beforeAll(() => useBackend('cpu'));

  it('returns [n, s, s, 3] images in [−1, 1] and gaze points on the screen, and nothing else', async () => {
    const d = await expectTensorDelta(() => generateGazeData(6, { seed: 1, size: 32 }), 2);
    try {
      expect(d.images.shape).toEqual([6, 32, 32, 3]);
      expect(d.gazeCm.shape).toEqual([6, 2]);
      const px = await d.images.data();
      expect(Math.min(...px)).toBeGreaterThanOrEqual(-1);
      expect(Math.max(...px)).toBeLessThanOrEqual(1);
      const g = await d.gazeCm.data();
      for (let i = 0; i < 6; i++) {
        expect(g[2 * i]).toBeGreaterThanOrEqual(GAZE_SCREEN_CM.xMin);
        expect(g[2 * i]).toBeLessThanOrEqual(GAZE_SCREEN_CM.xMax);
        expect(g[2 * i + 1]).toBeGreaterThanOrEqual(GAZE_SCREEN_CM.yMin);
        expect(g[2 * i + 1]).toBeLessThanOrEqual(GAZE_SCREEN_CM.yMax);
      }
      expect(d.faceGrids).toHaveLength(6);
      for (const [x, y, w, h] of d.faceGrids) {
        expect(w).toBe(h);
        expect(w).toBeGreaterThanOrEqual(12); // round(13·30/32)
        expect(w).toBeLessThanOrEqual(14); // round(13·30/28)
        expect(x).toBeGreaterThanOrEqual(1);
        expect(x + w).toBeLessThanOrEqual(26);
        expect(y + h).toBeLessThanOrEqual(26);
      }
    } finally {
      tf.dispose([d.images, d.gazeCm]);
    }
  });

  it('is deterministic per seed and differs across seeds', async () => {
    const a = generateGazeData(2, { seed: 5, size: 24, colour: 'grey' });
    const b = generateGazeData(2, { seed: 5, size: 24, colour: 'grey' });
    const c = generateGazeData(2, { seed: 6, size: 24, colour: 'grey' });
    try {
      expect(Array.from(await a.images.data())).toEqual(Array.from(await b.images.data()));
      expect(Array.from(await a.gazeCm.data())).toEqual(Array.from(await b.gazeCm.data()));
      expect(Array.from(await a.gazeCm.data())).not.toEqual(Array.from(await c.gazeCm.data()));
      expect(a.images.shape).toEqual([2, 24, 24, 1]);
    } finally {
      tf.dispose([a.images, a.gazeCm, b.images, b.gazeCm, c.images, c.gazeCm]);
    }
  });

  it('appends the face-grid channels of its own face boxes with faceGrid', async () => {
    const d = generateGazeData(3, { seed: 2, size: 16, faceGrid: true });
    const grid = faceGridChannels(d.faceGrids, 16);
    const tail = tf.slice(d.images, [0, 0, 0, 3], [3, 16, 16, 2]);
    try {
      expect(d.images.shape).toEqual([3, 16, 16, 5]);
      expect(Array.from(await tail.data())).toEqual(Array.from(await grid.data()));
    } finally {
      tf.dispose([d.images, d.gazeCm, grid, tail]);
    }
  });

  it('encodes the gaze learnably: ridge regression on 32×32 grey pixels halves the error of the mean predictor', () => {
    const s = 32;
    const train = generateGazeData(600, { seed: 1, size: s, colour: 'grey' });
    const val = generateGazeData(150, { seed: 2, size: s, colour: 'grey' });
    try {
      const d = s * s + 1;
      const features = (t: tf.Tensor, n: number): Float64Array => {
        const v = t.dataSync();
        const X = new Float64Array(n * d);
        for (let i = 0; i < n; i++) {
          X.set(v.subarray(i * s * s, (i + 1) * s * s), i * d);
          X[i * d + s * s] = 1;
        }
        return X;
      };
      const yt = train.gazeCm.dataSync();
      const yv = val.gazeCm.dataSync();
      const W = ridge(features(train.images, 600), yt, 600, d, 1);
      const Xv = features(val.images, 150);
      const mean = [0, 1].map((c) => Array.from({ length: 600 }, (_, i) => yt[2 * i + c]).reduce((a, b) => a + b) / 600);
      let err = 0;
      let base = 0;
      for (let i = 0; i < 150; i++) {
        let p0 = 0;
        let p1 = 0;
        for (let j = 0; j < d; j++) {
          p0 += Xv[i * d + j] * W[j * 2];
          p1 += Xv[i * d + j] * W[j * 2 + 1];
        }
        err += Math.hypot(p0 - yv[2 * i], p1 - yv[2 * i + 1]) / 150;
        base += Math.hypot(mean[0] - yv[2 * i], mean[1] - yv[2 * i + 1]) / 150;
      }
      expect(base).toBeGreaterThan(4); // uniform targets on a 12 × 12 cm screen
      expect(err).toBeLessThan(0.6 * base);
    } finally {
      tf.dispose([train.images, train.gazeCm, val.images, val.gazeCm]);
    }
  });

  it('rejects a bad count and unknown options by name', () => {
    expect(() => generateGazeData(0)).toThrow(/generateGazeData: count must be a positive integer, got 0/);
    expect(() => generateGazeData(1, { grid: true } as never)).toThrow(/unknown option 'grid'/);
    expect(() => generateGazeData(1, { colour: 'bgr' as never })).toThrow(InvalidValueError);
  });
});
