import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Conv2d, InvalidValueError, Module, NotAvailableError, ReLU, Rng, ShapeError, UnknownNameError } from '@lab/tensor';
import { describeBackends, expectTensorDelta, maxRelError } from '../../../tensor/test/helpers';
import { GradCam } from '../../src/methods/grad-cam';
import { GapNet, randomInput } from '../fixtures/gradient-models';

/** CAM / Z by hand: Σ_k W[k, c]·A^k / (h·w), with A the 'features' output `[N, h, w, K]`. */
function camOverZ(model: GapNet, x: tf.Tensor, classes: number[]): tf.Tensor {
  return tf.tidy(() => {
    const a = model.features.call(model.conv.call(x)) as tf.Tensor4D;
    const z = a.shape[1] * a.shape[2];
    const w = tf.transpose(tf.gather(model.fc.weight, classes, 1)); // [N, K]
    return tf.div(tf.sum(tf.mul(a, tf.reshape(w, [classes.length, 1, 1, -1])), 3, true), z);
  });
}

/** The GapNet layout with a stride-2 convolution, so the map (3×3) is smaller than the input (6×6). */
class StridedGapNet extends GapNet {
  override readonly conv: Conv2d;
  constructor() {
    super(5);
    this.conv = new Conv2d(3, 4, 3, { padding: 1, stride: 2, rng: new Rng(5) });
  }
}

/** A ReLU module applied twice. */
class Twice extends Module {
  readonly act = this.registerModule('act', new ReLU());
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sum(tf.reshape(this.act.call(this.act.call(x)), [x.shape[0], -1]), 1, true));
  }
}

