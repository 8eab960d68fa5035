import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, Rng } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { CORRUPTIONS, CORRUPTION_SEVERITIES, corrupt } from '../../src/eval/corrupt';

describeBackends('corrupt', () => {
  it('contrast keeps each image-channel mean and scales deviations by c = 0.4 at severity 3', () => {
    const x = new Rng(1).uniformTensor([2, 5, 5, 2], 0.3, 0.7) as tf.Tensor4D;
    const y = corrupt(x, 'contrast', 3);
    const a = x.arraySync() as number[][][][];
    const b = y.arraySync() as number[][][][];
    for (let n = 0; n < 2; n++) {
      for (let c = 0; c < 2; c++) {
        let m = 0;
        for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) m += a[n][i][j][c] / 25;
        for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(b[n][i][j][c]).toBeCloseTo(m + 0.4 * (a[n][i][j][c] - m), 5);
      }
    }
    tf.dispose([x, y]);
  });

  it('blur at severity 5 (σ = 1) turns a centred impulse into the normalised Gaussian (truncated at 4σ)', () => {
    const size = 15;
    const data = new Float32Array(size * size);
    data[7 * size + 7] = 1;
    const x = tf.tensor4d(data, [1, size, size, 1]);
    const y = corrupt(x, 'gaussian-blur', 5);
    const v = y.dataSync();
    let z = 0;
    for (let t = -4; t <= 4; t++) z += Math.exp(-(t * t) / 2);
    for (const [dy, dx] of [[0, 0], [0, 1], [1, 1], [2, 0], [3, 2]]) {
      expect(v[(7 + dy) * size + 7 + dx]).toBeCloseTo(Math.exp(-(dx * dx + dy * dy) / 2) / (z * z), 6);
    }
    tf.dispose([x, y]);
  });

  it('noise has standard deviation c (0.1 at severity 5) on a mid-grey image, and is seeded', () => {
    const x = tf.fill([2, 30, 30, 1], 0.5) as tf.Tensor4D;
    const y = corrupt(x, 'gaussian-noise', 5, { seed: 3 });
    const v = Array.from(y.dataSync()).map((e) => e - 0.5);
    const sd = Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length);
    expect(sd).toBeGreaterThan(0.095); // 1800 draws
    expect(sd).toBeLessThan(0.105);
    const again = corrupt(x, 'gaussian-noise', 5, { seed: 3 });
    expect(Array.from(again.dataSync())).toEqual(Array.from(y.dataSync()));
    tf.dispose([x, y, again]);
  });

  it('uses the CIFAR-10-C table by default and the ImageNet-C one on request (contrast 0.05 at severity 5)', () => {
    expect(CORRUPTIONS).toEqual(['gaussian-noise', 'gaussian-blur', 'contrast']);
    expect(CORRUPTION_SEVERITIES.cifar['gaussian-noise']).toEqual([0.04, 0.06, 0.08, 0.09, 0.1]);
    const x = tf.tensor4d([0, 1], [1, 1, 2, 1]);
    const y = corrupt(x, 'contrast', 5, { preset: 'imagenet' });
    expect(Array.from(y.dataSync()).map((v) => +v.toFixed(6))).toEqual([0.475, 0.525]); // 0.5 ∓ 0.05·0.5
    tf.dispose([x, y]);
  });

  it('returns one new tensor and rejects unknown corruptions, severities outside 1–5 and options', async () => {
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const y = await expectTensorDelta(() => corrupt(x, 'gaussian-blur', 1), 1);
    expect(() => corrupt(x, 'fog' as never, 1)).toThrow(/corruption must be one of/);
    expect(() => corrupt(x, 'contrast', 6)).toThrow(InvalidValueError);
    expect(() => corrupt(x, 'contrast', 0)).toThrow(/severity must be a positive integer/);
    expect(() => corrupt(x, 'contrast', 1, { level: 2 } as never)).toThrow(/unknown option 'level'/);
    tf.dispose([x, y]);
  });
});
