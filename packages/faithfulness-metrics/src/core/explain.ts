/**
 * Batched re-explanation: metrics that compare maps of perturbed inputs or models call the
 * attribution method on host-built images, `batchSize` images per `attribute` call.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@lab/tensor';
import type { AttributionMethod, AttributionModel } from '@lab/attribution';
import type { ImageDims } from './checks';
import { transformPixelMaps } from './maps';
import type { Normalisation, SignConversion } from './metric';

/** Checks a method argument and its extra options (`target` is set by the metric). */
export function checkMethod(fn: string, method: unknown, methodOptions: unknown): asserts method is AttributionMethod<any> {
  if (method === null || typeof method !== 'object' || typeof (method as AttributionMethod).attribute !== 'function') {
    throw new InvalidValueError(`${fn}: method must be an AttributionMethod (with attribute()), got ${typeof method}`);
  }
  if (methodOptions !== undefined && (methodOptions === null || typeof methodOptions !== 'object')) {
    throw new InvalidValueError(`${fn}: methodOptions must be an object, got ${typeof methodOptions}`);
  }
  if (methodOptions && 'target' in (methodOptions as object)) {
    throw new InvalidValueError(`${fn}: methodOptions must not set target (the metric sets it)`);
  }
}

/** How maps are explained and read. */
export interface ExplainJob {
  readonly fn: string;
  readonly method: AttributionMethod<any>;
  readonly model: AttributionModel;
  readonly dims: ImageDims;
  readonly count: number;
  readonly batchSize: number;
  readonly methodOptions?: Readonly<Record<string, unknown>>;
  readonly sign: SignConversion;
  readonly normalise: Normalisation;
  fill(k: number, out: Float32Array): void;
  classOf(k: number): number;
}

/**
 * Explains `count` host-built images in batches; returns the per-pixel maps (channels summed,
 * sign-converted, normalised), `count·H·W` values.
 * @throws InvalidValueError when the method returns NaN/Inf or a map of the wrong shape
 */
export async function explainUnits(job: ExplainJob): Promise<Float64Array> {
  const { height: H, width: W, channels: C } = job.dims;
  const size = H * W * C;
  const P = H * W;
  const out = new Float64Array(job.count * P);
  for (let start = 0; start < job.count; start += job.batchSize) {
    const n = Math.min(job.batchSize, job.count - start);
    const buf = new Float32Array(n * size);
    const target: number[] = [];
    for (let k = 0; k < n; k++) {
      job.fill(start + k, buf.subarray(k * size, (k + 1) * size));
      target.push(job.classOf(start + k));
    }
    const x = tf.tensor4d(buf, [n, H, W, C]);
    let res: { attributions: tf.Tensor; delta?: tf.Tensor } | undefined;
    try {
      res = await job.method.attribute(job.model, x, { ...job.methodOptions, target });
      const a = res.attributions;
      if (a.rank !== 4 || a.shape[0] !== n || a.shape[1] !== H || a.shape[2] !== W) {
        throw new InvalidValueError(`${job.fn}: method ${job.method.name} returned maps of shape [${a.shape}], expected [${n}, ${H}, ${W}, C]`);
      }
      const ac = a.shape[3] as number;
      const vals = await a.data();
      for (let q = 0; q < n * P; q++) {
        let s = 0;
        for (let c = 0; c < ac; c++) s += vals[q * ac + c];
        if (!Number.isFinite(s)) throw new InvalidValueError(`${job.fn}: method ${job.method.name} returned a non-finite attribution (${s})`);
        out[start * P + q] = s;
      }
    } finally {
      x.dispose();
      if (res) tf.dispose([res.attributions, ...(res.delta ? [res.delta] : [])]);
    }
  }
  transformPixelMaps(job.fn, { values: out, count: job.count, height: H, width: W, pixels: P }, { sign: job.sign, normalise: job.normalise });
  return out;
}
