/**
 * `UnsortedSegmentSum` for the wasm backend, which ships none. tfjs computes the gradient of
 * `gather` (and so of every embedding or table lookup) with it, so without it no model that
 * indexes a parameter can train on wasm.
 *
 * `out[s, …] = Σ_{i : ids[i] = s} x[i, …]`; ids outside `[0, numSegments)` are dropped, as in
 * TensorFlow. The scatter-add runs in plain JavaScript over the backend's buffers: one pass over
 * `x`, `O(size(x))` time and no temporary as large as `ids × numSegments` (which a one-hot matmul
 * would need).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { invariant } from '../../errors';
import { type KernelArgs, WASM } from './kernel-scope';

function unsortedSegmentSum({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
  invariant(
    Number.isInteger(numSegments) && numSegments >= 0,
    `UnsortedSegmentSum: numSegments must be a non-negative integer, got ${numSegments}`,
  );
  const idRank = segmentIds.shape.length;
  invariant(
    segmentIds.shape.every((d, i) => d === x.shape[i]),
    `UnsortedSegmentSum: segmentIds shape ${segmentIds.shape} is not a prefix of x shape ${x.shape}`,
  );
  const outer = segmentIds.shape.reduce((a, b) => a * b, 1);
  const innerShape = x.shape.slice(idRank);
  const inner = innerShape.reduce((a, b) => a * b, 1);
  const b = backend as tf.KernelBackend;
  const xs = b.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = b.readSync(segmentIds.dataId) as Int32Array | Float32Array;
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < outer; i++) {
    const s = ids[i];
    if (!(s >= 0 && s < numSegments)) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j] += xs[src + j];
  }
  const shape = [numSegments, ...innerShape];
  const dataId = b.write(out, shape, x.dtype);
  return { dataId, shape, dtype: x.dtype };
}

/** Kernel config of lab's wasm `UnsortedSegmentSum`. */
export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: WASM,
  kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
};
