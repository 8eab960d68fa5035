/**
 * Suite `imbalance`: the experiment of arXiv 2204.01729 on real digits. The same small CNN is
 * trained with each cost-sensitive loss (and with BCE plus re-sampling) on a multi-label,
 * long-tailed dataset of MNIST digits placed on canvases with their boxes; the suite reports
 * AUROC/AP per class side by side with Grad-CAM saliency alignment (pointing game, IoBB, IoR, IoU)
 * and concept counts (Network-Dissection style) on a balanced test set.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  BatchNorm2d,
  Conv2d,
  GlobalAvgPool2d,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Rng,
  Sequential,
} from '@lab/tensor';
import { GradCam } from '@lab/attribution';
import {
  classCounts,
  classSamplingWeights,
  countConcepts,
  createMultiLabelLoss,
  longTailedCanvases,
  multiLabelLosses,
  multiLabelMetrics,
  saliencyAlignment,
  weightedSample,
  type LabeledBox,
  type LongTailedCanvases,
  type MultiLabelLossName,
} from '@lab/imbalance';
import { loadDigits, type DigitSet } from '../data/digits';
import { defineSuite, type Metrics, type ResultPlot, type ResultTable } from '../suite';

/** One trained configuration: a loss, optionally with weighted re-sampling. */
export interface ImbalanceRun {
  /** Row label and metric prefix (lowercase kebab-case). */
  readonly name: string;
  /** The multi-label loss. */
  readonly loss: MultiLabelLossName;
  /** Draw batches with per-sample weights from `classSamplingWeights` instead of a shuffle. */
  readonly resample: boolean;
}

/** Every configuration the suite knows: the seven losses of the paper, then BCE with re-sampling. */
export const IMBALANCE_RUNS: readonly ImbalanceRun[] = Object.freeze([
  ...(Object.keys(multiLabelLosses) as MultiLabelLossName[]).map((loss) => ({ name: loss, loss, resample: false })),
  { name: 'bce-resampled', loss: 'bce' as const, resample: true },
]);

/** Problem sizes of one mode. */
export interface ImbalanceSettings {
  /** Training canvases (long-tailed). */
  readonly trainCanvases: number;
  /** Test canvases (every class on an eighth of them: balanced). */
  readonly testCanvases: number;
  /** Test canvases explained (saliency alignment and concept counting). */
  readonly explainCanvases: number;
  /** Canvas height = width and digit size, pixels. */
  readonly canvasSize: number;
  readonly glyphSize: number;
  /** MNIST digits per class for the training canvases (offset 0) and the test canvases (offset 600). */
  readonly trainDigits: number;
  readonly testDigits: number;
  /** Optimizer steps, images per step, Adam learning rate. */
  readonly steps: number;
  readonly batchSize: number;
  readonly lr: number;
  /** Channel widths of the three convolutions. */
  readonly widths: readonly [number, number, number];
  /** The configurations trained (names of {@link IMBALANCE_RUNS}). */
  readonly runs: readonly string[];
}

/**
 * Quick mode (the default: 24×24 canvases, 200 steps, five configurations — BCE, intra-weighted
 * BCE, focal, class-balanced focal and BCE with re-sampling — about 2 minutes on 2 cores) and full
 * mode (`--full`: 40×40 canvases, 600 steps, every configuration). `--run` trains any one of them.
 */
export const IMBALANCE_SETTINGS: Readonly<Record<'quick' | 'full', ImbalanceSettings>> = Object.freeze({
  quick: {
    trainCanvases: 1000,
    testCanvases: 200,
    explainCanvases: 64,
    canvasSize: 24,
    glyphSize: 12,
    trainDigits: 100,
    testDigits: 30,
    steps: 200,
    batchSize: 32,
    lr: 3e-3,
    widths: [8, 16, 32],
    runs: ['bce', 'intra-weighted-bce', 'focal', 'class-balanced-focal', 'bce-resampled'],
  },
  full: {
    trainCanvases: 3000,
    testCanvases: 800,
    explainCanvases: 200,
    canvasSize: 40,
    glyphSize: 16,
    trainDigits: 400,
    testDigits: 100,
    steps: 600,
    batchSize: 32,
    lr: 2e-3,
    widths: [16, 32, 64],
    runs: IMBALANCE_RUNS.map((r) => r.name),
  },
});

