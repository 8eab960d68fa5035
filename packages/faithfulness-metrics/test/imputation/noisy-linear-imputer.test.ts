import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidValueError, Rng, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { ImputerState } from '../../src/imputation/imputer';
import { buildNoisyLinearSystem, NoisyLinearImputer, solveNoisyLinear } from '../../src/imputation/noisy-linear-imputer';
import { denseRoadImpute } from '../fixtures/dense';

const noiseless = (o: object = {}) => new NoisyLinearImputer({ noise: 0, ...o });
const fill1 = (imp: NoisyLinearImputer, img: number[], removed: number[], h: number, w: number, c = 1, state?: ImputerState) => {
  const buf = Float32Array.from(img);
  imp.fill(buf, Uint8Array.from(removed), { height: h, width: w, channels: c }, new Rng(0), state);
  return Array.from(buf);
};

describe('NoisyLinearImputer', () => {
  it('fills an interior pixel with 1/6 of its edge and 1/12 of its diagonal neighbours: 3×3, centre removed → 2', () => {
    // Neighbours: right 6 (edge, 6/6 = 1), bottom-right 12 (diagonal, 12/12 = 1), all others 0 → 2.
    const out = fill1(noiseless(), [0, 0, 0, 0, 99, 6, 0, 0, 12], [0, 0, 0, 0, 1, 0, 0, 0, 0], 3, 3);
    expect(out[4]).toBeCloseTo(2, 5);
    expect(out.filter((_, i) => i !== 4)).toEqual([0, 0, 0, 0, 6, 0, 0, 12]); // kept pixels are untouched
  });

  it('renormalises the weights at a corner: 3×3, (0,0) removed, right 1, below 2, diagonal 4 → (2·1 + 2·2 + 4)/5 = 2', () => {
    // In-image neighbours of (0,0): (0,1) w=1/6, (1,0) w=1/6, (1,1) w=1/12; Σw = 5/12.
    // x = (1/6·1 + 1/6·2 + 1/12·4) / (5/12) = (2 + 4 + 4)/5 = 2.
    const out = fill1(noiseless(), [7, 1, 0, 2, 4, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0], 3, 3);
    expect(out[0]).toBeCloseTo(2, 5);
  });

  it('interpolates linearly along a 1×4 strip [0, x, y, 3] → x = 1, y = 2 (coupled unknowns)', () => {
    // One row: only left/right neighbours (1/6 each). x = (0 + y)/2, y = (x + 3)/2 → x = 1, y = 2.
    const out = fill1(noiseless(), [0, 9, 9, 3], [0, 1, 1, 0], 1, 4);
    expect(out[1]).toBeCloseTo(1, 4);
    expect(out[2]).toBeCloseTo(2, 4);
  });

  it('handles each channel separately: 1×3 strip, 2 channels [1,10 | x | 3,30] → (2, 20)', () => {
    const out = fill1(noiseless(), [1, 10, 0, 0, 3, 30], [0, 1, 0], 1, 3, 2);
    expect(out[2]).toBeCloseTo(2, 4);
    expect(out[3]).toBeCloseTo(20, 4);
  });

  for (const [label, h, w, c, frac, pre] of [
    ['7×9×3, 30% removed, multigrid', 7, 9, 3, 0.3, 'multigrid'],
    ['7×9×3, 85% removed, multigrid', 7, 9, 3, 0.85, 'multigrid'],
    ['20×17×1, 60% removed, multigrid', 20, 17, 1, 0.6, 'multigrid'],
    ['20×17×2, 95% removed, multigrid', 20, 17, 2, 0.95, 'multigrid'],
    ['20×17×3, 70% removed, jacobi', 20, 17, 3, 0.7, 'jacobi'],
  ] as const) {
    it(`matches a dense direct solve of the reference system within 1e-4: ${label}`, () => {
      const rng = new Rng(h * 100 + w + c);
      const img = rng.uniform(h * w * c);
      const removed = new Uint8Array(h * w);
      for (const p of rng.permutation(h * w).slice(0, Math.round(frac * h * w))) removed[p] = 1;
      const dense = denseRoadImpute(img, removed, h, w, c);
      const out = fill1(noiseless({ preconditioner: pre }), Array.from(img), Array.from(removed), h, w, c);
      let err = 0;
      for (let i = 0; i < out.length; i++) err = Math.max(err, Math.abs(out[i] - dense[i]));
      expect(err).toBeLessThanOrEqual(1e-4);
    });
  }

  it('matches the dense solve on a compact hole (a 12×12 block removed from 24×24×3)', () => {
    const rng = new Rng(5);
    const [h, w, c] = [24, 24, 3];
    const img = rng.uniform(h * w * c);
    const removed = new Uint8Array(h * w);
    for (let y = 6; y < 18; y++) for (let x = 4; x < 16; x++) removed[y * w + x] = 1;
    const dense = denseRoadImpute(img, removed, h, w, c);
    const out = fill1(noiseless(), Array.from(img), Array.from(removed), h, w, c);
    let err = 0;
    for (let i = 0; i < out.length; i++) err = Math.max(err, Math.abs(out[i] - dense[i]));
    expect(err).toBeLessThanOrEqual(1e-4);
  });

  it('builds a symmetric system: the weight of u→v equals that of v→u', () => {
    const rng = new Rng(3);
    const removed = Uint8Array.from(rng.uniform(15 * 11), (v) => (v < 0.6 ? 1 : 0));
    const sys = buildNoisyLinearSystem(new Float32Array(15 * 11), removed, { height: 15, width: 11, channels: 1 });
    let checked = 0;
    for (let u = 0; u < sys.n; u++) {
      for (let k = 0; k < 9; k++) {
        const v = sys.nb[u * 9 + k];
        if (k === 4 || v === sys.n) continue;
        expect(sys.a[v * 9 + (8 - k)]).toBe(sys.a[u * 9 + k]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('imputes 0 (plus noise) when every pixel is removed, the minimum-norm solution of the singular system', () => {
    expect(fill1(noiseless(), [5, 6, 7, 8], [1, 1, 1, 1], 2, 2)).toEqual([0, 0, 0, 0]);
  });

  it('leaves an image with no removed pixel unchanged, bit for bit', () => {
    expect(fill1(new NoisyLinearImputer(), [0.1, 0.2, 0.3, 0.4], [0, 0, 0, 0], 2, 2)).toEqual(Array.from(Float32Array.from([0.1, 0.2, 0.3, 0.4])));
  });

  it('adds Gaussian noise of standard deviation 0.01 to the imputed values only', () => {
    const [h, w] = [40, 40];
    const img = new Float32Array(h * w).fill(0.5);
    const removed = new Uint8Array(h * w);
    for (let p = 0; p < h * w; p += 2) removed[p] = 1;
    const out = fill1(new NoisyLinearImputer(), Array.from(img), Array.from(removed), h, w);
    // The noiseless solution of a constant image is the constant, so out − 0.5 is the noise.
    let ss = 0;
    let kept = 0;
    for (let p = 0; p < h * w; p++) {
      if (removed[p]) ss += (out[p] - 0.5) ** 2;
      else kept += Math.abs(out[p] - img[p]);
    }
    expect(Math.sqrt(ss / 800)).toBeGreaterThan(0.009); // 800 draws: σ̂ within ±10% of 0.01
    expect(Math.sqrt(ss / 800)).toBeLessThan(0.011);
    expect(kept).toBe(0);
  });

  it('warm-starts successive solves of one image: same result within 1e-4, fewer iterations', () => {
    const [h, w, c] = [32, 32, 3];
    const rng = new Rng(11);
    const img = rng.uniform(h * w * c);
    const order = rng.permutation(h * w);
    const solve = (warmStart: boolean) => {
      const imp = noiseless({ warmStart, tolerance: 1e-7 });
      const state = new ImputerState();
      let last: Float32Array = img;
      for (const frac of [0.9, 0.85, 0.8, 0.75]) {
        const removed = new Uint8Array(h * w);
        for (const p of order.slice(0, Math.round(frac * h * w))) removed[p] = 1;
        last = Float32Array.from(img);
        imp.fill(last, removed, { height: h, width: w, channels: c }, new Rng(0), state);
      }
      return { last, its: state.totalIterations };
    };
    const cold = solve(false);
    const warm = solve(true);
    let err = 0;
    for (let i = 0; i < cold.last.length; i++) err = Math.max(err, Math.abs(cold.last[i] - warm.last[i]));
    expect(err).toBeLessThan(1e-4);
    expect(warm.its).toBeLessThan(cold.its);
  });

  it('never reads the removed values: changing them leaves the imputation unchanged', () => {
    const rng = new Rng(2);
    const img = rng.uniform(6 * 6);
    const removed = Uint8Array.from(rng.uniform(36), (v) => (v < 0.5 ? 1 : 0));
    const other = Float32Array.from(img, (v, i) => (removed[i] ? v + 100 : v));
    const a = solveNoisyLinear(img, removed, { height: 6, width: 6, channels: 1 }, { tolerance: 1e-10, maxIterations: 100, preconditioner: 'multigrid' });
    const b = solveNoisyLinear(other, removed, { height: 6, width: 6, channels: 1 }, { tolerance: 1e-10, maxIterations: 100, preconditioner: 'multigrid' });
    expect(Array.from(b.x)).toEqual(Array.from(a.x));
  });

  it('rejects bad options with InvalidValueError naming them', () => {
    expect(() => new NoisyLinearImputer({ noise: -1 })).toThrow(/noise/);
    expect(() => new NoisyLinearImputer({ tolerance: 0 })).toThrow(InvalidValueError);
    expect(() => new NoisyLinearImputer({ preconditioner: 'ilu' as never })).toThrow(/preconditioner/);
    expect(() => new NoisyLinearImputer({ sigma: 1 } as never)).toThrow(/unknown option 'sigma'/);
  });
});

describeBackends('NoisyLinearImputer.impute', () => {
  it('imputes a batch as tensors, returning exactly one new tensor', async () => {
    const x = tf.tensor4d([0, 9, 9, 3, 0, 9, 9, 6], [2, 1, 4, 1]);
    const m = tf.tensor3d([0, 1, 1, 0, 0, 1, 1, 0], [2, 1, 4]);
    const out = await expectTensorDelta(() => noiseless().impute(x, m), 1);
    // Strip [0, x, y, b]: x = b/3, y = 2b/3 (hand derivation above) → b = 3: (1, 2); b = 6: (2, 4).
    const v = Array.from(await out.data());
    expect(v.map((t) => Number(t.toFixed(4)))).toEqual([0, 1, 2, 3, 0, 2, 4, 6]);
    tf.dispose([x, m, out]);
  });

  it('gives the same noise for the same seed and different noise for another seed', async () => {
    const x = tf.fill([1, 4, 4, 1], 0.5);
    const m = tf.tidy(() => tf.sub(tf.ones([1, 4, 4, 1]), tf.reshape(tf.oneHot([0], 16), [1, 4, 4, 1])));
    const imp = new NoisyLinearImputer();
    const [a, b, c] = [await imp.impute(x, m, { seed: 1 }), await imp.impute(x, m, { seed: 1 }), await imp.impute(x, m, { seed: 2 })];
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    expect(Array.from(await a.data())).not.toEqual(Array.from(await c.data()));
    tf.dispose([x, m, a, b, c]);
  });

  it('rejects a mask of the wrong shape (ShapeError) and NaN images (InvalidValueError) without leaking', async () => {
    const x = tf.zeros([1, 2, 2, 1]);
    const bad = tf.zeros([1, 3, 2]);
    const nan = tf.tensor4d([NaN, 0, 0, 0], [1, 2, 2, 1]);
    const ok = tf.zeros([1, 2, 2]);
    await expect(expectTensorDelta(() => noiseless().impute(x, bad))).rejects.toThrow(ShapeError);
    await expect(expectTensorDelta(() => noiseless().impute(nan, ok))).rejects.toThrow(/images must be finite/);
    await expect(noiseless().impute(x, ok, { sed: 1 } as never)).rejects.toThrow(/unknown option 'sed'/);
    tf.dispose([x, bad, nan, ok]);
  });
});
