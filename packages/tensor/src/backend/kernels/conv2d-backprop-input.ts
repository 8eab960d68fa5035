/**
 * A faster `Conv2DBackpropInput` for the wasm backend at stride 1.
 *
 * The stock wasm kernel is a naive loop (82 ms where an equivalent forward convolution takes
 * 9 ms). At stride 1 the input gradient is a forward convolution of `dY` with the spatially
 * flipped filter whose input and output channels are swapped:
 * `dX[n,y,x,i] = Σ_{a,b,o} dY[n, y + p − a, x + p − b, o] · W[a,b,i,o]
 *              = conv(dY, W')[n,y,x,i]` with `W'[a,b,o,i] = W[kh−1−a, kw−1−b, i, o]` and padding
 * `kh − 1 − p` before (negative padding crops). Other strides and the channels-first layout go to
 * the stock kernel, kept from before the replacement.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { invariant } from '../../errors';
import { type KernelArgs, WASM, cropNegativePads, kernelScope, pair } from './kernel-scope';

interface Attrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/** Marks kernel configs made here, so a second copy of the package recognises them. */
export const LAB_KERNEL = Symbol.for('@lab/tensor:wasm-kernel');

/**
 * The stride-1 path: a forward `Conv2D` of `dy` with the flipped, transposed filter.
 * Exposed for tests and timing.
 */
export function conv2DBackpropInputStride1(
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  attrs: Attrs,
  backend: tf.KernelBackend,
): tf.TensorInfo {
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w } = info;
  invariant(info.strideHeight === 1 && info.strideWidth === 1, 'conv2DBackpropInputStride1 needs stride 1');
  invariant(dy.shape[1] === info.outHeight && dy.shape[2] === info.outWidth, `dy ${dy.shape} vs ${info.outShape}`);
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = h + info.padInfo.top - dy.shape[1];
  const right = w + info.padInfo.left - dy.shape[2];
  return kernelScope(backend, (run) => {
    const flipped = run('Reverse', { x: filter }, { dims: [0, 1] });
    const swapped = run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
    const cropped = cropNegativePads(run, dy, [top, bottom, left, right]);
    const dx = run(
      'Conv2D',
      { x: cropped.x, filter: swapped },
      { strides: [1, 1], dilations: [1, 1], pad: cropped.pad, dataFormat: 'NHWC' },
    );
    invariant(dx.shape[1] === h && dx.shape[2] === w, `Conv2DBackpropInput: got ${dx.shape}, want ${h}x${w}`);
    return dx;
  });
}

/**
 * Builds the replacement config around the stock one: stride 1 with NHWC goes to
 * {@link conv2DBackpropInputStride1}, everything else to `stock.kernelFunc`. The stock setup and
 * dispose hooks are kept so the stock path stays initialised.
 */
export function makeConv2DBackpropInputConfig(stock: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const a = args.attrs as unknown as Attrs;
    const [sh, sw] = pair(a.strides, 1);
    if (sh === 1 && sw === 1 && (a.dataFormat == null || a.dataFormat === 'NHWC')) {
      const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
      return conv2DBackpropInputStride1(dy, filter, a, args.backend as tf.KernelBackend);
    }
    return stock.kernelFunc(args);
  };
  const config: tf.KernelConfig & { [LAB_KERNEL]?: { stock: tf.KernelConfig } } = {
    kernelName: tf.Conv2DBackpropInput,
    backendName: WASM,
    kernelFunc: kernelFunc as tf.KernelFunc,
    setupFunc: stock.setupFunc,
    disposeFunc: stock.disposeFunc,
  };
  config[LAB_KERNEL] = { stock };
  return config;
}
