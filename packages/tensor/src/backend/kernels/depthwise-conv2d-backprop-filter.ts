/**
 * `DepthwiseConv2dNativeBackpropFilter` for the wasm backend, which ships none.
 *
 * With stride `s`, dilation `d`, padding `p` and channel multiplier `M`,
 * `dW[a,b,c,m] = Σ_{n,i,j} X[n, a·d + i·s − p, b·d + j·s − p, c] · dY[n,i,j,c·M+m]`.
 * For one image this is itself a depthwise convolution: of `X` (input, padded by `p`) with `dY`
 * viewed as a `[Ho, Wo, C, M]` filter, with stride `d` and dilation `s`, whose output is
 * `[1, kh, kw, C·M]`. Several images become channels (`X` → `[1, H, W, N·C]`, `dY` →
 * `[Ho, Wo, N·C, M]`) and the result is summed over `N`. It runs on XNNPACK through the stock wasm
 * `DepthwiseConv2dNative` kernel (3 ms for a 3×3 filter on 1×64×64×64, against 16 ms per tap).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { invariant } from '../../errors';
import { type KernelArgs, WASM, cropNegativePads, kernelScope } from './kernel-scope';

interface Attrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

function depthwiseConv2dNativeBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as Attrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { filterHeight: kh, filterWidth: kw, outHeight: ho, outWidth: wo } = info;
  const [n, h, w, c] = x.shape;
  const m = a.filterShape[3];
  invariant(dy.shape[1] === ho && dy.shape[2] === wo && dy.shape[3] === c * m, `dy ${dy.shape} vs ${info.outShape}`);
  const { top, left } = info.padInfo;
  // Padding that makes the output exactly kh × kw (negative: crop input rows nothing reads).
  const bottom = (kh - 1) * dh + (ho - 1) * sh + 1 - h - top;
  const right = (kw - 1) * dw + (wo - 1) * sw + 1 - w - left;
  return kernelScope(backend as tf.KernelBackend, (run) => {
    const images =
      n === 1 ? x : run('Reshape', { x: run('Transpose', { x }, { perm: [1, 2, 0, 3] }) }, { shape: [1, h, w, n * c] });
    const filter =
      n === 1
        ? run('Reshape', { x: dy }, { shape: [ho, wo, c, m] })
        : run('Reshape', { x: run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }) }, { shape: [ho, wo, n * c, m] });
    const cropped = cropNegativePads(run, images, [top, bottom, left, right]);
    const g = run(
      'DepthwiseConv2dNative',
      { x: cropped.x, filter },
      { strides: [dh, dw], dilations: [sh, sw], pad: cropped.pad },
    );
    invariant(g.shape[1] === kh && g.shape[2] === kw, `DepthwiseConv2dNativeBackpropFilter: got ${g.shape}`);
    if (n === 1) return run('Reshape', { x: g }, { shape: [kh, kw, c, m] });
    const perImage = run('Reshape', { x: g }, { shape: [kh, kw, n, c * m] });
    const summed = run('Sum', { x: perImage }, { axis: [2], keepDims: false });
    return run('Reshape', { x: summed }, { shape: [kh, kw, c, m] });
  });
}

/** Kernel config registered for `'wasm'` by `registerWasmKernels`. */
export const depthwiseConv2dNativeBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: WASM,
  kernelFunc: depthwiseConv2dNativeBackpropFilter as tf.KernelFunc,
};
