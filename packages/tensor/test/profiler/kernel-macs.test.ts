import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { KernelMacCounter, kernelMacs } from '../../src/profiler/kernel-macs';
import { describeBackends, expectTensorDelta } from '../helpers';

describe('kernelMacs', () => {
  it('counts Conv2D as size(out)·kh·kw·C_in (out=[1,4,4,8], filter=[3,3,2,8])', () => {
    // 128 outputs × 18 taps
    expect(kernelMacs('Conv2D', [[1, 6, 6, 2], [3, 3, 2, 8]], [1, 4, 4, 8])).toBe(2_304);
    expect(kernelMacs('FusedConv2D', [[1, 6, 6, 2], [3, 3, 2, 8], [8]], [1, 4, 4, 8])).toBe(2_304);
  });

  it('counts depthwise convs as size(out)·kh·kw (filter=[5,5,4,2])', () => {
    // out [1,3,3,8]: 72 × 25
    expect(kernelMacs('DepthwiseConv2dNative', [[1, 7, 7, 4], [5, 5, 4, 2]], [1, 3, 3, 8])).toBe(1_800);
  });

  it('counts Conv3D as size(out)·kd·kh·kw·C_in', () => {
    // out [1,2,2,2,4] = 32 × 3·3·3·2
    expect(kernelMacs('Conv3D', [[1, 4, 4, 4, 2], [3, 3, 3, 2, 4]], [1, 2, 2, 2, 4])).toBe(1_728);
  });

  it('respects transposeA when reading K (a=[2,5,3]ᵀ, out=[2,3,7])', () => {
    expect(kernelMacs('BatchMatMul', [[2, 5, 3], [2, 5, 7]], [2, 3, 7], { transposeA: true })).toBe(42 * 5);
    expect(kernelMacs('BatchMatMul', [[2, 3, 5], [2, 5, 7]], [2, 3, 7], { transposeA: false })).toBe(42 * 5);
  });

  it('counts broadcast batch matmuls by the output batch (a=[1,4,6], b=[3,6,2])', () => {
    expect(kernelMacs('BatchMatMul', [[1, 4, 6], [3, 6, 2]], [3, 4, 2], {})).toBe(3 * 4 * 2 * 6);
  });

  it('counts two-operand einsum as the product of all index sizes and one-operand einsum as 0', () => {
    expect(kernelMacs('Einsum', [[2, 3], [3, 4]], [2, 4], { equation: 'ij,jk->ik' })).toBe(24);
    expect(kernelMacs('Einsum', [[2, 3]], [3, 2], { equation: 'ij->ji' })).toBe(0);
  });

  it('returns undefined for kernels without multiply-accumulates', () => {
    expect(kernelMacs('Add', [[2], [2]], [2])).toBeUndefined();
    expect(kernelMacs('AvgPool', [[1, 4, 4, 1]], [1, 2, 2, 1])).toBeUndefined();
  });
});

describeBackends('KernelMacCounter', () => {
  it('does not count a MAC kernel run inside another MAC kernel', async () => {
    const backend = tf.getBackend();
    const original = tf.getKernel(tf.Conv2DBackpropInput, backend);
    if (!original) throw new Error('Conv2DBackpropInput must be registered');
    // A stand-in transposed conv implemented with an engine matmul (24 MACs) inside.
    tf.unregisterKernel(tf.Conv2DBackpropInput, backend);
    tf.registerKernel({
      kernelName: tf.Conv2DBackpropInput,
      backendName: backend,
      kernelFunc: () => tf.matMul(tf.ones([2, 3]), tf.ones([3, 4])),
    });
    const counter = new KernelMacCounter();
    try {
      await expectTensorDelta(() => {
        counter.install(backend);
        try {
          tf.tidy(() => {
            const dy = tf.zeros([1, 2, 2, 8]);
            tf.conv2dTranspose(dy as tf.Tensor4D, tf.zeros([3, 3, 4, 8]) as tf.Tensor4D, [1, 4, 4, 4], 2, 'same');
            tf.matMul(tf.ones([1, 5]), tf.ones([5, 1])); // a top-level matmul still counts: 5
          });
        } finally {
          counter.uninstall();
        }
      });
      // outer: size(dy)·3·3·4 = 32·36 = 1,152; the inner 24 MACs are not added; plus 5.
      expect(counter.byKernel).toEqual({ Conv2DBackpropInput: 1_152, BatchMatMul: 5 });
      expect(counter.total).toBe(1_157);
    } finally {
      counter.uninstall();
      tf.unregisterKernel(tf.Conv2DBackpropInput, backend);
      tf.registerKernel(original);
    }
  });

  it('restores the original kernel registrations on uninstall', () => {
    const backend = tf.getBackend();
    const before = tf.getKernel(tf.Conv2D, backend);
    const counter = new KernelMacCounter();
    counter.install(backend);
    expect(tf.getKernel(tf.Conv2D, backend)).not.toBe(before);
    counter.uninstall();
    counter.uninstall(); // idempotent
    expect(tf.getKernel(tf.Conv2D, backend)).toBe(before);
  });
});
