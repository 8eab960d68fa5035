/**
 * Suite `prosmin`: ProSMIN (arXiv 2309.02048) against its BYOL baseline under the same budget on
 * real MNIST, with the paper's evaluations: linear probe and weighted k-NN on frozen features,
 * low-shot probes (10 % and 1 %), calibration (ECE), OOD detection against Fashion-MNIST (AUROC)
 * and accuracy under noise, blur and contrast corruptions. An untrained network is the floor.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  Byol,
  CORRUPTIONS,
  Prosmin,
  auroc,
  corrupt,
  expectedCalibrationError,
  extractFeatures,
  linearProbe,
  lowShotSubset,
  pretrain,
  weightedKnn,
  type CorruptionName,
  type MultiCropOptions,
  type SelfSupervisedMethod,
} from '@lab/prosmin';
import { loadDigits, type DigitSet } from '../data/digits';
import { defineSuite, type Metrics, type ResultPlot, type ResultTable } from '../suite';

/** Problem sizes of one mode. */
export interface ProsminSuiteSettings {
  /** MNIST training images per class (offset 0). */
  readonly trainPerClass: number;
  /** MNIST test images per class (offset 750, disjoint from training). */
  readonly testPerClass: number;
  /** Fashion-MNIST (OOD) images per class. */
  readonly oodPerClass: number;
  /** Pre-training epochs. */
  readonly epochs: number;
  /** Images per step. */
  readonly batchSize: number;
  /** Peak learning rate per 256 images. */
  readonly lr: number;
  /** Warm-up epochs. */
  readonly warmupEpochs: number;
  /** Widths of the ConvNet backbone. */
  readonly widths: readonly number[];
  /** DINO-head output size (ProSMIN) and its hidden and bottleneck sizes. */
  readonly head: { readonly outDim: number; readonly hiddenDim: number; readonly bottleneckDim: number };
  /** BYOL projector hidden and output sizes. */
  readonly byol: { readonly hiddenDim: number; readonly projectionDim: number };
  /** Local crops per image (ProSMIN; BYOL uses the two global views). */
  readonly localCrops: number;
  /** Linear-probe epochs. */
  readonly probeEpochs: number;
  /** Corruption severities evaluated. */
  readonly severities: readonly number[];
}

/**
 * Quick mode (the default: about 1 minute of CPU time, under 3 minutes on 2 shared cores) and
 * full mode (`--full`, the real experiment: 6,000 images, 50 epochs, about an hour on wasm).
 * `--epochs N` overrides the epochs of either.
 */
export const PROSMIN_SUITE_SETTINGS: Readonly<{ quick: ProsminSuiteSettings; full: ProsminSuiteSettings }> = Object.freeze({
  quick: Object.freeze({
    trainPerClass: 40,
    testPerClass: 20,
    oodPerClass: 20,
    epochs: 6,
    batchSize: 32,
    lr: 0.02,
    warmupEpochs: 1,
    widths: [16, 32, 64],
    head: { outDim: 128, hiddenDim: 128, bottleneckDim: 32 },
    byol: { hiddenDim: 256, projectionDim: 64 },
    localCrops: 2,
    probeEpochs: 50,
    severities: [1, 3, 5],
  }),
  full: Object.freeze({
    trainPerClass: 600,
    testPerClass: 100,
    oodPerClass: 100,
    epochs: 50,
    batchSize: 64,
    lr: 0.01,
    warmupEpochs: 5,
    widths: [32, 64, 128],
    head: { outDim: 256, hiddenDim: 256, bottleneckDim: 64 },
    byol: { hiddenDim: 512, projectionDim: 128 },
    localCrops: 6,
    probeEpochs: 100,
    severities: [1, 2, 3, 4, 5],
  }),
});

/**
 * Augmentation for 28 px digits: DINO's recipe with flips off (digits are not mirror-symmetric:
 * a flipped 2 resembles a 5) and blur σ scaled from 0.1–2 px at 224 px to 0.1–0.5 px.
 */
