import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Conv2d, GlobalAvgPool2d, InvalidValueError, Linear, ReLU, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { createLabDesign, designedOutputs } from '../../src/lab/design';
import { generateDesignedData } from '../../src/lab/designed-data';
import { DesignedNetwork } from '../../src/lab/designed-network';
import { PALETTE_COLOURS, detectorResponse } from '../../src/lab/palette';

const P = PALETTE_COLOURS.length;

/** A 16×16 image of `fill` with the listed pixels recoloured. */
function image(fill: number[], pixels: [number, number[]][] = [], size = 16): tf.Tensor4D {
  const data = new Float32Array(size * size * 3);
  for (let p = 0; p < size * size; p++) data.set(fill, p * 3);
  for (const [p, rgb] of pixels) data.set(rgb, p * 3);
  return tf.tensor4d(data, [1, size, size, 3]);
}

describeBackends('DesignedNetwork', () => {
  it('computes logits (3, 0, 0) for 10 red, 3 green, 2 cyan pixels on white (θ = 5, hand-derived)', async () => {
    const net = new DesignedNetwork(createLabDesign({ imageSize: 16 }));
    const px: [number, number[]][] = [];
    for (let i = 0; i < 10; i++) px.push([i, [1, 0, 0]]);
    for (let i = 20; i < 23; i++) px.push([i, [0, 1, 0]]);
    for (let i = 40; i < 42; i++) px.push([i, [0, 1, 1]]);
    const x = image([1, 1, 1], px);
    const y = net.call(x);
    // e = (10 − 2, 3, −2); u = max(0, e − 5) = (3, 0, 0)
    expect(Array.from(await y.data())).toEqual([3, 0, 0]);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('computes every designed label exactly: logits equal ReLU(e − θ) and argmax equals the label (32×32, 12 samples)', async () => {
    const design = createLabDesign();
    const net = new DesignedNetwork(design);
    const data = generateDesignedData(design, 12, { seed: 11 });
    const x = tf.tensor4d(data.images, [12, 32, 32, 3]);
    const y = net.call(x);
    const out = await y.data();
    for (let i = 0; i < 12; i++) {
      const expected = designedOutputs(design, data.counts.subarray(i * P, (i + 1) * P));
      expect(Array.from(out.subarray(i * 3, i * 3 + 3))).toEqual(expected);
      expect(expected.indexOf(Math.max(...expected))).toBe(data.labels[i]);
      expect(expected.filter((v) => v > 0)).toHaveLength(1);
    }
    tf.dispose([x, y]);
    net.dispose();
  });

  it('outputs the exact regression label 2·n_red + n_green − n_cyan (16×16, 8 samples)', async () => {
    const design = createLabDesign({ task: 'regression', imageSize: 16 });
    const net = new DesignedNetwork(design);
    const data = generateDesignedData(design, 8, { seed: 4 });
    const x = tf.tensor4d(data.images, [8, 16, 16, 3]);
    const y = net.call(x);
    expect(y.shape).toEqual([8, 1]);
    expect(Array.from(await y.data())).toEqual([...data.labels]);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('stays within float32 rounding (1e-4) of the exact logits at 12×12, where H·W is not a power of two', async () => {
    const design = createLabDesign({ imageSize: 12 });
    const net = new DesignedNetwork(design);
    const data = generateDesignedData(design, 6, { seed: 2 });
    const x = tf.tensor4d(data.images, [6, 12, 12, 3]);
    const y = net.call(x);
    const out = await y.data();
    for (let i = 0; i < 6; i++) {
      const expected = designedOutputs(design, data.counts.subarray(i * P, (i + 1) * P));
      expected.forEach((v, k) => expect(Math.abs(out[i * 3 + k] - v)).toBeLessThan(1e-4));
    }
    tf.dispose([x, y]);
    net.dispose();
  });

  it('gives zero evidence for the all-black and the mid-grey image: logits 0 (classification), θ = 0 (regression)', async () => {
    for (const task of ['classification', 'regression'] as const) {
      const net = new DesignedNetwork(createLabDesign({ task, imageSize: 16 }));
      for (const v of [0, 0.5]) {
        const x = tf.fill([2, 16, 16, 3], v);
        const y = net.call(x);
        expect(Array.from(await y.data())).toEqual(new Array(task === 'classification' ? 6 : 2).fill(0));
        tf.dispose([x, y]);
      }
      net.dispose();
    }
  });

  it('responds to unseen colours as detectorResponse says (detector layer on 64 random cube colours, k = 1 and 3)', async () => {
    for (const k of [1, 3]) {
      const net = new DesignedNetwork(createLabDesign({ imageSize: 8, sharpness: k }));
      const rgb = Array.from({ length: 64 * 3 }, (_, i) => ((i * 7919) % 101) / 100);
      const x = tf.tensor4d(rgb, [1, 8, 8, 3]);
      const d = tf.tidy(() => net.detectRelu.call(net.detect.call(x)));
      const got = await d.data();
      for (let p = 0; p < 64; p++) {
        const c = rgb.slice(p * 3, p * 3 + 3) as [number, number, number];
        PALETTE_COLOURS.forEach((colour, i) => expect(got[p * P + i]).toBeCloseTo(detectorResponse(c, colour, k), 5));
      }
      tf.dispose([x, d]);
      net.dispose();
    }
  });

  it('changes the unseen-data response with sharpness: 8 pixels of (0.75,0,0) give red logit 6, 4, 0 at k = 1, 2, 4', async () => {
    const expected = { 1: 6, 2: 4, 4: 0 }; // 8 · max(0, 0.75k − (k − 1)), threshold 0
    for (const [k, v] of Object.entries(expected)) {
      const design = createLabDesign({ imageSize: 16, sharpness: Number(k), units: [{ positive: ['red'], threshold: 0 }, { positive: ['green'], threshold: 0 }] });
      const net = new DesignedNetwork(design);
      const x = image([1, 1, 1], Array.from({ length: 8 }, (_, i) => [i * 3, [0.75, 0, 0]] as [number, number[]]));
      const y = net.call(x);
      const out = await y.data();
      expect(out[0]).toBeCloseTo(v, 5);
      expect(out[1]).toBe(0);
      tf.dispose([x, y]);
      net.dispose();
    }
  });

  it('is built from conventional layers only, with centre-only 3×3 taps and integer weights', async () => {
    const net = new DesignedNetwork(createLabDesign({ imageSize: 16, sharpness: 2 }));
    const kinds = net.namedChildren().map(([n, m]) => [n, m.constructor.name]);
    expect(kinds).toEqual([
      ['detect', Conv2d.name],
      ['detectRelu', ReLU.name],
      ['spatial', Conv2d.name],
      ['spatialRelu', ReLU.name],
      ['mix', Conv2d.name],
      ['mixRelu', ReLU.name],
      ['pool', GlobalAvgPool2d.name],
      ['fc', Linear.name],
      ['fcRelu', ReLU.name],
      ['head', Linear.name],
    ]);
    const sp = await net.spatial.weight.data(); // HWIO [3,3,8,8]
    for (let i = 0; i < sp.length; i++) {
      const tap = Math.floor(i / (P * P));
      const [ci, co] = [Math.floor((i % (P * P)) / P), i % P];
      expect(sp[i]).toBe(tap === 4 && ci === co ? 1 : 0);
    }
    for (const [, v] of net.namedParameters()) for (const w of await v.data()) expect(Number.isInteger(w)).toBe(true);
    net.dispose();
  });

  it('returns one tensor per call and throws ShapeError for another image size; InvalidValueError for a non-design', async () => {
    const net = new DesignedNetwork(createLabDesign({ imageSize: 16 }));
    const x = tf.zeros([2, 16, 16, 3]);
    const y = await expectTensorDelta(() => net.call(x), 1);
    y.dispose();
    const wrong = tf.zeros([1, 12, 16, 3]);
    await expect(expectTensorDelta(() => net.call(wrong))).rejects.toThrow(ShapeError);
    expect(() => net.call(wrong)).toThrow(/x must be \[N, 16, 16, 3\]/);
    expect(() => new DesignedNetwork({} as never)).toThrow(InvalidValueError);
    tf.dispose([x, wrong]);
    net.dispose();
  });
});