const TEST_OFFSET = 600; // the smallest MNIST class (5) has 863 images
const CLASSES = 10;
/** Grad-CAM layer: the last ReLU (¼ of the canvas); concept layer: the second ReLU (½ of the canvas). */
const CAM_LAYER = 'features.10';
const CONCEPT_LAYER = 'features.6';

/** The small CNN: three conv–BN–ReLU stages (two max-pools), global average pooling, a linear head. */
export class SmallCnn extends Module {
  readonly features: Sequential;
  readonly pool = this.registerModule('pool', new GlobalAvgPool2d());
  readonly fc: Linear;
  constructor(widths: readonly [number, number, number], classes: number, seed: number) {
    super();
    const rng = new Rng(seed);
    const [a, b, c] = widths;
    this.features = this.registerModule(
      'features',
      new Sequential(
        new Conv2d(1, a, 3, { padding: 1, rng }),
        new BatchNorm2d(a),
        new ReLU(),
        new MaxPool2d(2),
        new Conv2d(a, b, 3, { padding: 1, rng }),
        new BatchNorm2d(b),
        new ReLU(),
        new MaxPool2d(2),
        new Conv2d(b, c, 3, { padding: 1, rng }),
        new BatchNorm2d(c),
        new ReLU(),
      ),
    );
    this.fc = this.registerModule('fc', new Linear(c, classes, { rng }));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc.call(this.pool.call(this.features.call(x))));
  }
}

function toGlyphs(d: DigitSet): { images: Float32Array; labels: Int32Array; count: number; height: number; width: number } {
  return { images: d.images, labels: d.labels, count: d.count, height: 28, width: 28 };
}

/** The label rows `idx` as a float `[idx.length, C]` tensor (caller disposes). */
function labelTensor(labels: readonly Uint8Array[], idx: ArrayLike<number>): tf.Tensor2D {
  const out = new Float32Array(idx.length * CLASSES);
  for (let k = 0; k < idx.length; k++) out.set(labels[idx[k]], k * CLASSES);
  return tf.tensor2d(out, [idx.length, CLASSES]);
}

/** The results of one configuration. */
interface RunResult {
  run: ImbalanceRun;
  trainMs: number;
  finalLoss: number;
  metrics: ReturnType<typeof multiLabelMetrics>;
  alignment: Awaited<ReturnType<typeof saliencyAlignment>>;
  concepts: Awaited<ReturnType<typeof countConcepts>>;
}

