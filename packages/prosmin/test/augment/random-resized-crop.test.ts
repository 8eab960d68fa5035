import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, Rng, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { RANDOM_RESIZED_CROP_DEFAULTS, cropBoxes, randomResizedCrop } from '../../src/augment/random-resized-crop';

describeBackends('randomResizedCrop', () => {
  it('returns the image itself for scale [1,1], ratio [1,1] and the input size', () => {
    const x = new Rng(1).uniformTensor([2, 9, 9, 1]) as tf.Tensor4D;
    const y = randomResizedCrop(x, 9, { scale: [1, 1], ratio: [1, 1], rng: new Rng(0) });
    const a = x.dataSync();
    y.dataSync().forEach((v, i) => expect(v).toBeCloseTo(a[i], 5));
    tf.dispose([x, y]);
  });

  it('draws boxes with area fraction in the scale range (up to rounding) and inside the image', () => {
    const rng = new Rng(3);
    const boxes = cropBoxes(500, 28, 28, [0.2, 0.5], [3 / 4, 4 / 3], rng);
    for (let k = 0; k < 500; k++) {
      const [y1, x1, y2, x2] = Array.from(boxes.slice(4 * k, 4 * k + 4)).map((v) => v * 27);
      expect(y1).toBeGreaterThanOrEqual(-1e-4);
      expect(y2).toBeLessThanOrEqual(27 + 1e-4);
      const area = ((y2 - y1 + 1) * (x2 - x1 + 1)) / (28 * 28);
      expect(area).toBeGreaterThan(0.2 * 0.75); // rounding of w and h by ≤ ½ px each
      expect(area).toBeLessThan(0.5 * 1.25);
    }
  });

  it('keeps a constant image constant and is reproducible from the seed', () => {
    const x = tf.fill([3, 10, 10, 1], 0.3) as tf.Tensor4D;
    const y = randomResizedCrop(x, 6, { rng: new Rng(5) });
    expect(y.shape).toEqual([3, 6, 6, 1]);
    y.dataSync().forEach((v) => expect(v).toBeCloseTo(0.3, 6));
    const img = new Rng(8).uniformTensor([2, 10, 10, 1]) as tf.Tensor4D;
    const a = randomResizedCrop(img, 6, { rng: new Rng(5) });
    const b = randomResizedCrop(img, 6, { rng: new Rng(5) });
    const c = randomResizedCrop(img, 6, { rng: new Rng(6) });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    tf.dispose([x, y, img, a, b, c]);
  });

  it('returns one new tensor and rejects bad ranges, tiny images and unknown options', async () => {
    const x = tf.ones([1, 8, 8, 1]) as tf.Tensor4D;
    const y = await expectTensorDelta(() => randomResizedCrop(x, 4, { rng: new Rng(0) }), 1);
    await expectTensorDelta(() => expect(() => randomResizedCrop(x, 4, { scale: [0.5, 0.2] })).toThrow(InvalidValueError));
    expect(() => randomResizedCrop(x, 4, { scale: [0, 0] })).toThrow(/positive area/);
    const tiny = tf.ones([1, 1, 4, 1]) as tf.Tensor4D;
    expect(() => randomResizedCrop(tiny, 4)).toThrow(ShapeError);
    expect(() => randomResizedCrop(x, 4, { size: 2 } as never)).toThrow(/unknown option 'size'/);
    expect(RANDOM_RESIZED_CROP_DEFAULTS.scale).toEqual([0.08, 1]);
    tf.dispose([x, y, tiny]);
  });
});
