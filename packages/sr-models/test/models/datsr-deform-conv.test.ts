import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Rng, ShapeError, initBackend } from '@lab/tensor';
import { beforeAll, expect, it } from 'vitest';
import { ModulatedDeformConv2d, modulatedDeformConv2d } from '../../src/models/datsr/modulated-deform-conv2d';
import { describeBackends, expectTensorDelta } from './sr-test-utils';

beforeAll(async () => {
  await initBackend(); // registers lab's gradients and wasm kernels
});

function rand(shape: number[], seed: number): tf.Tensor {
  return new Rng(seed).uniformTensor(shape, -1, 1);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describeBackends('modulatedDeformConv2d', () => {
  it('equals tf.conv2d with zero offsets and unit modulation (x=[2,7,6,8] k=3 p=1 G=2)', async () => {
    const x = rand([2, 7, 6, 8], 1);
    const w = rand([3, 3, 8, 5], 2);
    const b = rand([5], 3);
    try {
      const err = await expectTensorDelta(() =>
        tf.tidy(() => {
          const off = tf.zeros([2, 7, 6, 2 * 2 * 9]);
          const m = tf.ones([2, 7, 6, 2 * 9]);
          const y = modulatedDeformConv2d(x, off, m, w, b, { padding: 1, deformableGroups: 2 });
          const ref = tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]), b);
          expect(y.shape).toEqual([2, 7, 6, 5]);
          return maxAbsDiff(y, ref);
        }),
      );
      expect(err).toBeLessThan(1e-5);
    } finally {
      tf.dispose([x, w, b]);
    }
  });

  it('equals tf.conv2d with stride 2 and dilation 2 (x=[1,9,8,4] k=3 s=2 d=2 p=2)', () => {
    const x = rand([1, 9, 8, 4], 4);
    const w = rand([3, 3, 4, 3], 5);
    try {
      const err = tf.tidy(() => {
        const y = modulatedDeformConv2d(x, tf.zeros([1, 5, 4, 18]), tf.ones([1, 5, 4, 9]), w, null, { stride: 2, padding: 2, dilation: 2 });
        // Reference: pad explicitly, then a dilated conv (cpu/wasm support dilation at stride 1), subsampled.
        const xp = tf.pad(x, [[0, 0], [2, 2], [2, 2], [0, 0]]) as tf.Tensor4D;
        const full = tf.conv2d(xp, w as tf.Tensor4D, 1, 'valid', 'NHWC', 2);
        const ref = tf.expandDims(
          tf.stack([0, 1, 2, 3, 4].map((p) => tf.stack([0, 1, 2, 3].map((q) => tf.reshape(tf.slice(full, [0, 2 * p, 2 * q, 0], [1, 1, 1, 3]), [3]))))),
          0,
        );
        expect(y.shape).toEqual([1, 5, 4, 3]);
        return maxAbsDiff(y, ref);
      });
      expect(err).toBeLessThan(1e-5);
    } finally {
      tf.dispose([x, w]);
    }
  });

  it('equals a convolution of the shifted input with integer offsets (Δy=1, Δx=−2, G=1 and per-group shifts)', () => {
    const x = rand([1, 6, 7, 4], 6);
    const w = rand([3, 3, 4, 2], 7);
    // The window W[q] = X[q − 1 + Δ] (q in [0, h+2)) of x zero-extended without bound: a valid
    // convolution of W equals the DCN with padding 1, whose taps read X[p + tap − 1 + Δ].
    const window = (t: tf.Tensor, dy: number, dx: number): tf.Tensor4D => {
      const [, h, wd, c] = t.shape;
      const P = 4;
      const padded = tf.pad(t, [[0, 0], [P, P], [P, P], [0, 0]]);
      return tf.slice(padded, [0, P - 1 + dy, P - 1 + dx, 0], [1, h + 2, wd + 2, c]) as tf.Tensor4D;
    };
    try {
      const err = tf.tidy(() => {
                // One group, every tap displaced by (1, -2).
        const off1 = tf.tile(tf.reshape(tf.tile(tf.tensor([1, -2]), [9]), [1, 1, 1, 18]), [1, 6, 7, 1]);
        const y1 = modulatedDeformConv2d(x, off1, tf.ones([1, 6, 7, 9]), w, null, { padding: 1 });
        const r1 = tf.conv2d(window(x, 1, -2), w as tf.Tensor4D, 1, 'valid');
        // Two groups: channels 0–1 shifted by (0, 1), channels 2–3 by (-1, 0).
        const g0 = tf.tile(tf.tensor([0, 1]), [9]);
        const g1 = tf.tile(tf.tensor([-1, 0]), [9]);
        const off2 = tf.tile(tf.reshape(tf.concat([g0, g1]), [1, 1, 1, 36]), [1, 6, 7, 1]);
        const y2 = modulatedDeformConv2d(x, off2, tf.ones([1, 6, 7, 18]), w, null, { padding: 1, deformableGroups: 2 });
        const xs = tf.concat([tf.slice(window(x, 0, 1), [0, 0, 0, 0], [1, 8, 9, 2]), tf.slice(window(x, -1, 0), [0, 0, 0, 2], [1, 8, 9, 2])], 3) as tf.Tensor4D;
        const r2 = tf.conv2d(xs, w as tf.Tensor4D, 1, 'valid');
        return Math.max(maxAbsDiff(y1, r1), maxAbsDiff(y2, r2));
      });
      expect(err).toBeLessThan(1e-5);
    } finally {
      tf.dispose([x, w]);
    }
  });

  it('interpolates fractional offsets bilinearly with zeros outside and scales by the mask (k=1)', () => {
    // x[0..2, 0..2] = 1..9 row-major; a 1×1 kernel of weight 1 reads x at p + Δ.
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const w = tf.ones([1, 1, 1, 1]);
    try {
      const y = tf.tidy(() => {
        const off = tf.zeros([1, 3, 3, 2]).bufferSync();
        off.set(0.25, 0, 0, 0, 0); // pixel (0,0): Δ = (0.25, 0.5)
        off.set(0.5, 0, 0, 0, 1);
        off.set(-0.5, 0, 0, 1, 0); // pixel (0,1): Δ = (−0.5, 0): half outside
        off.set(1.5, 0, 2, 2, 0); // pixel (2,2): Δ = (1.5, −0.75): fully outside rows
        off.set(-0.75, 0, 2, 2, 1);
        const mask = tf.fill([1, 3, 3, 1], 0.5).bufferSync();
        mask.set(1, 0, 0, 0, 0);
        mask.set(1, 0, 0, 1, 0);
        return modulatedDeformConv2d(x, off.toTensor(), mask.toTensor(), w).dataSync();
      });
      // Hand bilinear: (0.25, 0.5) → 0.75·(0.5·1 + 0.5·2) + 0.25·(0.5·4 + 0.5·5) = 1.125 + 1.125 = 2.25.
      expect(y[0]).toBeCloseTo(2.25, 6);
      // (−0.5, 1): rows −1 (zero) and 0 with weight 0.5 each → 0.5·2 = 1.
      expect(y[1]).toBeCloseTo(1, 6);
      // Unshifted pixels with mask 0.5: 0.5·x.
      expect(Array.from(y.slice(2, 8))).toEqual([1.5, 2, 2.5, 3, 3.5, 4].map((v) => v));
      // (3.5, 1.25) lies below the last row: zero.
      expect(y[8]).toBe(0);
    } finally {
      tf.dispose([x, w]);
    }
  });

  it('propagates gradients to offsets and mask that match central differences', () => {
    const x = rand([1, 5, 5, 2], 8);
    const w = rand([3, 3, 2, 2], 9);
    const off = tf.add(tf.mul(rand([1, 5, 5, 18], 10), 0.7), 0.013);
    const m = tf.sigmoid(rand([1, 5, 5, 9], 11));
    try {
      const f = (o: tf.Tensor, mm: tf.Tensor) => tf.sum(tf.square(modulatedDeformConv2d(x, o, mm, w, null, { padding: 1 })));
      const { value, grads } = tf.tidy(() => {
        const r = tf.valueAndGrads(f)([off, m]);
        return { value: r.value.dataSync()[0], grads: r.grads.map((g) => g.dataSync()) };
      });
      expect(Number.isFinite(value)).toBe(true);
      const eps = 1e-3;
      for (const [arg, idx] of [[0, 7], [0, 130], [1, 40]] as const) {
        const base = arg === 0 ? off : m;
        const num = tf.tidy(() => {
          const d = tf.mul(tf.reshape(tf.oneHot([idx], base.size), base.shape), eps);
          const plus = arg === 0 ? f(tf.add(off, d), m) : f(off, tf.add(m, d));
          const minus = arg === 0 ? f(tf.sub(off, d), m) : f(off, tf.sub(m, d));
          return (plus.dataSync()[0] - minus.dataSync()[0]) / (2 * eps);
        });
        expect(grads[arg][idx]).toBeCloseTo(num, 1);
      }
    } finally {
      tf.dispose([x, w, off, m]);
    }
  });

  it('propagates the same input and weight gradients as tf.conv2d with zero offsets (x=[1,6,5,4] k=3 p=1 G=2)', () => {
    const x = rand([1, 6, 5, 4], 12);
    const w = rand([3, 3, 4, 3], 13);
    const off = tf.zeros([1, 6, 5, 36]);
    const m = tf.ones([1, 6, 5, 18]);
    try {
      const err = tf.tidy(() => {
        const t = rand([1, 6, 5, 3], 14);
        const dcn = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(modulatedDeformConv2d(xx, off, m, ww, null, { padding: 1, deformableGroups: 2 }), t)));
        const ref = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]), t)));
        const [gx, gw] = dcn([x, w]);
        const [rx, rw] = ref([x, w]);
        return Math.max(maxAbsDiff(gx, rx), maxAbsDiff(gw, rw));
      });
      expect(err).toBeLessThan(1e-4);
    } finally {
      tf.dispose([x, w, off, m]);
    }
  });

  it('rejects mismatched shapes and bad options by argument name, without leaking', async () => {
    const x = tf.zeros([1, 4, 4, 4]);
    const w = tf.zeros([3, 3, 4, 2]);
    const off = tf.zeros([1, 4, 4, 18]);
    const m = tf.zeros([1, 4, 4, 9]);
    const m8 = tf.zeros([1, 4, 4, 8]);
    try {
      await expect(expectTensorDelta(() => modulatedDeformConv2d(x, off, m, w))).rejects.toThrow(/offset must have shape \[1,2,2,18\]/);
      await expect(expectTensorDelta(() => modulatedDeformConv2d(x, off, m8, w, null, { padding: 1 }))).rejects.toThrow(/mask must have shape/);
      expect(() => modulatedDeformConv2d(x, off, m, tf.zeros([3, 3, 5, 2]), null, { padding: 1 })).toThrow(/weight must have 4 input channels/);
      expect(() => modulatedDeformConv2d(x, off, m, w, null, { padding: 1, deformableGroups: 3 })).toThrow(InvalidValueError);
      expect(() => modulatedDeformConv2d(x, off, m, w, null, { pad: 1 } as never)).toThrow(/unknown option 'pad'/);
      expect(() => modulatedDeformConv2d(tf.zeros([4, 4, 4]), off, m, w)).toThrow(/x must have rank 4/);
    } finally {
      tf.dispose([x, w, off, m, m8]);
    }
  });
});

describeBackends('ModulatedDeformConv2d', () => {
  it('registers weight [Cout, C, k, k] and bias under mmcv names and leaks nothing', async () => {
    const dcn = new ModulatedDeformConv2d(8, 4, 3, { padding: 1, deformableGroups: 2, rng: new Rng(1) });
    try {
      const sd = dcn.stateDict();
      expect(Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, t.shape]))).toEqual({ weight: [4, 8, 3, 3], bias: [4] });
      tf.dispose(Object.values(sd));
      const x = tf.zeros([1, 5, 5, 8]);
      const off = tf.zeros([1, 5, 5, 36]);
      const m = tf.ones([1, 5, 5, 18]);
      const y = await expectTensorDelta(() => dcn.call(x, off, m), 1);
      expect(y.shape).toEqual([1, 5, 5, 4]);
      tf.dispose([x, off, m, y]);
    } finally {
      dcn.dispose();
    }
  });
});