describeBackends('GradCam', () => {
  it('equals CAM/Z for a GAP + linear head (α_k = W_kc/Z)', async () => {
    const model = new GapNet(3);
    const x = randomInput([2, 6, 6, 3], 71);
    const { attributions, zeroMaps } = await new GradCam({ layer: 'features', upsample: false }).attribute(model, x, { target: [0, 2] });
    const expected = camOverZ(model, x, [0, 2]); // spec §6 "Grad-CAM = CAM/Z"
    expect(attributions.shape).toEqual([2, 6, 6, 1]);
    expect(maxRelError(await attributions.data(), await expected.data())).toBeLessThan(1e-4);
    expect(zeroMaps).toEqual([false, false]);
    tf.dispose([x, attributions, expected]);
    model.dispose();
  });

  it('upsamples a 3×3 map to the 6×6 input: nearest repeats each value over 2×2 pixels', async () => {
    const model = new StridedGapNet();
    const x = randomInput([1, 6, 6, 3], 72);
    const small = await new GradCam({ layer: 'features', upsample: false }).attribute(model, x, { target: 1 });
    const near = await new GradCam({ layer: 'features', interpolation: 'nearest' }).attribute(model, x, { target: 1 });
    const bil = await new GradCam({ layer: 'features' }).attribute(model, x, { target: 1 });
    expect(small.attributions.shape).toEqual([1, 3, 3, 1]);
    expect(near.attributions.shape).toEqual([1, 6, 6, 1]);
    expect(bil.attributions.shape).toEqual([1, 6, 6, 1]);
    const s = await small.attributions.data();
    const n = await near.attributions.data();
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) expect(n[i * 6 + j]).toBeCloseTo(s[Math.floor(i / 2) * 3 + Math.floor(j / 2)], 6);
    // Bilinear with half-pixel centres: output pixel (0.5 + i)/2 − 0.5 in map coordinates; pixel 1 sits at 0.25 between map cells 0 and 1.
    const b = await bil.attributions.data();
    expect(b[1]).toBeCloseTo(0.75 * s[0] + 0.25 * s[1], 5);
    expect(b[0]).toBeCloseTo(s[0], 5); // clamped at the border
    tf.dispose([x, small.attributions, near.attributions, bil.attributions]);
    model.dispose();
  });

  it('gives zeros, no NaN and zeroMaps=true for an all-≤0 map with relu and normalize', async () => {
    const model = new GapNet(4);
    // Negative class-0 weights on non-negative (post-ReLU) activations: α_k < 0, map ≤ 0 everywhere.
    tf.tidy(() => model.fc.weight.assign(tf.neg(tf.abs(model.fc.weight))));
    const x = randomInput([1, 6, 6, 3], 73);
    const signed = await new GradCam({ layer: 'features' }).attribute(model, x, { target: 0 });
    expect(Math.max(...(await signed.attributions.data()))).toBeLessThanOrEqual(0);
    expect(Math.min(...(await signed.attributions.data()))).toBeLessThan(0);
    const rect = await new GradCam({ layer: 'features', relu: true, normalize: true }).attribute(model, x, { target: 0 });
    const values = await rect.attributions.data();
    expect(values.every((v) => v === 0)).toBe(true); // guarded 0/0
    expect(rect.zeroMaps).toEqual([true]);
    tf.dispose([x, signed.attributions, rect.attributions]);
    model.dispose();
  });

  it('scales each map to max |value| = 1 with normalize', async () => {
    const model = new GapNet(6);
    const x = randomInput([2, 6, 6, 3], 74);
    const { attributions } = await new GradCam({ layer: 'features', normalize: true }).attribute(model, x, { target: 1 });
    const peaks = await tf.tidy(() => tf.max(tf.abs(tf.reshape(attributions, [2, -1])), 1)).data();
    expect(Array.from(peaks)).toEqual([1, 1].map((v) => expect.closeTo(v, 6)));
    tf.dispose([x, attributions]);
    model.dispose();
  });

  it('gives the same result for batchSize 1 and 3 and leaves numTensors unchanged but the result', async () => {
    const model = new GapNet(7);
    const x = randomInput([3, 6, 6, 3], 75);
    const cam = new GradCam({ layer: 'features' });
    const r1 = await expectTensorDelta(() => cam.attribute(model, x, { target: [0, 1, 2], batchSize: 1 }), 1);
    const r3 = await cam.attribute(model, x, { target: [0, 1, 2], batchSize: 3 });
    expect(maxRelError(await r1.attributions.data(), await r3.attributions.data())).toBeLessThan(1e-5);
    tf.dispose([x, r1.attributions, r3.attributions]);
    model.dispose();
  });

  it('rejects plain functions, unknown layers, non-NHWC layers and reused layers with typed errors, leaking nothing', async () => {
    const model = new GapNet(8);
    const x = randomInput([1, 6, 6, 3], 76);
    expect(() => new GradCam({} as never)).toThrow(/layer must be a non-empty dotted module name/);
    expect(() => new GradCam({ layer: 'features', reluAttributions: true } as never)).toThrow(/unknown option 'reluAttributions'/);
    const cam = new GradCam({ layer: 'features' });
    await expect(expectTensorDelta(() => cam.attribute((t: tf.Tensor) => tf.sum(t, [1, 2]), x, { target: 0 }))).rejects.toThrow(NotAvailableError);
    const unknown = expectTensorDelta(() => new GradCam({ layer: 'feature' }).attribute(model, x, { target: 0 }));
    await expect(unknown).rejects.toThrow(UnknownNameError);
    await expect(new GradCam({ layer: 'feature' }).attribute(model, x, { target: 0 })).rejects.toThrow(/valid: conv, fc, features, gap/);
    await expect(expectTensorDelta(() => new GradCam({ layer: 'fc', upsample: false }).attribute(model, x, { target: 0 }))).rejects.toThrow(ShapeError);
    const twice = new Twice();
    await expect(expectTensorDelta(() => new GradCam({ layer: 'act' }).attribute(twice, x))).rejects.toThrow(InvalidValueError);
    await expect(new GradCam({ layer: 'act' }).attribute(twice, x)).rejects.toThrow(/called exactly once per forward pass, got 2/);
    const flat = tf.zeros([1, 4]);
    await expect(expectTensorDelta(() => cam.attribute(model, flat, { target: 0 }))).rejects.toThrow(/NHWC image batch/);
    tf.dispose([x, flat]);
    model.dispose();
  });
});
