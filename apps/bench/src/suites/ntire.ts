/**
 * Suite `ntire`: the NTIRE 2022 Efficient SR figures of the super-resolution models of
 * `@lab/sr-models`: parameters, FLOPs, activations and convolution count at a 256×256 LR input
 * (the challenge's counter, quirks included), true MACs, peak memory with the weights, median
 * runtime and achieved GFLOP/s on the active backend, beside the published figures. The costly
 * models (GRL, CiaoSR, DATSR: `efficient: false` in the registry) are measured on request
 * (`--model`, `--full`) and at a smaller LR size (`--count-size`).
 * @packageDocumentation
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decodeImage, formatCount, imageToTensor, measureRuntime, type Module } from '@lab/tensor';
import {
  BicubicReferenceAdapter,
  NTIRE2022_PUBLISHED,
  createModel,
  createReferenceModel,
  models,
  ntireMetrics,
  referenceModels,
  type ModelName,
  type ReferenceModelName,
} from '@lab/sr-models';
import { savePruned } from '@lab/pruning';
import { loadPrunedSrModel, pruneSrModel, type PrunedSrModel } from './prune';
import { onnxNtireRuntime } from './perf-onnx';
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
const REFERENCE_NAMES = Object.keys(referenceModels) as ReferenceModelName[];

/** Every model the suite can measure: the registry's single-input models, then the reference-based ones. */
export const NTIRE_MODEL_NAMES: readonly string[] = Object.freeze([...MODEL_NAMES, ...REFERENCE_NAMES]);

/**
 * Default LR side of the counts and runtime of the costly models (`efficient: false`): 64 (GRL
 * pads every input to its 64×64 stripes anyway), DATSR 40 (its 160×160 training crops ÷ 4).
 */
export const NTIRE_HEAVY_COUNT_SIZE: Readonly<Record<string, number>> = Object.freeze({ default: 64, datsr: 40 });

/** Timed passes of a costly model (after the profiled pass, which warms it up). */
export const NTIRE_HEAVY_RUNS: Readonly<Record<'quick' | 'full', number>> = Object.freeze({ quick: 1, full: 3 });

/** The registry entry's cost class of a model the suite measures. */
function isEfficient(name: string): boolean {
  return Object.hasOwn(models, name) ? models[name as ModelName].efficient : referenceModels[name as ReferenceModelName].efficient;
}

/**
 * The models one run measures: `--model NAME` that model alone, `--model all` every model;
 * otherwise every model with `--full` and only the efficient ones in quick mode.
 */
export function ntireModelSelection(model: string | undefined, quick: boolean): string[] {
  if (model === 'all') return [...NTIRE_MODEL_NAMES];
  if (model !== undefined) return NTIRE_MODEL_NAMES.filter((n) => n === model);
  return NTIRE_MODEL_NAMES.filter((n) => !quick || isEfficient(n));
}

