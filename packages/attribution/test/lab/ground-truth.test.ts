import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, Rng, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { type LabDesign, createLabDesign, designedOutputs } from '../../src/lab/design';
import { generateDesignedData } from '../../src/lab/designed-data';
import { DesignedNetwork } from '../../src/lab/designed-network';
import { designedGroundTruth } from '../../src/lab/ground-truth';
import { PALETTE_COLOURS, paletteIndex, paletteRgb } from '../../src/lab/palette';

const S = 16;
const HW = S * S;

/** Target output of `net` on each image of `x` (`[B, H, W, 3]` flat) for unit `t`. */
async function targetOutputs(net: DesignedNetwork, images: Float32Array, t: number): Promise<Float32Array> {
  const b = images.length / (HW * 3);
  const x = tf.tensor4d(images, [b, S, S, 3]);
  const y = net.call(x);
  const k = y.shape[1] as number;
  const all = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return Float32Array.from({ length: b }, (_, i) => all[i * k + t]);
}

/**
 * The perturbation proof: for every pixel of a sample, a copy with only that pixel changed. A pixel
 * with ground truth 0 gets a random colour that unit t does not read (any such vertex or mid-grey);
 * a feature pixel is repainted with the background. Returns the outputs and the expected ones.
 */
async function proveByPerturbation(design: LabDesign, net: DesignedNetwork, seed: number, samples: number): Promise<void> {
  const data = generateDesignedData(design, samples, { seed });
  const rng = new Rng(seed);
  const bg = paletteRgb(design.background);
  for (let s = 0; s < samples; s++) {
    const t = design.task === 'classification' ? data.labels[s] : 0;
    const img = data.images.subarray(s * HW * 3, (s + 1) * HW * 3);
    const x = tf.tensor4d(img, [1, S, S, 3]);
    const gt = designedGroundTruth(design, x, { target: t, magnitude: true });
    const gtSign = designedGroundTruth(design, x, { target: t });
    const g = await gt.data();
    const gs = await gtSign.data();
    tf.dispose([x, gt, gtSign]);
    const w = design.units[t].colourWeights;
    const ignored: number[][] = [...PALETTE_COLOURS.filter((_, c) => w[c] === 0).map((c) => paletteRgb(c)), [0.5, 0.5, 0.5]];
    const batch = new Float32Array(HW * HW * 3);
    for (let p = 0; p < HW; p++) {
      batch.set(img, p * HW * 3);
      batch.set(g[p] === 0 ? ignored[rng.int(0, ignored.length)] : bg, (p * HW + p) * 3);
      expect(gs[p]).toBe(Math.sign(g[p]));
    }
    const [base] = await targetOutputs(net, img, t);
    const out = await targetOutputs(net, batch, t);
    let features = 0;
    for (let p = 0; p < HW; p++) {
      // gt 0: bit-for-bit unchanged; feature pixel: changes by exactly −gt (the pixel's weight)
      expect(out[p], `sample ${s} pixel ${p} gt ${g[p]}`).toBe(base - g[p]);
      if (g[p] !== 0) features++;
    }
    expect(features).toBeGreaterThan(0);
  }
}

