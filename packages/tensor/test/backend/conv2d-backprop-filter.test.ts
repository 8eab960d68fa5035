import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/backend/index';
import { maxRelError, useBackend } from '../helpers';
import { convCases, onCpu, outShape, runKernelData, seededTensor, undilateFilter } from './conv-cases';

const CIN = 3;

function attrsOf(c: ReturnType<typeof convCases>[number], k: number, dilation: number): tf.NamedAttrMap {
  return {
    strides: c.stride,
    pad: c.pad,
    dataFormat: 'NHWC',
    dimRoundingMode: c.dimRoundingMode,
    filterShape: [k, k, CIN, c.out],
    dilations: dilation,
  } as unknown as tf.NamedAttrMap;
}

describe('Conv2DBackpropFilter [wasm]', () => {
  beforeAll(() => useBackend('wasm'));

  for (const c of convCases([2, 11, 10, CIN], [4], 'cout')) {
    it(`matches the cpu backend within 1e-5 for ${c.label}`, async () => {
      const x = seededTensor<tf.Rank.R4>(c.xShape, 11, true);
      const dy = seededTensor<tf.Rank.R4>(outShape(c, false), 12, true);
      const got = runKernelData('Conv2DBackpropFilter', { x, dy }, attrsOf(c, c.k, c.dilation));
      // Reference: tfjs' cpu kernel (dilation 1 only) on the zero-inserted filter of size
      // (k−1)·d + 1, whose taps 0, d, 2d, … are the taps of the dilated filter.
      const kd = (c.k - 1) * c.dilation + 1;
      const want = await onCpu(() =>
        tf.tidy(() => {
          const full = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrsOf(c, kd, 1)) as tf.Tensor4D;
          return undilateFilter(full, c.dilation).dataSync();
        }),
      );
      expect(got.shape).toEqual([c.k, c.k, CIN, c.out]);
      expect(maxRelError(got.values, want)).toBeLessThanOrEqual(1e-5);
      tf.dispose([x, dy]);
    });
  }

  for (const [s, d, pad] of [
    [2, 1, 'same'],
    [1, 2, 'valid'],
    [2, 2, 'same'],
  ] as const) {
    it(`is the adjoint of conv2d in the filter (<dy, conv(x,w)> = <dW, w>) for k=3 s=${s} d=${d} ${pad}`, () => {
      // Axiom: conv2d is linear in w, so its filter gradient dW satisfies Σ dy·conv(x, w) = Σ dW·w.
      const x = seededTensor<tf.Rank.R4>([1, 9, 8, CIN], 21);
      const w = seededTensor<tf.Rank.R4>([3, 3, CIN, 2], 22);
      const y = tf.engine().runKernel('Conv2D', { x, filter: w }, { strides: s, pad, dilations: d, dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
      const dy = seededTensor<tf.Rank.R4>(y.shape, 23);
      const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
        strides: s,
        pad,
        dataFormat: 'NHWC',
        filterShape: w.shape,
        dilations: d,
      } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
      const dot = (a: tf.Tensor, b: tf.Tensor) => {
        const av = a.dataSync();
        const bv = b.dataSync();
        let sum = 0;
        for (let i = 0; i < av.length; i++) sum += av[i] * bv[i];
        return sum;
      };
      const lhs = dot(dy, y);
      const rhs = dot(dw, w);
      expect(Math.abs(lhs - rhs) / Math.abs(lhs)).toBeLessThan(1e-5);
      tf.dispose([x, w, y, dy, dw]);
    });
  }

  it('leaves no tensor and no backend buffer behind when run through tf.grad of conv2d', async () => {
    const x = seededTensor<tf.Rank.R4>([1, 8, 8, CIN], 31);
    const w = seededTensor<tf.Rank.R4>([3, 3, CIN, 4], 32);
    const backend = tf.engine().backend;
    const before = backend.numDataIds();
    const { expectTensorDelta } = await import('../helpers');
    await expectTensorDelta(() => {
      const g = tf.grad((ww: tf.Tensor) => tf.sum(tf.conv2d(x, ww as tf.Tensor4D, 2, 'same')))(w);
      g.dispose();
    }, 0);
    expect(backend.numDataIds() - before).toBe(0);
    tf.dispose([x, w]);
  });
});