export const ntire = defineSuite({
  name: 'ntire',
  description: 'NTIRE 2022 ESR figures of the SR models: params, FLOPs, activations, convs, memory, runtime, GFLOP/s',
  options: {
    model: {
      type: 'string',
      choices: [...NTIRE_MODEL_NAMES, 'all'],
      description:
        'measure only this model, or all of them (default: the efficient NTIRE CNNs in quick mode, every model with --full; GRL, CiaoSR and DATSR are costly)',
    },
    'count-size': {
      type: 'number',
      valueName: 'N',
      integer: true,
      min: 1,
      description: 'LR height = width of the counts and runtime of the costly models (default 64, DATSR 40); the efficient CNNs are counted at 256×256',
    },
    runs: { type: 'number', valueName: 'N', integer: true, min: 1, description: 'timed forward passes (default 3 quick, 10 full)' },
    'runtime-size': {
      type: 'number',
      valueName: 'N',
      integer: true,
      min: 15,
      description: 'LR height = width of the timed input of the efficient models (default 128 quick, 256 full); their counts are always at 256×256',
    },
    runtime: {
      type: 'string',
      choices: ['tfjs', 'onnx'],
      default: 'tfjs',
      description: 'runtime column of the registry models: tfjs (wasm) or onnx (exported with @lab/onnx, onnxruntime-node on all cores)',
    },
    lr: { type: 'string', valueName: 'DIR', description: 'also time every LR image of DIR whole, once each (the challenge ran DIV2K LR 0801–1000)' },
    pruned: {
      type: 'number',
      valueName: 'RATIO',
      min: 0,
      default: 0.25,
      description: 'also report IMDN (NTIRE 2022, official weights from --data when present) L1-pruned by this channel reduction in [0, 1); 0 = off',
    },
    'model-file': { type: 'string', valueName: 'FILE', description: 'also report a pruned model saved by savePruned of @lab/pruning (e.g. with --save-pruned)' },
    'save-pruned': { type: 'string', valueName: 'FILE', description: 'write the --pruned IMDN (weights and pruning record, safetensors) to FILE' },
  },
  async run(ctx) {
    const base = ctx.quick ? NTIRE_CONFIGS.quick : NTIRE_CONFIGS.full;
    const config: NtireSuiteConfig = {
      ...base,
      ...(ctx.options.runs !== undefined ? { runs: ctx.options.runs } : {}),
      ...(ctx.options['runtime-size'] !== undefined ? { runtimeSize: ctx.options['runtime-size'] } : {}),
    };
    const names = ntireModelSelection(ctx.options.model, ctx.quick);
    const heavyRuns = ctx.options.runs ?? NTIRE_HEAVY_RUNS[ctx.quick ? 'quick' : 'full'];
    const measuredHeavy: string[] = [];
    const prunedSources = prunedSrSources(ctx.options, names, ctx.dataDir);
    ctx.progress.start(names.length + prunedSources.length);
    const metrics: Metrics = {};
    const failures: string[] = [];
    const rows: (string | number)[][] = [];
    const lrTables: ResultTable[] = [];
    for (const name of names) {
      const efficient = isEfficient(name);
      const isReference = !Object.hasOwn(models, name);
      const label = isReference ? referenceModels[name as ReferenceModelName].label : models[name as ModelName].label;
      ctx.progress.step(label);
      const model = isReference
        ? new BicubicReferenceAdapter(createReferenceModel(name as ReferenceModelName)).eval()
        : createModel(name as ModelName).eval();
      const countSize = efficient ? NTIRE_COUNT_SIZE : (ctx.options['count-size'] ?? NTIRE_HEAVY_COUNT_SIZE[name] ?? NTIRE_HEAVY_COUNT_SIZE.default);
      const runtimeSize = efficient ? config.runtimeSize : countSize;
      const rowLabel = efficient ? label : `${label} (${isReference ? `${countSize}×${countSize} LR + bicubic ×4 reference` : `${countSize}×${countSize} LR`})`;
      if (!efficient) measuredHeavy.push(name);
      try {
        const m = await ntireMetrics(model, {
          lrSize: countSize,
          runtimeSize,
          runs: efficient ? config.runs : heavyRuns,
          warmup: efficient ? config.warmup : 0,
        });
        let runtime = ctx.options.runtime;
        if (runtime === 'onnx' && !efficient) {
          runtime = 'tfjs'; // the ONNX export covers the efficient CNNs; said in the notes
        } else if (runtime === 'onnx') {
          try {
            Object.assign(m, await onnxNtireRuntime(model, m, config));
          } catch (e) {
            runtime = 'tfjs';
            failures.push(`${name}: --runtime onnx: ${e instanceof Error ? e.message : String(e)} (runtime column on tfjs)`);
          }
        }
        metrics[`${name}.runtime`] = runtime;
        metrics[`${name}.params`] = m.params;
        metrics[`${name}.flops`] = m.flops;
        metrics[`${name}.activations`] = m.activations;
        metrics[`${name}.convLayers`] = m.convLayers;
        metrics[`${name}.macs`] = m.macs;
        metrics[`${name}.peakBytes`] = m.peakBytes;
        metrics[`${name}.memoryMiB`] = m.memoryMiB;
        metrics[`${name}.countSize`] = countSize;
        metrics[`${name}.runtimeSize`] = runtimeSize;
        metrics[`${name}.runtimeMs`] = m.runtimeMs;
        metrics[`${name}.gflopsPerSecond`] = m.gflopsPerSecond;
        const pub = efficient ? NTIRE2022_PUBLISHED[name as ModelName] : undefined;
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
          rowLabel,
          `${(m.params / 1e6).toFixed(3)} M`,
          `${(m.flops / 1e9).toFixed(2)} G`,
          `${(m.activations / 1e6).toFixed(2)} M`,
          m.convLayers,
          `${(m.macs / 1e9).toFixed(2)} G`,
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
            title: `${label}: whole-image runtime on ${ctx.options.lr}`,
            columns: ['image', 'LR size (W×H)', 'ms'],
            rows: [...times.map((t) => [t.name, `${t.shape[2]}×${t.shape[1]}`, t.ms.toFixed(1)]), ['mean', '', mean.toFixed(1)]],
            notes: ['one pass per image after warm-up on the first, no tiling; the challenge averaged per-image times the same way'],
          });
        }
      } finally {
        model.dispose();
      }
    }
    for (const source of prunedSources) {
      ctx.progress.step(source.label);
      const p = await source.build();
      try {
        const row = await measurePrunedSr(source.key, source.label, p, config, metrics, failures);
        rows.push(row);
        if (source.save !== undefined) await writeFile(source.save, await savePruned(p.model, p.record));
      } finally {
        p.model.dispose();
      }
    }
    const first = names[0];
    const heavyNotes =
      measuredHeavy.length > 0
        ? [
            `rows marked (N×N LR): costly models (GRL, CiaoSR, DATSR), counted and timed at that LR size instead (--count-size), runtime = median of ${heavyRuns} timed pass${heavyRuns === 1 ? '' : 'es'} after the profiled one (no other warm-up); the challenge's 256×256 is out of reach on this backend.`,
            'FLOPs follow the challenge\'s rules, which skip matmuls outside Conv2d/Linear modules (attention q·kᵀ and attn·v) and count a Linear on tokens as batch·L²; true MACs count every executed conv and matmul kernel, so for transformers they exceed the FLOPs (GRL-T ×4 at 64×64: 6.44 G of its 10.01 G true MACs are attention matmuls).',
            ...(measuredHeavy.some((n) => !Object.hasOwn(models, n))
              ? ['DATSR (two inputs) is measured through an adapter: call(lr) = upscale(lr, ref) with ref = MATLAB bicubic ×4 of the LR image (4× its size, computed in JavaScript: no MACs).']
              : []),
          ]
        : [];
    return {
      metrics,
      failures,
      tables: [
        {
          title:
            measuredHeavy.length === names.length && prunedSources.length === 0
              ? 'NTIRE 2022 ESR figures (counts and runtime at the LR size in each row)'
              : `NTIRE 2022 ESR figures (counts at 1×${NTIRE_COUNT_SIZE}×${NTIRE_COUNT_SIZE}×3, runtime at 1×${config.runtimeSize}×${config.runtimeSize}×3${measuredHeavy.length > 0 ? '; costly models at the LR size in their row' : ''})`,
          columns: [
            'model',
            'params',
            'FLOPs',
            'acts',
            'convs',
            'true MACs (incl. attention matmuls)',
            'memory',
            'runtime',
            'GFLOP/s',
            'published params/FLOPs/acts/convs',
            'published time, memory',
          ],
          rows,
          notes: [
            "FLOPs, acts and convs follow NTIRE2022_ESR utils/model_summary.py (conv MACs without bias plus activation-module outputs; Conv2d outputs; Conv2d calls).",
            'memory = weights + peak tensor bytes of one pass at the count size on this backend (tfjs frees intermediates per scope, so it exceeds PyTorch\'s).',
            ...(measuredHeavy.length < names.length || prunedSources.length > 0
              ? [`runtime = median of ${config.runs} passes after ${config.warmup} warm-up; GFLOP/s = 2 × true MACs / runtime.`]
              : ['GFLOP/s = 2 × true MACs / runtime.']),
            ...(ctx.options.runtime === 'onnx'
              ? ['runtime (registry models): the ONNX export (@lab/onnx) on onnxruntime-node, all cores; pruned rows, costly models and --lr times stay on tfjs.']
              : []),
            'published: NTIRE 2022 ESR report (arXiv 2205.05675), runtime on a Titan Xp GPU with CUDA.',
            ...heavyNotes,
            ...(prunedSources.length > 0
              ? ['pruned rows: @lab/pruning physical channel removal (L1 criterion, one uniform keep ratio per dependency group, no fine-tuning); no published figures.']
              : []),
          ],
        },
        ...lrTables,
      ],
      plots: ntirePlots(names.filter(isEfficient), metrics),
      summary: first
        ? `${first}: ${formatCount(metrics[`${first}.flops`] as number)} FLOPs, ${(metrics[`${first}.runtimeMs`] as number).toFixed(1)} ms` +
          (names.length > 1 ? ` (+${names.length - 1} more)` : '')
        : 'no models',
    };
  },
});