export function digitCrops(localCrops: number): Omit<MultiCropOptions, 'rng'> {
  return { localCrops, flipProbability: 0, blurSigma: [0.1, 0.5] };
}

const TEST_OFFSET = 750; // the smallest MNIST class (5) has 863 images

/** NHWC tensor `[n, 28, 28, 1]` of a digit set; the caller disposes it. */
function toImages(set: DigitSet): tf.Tensor4D {
  return tf.tensor4d(set.images, [set.count, 28, 28, 1]);
}

/** `−max cos(x, train)` per row: higher means farther from every training image (a k-NN OOD score). */
function knnDistanceScores(train: tf.Tensor2D, queries: tf.Tensor2D): Float32Array {
  return tf.tidy(() => {
    const norm = (f: tf.Tensor): tf.Tensor => tf.div(f, tf.maximum(tf.norm(f, 'euclidean', 1, true), 1e-12));
    return tf.neg(tf.max(tf.matMul(norm(queries), norm(train), false, true), 1)).dataSync() as Float32Array;
  });
}

/** `1 − max p` per row of a probability block. */
function mspScores(probabilities: tf.Tensor2D, start: number, count: number): Float32Array {
  return tf.tidy(() => tf.sub(1, tf.max(tf.slice(probabilities, [start, 0], [count, -1]), 1)).dataSync() as Float32Array);
}

function accuracy(pred: Int32Array, labels: Int32Array, start: number): number {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (pred[start + i] === labels[i]) ok++;
  return ok / labels.length;
}

/** The evaluation of one feature extractor. */
interface Evaluation {
  linear: number;
  knn: number;
  lowShot10: number;
  lowShot1: number;
  ece: number;
  oodMsp: number;
  oodKnn: number;
  oodSigma?: number;
  corruption: Record<string, number>;
  corruptionMean: number;
}

/** The data every method is evaluated on. */
interface EvalData {
  train: tf.Tensor4D;
  trainLabels: Int32Array;
  test: tf.Tensor4D;
  testLabels: Int32Array;
  ood: tf.Tensor4D;
  corrupted: { name: CorruptionName; severity: number; images: tf.Tensor4D }[];
}

/**
 * Evaluates frozen features: one linear probe and one k-NN over [test; corrupted…; OOD], sliced
 * per block (OOD rows carry a dummy label and only give scores), plus two low-shot probes.
 */
async function evaluate(model: SelfSupervisedMethod, data: EvalData, s: ProsminSuiteSettings, seed: number): Promise<Evaluation> {
  const blocks = [data.test, ...data.corrupted.map((c) => c.images), data.ood];
  const ftr = extractFeatures(model, data.train, { batchSize: 128 });
  const parts = blocks.map((b) => extractFeatures(model, b, { batchSize: 128 }));
  const fev = tf.concat(parts, 0) as tf.Tensor2D;
  tf.dispose(parts);
  const nTest = data.testLabels.length;
  const nOod = data.ood.shape[0];
  const evLabels = new Int32Array(fev.shape[0]);
  for (let b = 0; b < blocks.length - 1; b++) evLabels.set(data.testLabels, b * nTest);
  const probeOptions = { epochs: s.probeEpochs, lr: 1, batchSize: 128, numClasses: 10, seed };
  const train = { features: ftr, labels: data.trainLabels };
  const test = { features: fev, labels: evLabels };
  const nOodStart = nTest * (blocks.length - 1);
  const fin = tf.slice(fev, [0, 0], [nTest, -1]) as tf.Tensor2D;
  const fout = tf.slice(fev, [nOodStart, 0], [nOod, -1]) as tf.Tensor2D;
  try {
    const probe = await linearProbe(train, test, probeOptions);
    const knn = weightedKnn(train, test, { k: 20, numClasses: 10 });
    knn.probabilities.dispose();
    const oodStart = nOodStart;
    const testProbs = tf.slice(probe.probabilities, [0, 0], [nTest, -1]) as tf.Tensor2D;
    const ece = expectedCalibrationError(testProbs, data.testLabels).ece;
    testProbs.dispose();
    const mspIn = mspScores(probe.probabilities, 0, nTest);
    const mspOut = mspScores(probe.probabilities, oodStart, nOod);
    probe.probabilities.dispose();
    const oodKnn = auroc(knnDistanceScores(ftr, fout), knnDistanceScores(ftr, fin));
    const corruption: Record<string, number> = {};
    data.corrupted.forEach((c, i) => (corruption[`${c.name}.${c.severity}`] = accuracy(probe.predictions, data.testLabels, (i + 1) * nTest)));
    const values = Object.values(corruption);
    const lowShot = async (fraction: number): Promise<number> => {
      const idx = lowShotSubset(data.trainLabels, fraction, { seed });
      const sub = tf.gather(ftr, Array.from(idx)) as tf.Tensor2D;
      const r = await linearProbe(
        { features: sub, labels: Array.from(idx, (i) => data.trainLabels[i]) },
        { features: fin, labels: data.testLabels },
        probeOptions,
      ).finally(() => sub.dispose());
      r.probabilities.dispose();
      return r.accuracy;
    };
    return {
      linear: accuracy(probe.predictions, data.testLabels, 0),
      knn: accuracy(knn.predictions, data.testLabels, 0),
      lowShot10: await lowShot(0.1),
      lowShot1: await lowShot(0.01),
      ece,
      oodMsp: auroc(mspOut, mspIn),
      oodKnn,
      corruption,
      corruptionMean: values.reduce((a, b) => a + b, 0) / values.length,
    };
  } finally {
    tf.dispose([ftr, fev, fin, fout]);
  }
}

