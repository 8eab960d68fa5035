import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { expect, it } from 'vitest';
import { generateGazeData } from '../../src/data/generate-gaze-data';
import { meanEuclideanError } from '../../src/metrics/mean-euclidean-error';
import { TinyTracker } from '../../src/models/tinytracker/tinytracker';
import { quantizeModel } from '../../src/quant/quantize-model';
import { evaluateGazeError, trainGazeModel } from '../../src/train/train-gaze-model';
import { describeBackends, expectTensorDelta } from '../helpers';

const SLOW_CPU = { cpu: 'training on the cpu backend is ~10× slower; the same code path runs on wasm' };

describeBackends(
  'trainGazeModel',
  () => {
    it('reports MSE of output·30 against cm as the epoch loss (one full batch, lr ≈ 0)', async () => {
      const net = new TinyTracker({ inputSize: 32 });
      const d = generateGazeData(6, { seed: 1, size: 32 });
      try {
        net.train();
        const want = tf.tidy(() => tf.losses.meanSquaredError(d.gazeCm, tf.mul(net.call(d.images), 30)).dataSync()[0]);
        const r = await trainGazeModel(net, d.images, d.gazeCm, { epochs: 1, batchSize: 6, learningRate: 1e-12, augment: false });
        expect(r.steps).toBe(1);
        expect(r.epochLosses[0]).toBeCloseTo(want, 3);
      } finally {
        tf.dispose([d.images, d.gazeCm]);
        net.dispose();
      }
    });

    it('takes ⌈N/batch⌉ steps per epoch, scores validation each epoch and frees every tensor (N=12, batch 8, 2 epochs)', async () => {
      const net = new TinyTracker({ inputSize: 32, batchNormMomentum: 0.1 });
      const d = generateGazeData(12, { seed: 2, size: 32 });
      const v = generateGazeData(4, { seed: 3, size: 32 });
      const epochs: number[] = [];
      try {
        const r = await expectTensorDelta(
          () => trainGazeModel(net, d.images, d.gazeCm, { epochs: 2, batchSize: 8, validation: v, onEpochEnd: (i) => void epochs.push(i.epoch) }),
          0,
        );
        expect(r.steps).toBe(4);
        expect(r.epochLosses).toHaveLength(2);
        expect(r.validationErrorsCm).toHaveLength(2);
        expect(r.epochLosses.every(Number.isFinite)).toBe(true);
        expect(epochs).toEqual([0, 1]);
      } finally {
        tf.dispose([d.images, d.gazeCm, v.images, v.gazeCm]);
        net.dispose();
      }
    });

    it('fits 8 samples: the training loss falls below half its first value in 30 steps', async () => {
      const net = new TinyTracker({ inputSize: 32, batchNormMomentum: 0.1 });
      const d = generateGazeData(8, { seed: 4, size: 32 });
      try {
        const r = await trainGazeModel(net, d.images, d.gazeCm, { epochs: 30, batchSize: 8, learningRate: 3e-3, augment: false });
        expect(r.epochLosses[29]).toBeLessThan(0.5 * r.epochLosses[0]);
      } finally {
        tf.dispose([d.images, d.gazeCm]);
        net.dispose();
      }
    });

    it('rejects mis-shaped data and unknown options by name', async () => {
      const net = new TinyTracker({ inputSize: 32 });
      const x = tf.zeros([2, 32, 32, 3]);
      const y = tf.zeros([3, 2]);
      try {
        await expect(trainGazeModel(net, x, y)).rejects.toThrow(/trainGazeModel: gazeCm must have shape \[2, 2\], got \[3,2\]/);
        await expect(trainGazeModel(net, x, x, { lr: 1 } as never)).rejects.toThrow(/unknown option 'lr'/);
        await expect(trainGazeModel({} as never, x, y)).rejects.toThrow(InvalidValueError);
      } finally {
        tf.dispose([x, y]);
        net.dispose();
      }
    });
  },
  { skip: SLOW_CPU },
);

describeBackends('evaluateGazeError', () => {
  it('equals meanEuclideanError of output·30 in eval mode for batch sizes 1 and 64, float and int8', async () => {
    const net = new TinyTracker({ inputSize: 32 });
    const d = generateGazeData(5, { seed: 5, size: 32 });
    try {
      net.train();
      const want = tf.tidy(() => {
        net.eval();
        const p = tf.mul(net.call(d.images), 30);
        return meanEuclideanError(p, d.gazeCm);
      });
      net.train();
      const e1 = await expectTensorDelta(() => evaluateGazeError(net, d.images, d.gazeCm, { batchSize: 1 }), 0);
      const e64 = await evaluateGazeError(net, d.images, d.gazeCm);
      expect(e1).toBeCloseTo(want, 4);
      expect(e64).toBeCloseTo(want, 4);
      expect(net.training).toBe(true);
      const q = quantizeModel(net, d.images);
      const qe = await evaluateGazeError(q, d.images, d.gazeCm, { batchSize: 2 });
      const qWant = tf.tidy(() => meanEuclideanError(tf.mul(q.predict(d.images), 30), d.gazeCm));
      expect(qe).toBeCloseTo(qWant, 4);
      const wrong = tf.zeros([4, 2]);
      await expect(evaluateGazeError(net, d.images, wrong)).rejects.toThrow(ShapeError);
      wrong.dispose();
    } finally {
      tf.dispose([d.images, d.gazeCm]);
      net.dispose();
    }
  });
});
