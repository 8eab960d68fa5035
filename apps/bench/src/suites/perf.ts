/**
 * Suite `perf`: throughput of the active tfjs backend on the workloads the lab runs, each as a
 * fraction of a matmul reference measured in the same run.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, ReLU, Rng, Sequential, initBackend, measureRuntime, type Module } from '@lab/tensor';
import { defineSuite, type Metrics, type ResultTable } from '../suite';
import { benchIntegratedGradients, type IgBenchResult } from './perf-attribution';
import { benchSr, findDiv2k0901, type SrBenchResult } from './perf-sr';
import { benchRoad, type RoadBenchRow } from './perf-faithfulness';
import { benchOnnx, type OnnxBenchResult } from './perf-onnx';
import { benchParallel, findDiv2kLr, type ParallelBenchResult } from './perf-parallel';

/** Problem sizes and repetitions of one mode. */
export interface PerfConfig {
  /** Side of the square matmul reference (`n³` multiply-adds). */
  readonly matmulN: number;
  /** Height = width of the single-convolution inputs (64 channels). */
  readonly convSize: number;
  /** Height = width of the conv net's input (3 channels). */
  readonly netSize: number;
  /** Untimed and timed calls of each micro-benchmark. */
  readonly warmup: number;
  readonly runs: number;
  /** Untimed and timed calls of the conv net (forward and training step). */
  readonly netWarmup: number;
  readonly netRuns: number;
}

/** Sizes of `--quick` (the default) and `--full`. */
export const PERF_CONFIGS: Readonly<Record<'quick' | 'full', PerfConfig>> = Object.freeze({
  quick: { matmulN: 512, convSize: 64, netSize: 64, warmup: 3, runs: 15, netWarmup: 1, netRuns: 3 },
  full: { matmulN: 1024, convSize: 128, netSize: 64, warmup: 3, runs: 20, netWarmup: 2, netRuns: 10 },
});

/** Layers of the benchmark conv net: one 3→64 convolution, then 64→64 ones; all 3×3. */
export const NET_DEPTH = 10;
/** Channels of the benchmark conv net and of the single-convolution benchmarks. */
export const CHANNELS = 64;
/** Learning rate of the SGD update in the training step (its value does not change the timing). */
const LEARNING_RATE = 1e-4;

/** The convention for FLOPs, printed under the table and stored in the metrics. */
export const FLOP_CONVENTION =
  'FLOPs = 2 × MACs (a multiply-add is 2 FLOPs); a training step counts 3 × the forward MACs ' +
  '(forward + input gradient + weight gradient); GFLOP/s use the median time; ' +
  "'of matmul' divides by the matmul GFLOP/s measured in this run.";

/** Multiply-accumulates of a stride-1 'same' convolution of `kh×kw`, `cin/groups → cout`. */
export function convMacs(h: number, w: number, k: number, cin: number, cout: number, groups = 1): number {
  return h * w * k * k * (cin / groups) * cout;
}

/** MACs of one forward pass of the benchmark conv net on a `size×size×3` input. */
export function netMacs(size: number): number {
  return convMacs(size, size, 3, 3, CHANNELS) + (NET_DEPTH - 1) * convMacs(size, size, 3, CHANNELS, CHANNELS);
}

/** The benchmark conv net: 10 3×3 convolutions (3→64, then 64→64), a ReLU after each but the last. */
export function buildBenchNet(rng: Rng): Module {
  const layers: Module[] = [];
  for (let i = 0; i < NET_DEPTH; i++) {
    layers.push(new Conv2d(i === 0 ? 3 : CHANNELS, CHANNELS, 3, { padding: 1, rng }));
    if (i < NET_DEPTH - 1) layers.push(new ReLU());
  }
  return new Sequential(...layers);
}

interface Row {
  key: string;
  label: string;
  shape: string;
  flops: number;
  medianMs?: number;
  minMs?: number;
  /** Why the row has no timing: `skipped: …` or `failed: …`. */
  note?: string;
}

