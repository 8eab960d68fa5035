/**
 * Suite `ntire`: the NTIRE 2022 Efficient SR figures of the super-resolution models of
 * `@lab/sr-models`: parameters, FLOPs, activations and convolution count at a 256×256 LR input
 * (the challenge's counter, quirks included), peak memory with the weights, median runtime and
 * achieved GFLOP/s on the active backend, beside the published figures.
 * @packageDocumentation
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decodeImage, formatCount, imageToTensor, measureRuntime, type Module } from '@lab/tensor';
import { NTIRE2022_PUBLISHED, createModel, models, ntireMetrics, type ModelName } from '@lab/sr-models';
import { defineSuite, type Metrics, type ResultTable } from '../suite';
import { ntirePlots } from '../suite-plots';

/**
 * NTIRE's runtime protocol on a folder of LR images: each whole image (no tiling) run once after
 * `warmup` untimed passes of the first image; returns the per-image times in ms.
 */
export async function timeLrFolder(model: Module<[tf.Tensor], tf.Tensor>, dir: string, warmup: number): Promise<{ name: string; ms: number; shape: number[] }[]> {
  const files = (await readdir(dir)).filter((f) => /\.(png|bmp|jpe?g)$/i.test(f)).sort();
  if (files.length === 0) throw new Error(`ntire: --lr folder ${dir} holds no PNG, BMP or JPEG images`);
  const out: { name: string; ms: number; shape: number[] }[] = [];
  for (const [i, f] of files.entries()) {
    const bytes = new Uint8Array(await readFile(path.join(dir, f)));
    const x = tf.tidy(() => tf.expandDims(imageToTensor(decodeImage(bytes), { channels: 3 }), 0));
    try {
      const t = await measureRuntime(() => tf.tidy(() => model.call(x)), { warmup: i === 0 ? warmup : 0, runs: 1 });
      out.push({ name: f, ms: t.medianMs, shape: x.shape.slice() });
    } finally {
      x.dispose();
    }
  }
  return out;
}

/** LR side of the NTIRE counts: always the challenge's 256×256, whatever the mode. */
export const NTIRE_COUNT_SIZE = 256;

/** Timed input size and repetitions of one mode. */
export interface NtireSuiteConfig {
  /** LR side of the timed input. */
  readonly runtimeSize: number;
  readonly warmup: number;
  readonly runs: number;
}

/** Sizes of `--quick` (the default) and `--full`. */
export const NTIRE_CONFIGS: Readonly<Record<'quick' | 'full', NtireSuiteConfig>> = Object.freeze({
  quick: { runtimeSize: 128, warmup: 1, runs: 3 },
  full: { runtimeSize: 256, warmup: 2, runs: 10 },
});

const MODEL_NAMES = Object.keys(models) as ModelName[];

