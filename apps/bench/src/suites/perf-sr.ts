/**
 * The super-resolution part of `lab perf`: IMDN (NTIRE 2022 baseline, ×4) forward passes on the
 * active backend in ms and GFLOP/s, then the costly models GRL-T ×4 (64×64 LR) and CiaoSR ×3.5
 * (48×48 LR, decoded in query batches), beside a 3×3 64→64 convolution measured in the same run as
 * the reference (tracker target: ≥ 35 GFLOP/s on one wasm thread).
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, decodeImage, imageToTensor, measureRuntime, profile } from '@lab/tensor';
import { createModel, type SrModel } from '@lab/sr-models';

/** One timed SR forward pass. */
export interface SrBenchRow {
  label: string;
  /** LR input, `1×H×W×3`. */
  inputShape: number[];
  /** True multiply-accumulates of one pass. */
  macs: number;
  medianMs: number;
  gflops: number;
}

/** Sizes of the costly rows of {@link benchSr}; defaults in {@link SR_HEAVY_BENCH_DEFAULTS}. */
export interface SrHeavyBenchOptions {
  /** LR side of the GRL-T ×4 row (GRL pads its input to a multiple of its 64×64 stripes). */
  grlSize?: number;
  /** LR side of the CiaoSR row. */
  ciaosrSize?: number;
  /** Upscaling factor of the CiaoSR row (any real > 0). */
  ciaosrScale?: number;
  /** Output coordinates CiaoSR decodes per batch. */
  queryBatchSize?: number;
  /** Timed passes of each costly row (after the profiled pass, which warms the model up). */
  runs?: number;
}

/** Defaults of {@link SrHeavyBenchOptions}. */
export const SR_HEAVY_BENCH_DEFAULTS = Object.freeze({
  grlSize: 64,
  ciaosrSize: 48,
  ciaosrScale: 3.5,
  queryBatchSize: 8192,
  runs: 1,
} as const);

/** Result of {@link benchSr}. */
export interface SrBenchResult {
  rows: SrBenchRow[];
  /** GFLOP/s of a 3×3 64→64 'same' convolution on `1×size×size×64`, measured in the same run. */
  convGflops: number;
}

/** The DIV2K LR image 0901 of the data folder (`--data` / `LAB_DATA`), when present. */
export function findDiv2k0901(dataDir: string | undefined): string | undefined {
  if (dataDir === undefined) return undefined;
  const file = path.join(dataDir, 'div2k_test_lr', '0901.png');
  return existsSync(file) ? file : undefined;
}

/**
 * Times IMDN-NTIRE ×4 (random weights: the timing does not depend on their values) on a
 * `size×size` LR input and, when `div2k` names a file, on that whole image; then, unless `heavy`
 * is false, GRL-T ×4 and CiaoSR (RDN) at a fractional scale on small inputs, with their true
 * MACs from one profiled pass (attention and decoder matmuls included).
 */
export async function benchSr(
  rng: Rng,
  options: { size: number; runs: number; warmup: number; div2k?: string; heavy?: boolean | SrHeavyBenchOptions },
): Promise<SrBenchResult> {
  const model = createModel('imdn-ntire2022', { rng });
  model.eval();
  const timing = { warmup: options.warmup, runs: options.runs };
  try {
    // True MACs grow with the number of LR pixels (the network is fully convolutional).
    const macsPerPixel = ((await profile(model, [16, 16, 3])).macs ?? 0) / (16 * 16);
    const rows: SrBenchRow[] = [];
    const run = async (label: string, x: tf.Tensor4D) => {
      const t = await measureRuntime(() => tf.tidy(() => model.call(x)), timing);
      const macs = macsPerPixel * x.shape[1] * x.shape[2];
      rows.push({ label, inputShape: x.shape.slice(), macs, medianMs: t.medianMs, gflops: (2 * macs) / (t.medianMs * 1e6) });
    };
    const s = options.size;
    const x = rng.uniformTensor([1, s, s, 3]) as tf.Tensor4D;
    try {
      await run(`IMDN-NTIRE ×4, ${s}×${s} LR`, x);
    } finally {
      x.dispose();
    }
    if (options.div2k) {
      const bytes = new Uint8Array(await readFile(options.div2k));
      const d = tf.tidy(() => tf.expandDims(imageToTensor(decodeImage(bytes), { channels: 3 }), 0)) as tf.Tensor4D;
      try {
        await run(`IMDN-NTIRE ×4, DIV2K ${path.basename(options.div2k)} (${d.shape[2]}×${d.shape[1]})`, d);
      } finally {
        d.dispose();
      }
    }
    if (options.heavy !== false) rows.push(...(await benchHeavySr(rng, options.heavy === true || options.heavy === undefined ? {} : options.heavy)));
    const cx = rng.normalTensor([1, s, s, 64]) as tf.Tensor4D;
    const cw = rng.normalTensor([3, 3, 64, 64], 0, 0.05) as tf.Tensor4D;
    try {
      const t = await measureRuntime(() => tf.conv2d(cx, cw, 1, 'same'), { warmup: 2, runs: Math.max(5, options.runs) });
      return { rows, convGflops: (2 * s * s * 9 * 64 * 64) / (t.medianMs * 1e6) };
    } finally {
      tf.dispose([cx, cw]);
    }
  } finally {
    model.dispose();
  }
}

/** Times one model on a `size×size` input: true MACs from a profiled pass (which also warms it up), then `runs` timed passes. */
async function timeModel(rng: Rng, label: string, model: SrModel, size: number, runs: number): Promise<SrBenchRow> {
  const macs = (await profile(model, [size, size, 3], { memory: false })).macs ?? 0;
  const x = rng.uniformTensor([1, size, size, 3]) as tf.Tensor4D;
  try {
    const t = await measureRuntime(() => tf.tidy(() => model.call(x)), { warmup: 0, runs });
    return { label, inputShape: x.shape.slice(), macs, medianMs: t.medianMs, gflops: (2 * macs) / (t.medianMs * 1e6) };
  } finally {
    x.dispose();
  }
}

/** The GRL-T and CiaoSR rows of {@link benchSr}. */
async function benchHeavySr(rng: Rng, o: SrHeavyBenchOptions): Promise<SrBenchRow[]> {
  const c = { ...SR_HEAVY_BENCH_DEFAULTS, ...o };
  const rows: SrBenchRow[] = [];
  const grl = createModel('grl-tiny', { rng }).eval();
  try {
    rows.push(await timeModel(rng, `GRL-T ×4, ${c.grlSize}×${c.grlSize} LR`, grl, c.grlSize, c.runs));
  } finally {
    grl.dispose();
  }
  const ciao = createModel('ciaosr', { rng, scale: c.ciaosrScale, queryBatchSize: c.queryBatchSize }).eval();
  try {
    const [oh, ow] = ciao.outputSize(c.ciaosrSize, c.ciaosrSize);
    const label = `CiaoSR (RDN) ×${c.ciaosrScale}, ${c.ciaosrSize}×${c.ciaosrSize} LR → ${ow}×${oh}, ${c.queryBatchSize} queries per batch`;
    rows.push(await timeModel(rng, label, ciao, c.ciaosrSize, c.runs));
  } finally {
    ciao.dispose();
  }
  return rows;
}
