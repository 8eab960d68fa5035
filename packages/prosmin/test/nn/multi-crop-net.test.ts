import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, Rng } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { DinoHead } from '../../src/nn/dino-head';
import { MultiCropNet } from '../../src/nn/multi-crop-net';
import { SmallConvNet } from '../../src/nn/small-convnet';

function net(): MultiCropNet {
  const rng = new Rng(0);
  return new MultiCropNet(new SmallConvNet({ widths: [4, 8], rng }), new DinoHead(8, 5, { hiddenDim: 6, bottleneckDim: 3, rng }));
}

describeBackends('MultiCropNet', () => {
  it('runs the backbone once per run of equal-size views: [12,12,6,6] → batches of 2n and 2n', () => {
    const m = net();
    const sizes: number[] = [];
    m.backbone.registerForwardHook((_mod, inputs) => void sizes.push((inputs[0] as tf.Tensor).shape[0]));
    const views = [12, 12, 6, 6].map((s, i) => new Rng(i).uniformTensor([3, s, s, 1]));
    const y = tf.tidy(() => m.call(views));
    expect(y.shape).toEqual([12, 5]);
    expect(sizes).toEqual([6, 6]);
    tf.dispose([y, ...views]);
    m.dispose();
  });

  it('equals head(backbone(view)) per view, in view order, in eval mode', () => {
    const m = net().eval();
    const views = [10, 6].map((s, i) => new Rng(10 + i).uniformTensor([2, s, s, 1]));
    const all = tf.tidy(() => m.call(views).arraySync() as number[][]);
    views.forEach((v, k) => {
      const one = tf.tidy(() => m.head.call(m.backbone.call(v)).arraySync() as number[][]);
      one.forEach((row, i) => row.forEach((x, j) => expect(x).toBeCloseTo(all[2 * k + i][j], 5)));
    });
    tf.dispose(views);
    m.dispose();
  });

  it('returns one new tensor and rejects an empty list or unequal batch sizes', async () => {
    const m = net();
    const a = tf.ones([2, 8, 8, 1]);
    const b = tf.ones([3, 8, 8, 1]);
    const y = await expectTensorDelta(() => m.call([a]), 1);
    expect(() => m.call([])).toThrow(InvalidValueError);
    expect(() => m.call([a, b])).toThrow(/share one batch size/);
    tf.dispose([a, b, y]);
    m.dispose();
  });
});
