/**
 * Suite `prune`: random channel pruning (arXiv 2205.05676) on real data. A CIFAR-style ResNet-20
 * with a 1-channel stem is trained briefly on Fashion-MNIST, then pruned to a MACs budget (50 % by
 * default) with every importance criterion of `@lab/pruning`, under the uniform keep ratio and
 * under random channel configurations (candidates ranked after brief fine-tuning, the best trained
 * further). Batch-norm statistics are re-estimated on training images before every evaluation.
 * Shardable over criteria (`--shard i/n`): every shard trains the same seeded base model.
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  BasicBlockCifar,
  BatchNorm2d,
  Conv2d,
  Linear,
  Module,
  Rng,
  Sequential,
  UnknownNameError,
  InvalidValueError,
  fit,
  formatCount,
  type FitBatch,
} from '@lab/tensor';
import {
  buildDependencyGraph,
  createCriterion,
  criteria,
  prune as pruneModel,
  randomChannelPruning,
  scoreGroups,
  setField,
  uniformKeepRatio,
  type DependencyGraph,
  type GroupScores,
  createPruningRecord,
  l1Importance,
  loadPruned,
  planPruning,
  readPruningRecord,
  type PruningRecord,
} from '@lab/pruning';
import { createModel, loadOfficialWeights, models, type ModelName, type SrModel } from '@lab/sr-models';
import { loadDigits, type DigitSet } from '../data/digits';
import { defineSuite, shardSlice, type Metrics, type ResultTable } from '../suite';

/** A CIFAR ResNet (He et al. 2016, 6n+2 layers) for 28×28×1 images: the stem takes 1 channel. */
export class GreyResNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly layers: Sequential;
  readonly linear: Linear;

  /** @param depth - 6n + 2 (20 for ResNet-20) @param rng - initial weights */
  constructor(depth: number, rng: Rng) {
    super();
    const n = (depth - 2) / 6;
    this.conv1 = this.registerModule('conv1', new Conv2d(1, 16, 3, { padding: 1, bias: false, rng }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(16));
    const blocks: BasicBlockCifar[] = [];
    let inPlanes = 16;
    for (const [planes, stride] of [
      [16, 1],
      [32, 2],
      [64, 2],
    ]) {
      for (let i = 0; i < n; i++) {
        // Shortcut B (1×1 projection): shortcut A slices with tf.stridedSlice, which has no gradient in tfjs-core.
        blocks.push(new BasicBlockCifar(inPlanes, planes, { stride: i === 0 ? stride : 1, shortcut: 'B', rng }));
        inPlanes = planes;
      }
    }
    this.layers = this.registerModule('layers', new Sequential(...blocks));
    this.linear = this.registerModule('linear', new Linear(64, 10, { rng }));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.linear.call(tf.mean(this.layers.call(tf.relu(this.bn1.call(this.conv1.call(x)))), [1, 2])));
  }
}

/** Sizes of one run. */
interface Plan {
  trainPerClass: number;
  testPerClass: number;
  /** Images per class of the fine-tuning subset (the first of the training set). */
  fineTunePerClass: number;
  epochs: number;
  fineTuneEpochs: number;
  finalEpochs: number;
  candidates: number;
  batch: number;
  /** Samples for the gradient criteria (Taylor, Hessian). */
  calibration: number;
  /** Training images on which batch-norm statistics are re-estimated before each evaluation. */
  recalibration: number;
}

const QUICK: Plan = {
  trainPerClass: 30,
  testPerClass: 10,
  fineTunePerClass: 10,
  epochs: 3,
  fineTuneEpochs: 1,
  finalEpochs: 1,
  candidates: 2,
  batch: 32,
  calibration: 32,
  recalibration: 128,
};
const FULL: Plan = {
  trainPerClass: 600,
  testPerClass: 200,
  fineTunePerClass: 600,
  epochs: 10,
  fineTuneEpochs: 1,
  finalEpochs: 3,
  candidates: 6,
  batch: 64,
  calibration: 256,
  recalibration: 512,
};

