import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@lab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { ITracker } from '../../src/models/itracker/itracker';
import { TINYTRACKER_RELEASED, TinyTracker } from '../../src/models/tinytracker/tinytracker';
import { TinyTrackerS } from '../../src/models/tinytracker-s/tinytracker-s';
import { modelSize } from '../../src/quant/model-size';
import { quantizeModel } from '../../src/quant/quantize-model';
import { expectTensorDelta, uniformTensor, useBackend } from '../helpers';

describe('modelSize', () => {
  beforeAll(() => useBackend('wasm'));

  it('counts iTracker as 6,286,274 float32 values = 25,145,096 bytes (spec §6: 25.1 MB)', async () => {
    const net = new ITracker();
    try {
      const s = await expectTensorDelta(() => modelSize(net), 0);
      expect(s).toMatchObject({ format: 'fp32', totalBytes: 25145096, values: 6286274, quantParamBytes: 0 });
    } finally {
      net.dispose();
    }
  });

  it('counts TinyTracker int8 as 593,135 bytes (README: 608 KB) and 42.4× smaller than iTracker fp32 (paper: 41×)', async () => {
    const net = new TinyTracker(TINYTRACKER_RELEASED);
    const calib = uniformTensor([2, 128, 128, 5], 1);
    const itracker = new ITracker();
    try {
      const fp32 = await expectTensorDelta(() => modelSize(net), 0);
      const int8 = modelSize(quantizeModel(net, calib));
      // fp32: the 428,486 folded constants × 4.
      expect(fp32.totalBytes).toBe(428486 * 4);
      // int8: weights 428,486 − 6,191 biases = 422,295 B; biases 6,191 × 4 = 24,764 B; quantisation
      // entries (12 B: float32 scale + int64 zero point): 47 activation tensors + 2 × (6,061 conv
      // channels + 2 per-tensor FC weights) = 12,173 → 146,076 B.
      expect(int8).toMatchObject({ format: 'int8', weightBytes: 422295, biasBytes: 24764, quantParamBytes: 146076, totalBytes: 593135 });
      expect(Math.abs(int8.totalBytes - 608000) / 608000).toBeLessThan(0.025); // README: 608 KB (flatbuffer metadata not counted)
      const ratio = modelSize(itracker).totalBytes / int8.totalBytes;
      expect(ratio).toBeGreaterThan(41); // paper: "41× smaller"; spec §6: 25.1 MB / 0.6 MB ≈ 41.9
      expect(ratio).toBeLessThan(43);
    } finally {
      calib.dispose();
      net.dispose();
      itracker.dispose();
    }
  });

  it('counts the baked grid of TinyTrackerS as an int8 constant (96·96·2 = 18,432 bytes)', () => {
    const baked = new TinyTrackerS();
    const input = new TinyTrackerS({ faceGrid: 'input' });
    const c1 = uniformTensor([2, 96, 96, 1], 2);
    const c3 = uniformTensor([2, 96, 96, 3], 3);
    try {
      const a = modelSize(quantizeModel(baked, c1));
      const b = modelSize(quantizeModel(input, c3));
      expect(a.weightBytes - b.weightBytes).toBe(96 * 96 * 2);
      expect(a.biasBytes).toBe(b.biasBytes);
    } finally {
      tf.dispose([c1, c3]);
      baked.dispose();
      input.dispose();
    }
  });

  it('rejects what is not a model', () => {
    expect(() => modelSize({} as never)).toThrow(InvalidValueError);
  });
});