/** One pruned model the suite reports besides the registry models. */
interface PrunedSrSource {
  /** Metric key prefix. */
  readonly key: string;
  /** Row label. */
  readonly label: string;
  /** File to save the pruned model to (`--save-pruned`). */
  readonly save?: string;
  /** Builds (or loads) the pruned model; the caller disposes it. */
  readonly build: () => Promise<PrunedSrModel>;
}

/**
 * The pruned rows asked for: IMDN (NTIRE 2022) L1-pruned by `--pruned` (default 0.25, when IMDN
 * is measured at all) and the model of `--model-file`.
 */
function prunedSrSources(
  o: { readonly pruned: number; readonly 'model-file'?: string; readonly 'save-pruned'?: string },
  names: readonly string[],
  dataDir: string | undefined,
): PrunedSrSource[] {
  if (!(o.pruned >= 0 && o.pruned < 1)) throw new Error(`ntire: --pruned must be in [0, 1), got ${o.pruned}`);
  const out: PrunedSrSource[] = [];
  const base: ModelName = 'imdn-ntire2022';
  if (o.pruned > 0 && names.includes(base)) {
    const pct = Math.round(o.pruned * 1000) / 10;
    out.push({
      key: `${base}-pruned-l1-${String(pct).replace('.', 'p')}`,
      label: `${models[base].label}, L1-pruned −${pct} % channels`,
      ...(o['save-pruned'] !== undefined ? { save: o['save-pruned'] } : {}),
      build: () => pruneSrModel(base, o.pruned, dataDir),
    });
  } else if (o['save-pruned'] !== undefined) {
    throw new Error('ntire: --save-pruned needs a --pruned ratio above 0 and IMDN (imdn-ntire2022) among the measured models');
  }
  const file = o['model-file'];
  if (file !== undefined) {
    out.push({ key: `${path.basename(file).replace(/\.[^.]*$/, '')}-file`, label: `pruned model ${path.basename(file)}`, build: () => loadPrunedSrModel(file) });
  }
  return out;
}

