import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, Rng } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { MULTI_CROP_DEFAULTS, multiCrop } from '../../src/augment/multi-crop';

describeBackends('multiCrop', () => {
  it('makes 2 global views at the input size and L local views at round(28·96/224) = 12 px', () => {
    const x = new Rng(1).uniformTensor([3, 28, 28, 1]) as tf.Tensor4D;
    const { globals, locals } = multiCrop(x, { localCrops: 3, rng: new Rng(0) });
    expect(globals.map((g) => g.shape)).toEqual([[3, 28, 28, 1], [3, 28, 28, 1]]);
    expect(locals.map((l) => l.shape)).toEqual([[3, 12, 12, 1], [3, 12, 12, 1], [3, 12, 12, 1]]);
    expect(Array.from(globals[0].dataSync())).not.toEqual(Array.from(globals[1].dataSync()));
    tf.dispose([x, ...globals, ...locals]);
  });

  it('is reproducible from the generator seed', () => {
    const x = new Rng(2).uniformTensor([2, 16, 16, 3]) as tf.Tensor4D;
    const a = multiCrop(x, { localCrops: 1, localSize: 8, rng: new Rng(4) });
    const b = multiCrop(x, { localCrops: 1, localSize: 8, rng: new Rng(4) });
    [...a.globals, ...a.locals].forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from([...b.globals, ...b.locals][i].dataSync())));
    tf.dispose([x, ...a.globals, ...a.locals, ...b.globals, ...b.locals]);
  });

  it('returns exactly 2 + L new tensors, and rejects unknown options and bad probabilities', async () => {
    const x = tf.ones([2, 12, 12, 1]) as tf.Tensor4D;
    const views = await expectTensorDelta(() => multiCrop(x, { localCrops: 2, rng: new Rng(0) }), 4);
    tf.dispose([...views.globals, ...views.locals]);
    await expectTensorDelta(() => expect(() => multiCrop(x, { localCrop: 2 } as never)).toThrow(InvalidValueError));
    expect(() => multiCrop(x, { blurProbabilities: [1, 0.1] as never })).toThrow(/blurProbabilities must be/);
    expect(() => multiCrop(x, { solarizeProbability: 2 })).toThrow(/solarizeProbability must be a finite number in \[0, 1\]/);
    expect(MULTI_CROP_DEFAULTS.localCrops).toBe(16);
    expect(MULTI_CROP_DEFAULTS.blurProbabilities).toEqual([1, 0.1, 0.5]);
    x.dispose();
  });
});
