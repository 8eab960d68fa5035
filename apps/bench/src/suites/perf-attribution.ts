/**
 * The attribution part of `lab perf`: Integrated Gradients against bare forward+backward passes of
 * the same batch size, measured in the same run (tracker: IG with 50 steps costs at most 1.15× of
 * 50 bare forward+backward passes).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, GlobalAvgPool2d, Linear, ReLU, Rng, Sequential, measureRuntime, type Module } from '@lab/tensor';
import { IntegratedGradients, selectTarget } from '@lab/attribution';

/** What the IG benchmark measured. */
export interface IgBenchResult {
  steps: number;
  batchSize: number;
  inputShape: number[];
  /** Median ms of one IG attribution (all steps). */
  igMs: number;
  /** Median ms of the same number of input gradients of the target, in batches of `batchSize`. */
  bareMs: number;
  /** igMs / bareMs. */
  ratio: number;
}

/** The small CNN of the benchmark: conv 3→16, ReLU, conv 16→32 (stride 2), ReLU, GAP, linear 32→10. */
export function buildIgBenchCnn(rng: Rng): Module {
  return new Sequential(
    new Conv2d(3, 16, 3, { padding: 1, rng }),
    new ReLU(),
    new Conv2d(16, 32, 3, { padding: 1, stride: 2, rng }),
    new ReLU(),
    new GlobalAvgPool2d(),
    new Linear(32, 10, { rng }),
  );
}

/**
 * Times IG with `steps` Gauss–Legendre steps on one `size×size×3` image, evaluated in batches of
 * `batchSize`, against the bare work it needs: `steps` input gradients of the target class, run as
 * forward+backward passes on batches of the same size. Both leave the tensor count unchanged.
 */
export async function benchIntegratedGradients(
  rng: Rng,
  options: { steps: number; batchSize: number; size: number; warmup: number; runs: number },
): Promise<IgBenchResult> {
  const { steps, batchSize, size } = options;
  const model = buildIgBenchCnn(rng);
  model.eval();
  const x = rng.uniformTensor([1, size, size, 3]);
  const path = rng.uniformTensor([batchSize, size, size, 3]);
  const ig = new IntegratedGradients({ steps });
  const target = 3;
  const chunks = Math.ceil(steps / batchSize);
  const timing = { warmup: options.warmup, runs: options.runs };
  try {
    const grad = tf.grad((v: tf.Tensor) => tf.sum(selectTarget(model.call(v), target)));
    const bare = await measureRuntime(() => {
      const out: tf.Tensor[] = [];
      for (let c = 0; c < chunks; c++) out.push(grad(path));
      return out;
    }, timing);
    const igTime = await measureRuntime(async () => {
      const r = await ig.attribute(model, x, { target, batchSize, baselines: 0 });
      r.delta?.dispose();
      return r.attributions;
    }, timing);
    return {
      steps,
      batchSize,
      inputShape: [1, size, size, 3],
      igMs: igTime.medianMs,
      bareMs: bare.medianMs,
      ratio: igTime.medianMs / bare.medianMs,
    };
  } finally {
    tf.dispose([x, path]);
    model.dispose();
  }
}
