/**
 * Suite `tinytracker`: the TinyTracker paper's accounting on this stack — parameters, MACs,
 * float32 and int8 model sizes against the published figures, the float → int8 error change after
 * a short training on generated gaze data (with the fake-quantised path checked bit for bit
 * against the integer reference), wasm latency, and the published edge-platform table with
 * MAC-scaled estimates.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, formatCount, initBackend, profile } from '@lab/tensor';
import {
  EDGE_PLATFORMS,
  ITracker,
  TINYTRACKER_RELEASED,
  TinyTracker,
  TinyTrackerS,
  estimateEdgeCost,
  evaluateGazeError,
  generateGazeData,
  measureGazeLatency,
  modelSize,
  quantizeModel,
  runIntegerReference,
  trainGazeModel,
  type GazeModel,
} from '@lab/tinytracker';
import { defineSuite, type Metrics, type ResultPlot, type ResultTable } from '../suite';

/** Problem sizes of one mode. */
export interface TinyTrackerBenchConfig {
  /** Side of the generated face crops the trained model takes. */
  readonly trainSize: number;
  /** Training samples (fresh, each seen `epochs` times). */
  readonly trainSamples: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Apply the reference augmentation (`augmentFaces`) during training. */
  readonly augment: boolean;
  /** Validation samples (error in cm, float and int8). */
  readonly validationSamples: number;
  /** Calibration samples of the int8 conversion (the reference uses 500). */
  readonly calibrationSamples: number;
  /** Samples run through both the fake-quantised path and the integer reference. */
  readonly exactnessSamples: number;
  /** Timed calls per latency figure. */
  readonly latencyRuns: number;
}

/**
 * Sizes of `--quick` (the default; about 1 minute on 2 cores) and `--full` (about 10 minutes).
 * TinyTracker is trained at a reduced input size: from random weights (the paper starts from
 * ImageNet weights) a 32-image step takes about 0.5 s at 48 px but 3 s at 112 px on 2 wasm cores.
 * Quick mode trains without augmentation: in 64 steps it slows learning (3.6 cm instead of 2.9 cm
 * on the validation faces in one run).
 */
export const TINYTRACKER_BENCH_CONFIGS: Readonly<Record<'quick' | 'full', TinyTrackerBenchConfig>> = Object.freeze({
  quick: { trainSize: 48, trainSamples: 2048, epochs: 1, batchSize: 32, learningRate: 5e-3, augment: false, validationSamples: 256, calibrationSamples: 128, exactnessSamples: 2, latencyRuns: 3 },
  full: { trainSize: 64, trainSamples: 8192, epochs: 2, batchSize: 32, learningRate: 3e-3, augment: true, validationSamples: 1024, calibrationSamples: 500, exactnessSamples: 8, latencyRuns: 20 },
});

/** A model the suite counts. */
interface CountedModel {
  readonly key: string;
  readonly label: string;
  readonly build: () => GazeModel;
  /** Published parameter count, MACs and int8 size (bytes) with sources, where there is one. */
  readonly published: string;
}

const COUNTED: readonly CountedModel[] = [
  { key: 'tinytracker', label: 'TinyTracker 112×112×3 (README)', build: () => new TinyTracker(), published: 'README: 455 k params, 11.8 M MACs, 608 KB' },
  { key: 'tinytracker-released', label: 'TinyTracker 128×128×5 (TFLite)', build: () => new TinyTracker(TINYTRACKER_RELEASED), published: 'TFLite: ≈428 k constants, ≈16.8 M MACs' },
  { key: 'tinytracker-s', label: 'TinyTrackerS 96×96×1 (SE)', build: () => new TinyTrackerS(), published: 'README: 85.8 k params, 5.3 M MACs, 169 KB' },
  { key: 'tinytracker-s-no-se', label: 'TinyTrackerS 96×96×1 (no SE)', build: () => new TinyTrackerS({ squeezeExcite: false }), published: 'TFLite: ≈5.23 M MACs' },
];

const KB = 1000;

