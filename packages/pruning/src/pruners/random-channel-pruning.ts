/**
 * Random channel pruning: sample configurations under a budget, rank them after brief training,
 * train the best.
 * @packageDocumentation
 */
import { InvalidValueError, checkOptions, type Module } from '@lab/tensor';
import type { GroupScores } from '../criteria/score-groups';
import type { DependencyGraph } from '../graph/dependency-graph';
import type { ChannelBudget } from './channel-budget';
import { prune } from './prune';
import { sampleConfigurations, type ChannelConfiguration } from './sample-configurations';

/** Which training a {@link RandomChannelPruningOptions.train} call is for. @category Pruners */
export interface TrainPhase {
  /** `'candidate'`: the brief training that ranks a candidate; `'final'`: the full training of the best. */
  readonly phase: 'candidate' | 'final';
  /** Index of the candidate in {@link RandomChannelPruningResult.candidates}. */
  readonly candidate: number;
}

/** Options of {@link randomChannelPruning}; defaults in {@link RANDOM_CHANNEL_PRUNING_DEFAULTS}. @category Pruners */
export interface RandomChannelPruningOptions {
  /** The budget every candidate meets, see {@link ChannelBudget}. */
  budget: ChannelBudget;
  /** Trains a pruned model in place (e.g. with `fit`): briefly for a candidate, fully for the best. */
  train: (model: Module<any, any>, phase: TrainPhase) => Promise<void>;
  /** Scores a trained model, higher is better (validation accuracy). */
  evaluate: (model: Module<any, any>) => Promise<number>;
  /** Candidates N. @defaultValue 10 */
  candidates?: number;
  /** Budget tolerance, see {@link SampleConfigurationsOptions.tolerance}. @defaultValue 0.02 */
  tolerance?: number;
  /** Interval of the uniform keep ratios. @defaultValue [0.1, 1] */
  keepRange?: readonly [number, number];
  /** Most draws of the rejection sampler. @defaultValue 100000 */
  maxTries?: number;
  /** Seed of the sampler and of re-initialised weights. @defaultValue 0 */
  seed?: number;
  /** Scores choosing the channels inside a group (from {@link scoreGroups}); by default the highest-indexed go. */
  scores?: GroupScores;
  /** Train candidates from freshly initialised weights instead of the inherited ones. @defaultValue false */
  fromScratch?: boolean;
  /** Fewest channels per group and layer side. @defaultValue 1 */
  minChannels?: number;
}

/** Defaults of {@link RandomChannelPruningOptions}. @category Pruners */
export const RANDOM_CHANNEL_PRUNING_DEFAULTS = Object.freeze({
  /** Default of {@link RandomChannelPruningOptions.candidates}. */
  candidates: 10,
  /** Default of {@link RandomChannelPruningOptions.tolerance}. */
  tolerance: 0.02,
  /** Default of {@link RandomChannelPruningOptions.keepRange}. */
  keepRange: Object.freeze([0.1, 1]) as readonly [number, number],
  /** Default of {@link RandomChannelPruningOptions.maxTries}. */
  maxTries: 100_000,
  /** Default of {@link RandomChannelPruningOptions.seed}. */
  seed: 0,
  /** Default of {@link RandomChannelPruningOptions.fromScratch}. */
  fromScratch: false,
  /** Default of {@link RandomChannelPruningOptions.minChannels}. */
  minChannels: 1,
});

/** One ranked candidate of {@link randomChannelPruning}. @category Pruners */
export interface RandomCandidate extends ChannelConfiguration {
  /** Score after the brief training. */
  readonly score: number;
}

/** What {@link randomChannelPruning} returns. @category Pruners */
export interface RandomChannelPruningResult {
  /** The best candidate after its full training; the caller owns and disposes it. */
  readonly model: Module<any, any>;
  /** Index of the best candidate. */
  readonly best: number;
  /** Every candidate with its score after brief training, in order of drawing. */
  readonly candidates: readonly RandomCandidate[];
  /** Score of the best candidate after its full training. */
  readonly finalScore: number;
  /** Draws of the sampler. */
  readonly tries: number;
  /** Share of draws rejected for missing the budget. */
  readonly rejectionRate: number;
}

