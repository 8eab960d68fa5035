/**
 * Registration of the training kernels lab adds to tfjs' wasm backend.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilterConfig } from './kernels/conv2d-backprop-filter';
import { LAB_KERNEL, makeConv2DBackpropInputConfig } from './kernels/conv2d-backprop-input';
import { depthwiseConv2dNativeBackpropFilterConfig } from './kernels/depthwise-conv2d-backprop-filter';
import { depthwiseConv2dNativeBackpropInputConfig } from './kernels/depthwise-conv2d-backprop-input';
import { WASM } from './kernels/kernel-scope';
import { unsortedSegmentSumConfig } from './kernels/unsorted-segment-sum';

/** Kernels the stock wasm backend lacks; registered when absent. */
const MISSING_KERNELS: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
];

/**
 * Registers lab's wasm training kernels: `Conv2DBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropFilter` and `DepthwiseConv2dNativeBackpropInput` and `UnsortedSegmentSum` (the gradient of `gather`; absent from
 * tfjs-backend-wasm 4.22), and a `Conv2DBackpropInput` whose stride-1 NHWC case runs as a forward
 * convolution (about 9× faster; other cases go to the stock kernel). Idempotent: kernels present
 * already (from an earlier call, or from another copy of this package) are left alone.
 */
export function registerWasmKernels(): void {
  for (const config of MISSING_KERNELS) {
    if (tf.getKernel(config.kernelName, WASM) == null) tf.registerKernel(config);
  }
  const current = tf.getKernel(tf.Conv2DBackpropInput, WASM);
  if (current != null && !(LAB_KERNEL in current)) {
    tf.unregisterKernel(tf.Conv2DBackpropInput, WASM);
    tf.registerKernel(makeConv2DBackpropInputConfig(current));
  }
}

/** The stock wasm `Conv2DBackpropInput` config that lab's replacement falls back to (for timing and tests). */
export function stockConv2DBackpropInputConfig(): tf.KernelConfig | undefined {
  const current = tf.getKernel(tf.Conv2DBackpropInput, WASM) as
    | (tf.KernelConfig & { [LAB_KERNEL]?: { stock: tf.KernelConfig } })
    | undefined;
  if (current == null) return undefined;
  return current[LAB_KERNEL]?.stock ?? current;
}
