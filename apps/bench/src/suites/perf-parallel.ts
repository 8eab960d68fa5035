/**
 * The parallel part of `lab perf`: the speed-up of 2 workers (worker_threads, each with its own
 * single-threaded wasm backend) over the single-thread path, for Integrated Gradients and
 * Occlusion on a small CNN (ResNet-20, CIFAR size) and for tiled IMDN ×4 super-resolution.
 * Both paths run in the same process, in the same run; the results are compared for equality.
 * Tracker target: ≥ 1.8× on 2 workers on a quiet 2-core machine.
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  type ModelTaskInput,
  type ModelTaskOutput,
  type Module,
  Rng,
  createWorkerPool,
  decodeImage,
  imageToTensor,
  modelSpec,
  modelTaskUrl,
  resnetCifar,
  tensorEntryUrl,
} from '@lab/tensor';
import { IntegratedGradients, Occlusion, createAttributionWorkers } from '@lab/attribution';
import { createModel, upscale } from '@lab/sr-models';

/** One measured workload: the single-thread path and the same work on the pool. */
export interface ParallelBenchRow {
  /** Metric key (`ig`, `occlusion`, `sr`). */
  key: string;
  /** What ran. */
  label: string;
  /** Median ms of the single-thread path. */
  singleMs: number;
  /** Median ms with the pool (started beforehand; start-up not included). */
  parallelMs: number;
  /** singleMs / parallelMs. */
  speedup: number;
  /** max |single − parallel| over the outputs (0 when the paths agree bit for bit). */
  maxAbsDiff: number;
}

/** Result of {@link benchParallel}. */
export interface ParallelBenchResult {
  /** Workers in each pool. */
  workers: number;
  rows: ParallelBenchRow[];
  /** Median ms to start a pool (spawn, backend start-up, weights), per workload. */
  startMs: Record<string, number>;
  /** Parts that did not run, with the reason. */
  skipped: string[];
}

/** Options of {@link benchParallel}. */
export interface ParallelBenchOptions {
  /** Workers per pool. */
  workers: number;
  /** Timed runs of each path (after one untimed run). */
  runs: number;
  /** Side of the CNN's input image (CIFAR: 32). */
  size: number;
  /** The DIV2K LR image for the SR tiles, or undefined to skip that part. */
  div2k?: string;
  /** Side of the square crop of the DIV2K image that is upscaled (undefined: the whole image). */
  srCrop?: number;
  /** SR tile side and overlap (LR pixels). */
  tile: number;
  overlap: number;
}

