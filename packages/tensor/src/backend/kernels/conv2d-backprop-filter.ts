/**
 * `Conv2DBackpropFilter` for the wasm backend, which ships none.
 *
 * With stride `s`, dilation `d` and top/left padding `p`, the filter gradient is
 * `dW[a,b,i,o] = Σ_{n,y,x} X[n, y·s + a·d − p, x·s + b·d − p, i] · dY[n, y, x, o]`.
 * Read with the input channel `i` as the batch, the batch `n` as the input channel and `dY` as the
 * filter, this is one ordinary convolution whose stride is the original dilation and whose
 * dilation is the original stride: `conv(Xᵀ, dYᵀ)` with `Xᵀ = transpose(X, [3,1,2,0])`
 * (`[Ci,H,W,N]`) and `dYᵀ = transpose(dY, [1,2,0,3])` (`[Ho,Wo,N,Co]`), giving `[Ci,kh,kw,Co]`.
 * It runs on XNNPACK through the stock wasm `Conv2D` kernel.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { invariant } from '../../errors';
import { type KernelArgs, WASM, cropNegativePads, kernelScope, pair, requireChannelsLast } from './kernel-scope';

/**
 * Attributes accepted by the kernel: tfjs' `Conv2DBackpropFilterAttrs` plus an optional
 * `dilations` (tfjs never sends one; the gradient of a dilated `conv2d` is refused upstream).
 */
interface Attrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  dilations?: number | [number, number];
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as Attrs;
  requireChannelsLast(tf.Conv2DBackpropFilter, a.dataFormat);
  const dil = pair(a.dilations, 1);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    dil,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { filterHeight: kh, filterWidth: kw, outHeight: ho, outWidth: wo } = info;
  invariant(dy.shape[1] === ho && dy.shape[2] === wo, `Conv2DBackpropFilter: dy ${dy.shape} vs out ${ho}x${wo}`);
  const [, h, w] = x.shape;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Padding that makes the output exactly kh × kw (negative: crop input rows nothing reads).
  const bottom = (kh - 1) * dh + (ho - 1) * sh + 1 - h - top;
  const right = (kw - 1) * dw + (wo - 1) * sw + 1 - w - left;
  const kb = backend as tf.KernelBackend;
  return kernelScope(kb, (run) => {
    const xt = run('Transpose', { x }, { perm: [3, 1, 2, 0] });
    const dyt = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    const cropped = cropNegativePads(run, xt, [top, bottom, left, right]);
    const g = run(
      'Conv2D',
      { x: cropped.x, filter: dyt },
      { strides: [dh, dw], dilations: [sh, sw], pad: cropped.pad, dataFormat: 'NHWC' },
    );
    invariant(g.shape[1] === kh && g.shape[2] === kw, `Conv2DBackpropFilter: got ${g.shape}`);
    return run('Transpose', { x: g }, { perm: [1, 2, 0, 3] });
  });
}

/** Kernel config registered for `'wasm'` by `registerWasmKernels`. */
export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: WASM,
  kernelFunc: conv2DBackpropFilter as tf.KernelFunc,
};