/** Trains one configuration from the same initial weights and evaluates it. */
async function trainAndEvaluate(
  run: ImbalanceRun,
  s: ImbalanceSettings,
  seed: number,
  train: LongTailedCanvases,
  trainX: tf.Tensor4D,
  testX: tf.Tensor4D,
  testLabels: readonly Uint8Array[],
  explainX: tf.Tensor4D,
  explainBoxes: readonly (readonly LabeledBox[])[],
): Promise<RunResult> {
  const model = new SmallCnn(s.widths, CLASSES, seed);
  const loss = createMultiLabelLoss(run.loss, classCounts(train.labels));
  const optimizer: tf.Optimizer = tf.train.adam(s.lr);
  try {
    const vars = [...model.parameters(), ...loss.variables];
    const n = train.labels.length;
    // Batches: a reshuffle per pass, or weighted draws with replacement (re-sampling).
    const order = run.resample
      ? weightedSample(classSamplingWeights(train.labels).sampleWeights, s.steps * s.batchSize, { seed })
      : Int32Array.from({ length: s.steps * s.batchSize }, (_, k) => k % n);
    const shuffleRng = new Rng(seed + 1);
    let perm = shuffleRng.permutation(n);
    model.train();
    const t0 = performance.now();
    let finalLoss = NaN;
    for (let step = 0; step < s.steps; step++) {
      const idx = new Int32Array(s.batchSize);
      for (let k = 0; k < s.batchSize; k++) {
        const j = step * s.batchSize + k;
        if (!run.resample && j % n === 0 && j > 0) perm = shuffleRng.permutation(n);
        idx[k] = run.resample ? order[j] : perm[order[j]];
      }
      const { value, grads } = tf.tidy(() => {
        const x = tf.gather(trainX, tf.tensor1d(idx, 'int32'));
        const y = labelTensor(train.labels, idx);
        return tf.variableGrads(() => loss.compute(model.call(x), y), vars);
      });
      optimizer.applyGradients(grads);
      finalLoss = (await value.data())[0];
      tf.dispose([value, ...Object.values(grads)]);
      if (!Number.isFinite(finalLoss)) throw new Error(`${run.name}: non-finite loss at step ${step}`);
    }
    const trainMs = performance.now() - t0;
    model.eval();
    const probs = tf.tidy(() => tf.sigmoid(model.call(testX)));
    const metrics = multiLabelMetrics(probs, testLabels);
    probs.dispose();
    const alignment = await saliencyAlignment(new GradCam({ layer: CAM_LAYER }), model, explainX, explainBoxes, { classes: CLASSES });
    const concepts = await countConcepts(model, CONCEPT_LAYER, explainX, explainBoxes, { classes: CLASSES });
    return { run, trainMs, finalLoss, metrics, alignment, concepts };
  } finally {
    optimizer.dispose();
    loss.dispose();
    model.dispose();
  }
}

const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '—');
const f2 = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '—');
const pm = (m: { mean: number; std: number }, digits = 3): string => (Number.isFinite(m.mean) ? `${m.mean.toFixed(digits)} ± ${m.std.toFixed(digits)}` : '—');