/**
 * Random channel pruning after Li et al. (2022): draws `candidates` channel configurations that
 * meet the budget (see {@link sampleConfigurations}), prunes the model to each (keeping the
 * channels ranked highest by `scores`, or re-initialising with `fromScratch`), trains each briefly
 * with `train` and ranks them by `evaluate`, then trains the best one fully and returns it. Only
 * one candidate besides the best so far is alive at a time; the others are disposed.
 * @param graph - dependency graph of the (pretrained) model; the model is not changed
 * @param options - see {@link RandomChannelPruningOptions}
 * @returns the best model and the ranking
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on bad options or an unmeetable budget; whatever `train` or
 *   `evaluate` throw (after disposing the candidates)
 * @see Li et al., "Revisiting Random Channel Pruning", CVPR 2022, arXiv 2205.05676
 * @example
 * ```ts
 * const r = await randomChannelPruning(graph, {
 *   budget: { macs: 0.5 }, candidates: 8, scores,
 *   train: (m, { phase }) => fit(m, data, { optimizer: tf.train.sgd(0.01), loss, epochs: phase === 'final' ? 20 : 1 }).then(() => undefined),
 *   evaluate: (m) => accuracy(m, validation),
 * });
 * ```
 * @category Pruners
 */
export async function randomChannelPruning(graph: DependencyGraph, options: RandomChannelPruningOptions): Promise<RandomChannelPruningResult> {
  const fn = 'randomChannelPruning';
  if (typeof options !== 'object' || options === null) throw new InvalidValueError(`${fn}: options must be an object with budget, train and evaluate`);
  checkOptions(fn, options, ['budget', 'train', 'evaluate', 'scores', ...Object.keys(RANDOM_CHANNEL_PRUNING_DEFAULTS)]);
  const o = { ...RANDOM_CHANNEL_PRUNING_DEFAULTS, ...options };
  if (typeof o.train !== 'function') throw new InvalidValueError(`${fn}: train must be a function (model, phase) => Promise<void>`);
  if (typeof o.evaluate !== 'function') throw new InvalidValueError(`${fn}: evaluate must be a function (model) => Promise<number>`);
  if (typeof o.fromScratch !== 'boolean') throw new InvalidValueError(`${fn}: fromScratch must be a boolean, got ${String(o.fromScratch)}`);
  const sampled = sampleConfigurations(graph, {
    budget: o.budget,
    count: o.candidates,
    tolerance: o.tolerance,
    keepRange: o.keepRange,
    maxTries: o.maxTries,
    seed: o.seed,
    minChannels: o.minChannels,
    ...(o.scores ? { scores: o.scores } : {}),
  });
  const candidates: RandomCandidate[] = [];
  let best: { index: number; model: Module<any, any>; score: number } | undefined;
  try {
    for (const [index, config] of sampled.configurations.entries()) {
      const model = prune(graph.model, { graph, removed: config.removed }, { fromScratch: o.fromScratch, seed: o.seed + index, minChannels: o.minChannels });
      let keep = false;
      try {
        await o.train(model, { phase: 'candidate', candidate: index });
        const score = await o.evaluate(model);
        if (typeof score !== 'number' || Number.isNaN(score)) throw new InvalidValueError(`${fn}: evaluate must return a number, got ${String(score)}`);
        candidates.push(Object.freeze({ ...config, score }));
        if (!best || score > best.score) {
          best?.model.dispose();
          best = { index, model, score };
          keep = true;
        }
      } finally {
        if (!keep) model.dispose();
      }
    }
    const winner = best as { index: number; model: Module<any, any>; score: number };
    await o.train(winner.model, { phase: 'final', candidate: winner.index });
    const finalScore = await o.evaluate(winner.model);
    return Object.freeze({
      model: winner.model,
      best: winner.index,
      candidates: Object.freeze(candidates),
      finalScore,
      tries: sampled.tries,
      rejectionRate: sampled.rejectionRate,
    });
  } catch (e) {
    best?.model.dispose();
    throw e;
  }
}