/** The first DIV2K LR image of the data folder (`div2k_test_lr/*.png`), when present. */
export function findDiv2kLr(dataDir: string | undefined): string | undefined {
  if (dataDir === undefined) return undefined;
  const dir = path.join(dataDir, 'div2k_test_lr');
  const file = path.join(dir, '0901.png');
  return existsSync(file) ? file : undefined;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Times `fn` once untimed then `runs` times; returns the median ms and the last result. */
async function time<T>(runs: number, fn: () => Promise<T>, release: (r: T) => void): Promise<{ ms: number; last: T }> {
  release(await fn());
  const ms: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < runs; i++) {
    if (last !== undefined) release(last);
    const t0 = performance.now();
    last = await fn();
    ms.push(performance.now() - t0);
  }
  return { ms: median(ms), last: last as T };
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

async function timedStart<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/**
 * Measures single-thread vs `workers` workers for IG (50 steps), Occlusion and tiled SR. Every
 * tensor it creates is disposed; every pool is closed.
 */
export async function benchParallel(rng: Rng, options: ParallelBenchOptions): Promise<ParallelBenchResult> {
  const rows: ParallelBenchRow[] = [];
  const startMs: Record<string, number> = {};
  const skipped: string[] = [];
  const s = options.size;

  // A small CNN the workers can rebuild from @lab/tensor: ResNet-20 for CIFAR (0.27 M parameters).
  const cnn = resnetCifar(20);
  cnn.eval();
  const x = rng.uniformTensor([1, s, s, 3]);
  try {
    const attribution = await timedStart(() =>
      createAttributionWorkers({ model: modelSpec(cnn, { module: tensorEntryUrl(), export: 'resnetCifar', args: [20] }), size: options.workers }),
    );
    startMs.attribution = attribution.ms;
    const workers = attribution.value;
    try {
      const compare = async (key: string, label: string, run: (parallel: boolean) => Promise<tf.Tensor>) => {
        const one = await time(options.runs, () => run(false), (t) => t.dispose());
        const par = await time(options.runs, () => run(true), (t) => t.dispose());
        rows.push({ key, label, singleMs: one.ms, parallelMs: par.ms, speedup: one.ms / par.ms, maxAbsDiff: maxAbsDiff(one.last, par.last) });
        tf.dispose([one.last, par.last]);
      };
      const ig = new IntegratedGradients({ steps: 50 });
      // 50 path points in batches of 5: 10 chunks, so 2 workers share them evenly.
      await compare('ig', `Integrated Gradients, 50 steps, batchSize 5, ResNet-20 on 1×${s}×${s}×3`, async (parallel) => {
        const r = await ig.attribute(cnn as Module<[tf.Tensor], tf.Tensor>, x, { target: 3, batchSize: 5, ...(parallel ? { workers } : {}) });
        r.delta?.dispose();
        return r.attributions;
      });
      const occ = new Occlusion({ window: [4, 4], stride: 2 });
      await compare('occlusion', `Occlusion, window 4×4, stride 2, batchSize 16, ResNet-20 on 1×${s}×${s}×3`, async (parallel) => {
        const r = await occ.attribute(cnn as Module<[tf.Tensor], tf.Tensor>, x, { target: 3, batchSize: 16, ...(parallel ? { workers } : {}) });
        return r.attributions;
      });
    } finally {
      await workers.close();
    }
  } finally {
    x.dispose();
    cnn.dispose();
  }

  if (options.div2k === undefined) {
    skipped.push('SR tiles: no DIV2K LR image (div2k_test_lr/0901.png under --data or $LAB_DATA)');
  } else {
    const sr = createModel('imdn-ntire2022', { rng });
    sr.eval();
    const bytes = new Uint8Array(await readFile(options.div2k));
    const full = tf.tidy(() => imageToTensor(decodeImage(bytes), { channels: 3 })) as tf.Tensor3D;
    const c = options.srCrop;
    const lr = c === undefined ? full : (tf.tidy(() => tf.slice(full, [0, 0, 0], [Math.min(c, full.shape[0]), Math.min(c, full.shape[1]), 3])) as tf.Tensor3D);
    if (lr !== full) full.dispose();
    try {
      // The workers rebuild the registry model from the built @lab/sr-models.
      const spec = modelSpec(sr, { module: import.meta.resolve('@lab/sr-models'), export: 'createModel', args: ['imdn-ntire2022'] });
      const started = await timedStart(() => createWorkerPool<ModelTaskInput, ModelTaskOutput>({ task: modelTaskUrl(), size: options.workers, init: spec }));
      startMs.sr = started.ms;
      const pool = started.value;
      try {
        const upscaleOptions = { scale: 4, tile: options.tile, overlap: options.overlap };
        const one = await time(options.runs, () => upscale(sr, lr, upscaleOptions), (t) => t.dispose());
        const par = await time(options.runs, () => upscale(sr, lr, { ...upscaleOptions, workers: pool }), (t) => t.dispose());
        const tiles = Math.ceil(lr.shape[0] / options.tile) * Math.ceil(lr.shape[1] / options.tile);
        rows.push({
          key: 'sr',
          label: `IMDN-NTIRE ×4, DIV2K ${path.basename(options.div2k)} ${lr.shape[1]}×${lr.shape[0]} LR, ${tiles} tiles of ${options.tile} (+${options.overlap})`,
          singleMs: one.ms,
          parallelMs: par.ms,
          speedup: one.ms / par.ms,
          maxAbsDiff: maxAbsDiff(one.last, par.last),
        });
        tf.dispose([one.last, par.last]);
      } finally {
        await pool.close();
      }
    } finally {
      lr.dispose();
      sr.dispose();
    }
  }
  return { workers: options.workers, rows, startMs, skipped };
}