export const ntire = defineSuite({
  name: 'ntire',
  description: 'NTIRE 2022 ESR figures of the SR models: params, FLOPs, activations, convs, memory, runtime, GFLOP/s',
  options: {
    model: { type: 'string', choices: MODEL_NAMES, description: 'measure only this model (default: all)' },
    runs: { type: 'number', valueName: 'N', integer: true, min: 1, description: 'timed forward passes (default 3 quick, 10 full)' },
    'runtime-size': {
      type: 'number',
      valueName: 'N',
      integer: true,
      min: 15,
      description: 'LR height = width of the timed input (default 128 quick, 256 full); counts are always at 256×256',
    },
    lr: { type: 'string', valueName: 'DIR', description: 'also time every LR image of DIR whole, once each (the challenge ran DIV2K LR 0801–1000)' },
  },
  async run(ctx) {
    const base = ctx.quick ? NTIRE_CONFIGS.quick : NTIRE_CONFIGS.full;
    const config: NtireSuiteConfig = {
      ...base,
      ...(ctx.options.runs !== undefined ? { runs: ctx.options.runs } : {}),
      ...(ctx.options['runtime-size'] !== undefined ? { runtimeSize: ctx.options['runtime-size'] } : {}),
    };
    const names = MODEL_NAMES.filter((n) => ctx.options.model === undefined || n === ctx.options.model);
    ctx.progress.start(names.length);
    const metrics: Metrics = {};
    const failures: string[] = [];
    const rows: (string | number)[][] = [];
    const lrTables: ResultTable[] = [];
    for (const name of names) {
      const entry = models[name];
      ctx.progress.step(entry.label);
      const model = createModel(name).eval();
      try {
        const m = await ntireMetrics(model, {
          lrSize: NTIRE_COUNT_SIZE,
          runtimeSize: config.runtimeSize,
          runs: config.runs,
          warmup: config.warmup,
        });
        metrics[`${name}.params`] = m.params;
        metrics[`${name}.flops`] = m.flops;
        metrics[`${name}.activations`] = m.activations;
        metrics[`${name}.convLayers`] = m.convLayers;
        metrics[`${name}.macs`] = m.macs;
        metrics[`${name}.peakBytes`] = m.peakBytes;
        metrics[`${name}.memoryMiB`] = m.memoryMiB;
        metrics[`${name}.runtimeSize`] = config.runtimeSize;
        metrics[`${name}.runtimeMs`] = m.runtimeMs;
        metrics[`${name}.gflopsPerSecond`] = m.gflopsPerSecond;
        const pub = NTIRE2022_PUBLISHED[name];
        if (pub) {
          const ours = {
            params: (m.params / 1e6).toFixed(3),
            flops: (m.flops / 1e9).toFixed(2),
            activations: (m.activations / 1e6).toFixed(2),
            convs: String(m.convLayers),
          };
          const published = {
            params: pub.paramsM.toFixed(3),
            flops: pub.flopsG.toFixed(2),
            activations: pub.activationsM.toFixed(2),
            convs: String(pub.convLayers),
          };
          for (const key of Object.keys(ours) as (keyof typeof ours)[]) {
            if (ours[key] !== published[key]) failures.push(`${name}: ${key} ${ours[key]} differs from the published ${published[key]}`);
          }
        }
        rows.push([
          entry.label,
          `${(m.params / 1e6).toFixed(3)} M`,
          `${(m.flops / 1e9).toFixed(2)} G`,
          `${(m.activations / 1e6).toFixed(2)} M`,
          m.convLayers,
          `${m.memoryMiB.toFixed(1)} MiB`,
          `${m.runtimeMs.toFixed(1)} ms`,
          m.gflopsPerSecond.toFixed(1),
          pub ? `${pub.paramsM.toFixed(3)} / ${pub.flopsG.toFixed(2)} / ${pub.activationsM.toFixed(2)} / ${pub.convLayers}` : '—',
          pub ? `${pub.runtimeMs.toFixed(2)} ms, ${pub.memoryMiB.toFixed(1)} MiB` : '—',
        ]);
        if (ctx.options.lr !== undefined) {
          const times = await timeLrFolder(model, ctx.options.lr, config.warmup);
          const mean = times.reduce((a, t) => a + t.ms, 0) / times.length;
          metrics[`${name}.lrImages`] = times.length;
          metrics[`${name}.lrMeanMs`] = mean;
          lrTables.push({
            title: `${entry.label}: whole-image runtime on ${ctx.options.lr}`,
            columns: ['image', 'LR size (W×H)', 'ms'],
            rows: [...times.map((t) => [t.name, `${t.shape[2]}×${t.shape[1]}`, t.ms.toFixed(1)]), ['mean', '', mean.toFixed(1)]],
            notes: ['one pass per image after warm-up on the first, no tiling; the challenge averaged per-image times the same way'],
          });
        }
      } finally {
        model.dispose();
      }
    }
    const first = names[0];
    return {
      metrics,
      failures,
      tables: [
        {
          title: `NTIRE 2022 ESR figures (counts at 1×${NTIRE_COUNT_SIZE}×${NTIRE_COUNT_SIZE}×3, runtime at 1×${config.runtimeSize}×${config.runtimeSize}×3)`,
          columns: ['model', 'params', 'FLOPs', 'acts', 'convs', 'memory', 'runtime', 'GFLOP/s', 'published params/FLOPs/acts/convs', 'published time, memory'],
          rows,
          notes: [
            "FLOPs, acts and convs follow NTIRE2022_ESR utils/model_summary.py (conv MACs without bias plus activation-module outputs; Conv2d outputs; Conv2d calls).",
            'memory = weights + peak tensor bytes of one 256×256 pass on this backend (tfjs frees intermediates per scope, so it exceeds PyTorch\'s).',
            `runtime = median of ${config.runs} passes after ${config.warmup} warm-up; GFLOP/s = 2 × true MACs / runtime.`,
            'published: NTIRE 2022 ESR report (arXiv 2205.05675), runtime on a Titan Xp GPU with CUDA.',
          ],
        },
        ...lrTables,
      ],
      plots: ntirePlots(names, metrics),
      summary: first
        ? `${first}: ${formatCount(metrics[`${first}.flops`] as number)} FLOPs, ${(metrics[`${first}.runtimeMs`] as number).toFixed(1)} ms` +
          (names.length > 1 ? ` (+${names.length - 1} more)` : '')
        : 'no models',
    };
  },
});
