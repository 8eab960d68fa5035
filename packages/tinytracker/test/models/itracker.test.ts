import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@lab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { CrossMapLRN2d } from '../../src/models/itracker/cross-map-lrn2d';
import { ITracker } from '../../src/models/itracker/itracker';
import { describeBackends, expectTensorDelta, useBackend } from '../helpers';

describe('ITracker', () => {
  beforeAll(() => useBackend('cpu'));

  it('has 6,286,274 parameters = 25.1 MB in float32 (spec §6)', () => {
    // Tower: 3·96·121 + 96 = 34,944; 48·256·25 + 256 = 307,456; 256·384·9 + 384 = 885,120;
    // 384·64 + 64 = 24,640 → 1,252,160, twice (eyes shared, face own). eyesFC 18,432·128 + 128 =
    // 2,359,424; face fc 1,179,776 + 8,256; grid fc 160,256 + 32,896; fc 41,088 + 258.
    const expected = 2 * 1252160 + 2359424 + 1179776 + 8256 + 160256 + 32896 + 41088 + 258;
    expect(expected).toBe(6286274);
    const net = new ITracker();
    try {
      expect(net.numParameters()).toBe(expected);
      expect(Math.round((net.numParameters() * 4) / 1e5) / 10).toBe(25.1); // MB
    } finally {
      net.dispose();
    }
  });

  it('uses the state_dict names of the official PyTorch ITrackerModel', () => {
    const net = new ITracker();
    try {
      const sd = net.stateDict();
      const keys = Object.keys(sd);
      tf.dispose(Object.values(sd));
      expect(keys).toEqual([
        ...['0', '4', '8', '10'].flatMap((i) => [`eyeModel.features.${i}.weight`, `eyeModel.features.${i}.bias`]),
        ...['0', '4', '8', '10'].flatMap((i) => [`faceModel.conv.features.${i}.weight`, `faceModel.conv.features.${i}.bias`]),
        ...['0', '2'].flatMap((i) => [`faceModel.fc.${i}.weight`, `faceModel.fc.${i}.bias`]),
        ...['0', '2'].flatMap((i) => [`gridModel.fc.${i}.weight`, `gridModel.fc.${i}.bias`]),
        'eyesFC.0.weight',
        'eyesFC.0.bias',
        ...['0', '2'].flatMap((i) => [`fc.${i}.weight`, `fc.${i}.bias`]),
      ]);
    } finally {
      net.dispose();
    }
  });
});

describeBackends('CrossMapLRN2d', () => {
  it('divides by (k + α/n·Σx²)^β over 5 channels: hand value at channel 2 of [1,2,3,4,5]', async () => {
    const lrn = new CrossMapLRN2d(5, 0.5, 0.75, 1);
    const x = tf.tensor4d([1, 2, 3, 4, 5], [1, 1, 1, 5]);
    try {
      const y = await expectTensorDelta(() => lrn.call(x), 1);
      const v = await y.data();
      y.dispose();
      // channel 2: window 0..4, Σx² = 55 → 3 / (1 + 0.5/5·55)^0.75 = 3 / 6.5^0.75
      expect(v[2]).toBeCloseTo(3 / Math.pow(6.5, 0.75), 5);
      // channel 0: window 0..2, Σx² = 14 → 1 / 2.4^0.75
      expect(v[0]).toBeCloseTo(1 / Math.pow(2.4, 0.75), 5);
    } finally {
      x.dispose();
    }
  });

  it('rejects an even size', () => {
    expect(() => new CrossMapLRN2d(4)).toThrow(/CrossMapLRN2d: size must be odd, got 4/);
  });
});

describeBackends(
  'ITracker',
  () => {
    it('maps face, eyes [1,224,224,3] and grid [1,625] to [1, 2], freeing intermediates', async () => {
      const net = new ITracker().eval();
      const img = tf.zeros([1, 224, 224, 3]);
      const grid = tf.ones([1, 625]);
      try {
        const y = await expectTensorDelta(() => net.call(img, img, img, grid), 1);
        expect(y.shape).toEqual([1, 2]);
        y.dispose();
        const square = tf.zeros([1, 25, 25]);
        expect(() => net.call(img, img, img, square)).toThrow(ShapeError);
        square.dispose();
        const short = tf.slice(grid, [0, 0], [1, 600]);
        expect(() => net.call(img, img, img, short)).toThrow(/ITracker: faceGrid must have shape \[1, 625\]/);
        short.dispose();
      } finally {
        tf.dispose([img, grid]);
        net.dispose();
      }
    });
  },
  { skip: { cpu: 'the 1.3 G-MAC forward pass takes ~15 s on the cpu backend; the wasm run covers the same code' } },
);
