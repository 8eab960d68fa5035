/**
 * Calibration of activation ranges on representative data, for post-training quantisation.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import { checkInt, checkNumber, checkOneOf, withDefaults } from '../internal/checks';
import { type InferenceGraph, checkGraphInput, runInferenceGraph } from './inference-graph';

/** Options of {@link calibrateActivations}; defaults in {@link CALIBRATE_DEFAULTS}. @category Quantisation */
export interface CalibrateOptions {
  /**
   * `'minmax'`: the smallest and largest value seen (the TFLite converter's calibration);
   * `'percentile'`: the `100 − p` and `p` percentiles of all values of the tensor, from a
   * histogram, which clips rare outliers.
   * @defaultValue 'minmax'
   */
  method?: 'minmax' | 'percentile';
  /** `p` of the percentile method, in (50, 100]. @defaultValue 99.99 */
  percentile?: number;
  /** Histogram bins of the percentile method. @defaultValue 2048 */
  bins?: number;
  /** Samples per forward pass (results do not depend on it). @defaultValue 32 */
  batchSize?: number;
}

/**
 * Defaults of {@link CalibrateOptions}: min/max as `TFLiteConverter` with a representative
 * dataset; the percentile 99.99 and 2048 bins follow common histogram calibrators (TensorRT,
 * PyTorch's `HistogramObserver` uses 2048 bins) and are this package's choice.
 * @category Quantisation
 */
export const CALIBRATE_DEFAULTS = Object.freeze({
  /** Default of {@link CalibrateOptions.method}. */
  method: 'minmax',
  /** Default of {@link CalibrateOptions.percentile}. */
  percentile: 99.99,
  /** Default of {@link CalibrateOptions.bins}. */
  bins: 2048,
  /** Default of {@link CalibrateOptions.batchSize}. */
  batchSize: 32,
} as const);

/** Calibrated `[min, max]` per tensor of a graph (undefined for tensors no op produced). @category Quantisation */
export type ActivationRanges = readonly (readonly [number, number] | undefined)[];

/**
 * Runs a float inference graph over calibration inputs and records each tensor's range.
 *
 * Every tensor the graph computes (the input included) gets `[min, max]`: the extremes over all
 * samples (`minmax`), or the `100 − p` and `p` percentiles of all its values (`percentile`;
 * a second pass fills a histogram of `bins` equal bins over the min/max range, and the
 * percentiles are read at bin edges, outward). Batching does not change the result.
 * @param graph - the float graph, e.g. `model.inferenceGraph()`
 * @param data - calibration inputs `[N, ...input shape]`, float32 (TinyTracker: 500 validation images)
 * @param options - see {@link CalibrateOptions}
 * @returns the ranges, indexed by tensor id; no tensors
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option; {@link "@lab/tensor"!ShapeError | ShapeError} when `data` does not fit the graph
 * @example
 * ```ts
 * const ranges = calibrateActivations(net.inferenceGraph(), images, { method: 'percentile' });
 * ```
 * @category Quantisation
 */
export function calibrateActivations(graph: InferenceGraph, data: tf.Tensor, options: CalibrateOptions = {}): ActivationRanges {
  const fn = 'calibrateActivations';
  checkOptions(fn, options, Object.keys(CALIBRATE_DEFAULTS));
  const o = withDefaults(CALIBRATE_DEFAULTS, options);
  checkOneOf(fn, 'method', o.method, ['minmax', 'percentile']);
  checkNumber(fn, 'percentile', o.percentile, 50, 100);
  if (o.percentile === 50) throw new InvalidValueError(`${fn}: percentile must be in (50, 100], got 50`);
  checkInt(fn, 'bins', o.bins, 2);
  checkInt(fn, 'batchSize', o.batchSize);
  checkGraphInput(fn, graph, data);

  const count = graph.tensors.length;
  const mins = new Float64Array(count).fill(Infinity);
  const maxs = new Float64Array(count).fill(-Infinity);
  const seen = new Uint8Array(count);
  forEachBatch(graph, data, o.batchSize, (id, values) => {
    seen[id] = 1;
    let lo = mins[id];
    let hi = maxs[id];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    mins[id] = lo;
    maxs[id] = hi;
  });
  if (o.method === 'minmax') {
    return Array.from({ length: count }, (_, id) => (seen[id] ? ([mins[id], maxs[id]] as const) : undefined));
  }
  const bins = o.bins;
  const hist = Array.from({ length: count }, (_, id) => (seen[id] ? new Float64Array(bins) : undefined));
  forEachBatch(graph, data, o.batchSize, (id, values) => {
    const h = hist[id] as Float64Array;
    const lo = mins[id];
    const width = (maxs[id] - lo) / bins;
    for (let i = 0; i < values.length; i++) {
      const b = width > 0 ? Math.min(bins - 1, Math.floor((values[i] - lo) / width)) : 0;
      h[b]++;
    }
  });
  const tail = (100 - o.percentile) / 100;
  return hist.map((h, id) => {
    if (!h) return undefined;
    const lo = mins[id];
    const width = (maxs[id] - lo) / bins;
    if (width === 0) return [lo, maxs[id]] as const;
    let total = 0;
    for (const c of h) total += c;
    const cut = tail * total;
    // Lowest bin whose cumulative count from below exceeds the cut; its lower edge.
    let acc = 0;
    let first = 0;
    for (; first < bins - 1; first++) {
      acc += h[first];
      if (acc > cut) break;
    }
    acc = 0;
    let last = bins - 1;
    for (; last > 0; last--) {
      acc += h[last];
      if (acc > cut) break;
    }
    return [lo + first * width, Math.min(maxs[id], lo + (last + 1) * width)] as const;
  });
}

/** Runs the graph batch by batch, handing every tensor's values to `visit`. */
function forEachBatch(graph: InferenceGraph, data: tf.Tensor, batchSize: number, visit: (id: number, values: Float32Array) => void): void {
  const n = data.shape[0];
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    tf.tidy(() => {
      const x = tf.slice(data, start, size);
      runInferenceGraph(graph, x, { onTensor: (id, t) => visit(id, t.dataSync() as Float32Array) });
    });
  }
}
