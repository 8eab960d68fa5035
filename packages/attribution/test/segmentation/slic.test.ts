import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidValueError, Rng, ShapeError } from '@lab/tensor';
import { expectTensorDelta, useBackend } from '../../../tensor/test/helpers';
import { slic } from '../../src/segmentation/slic';

/** An [h, w, 3] image painted by `colour(y, x)`. */
function paint(h: number, w: number, colour: (y: number, x: number) => number[]): tf.Tensor3D {
  const v: number[] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) v.push(...colour(y, x));
  return tf.tensor3d(v, [h, w, 3]);
}

describe('slic', () => {
  // Pure JavaScript after reading the image: one backend suffices.
  beforeAll(() => useBackend('cpu'));

  it('recovers the two halves of a two-colour image exactly (6×12, red | blue, 2 segments)', () => {
    const img = paint(6, 12, (_y, x) => (x < 6 ? [1, 0, 0] : [0, 0, 1]));
    const { labels, count } = slic(img, { segments: 2 });
    img.dispose();
    expect(count).toBe(2);
    for (let y = 0; y < 6; y++) for (let x = 0; x < 12; x++) expect(labels[y * 12 + x]).toBe(x < 6 ? 0 : 1);
  });

  it('recovers the two halves of a square two-colour image (8×8, green | magenta) in RGB space', () => {
    const img = paint(8, 8, (_y, x) => (x < 4 ? [0, 1, 0] : [1, 0, 1]));
    const { labels, count } = slic(img, { segments: 2, colorSpace: 'rgb', compactness: 0.1 });
    img.dispose();
    expect(count).toBe(2);
    for (let p = 0; p < 64; p++) expect(labels[p]).toBe(p % 8 < 4 ? 0 : 1);
  });

  it('follows colour boundaries that are not on the initial grid (4 quadrants of unequal size)', () => {
    const img = paint(12, 12, (y, x) => (y < 5 ? (x < 7 ? [1, 0, 0] : [0, 1, 0]) : x < 7 ? [0, 0, 1] : [1, 1, 0]));
    const { labels, count } = slic(img, { segments: 4, compactness: 5 });
    img.dispose();
    expect(count).toBe(4);
    const region = (y: number, x: number) => (y < 5 ? 0 : 2) + (x < 7 ? 0 : 1);
    const map = new Map<number, number>();
    for (let y = 0; y < 12; y++) {
      for (let x = 0; x < 12; x++) {
        const l = labels[y * 12 + x];
        if (!map.has(region(y, x))) map.set(region(y, x), l);
        expect(l).toBe(map.get(region(y, x)));
      }
    }
    expect(new Set(map.values()).size).toBe(4);
  });

  it('covers every pixel with labels 0..K−1, each used, on a random image (16×16, 10 segments, sigma 1)', () => {
    const img = tf.tensor3d(new Rng(4).uniform(16 * 16 * 3), [16, 16, 3]);
    const { labels, count } = slic(img, { segments: 10, sigma: 1 });
    img.dispose();
    expect(labels.length).toBe(256);
    expect(new Set(labels)).toEqual(new Set(Array.from({ length: count }, (_, i) => i)));
    expect(count).toBeGreaterThan(1);
  });

  it('is deterministic and allocates no tensors', async () => {
    const img = tf.tensor3d(new Rng(2).uniform(8 * 8 * 3), [8, 8, 3]);
    const a = await expectTensorDelta(() => slic(img, { segments: 4 }), 0);
    const b = slic(img, { segments: 4 });
    img.dispose();
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
  });

  it('throws typed errors for bad shapes and options', () => {
    const gray = tf.zeros([4, 4, 1]);
    expect(() => slic(gray)).toThrow(ShapeError); // 'lab' needs 3 channels
    expect(slic(gray, { colorSpace: 'rgb', segments: 2 }).count).toBeGreaterThan(0);
    const batch = tf.zeros([1, 4, 4, 3]);
    expect(() => slic(batch)).toThrow(/image must be a tf.Tensor of shape \[H, W, C\]/);
    const img = tf.zeros([4, 4, 3]);
    expect(() => slic(img, { segments: 0 })).toThrow(/segments must be a positive integer/);
    expect(() => slic(img, { compactness: -1 })).toThrow(InvalidValueError);
    expect(() => slic(img, { n_segments: 3 } as never)).toThrow(/unknown option 'n_segments'/);
    tf.dispose([gray, batch, img]);
  });
});
