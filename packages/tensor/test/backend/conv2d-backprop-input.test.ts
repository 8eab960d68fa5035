import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/backend/index';
import { stockConv2DBackpropInputConfig } from '../../src/backend/register-wasm-kernels';
import { expectTensorDelta, maxRelError, useBackend } from '../helpers';
import { type ConvCase, convCases, onCpu, outShape, runKernelData, seededTensor } from './conv-cases';

const CIN = 3;

function attrsOf(c: ConvCase): tf.NamedAttrMap {
  return {
    strides: c.stride,
    pad: c.pad,
    dataFormat: 'NHWC',
    dimRoundingMode: c.dimRoundingMode,
    inputShape: c.xShape,
  } as unknown as tf.NamedAttrMap;
}

describe('Conv2DBackpropInput [wasm]', () => {
  beforeAll(() => useBackend('wasm'));

  it('replaces the stock kernel and keeps it for the other strides', () => {
    const current = tf.getKernel('Conv2DBackpropInput', 'wasm');
    const stock = stockConv2DBackpropInputConfig();
    expect(stock).toBeDefined();
    expect(current.kernelFunc).not.toBe(stock!.kernelFunc);
    expect(current.setupFunc).toBe(stock!.setupFunc);
  });

  // tfjs' Conv2DBackpropInput has no dilation attribute, so the grid runs at dilation 1.
  for (const c of convCases([2, 11, 10, CIN], [4], 'cout', [1])) {
    it(`matches the cpu backend within 1e-5 for ${c.label}`, async () => {
      const dy = seededTensor<tf.Rank.R4>(outShape(c, false), 41, true);
      const w = seededTensor<tf.Rank.R4>([c.k, c.k, CIN, c.out], 42, true);
      const got = runKernelData('Conv2DBackpropInput', { dy, filter: w }, attrsOf(c));
      const want = await onCpu(() => runKernelData('Conv2DBackpropInput', { dy, filter: w }, attrsOf(c)).values);
      expect(got.shape).toEqual(c.xShape);
      expect(maxRelError(got.values, want)).toBeLessThanOrEqual(1e-5);
      tf.dispose([dy, w]);
    });
  }

  it('agrees with the stock wasm kernel at stride 1 on continuous values within 1e-5 (x=[1,12,12,8] k=3 same)', () => {
    const dy = seededTensor<tf.Rank.R4>([1, 12, 12, 6], 51);
    const w = seededTensor<tf.Rank.R4>([3, 3, 8, 6], 52);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [1, 12, 12, 8] } as unknown as tf.NamedAttrMap;
    const got = runKernelData('Conv2DBackpropInput', { dy, filter: w }, attrs);
    const stock = stockConv2DBackpropInputConfig()!;
    const backend = tf.engine().backend;
    const info = stock.kernelFunc({ inputs: { dy, filter: w }, backend, attrs }) as tf.TensorInfo;
    const want = backend.readSync(info.dataId) as Float32Array;
    backend.disposeData(info.dataId);
    expect(maxRelError(got.values, want)).toBeLessThanOrEqual(1e-5);
    tf.dispose([dy, w]);
  });

  it('leaves no tensor and no backend buffer behind when run through tf.grad of conv2d', async () => {
    const x = seededTensor<tf.Rank.R4>([1, 8, 8, CIN], 61);
    const w = seededTensor<tf.Rank.R4>([3, 3, CIN, 4], 62);
    const backend = tf.engine().backend;
    const before = backend.numDataIds();
    await expectTensorDelta(() => {
      const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.conv2d(xx as tf.Tensor4D, w, 1, 'same')))(x);
      g.dispose();
    }, 0);
    expect(backend.numDataIds() - before).toBe(0);
    tf.dispose([x, w]);
  });
});
