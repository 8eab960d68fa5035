/**
 * The `onnx` area of `lab perf`: IMDN (NTIRE 2022 baseline, ×4) exported with `@lab/onnx` and run
 * natively by onnxruntime-node, in GFLOP/s (true MACs × 2), as a fraction of a native matmul peak
 * (an `n³` ONNX MatMul in the same runtime, same run) and as a speed-up over the tfjs-wasm path
 * measured in the same run (tracker target: ≥ 250 GFLOP/s on 2 cores).
 * @packageDocumentation
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, measureRuntime, profile, type Module } from '@lab/tensor';
import { createModel } from '@lab/sr-models';
import { OnnxSession, exportOnnx, matMulOnnxModel } from '@lab/onnx';

/** Result of {@link benchOnnx}. */
export interface OnnxBenchResult {
  /** LR side. */
  size: number;
  /** intra-op threads of the ONNX Runtime sessions. */
  threads: number;
  /** True MACs of one IMDN pass on the LR input. */
  macs: number;
  onnxMs: number;
  onnxGflops: number;
  tfjsMs: number;
  tfjsGflops: number;
  /** Side of the MatMul reference. */
  matmulN: number;
  matmulMs: number;
  matmulGflops: number;
  /** max |onnx − tfjs| / range of the tfjs output on the timed input. */
  relativeError: number;
  /** Size the model was exported at (smaller than `size`: the graph has symbolic H and W). */
  exportSize: number;
  exportMs: number;
}

/** Median and minimum of `runs` timed calls of an async function after `warmup` untimed ones. */
async function timeAsync(f: () => Promise<void>, warmup: number, runs: number): Promise<{ medianMs: number; minMs: number }> {
  for (let i = 0; i < warmup; i++) await f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)], minMs: times[0] };
}

/**
 * Times IMDN-NTIRE ×4 (random weights: timing does not depend on their values) on a `size×size`
 * LR input through onnxruntime-node and through tfjs (the active backend), plus an `n³` MatMul.
 */
export async function benchOnnx(
  rng: Rng,
  options: { size: number; runs: number; warmup: number; matmulN: number; threads?: number; tfjsRuns: number },
): Promise<OnnxBenchResult> {
  const threads = options.threads ?? availableParallelism();
  const model = createModel('imdn-ntire2022', { rng });
  model.eval();
  const s = options.size;
  const exportSize = 64;
  const sessions: OnnxSession[] = [];
  const x = rng.uniformTensor([1, s, s, 3]) as tf.Tensor4D;
  try {
    const macs = (await profile(model, [s, s, 3])).macs ?? 0;
    const t0 = performance.now();
    const probe = tf.zeros([1, exportSize, exportSize, 3]);
    const exported = (() => {
      try {
        return exportOnnx(model, probe);
      } finally {
        probe.dispose();
      }
    })();
    const exportMs = performance.now() - t0;
    const session = await OnnxSession.create(exported, { threads });
    sessions.push(session);
    const data = (await x.data()) as Float32Array;
    const onnx = await timeAsync(async () => void (await session.runData(data, x.shape)), options.warmup, options.runs);

    const [ortOut] = await session.runData(data, x.shape);
    const relativeError = tf.tidy(() => {
      const ref = model.call(x) as tf.Tensor;
      const r = ref.dataSync();
      let err = 0;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < r.length; i++) {
        err = Math.max(err, Math.abs(r[i] - ortOut.data[i]));
        lo = Math.min(lo, r[i]);
        hi = Math.max(hi, r[i]);
      }
      return err / (hi - lo);
    });

    const tfjs = await measureRuntime(() => tf.tidy(() => model.call(x)), { warmup: 1, runs: options.tfjsRuns });

    const n = options.matmulN;
    const mm = await OnnxSession.create(matMulOnnxModel(n, n, n), { threads });
    sessions.push(mm);
    const a = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
    const matmul = await timeAsync(async () => void (await mm.runData(a, [n, n])), options.warmup, options.runs);

    const gflops = (flops: number, ms: number): number => flops / (ms * 1e6);
    return {
      size: s,
      threads,
      macs,
      onnxMs: onnx.medianMs,
      onnxGflops: gflops(2 * macs, onnx.medianMs),
      tfjsMs: tfjs.medianMs,
      tfjsGflops: gflops(2 * macs, tfjs.medianMs),
      matmulN: n,
      matmulMs: matmul.medianMs,
      matmulGflops: gflops(2 * n ** 3, matmul.medianMs),
      relativeError,
      exportSize,
      exportMs,
    };
  } finally {
    x.dispose();
    for (const session of sessions) await session.release();
    model.dispose();
  }
}

/**
 * The `--runtime onnx` column of `lab ntire`: `model` exported at 32×32 (symbolic H and W) and
 * timed on onnxruntime-node (all cores) on a `1×size×size×3` input, median of `runs` after
 * `warmup`; GFLOP/s rescale the tfjs figure's true MACs by the time ratio.
 */
export async function onnxNtireRuntime(
  model: Module<any, any>,
  tfjs: { runtimeMs: number; gflopsPerSecond: number },
  config: { runtimeSize: number; warmup: number; runs: number },
): Promise<{ runtimeMs: number; gflopsPerSecond: number }> {
  const probe = tf.zeros([1, 32, 32, 3]);
  let session: OnnxSession;
  try {
    session = await OnnxSession.create(exportOnnx(model, probe));
  } finally {
    probe.dispose();
  }
  try {
    const s = config.runtimeSize;
    const data = Float32Array.from({ length: s * s * 3 }, (_, i) => ((i * 7919) % 997) / 997);
    const t = await timeAsync(async () => void (await session.runData(data, [1, s, s, 3])), config.warmup, config.runs);
    return { runtimeMs: t.medianMs, gflopsPerSecond: (tfjs.gflopsPerSecond * tfjs.runtimeMs) / t.medianMs };
  } finally {
    await session.release();
  }
}