export const imbalance = defineSuite({
  name: 'imbalance',
  description: 'Cost-sensitive losses on long-tailed multi-label digits: AUROC/AP per class beside Grad-CAM alignment and concept counts',
  options: {
    run: { type: 'string', choices: IMBALANCE_RUNS.map((r) => r.name), description: 'train only this configuration (default: the mode’s list)' },
    ratio: { type: 'number', valueName: 'R', min: 1, default: 100, description: 'imbalance ratio of the training set (head : tail positives)' },
    steps: { type: 'number', valueName: 'N', integer: true, min: 1, description: 'optimizer steps per configuration (default 120 quick, 600 full)' },
  },
  async run(ctx) {
    const base = ctx.quick ? IMBALANCE_SETTINGS.quick : IMBALANCE_SETTINGS.full;
    const s: ImbalanceSettings = { ...base, steps: ctx.options.steps ?? base.steps, runs: ctx.options.run === undefined ? base.runs : [ctx.options.run] };
    const runs = IMBALANCE_RUNS.filter((r) => s.runs.includes(r.name));
    ctx.progress.start(runs.length + 1);
    ctx.progress.step('data');
    const trainDigits = loadDigits('mnist', s.trainDigits, { seed: ctx.seed });
    const testDigits = loadDigits('mnist', s.testDigits, { offset: TEST_OFFSET, seed: ctx.seed + 1 });
    const common = { canvasSize: s.canvasSize, glyphSize: s.glyphSize, maxPerCanvas: 3 };
    const train = longTailedCanvases(toGlyphs(trainDigits), { ...common, canvases: s.trainCanvases, imbalanceRatio: ctx.options.ratio, headFraction: 0.5, seed: ctx.seed });
    const test = longTailedCanvases(toGlyphs(testDigits), { ...common, canvases: s.testCanvases, imbalanceRatio: 1, headFraction: 0.125, seed: ctx.seed + 2 });
    const trainX = tf.tensor4d(train.images, train.shape);
    const testX = tf.tensor4d(test.images, test.shape);
    const explainIdx = Array.from({ length: s.testCanvases }, (_, i) => i).filter((i) => test.boxes[i].length > 0).slice(0, s.explainCanvases);
    const explainX = tf.tidy(() => tf.gather(testX, tf.tensor1d(explainIdx, 'int32'))) as tf.Tensor4D;
    const explainBoxes = explainIdx.map((i) => test.boxes[i]);
    const metrics: Metrics = {};
    const failures: string[] = [];
    const results: RunResult[] = [];
    try {
      for (const run of runs) {
        ctx.progress.step(run.name);
        const before = tf.memory().numTensors;
        try {
          results.push(await trainAndEvaluate(run, s, ctx.seed, train, trainX, testX, test.labels, explainX, explainBoxes));
        } catch (e) {
          const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
          failures.push(`${run.name}: ${message}`);
          metrics[`${run.name}.status`] = `failed: ${message}`;
        } finally {
          const leaked = tf.memory().numTensors - before;
          if (leaked !== 0) failures.push(`${run.name} leaked ${leaked} tensor${leaked === 1 ? '' : 's'}`);
        }
      }
    } finally {
      tf.dispose([trainX, testX, explainX]);
    }

    const tail = [CLASSES - 3, CLASSES - 2, CLASSES - 1];
    for (const r of results) {
      const p = r.run.name;
      const m = r.metrics;
      Object.assign(metrics, {
        [`${p}.macroAuroc`]: m.macroAuroc,
        [`${p}.macroAp`]: m.macroAp,
        [`${p}.microAuroc`]: m.microAuroc,
        [`${p}.exactMatch`]: m.accuracy[0].exactMatch,
        [`${p}.tailAuroc`]: tail.reduce((a, c) => a + m.auroc[c], 0) / tail.length,
        [`${p}.pointingGame`]: r.alignment.overall.pointingGame,
        [`${p}.iobb`]: r.alignment.overall.iobb.mean,
        [`${p}.ior`]: r.alignment.overall.ior.mean,
        [`${p}.iou`]: r.alignment.overall.iou.mean,
        [`${p}.iouThresholded`]: r.alignment.overall.iouThresholded.mean,
        [`${p}.concepts.mean`]: r.concepts.overall.mean,
        [`${p}.concepts.std`]: r.concepts.overall.std,
        [`${p}.finalLoss`]: r.finalLoss,
        [`${p}.trainMs`]: Math.round(r.trainMs),
      });
      for (let c = 0; c < CLASSES; c++) {
        metrics[`${p}.auroc.${c}`] = m.auroc[c];
        metrics[`${p}.ap.${c}`] = m.ap[c];
        metrics[`${p}.pointingGame.${c}`] = r.alignment.perClass[c].pointingGame;
        metrics[`${p}.concepts.${c}.mean`] = r.concepts.perClass[c].mean;
      }
    }
    const classCols = Array.from({ length: CLASSES }, (_, c) => `${c} (${train.counts[c]})`);
    const tables: ResultTable[] = [
      {
        title: 'Classification on the balanced test set',
        columns: ['configuration', 'macro AUROC', 'macro AP', 'micro AUROC', 'tail AUROC', 'exact match', 'train time'],
        rows: results.map((r) => [
          r.run.name,
          f3(r.metrics.macroAuroc),
          f3(r.metrics.macroAp),
          f3(r.metrics.microAuroc),
          f3(metrics[`${r.run.name}.tailAuroc`] as number),
          f3(r.metrics.accuracy[0].exactMatch),
          `${(r.trainMs / 1000).toFixed(1)} s`,
        ]),
        notes: [
          `Training: ${s.trainCanvases} canvases ${s.canvasSize}×${s.canvasSize} of MNIST digits (${s.glyphSize} px), up to 3 per canvas, class c on n_c canvases, n = [${train.counts.join(', ')}] (ratio ${ctx.options.ratio}:1); ${s.steps} Adam steps (lr ${s.lr}) of ${s.batchSize}, same initial weights for every configuration.`,
          `Test: ${s.testCanvases} canvases with every digit on an eighth of them (balanced). Tail AUROC: mean over classes ${tail.join(', ')}; exact match at threshold 0.5.`,
        ],
      },
      { title: 'AUROC per class (training positives in brackets)', columns: ['configuration', ...classCols], rows: results.map((r) => [r.run.name, ...r.metrics.auroc.map(f3)]) },
      { title: 'AP per class', columns: ['configuration', ...classCols], rows: results.map((r) => [r.run.name, ...r.metrics.ap.map(f3)]) },
      {
        title: `Saliency alignment of Grad-CAM (${CAM_LAYER}) with the digit boxes`,
        columns: ['configuration', 'pairs', 'pointing game', 'IoBB', 'IoR', 'IoU', 'IoU @0.5'],
        rows: results.map((r) => {
          const o = r.alignment.overall;
          return [r.run.name, o.pairs, f3(o.pointingGame), pm(o.iobb), pm(o.ior), pm(o.iou), pm(o.iouThresholded)];
        }),
        notes: [
          `${explainIdx.length} test canvases, one pair per digit class present; maps rectified and min–max normalised; mean ± std over pairs; pointing game k = 1 (Σ hits / Σ top pixels).`,
        ],
      },
      {
        title: 'Pointing game per class',
        columns: ['configuration', ...classCols],
        rows: results.map((r) => [r.run.name, ...r.alignment.perClass.map((c) => f2(c.pointingGame))]),
        notes: ['—: every Grad-CAM map of that class is ≤ 0 everywhere (no evidence for the class), so it points nowhere.'],
      },
      {
        title: `Concepts per image (units of ${CONCEPT_LAYER}, q = 0.99, 8-connected blobs inside the boxes)`,
        columns: ['configuration', 'mean ± std', 'min', 'max', ...classCols.map((c) => `mean ${c.split(' ')[0]}`)],
        rows: results.map((r) => [r.run.name, pm(r.concepts.overall, 2), r.concepts.overall.min, r.concepts.overall.max, ...r.concepts.perClass.map((c) => f2(c.mean))]),
      },
    ];
    const classNames = Array.from({ length: CLASSES }, (_, c) => String(c));
    const plots: ResultPlot[] = [
      {
        title: 'AUROC per class',
        kind: 'bar',
        x: `digit class (training positives ${train.counts[0]} → ${train.counts[CLASSES - 1]})`,
        y: 'AUROC',
        series: results.map((r) => ({ name: r.run.name, points: r.metrics.auroc.map((v, c) => ({ x: classNames[c], y: v })) })),
      },
      {
        title: 'Classification against saliency alignment',
        kind: 'scatter',
        x: 'macro AUROC',
        y: 'pointing game',
        series: [{ name: 'configurations', points: results.map((r) => ({ x: r.metrics.macroAuroc, y: r.alignment.overall.pointingGame, label: r.run.name })) }],
        notes: ['Differences the AUROC does not show appear in where the model looks (arXiv 2204.01729).'],
      },
      {
        title: 'Concepts per image by class',
        kind: 'bar',
        x: 'digit class',
        y: 'mean concepts per image',
        series: results.map((r) => ({ name: r.run.name, points: r.concepts.perClass.map((st, c) => ({ x: classNames[c], y: st.mean })) })),
      },
    ];
    return {
      metrics,
      tables,
      plots,
      summary:
        results.length === 0
          ? 'no configuration finished'
          : results.map((r) => `${r.run.name} AUROC ${f3(r.metrics.macroAuroc)} PG ${f2(r.alignment.overall.pointingGame)}`).slice(0, 2).join('; ') +
            (results.length > 2 ? ` (+${results.length - 2} more)` : ''),
      failures,
    };
  },
});