const loss = (pred: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.losses.softmaxCrossEntropy(y, pred) as tf.Scalar;

/** The first `perClass` images of each class of a digit set (it is class-balanced and shuffled). */
function subset(set: DigitSet, count: number): DigitSet {
  const n = Math.min(count, set.count);
  return { images: set.images.subarray(0, n * 784), labels: set.labels.subarray(0, n), count: n };
}

/** Seeded, shuffled batches of a digit set; the caller disposes them (or fit with `disposeBatches`). */
function batches(set: DigitSet, size: number, seed: number): FitBatch[] {
  const order = new Rng(seed).permutation(set.count);
  const out: FitBatch[] = [];
  for (let at = 0; at < set.count; at += size) {
    const idx = Array.from(order.subarray(at, Math.min(at + size, set.count)));
    const images = new Float32Array(idx.length * 784);
    idx.forEach((k, j) => images.set(set.images.subarray(k * 784, (k + 1) * 784), j * 784));
    const labels = Int32Array.from(idx, (k) => set.labels[k]);
    out.push(
      tf.tidy(() => ({
        x: tf.tensor4d(images, [idx.length, 28, 28, 1]),
        y: tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 10), 'float32'),
      })),
    );
  }
  return out;
}

/** Trains in place with Adam for `epochs`, fresh shuffles each epoch; frees the optimizer. */
async function train(model: Module<any, any>, set: DigitSet, epochs: number, lr: number, batch: number, seed: number): Promise<void> {
  const optimizer = tf.train.adam(lr);
  try {
    await fit(model, (epoch) => batches(set, batch, seed * 1000 + epoch), { optimizer, loss, epochs, disposeBatches: true });
  } finally {
    optimizer.dispose();
  }
}

/**
 * Re-estimates every batch norm's running statistics as the plain average over `set` (momentum
 * null, counters reset), then restores the momentum and the training flags. Brief training leaves
 * the momentum-0.1 averages behind the weights; the evaluation uses the re-estimated ones.
 */
function recalibrateBatchNorm(model: Module<any, any>, set: DigitSet, batch: number): void {
  const norms = model.modules().filter((m): m is BatchNorm2d => m instanceof BatchNorm2d && m.trackRunningStats);
  const flags = model.modules().map((m) => m.training);
  const momenta = norms.map((b) => b.momentum);
  const data = batches(set, batch, 7);
  try {
    tf.tidy(() => {
      for (const b of norms) {
        (b.runningMean as tf.Variable).assign(tf.zerosLike(b.runningMean as tf.Variable));
        (b.runningVar as tf.Variable).assign(tf.onesLike(b.runningVar as tf.Variable));
        (b.numBatchesTracked as tf.Variable).assign(tf.scalar(0, 'int32'));
        setField(b, 'momentum', null);
      }
    });
    model.train();
    for (const d of data) tf.tidy(() => void model.call(d.x));
  } finally {
    norms.forEach((b, i) => setField(b, 'momentum', momenta[i]));
    model.modules().forEach((m, i) => {
      m.training = flags[i];
    });
    tf.dispose(data.flatMap((d) => [d.x, d.y]));
  }
}

/** Top-1 accuracy on a digit set, in evaluation mode (flags restored). */
function accuracy(model: Module<any, any>, set: DigitSet): number {
  const flags = model.modules().map((m) => m.training);
  model.eval();
  let correct = 0;
  try {
    for (const b of batches(set, 128, 0)) {
      correct += tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(model.call(b.x) as tf.Tensor, 1), tf.argMax(b.y, 1)), 'int32')).dataSync()[0]);
      tf.dispose([b.x, b.y]);
    }
  } finally {
    model.modules().forEach((m, i) => {
      m.training = flags[i];
    });
  }
  return correct / set.count;
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

/** Whole-run figures from the per-criterion metrics (also after `lab merge` of shards). */
function summarise(metrics: Metrics, budget: number): string {
  const best = (prefix: string): [string, number] | undefined => {
    let found: [string, number] | undefined;
    for (const [key, value] of Object.entries(metrics)) {
      const m = new RegExp(`^${prefix}\\.([a-z0-9-]+)\\.accuracy$`).exec(key);
      if (m && typeof value === 'number' && (!found || value > found[1])) found = [m[1], value];
    }
    return found;
  };
  const base = metrics['base.accuracy'];
  const u = best('uniform');
  const r = best('random');
  return [
    typeof base === 'number' ? `base ${pct(base)}` : undefined,
    u ? `at ${pct(budget)} MACs: uniform best ${u[0]} ${pct(u[1])}` : undefined,
    r ? `random best ${r[0]} ${pct(r[1])}` : undefined,
  ]
    .filter(Boolean)
    .join('; ');
}