describeBackends('designedGroundTruth', () => {
  it('is proven pixel by pixel on the classification network: 0-pixels changed to ignored colours leave the logit unchanged, feature pixels move it by exactly their weight', async () => {
    const design = createLabDesign({ imageSize: S });
    const net = new DesignedNetwork(design);
    await proveByPerturbation(design, net, 21, 3);
    net.dispose();
  });

  it('is proven pixel by pixel on the regression network (weights +2 red, +1 green, −1 cyan)', async () => {
    const design = createLabDesign({ task: 'regression', imageSize: S });
    const net = new DesignedNetwork(design);
    await proveByPerturbation(design, net, 8, 2);
    net.dispose();
  });

  it('is proven pixel by pixel with a black background and sharpness 3', async () => {
    const design = createLabDesign({ imageSize: S, inDistributionBaseline: true, sharpness: 3 });
    const net = new DesignedNetwork(design);
    await proveByPerturbation(design, net, 5, 2);
    net.dispose();
  });

  it('signs whole features: removing all pixels of a positive colour lowers the target output, of a negative colour raises it', async () => {
    const design = createLabDesign({ imageSize: S });
    const net = new DesignedNetwork(design);
    const data = generateDesignedData(design, 6, { seed: 13 });
    const bg = paletteIndex(design.background);
    for (let s = 0; s < 6; s++) {
      const t = data.labels[s];
      const img = data.images.subarray(s * HW * 3, (s + 1) * HW * 3);
      const [base] = await targetOutputs(net, img, t);
      for (const f of [...design.units[t].positive, ...design.units[t].negative]) {
        const c = paletteIndex(f.colour);
        if (data.counts[s * 8 + c] === 0) continue;
        const removed = Float32Array.from(img);
        const counts = Array.from(data.counts.subarray(s * 8, s * 8 + 8));
        for (let p = 0; p < HW; p++) if (data.colours[s * HW + p] === c) removed.set(paletteRgb(design.background), p * 3);
        counts[bg] += counts[c];
        counts[c] = 0;
        const [after] = await targetOutputs(net, removed, t);
        expect(after).toBe(designedOutputs(design, counts)[t]);
        const sign = design.units[t].colourWeights[c] > 0 ? -1 : 1;
        expect(Math.sign(after - base), `${f.colour} in sample ${s}`).toBe(sign);
      }
    }
    net.dispose();
  });

  it('is all zero for a class whose unit is inactive, and marks +red −cyan for the active class 0', async () => {
    const design = createLabDesign({ imageSize: S });
    const px = new Float32Array(HW * 3).fill(1);
    for (let p = 0; p < 10; p++) px.set([1, 0, 0], p * 3); // 10 red
    px.set([0, 1, 1], 100 * 3); // 1 cyan → e_0 = 9 > 5
    const x = tf.tensor4d(px, [1, S, S, 3]);
    const g0 = designedGroundTruth(design, x, { target: 0 });
    const g1 = designedGroundTruth(design, x, { target: 1 });
    const gDefault = designedGroundTruth(design, x);
    const v0 = await g0.data();
    expect(v0.slice(0, 11)).toEqual(Float32Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]));
    expect(v0[100]).toBe(-1);
    expect(Array.from(v0).reduce((a, b) => a + Math.abs(b), 0)).toBe(11);
    expect((await g1.data()).every((v) => v === 0)).toBe(true);
    expect(Array.from(await gDefault.data())).toEqual(Array.from(v0)); // default target: the predicted class
    expect(g0.shape).toEqual([1, S, S, 1]);
    tf.dispose([x, g0, g1, gDefault]);
  });

  it('returns one tensor and throws typed errors naming the argument, leaking nothing', async () => {
    const design = createLabDesign({ imageSize: S });
    const x = tf.ones([2, S, S, 3]);
    const g = await expectTensorDelta(() => designedGroundTruth(design, x, { target: [0, 1] }), 1);
    g.dispose();
    const grey = tf.fill([1, S, S, 3], 0.5);
    const small = tf.ones([1, 8, 8, 3]);
    await expect(expectTensorDelta(() => designedGroundTruth(design, grey))).rejects.toThrow(/images must hold palette colours only/);
    await expect(expectTensorDelta(() => designedGroundTruth(design, small))).rejects.toThrow(ShapeError);
    await expect(expectTensorDelta(() => designedGroundTruth(design, x, { target: 3 }))).rejects.toThrow(/target must be an integer in \[0, 3\)/);
    await expect(expectTensorDelta(() => designedGroundTruth(design, x, { target: [0] }))).rejects.toThrow(/one index per sample \(2\)/);
    await expect(expectTensorDelta(() => designedGroundTruth(design, x, { mode: 1 } as never))).rejects.toThrow(InvalidValueError);
    tf.dispose([x, grey, small]);
  });
});
