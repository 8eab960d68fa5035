import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/backend/index';
import { expectTensorDelta, maxRelError, useBackend } from '../helpers';
import { type ConvCase, convCases, dilateFilter, onCpu, outShape, runKernelData, seededTensor } from './conv-cases';

const C = 3;

function attrsOf(c: ConvCase, dilation: number): tf.NamedAttrMap {
  return {
    strides: c.stride,
    pad: c.pad,
    dilations: dilation,
    dimRoundingMode: c.dimRoundingMode,
    inputShape: c.xShape,
  } as unknown as tf.NamedAttrMap;
}

function dot(a: tf.Tensor, b: tf.Tensor): number {
  const av = a.dataSync();
  const bv = b.dataSync();
  let sum = 0;
  for (let i = 0; i < av.length; i++) sum += av[i] * bv[i];
  return sum;
}

describe('DepthwiseConv2dNativeBackpropInput [wasm]', () => {
  beforeAll(() => useBackend('wasm'));

  for (const c of convCases([2, 11, 10, C], [1, 2], 'mult')) {
    it(`matches the cpu backend within 1e-5 for ${c.label}`, async () => {
      const dy = seededTensor<tf.Rank.R4>(outShape(c, true), 101, true);
      const w = seededTensor<tf.Rank.R4>([c.k, c.k, C, c.out], 102, true);
      const got = runKernelData('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, attrsOf(c, c.dilation));
      // Reference: tfjs' cpu kernel ignores `dilations` in its loops, so it runs at dilation 1
      // with the zero-inserted filter, which computes the same convolution.
      const want = await onCpu(() =>
        tf.tidy(() => {
          const wd = dilateFilter(w, c.dilation);
          const out = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: wd }, attrsOf(c, 1));
          return (out as tf.Tensor).dataSync();
        }),
      );
      expect(got.shape).toEqual(c.xShape);
      expect(maxRelError(got.values, want)).toBeLessThanOrEqual(1e-5);
      tf.dispose([dy, w]);
    });
  }

  for (const [s, d, m] of [
    [2, 1, 2],
    [1, 2, 2],
    [2, 2, 1],
  ] as const) {
    it(`is the adjoint of depthwiseConv2d in the input for k=3 s=${s} d=${d} mult=${m} same`, () => {
      // Axiom: the op is linear in x, so Σ dy·dwconv(x, w) = Σ dX·x.
      const x = seededTensor<tf.Rank.R4>([2, 9, 8, C], 111);
      const w = seededTensor<tf.Rank.R4>([3, 3, C, m], 112);
      const attrs = { strides: s, pad: 'same', dilations: d } as unknown as tf.NamedAttrMap;
      const y = tf.engine().runKernel('DepthwiseConv2dNative', { x, filter: w }, attrs) as tf.Tensor4D;
      const dy = seededTensor<tf.Rank.R4>(y.shape, 113);
      const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, {
        ...attrs,
        inputShape: x.shape,
      } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
      const lhs = dot(dy, y);
      expect(Math.abs(lhs - dot(dx, x)) / Math.abs(lhs)).toBeLessThan(1e-5);
      tf.dispose([x, w, y, dy, dx]);
    });
  }

  it('leaves no tensor and no backend buffer behind when run through tf.grad of depthwiseConv2d', async () => {
    const x = seededTensor<tf.Rank.R4>([1, 8, 8, C], 121);
    const w = seededTensor<tf.Rank.R4>([3, 3, C, 2], 122);
    const backend = tf.engine().backend;
    const before = backend.numDataIds();
    await expectTensorDelta(() => {
      const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.depthwiseConv2d(xx as tf.Tensor4D, w, 2, 'same')))(x);
      g.dispose();
    }, 0);
    expect(backend.numDataIds() - before).toBe(0);
    tf.dispose([x, w]);
  });
});
