import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@lab/tensor';
import { expect, it } from 'vitest';
import { ImdnNtire2022 } from '../../src/models/imdn-ntire2022/imdn-ntire2022';
import { Rlfn } from '../../src/models/rlfn/rlfn';
import { describeBackends, expectTensorDelta, formulaInput, loadFormulaWeights } from './sr-test-utils';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describeBackends('SrNetwork range contract', () => {
  it("gives f(255·x)/255 for a 0–255 network (RLFN) built with range '0-1' (within 1e-6)", () => {
    const unit = new Rlfn({ range: '0-1' }).eval();
    const native = new Rlfn({ range: '0-255' }).eval();
    const x255 = formulaInput(16, 17, true);
    try {
      loadFormulaWeights(unit);
      loadFormulaWeights(native);
      const [yUnit, yNative] = tf.tidy(() => [unit.call(tf.div(x255, 255)), native.call(x255)]);
      expect(yUnit.shape).toEqual([1, 64, 68, 3]);
      expect(maxAbsDiff(tf.tidy(() => tf.mul(yUnit, 255)), yNative)).toBeLessThanOrEqual(255 * 1e-6);
      tf.dispose([yUnit, yNative]);
    } finally {
      x255.dispose();
      unit.dispose();
      native.dispose();
    }
  });

  it("gives 255·f(x/255) for a 0–1 network (IMDN) built with range '0-255' (within 255·1e-6)", () => {
    const unit = new ImdnNtire2022({ channels: 8, blocks: 1 }).eval();
    const wide = new ImdnNtire2022({ channels: 8, blocks: 1, range: '0-255' }).eval();
    const x = formulaInput(5, 6, false);
    try {
      loadFormulaWeights(unit);
      loadFormulaWeights(wide);
      const [yUnit, yWide] = tf.tidy(() => [unit.call(x), wide.call(tf.mul(x, 255))]);
      expect(maxAbsDiff(tf.tidy(() => tf.mul(yUnit, 255)), yWide)).toBeLessThanOrEqual(255 * 1e-6);
      expect(wide.range).toBe('0-255');
      expect(wide.nativeRange).toBe('0-1');
      tf.dispose([yUnit, yWide]);
    } finally {
      x.dispose();
      unit.dispose();
      wide.dispose();
    }
  });

  it('adds no parameters and no tensors for the range conversion', async () => {
    const unit = new Rlfn();
    const native = new Rlfn({ range: '0-255' });
    const x = tf.zeros([1, 15, 15, 3]);
    try {
      expect(unit.namedParameters().map(([n]) => n)).toEqual(native.namedParameters().map(([n]) => n));
      const y = await expectTensorDelta(() => unit.call(x), 1);
      y.dispose();
    } finally {
      x.dispose();
      unit.dispose();
      native.dispose();
    }
  });

  it("rejects a range other than '0-1' or '0-255' with InvalidValueError naming the class", () => {
    expect(() => new Rlfn({ range: '0-65535' as never })).toThrow(InvalidValueError);
    expect(() => new Rlfn({ range: '0-65535' as never })).toThrow(/Rlfn: range must be '0-1' or '0-255', got "0-65535"/);
  });
});
