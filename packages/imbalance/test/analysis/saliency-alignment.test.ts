import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { GradCam, createMethod } from '@lab/attribution';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { saliencyAlignment } from '../../src/analysis/saliency-alignment';
import { describeBackends, expectTensorDelta } from '../fixtures/helpers';
import { ChannelMeanNet, sparseImage } from '../fixtures/models';

/**
 * Two 8×8 images with 2 channels. Grad-CAM of class c on ChannelMeanNet's `features` is channel c
 * divided by 64, so after ReLU and min–max the map of class c is channel c scaled to max 1.
 * - image 0: channel 0 peaks at (2, 2), inside its class-0 box [1, 4)²; channel 1 peaks at (6, 6),
 *   outside its class-1 box [0, 2)².
 * - image 1: channel 0 is 1 on the 2×2 block (5..6, 5..6), inside its class-0 box [4, 8)².
 */
function fixture(): { images: tf.Tensor4D; boxes: { x: number; y: number; width: number; height: number; label: number }[][] } {
  const images = sparseImage([2, 8, 8, 2], [
    [0, 2, 2, 0, 1],
    [0, 6, 6, 1, 3],
    [1, 5, 5, 0, 1],
    [1, 5, 6, 0, 1],
    [1, 6, 5, 0, 1],
    [1, 6, 6, 0, 1],
  ]);
  const boxes = [
    [
      { x: 1, y: 1, width: 3, height: 3, label: 0 },
      { x: 0, y: 0, width: 2, height: 2, label: 1 },
    ],
    [{ x: 4, y: 4, width: 4, height: 4, label: 0 }],
  ];
  return { images, boxes };
}

describeBackends('saliencyAlignment', () => {
  it('scores Grad-CAM per class: pointing game, IoBB/IoR/IoU mean ± std by hand', async () => {
    const model = new ChannelMeanNet();
    const { images, boxes } = fixture();
    const r = await expectTensorDelta(() => saliencyAlignment(new GradCam({ layer: 'features' }), model, images, boxes), 0);
    expect(r.pairs.map((p) => [p.image, p.label, p.hits, p.points])).toEqual([
      [0, 0, 1, 1],
      [0, 1, 0, 1],
      [1, 0, 4, 4], // four tied top pixels, all inside
    ]);
    const c0 = r.perClass[0];
    expect(c0.pairs).toBe(2);
    expect(c0.pointingGame).toBe(1); // (1 + 4)/(1 + 4)
    // image 0: |A ∩ B| = 1, |B| = 9 → 1/9; image 1: 4/16.
    expect(c0.iobb.mean).toBeCloseTo((1 / 9 + 1 / 4) / 2, 6);
    expect(c0.iobb.std).toBeCloseTo((1 / 4 - 1 / 9) / 2, 6);
    expect(c0.ior.mean).toBeCloseTo(1, 6);
    expect(c0.iouThresholded.mean).toBeCloseTo((1 / 9 + 1 / 4) / 2, 6);
    const c1 = r.perClass[1];
    expect([c1.pairs, c1.pointingGame, c1.iobb.mean, c1.iou.mean]).toEqual([1, 0, 0, 0]);
    expect(r.overall.pairs).toBe(3);
    expect(r.overall.pointingGame).toBe(5 / 6);
    tf.dispose(images);
    model.dispose();
  });

  it('gives the same result for every batchSize and accepts any attribution method (saliency)', async () => {
    const model = new ChannelMeanNet();
    const { images, boxes } = fixture();
    const whole = await saliencyAlignment(new GradCam({ layer: 'features' }), model, images, boxes, { batchSize: 16 });
    const single = await saliencyAlignment(new GradCam({ layer: 'features' }), model, images, boxes, { batchSize: 1 });
    expect(single).toEqual(whole);
    // |∂ mean(x_c)/∂x| is 1/64 on channel c where x_c > 0: the same peaks after min–max.
    const sal = await saliencyAlignment(createMethod('saliency'), model, images, boxes);
    expect(sal.pairs.map((p) => [p.hits, p.points])).toEqual(whole.pairs.map((p) => [p.hits, p.points]));
    tf.dispose(images);
    model.dispose();
  });

  it('reports classes without boxes as empty rows', async () => {
    const model = new ChannelMeanNet();
    const { images, boxes } = fixture();
    const r = await saliencyAlignment(new GradCam({ layer: 'features' }), model, images, [boxes[0].slice(0, 1), []], { classes: 2 });
    expect(r.perClass[1].pairs).toBe(0);
    expect(Number.isNaN(r.perClass[1].pointingGame)).toBe(true);
    tf.dispose(images);
    model.dispose();
  });

  it('rejects non-image input, mismatched boxes, a class count below the labels and methodOptions.target', async () => {
    const model = new ChannelMeanNet();
    const { images, boxes } = fixture();
    const cam = new GradCam({ layer: 'features' });
    const flat = tf.zeros([2, 8]);
    await expect(saliencyAlignment(cam, model, flat, boxes)).rejects.toThrow(ShapeError);
    await expect(saliencyAlignment(cam, model, images, boxes.slice(0, 1))).rejects.toThrow(/one list per image \(2\)/);
    await expect(saliencyAlignment(cam, model, images, boxes, { classes: 1 })).rejects.toThrow(/classes must exceed every box label/);
    await expect(saliencyAlignment(cam, model, images, boxes, { methodOptions: { target: 0 } })).rejects.toThrow(InvalidValueError);
    await expect(saliencyAlignment(cam, model, images, boxes, { topk: 2 } as never)).rejects.toThrow(/unknown option 'topk'/);
    tf.dispose([images, flat]);
    model.dispose();
  });
});
