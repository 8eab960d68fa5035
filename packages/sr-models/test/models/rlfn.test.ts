import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { expect, it } from 'vitest';
import { Rlfn } from '../../src/models/rlfn/rlfn';
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

/** The keys of `team04_rlfn.pth` in file order, from `models/team04_rlfn.py` (`RLFN_cut`). */
function referenceKeys(): string[] {
  const keys = ['fea_conv.weight', 'fea_conv.bias'];
  const block = ['c1_r', 'c2_r', 'c3_r', 'c5', 'esa.conv1', 'esa.conv_f', 'esa.conv2', 'esa.conv3', 'esa.conv4'];
  for (let b = 1; b <= 4; b++) for (const m of block) keys.push(`B${b}.${m}.weight`, `B${b}.${m}.bias`);
  return [...keys, 'LR_conv.weight', 'LR_conv.bias', 'upsampler.0.weight', 'upsampler.0.bias'];
}

describeBackends('Rlfn', () => {
  it('has the 78 tensors and 317,218 parameters of team04_rlfn.pth', () => {
    // Hand count (nf 46, mf 48, ESA f 16): fea 1,288; RLFB = 19,920 + 20,784 + 19,918 (3×3s) +
    // 2,162 (c5) + ESA 6,446 = 69,230; LR_conv 19,090; upsampler 19,920.
    expect(1288 + 4 * 69230 + 19090 + 19920).toBe(317218); // sr.md §2: RLFN 317,218
    const net = new Rlfn();
    try {
      expect(torchShapes(net).map(([k]) => k)).toEqual(referenceKeys());
      expect(net.numParameters()).toBe(317218);
      expect([net.scale, net.nativeRange, net.range, net.minInputSize]).toEqual([4, '0-255', '0-1', 15]);
    } finally {
      net.dispose();
    }
  });

  it('matches PyTorch RLFN_cut() on x=[1,24,30,3] (0–255) with formula weights within 1e-4', () => {
    const net = new Rlfn({ range: '0-255' }).eval();
    const x = formulaInput(24, 30, true);
    try {
      loadFormulaWeights(net);
      const y = tf.tidy(() => net.call(x));
      const err = compareWithReference(y, TORCH_REFERENCE.formula.rlfn);
      y.dispose();
      expect(err.maxAbsError).toBeLessThanOrEqual(1e-4);
      expect(err.sumError).toBeLessThanOrEqual(1e-6);
    } finally {
      x.dispose();
      net.dispose();
    }
  });

  it('builds ×2 and ×3 upsamplers (3·s² outputs) from the scale option', () => {
    for (const scale of [2, 3]) {
      const net = new Rlfn({ scale });
      try {
        expect(net.getTensor('upsampler.0.weight').shape).toEqual([3, 3, 46, 3 * scale * scale]);
        const y = tf.tidy(() => net.call(tf.zeros([1, 16, 15, 3])));
        expect(y.shape).toEqual([1, 16 * scale, 15 * scale, 3]);
        y.dispose();
      } finally {
        net.dispose();
      }
    }
  });

  it('rejects inputs below 15×15, unknown options and bad sizes by name', async () => {
    expect(() => new Rlfn({ mf: 48 } as never)).toThrow(/Rlfn: unknown option 'mf'/);
    expect(() => new Rlfn({ esaChannels: 1.5 })).toThrow(InvalidValueError);
    expect(() => new Rlfn({ scale: 8 })).toThrow(/Rlfn: scale must be one of 2, 3, 4, got 8/);
    const net = new Rlfn();
    const x = tf.zeros([1, 15, 14, 3]);
    try {
      await expect(expectTensorDelta(() => net.call(x))).rejects.toThrow(ShapeError);
    } finally {
      x.dispose();
      net.dispose();
    }
  });

  it('allocates 78 variables, returns one tensor per call and frees all on dispose', async () => {
    const net = await expectTensorDelta(() => new Rlfn(), 78);
    const x = tf.zeros([2, 15, 15, 3]);
    const y = await expectTensorDelta(() => net.call(x), 1);
    expect(y.shape).toEqual([2, 60, 60, 3]);
    tf.dispose([x, y]);
    await expectTensorDelta(() => net.dispose(), -78);
  });
});

describeBackends('Rlfn with the official checkpoint (data)', () => {
  const dir = ntireWeightsDir();
  it.skipIf(!dir)(
    `loads team04_rlfn.pth (zip format) strictly and equals PyTorch on x=[1,24,30,3] within 1e-3 of 255${dir ? '' : ` (skipped: ${NO_DATA})`}`,
    async () => {
      const net = new Rlfn({ range: '0-255' }).eval();
      const x = formulaInput(24, 30, true);
      try {
        await expectTensorDelta(() => loadOfficialWeights(net, readNtireCheckpoint('team04_rlfn.pth')), 0);
        const y = tf.tidy(() => net.call(x));
        const err = compareWithReference(y, TORCH_REFERENCE.official.rlfn);
        y.dispose();
        expect(err.maxAbsError).toBeLessThanOrEqual(1e-3);
        expect(err.sumError).toBeLessThanOrEqual(1e-6);
      } finally {
        x.dispose();
        net.dispose();
      }
    },
  );
});
