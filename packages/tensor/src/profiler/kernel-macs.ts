import * as tf from '@tensorflow/tfjs-core';

/**
 * Multiply-accumulates of one kernel execution, from the shapes of its inputs and outputs.
 *
 * Covers the kernels that do multiply-accumulate work in a forward pass: 2-D/3-D convolutions
 * (plain, fused, depthwise), transposed convolutions (`Conv2DBackpropInput`,
 * `Conv3DBackpropInputV2`), batched matrix products (`BatchMatMul`, `_FusedMatMul`) and `Einsum`.
 * Bias additions and fused activations are not multiply-accumulates and are not counted.
 * Returns `undefined` for any other kernel.
 *
 * - convolution: size(out) · kh · kw · C_in (filter `[kh, kw, C_in, C_out]`, HWIO); dilation
 *   and stride change only the output size;
 * - depthwise: size(out) · kh · kw (each output element reads one input channel);
 * - transposed convolution: size(dy) · kh · kw · C_x, where dy is the (smaller) input and C_x the
 *   channels of the (larger) output;
 * - matmul: size(out) · K, with K the contracted axis of `a` (`transposeA` respected); batch
 *   broadcasting is already reflected in the output shape;
 * - einsum with two operands: the product of the sizes of all distinct indices.
 * @param kernelName - registered kernel name, e.g. `'Conv2D'`
 * @param inputShapes - shapes of the kernel's inputs, in the order of its input map
 * @param outputShape - shape of the kernel's (first) output
 * @param attrs - the kernel's attributes (`transposeA`, `equation`); may be empty
 * @returns the number of multiply-accumulates, or `undefined` when the kernel does none
 * @internal
 */
export function kernelMacs(
  kernelName: string,
  inputShapes: readonly (readonly number[] | null)[],
  outputShape: readonly number[],
  attrs: Readonly<Record<string, unknown>> = {},
): number | undefined {
  const out = sizeOf(outputShape);
  const second = inputShapes[1] ?? [];
  switch (kernelName) {
    case tf.Conv2D:
    case tf.FusedConv2D:
      // filter [kh, kw, inC, outC]
      return out * second[0] * second[1] * second[2];
    case tf.DepthwiseConv2dNative:
    case tf.FusedDepthwiseConv2D:
      // filter [kh, kw, inC, multiplier]
      return out * second[0] * second[1];
    case tf.Conv3D:
      // filter [kd, kh, kw, inC, outC]
      return out * second[0] * second[1] * second[2] * second[3];
    case tf.Conv2DBackpropInput: {
      // inputs {dy, filter}; filter [kh, kw, C_x, C_dy]
      const dy = inputShapes[0] ?? [];
      return sizeOf(dy) * second[0] * second[1] * second[2];
    }
    case tf.Conv3DBackpropInputV2: {
      const dy = inputShapes[0] ?? [];
      return sizeOf(dy) * second[0] * second[1] * second[2] * second[3];
    }
    case tf.BatchMatMul:
    case tf._FusedMatMul: {
      const a = inputShapes[0] ?? [];
      const r = a.length;
      const k = attrs.transposeA === true ? a[r - 2] : a[r - 1];
      return out * k;
    }
    case tf.Einsum:
      return einsumMacs(String(attrs.equation ?? ''), inputShapes);
    default:
      return undefined;
  }
}

/** Kernels for which {@link kernelMacs} returns a count. @internal */
export const MAC_KERNELS: readonly string[] = Object.freeze([
  tf.Conv2D,
  tf.FusedConv2D,
  tf.DepthwiseConv2dNative,
  tf.FusedDepthwiseConv2D,
  tf.Conv3D,
  tf.Conv2DBackpropInput,
  tf.Conv3DBackpropInputV2,
  tf.BatchMatMul,
  tf._FusedMatMul,
  tf.Einsum,
]);

/** MACs of a two-operand einsum: the product of every distinct index's size (one operand: 0). */
function einsumMacs(equation: string, inputShapes: readonly (readonly number[] | null)[]): number {
  const lhs = equation.replace(/\s/g, '').split('->')[0];
  const terms = lhs.split(',');
  if (terms.length < 2) return 0;
  const sizes = new Map<string, number>();
  terms.forEach((term, i) => {
    const shape = inputShapes[i] ?? [];
    for (let j = 0; j < term.length; j++) sizes.set(term[j], shape[j]);
  });
  let macs = 1;
  for (const s of sizes.values()) macs *= s;
  return macs;
}

function sizeOf(shape: readonly number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

/**
 * Counts the multiply-accumulates of the kernels executed on one backend while installed.
 *
 * It temporarily re-registers each MAC kernel of the backend with a wrapper that records the
 * kernel's input shapes, attributes and output shape, and restores the original registrations on
 * {@link KernelMacCounter.uninstall}. A MAC kernel that runs *inside* another MAC kernel (a kernel
 * implemented with other kernels) is not counted again.
 * @internal
 */
export class KernelMacCounter {
  /** Multiply-accumulates counted so far. */
  total = 0;
  /** The same, per kernel name. */
  readonly byKernel: Record<string, number> = {};
  private depth = 0;
  private originals: tf.KernelConfig[] = [];

  /** Wraps the MAC kernels registered for `backendName`. */
  install(backendName: string): void {
    if (this.originals.length > 0) return;
    for (const name of MAC_KERNELS) {
      const original = tf.getKernel(name, backendName);
      if (!original) continue;
      const wrapped: tf.KernelConfig = {
        ...original,
        kernelFunc: (args) => {
          this.depth++;
          let out: tf.TensorInfo | tf.TensorInfo[];
          try {
            out = original.kernelFunc(args);
          } finally {
            this.depth--;
          }
          if (this.depth === 0) this.record(name, args.inputs, args.attrs ?? {}, out);
          return out;
        },
      };
      tf.unregisterKernel(name, backendName);
      tf.registerKernel(wrapped);
      this.originals.push(original);
    }
  }

  /** Restores the original kernel registrations. Safe to call more than once. */
  uninstall(): void {
    for (const original of this.originals) {
      tf.unregisterKernel(original.kernelName, original.backendName);
      tf.registerKernel(original);
    }
    this.originals = [];
  }

  private record(
    name: string,
    inputs: tf.NamedTensorInfoMap,
    attrs: tf.NamedAttrMap,
    out: tf.TensorInfo | tf.TensorInfo[],
  ): void {
    const first = Array.isArray(out) ? out[0] : out;
    const inputShapes = Object.keys(inputs).map((k) => (inputs[k] ? inputs[k].shape : null));
    const macs = kernelMacs(name, inputShapes, first.shape, attrs as Record<string, unknown>);
    if (macs === undefined || !Number.isFinite(macs)) return;
    this.total += macs;
    this.byKernel[name] = (this.byKernel[name] ?? 0) + macs;
  }
}
