import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, InvalidValueError } from '@lab/tensor';
import { expect, it } from 'vitest';
import { ImdnNtire2022 } from '../../src/models/imdn-ntire2022/imdn-ntire2022';
import { loadOfficialWeights } from '../../src/load';
import { describeBackends, expectTensorDelta, loadFormulaWeights } from './sr-test-utils';

/**
 * Two checkpoints of a tiny NTIRE IMDN (`IMDN(nc=8, nb=1, upscale=2)`, formula weights) written
 * by PyTorch 1.13's `torch.save`: legacy format with every key prefixed `module.`
 * (`nn.DataParallel`, as Zheng222/IMDN), and zip format nested under `params` (BasicSR, as
 * `team18_bsrn.pth`).
 */
function fixture(name: string): Uint8Array {
  const buf = fs.readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
const tiny = () => new ImdnNtire2022({ channels: 8, blocks: 1, scale: 2 });

/** Largest absolute difference between the state dicts of two models. */
function stateDictDistance(a: ImdnNtire2022, b: ImdnNtire2022): number {
  return tf.tidy(() => {
    const sa = a.stateDict();
    const sb = b.stateDict();
    return Math.max(...Object.keys(sa).map((k) => tf.max(tf.abs(tf.sub(sa[k], sb[k]))).dataSync()[0]));
  });
}

describeBackends('loadOfficialWeights', () => {
  for (const file of ['imdn-tiny-module-prefix.pth', 'imdn-tiny-params.pth']) {
    it(`loads ${file} strictly: weights equal the formula weights and no tensor is left behind`, async () => {
      const net = tiny();
      const expected = tiny();
      try {
        loadFormulaWeights(expected);
        await expectTensorDelta(() => loadOfficialWeights(net, fixture(file)), 0);
        expect(stateDictDistance(net, expected)).toBe(0);
      } finally {
        net.dispose();
        expected.dispose();
      }
    });
  }

  it('throws one CheckpointError naming mis-shaped and missing keys, leaving the model unchanged', async () => {
    const net = new ImdnNtire2022({ channels: 8, blocks: 2, scale: 4 });
    const before = tf.tidy(() => net.getTensor('model.0.weight').clone());
    try {
      let error: unknown;
      await expectTensorDelta(() => {
        try {
          loadOfficialWeights(net, fixture('imdn-tiny-params.pth'));
        } catch (e) {
          error = e;
        }
      }, 0);
      expect(error).toBeInstanceOf(CheckpointError);
      const e = error as CheckpointError;
      expect(e.missing).toContain('model.1.sub.1.conv1.0.weight'); // the second block
      expect(e.mismatched.map((m) => m.key)).toContain('model.2.weight'); // 12 (×2) vs 48 (×4) outputs
      expect(e.message).toMatch(/shape mismatch for 'model.2.weight': model expects \[48,8,3,3\], checkpoint has \[12,8,3,3\]/);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(before, net.getTensor('model.0.weight')))).dataSync()[0])).toBe(0);
    } finally {
      before.dispose();
      net.dispose();
    }
  });

  it('passes key and stripPrefix through: a wrong key is a CheckpointError naming it', () => {
    const net = tiny();
    try {
      expect(() => loadOfficialWeights(net, fixture('imdn-tiny-params.pth'), { key: 'params_ema' })).toThrow(CheckpointError);
      expect(() => loadOfficialWeights(net, fixture('imdn-tiny-params.pth'), { key: 'params_ema' })).toThrow(/'params_ema'/);
      // Keeping the prefix leaves every key unexpected.
      expect(() => loadOfficialWeights(net, fixture('imdn-tiny-module-prefix.pth'), { stripPrefix: '' })).toThrow(
        /unexpected keys \(16\): module\.model\.0\.weight/,
      );
    } finally {
      net.dispose();
    }
  });

  it('rejects a non-module, a disposed model, non-byte input and unknown options', () => {
    const net = tiny();
    const bytes = fixture('imdn-tiny-params.pth');
    expect(() => loadOfficialWeights({} as never, bytes)).toThrow(/loadOfficialWeights: model must be a Module/);
    expect(() => loadOfficialWeights(net, [1, 2] as never)).toThrow(/loadOfficialWeights: bytes must be a Uint8Array/);
    expect(() => loadOfficialWeights(net, bytes, { strict: false } as never)).toThrow(InvalidValueError);
    net.dispose();
    expect(() => loadOfficialWeights(net, bytes)).toThrow(/model must not be disposed/);
  });
});
