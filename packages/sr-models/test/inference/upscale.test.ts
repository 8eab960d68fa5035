import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, InvalidValueError, Module, PixelShuffle, ReLU, Rng, ShapeError } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/inference/abort-error';
import { planAxis, upscale, type UpscaleOptions } from '../../src/inference/upscale';
import { describeBackends, expectTensorDelta, useBackend } from '../../../tensor/test/helpers';

/** ×2 net: conv3×3 3→F, ReLU, conv3×3 F→12, PixelShuffle(2). Receptive-field radius 2 LR pixels. */
class TinySr extends Module<[tf.Tensor4D], tf.Tensor4D> {
  readonly conv1: Conv2d;
  readonly act = this.registerModule('act', new ReLU());
  readonly conv2: Conv2d;
  readonly up = this.registerModule('up', new PixelShuffle(2));
  constructor(features = 8, seed = 1) {
    super();
    const rng = new Rng(seed);
    this.conv1 = this.registerModule('conv1', new Conv2d(3, features, 3, { padding: 1, rng }));
    this.conv2 = this.registerModule('conv2', new Conv2d(features, 12, 3, { padding: 1, rng }));
  }
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return this.up.call(this.conv2.call(this.act.call(this.conv1.call(x)))) as tf.Tensor4D;
  }
}

/** Nearest-neighbour ×2 as a fixed 1×1 conv (each channel copied to its 4 sub-pixels) + PixelShuffle. */
class Nearest2 extends Module<[tf.Tensor4D], tf.Tensor4D> {
  readonly conv = this.registerModule('conv', new Conv2d(3, 12, 1, { bias: false }));
  readonly up = this.registerModule('up', new PixelShuffle(2));
  constructor() {
    super();
    // PyTorch channel order of PixelShuffle: output channel c·4 + k reads input channel c.
    const w = new Float32Array(3 * 12);
    for (let c = 0; c < 3; c++) for (let k = 0; k < 4; k++) w[c * 12 + c * 4 + k] = 1; // HWIO [1,1,3,12]
    this.conv.weight.assign(tf.tensor4d(w, [1, 1, 3, 12]));
  }
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return this.up.call(this.conv.call(x)) as tf.Tensor4D;
  }
}

const randomImage = (h: number, w: number, seed = 3) => {
  const rng = new Rng(seed);
  return tf.tensor3d(rng.uniform(h * w * 3), [h, w, 3]);
};

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('planAxis', () => {
  it('n=50 tile=16 overlap=2: equal windows of 20, cores tiling [0, 50) with ≥ 2 px context inside the image', () => {
    const { window, spans } = planAxis(50, 16, 2);
    expect(window).toBe(20);
    expect(spans.map((s) => [s.start, s.core0, s.core1])).toEqual([
      [0, 0, 16],
      [14, 16, 32],
      [30, 32, 48],
      [30, 48, 50],
    ]);
  });
});

