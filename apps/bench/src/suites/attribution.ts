/**
 * Suite `attribution`: every registered attribution method on AttributionLab (arXiv 2310.06514),
 * the designed environment whose exact signed ground truth is known: positive and negative
 * precision/recall, AUC, sign agreement and the pass/fail verdict of the faithfulness test.
 * @packageDocumentation
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { NotAvailableError, writePngFile } from '@lab/tensor';
import {
  AttributionLab,
  gridSegments,
  methods,
  runFaithfulnessTest,
  type AttributionMethod,
  type FaithfulnessTestResult,
} from '@lab/attribution';
import { defineSuite, type Metrics } from '../suite';
import { attributionPlots } from '../suite-plots';

/** Problem sizes of `--quick` (the default) and `--full`. */
export interface AttributionLabConfig {
  /** Height = width of the designed images. */
  readonly imageSize: number;
  /** Designed samples per method. */
  readonly samples: number;
  /** Samples per `attribute` call. */
  readonly batchSize: number;
  /** Samples drawn in the `--out` figures. */
  readonly figures: number;
}

/** Sizes of `--quick` and `--full`. */
export const ATTRIBUTION_CONFIGS: Readonly<Record<'quick' | 'full', AttributionLabConfig>> = Object.freeze({
  quick: { imageSize: 16, samples: 6, batchSize: 6, figures: 3 },
  full: { imageSize: 32, samples: 32, batchSize: 8, figures: 6 },
});

/** How the suite configures one registered method for the designed network. */
export interface MethodPlan {
  /** Constructor settings (the registry entry's `create` argument). */
  readonly config?: (quick: boolean, env: AttributionLab) => Record<string, unknown>;
  /** Per-call options; tensors in it are disposed after the method ran. */
  readonly callOptions?: (env: AttributionLab) => Record<string, unknown>;
  /** Whether the method takes a `baselines` option (then `--baseline` is passed). */
  readonly baselines: boolean;
}

/** Each pixel (all channels) one feature: `[H, W, 1]` labels `y·W + x`. */
function pixelMask(env: AttributionLab): tf.Tensor {
  const { height: h, width: w } = env.design;
  return tf.tensor3d(Int32Array.from({ length: h * w }, (_, i) => i), [h, w, 1], 'int32');
}

/** A `cells × cells` grid of features, `[H, W, 1]`. */
function gridMask(env: AttributionLab, cellsY: number, cellsX: number): tf.Tensor {
  const { height: h, width: w } = env.design;
  return tf.tensor3d(gridSegments(h, w, cellsY, cellsX).labels, [h, w, 1], 'int32');
}

/**
 * Settings per registry key. The designed network keeps full resolution up to `mix` (the last
 * convolution), so layer methods use it; perturbation methods work on pixels (ablation,
 * permutation, occlusion 2×2) or on a grid (Shapley family, whose cost grows with the features).
 * A registered method without a plan is built with no settings.
 */
export const METHOD_PLANS: Readonly<Record<string, MethodPlan>> = Object.freeze({
  saliency: { baselines: false },
  'input-x-gradient': { baselines: false },
  'integrated-gradients': { baselines: true, config: (quick) => ({ steps: quick ? 16 : 50 }) },
  'guided-backprop': { baselines: false },
  deconvolution: { baselines: false },
  'gradient-shap': { baselines: true, config: (quick) => ({ samples: quick ? 8 : 32 }) },
  'deep-lift': { baselines: true },
  'deep-lift-shap': { baselines: true },
  'grad-cam': { baselines: false, config: () => ({ layer: 'mix' }) },
  'guided-grad-cam': { baselines: false, config: () => ({ layer: 'mix' }) },
  occlusion: { baselines: true, config: () => ({ window: [2, 2] }) },
  'feature-ablation': { baselines: true, callOptions: (env) => ({ featureMask: pixelMask(env) }) },
  'feature-permutation': { baselines: false, callOptions: (env) => ({ featureMask: pixelMask(env) }) },
  rise: { baselines: true, config: (quick) => ({ masks: quick ? 500 : 2000, cells: 4, p: 0.5 }) },
  lime: { baselines: true, config: (quick) => ({ samples: quick ? 100 : 500 }) },
  'kernel-shap': { baselines: true, config: (quick) => ({ samples: quick ? 64 : 256 }), callOptions: (env) => ({ featureMask: gridMask(env, 4, 4) }) },
  'shapley-value-sampling': {
    baselines: true,
    config: (quick) => ({ samples: quick ? 4 : 25 }),
    callOptions: (env) => ({ featureMask: gridMask(env, 4, 4) }),
  },
  'exact-shapley': { baselines: true, callOptions: (env) => ({ featureMask: gridMask(env, 3, 3) }) }, // 2⁹ coalitions per sample
  'extremal-perturbation': {
    baselines: false,
    config: (quick, env) => ({ iterations: quick ? 60 : 300, step: 2, blurSigma: Math.max(1, env.design.height / 10) }),
  },
  iba: { baselines: false, config: () => ({ layer: 'spatialRelu' }) },
});