export const perf = defineSuite({
  name: 'perf',
  description: 'GFLOP/s of matmul, convolutions and a 10-layer conv net (forward and training step) on the active backend',
  positional: 'area',
  options: {
    area: {
      type: 'string',
      choices: ['all', 'core', 'attribution', 'sr', 'faithfulness', 'onnx', 'parallel'],
      default: 'all',
      description: "what to measure: core (matmul, convolutions, conv net), attribution (IG vs bare gradients), sr (IMDN ×4 forward vs a conv reference), faithfulness (ROAD imputation), onnx (IMDN ×4 256×256 on onnxruntime-node vs tfjs and a native matmul peak), parallel (2 workers vs one thread for IG, Occlusion and SR tiles), or all; also given as a bare word: 'lab perf attribution'",
    },
    backend: { type: 'string', choices: ['wasm', 'cpu'], default: 'wasm', description: 'tfjs backend to measure' },
    runs: { type: 'number', valueName: 'N', integer: true, min: 1, description: 'timed runs of each benchmark (default 15 quick, 20 full; the net 3 / 10)' },
    matmul: { type: 'number', valueName: 'N', integer: true, min: 1, description: 'side of the matmul reference (default 512 quick, 1024 full)' },
    'conv-size': { type: 'number', valueName: 'N', integer: true, min: 1, description: 'height = width of the convolution inputs (default 64 quick, 128 full)' },
    'net-size': { type: 'number', valueName: 'N', integer: true, min: 1, description: 'height = width of the conv net input (default 64)' },
  },
  async run(ctx) {
    const base = ctx.quick ? PERF_CONFIGS.quick : PERF_CONFIGS.full;
    const o = ctx.options;
    const config: PerfConfig = {
      ...base,
      ...(o.runs !== undefined ? { runs: o.runs, netRuns: o.runs } : {}),
      ...(o.matmul !== undefined ? { matmulN: o.matmul } : {}),
      ...(o['conv-size'] !== undefined ? { convSize: o['conv-size'] } : {}),
      ...(o['net-size'] !== undefined ? { netSize: o['net-size'] } : {}),
    };
    const previous = tf.getBackend();
    const info = await initBackend({ backend: ctx.options.backend as 'wasm' | 'cpu' });
    const failures: string[] = [];
    const rows: Row[] = [];
    const rng = new Rng(ctx.seed);
    const onWasm = info.backend === 'wasm';
    ctx.log(`backend ${info.backend}, SIMD ${info.simd ? 'on' : 'off'}, ${info.threads} thread${info.threads === 1 ? '' : 's'}`);
    const area = ctx.options.area as 'all' | 'core' | 'attribution' | 'sr' | 'faithfulness' | 'onnx' | 'parallel';
    const doCore = area === 'all' || area === 'core';
    const doAttribution = area === 'all' || area === 'attribution';
    const doSr = area === 'all' || area === 'sr';
    const doFaithfulness = area === 'all' || area === 'faithfulness';
    const doOnnx = area === 'all' || area === 'onnx';
    const doParallel = area === 'all' || area === 'parallel';
    ctx.progress.start((doCore ? (onWasm ? 6 : 5) : 0) + (doAttribution ? 1 : 0) + (doSr ? 1 : 0) + (doFaithfulness ? 1 : 0) + (doOnnx ? 1 : 0) + (doParallel ? 1 : 0));
    let roadRows: RoadBenchRow[] | undefined;
    let igResult: IgBenchResult | undefined;
    let srResult: SrBenchResult | undefined;
    let onnxResult: OnnxBenchResult | undefined;
    let parallelResult: ParallelBenchResult | undefined;

    /** Runs one benchmark, checking that it leaves the tensor count unchanged. */
    const bench = async (row: Omit<Row, 'medianMs' | 'minMs' | 'note'>, body: () => Promise<{ medianMs: number; minMs: number }>) => {
      ctx.progress.step(`${row.label} ${row.shape}`);
      const before = tf.memory().numTensors;
      try {
        const t = await body();
        rows.push({ ...row, medianMs: t.medianMs, minMs: t.minMs });
      } catch (e) {
        // One failing benchmark (a missing kernel, out of memory) fails the suite but keeps the others.
        const message = e instanceof Error ? e.message : String(e);
        failures.push(`${row.key}: ${message}`);
        rows.push({ ...row, note: `failed: ${message.split('\n')[0]}` });
      } finally {
        const leaked = tf.memory().numTensors - before;
        if (leaked !== 0) failures.push(`${row.key} leaked ${leaked} tensor${leaked === 1 ? '' : 's'}`);
      }
    };
    const timed = { warmup: config.warmup, runs: config.runs };
    const netTimed = { warmup: config.netWarmup, runs: config.netRuns };

    try {
      if (doCore) {
      const n = config.matmulN;
      await bench({ key: 'matmul', label: 'matmul', shape: `${n}×${n} · ${n}×${n}`, flops: 2 * n ** 3 }, async () => {
        const a = rng.normalTensor([n, n]);
        const b = rng.normalTensor([n, n]);
        try {
          return await measureRuntime(() => tf.matMul(a, b), timed);
        } finally {
          tf.dispose([a, b]);
        }
      });

      const s = config.convSize;
      const xShape = `1×${s}×${s}×${CHANNELS}`;
      const convCases = [
        { key: 'conv3x3', label: `conv 3×3 ${CHANNELS}→${CHANNELS}`, filter: [3, 3, CHANNELS, CHANNELS], macs: convMacs(s, s, 3, CHANNELS, CHANNELS), depthwise: false },
        { key: 'depthwise3x3', label: `depthwise 3×3 ×${CHANNELS}`, filter: [3, 3, CHANNELS, 1], macs: convMacs(s, s, 3, CHANNELS, CHANNELS, CHANNELS), depthwise: true },
        { key: 'conv1x1', label: `conv 1×1 ${CHANNELS}→${CHANNELS}`, filter: [1, 1, CHANNELS, CHANNELS], macs: convMacs(s, s, 1, CHANNELS, CHANNELS), depthwise: false },
      ];
      for (const c of convCases) {
        await bench({ key: c.key, label: c.label, shape: xShape, flops: 2 * c.macs }, async () => {
          const x = rng.normalTensor([1, s, s, CHANNELS]) as tf.Tensor4D;
          const w = rng.normalTensor(c.filter, 0, 0.05) as tf.Tensor4D;
          try {
            return await measureRuntime(
              () => (c.depthwise ? tf.depthwiseConv2d(x, w, 1, 'same') : tf.conv2d(x, w, 1, 'same')),
              timed,
            );
          } finally {
            tf.dispose([x, w]);
          }
        });
      }

      const ns = config.netSize;
      const netShape = `1×${ns}×${ns}×3`;
      const fwdMacs = netMacs(ns);
      await bench({ key: 'net.forward', label: `conv net ×${NET_DEPTH} forward`, shape: netShape, flops: 2 * fwdMacs }, async () => {
        const net = buildBenchNet(rng);
        const x = rng.normalTensor([1, ns, ns, 3]);
        try {
          net.eval();
          return await measureRuntime(() => tf.tidy(() => net.call(x)), netTimed);
        } finally {
          x.dispose();
          net.dispose();
        }
      });

      const trainRow = { key: 'net.train', label: `conv net ×${NET_DEPTH} training step`, shape: netShape, flops: 3 * 2 * fwdMacs };
      if (onWasm) {
        await bench(trainRow, async () => {
          const net = buildBenchNet(rng);
          const x = rng.normalTensor([1, ns, ns, 3]);
          const target = rng.normalTensor([1, ns, ns, CHANNELS]);
          const lr = tf.scalar(LEARNING_RATE);
          const params = net.parameters();
          try {
            net.train();
            const step = (): tf.Scalar =>
              tf.tidy(() => {
                const { value, grads } = tf.variableGrads(() => tf.mean(tf.squaredDifference(net.call(x), target)) as tf.Scalar, params);
                for (const v of params) v.assign(tf.sub(v, tf.mul(grads[v.name], lr)));
                return value;
              });
            return await measureRuntime(step, netTimed);
          } finally {
            tf.dispose([x, target, lr]);
            net.dispose();
          }
        });
      } else {
        rows.push({ ...trainRow, note: 'skipped: wasm only (the cpu backend needs minutes per step)' });
      }
      }
      if (doAttribution) {
        ctx.progress.step('integrated gradients vs bare gradients');
        const before = tf.memory().numTensors;
        try {
          igResult = await benchIntegratedGradients(rng, {
            steps: 50,
            batchSize: 50,
            size: ctx.quick ? 32 : 64,
            warmup: 1,
            runs: ctx.quick ? 3 : 10,
          });
        } catch (e) {
          failures.push(`ig: ${e instanceof Error ? e.message : String(e)}`);
        } finally {
          const leaked = tf.memory().numTensors - before;
          if (leaked !== 0) failures.push(`ig leaked ${leaked} tensor${leaked === 1 ? '' : 's'}`);
        }
      }
      if (doFaithfulness) {
        ctx.progress.step('ROAD imputation 224×224');
        try {
          roadRows = benchRoad(rng, { size: 224, runs: ctx.quick ? 3 : 7, shares: [0.5, 0.9] });
        } catch (e) {
          failures.push(`road: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      if (doSr) {
        ctx.progress.step('SR forward');
        const before = tf.memory().numTensors;
        try {
          srResult = await benchSr(rng, {
            size: ctx.quick ? 128 : 256,
            warmup: 1,
            runs: ctx.quick ? 2 : 5,
            div2k: ctx.quick ? undefined : findDiv2k0901(ctx.dataDir),
            // GRL-T and CiaoSR rows: when the sr area is asked for, or in --full (not in the default run).
            heavy: area === 'sr' || !ctx.quick,
          });
        } catch (e) {
          failures.push(`sr: ${e instanceof Error ? e.message : String(e)}`);
        } finally {
          const leaked = tf.memory().numTensors - before;
          if (leaked !== 0) failures.push(`sr leaked ${leaked} tensor${leaked === 1 ? '' : 's'}`);
        }
      }
      if (doOnnx) {
        ctx.progress.step('IMDN ×4 on onnxruntime-node');
        const before = tf.memory().numTensors;
        try {
          onnxResult = await benchOnnx(rng, {
            size: 256,
            warmup: 2,
            runs: ctx.quick ? 5 : 15,
            tfjsRuns: ctx.quick ? 2 : 5,
            matmulN: ctx.quick ? 1024 : 2048,
          });
        } catch (e) {
          failures.push(`onnx: ${e instanceof Error ? e.message : String(e)}`);
        } finally {
          const leaked = tf.memory().numTensors - before;
          if (leaked !== 0) failures.push(`onnx leaked ${leaked} tensor${leaked === 1 ? '' : 's'}`);
        }
      }
      if (doParallel) {
        ctx.progress.step('2 workers vs one thread');
        const before = tf.memory().numTensors;
        try {
          parallelResult = await benchParallel(rng, {
            workers: 2,
            runs: ctx.options.runs ?? (ctx.quick ? 2 : 5),
            size: 32,
            div2k: findDiv2kLr(ctx.dataDir),
            srCrop: ctx.quick ? 128 : undefined,
            tile: 64,
            overlap: 16,
          });
        } catch (e) {
          failures.push(`parallel: ${e instanceof Error ? e.message : String(e)}`);
        } finally {
          const leaked = tf.memory().numTensors - before;
          if (leaked !== 0) failures.push(`parallel leaked ${leaked} tensor${leaked === 1 ? '' : 's'}`);
        }
      }
    } finally {
      if (tf.getBackend() !== previous) await tf.setBackend(previous);
    }

    const out = summarise(rows, info, config);
    if (!doCore) out.tables.length = 0;
    if (igResult) {
      const r = igResult;
      Object.assign(out.metrics, {
        'ig.steps': r.steps,
        'ig.batchSize': r.batchSize,
        'ig.medianMs': r.igMs,
        'ig.bareMs': r.bareMs,
        'ig.ratio': r.ratio,
      });
      out.tables.push({
        title: `Integrated Gradients (${r.steps} Gauss–Legendre steps, batchSize ${r.batchSize}) on a small CNN, input ${r.inputShape.join('×')}`,
        columns: ['work', 'median ms', 'ratio'],
        rows: [
          [`${r.steps} bare forward+backward passes (batches of ${r.batchSize})`, r.bareMs.toFixed(2), '1.00×'],
          ['IG attribute (same model, same batches)', r.igMs.toFixed(2), `${r.ratio.toFixed(2)}×`],
        ],
        notes: ['target: IG ≤ 1.15× of the bare passes; both measured in this run'],
      });
      out.summary += `${out.summary.endsWith(': ') ? '' : ', '}IG ${r.ratio.toFixed(2)}× bare`;
    }
    if (roadRows) {
      for (const row of roadRows) {
        const pct = Math.round(row.removedShare * 100);
        out.metrics[`road.${pct}.coldMs`] = row.coldMs;
        out.metrics[`road.${pct}.warmMs`] = row.warmMs;
      }
      out.tables.push({
        title: 'ROAD noisy linear imputation of a 224×224 RGB image (conjugate gradient)',
        columns: ['pixels removed', 'cold median ms', 'warm-started median ms', 'target ms'],
        rows: roadRows.map((row) => [`${Math.round(row.removedShare * 100)}%`, row.coldMs.toFixed(1), row.warmMs.toFixed(1), row.removedShare <= 0.5 ? '≤ 35' : '≤ 130']),
        notes: ['warm: each fill starts from the solution for a mask 1% smaller, as along a soundness/completeness curve'],
      });
      const r50 = roadRows.find((r) => r.removedShare === 0.5);
      if (r50) out.summary += `${out.summary.endsWith(': ') ? '' : ', '}ROAD 50% ${r50.coldMs.toFixed(0)} ms`;
    }
    if (srResult) {
      const r = srResult;
      out.metrics['sr.convGflops'] = r.convGflops;
      r.rows.forEach((row, i) => {
        out.metrics[`sr.${i}.medianMs`] = row.medianMs;
        out.metrics[`sr.${i}.gflops`] = row.gflops;
        out.metrics[`sr.${i}.ofConv`] = row.gflops / r.convGflops;
      });
      out.tables.push({
        title: 'Super-resolution forward passes (IMDN ×4 vs a conv reference; GRL-T ×4 and CiaoSR ×3.5 with lab perf sr or --full)',
        columns: ['work', 'true GMACs', 'median ms', 'GFLOP/s', 'of conv 3×3'],
        rows: [
          ...r.rows.map((row) => [row.label, (row.macs / 1e9).toFixed(2), row.medianMs.toFixed(1), row.gflops.toFixed(1), `${(row.gflops / r.convGflops).toFixed(2)}×`]),
          ['conv 3×3 64→64 (reference, same run)', '—', '—', r.convGflops.toFixed(1), '1.00×'],
        ],
        notes: ['target: ≥ 35 GFLOP/s on one wasm thread; GFLOP/s = 2 × true MACs / median time'],
      });
      if (r.rows[0]) out.summary += `${out.summary.endsWith(': ') ? '' : ', '}IMDN ${r.rows[0].gflops.toFixed(1)} GFLOP/s`;
    }
    if (onnxResult) {
      const r = onnxResult;
      Object.assign(out.metrics, {
        'onnx.size': r.size,
        'onnx.threads': r.threads,
        'onnx.macs': r.macs,
        'onnx.medianMs': r.onnxMs,
        'onnx.gflops': r.onnxGflops,
        'onnx.ofMatmul': r.onnxGflops / r.matmulGflops,
        'onnx.speedup': r.tfjsMs / r.onnxMs,
        'onnx.tfjsMs': r.tfjsMs,
        'onnx.tfjsGflops': r.tfjsGflops,
        'onnx.matmulN': r.matmulN,
        'onnx.matmulGflops': r.matmulGflops,
        'onnx.relativeError': r.relativeError,
        'onnx.exportMs': r.exportMs,
      });
      const gmac = (r.macs / 1e9).toFixed(2);
      out.tables.push({
        title: `IMDN ×4 (NTIRE 2022 baseline) on a ${r.size}×${r.size} LR: onnxruntime-node (${r.threads} threads) vs tfjs ${info.backend}`,
        columns: ['work', 'true GMACs', 'median ms', 'GFLOP/s', 'of native matmul', 'vs tfjs'],
        rows: [
          [`onnxruntime-node, exported at ${r.exportSize}×${r.exportSize} (symbolic H, W)`, gmac, r.onnxMs.toFixed(1), r.onnxGflops.toFixed(1), `${(r.onnxGflops / r.matmulGflops).toFixed(2)}×`, `${(r.tfjsMs / r.onnxMs).toFixed(2)}×`],
          [`tfjs ${info.backend} (${info.threads} thread${info.threads === 1 ? '' : 's'})`, gmac, r.tfjsMs.toFixed(1), r.tfjsGflops.toFixed(1), `${(r.tfjsGflops / r.matmulGflops).toFixed(2)}×`, '1.00×'],
          [`MatMul ${r.matmulN}³ onnxruntime-node (peak reference, same run)`, (r.matmulN ** 3 / 1e9).toFixed(2), r.matmulMs.toFixed(1), r.matmulGflops.toFixed(1), '1.00×', '—'],
        ],
        notes: [
          'target: ≥ 250 GFLOP/s on 2 cores; GFLOP/s = 2 × true MACs (profiler) / median time; all rows measured in this run',
          `max |onnx − tfjs| / output range on the timed input: ${r.relativeError.toExponential(2)} (tolerance 1e-4)`,
        ],
      });
      out.summary += `${out.summary.endsWith(': ') ? '' : ', '}IMDN onnx ${r.onnxGflops.toFixed(0)} GFLOP/s (${(r.tfjsMs / r.onnxMs).toFixed(1)}× tfjs)`;
    }
    if (parallelResult) {
      const r = parallelResult;
      out.metrics['parallel.workers'] = r.workers;
      for (const [k, v] of Object.entries(r.startMs)) out.metrics[`parallel.${k}.startMs`] = v;
      for (const row of r.rows) {
        out.metrics[`parallel.${row.key}.singleMs`] = row.singleMs;
        out.metrics[`parallel.${row.key}.parallelMs`] = row.parallelMs;
        out.metrics[`parallel.${row.key}.speedup`] = row.speedup;
        out.metrics[`parallel.${row.key}.maxAbsDiff`] = row.maxAbsDiff;
        if (row.maxAbsDiff !== 0) failures.push(`parallel ${row.key}: the ${r.workers}-worker result differs from the single-thread one by ${row.maxAbsDiff}`);
      }
      out.tables.push({
        title: `${r.workers} workers (worker_threads, one wasm backend each) vs the single-thread path, same run`,
        columns: ['work', 'one thread ms', `${r.workers} workers ms`, 'speed-up', 'max |Δ|'],
        rows: r.rows.map((row) => [row.label, row.singleMs.toFixed(1), row.parallelMs.toFixed(1), `${row.speedup.toFixed(2)}×`, row.maxAbsDiff === 0 ? '0 (identical)' : row.maxAbsDiff.toExponential(2)]),
        notes: [
          'target: ≥ 1.8× on 2 workers (a quiet 2-core machine); ratios of medians measured in this run, never gated on wall-clock time',
          `pool start-up (spawn, backend, weights) not included: ${Object.entries(r.startMs).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')}`,
          ...r.skipped.map((m) => `skipped: ${m}`),
        ],
      });
      const figures = r.rows.map((row) => `${row.key} ${row.speedup.toFixed(2)}×`).join(', ');
      out.summary += `${out.summary.endsWith(': ') ? '' : ', '}${r.workers} workers: ${figures}`;
    }
    return { ...out, failures };
  },
});

function summarise(
  rows: readonly Row[],
  info: { backend: string; simd: boolean; threads: number },
  config: PerfConfig,
): { metrics: Metrics; tables: ResultTable[]; summary: string } {
  const gflops = (r: Row): number | undefined => (r.medianMs === undefined ? undefined : r.flops / (r.medianMs * 1e6));
  const ref = rows.find((r) => r.key === 'matmul');
  const refGflops = ref ? gflops(ref) : undefined;
  const metrics: Metrics = {
    backend: info.backend,
    simd: info.simd ? 'on' : 'off',
    threads: info.threads,
    'matmul.n': config.matmulN,
    'conv.size': config.convSize,
    'net.size': config.netSize,
    runs: config.runs,
    'net.runs': config.netRuns,
    flopConvention: FLOP_CONVENTION,
  };
  const tableRows: (string | number)[][] = [];
  for (const r of rows) {
    const g = gflops(r);
    const frac = g !== undefined && refGflops ? g / refGflops : undefined;
    metrics[`${r.key}.flops`] = r.flops;
    if (r.note !== undefined) {
      metrics[`${r.key}.status`] = r.note;
      tableRows.push([r.label, r.shape, (r.flops / 1e9).toFixed(3), '—', '—', '—', r.note]);
      continue;
    }
    metrics[`${r.key}.medianMs`] = r.medianMs!;
    metrics[`${r.key}.minMs`] = r.minMs!;
    metrics[`${r.key}.gflops`] = g!;
    if (frac !== undefined) metrics[`${r.key}.ofMatmul`] = frac;
    tableRows.push([
      r.label,
      r.shape,
      (r.flops / 1e9).toFixed(3),
      r.medianMs!.toFixed(2),
      r.minMs!.toFixed(2),
      g!.toFixed(1),
      frac === undefined ? '—' : `${frac.toFixed(2)}×`,
    ]);
  }
  const part = (key: string, name: string): string | undefined => {
    const v = metrics[`${key}.ofMatmul`];
    return typeof v === 'number' ? `${name} ${v.toFixed(2)}×` : undefined;
  };
  const figures = [
    refGflops !== undefined ? `matmul ${refGflops.toFixed(1)} GFLOP/s` : undefined,
    part('conv3x3', 'conv3x3'),
    part('net.forward', 'net fwd'),
    part('net.train', 'train'),
  ].filter(Boolean);
  const summary = `${info.backend}${info.simd ? ' SIMD' : ''} ${info.threads}T: ${figures.join(', ')}`;
  return {
    metrics,
    tables: [
      {
        title: `perf on ${info.backend} (SIMD ${info.simd ? 'on' : 'off'}, ${info.threads} thread${info.threads === 1 ? '' : 's'}), median of ${config.runs} runs (net: ${config.netRuns})`,
        columns: ['benchmark', 'input', 'GFLOP', 'median ms', 'min ms', 'GFLOP/s', 'of matmul'],
        rows: tableRows,
        notes: [FLOP_CONVENTION],
      },
    ],
    summary,
  };
}
