import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, UnknownNameError } from '@lab/tensor';
import { countConcepts } from '../../src/analysis/count-concepts';
import { describeBackends, expectTensorDelta } from '../fixtures/helpers';
import { ChannelMeanNet, PooledNet, sparseImage } from '../fixtures/models';

/**
 * Two 6×6 images, 2 units (channels) seen through ChannelMeanNet's ReLU `features`:
 * - unit 0: image 0 has two separate pixels (1, 1) and (4, 4); image 1 nothing;
 * - unit 1: image 1 has the diagonal pair (2, 2), (3, 3); image 0 nothing.
 * With q = 0.9 each unit's quantile over its 72 pixels is 0, its floor, so exactly the non-zero
 * pixels are active.
 */
function fixture(): tf.Tensor4D {
  return sparseImage([2, 6, 6, 2], [
    [0, 1, 1, 0, 1],
    [0, 4, 4, 0, 1],
    [1, 2, 2, 1, 1],
    [1, 3, 3, 1, 1],
  ]);
}
const WHOLE = (label: number) => [{ x: 0, y: 0, width: 6, height: 6, label }];

describeBackends('countConcepts', () => {
  it('counts blobs per unit inside the boxes: 8-connectivity [2, 1], 4-connectivity [2, 2], units [1, 1]', async () => {
    const model = new ChannelMeanNet();
    const x = fixture();
    const boxes = [WHOLE(0), WHOLE(1)];
    const r = await expectTensorDelta(() => countConcepts(model, 'features', x, boxes, { quantile: 0.9 }), 0);
    expect(r.thresholds).toEqual([0, 0]);
    expect(r.perImage).toEqual([2, 1]); // diagonal pair joined by 8-connectivity
    expect((await countConcepts(model, 'features', x, boxes, { quantile: 0.9, connectivity: 4 })).perImage).toEqual([2, 2]);
    expect((await countConcepts(model, 'features', x, boxes, { quantile: 0.9, countDisjoint: false })).perImage).toEqual([1, 1]);
    expect(r.perClass).toEqual([
      { images: 1, min: 2, max: 2, mean: 2, std: 0 },
      { images: 1, min: 1, max: 1, mean: 1, std: 0 },
    ]);
    expect(r.overall).toEqual({ images: 2, min: 1, max: 2, mean: 1.5, std: 0.5 });
    tf.dispose(x);
    model.dispose();
  });

  it('keeps only blobs inside the union of the boxes, and all of them without boxes', async () => {
    const model = new ChannelMeanNet();
    const x = fixture();
    const boxes = [[{ x: 0, y: 0, width: 3, height: 3, label: 0 }], WHOLE(1)]; // holds (1, 1), not (4, 4)
    expect((await countConcepts(model, 'features', x, boxes, { quantile: 0.9 })).perImage).toEqual([1, 1]);
    expect((await countConcepts(model, 'features', x, boxes, { quantile: 0.9, withBoxes: false })).perImage).toEqual([2, 1]);
    tf.dispose(x);
    model.dispose();
  });

  it('thresholds at the q-quantile: values 1…36 of one unit with q = 0.5 keep the 18 above 18.5', async () => {
    const model = new ChannelMeanNet();
    const entries: [number, number, number, number, number][] = [];
    for (let p = 0; p < 36; p++) entries.push([0, Math.floor(p / 6), p % 6, 0, p + 1]);
    const x = sparseImage([1, 6, 6, 1], entries);
    // Sorted 1…36: position 0.5·35 = 17.5 → 18.5. The 18 values 19…36 fill rows 3–5: one blob.
    const r = await countConcepts(model, 'features', x, [WHOLE(0)], { quantile: 0.5 });
    expect(r.thresholds).toEqual([18.5]);
    expect(r.perImage).toEqual([1]);
    tf.dispose(x);
    model.dispose();
  });

  it('upsamples a half-resolution layer and gives the same counts for every batchSize', async () => {
    const model = new PooledNet();
    const x = fixture();
    const boxes = [WHOLE(0), WHOLE(1)];
    const a = await expectTensorDelta(() => countConcepts(model, 'pool', x, boxes, { quantile: 0.95, batchSize: 1 }), 0);
    const b = await countConcepts(model, 'pool', x, boxes, { quantile: 0.95, batchSize: 2 });
    expect(a).toEqual(b);
    expect(a.perImage.every((v) => v >= 1)).toBe(true); // each image has a unit with a blob
    tf.dispose(x);
    model.dispose();
  });

  it('rejects an unknown layer listing the valid ones, a quantile of 1 and a connectivity of 6', async () => {
    const model = new ChannelMeanNet();
    const x = fixture();
    const boxes = [WHOLE(0), WHOLE(1)];
    await expect(countConcepts(model, 'layer3', x, boxes)).rejects.toThrow(UnknownNameError);
    await expect(countConcepts(model, 'layer3', x, boxes)).rejects.toThrow(/valid: features/);
    await expect(countConcepts(model, 'features', x, boxes, { quantile: 1 })).rejects.toThrow(/quantile must be a finite number > 0 and < 1/);
    await expect(countConcepts(model, 'features', x, boxes, { connectivity: 6 as never })).rejects.toThrow(InvalidValueError);
    tf.dispose(x);
    model.dispose();
  });
});