export const tinytracker = defineSuite({
  name: 'tinytracker',
  description: 'TinyTracker: params, MACs, fp32/int8 size, float vs int8 gaze error after a short training, wasm latency, edge table',
  options: {
    epochs: { type: 'number', integer: true, min: 1, description: 'training epochs (default: 1 quick, 2 full)' },
  },
  async run(ctx) {
    const cfg = { ...TINYTRACKER_BENCH_CONFIGS[ctx.quick ? 'quick' : 'full'] };
    const epochs = ctx.options.epochs ?? cfg.epochs;
    await initBackend();
    ctx.progress.start(COUNTED.length + 5);
    const metrics: Metrics = { backend: tf.getBackend() };
    const failures: string[] = [];
    const tables: ResultTable[] = [];
    const plots: ResultPlot[] = [];

    // 1. Parameters, MACs, sizes.
    const countRows: (string | number)[][] = [];
    let releasedInt8 = 0;
    for (const m of COUNTED) {
      ctx.progress.step(`count ${m.label}`);
      const net = m.build();
      const calib = tf.zeros([2, ...net.inputShape]);
      try {
        const p = await profile(net, [...net.inputShape], { memory: false });
        const stats = net.namedBuffers().filter(([n]) => !n.endsWith('num_batches_tracked')).reduce((s, [, v]) => s + v.size, 0);
        const fp32 = modelSize(net);
        const int8 = modelSize(quantizeModel(net, calib));
        if (m.key === 'tinytracker-released') releasedInt8 = int8.totalBytes;
        metrics[`${m.key}.params`] = p.params;
        metrics[`${m.key}.paramsWithBnStats`] = p.params + stats;
        metrics[`${m.key}.macs`] = p.macs as number;
        metrics[`${m.key}.fp32Bytes`] = fp32.totalBytes;
        metrics[`${m.key}.int8Bytes`] = int8.totalBytes;
        countRows.push([m.label, formatCount(p.params), formatCount(p.params + stats), formatCount(p.macs as number), `${(fp32.totalBytes / KB).toFixed(0)} KB`, `${(int8.totalBytes / KB).toFixed(0)} KB`, m.published]);
      } finally {
        calib.dispose();
        net.dispose();
      }
    }
    const itracker = new ITracker();
    try {
      const bytes = modelSize(itracker).totalBytes;
      metrics['itracker.params'] = itracker.numParameters();
      metrics['itracker.fp32Bytes'] = bytes;
      metrics['itracker.fp32OverTinyTrackerInt8'] = bytes / releasedInt8;
      countRows.push(['iTracker (4 inputs, 224×224)', formatCount(itracker.numParameters()), '—', '—', `${(bytes / KB).toFixed(0)} KB`, '—', 'paper: 6.286 M params, 25.1 MB']);
    } finally {
      itracker.dispose();
    }
    plots.push({
      title: 'Model size: float32 vs int8',
      kind: 'bar',
      x: 'model',
      y: 'size (kB)',
      yScale: 'log',
      series: [
        { name: 'float32', points: [...COUNTED.map((m) => ({ x: m.key, y: (metrics[`${m.key}.fp32Bytes`] as number) / KB })), { x: 'itracker', y: (metrics['itracker.fp32Bytes'] as number) / KB }] },
        { name: 'int8', points: COUNTED.map((m) => ({ x: m.key, y: (metrics[`${m.key}.int8Bytes`] as number) / KB })) },
      ],
      notes: ['int8: weights + int32 biases + quantisation parameters (12 B per entry), no flatbuffer metadata.'],
    });
    tables.push({
      title: 'Models',
      columns: ['model', 'params', '+BN stats', 'MACs', 'fp32 size', 'int8 size', 'published'],
      rows: countRows,
      notes: [
        'params: trainable (PyTorch convention); +BN stats adds running means/variances (Keras "Total params").',
        'Sizes: fp32 = folded constants × 4 B; int8 = int8 weights + int32 biases + 12 B (scale, zero point) per quantisation entry; flatbuffer metadata not counted.',
        `iTracker fp32 / TinyTracker int8 = ${(metrics['itracker.fp32OverTinyTrackerInt8'] as number).toFixed(1)}× (paper: 41×).`,
      ],
    });

    // 2. Short training on generated data; float vs int8 error.
    ctx.progress.step('generate gaze data');
    const size = cfg.trainSize;
    const train = generateGazeData(cfg.trainSamples, { size, seed: ctx.seed + 1 });
    const val = generateGazeData(cfg.validationSamples, { size, seed: ctx.seed + 2 });
    // Initial weights from the run's seed, independent of the models built before.
    const net = new TinyTracker({ inputSize: size, batchNormMomentum: 0.1, rng: new Rng(ctx.seed) });
    try {
      const baseline = tf.tidy(() => {
        const mean = tf.mean(train.gazeCm, 0, true);
        return tf.mean(tf.sqrt(tf.sum(tf.square(tf.sub(val.gazeCm, mean)), 1))).dataSync()[0];
      });
      ctx.progress.step(`train TinyTracker ${size}×${size} (${epochs} epoch${epochs > 1 ? 's' : ''})`);
      const t0 = performance.now();
      const result = await trainGazeModel(net, train.images, train.gazeCm, {
        epochs,
        batchSize: cfg.batchSize,
        learningRate: cfg.learningRate,
        augment: cfg.augment,
        seed: ctx.seed,
        onEpochEnd: ({ epoch, loss }) => ctx.log(`epoch ${epoch}: loss ${loss.toFixed(2)} cm²`),
      });
      const trainSeconds = (performance.now() - t0) / 1000;
      ctx.progress.step('quantise and evaluate');
      const floatError = await evaluateGazeError(net, val.images, val.gazeCm);
      const calib = tf.slice(train.images, 0, cfg.calibrationSamples);
      const rows: (string | number)[][] = [];
      metrics['train.model'] = `TinyTracker ${size}×${size}×3`;
      metrics['train.steps'] = result.steps;
      metrics['train.seconds'] = trainSeconds;
      metrics['train.finalLoss'] = result.epochLosses[result.epochLosses.length - 1];
      metrics['error.baselineCm'] = baseline;
      metrics['error.floatCm'] = floatError;
      rows.push(['mean of training targets', baseline.toFixed(3), '—']);
      rows.push(['float32', floatError.toFixed(3), '—']);
      try {
        for (const method of ['minmax', 'percentile'] as const) {
          const q = quantizeModel(net, calib, { method });
          const int8Error = await evaluateGazeError(q, val.images, val.gazeCm);
          metrics[`error.int8.${method}Cm`] = int8Error;
          metrics[`error.int8.${method}DeltaCm`] = int8Error - floatError;
          rows.push([`int8 (${method} calibration)`, int8Error.toFixed(3), (int8Error - floatError).toFixed(3)]);
          if (method === 'minmax') {
            // The fake-quantised path against the integer reference, bit for bit.
            const x = tf.slice(val.images, 0, cfg.exactnessSamples);
            const xq = q.quantizeInput(x);
            const yq = q.run(xq);
            const fake = Array.from(await yq.data());
            const ref = Array.from(runIntegerReference(q, Int8Array.from(await xq.data()), cfg.exactnessSamples));
            tf.dispose([x, xq, yq]);
            const mismatches = fake.filter((v, i) => v !== ref[i]).length;
            metrics['int8.bitExactModel'] = q.bitExact ? 1 : 0;
            metrics['int8.referenceMismatches'] = mismatches;
            if (mismatches > 0) failures.push(`fake-quantised path differs from the integer reference in ${mismatches} outputs`);
          }
        }
      } finally {
        calib.dispose();
      }
      plots.push({
        title: 'Gaze error on generated data',
        kind: 'bar',
        x: 'predictor',
        y: 'mean error (cm)',
        series: [{ name: `TinyTracker ${size}×${size}`, points: rows.map((r) => ({ x: String(r[0]), y: Number(r[1]) })) }],
      });
      tables.push({
        title: `Gaze error on generated data (TinyTracker ${size}×${size} RGB, ${result.steps} steps, ${cfg.validationSamples} validation images)`,
        columns: ['model', 'mean error (cm)', 'int8 − float (cm)'],
        rows,
        notes: [
          'Generated faces (generateGazeData); error = mean Euclidean distance in cm. Paper: quantisation costs at most 0.16 cm (GazeCapture).',
          `Training from random weights with batch-norm momentum 0.1 (the reference: ImageNet weights, Keras momentum 0.999); Adam, MSE of output·30; augmentation ${cfg.augment ? 'on' : 'off'}.`,
          `Fake-quantised path vs integer reference: ${metrics['int8.referenceMismatches']} mismatching outputs on ${cfg.exactnessSamples} images.`,
        ],
      });
    } finally {
      tf.dispose([train.images, train.gazeCm, val.images, val.gazeCm]);
      net.dispose();
    }

    // 3. Latency on this machine.
    ctx.progress.step('wasm latency');
    const latencyRows: (string | number)[][] = [];
    for (const [key, label, build] of [
      ['tinytracker', 'TinyTracker 112×112×3', () => new TinyTracker()],
      ['tinytracker-s', 'TinyTrackerS 96×96×1', () => new TinyTrackerS()],
    ] as const) {
      const model: GazeModel = build();
      const calib = tf.zeros([2, ...model.inputShape]);
      try {
        const f = await measureGazeLatency(model, { warmup: 1, runs: cfg.latencyRuns });
        const q = await measureGazeLatency(quantizeModel(model, calib), { warmup: 1, runs: cfg.latencyRuns });
        metrics[`${key}.latency.float32Ms`] = f.medianMs;
        metrics[`${key}.latency.int8FakeQuantMs`] = q.medianMs;
        latencyRows.push([label, f.medianMs.toFixed(2), q.medianMs.toFixed(2)]);
      } finally {
        calib.dispose();
        model.dispose();
      }
    }
    tables.push({
      title: `Latency on this machine (${tf.getBackend()}, batch 1, median of ${cfg.latencyRuns})`,
      columns: ['model', 'float32 (ms)', 'int8 fake-quantised (ms)'],
      rows: latencyRows,
      notes: ['The int8 path emulates integer kernels exactly with float32 ops; it is slower than float32 on wasm and says nothing about int8 hardware.'],
    });

    // 4. Edge platforms: published figures and MAC-scaled estimates.
    ctx.progress.step('edge platforms');
    const edgeRows: (string | number)[][] = [];
    const fmt = (v: number | undefined, digits = 2): string => (v === undefined ? '—' : v.toFixed(digits));
    for (const p of Object.values(EDGE_PLATFORMS)) {
      edgeRows.push([`${p.label} — ${p.model} (published)`, fmt(p.endToEndMs), fmt(p.inferenceMs), fmt(p.energyMj), fmt(p.inferenceEnergyMj), p.fps === undefined ? '—' : String(p.fps)]);
      if (p.endToEndMs !== undefined) metrics[`edge.${p.name}.endToEndMs`] = p.endToEndMs;
      if (p.energyMj !== undefined) metrics[`edge.${p.name}.energyMj`] = p.energyMj;
    }
    for (const m of ['tinytracker', 'tinytracker-s'] as const) {
      const macs = metrics[`${m}.macs`] as number;
      for (const platform of ['imx500', 'coral-micro'] as const) {
        const e = estimateEdgeCost(macs, { platform });
        edgeRows.push([`${EDGE_PLATFORMS[platform].label} — ${m} ${formatCount(macs)} MACs (estimate)`, fmt(e.endToEndMs), fmt(e.inferenceMs), fmt(e.energyMj), fmt(e.inferenceEnergyMj), '—']);
        if (e.endToEndMs !== undefined) metrics[`estimate.${platform}.${m}.endToEndMs`] = e.endToEndMs;
        if (e.energyMj !== undefined) metrics[`estimate.${platform}.${m}.energyMj`] = e.energyMj;
      }
    }
    tables.push({
      title: 'Edge platforms',
      columns: ['platform / model', 'end to end (ms)', 'inference (ms)', 'energy (mJ)', 'inference energy (mJ)', 'FPS'],
      rows: edgeRows,
      notes: [
        'Published: arXiv 2307.07813 (IMX500: 17.9 ms sensor + 0.86 ms inference + 0.24 ms readout), 2308.12313 (Spresense).',
        'Estimates scale the published figures by MACs / 16.8 M (the released TinyTracker); IMX500 scales only the inference part. Not measurements.',
      ],
    });

    return {
      metrics,
      tables,
      plots,
      failures,
      summary:
        `TinyTracker ${formatCount(metrics['tinytracker.params'] as number)} params, ${formatCount(metrics['tinytracker.macs'] as number)} MACs, ` +
        `int8 ${((metrics['tinytracker-released.int8Bytes'] as number) / KB).toFixed(0)} KB; ` +
        `error float ${(metrics['error.floatCm'] as number).toFixed(2)} → int8 ${(metrics['error.int8.minmaxCm'] as number).toFixed(2)} cm`,
    };
  },
});