export const prune = defineSuite({
  name: 'prune',
  description: 'Random channel pruning on Fashion-MNIST: ResNet-20 at a MACs budget, criteria under uniform and random configurations',
  shardable: true,
  options: {
    budget: { type: 'number', default: 0.5, min: 0.05, description: 'MACs (FLOPs) ratio to keep, in (0, 1]' },
    criteria: {
      type: 'string',
      default: Object.keys(criteria).join(','),
      valueName: 'LIST',
      description: `comma-separated criteria (${Object.keys(criteria).join(', ')})`,
    },
    candidates: { type: 'number', integer: true, min: 1, description: 'random configurations per criterion (default 2 quick, 6 full)' },
    'train-per-class': { type: 'number', integer: true, min: 1, valueName: 'N', description: 'training images per class (default 30 quick, 600 full)' },
    epochs: { type: 'number', integer: true, min: 1, description: 'epochs of the base model (default 3 quick, 10 full)' },
  },
  finish(output, ctx) {
    return { ...output, summary: summarise(output.metrics, ctx.options.budget) };
  },
  async run(ctx) {
    const o = ctx.options;
    const plan: Plan = { ...(ctx.quick ? QUICK : FULL) };
    if (o.candidates !== undefined) plan.candidates = o.candidates;
    if (o['train-per-class'] !== undefined) plan.trainPerClass = plan.fineTunePerClass = o['train-per-class'];
    if (o.epochs !== undefined) plan.epochs = o.epochs;
    plan.fineTunePerClass = Math.min(plan.fineTunePerClass, plan.trainPerClass);
    if (!(o.budget > 0 && o.budget <= 1)) throw new Error(`prune: --budget must be in (0, 1], got ${o.budget}`);
    const all = o.criteria.split(',').map((s) => s.trim()).filter(Boolean);
    for (const n of all) createCriterion(n); // throws UnknownNameError listing the keys
    const names = shardSlice(all, ctx.shard);
    const first = ctx.shard === undefined || ctx.shard.index === 0;
    const budget = { macs: o.budget };

    ctx.progress.start(3 + 2 * names.length);
    ctx.progress.step(`Fashion-MNIST ${plan.trainPerClass}+${plan.testPerClass} per class`);
    const trainSet = loadDigits('fashion-mnist', plan.trainPerClass, { seed: ctx.seed });
    const testSet = loadDigits('fashion-mnist', plan.testPerClass, { offset: plan.trainPerClass, seed: ctx.seed + 1 });
    const fineTuneSet = subset(trainSet, 10 * plan.fineTunePerClass);
    const recalibrationSet = subset(trainSet, plan.recalibration);
    const calib = batches(subset(trainSet, plan.calibration), plan.batch, ctx.seed + 3);

    const metrics: Metrics = {};
    const failures: string[] = [];
    const base = new GreyResNet(20, new Rng(ctx.seed));
    const owned: Module<any, any>[] = [base];
    const evaluate = (m: Module<any, any>): number => {
      recalibrateBatchNorm(m, recalibrationSet, plan.batch);
      return accuracy(m, testSet);
    };
    try {
      ctx.progress.step(`train ResNet-20 (${plan.epochs} epochs)`);
      await train(base, trainSet, plan.epochs, 2e-3, plan.batch, ctx.seed);
      const baseAcc = evaluate(base);
      ctx.progress.step('dependency graph');
      const graph: DependencyGraph = await buildDependencyGraph(base, [28, 28, 1]);
      const prunable = graph.groups.filter((g) => g.prunable > 0).length;
      if (first) {
        Object.assign(metrics, {
          budget: o.budget,
          'train.images': trainSet.count,
          'test.images': testSet.count,
          'base.params': graph.baseline.params,
          'base.macs': graph.baseline.macs,
          'base.accuracy': baseAcc,
          'graph.groups': prunable,
        });
      }
      ctx.log(`base: ${formatCount(graph.baseline.params)} params, ${formatCount(graph.baseline.macs)} MACs, accuracy ${pct(baseAcc)}; ${prunable} prunable groups`);

      const fineTune = (m: Module<any, any>, epochs: number, seed: number) => train(m, fineTuneSet, epochs, 1e-3, plan.batch, seed);
      const uniformRows: (string | number)[][] = [];
      const randomRows: (string | number)[][] = [];
      const bars: Record<'uniform' | 'brief' | 'best', { x: string; y: number }[]> = { uniform: [], brief: [], best: [] };
      for (const name of names) {
        ctx.progress.step(`${name}: uniform keep ratio`);
        const scores: GroupScores = await scoreGroups(graph, createCriterion(name, name === 'random' ? { seed: ctx.seed } : undefined), {
          data: calib,
          loss,
          maxSamples: plan.calibration,
        });
        const uniform = uniformKeepRatio(graph, { budget, scores });
        const small = pruneModel(base, { graph, removed: uniform.removed });
        owned.push(small);
        const pruned = evaluate(small);
        await fineTune(small, plan.fineTuneEpochs + plan.finalEpochs, ctx.seed + 11);
        const tuned = evaluate(small);
        small.dispose();
        if (uniform.macsRatio > o.budget) failures.push(`${name}: the uniform configuration exceeds the budget (${uniform.macsRatio})`);
        Object.assign(metrics, {
          [`uniform.${name}.keepRatio`]: uniform.keepRatio,
          [`uniform.${name}.macsRatio`]: uniform.macsRatio,
          [`uniform.${name}.paramsRatio`]: uniform.paramsRatio,
          [`uniform.${name}.accuracyPruned`]: pruned,
          [`uniform.${name}.accuracy`]: tuned,
        });
        uniformRows.push([name, uniform.keepRatio.toFixed(3), pct(uniform.macsRatio), pct(uniform.paramsRatio), pct(pruned), pct(tuned)]);
        bars.uniform.push({ x: name, y: 100 * tuned });

        ctx.progress.step(`${name}: ${plan.candidates} random configurations`);
        const r = await randomChannelPruning(graph, {
          budget,
          candidates: plan.candidates,
          tolerance: 0.02,
          keepRange: [0.2, 1],
          seed: ctx.seed + 5,
          scores,
          train: (m, phase) => fineTune(m, phase.phase === 'final' ? plan.finalEpochs : plan.fineTuneEpochs, ctx.seed + 13 + phase.candidate),
          evaluate: async (m) => evaluate(m),
        });
        r.model.dispose();
        const best = r.candidates[r.best];
        const mean = r.candidates.reduce((a, c) => a + c.score, 0) / r.candidates.length;
        for (const c of r.candidates) if (c.macsRatio > o.budget) failures.push(`${name}: a random configuration exceeds the budget (${c.macsRatio})`);
        Object.assign(metrics, {
          [`random.${name}.candidateMean`]: mean,
          [`random.${name}.candidateBest`]: best.score,
          [`random.${name}.accuracy`]: r.finalScore,
          [`random.${name}.macsRatio`]: best.macsRatio,
          [`random.${name}.paramsRatio`]: best.paramsRatio,
          [`random.${name}.rejectionRate`]: r.rejectionRate,
        });
        randomRows.push([name, pct(mean), pct(best.score), pct(r.finalScore), pct(best.macsRatio), pct(best.paramsRatio), r.rejectionRate.toFixed(3)]);
        bars.brief.push({ x: name, y: 100 * mean });
        bars.best.push({ x: name, y: 100 * r.finalScore });
      }

      const evalNote = `accuracy on ${testSet.count} test images after re-estimating the batch-norm statistics on ${recalibrationSet.count} training images`;
      const tables: ResultTable[] = [
        ...(first
          ? [
              {
                title: `ResNet-20 (shortcut B, 1-channel stem) on Fashion-MNIST 28×28, ${trainSet.count} training images`,
                columns: ['model', 'params', 'MACs', 'accuracy'],
                rows: [['base (unpruned)', formatCount(graph.baseline.params), formatCount(graph.baseline.macs), pct(baseAcc)]],
                notes: [`trained ${plan.epochs} epochs with Adam 2e-3, batch ${plan.batch}; ${evalNote}`],
              },
            ]
          : []),
        {
          title: `Uniform keep ratio at ${pct(o.budget)} of the MACs`,
          columns: ['criterion', 'keep ratio', 'MACs', 'params', 'acc. pruned', 'acc. fine-tuned'],
          rows: uniformRows,
          notes: [`fine-tuned ${plan.fineTuneEpochs + plan.finalEpochs} epochs (Adam 1e-3) on ${fineTuneSet.count} images, as long as the random search's best candidate`, evalNote],
        },
        {
          title: `Random configurations at ${pct(o.budget)} of the MACs (N = ${plan.candidates}, keep ratios U[0.2, 1], tolerance 2 %)`,
          columns: ['criterion', 'mean after brief FT', 'best after brief FT', 'best after full FT', 'MACs', 'params', 'rejection rate'],
          rows: randomRows,
          notes: [
            `brief fine-tuning ${plan.fineTuneEpochs} epoch(s) on ${fineTuneSet.count} images ranks the candidates; the best gets ${plan.finalEpochs} more; every criterion sees the same configurations (same seed)`,
            'MACs and params: ratios to the unpruned model, from the dependency graph (equal to the profiler on the pruned model)',
          ],
        },
      ];
      return {
        metrics,
        tables,
        failures,
        plots: [
          {
            title: `Accuracy at ${pct(o.budget)} of the MACs by criterion`,
            kind: 'bar',
            x: 'criterion',
            y: 'test accuracy (%)',
            series: [
              { name: 'uniform, fine-tuned', points: bars.uniform },
              { name: 'random configurations, mean after brief FT', points: bars.brief },
              { name: 'random search, best after full FT', points: bars.best },
            ],
          },
        ],
        summary: summarise(metrics, o.budget),
      };
    } finally {
      tf.dispose(calib.flatMap((b) => [b.x, b.y]));
      for (const m of owned) m.dispose();
    }
  },
});

