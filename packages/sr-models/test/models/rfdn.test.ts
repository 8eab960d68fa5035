import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { expect, it } from 'vitest';
import { Rfdn } from '../../src/models/rfdn/rfdn';
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

/** The keys of `rfdn_baseline.pth` in file order, from `models/rfdn_baseline/RFDN.py` and `block.py`. */
function referenceKeys(): string[] {
  const keys = ['fea_conv.weight', 'fea_conv.bias'];
  const block = ['c1_d', 'c1_r', 'c2_d', 'c2_r', 'c3_d', 'c3_r', 'c4', 'c5'];
  const esa = ['conv1', 'conv_f', 'conv_max', 'conv2', 'conv3', 'conv3_', 'conv4'].map((c) => `esa.${c}`);
  for (let b = 1; b <= 4; b++) for (const m of [...block, ...esa]) keys.push(`B${b}.${m}.weight`, `B${b}.${m}.bias`);
  return [...keys, 'c.0.weight', 'c.0.bias', 'LR_conv.weight', 'LR_conv.bias', 'upsampler.0.weight', 'upsampler.0.bias'];
}

describeBackends('Rfdn', () => {
  it('has the 128 tensors and 433,448 parameters of rfdn_baseline.pth', () => {
    // Hand count (nf 50, d 25, ESA f 12): fea 1,400; RFDB = 3·1,275 (1×1 → 25) + 3·22,550 (3×3) +
    // 11,275 (c4) + 5,050 (c5) + ESA 6,650 = 94,450; c 10,050; LR_conv 22,550; upsampler 21,648.
    expect(1400 + 4 * 94450 + 10050 + 22550 + 21648).toBe(433448); // sr.md §2: RFDN 433,448
    const net = new Rfdn();
    try {
      expect(torchShapes(net).map(([k]) => k)).toEqual(referenceKeys());
      expect(net.numParameters()).toBe(433448);
      expect(net.getTensor('B1.esa.conv2.weight').shape).toEqual([3, 3, 12, 12]);
      expect([net.scale, net.nativeRange, net.range, net.minInputSize]).toEqual([4, '0-255', '0-1', 15]);
    } finally {
      net.dispose();
    }
  });

  it('matches PyTorch RFDN() on x=[1,24,30,3] (0–255) with formula weights within 1e-4', () => {
    const net = new Rfdn({ range: '0-255' }).eval();
    const ref = TORCH_REFERENCE.formula.rfdn;
    const x = formulaInput(24, 30, true);
    try {
      loadFormulaWeights(net);
      const y = tf.tidy(() => net.call(x));
      const err = compareWithReference(y, ref); // [1, 96, 120, 3]; ESA pools 11×14 → 2×3 and resizes back
      y.dispose();
      expect(err.maxAbsError).toBeLessThanOrEqual(1e-4);
      expect(err.sumError).toBeLessThanOrEqual(1e-6);
    } finally {
      x.dispose();
      net.dispose();
    }
  });

  it('rejects inputs below 15×15 (the ESA needs a 7×7 max-pool window) before allocating', async () => {
    const net = new Rfdn();
    const x = tf.zeros([1, 14, 40, 3]);
    try {
      await expect(expectTensorDelta(() => net.call(x))).rejects.toThrow(ShapeError);
      expect(() => net.call(x)).toThrow(/Rfdn: x must be at least 15×15 pixels \(height and width\), got shape \[1,14,40,3\]/);
    } finally {
      x.dispose();
      net.dispose();
    }
  });

  it('rejects unknown options and a bad channel count by name', () => {
    expect(() => new Rfdn({ nf: 50 } as never)).toThrow(/Rfdn: unknown option 'nf'/);
    expect(() => new Rfdn({ channels: 0 })).toThrow(InvalidValueError);
    expect(() => new Rfdn({ scale: 4 } as never)).toThrow(/unknown option 'scale'/); // RFDN.py hard-codes ×4
  });

  it('allocates 128 variables, returns one tensor per call and frees all on dispose', async () => {
    const net = await expectTensorDelta(() => new Rfdn(), 128);
    const x = tf.zeros([1, 15, 16, 3]);
    const y = await expectTensorDelta(() => net.call(x), 1);
    expect(y.shape).toEqual([1, 60, 64, 3]);
    tf.dispose([x, y]);
    await expectTensorDelta(() => net.dispose(), -128);
  });
});

describeBackends('Rfdn with the official checkpoint (data)', () => {
  const dir = ntireWeightsDir();
  it.skipIf(!dir)(
    `loads rfdn_baseline.pth strictly and equals PyTorch on x=[1,24,30,3] within 1e-3 of 255${dir ? '' : ` (skipped: ${NO_DATA})`}`,
    async () => {
      const net = new Rfdn({ range: '0-255' }).eval();
      const x = formulaInput(24, 30, true);
      try {
        await expectTensorDelta(() => loadOfficialWeights(net, readNtireCheckpoint('rfdn_baseline.pth')), 0);
        const y = tf.tidy(() => net.call(x));
        const err = compareWithReference(y, TORCH_REFERENCE.official.rfdn);
        y.dispose();
        expect(err.maxAbsError).toBeLessThanOrEqual(1e-3); // outputs are on the 0–255 scale
        expect(err.sumError).toBeLessThanOrEqual(1e-6);
      } finally {
        x.dispose();
        net.dispose();
      }
    },
  );
});
