/**
 * Batched model evaluation of host-built images: every metric that perturbs inputs describes its
 * work as numbered units (one image each), and this module evaluates them `batchSize` at a time.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@lab/tensor';
import { runModel, type AttributionModel, type AttributionWorkers } from '@lab/attribution';
import type { ImageDims } from './checks';

/** Model outputs of a batch of units. */
export interface UnitScores {
  /** The (optionally softmaxed) output of each unit's class. */
  readonly scores: Float64Array;
  /** The argmax class of each unit. */
  readonly predictions: Int32Array;
  /** Outputs per sample, `K`. */
  readonly outputs: number;
}

/** How units are evaluated. */
export interface UnitJob {
  readonly fn: string;
  readonly model: AttributionModel;
  readonly dims: ImageDims;
  readonly count: number;
  readonly batchSize: number;
  /** Softmax over the outputs before reading the class score. */
  readonly softmax?: boolean;
  /** Writes unit `k`'s image (`H·W·C`) into `out`. Called in unit order. */
  fill(k: number, out: Float32Array): void;
  /** The class whose score is read for unit `k`; −1 reads the predicted (argmax) class. */
  classOf(k: number): number;
  /** Run the model calls on these workers (copies of `model`); images are still filled here in unit order. */
  readonly workers?: AttributionWorkers;
}

/**
 * Evaluates `count` host-built images in batches of `batchSize`, in unit order (so stateful
 * `fill`s such as warm-started imputation see the same sequence whatever the batch size).
 * @throws InvalidValueError when the model returns a non-finite value or a class is out of range
 */
export async function scoreUnits(job: UnitJob): Promise<UnitScores> {
  const { height: H, width: W, channels: C } = job.dims;
  const size = H * W * C;
  const scores = new Float64Array(job.count);
  const predictions = new Int32Array(job.count);
  let outputs = 0;
  const batches = Math.ceil(job.count / job.batchSize);
  const build = (b: number): tf.Tensor4D => {
    const start = b * job.batchSize;
    const n = Math.min(job.batchSize, job.count - start);
    const buf = new Float32Array(n * size);
    for (let k = 0; k < n; k++) job.fill(start + k, buf.subarray(k * size, (k + 1) * size));
    return tf.tensor4d(buf, [n, H, W, C]);
  };
  // With workers, batches are built (in unit order) and sent ahead, 2 per worker; the model's
  // outputs come back and are read here exactly as this thread's would be.
  const { workers } = job;
  const inflight = new Map<number, Promise<tf.Tensor>>();
  let next = 0;
  const forward = (b: number): Promise<tf.Tensor> => {
    const x = build(b);
    return (workers as AttributionWorkers).forward([x]).then(([y]) => y).finally(() => x.dispose());
  };
  try {
    for (let b = 0; b < batches; b++) {
      const start = b * job.batchSize;
      const n = Math.min(job.batchSize, job.count - start);
      let out: tf.Tensor;
      if (workers === undefined) {
        const x = build(b);
        try {
          out = tf.tidy(() => {
            const y = tf.reshape(runModel(job.model, x), [n, -1]);
            return job.softmax ? tf.softmax(y) : y;
          });
        } finally {
          x.dispose();
        }
      } else {
        for (; next < Math.min(batches, b + 1 + 2 * workers.size); next++) {
          const p = forward(next);
          p.catch(() => undefined);
          inflight.set(next, p);
        }
        const raw = await (inflight.get(b) as Promise<tf.Tensor>);
        inflight.delete(b);
        try {
          out = tf.tidy(() => {
            const y = tf.reshape(raw, [n, -1]);
            return job.softmax ? tf.softmax(y) : y;
          });
        } finally {
          raw.dispose();
        }
      }
      let vals: Float32Array | Int32Array | Uint8Array;
      try {
        vals = await out.data();
        outputs = out.shape[1] as number;
      } finally {
        out.dispose();
      }
      for (let k = 0; k < n; k++) {
        const row = k * outputs;
        let best = 0;
        for (let j = 0; j < outputs; j++) {
          const v = vals[row + j];
          if (!Number.isFinite(v)) throw new InvalidValueError(`${job.fn}: model output must be finite, got ${v} (image ${start + k})`);
          if (v > vals[row + best]) best = j;
        }
        const asked = job.classOf(start + k);
        const cls = asked === -1 ? best : asked;
        if (!(cls >= 0 && cls < outputs)) throw new InvalidValueError(`${job.fn}: target must be an integer in [0, ${outputs}), got ${cls}`);
        scores[start + k] = vals[row + cls];
        predictions[start + k] = best;
      }
    }
  } finally {
    for (const p of inflight.values()) await p.then((y) => y.dispose(), () => undefined);
  }
  return { scores, predictions, outputs };
}

/**
 * Reads an image batch into host memory (a copy), rejecting NaN/Inf.
 * @throws InvalidValueError naming the sample
 */
export async function readImages(fn: string, x: tf.Tensor, arg = 'inputs'): Promise<Float32Array> {
  const data = Float32Array.from(await x.data());
  const per = data.length / (x.shape[0] as number);
  for (let q = 0; q < data.length; q++) {
    if (!Number.isFinite(data[q])) throw new InvalidValueError(`${fn}: ${arg} must be finite, got ${data[q]} in sample ${Math.floor(q / per)}`);
  }
  return data;
}

/** Clean outputs of every sample: scores of `classes` (of the predicted class when absent) and predictions. */
export function scoreClean(
  fn: string,
  model: AttributionModel,
  images: Float32Array,
  count: number,
  dims: ImageDims,
  batchSize: number,
  classes?: Int32Array,
  softmax = false,
  workers?: AttributionWorkers,
): Promise<UnitScores> {
  const size = dims.height * dims.width * dims.channels;
  return scoreUnits({
    fn,
    model,
    dims,
    count,
    batchSize,
    softmax,
    fill: (k, out) => out.set(images.subarray(k * size, (k + 1) * size)),
    classOf: (k) => (classes ? classes[k] : -1),
    workers,
  });
}