/** One row of the table. */
interface Row {
  name: string;
  result?: FaithfulnessTestResult;
  /** `skipped: …` or `failed: …` when there is no result. */
  note?: string;
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '—');
/** `red` or `2·red`: a feature with its weight. */
const term = (f: { colour: string; weight: number }): string => (f.weight === 1 ? f.colour : `${f.weight}·${f.colour}`);

/** Diverging colour of a value in [−1, 1]: red positive, blue negative, white 0. */
function diverging(v: number): [number, number, number] {
  const t = Math.max(-1, Math.min(1, v));
  const fade = Math.round(255 * (1 - Math.abs(t)));
  return t >= 0 ? [255, fade, fade] : [fade, fade, 255];
}

/**
 * Writes one PNG per figure sample: input, ground truth, then each evaluated method's
 * channel-summed map (each scaled to its own max |value|), side by side.
 */
async function writeFigures(outDir: string, env: AttributionLab, seed: number, count: number, rows: readonly Row[]): Promise<string[]> {
  const { height: h, width: w } = env.design;
  const scale = Math.max(1, Math.floor(96 / h));
  const gap = 4;
  const maps = rows.filter((r) => r.result?.maps);
  const columns = 2 + maps.length;
  const tileW = w * scale;
  const tileH = h * scale;
  const width = columns * tileW + (columns + 1) * gap;
  const height = tileH + 2 * gap;
  const sample = env.sample(count, { seed });
  const images = sample.images.dataSync() as Float32Array;
  const gt = sample.groundTruth.dataSync() as Float32Array;
  tf.dispose([sample.images, sample.groundTruth]);
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(width * height * 3).fill(128);
    const tile = (col: number, colour: (p: number) => [number, number, number]): void => {
      for (let y = 0; y < tileH; y++) {
        for (let x = 0; x < tileW; x++) {
          const p = Math.floor(y / scale) * w + Math.floor(x / scale);
          const o = ((gap + y) * width + gap + col * (tileW + gap) + x) * 3;
          data.set(colour(p), o);
        }
      }
    };
    tile(0, (p) => {
      const o = (i * h * w + p) * 3;
      return [images[o] * 255, images[o + 1] * 255, images[o + 2] * 255];
    });
    tile(1, (p) => diverging(gt[i * h * w + p]));
    maps.forEach((r, m) => {
      const map = r.result!.maps![i];
      let max = 0;
      for (const v of map) max = Math.max(max, Math.abs(v));
      tile(2 + m, (p) => diverging(max > 0 ? map[p] / max : 0));
    });
    const file = path.join(outDir, `attribution-lab-${i}.png`);
    await writePngFile(file, { width, height, channels: 3, data });
    written.push(file);
  }
  return written;
}