describeBackends('upscale', () => {
  it('x=[5,7,3] Nearest2: whole image equals nearest-neighbour ×2 exactly', async () => {
    const model = new Nearest2();
    const x = randomImage(5, 7);
    const y = await expectTensorDelta(() => upscale(model, x, { scale: 2 }), 1);
    expect(y.shape).toEqual([10, 14, 3]);
    const expected = tf.tidy(() => tf.squeeze(tf.image.resizeNearestNeighbor(tf.expandDims(x, 0) as tf.Tensor4D, [10, 14]), [0]));
    expect(maxAbsDiff(y, expected)).toBe(0);
    tf.dispose([x, y, expected]);
    model.dispose();
  });

  it('x=[1,37,50,3] tile=16 overlap=2 (≥ receptive radius 2): tiled equals whole-image within 1e-5', async () => {
    const model = new TinySr();
    const x3 = randomImage(37, 50);
    const x = tf.expandDims(x3, 0) as tf.Tensor4D;
    x3.dispose();
    const whole = await upscale(model, x, { scale: 2 });
    const tiled = await expectTensorDelta(() => upscale(model, x, { scale: 2, tile: 16, overlap: 2 }), 1);
    expect(tiled.shape).toEqual([1, 74, 100, 3]);
    expect(maxAbsDiff(tiled, whole)).toBeLessThan(1e-5);
    // Sensitivity: without overlap the seams differ.
    const seams = await upscale(model, x, { scale: 2, tile: 16, overlap: 0 });
    expect(maxAbsDiff(seams, whole)).toBeGreaterThan(1e-3);
    tf.dispose([x, whole, tiled, seams]);
    model.dispose();
  });

  it('x=[23,31,3] tile=8 overlap=3: batchSize 1, 4 and 16 give the same output', async () => {
    const model = new TinySr();
    const x = randomImage(23, 31);
    const outs = [];
    for (const batchSize of [1, 4, 16]) outs.push(await upscale(model, x, { scale: 2, tile: 8, overlap: 3, batchSize }));
    expect(maxAbsDiff(outs[1], outs[0])).toBeLessThan(1e-6);
    expect(maxAbsDiff(outs[2], outs[0])).toBeLessThan(1e-6);
    tf.dispose([x, ...outs]);
    model.dispose();
  });

  it('reports progress after every batch: 12 tiles in batches of 5 → (5,12), (10,12), (12,12)', async () => {
    const model = new Nearest2();
    const x = randomImage(30, 40);
    const calls: [number, number][] = [];
    const y = await upscale(model, x, { scale: 2, tile: 10, overlap: 1, batchSize: 5, onProgress: (d, n) => calls.push([d, n]) });
    expect(calls).toEqual([
      [5, 12],
      [10, 12],
      [12, 12],
    ]);
    const whole: [number, number][] = [];
    const z = await upscale(model, x, { scale: 2, onProgress: (d, n) => whole.push([d, n]) });
    expect(whole).toEqual([[1, 1]]);
    tf.dispose([x, y, z]);
    model.dispose();
  });

  it('rejects with AbortError and frees everything when aborted mid-run or before starting', async () => {
    const model = new TinySr();
    const x = randomImage(40, 40);
    const controller = new AbortController();
    const run = expectTensorDelta(
      () => upscale(model, x, { scale: 2, tile: 8, overlap: 2, signal: controller.signal, onProgress: (d) => d === 3 && controller.abort(new Error('user')) }),
      0,
    );
    await expect(run).rejects.toThrow(AbortError);
    await expect(run).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED', cause: new Error('user') });
    const pre = new AbortController();
    pre.abort();
    await expect(expectTensorDelta(() => upscale(model, x, { scale: 2, signal: pre.signal }))).rejects.toThrow(/upscale: aborted/);
    tf.dispose(x);
    model.dispose();
  });

  it('rejects bad input rank, batch, NaN, wrong model scale and bad options by class, allocating nothing', async () => {
    const model = new Nearest2();
    const x = randomImage(6, 6);
    const batch2 = tf.zeros([2, 6, 6, 3]) as tf.Tensor4D;
    const rank2 = tf.zeros([6, 6]);
    const nan = tf.tensor3d([0, NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [2, 2, 3]);
    const reject = (p: () => Promise<unknown>) => expect(expectTensorDelta(p)).rejects;
    await reject(() => upscale(model, rank2 as never, { scale: 2 })).toThrow(ShapeError);
    await reject(() => upscale(model, batch2, { scale: 2 })).toThrow(/\[1, H, W, C\]/);
    await reject(() => upscale(model, nan, { scale: 2 })).toThrow(InvalidValueError);
    await reject(() => upscale(model, nan, { scale: 2 })).toThrow(/got NaN at \[0, 0, 1\]/);
    await reject(() => upscale(model, x, { scale: 3 })).toThrow(/model output must be \[1, 18, 18, C\]/);
    await reject(() => upscale(model, x, { scale: 3, tile: 2, overlap: 1 })).toThrow(ShapeError);
    await reject(() => upscale(model, x, { scale: 2, tile: 0 })).toThrow(/tile must be an integer >= 1/);
    await reject(() => upscale(model, x, { scale: 2, overlap: -1 })).toThrow(/overlap/);
    await reject(() => upscale(model, x, { scale: 2, padding: 4 } as never)).toThrow(/unknown option 'padding'/);
    await reject(() => upscale(model, x, {} as never)).toThrow(/scale must be an integer >= 1/);
    tf.dispose([x, batch2, nan, rank2]);
    model.dispose();
  });
});

describe('upscale memory', () => {
  it('[slow] x=[512,512,3] tile=64: peak tensor bytes well under half of the whole-image run', async () => {
    await useBackend('cpu');
    const model = new TinySr(16);
    const x = randomImage(512, 512);
    const base = tf.memory().numBytes; // weights + input, present in both runs
    /** Peak of tf.memory().numBytes during one run: kernel snapshots (tf.profile) and the returned tensor. */
    const peakAboveBase = async (options: UpscaleOptions) => {
      let afterReturn = 0;
      // tf.profile returns the engine's one shared profile object: read peakBytes before the next call.
      const { peakBytes } = await tf.profile(async () => {
        const y = await upscale(model, x, options);
        afterReturn = tf.memory().numBytes; // the tiled output is made by tf.tensor, not by a kernel
        y.dispose();
      });
      return Math.max(peakBytes, afterReturn) - base;
    };
    const whole = await peakAboveBase({ scale: 2 });
    const tiled = await peakAboveBase({ scale: 2, tile: 64, overlap: 2 });
    const outBytes = 1024 * 1024 * 3 * 4; // the [1024, 1024, 3] float32 result
    // Whole image: 512² maps of 16 + 16 (bias add) + 16 (ReLU) + 12 channels plus the output (measured 87.0 MB).
    // Tiled: the assembled output plus one 68² window's activations (measured 12.6 MB: the output alone).
    console.log(`peak tensor bytes above the baseline: whole image ${whole}, tile 64: ${tiled}`);
    expect(tiled).toBeLessThan(0.5 * whole);
    expect(tiled).toBeLessThan(outBytes + 2 * 1024 * 1024);
    tf.dispose(x);
    model.dispose();
  });
});
