import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, InvalidValueError, ShapeError } from '@lab/tensor';
import { expect, it } from 'vitest';
import { ImdnNtire2022 } from '../../src/models/imdn-ntire2022/imdn-ntire2022';
import { loadOfficialWeights } from '../../src/load';
import {
  NO_DATA,
  TORCH_REFERENCE,
  compareWithReference,
  describeBackends,
  expectTensorDelta,
  formulaInput,
  loadFormulaWeights,
  ntireWeightsDir,
  readNtireCheckpoint,
  torchShapes,
} from './sr-test-utils';

/** The keys of `imdn_baseline.pth` in file order, from the structure of `models/imdn_baseline.py`. */
function referenceKeys(blocks: number): string[] {
  const keys = ['model.0.weight', 'model.0.bias'];
  for (let b = 0; b < blocks; b++) {
    for (const conv of ['conv1.0', 'conv2.0', 'conv3.0', 'conv4', 'conv1x1']) {
      keys.push(`model.1.sub.${b}.${conv}.weight`, `model.1.sub.${b}.${conv}.bias`);
    }
  }
  keys.push(`model.1.sub.${blocks}.weight`, `model.1.sub.${blocks}.bias`, 'model.2.weight', 'model.2.bias');
  return keys;
}

describeBackends('ImdnNtire2022', () => {
  it('has the 86 tensors and 893,936 parameters of imdn_baseline.pth', () => {
    const net = new ImdnNtire2022();
    try {
      const shapes = torchShapes(net);
      expect(shapes.map(([k]) => k)).toEqual(referenceKeys(8));
      expect(shapes).toHaveLength(86); // spec sr.md §1.1: 43 convs, 86 tensors
      const byName = Object.fromEntries(shapes);
      expect(byName['model.1.sub.0.conv2.0.weight']).toEqual([64, 48, 3, 3]); // 48 remaining → 64
      expect(byName['model.1.sub.0.conv4.weight']).toEqual([16, 48, 3, 3]);
      expect(byName['model.2.weight']).toEqual([48, 64, 3, 3]); // 3·4² outputs before PixelShuffle(4)
      // sr.md §1.1: head 1,792 + 8 blocks × 103,440 + body conv 36,928 + upsampler 27,696.
      expect(1792 + 8 * 103440 + 36928 + 27696).toBe(893936);
      expect(net.numParameters()).toBe(893936);
      expect(net.scale).toBe(4);
      expect(net.nativeRange).toBe('0-1');
    } finally {
      net.dispose();
    }
  });

  it('matches PyTorch models/imdn_baseline.py on x=[1,7,9,3] with formula weights within 1e-5', () => {
    const net = new ImdnNtire2022().eval();
    const ref = TORCH_REFERENCE.formula['imdn-ntire2022'];
    const x = formulaInput(7, 9, false);
    try {
      loadFormulaWeights(net);
      const y = tf.tidy(() => net.call(x));
      const err = compareWithReference(y, ref); // shape [1, 28, 36, 3]
      y.dispose();
      expect(err.maxAbsError).toBeLessThanOrEqual(1e-5);
      expect(err.sumError).toBeLessThanOrEqual(1e-6);
    } finally {
      x.dispose();
      net.dispose();
    }
  });

  it('builds ×2 and ×3 variants (model.2 has 3·s² outputs)', () => {
    for (const scale of [2, 3]) {
      const net = new ImdnNtire2022({ scale, channels: 8, blocks: 1 });
      try {
        expect(net.model.get(2).getTensor('weight').shape).toEqual([3, 3, 8, 3 * scale * scale]); // HWIO
        const y = tf.tidy(() => net.call(tf.zeros([1, 5, 6, 3])));
        expect(y.shape).toEqual([1, 5 * scale, 6 * scale, 3]);
        y.dispose();
      } finally {
        net.dispose();
      }
    }
  });

  it('processes a batch of two images exactly as two single images', () => {
    const net = new ImdnNtire2022({ channels: 8, blocks: 2 }).eval();
    const a = formulaInput(6, 5, false);
    const b = tf.tidy(() => tf.reverse(a, 1));
    try {
      const [ya, yb, y2] = tf.tidy(() => [net.call(a), net.call(b), net.call(tf.concat([a, b], 0))]);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(y2, tf.concat([ya, yb], 0)))).dataSync()[0])).toBeLessThanOrEqual(1e-6);
      tf.dispose([ya, yb, y2]);
    } finally {
      tf.dispose([a, b]);
      net.dispose();
    }
  });

  it('rejects an unknown option, scale 5, channels 6 and bad ranges by name', () => {
    expect(() => new ImdnNtire2022({ nb: 8 } as never)).toThrow(InvalidValueError);
    expect(() => new ImdnNtire2022({ nb: 8 } as never)).toThrow(/unknown option 'nb'/);
    expect(() => new ImdnNtire2022({ scale: 5 })).toThrow(/ImdnNtire2022: scale must be one of 2, 3, 4, got 5/);
    expect(() => new ImdnNtire2022({ channels: 6 })).toThrow(/channels must be a multiple of 4/);
    expect(() => new ImdnNtire2022({ blocks: 0 })).toThrow(/blocks must be a positive integer/);
    expect(() => new ImdnNtire2022({ range: '0-100' as never })).toThrow(/range must be '0-1' or '0-255'/);
  });

  it('rejects inputs that are not [n, h, w, 3] float32, leaking nothing', async () => {
    const net = new ImdnNtire2022({ channels: 8, blocks: 1 });
    const bad = [tf.zeros([1, 8, 8, 4]), tf.zeros([8, 8, 3]), tf.zeros([1, 8, 8, 3], 'int32')];
    try {
      for (const x of bad) {
        await expect(expectTensorDelta(() => net.call(x))).rejects.toThrow(ShapeError);
      }
      expect(() => net.call(bad[0])).toThrow(/ImdnNtire2022: x must have 3 channels/);
      expect(() => net.call(bad[2])).toThrow(/ImdnNtire2022: x must have dtype float32, got int32/);
    } finally {
      tf.dispose(bad);
      net.dispose();
    }
  });

  it('allocates 86 variables, returns one tensor per call and frees all on dispose', async () => {
    const before = tf.memory().numTensors;
    const net = await expectTensorDelta(() => new ImdnNtire2022(), 86);
    const x = tf.zeros([1, 8, 8, 3]);
    const y = await expectTensorDelta(() => net.call(x), 1);
    tf.dispose([x, y]);
    await expectTensorDelta(() => net.dispose(), -86);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describeBackends('ImdnNtire2022 with the official checkpoint (data)', () => {
  const dir = ntireWeightsDir();
  it.skipIf(!dir)(`loads imdn_baseline.pth strictly with no tensor left behind${dir ? '' : ` (skipped: ${NO_DATA})`}`, async () => {
    const net = new ImdnNtire2022();
    try {
      await expectTensorDelta(() => loadOfficialWeights(net, readNtireCheckpoint('imdn_baseline.pth')), 0);
      // A checkpoint of another network is refused, naming keys.
      expect(() => loadOfficialWeights(net, readNtireCheckpoint('team04_rlfn.pth'))).toThrow(CheckpointError);
    } finally {
      net.dispose();
    }
  });

  it.skipIf(!dir)(
    `equals PyTorch with imdn_baseline.pth on x=[1,8,8,3] within 1e-5 (all 3,072 outputs)${dir ? '' : ` (skipped: ${NO_DATA})`}`,
    () => {
      const net = new ImdnNtire2022().eval();
      const ref = TORCH_REFERENCE.official['imdn-ntire2022'];
      expect(ref.stride).toBe(1);
      const x = formulaInput(8, 8, false);
      try {
        loadOfficialWeights(net, readNtireCheckpoint('imdn_baseline.pth'));
        const y = tf.tidy(() => net.call(x));
        const err = compareWithReference(y, ref);
        y.dispose();
        expect(err.maxAbsError).toBeLessThanOrEqual(1e-5);
        expect(err.sumError).toBeLessThanOrEqual(1e-6);
      } finally {
        x.dispose();
        net.dispose();
      }
    },
  );
});
