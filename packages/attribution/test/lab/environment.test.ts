import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { AttributionLab } from '../../src/lab/environment';

describeBackends('AttributionLab', () => {
  it('samples images, labels, targets and signed ground truth whose network argmax is the label', async () => {
    const env = new AttributionLab({ imageSize: 16 });
    const s = await expectTensorDelta(() => env.sample(6, { seed: 2 }), 2); // images + groundTruth
    expect(s.images.shape).toEqual([6, 16, 16, 3]);
    expect(s.groundTruth.shape).toEqual([6, 16, 16, 1]);
    expect(s.labels).toEqual([0, 1, 2, 0, 1, 2]);
    expect(s.target).toEqual([0, 1, 2, 0, 1, 2]);
    const y = env.network.call(s.images);
    const logits = await y.array() as number[][];
    logits.forEach((l, i) => expect(l.indexOf(Math.max(...l))).toBe(s.labels[i]));
    const g = env.groundTruth(s.images, { target: s.target });
    expect(Array.from(await g.data())).toEqual(Array.from(await s.groundTruth.data()));
    const gt = await s.groundTruth.data();
    expect(gt.some((v) => v > 0) && gt.some((v) => v < 0)).toBe(true);
    tf.dispose([s.images, s.groundTruth, y, g]);
    env.dispose();
  });

  it('has target undefined and exact labels for regression', async () => {
    const env = new AttributionLab({ task: 'regression', imageSize: 16 });
    const s = env.sample(3, { seed: 1 });
    expect(s.target).toBeUndefined();
    const y = env.network.call(s.images);
    expect(Array.from(await y.data())).toEqual([...s.labels]);
    tf.dispose([s.images, s.groundTruth, y]);
    env.dispose();
  });

  it('makes the zero baseline in-distribution with inDistributionBaseline: black is the background, the black image gives logits 0', async () => {
    const off = new AttributionLab({ imageSize: 16 });
    const on = new AttributionLab({ imageSize: 16, inDistributionBaseline: true });
    expect(off.baselines).toEqual({ black: 0, grey: 0.5, background: 1 });
    expect(on.baselines).toEqual({ black: 0, grey: 0.5, background: 0 });
    const dOff = off.generate(4, { seed: 0 });
    const dOn = on.generate(4, { seed: 0 });
    expect(dOff.colours.includes(0)).toBe(false); // black never occurs on white
    expect(dOn.colours.filter((c) => c === 0).length).toBeGreaterThan(dOn.colours.length / 2); // black is the background
    const black = tf.zeros([1, 16, 16, 3]);
    const y = on.network.call(black);
    expect(Array.from(await y.data())).toEqual([0, 0, 0]);
    // the black image is a designed image of the in-distribution variant: its ground truth exists (all 0)
    const g = on.groundTruth(black);
    expect((await g.data()).every((v) => v === 0)).toBe(true);
    tf.dispose([black, y, g]);
    off.dispose();
    on.dispose();
  });

  it('allocates exactly its 10 network variables and frees them on dispose', async () => {
    const env = await expectTensorDelta(() => new AttributionLab({ imageSize: 16 }), 10); // 5 layers × (weight, bias)
    await expectTensorDelta(() => env.dispose(), -10);
  });

  it('throws InvalidValueError for unknown options and bad sample ranges', () => {
    expect(() => new AttributionLab({ size: 16 } as never)).toThrow(/unknown option 'size'/);
    const env = new AttributionLab({ imageSize: 16 });
    expect(() => env.sample(2, { seeds: 1 } as never)).toThrow(InvalidValueError);
    const data = env.generate(2);
    expect(() => env.toSample(data, 1, 3)).toThrow(/range must satisfy/);
    env.dispose();
  });
});