/**
 * Measures a pruned SR model like the registry models, adds its metrics under `key` and returns
 * its table row; a parameter count that differs from the pruning record's is a failure.
 */
async function measurePrunedSr(
  key: string,
  label: string,
  p: PrunedSrModel,
  config: NtireSuiteConfig,
  metrics: Metrics,
  failures: string[],
): Promise<(string | number)[]> {
  const m = await ntireMetrics(p.model, { lrSize: NTIRE_COUNT_SIZE, runtimeSize: config.runtimeSize, runs: config.runs, warmup: config.warmup });
  const r = p.record;
  Object.assign(metrics, {
    [`${key}.params`]: m.params,
    [`${key}.flops`]: m.flops,
    [`${key}.activations`]: m.activations,
    [`${key}.convLayers`]: m.convLayers,
    [`${key}.macs`]: m.macs,
    [`${key}.peakBytes`]: m.peakBytes,
    [`${key}.memoryMiB`]: m.memoryMiB,
    [`${key}.countSize`]: NTIRE_COUNT_SIZE,
    [`${key}.runtimeSize`]: config.runtimeSize,
    [`${key}.runtimeMs`]: m.runtimeMs,
    [`${key}.gflopsPerSecond`]: m.gflopsPerSecond,
    [`${key}.baseModel`]: r.baseModel,
    [`${key}.baseParams`]: r.baseCost.params,
    [`${key}.paramsRatio`]: m.params / r.baseCost.params,
    [`${key}.weights`]: p.weights === 'random' ? 'random' : path.basename(p.weights),
  });
  if (m.params !== r.prunedCost.params) failures.push(`${key}: ${m.params} params measured, the pruning record says ${r.prunedCost.params}`);
  const kept = r.notes.keepRatio;
  return [
    label,
    `${(m.params / 1e6).toFixed(3)} M`,
    `${(m.flops / 1e9).toFixed(2)} G`,
    `${(m.activations / 1e6).toFixed(2)} M`,
    m.convLayers,
    `${(m.macs / 1e9).toFixed(2)} G`,
    `${m.memoryMiB.toFixed(1)} MiB`,
    `${m.runtimeMs.toFixed(1)} ms`,
    m.gflopsPerSecond.toFixed(1),
    `— (${(100 * (m.params / r.baseCost.params)).toFixed(1)} % of ${r.baseModel}'s params${typeof kept === 'number' ? `, keep ratio ${kept}` : ''})`,
    `— (weights: ${p.weights === 'random' ? 'random' : path.basename(p.weights)})`,
  ];
}
