import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/backend/index';
import { expectTensorDelta, maxRelError, useBackend } from '../helpers';
import { type ConvCase, convCases, onCpu, outShape, runKernelData, seededTensor, undilateFilter } from './conv-cases';

const C = 3;

function attrsOf(c: ConvCase, k: number, dilation: number): tf.NamedAttrMap {
  return {
    strides: c.stride,
    pad: c.pad,
    dilations: dilation,
    dimRoundingMode: c.dimRoundingMode,
    filterShape: [k, k, C, c.out],
  } as unknown as tf.NamedAttrMap;
}

function dot(a: tf.Tensor, b: tf.Tensor): number {
  const av = a.dataSync();
  const bv = b.dataSync();
  let sum = 0;
  for (let i = 0; i < av.length; i++) sum += av[i] * bv[i];
  return sum;
}

describe('DepthwiseConv2dNativeBackpropFilter [wasm]', () => {
  beforeAll(() => useBackend('wasm'));

  for (const c of convCases([2, 11, 10, C], [1, 2], 'mult')) {
    it(`matches the cpu backend within 1e-5 for ${c.label}`, async () => {
      const x = seededTensor<tf.Rank.R4>(c.xShape, 71, true);
      const dy = seededTensor<tf.Rank.R4>(outShape(c, true), 72, true);
      const got = runKernelData('DepthwiseConv2dNativeBackpropFilter', { x, dy }, attrsOf(c, c.k, c.dilation));
      // Reference: tfjs' cpu kernel ignores `dilations` in its loops, so it runs at dilation 1 on
      // the zero-inserted filter of size (k−1)·d + 1, whose taps 0, d, 2d, … are the answer.
      const kd = (c.k - 1) * c.dilation + 1;
      const want = await onCpu(() =>
        tf.tidy(() => {
          const full = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, attrsOf(c, kd, 1));
          return undilateFilter(full as tf.Tensor4D, c.dilation).dataSync();
        }),
      );
      expect(got.shape).toEqual([c.k, c.k, C, c.out]);
      expect(maxRelError(got.values, want)).toBeLessThanOrEqual(1e-5);
      tf.dispose([x, dy]);
    });
  }

  for (const [s, d, m] of [
    [2, 1, 2],
    [1, 2, 2],
    [2, 2, 1],
  ] as const) {
    it(`is the adjoint of depthwiseConv2d in the filter for k=3 s=${s} d=${d} mult=${m} same`, () => {
      // Axiom: the op is linear in w, so Σ dy·dwconv(x, w) = Σ dW·w.
      const x = seededTensor<tf.Rank.R4>([2, 9, 8, C], 81);
      const w = seededTensor<tf.Rank.R4>([3, 3, C, m], 82);
      const attrs = { strides: s, pad: 'same', dilations: d } as unknown as tf.NamedAttrMap;
      const y = tf.engine().runKernel('DepthwiseConv2dNative', { x, filter: w }, attrs) as tf.Tensor4D;
      const dy = seededTensor<tf.Rank.R4>(y.shape, 83);
      const dw = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, {
        ...attrs,
        filterShape: w.shape,
      } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
      const lhs = dot(dy, y);
      expect(Math.abs(lhs - dot(dw, w)) / Math.abs(lhs)).toBeLessThan(1e-5);
      tf.dispose([x, w, y, dy, dw]);
    });
  }

  it('leaves no tensor and no backend buffer behind when run through tf.grad of depthwiseConv2d', async () => {
    const x = seededTensor<tf.Rank.R4>([1, 8, 8, C], 91);
    const w = seededTensor<tf.Rank.R4>([3, 3, C, 2], 92);
    const backend = tf.engine().backend;
    const before = backend.numDataIds();
    await expectTensorDelta(() => {
      const g = tf.grad((ww: tf.Tensor) => tf.sum(tf.depthwiseConv2d(x, ww as tf.Tensor4D, 2, 'same')))(w);
      g.dispose();
    }, 0);
    expect(backend.numDataIds() - before).toBe(0);
    tf.dispose([x, w]);
  });
});