/** AUROC of ProSMIN's predicted uncertainty (mean σ of the online head) for OOD vs in-distribution. */
function sigmaAuroc(method: Prosmin, inImages: tf.Tensor4D, outImages: tf.Tensor4D): number {
  const score = (x: tf.Tensor4D): Float32Array => {
    const { mu, sigma } = method.predict(x);
    const s = tf.tidy(() => tf.mean(sigma, 1).dataSync() as Float32Array);
    tf.dispose([mu, sigma]);
    return s;
  };
  return auroc(score(outImages), score(inImages));
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

export const prosmin = defineSuite({
  name: 'prosmin',
  description: 'ProSMIN vs BYOL on real MNIST under one budget: linear/k-NN accuracy, low-shot, ECE, OOD AUROC vs Fashion-MNIST, corruption accuracy',
  options: {
    epochs: { type: 'number', integer: true, min: 1, valueName: 'N', description: 'pre-training epochs (default: 6 quick, 50 with --full)' },
  },
  async run(ctx) {
    const s = ctx.quick ? PROSMIN_SUITE_SETTINGS.quick : PROSMIN_SUITE_SETTINGS.full;
    const epochs = ctx.options.epochs ?? s.epochs;
    const trainSet = loadDigits('mnist', s.trainPerClass, { seed: ctx.seed });
    const testSet = loadDigits('mnist', s.testPerClass, { offset: TEST_OFFSET, seed: ctx.seed + 1 });
    const oodSet = loadDigits('fashion-mnist', s.oodPerClass, { seed: ctx.seed + 2 });
    const steps = epochs * Math.floor(trainSet.count / s.batchSize);
    const methods: { key: 'prosmin' | 'byol'; label: string; build: () => SelfSupervisedMethod }[] = [
      { key: 'prosmin', label: 'ProSMIN', build: () => new Prosmin({ widths: s.widths, ...s.head, seed: ctx.seed }) },
      { key: 'byol', label: 'BYOL', build: () => new Byol({ widths: s.widths, ...s.byol, seed: ctx.seed }) },
    ];
    ctx.progress.start(1 + methods.length * (epochs + 1) + 1);
    ctx.progress.step('data and corruptions');
    const train = toImages(trainSet);
    const test = toImages(testSet);
    const ood = toImages(oodSet);
    const corrupted: EvalData['corrupted'] = [];
    for (const name of CORRUPTIONS) {
      for (const severity of s.severities) corrupted.push({ name, severity, images: corrupt(test, name, severity, { seed: ctx.seed }) });
    }
    const data: EvalData = { train, trainLabels: trainSet.labels, test, testLabels: testSet.labels, ood, corrupted };
    const metrics: Metrics = {
      'data.train': trainSet.count,
      'data.test': testSet.count,
      'data.ood': oodSet.count,
      'pretrain.epochs': epochs,
      'pretrain.steps': steps,
      'pretrain.batchSize': s.batchSize,
    };
    const results: { key: string; label: string; ev: Evaluation; loss?: number; ms?: number; epochLosses?: number[] }[] = [];
    try {
      for (const m of methods) {
        const method = m.build();
        try {
          const started = performance.now();
          let epochLoss = 0;
          let count = 0;
          const epochLosses: number[] = [];
          const result = await pretrain(method, train, {
            epochs,
            batchSize: s.batchSize,
            lr: s.lr,
            warmupEpochs: Math.min(s.warmupEpochs, epochs),
            seed: ctx.seed,
            crops: digitCrops(s.localCrops),
            onStep: (info) => {
              epochLoss += info.loss;
              count++;
              if (info.step % (steps / epochs) === 0) {
                epochLosses.push(epochLoss / count);
                ctx.progress.step(`${m.label} epoch ${info.epoch + 1}/${epochs}: loss ${(epochLoss / count).toFixed(4)}`);
                epochLoss = 0;
                count = 0;
              }
            },
          });
          const ms = performance.now() - started;
          ctx.progress.step(`${m.label}: evaluation`);
          const ev = await evaluate(method, data, s, ctx.seed);
          if (method instanceof Prosmin) ev.oodSigma = sigmaAuroc(method, test, ood);
          results.push({ key: m.key, label: m.label, ev, loss: result.losses[result.losses.length - 1], ms, epochLosses });
          metrics[`${m.key}.pretrainMs`] = Math.round(ms);
          metrics[`${m.key}.finalLoss`] = result.losses[result.losses.length - 1];
        } finally {
          method.dispose();
        }
      }
      ctx.progress.step('untrained network (floor)');
      const floor = new Prosmin({ widths: s.widths, ...s.head, seed: ctx.seed });
      try {
        results.push({ key: 'untrained', label: 'untrained (floor)', ev: await evaluate(floor, data, s, ctx.seed) });
      } finally {
        floor.dispose();
      }
    } finally {
      tf.dispose([train, test, ood, ...corrupted.map((c) => c.images)]);
    }

    for (const r of results) {
      const p = r.key;
      metrics[`${p}.linear.acc`] = r.ev.linear;
      metrics[`${p}.knn.acc`] = r.ev.knn;
      metrics[`${p}.lowshot10.acc`] = r.ev.lowShot10;
      metrics[`${p}.lowshot1.acc`] = r.ev.lowShot1;
      metrics[`${p}.ece`] = r.ev.ece;
      metrics[`${p}.ood.auroc.msp`] = r.ev.oodMsp;
      metrics[`${p}.ood.auroc.knn`] = r.ev.oodKnn;
      if (r.ev.oodSigma !== undefined) metrics[`${p}.ood.auroc.sigma`] = r.ev.oodSigma;
      metrics[`${p}.corruption.acc`] = r.ev.corruptionMean;
      for (const [k, v] of Object.entries(r.ev.corruption)) metrics[`${p}.corruption.${k}`] = v;
    }
    const main: ResultTable = {
      title: `ProSMIN vs BYOL on MNIST (${trainSet.count} train, ${testSet.count} test, ${epochs} epochs = ${steps} steps of ${s.batchSize})`,
      columns: ['method', 'linear', 'k-NN', '10% / 1% labels', 'ECE', 'OOD AUROC (MSP)', 'OOD AUROC (k-NN)', 'OOD AUROC (σ)', 'corrupted', 'final loss', 'time'],
      rows: results.map((r) => [
        r.label,
        pct(r.ev.linear),
        pct(r.ev.knn),
        `${pct(r.ev.lowShot10)} / ${pct(r.ev.lowShot1)}`,
        r.ev.ece.toFixed(3),
        r.ev.oodMsp.toFixed(3),
        r.ev.oodKnn.toFixed(3),
        r.ev.oodSigma === undefined ? '–' : r.ev.oodSigma.toFixed(3),
        pct(r.ev.corruptionMean),
        r.loss === undefined ? '–' : r.loss.toFixed(4),
        r.ms === undefined ? '–' : `${(r.ms / 1000).toFixed(1)} s`,
      ]),
      notes: [
        'Features of the target backbone (ProSMIN) or the online backbone (BYOL), frozen; linear probe and k-NN (k = 20, T = 0.07) trained on the MNIST training images.',
        'OOD: Fashion-MNIST test images against MNIST test images; MSP = 1 − max probe probability; k-NN = −max cosine similarity to training features; σ = mean predicted σ of ProSMIN’s online head.',
        `Corrupted: mean probe accuracy over ${CORRUPTIONS.join(', ')} at severities ${s.severities.join(', ')} (CIFAR-10-C parameters). ECE: 15 bins, linear probe.`,
        'Same budget for both methods (images, steps, batch, optimizer and schedules); ProSMIN also sees local crops, BYOL only the two global views, as in their papers.',
      ],
    };
    const corruptionTable: ResultTable = {
      title: 'Linear-probe accuracy under corruption',
      columns: ['method', 'corruption', ...s.severities.map((v) => `severity ${v}`)],
      rows: results.flatMap((r) => CORRUPTIONS.map((c) => [r.label, c, ...s.severities.map((v) => pct(r.ev.corruption[`${c}.${v}`]))])),
    };
    const bars: [string, (e: Evaluation) => number][] = [
      ['linear', (e) => e.linear],
      ['k-NN', (e) => e.knn],
      ['10% labels', (e) => e.lowShot10],
      ['1% labels', (e) => e.lowShot1],
      ['corrupted', (e) => e.corruptionMean],
    ];
    const plots: ResultPlot[] = [
      {
        title: 'Test accuracy on MNIST by evaluation',
        kind: 'bar',
        x: 'evaluation',
        y: 'accuracy (%)',
        series: results.map((r) => ({ name: r.label, points: bars.map(([x, f]) => ({ x, y: 100 * f(r.ev) })) })),
      },
      {
        title: 'Linear-probe accuracy under corruption (mean over noise, blur, contrast)',
        kind: 'line',
        x: 'severity',
        y: 'accuracy (%)',
        series: results.map((r) => ({
          name: r.label,
          points: s.severities.map((v) => ({ x: v, y: (100 * CORRUPTIONS.reduce((a, c) => a + r.ev.corruption[`${c}.${v}`], 0)) / CORRUPTIONS.length })),
        })),
      },
      {
        title: 'Pre-training loss (mean per epoch)',
        kind: 'line',
        x: 'epoch',
        y: 'loss',
        series: results.filter((r) => r.epochLosses).map((r) => ({ name: r.label, points: (r.epochLosses as number[]).map((y, i) => ({ x: i + 1, y })) })),
        notes: ['The two losses are on different scales: ProSMIN’s scoring-rule loss (×10, λ = 2.4) and BYOL’s 2 − 2cos summed over both views.'],
      },
    ];
    const byKey = (k: string): Evaluation | undefined => results.find((r) => r.key === k)?.ev;
    const pro = byKey('prosmin');
    const byol = byKey('byol');
    return {
      metrics,
      tables: [main, corruptionTable],
      plots,
      summary:
        pro && byol
          ? `linear ${pct(pro.linear)} vs ${pct(byol.linear)}, OOD AUROC ${pro.oodMsp.toFixed(3)} vs ${byol.oodMsp.toFixed(3)}, ECE ${pro.ece.toFixed(3)} vs ${byol.ece.toFixed(3)} (ProSMIN vs BYOL)`
          : 'no results',
    };
  },
});