export const attribution = defineSuite({
  name: 'attribution',
  description: 'Every attribution method on AttributionLab: positive/negative precision and recall, AUC, sign agreement, pass/fail',
  options: {
    method: { type: 'string', choices: Object.keys(methods), description: 'evaluate only this method (default: all registered)' },
    task: { type: 'string', choices: ['classification', 'regression'], default: 'classification', description: 'designed task' },
    baseline: {
      type: 'string',
      choices: ['black', 'grey', 'background'],
      default: 'black',
      description: 'baseline passed to methods that take one (background: the in-distribution empty image)',
    },
    'in-distribution': { type: 'boolean', description: 'black background, so the black baseline is an in-distribution image' },
    samples: { type: 'number', valueName: 'N', integer: true, min: 1, description: 'designed samples per method (default 6 quick, 32 full)' },
    sharpness: { type: 'number', valueName: 'K', integer: true, min: 1, default: 1, description: 'detector sharpness (changes the response off the data)' },
  },
  async run(ctx) {
    const config = ctx.quick ? ATTRIBUTION_CONFIGS.quick : ATTRIBUTION_CONFIGS.full;
    const o = ctx.options;
    const samples = o.samples ?? config.samples;
    const figures = ctx.outDir !== undefined ? Math.min(samples, config.figures) : 0;
    const env = new AttributionLab({
      task: o.task as 'classification' | 'regression',
      imageSize: config.imageSize,
      inDistributionBaseline: o['in-distribution'] === true,
      sharpness: o.sharpness,
    });
    const baselineValue = env.baselines[o.baseline as 'black' | 'grey' | 'background'];
    const names = Object.keys(methods).filter((n) => o.method === undefined || n === o.method);
    const metrics: Metrics = {};
    const failures: string[] = [];
    const rows: Row[] = [];
    ctx.progress.start(names.length + (figures > 0 ? 1 : 0));
    try {
      for (const name of names) {
        ctx.progress.step(name);
        const plan: MethodPlan = METHOD_PLANS[name] ?? { baselines: false };
        const entry = (methods as Record<string, { create(config: unknown): AttributionMethod<any> }>)[name];
        const before = tf.memory().numTensors;
        let callOptions: Record<string, unknown> = {};
        try {
          const method = entry.create(plan.config?.(ctx.quick, env));
          callOptions = plan.callOptions?.(env) ?? {};
          const result = await runFaithfulnessTest(method, env, {
            samples,
            batchSize: config.batchSize,
            seed: ctx.seed,
            keepMaps: figures,
            methodOptions: plan.baselines ? { ...callOptions, baselines: baselineValue } : callOptions,
          });
          rows.push({ name, result });
          const m = result.mean;
          Object.assign(metrics, {
            [`${name}.positivePrecision`]: m.positivePrecision,
            [`${name}.positiveRecall`]: m.positiveRecall,
            [`${name}.positiveAuc`]: m.positiveAuc,
            [`${name}.negativePrecision`]: m.negativePrecision,
            [`${name}.negativeRecall`]: m.negativeRecall,
            [`${name}.negativeAuc`]: m.negativeAuc,
            [`${name}.signAgreement`]: m.signAgreement,
            [`${name}.scenario`]: result.scenario,
            [`${name}.passed`]: result.passed ? 1 : 0,
            [`${name}.runtimeMs`]: result.runtimeMs,
          });
          if (!result.passed) metrics[`${name}.failures`] = result.failures.join('; ');
        } catch (e) {
          const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
          if (e instanceof NotAvailableError) {
            rows.push({ name, note: `skipped: ${message}` });
            metrics[`${name}.status`] = `skipped: ${message}`;
            ctx.log(`${name} skipped: ${message}`);
          } else {
            // A method that errors on a valid designed input is a bug: fail the suite, keep the others.
            rows.push({ name, note: `failed: ${message}` });
            metrics[`${name}.status`] = `failed: ${message}`;
            failures.push(`${name}: ${message}`);
          }
        } finally {
          tf.dispose(Object.values(callOptions).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
          const leaked = tf.memory().numTensors - before;
          if (leaked !== 0) failures.push(`${name} leaked ${leaked} tensor${leaked === 1 ? '' : 's'}`);
        }
      }
      let written: string[] = [];
      if (figures > 0 && ctx.outDir !== undefined) {
        ctx.progress.step('figures');
        written = await writeFigures(ctx.outDir, env, ctx.seed, figures, rows);
      }
      const evaluated = rows.filter((r) => r.result);
      const passed = evaluated.filter((r) => r.result!.passed);
      metrics.evaluated = evaluated.length;
      metrics.passed = passed.length;
      metrics.skipped = rows.filter((r) => r.note?.startsWith('skipped')).length;
      const d = env.design;
      const notes = [
        `AttributionLab ${d.task}, ${d.height}×${d.width}, ${samples} samples (seed ${ctx.seed}), background ${d.background}, sharpness ${d.sharpness}; ` +
          `units ${d.units.map((u) => `${[...u.positive.map((f) => `+${term(f)}`), ...u.negative.map((f) => `−${term(f)}`)].join('')} (θ ${u.threshold})`).join(', ')}; distractors ${d.distractors.join(', ') || 'none'}.`,
        `Baseline for methods that take one: ${o.baseline} (${baselineValue}).`,
        'P/R: top-k precision and recall with k = ground-truth size (positive: highest attributions > 0; negative: lowest < 0); ' +
          'AUC: threshold-free ROC AUC; sign: fraction of feature pixels with the right sign. Unsigned methods are scored on all features (±) by |map|, in the "+" columns.',
        `Pass: mean precision and recall ≥ 0.8 (positive, and negative when signed) and sign agreement ≥ 0.8 (signed).`,
        ...(written.length > 0 ? [`Figures (${written.length}): input, ground truth, then ${rows.filter((r) => r.result?.maps).map((r) => r.name).join(', ')}; red +, blue −.`] : []),
      ];
      return {
        metrics,
        tables: [
          {
            title: 'Faithfulness on AttributionLab',
            columns: ['method', 'scenario', '+P', '+R', '+AUC', '−P', '−R', '−AUC', 'sign', 'time', 'verdict'],
            rows: rows.map((r) => {
              if (!r.result) return [r.name, '', '', '', '', '', '', '', '', '', r.note ?? ''];
              const m = r.result.mean;
              return [
                r.name,
                r.result.scenario,
                fmt(m.positivePrecision),
                fmt(m.positiveRecall),
                fmt(m.positiveAuc),
                fmt(m.negativePrecision),
                fmt(m.negativeRecall),
                fmt(m.negativeAuc),
                fmt(m.signAgreement),
                `${(r.result.runtimeMs / 1000).toFixed(2)} s`,
                r.result.passed ? 'pass' : 'FAIL',
              ];
            }),
            notes,
          },
        ],
        plots: attributionPlots(names, metrics),
        images: written.map((file, i) => ({
          file,
          title: `AttributionLab sample ${i}`,
          caption: `input, ground truth, then ${rows.filter((r) => r.result?.maps).map((r) => r.name).join(', ')}; red +, blue −, each map scaled to its own max |value|.`,
        })),
        summary: `${passed.length}/${evaluated.length} methods pass` + (metrics.skipped ? ` (${metrics.skipped} skipped)` : ''),
        failures,
      };
    } finally {
      env.dispose();
    }
  },
});