/** LR side at which a pruned SR model is traced; its record's MACs are counted there. */
export const PRUNED_SR_TRACE_SIDE = 16;

/** A pruned super-resolution model for the `ntire` suite, from {@link pruneSrModel} or {@link loadPrunedSrModel}. */
export interface PrunedSrModel {
  /** The pruned network, in evaluation mode; the caller disposes it. */
  readonly model: SrModel;
  /** What was pruned (base registry key, kept channels per group, costs, notes). */
  readonly record: PruningRecord;
  /** Where the weights came from: the `.pth` or `.safetensors` file, or `'random'`. */
  readonly weights: string;
}

/**
 * The official NTIRE 2022 ESR checkpoint of a registry model in the data folder
 * (`<dataDir>/weights/ntire2022/<file>`), when the model has one there and the file exists.
 */
export function findNtireWeights(name: ModelName, dataDir: string | undefined): string | undefined {
  const entry = models[name];
  const file = entry.checkpoint.files[entry.scale];
  if (dataDir === undefined || file === undefined || entry.checkpoint.repository !== 'ofsoundof/NTIRE2022_ESR') return undefined;
  const p = path.join(dataDir, 'weights', 'ntire2022', path.basename(file));
  return existsSync(p) ? p : undefined;
}

/**
 * Builds a registry SR model with its official weights (from the data folder when present, else
 * the random initial ones) and prunes it physically with the L1 criterion at one uniform keep
 * ratio `1 − reduction` in every dependency group (IMDN: trunk 64 → 48 and conv4 16 → 12 at
 * 0.25; the split distillation outputs are fixed). No fine-tuning.
 */
