import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@lab/tensor';
import { expect, it } from 'vitest';
import { CcaLayer } from '../../src/models/imdn/cca-layer';
import { Imdn } from '../../src/models/imdn/imdn';
import { loadOfficialWeights } from '../../src/load';
import { TORCH_REFERENCE, compareWithReference, describeBackends, expectTensorDelta, formulaInput, loadFormulaWeights, torchShapes } from './sr-test-utils';

/** The keys of Zheng222/IMDN `IMDN_x{s}.pth` without `module.`, from `model/architecture.py` and `block.py`. */
function referenceKeys(): string[] {
  const keys = ['fea_conv.weight', 'fea_conv.bias'];
  for (let b = 1; b <= 6; b++) {
    for (const m of ['c1', 'c2', 'c3', 'c4', 'c5', 'cca.conv_du.0', 'cca.conv_du.2']) keys.push(`IMDB${b}.${m}.weight`, `IMDB${b}.${m}.bias`);
  }
  return [...keys, 'c.0.weight', 'c.0.bias', 'LR_conv.weight', 'LR_conv.bias', 'upsampler.0.weight', 'upsampler.0.bias'];
}

describeBackends('Imdn', () => {
  it('has the parameter names of model/architecture.py and 694,404 / 703,059 / 715,176 parameters at ×2 / ×3 / ×4', () => {
    // 715,176 at ×4: sr.md §1.2 (published); ×2 and ×3 differ only in the upsampler conv (64 → 3s²):
    // 715,176 − (9·64·48 + 48) + (9·64·3s² + 3s²).
    const upsampler = (s: number) => 9 * 64 * 3 * s * s + 3 * s * s;
    for (const [scale, params] of [
      [2, 694404],
      [3, 703059],
      [4, 715176],
    ] as const) {
      expect(715176 - upsampler(4) + upsampler(scale)).toBe(params);
      const net = new Imdn({ scale });
      try {
        expect(torchShapes(net).map(([k]) => k)).toEqual(referenceKeys());
        expect(net.numParameters()).toBe(params);
        expect(net.getTensor('IMDB3.cca.conv_du.0.weight').shape).toEqual([1, 1, 64, 4]); // reduction 16, HWIO
      } finally {
        net.dispose();
      }
    }
  });

  for (const scale of [2, 3, 4] as const) {
    it(`matches PyTorch IMDN(upscale=${scale}) on x=[1,7,9,3] with formula weights within 1e-5`, () => {
      const net = new Imdn({ scale }).eval();
      const ref = TORCH_REFERENCE.formula[`imdn-x${scale}`];
      const x = formulaInput(7, 9, false);
      try {
        loadFormulaWeights(net);
        const y = tf.tidy(() => net.call(x));
        const err = compareWithReference(y, ref);
        y.dispose();
        expect(err.maxAbsError).toBeLessThanOrEqual(1e-5);
        expect(err.sumError).toBeLessThanOrEqual(1e-6);
      } finally {
        x.dispose();
        net.dispose();
      }
    });
  }

  it('CCA scales channel c by sigmoid(W₂ relu(W₁ (std + mean))) with the population std (hand-computed, 1 channel pair)', () => {
    // Channels 16, reduction 16 → one hidden unit. Weights: W₁ = 1 on channel 0 only, b₁ = 0;
    // W₂ = 0, b₂ = 0 except b₂[1] = 2 → mask = 0.5 everywhere except channel 1 → sigmoid(2).
    const cca = new CcaLayer(16, 16);
    const w1 = tf.tidy(() => tf.reshape(tf.cast(tf.oneHot([0], 16), 'float32'), [1, 1, 16, 1]));
    const b2 = tf.tidy(() => tf.reshape(tf.mul(tf.cast(tf.oneHot([1], 16), 'float32'), 2), [16]));
    const x = tf.tidy(() => tf.tile(tf.tensor4d([1, 3, 5, 7], [1, 2, 2, 1]), [1, 1, 1, 16]));
    try {
      (cca.convDu.get(0).getTensor('weight') as tf.Variable).assign(w1);
      (cca.convDu.get(0).getTensor('bias') as tf.Variable).assign(tf.zeros([1]));
      (cca.convDu.get(2).getTensor('weight') as tf.Variable).assign(tf.zeros([1, 1, 1, 16]));
      (cca.convDu.get(2).getTensor('bias') as tf.Variable).assign(b2);
      const y = tf.tidy(() => cca.call(x));
      const v = y.arraySync() as number[][][][];
      y.dispose();
      // mean 4, population std √5 (not the sample std √(20/3)); the hidden unit is unused here
      // because W₂ = 0, so the mask is sigmoid(b₂).
      expect(v[0][0][0][0]).toBeCloseTo(0.5, 6);
      expect(v[0][1][1][1]).toBeCloseTo(7 / (1 + Math.exp(-2)), 5);
    } finally {
      tf.dispose([w1, b2, x]);
      cca.dispose();
    }
  });

  it('rejects scale 8 and unknown options by name', () => {
    expect(() => new Imdn({ scale: 8 })).toThrow(InvalidValueError);
    expect(() => new Imdn({ scale: 8 })).toThrow(/Imdn: scale must be one of 2, 3, 4, got 8/);
    expect(() => new Imdn({ upscale: 4 } as never)).toThrow(/unknown option 'upscale'/);
  });

  it('allocates 92 variables (46 convs) and frees them on dispose; a forward pass returns one tensor', async () => {
    const net = await expectTensorDelta(() => new Imdn({ scale: 2 }), 92);
    const x = tf.zeros([1, 4, 4, 3]);
    const y = await expectTensorDelta(() => net.call(x), 1);
    expect(y.shape).toEqual([1, 8, 8, 3]);
    tf.dispose([x, y]);
    await expectTensorDelta(() => net.dispose(), -92);
  });
});

// Zheng222/IMDN ships no licence, so its checkpoints are not part of the shared data; point
// LAB_IMDN_CHECKPOINTS at a folder holding IMDN_x2.pth, IMDN_x3.pth and IMDN_x4.pth to run this.
const imdnDir = process.env.LAB_IMDN_CHECKPOINTS;
describeBackends('Imdn with the Zheng222/IMDN checkpoints (data)', () => {
  for (const scale of [2, 3, 4]) {
    const file = imdnDir && path.join(imdnDir, `IMDN_x${scale}.pth`);
    const present = !!file && fs.existsSync(file);
    it.skipIf(!present)(
      `loads IMDN_x${scale}.pth (keys prefixed module.) strictly${present ? '' : ' (skipped: set LAB_IMDN_CHECKPOINTS to a folder with the Zheng222/IMDN checkpoints)'}`,
      async () => {
        const net = new Imdn({ scale });
        try {
          const buf = fs.readFileSync(file as string);
          await expectTensorDelta(() => loadOfficialWeights(net, new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)), 0);
        } finally {
          net.dispose();
        }
      },
    );
  }
});
