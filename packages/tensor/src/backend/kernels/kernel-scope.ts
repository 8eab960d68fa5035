/**
 * Internal plumbing for composite wasm kernels: calls other registered wasm kernels directly on
 * `TensorInfo`s (no `Tensor` objects, no engine bookkeeping, no tape) and frees every
 * intermediate the body created except the one it returns.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { invariant } from '../../errors';

type TensorInfo = tf.TensorInfo;

/** The argument every tfjs kernel function receives. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Backend name the composite kernels are registered for. */
export const WASM = 'wasm';

/**
 * Runs registered wasm kernel `name` on `inputs`; the result must be freed with
 * `backend.disposeData` unless it is handed to the engine as a kernel output.
 */
export type RunKernel = (
  name: string,
  inputs: tf.NamedTensorInfoMap | TensorInfo[],
  attrs?: tf.NamedAttrMap,
) => TensorInfo;

/**
 * Runs `body` with a kernel runner whose outputs are freed when the body returns, except the
 * output the body returns (which the engine then owns). On an exception every intermediate is
 * freed before the error propagates. Outputs that share a data id with an input (Reshape) hold
 * their own reference, so freeing them never frees the input.
 */
export function kernelScope(backend: tf.KernelBackend, body: (run: RunKernel) => TensorInfo): TensorInfo {
  const temps: TensorInfo[] = [];
  const run: RunKernel = (name, inputs, attrs = {}) => {
    const kernel = tf.getKernel(name, WASM);
    invariant(kernel != null, `kernel '${name}' is not registered for backend '${WASM}'`);
    const out = kernel.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs });
    invariant(!Array.isArray(out), `kernel '${name}' returned several outputs`);
    temps.push(out);
    return out;
  };
  let result: TensorInfo | undefined;
  try {
    result = body(run);
    // The engine wraps the result in a new tensor: it must be a fresh output, never an input.
    invariant(temps.includes(result), 'a composite kernel must return one of its own outputs');
    return result;
  } finally {
    for (const t of temps) if (t !== result) backend.disposeData(t.dataId);
  }
}

/** Explicit `[top, bottom, left, right]` padding; entries may be negative (then the edge is cropped). */
export type Pads = [number, number, number, number];

/**
 * Crops the spatial edges of the NHWC tensor `x` whose pads are negative and returns the input
 * together with the non-negative pads that remain, in tfjs' explicit-padding form.
 */
export function cropNegativePads(
  run: RunKernel,
  x: TensorInfo,
  pads: Pads,
): { x: TensorInfo; pad: tf.backend_util.ExplicitPadding } {
  const [top, bottom, left, right] = pads;
  const cropTop = Math.max(0, -top);
  const cropBottom = Math.max(0, -bottom);
  const cropLeft = Math.max(0, -left);
  const cropRight = Math.max(0, -right);
  let out = x;
  if (cropTop + cropBottom + cropLeft + cropRight > 0) {
    const [n, h, w, c] = x.shape;
    const size = [n, h - cropTop - cropBottom, w - cropLeft - cropRight, c];
    invariant(size[1] > 0 && size[2] > 0, `cropping ${pads.join(',')} leaves nothing of ${x.shape.join('x')}`);
    out = run('Slice', { x }, { begin: [0, cropTop, cropLeft, 0], size });
  }
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  return { x: out, pad };
}

/** Reads a `number | [number, number]` attribute as a pair. */
export function pair(v: number | number[] | undefined, fallback: number): [number, number] {
  if (v == null) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  return [v[0], v.length > 1 ? v[1] : v[0]];
}

/** Throws the error the stock kernels throw for the channels-first layout. */
export function requireChannelsLast(kernelName: string, dataFormat: unknown): void {
  if (dataFormat != null && dataFormat !== 'NHWC') {
    throw new Error(`wasm backend ${kernelName} does not support dataFormat:'${String(dataFormat)}'. Please use 'NHWC'.`);
  }
}

/**
 * Inserts `s - 1` zeros after every spatial element of the NHWC tensor `dy` (the "dilation" of
 * the output gradient by the stride); the result is `[n, h·sh, w·sw, c]`, its trailing `s - 1`
 * rows and columns being zeros.
 */
export function insertZeros(run: RunKernel, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  if (sh === 1 && sw === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const six = run('Reshape', { x: dy }, { shape: [n, h, 1, w, 1, c] });
  const padded = run(
    'PadV2',
    { x: six },
    {
      paddings: [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
  return run('Reshape', { x: padded }, { shape: [n, h * sh, w * sw, c] });
}
