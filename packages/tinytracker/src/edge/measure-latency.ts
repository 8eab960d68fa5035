/**
 * Measured latency of a gaze model on the active tfjs backend.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions, measureRuntime, type RuntimeResult } from '@lab/tensor';
import { checkInt, withDefaults } from '../internal/checks';
import { GazeModel } from '../models/common/gaze-model';
import { QuantizedModel } from '../quant/quantized-model';

/** Options of {@link measureGazeLatency}; defaults in {@link MEASURE_GAZE_LATENCY_DEFAULTS}. @category Edge */
export interface MeasureGazeLatencyOptions {
  /** Images per call. @defaultValue 1 (one frame, as on the sensor) */
  batch?: number;
  /** Untimed calls first. @defaultValue 2 */
  warmup?: number;
  /** Timed calls. @defaultValue 10 */
  runs?: number;
}

/** Defaults of {@link MeasureGazeLatencyOptions}. @category Edge */
export const MEASURE_GAZE_LATENCY_DEFAULTS = Object.freeze({
  /** Default of {@link MeasureGazeLatencyOptions.batch}. */
  batch: 1,
  /** Default of {@link MeasureGazeLatencyOptions.warmup}. */
  warmup: 2,
  /** Default of {@link MeasureGazeLatencyOptions.runs}. */
  runs: 10,
} as const);

/**
 * Measures the wall-clock latency of one forward pass of a float model (`call`, eval mode) or of
 * an int8 model's fake-quantised path (`predict`, quantisation of the input included) on the
 * active tfjs backend (wasm by default), with `measureRuntime` of `@lab/tensor` on a zero input.
 * A measurement of this machine, not of an edge device.
 * @param model - a {@link GazeModel} or {@link QuantizedModel}
 * @param options - see {@link MeasureGazeLatencyOptions}
 * @returns the runtime statistics (ms); no tensors remain
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad model or option
 * @example
 * ```ts
 * const t = await measureGazeLatency(new TinyTracker(), { runs: 20 });
 * console.log(`${t.medianMs.toFixed(1)} ms`);
 * ```
 * @category Edge
 */
export async function measureGazeLatency(model: GazeModel | QuantizedModel, options: MeasureGazeLatencyOptions = {}): Promise<RuntimeResult> {
  const fn = 'measureGazeLatency';
  if (!(model instanceof GazeModel) && !(model instanceof QuantizedModel)) throw new InvalidValueError(`${fn}: model must be a GazeModel or a QuantizedModel`);
  checkOptions(fn, options, Object.keys(MEASURE_GAZE_LATENCY_DEFAULTS));
  const o = withDefaults(MEASURE_GAZE_LATENCY_DEFAULTS, options);
  checkInt(fn, 'batch', o.batch);
  checkInt(fn, 'warmup', o.warmup, 0);
  checkInt(fn, 'runs', o.runs);
  const x = tf.zeros([o.batch, ...model.inputShape]);
  const modes = model instanceof GazeModel ? model.modules().map((m) => [m, m.training] as const) : [];
  if (model instanceof GazeModel) model.eval();
  try {
    return await measureRuntime(() => tf.tidy(() => (model instanceof GazeModel ? model.call(x) : model.predict(x))), { warmup: o.warmup, runs: o.runs });
  } finally {
    x.dispose();
    for (const [m, mode] of modes) m.training = mode;
  }
}
