/**
 * `DepthwiseConv2dNativeBackpropInput` for the wasm backend, which ships none.
 *
 * With stride `s`, dilation `d`, padding `p` and channel multiplier `M`,
 * `dX[n,y,x,c] = Σ_{i,j,a,b,m : i·s + a·d − p = y, j·s + b·d − p = x} dY[n,i,j,c·M+m] · W[a,b,c,m]`.
 * Inserting `s − 1` zeros after every element of `dY` turns this into a stride-1 depthwise
 * convolution (dilation `d`) of the zero-filled `dY` with the spatially flipped filter, reshaped to
 * multiplier 1 over the `C·M` channels, followed by a sum over the `M` channels of each input
 * channel. It runs on XNNPACK through the stock wasm `DepthwiseConv2dNative` kernel.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { invariant } from '../../errors';
import { type KernelArgs, WASM, cropNegativePads, insertZeros, kernelScope } from './kernel-scope';

interface Attrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

function depthwiseConv2dNativeBackpropInput({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as Attrs;
  const info = tf.backend_util.computeConv2DInfo(
    a.inputShape,
    filter.shape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w, inChannels: c } = info;
  const m = filter.shape[3];
  invariant(dy.shape[1] === info.outHeight && dy.shape[2] === info.outWidth, `dy ${dy.shape} vs ${info.outShape}`);
  const [n] = dy.shape;
  return kernelScope(backend as tf.KernelBackend, (run) => {
    const up = insertZeros(run, dy, sh, sw);
    const top = (kh - 1) * dh - info.padInfo.top;
    const left = (kw - 1) * dw - info.padInfo.left;
    const bottom = h + info.padInfo.top - up.shape[1];
    const right = w + info.padInfo.left - up.shape[2];
    const flipped = run('Reverse', { x: filter }, { dims: [0, 1] });
    const perChannel = run('Reshape', { x: flipped }, { shape: [kh, kw, c * m, 1] });
    const cropped = cropNegativePads(run, up, [top, bottom, left, right]);
    const full = run(
      'DepthwiseConv2dNative',
      { x: cropped.x, filter: perChannel },
      { strides: [1, 1], dilations: [dh, dw], pad: cropped.pad },
    );
    invariant(full.shape[1] === h && full.shape[2] === w, `DepthwiseConv2dNativeBackpropInput: got ${full.shape}`);
    if (m === 1) return full;
    const split = run('Reshape', { x: full }, { shape: [n, h, w, c, m] });
    return run('Sum', { x: split }, { axis: [4], keepDims: false });
  });
}

/** Kernel config registered for `'wasm'` by `registerWasmKernels`. */
export const depthwiseConv2dNativeBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: WASM,
  kernelFunc: depthwiseConv2dNativeBackpropInput as tf.KernelFunc,
};