export async function pruneSrModel(name: ModelName, reduction: number, dataDir: string | undefined): Promise<PrunedSrModel> {
  if (!(typeof reduction === 'number' && reduction > 0 && reduction < 1)) {
    throw new InvalidValueError(`pruneSrModel: reduction must be in (0, 1), got ${String(reduction)}`);
  }
  const weights = findNtireWeights(name, dataDir);
  const base = createModel(name);
  try {
    if (weights !== undefined) loadOfficialWeights(base, new Uint8Array(await readFile(weights)));
    base.eval();
    const graph = await buildDependencyGraph(base, [PRUNED_SR_TRACE_SIDE, PRUNED_SR_TRACE_SIDE, 3]);
    const keepRatio = 1 - reduction;
    const plan = planPruning(graph, { keepRatio, scores: await scoreGroups(graph, l1Importance()) });
    const model = pruneModel(base, plan).eval();
    const record = createPruningRecord(plan, { baseModel: name, notes: { criterion: 'l1', keepRatio, weights: weights === undefined ? 'random' : 'official' } });
    return { model, record, weights: weights ?? 'random' };
  } finally {
    base.dispose();
  }
}

/**
 * Loads a pruned SR model written by `savePruned` of `@lab/pruning`: builds a fresh model of the
 * record's base (a registry key of `@lab/sr-models`) and loads the file into it.
 * @throws UnknownNameError when the record's base is not a registry model; as `loadPruned` otherwise
 */
export async function loadPrunedSrModel(file: string): Promise<PrunedSrModel> {
  const bytes = new Uint8Array(await readFile(file));
  const record = readPruningRecord(bytes);
  if (!Object.hasOwn(models, record.baseModel)) throw new UnknownNameError('model', record.baseModel, Object.keys(models));
  const base = createModel(record.baseModel as ModelName);
  try {
    const { model } = await loadPruned(base, bytes);
    return { model: model.eval(), record, weights: file };
  } finally {
    base.dispose();
  }
}
