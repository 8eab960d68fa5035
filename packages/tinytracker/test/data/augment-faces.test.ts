import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { expect, it } from 'vitest';
import { AUGMENT_FACES_DEFAULTS, augmentFaces } from '../../src/data/augment-faces';
import { describeBackends, expectTensorDelta, uniformTensor } from '../helpers';

const IDENTITY = { noiseStd: 0, brightness: 0, contrast: [1, 1], saturation: [1, 1], hue: 0 } as const;

describeBackends('augmentFaces', () => {
  it('is the identity with every strength at zero (RGB, through the HSV round trip, within 1e-5)', async () => {
    const x = uniformTensor([2, 5, 5, 3], 1);
    try {
      const y = await expectTensorDelta(() => augmentFaces(x, IDENTITY), 1);
      const a = await x.data();
      const b = await y.data();
      y.dispose();
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
    } finally {
      x.dispose();
    }
  });

  it('halves deviations from the per-channel mean with contrast [0.5, 0.5] (grey, hand values)', async () => {
    // pixels 0, 51, 102, 153 on 0–255 (x = v/127.5 − 1); mean 76.5 → 38.25, 63.75, 89.25, 114.75
    const x = tf.tensor4d([0, 51, 102, 153].map((v) => v / 127.5 - 1), [1, 2, 2, 1]);
    try {
      const y = augmentFaces(x, { ...IDENTITY, contrast: [0.5, 0.5] });
      const v = Array.from(await y.data(), (e) => (e + 1) * 127.5);
      y.dispose();
      [38.25, 63.75, 89.25, 114.75].forEach((want, i) => expect(v[i]).toBeCloseTo(want, 3));
    } finally {
      x.dispose();
    }
  });

  it('shifts all pixels of an image by one brightness delta within ±0.5/255 of the range', async () => {
    const x = uniformTensor([3, 4, 4, 1], 2, -0.5, 0.5);
    try {
      const y = augmentFaces(x, { ...IDENTITY, brightness: 0.5, seed: 3 });
      const d = await tf.tidy(() => tf.sub(y, x)).data();
      y.dispose();
      for (let n = 0; n < 3; n++) {
        const img = Array.from(d.slice(n * 16, (n + 1) * 16));
        expect(Math.max(...img) - Math.min(...img)).toBeLessThan(1e-5);
        expect(Math.abs(img[0])).toBeLessThanOrEqual(0.5 / 127.5 + 1e-6);
      }
    } finally {
      x.dispose();
    }
  });

  it('turns colours grey with saturation [0, 0] (R = G = B = max)', async () => {
    const x = tf.tensor4d([200, 100, 50].map((v) => v / 127.5 - 1), [1, 1, 1, 3]);
    try {
      const y = augmentFaces(x, { ...IDENTITY, saturation: [0, 0] });
      const v = Array.from(await y.data(), (e) => (e + 1) * 127.5);
      y.dispose();
      v.forEach((e) => expect(e).toBeCloseTo(200, 3));
    } finally {
      x.dispose();
    }
  });

  it('uses the reference strengths by default and is deterministic per seed', async () => {
    expect(AUGMENT_FACES_DEFAULTS).toMatchObject({ noiseStd: 3, brightness: 0.5, contrast: [0.5, 1.5], saturation: [0.8, 1.2], hue: 0.05 });
    const x = uniformTensor([2, 6, 6, 3], 4, -0.8, 0.8);
    try {
      const a = augmentFaces(x, { seed: 7 });
      const b = augmentFaces(x, { seed: 7 });
      const c = augmentFaces(x, { seed: 8 });
      expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
      expect(Array.from(await a.data())).not.toEqual(Array.from(await c.data()));
      tf.dispose([a, b, c]);
    } finally {
      x.dispose();
    }
  });

  it('rejects a 5-channel tensor, an inverted range and unknown options', async () => {
    const x = tf.zeros([1, 2, 2, 5]);
    try {
      await expect(expectTensorDelta(() => augmentFaces(x))).rejects.toThrow(/augmentFaces: images must have 1 or 3 channels, got 5/);
      expect(() => augmentFaces(tf.zeros([2, 2, 3]))).toThrow(ShapeError);
      const y = tf.zeros([1, 2, 2, 3]);
      expect(() => augmentFaces(y, { contrast: [2, 1] })).toThrow(InvalidValueError);
      expect(() => augmentFaces(y, { blur: 1 } as never)).toThrow(/unknown option 'blur'/);
      y.dispose();
    } finally {
      x.dispose();
    }
  });
});
