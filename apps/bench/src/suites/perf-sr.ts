/**
 * The super-resolution part of `lab perf`: IMDN (NTIRE 2022 baseline, ×4) forward passes on the
 * active backend in ms and GFLOP/s, beside a 3×3 64→64 convolution measured in the same run as the
 * reference (tracker target: ≥ 35 GFLOP/s on one wasm thread).
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, decodeImage, imageToTensor, measureRuntime, profile } from '@lab/tensor';
import { createModel } from '@lab/sr-models';

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
 * `size×size` LR input and, when `div2k` names a file, on that whole image.
 */
export async function benchSr(
  rng: Rng,
  options: { size: number; runs: number; warmup: number; div2k?: string },
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
