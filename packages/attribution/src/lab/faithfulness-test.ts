/**
 * The AttributionLab sanity check: how well an attribution method recovers the designed ground
 * truth (arXiv 2310.06514, Figure 2, "faithfulness test").
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Rng, ShapeError, checkOptions } from '@lab/tensor';
import type { AttributionMethod, AttributionOptions } from '../core/types';
import { AttributionLab } from './environment';
import { groundTruthValues } from './ground-truth';

/**
 * How maps are compared with the ground truth. `signed`: positive and negative features
 * separately, by the sign of the attribution. `unsigned`: every feature (positive or negative) is
 * "relevant" and the map's absolute value is ranked; results go in the `positive*` fields.
 * @category AttributionLab
 */
export type FaithfulnessScenario = 'signed' | 'unsigned';

/** Pass thresholds of {@link runFaithfulnessTest}, each on a mean over samples. @category AttributionLab */
export interface FaithfulnessThresholds {
  /** Smallest mean top-k precision (positive, and negative in the signed scenario). */
  readonly precision: number;
  /** Smallest mean top-k recall (positive, and negative in the signed scenario). */
  readonly recall: number;
  /** Smallest mean sign agreement (signed scenario only). */
  readonly signAgreement: number;
}

/** Options of {@link runFaithfulnessTest}; defaults in {@link FAITHFULNESS_TEST_DEFAULTS}. @category AttributionLab */
export interface FaithfulnessTestOptions {
  /** Number of designed samples evaluated. @defaultValue 16 */
  samples?: number;
  /** Samples per `attribute` call (bounds memory; results do not depend on it). @defaultValue 8 */
  batchSize?: number;
  /** Seed of the data, of the method (`seed` option) and of tie-breaking in the rankings. @defaultValue 0 */
  seed?: number;
  /** `auto` uses `signed` for signed methods and `unsigned` otherwise. @defaultValue 'auto' */
  scenario?: 'auto' | FaithfulnessScenario;
  /**
   * Extra options passed to every `attribute` call (e.g. `{ baselines: env.baselines.grey }`);
   * `target` is set by the test and may not appear here. @defaultValue {}
   */
  methodOptions?: Readonly<Record<string, unknown>>;
  /** Pass thresholds, overriding {@link FAITHFULNESS_TEST_DEFAULTS}.thresholds field by field. */
  thresholds?: Partial<FaithfulnessThresholds>;
  /** Return the channel-summed maps of the first `keepMaps` samples (for figures). @defaultValue 0 */
  keepMaps?: number;
}

/**
 * Defaults of {@link FaithfulnessTestOptions}. The thresholds are this package's choice (the paper
 * reports scores, not a verdict): a method passes when its top-k selection recovers at least 80%
 * of the positive (and, when signed, the negative) features with at least 80% precision, and when
 * at least 80% of feature pixels get the right sign. The ground-truth oracle scores 1 on all of
 * them; uniform noise scores about the feature fraction of the image.
 * @category AttributionLab
 */
export const FAITHFULNESS_TEST_DEFAULTS = Object.freeze({
  /** Default of {@link FaithfulnessTestOptions.samples}. */
  samples: 16,
  /** Default of {@link FaithfulnessTestOptions.batchSize}. */
  batchSize: 8,
  /** Default of {@link FaithfulnessTestOptions.seed}. */
  seed: 0,
  /** Default of {@link FaithfulnessTestOptions.scenario}. */
  scenario: 'auto' as 'auto' | FaithfulnessScenario,
  /** Default of {@link FaithfulnessTestOptions.keepMaps}. */
  keepMaps: 0,
  /** Default of {@link FaithfulnessTestOptions.thresholds}. */
  thresholds: Object.freeze({ precision: 0.8, recall: 0.8, signAgreement: 0.8 }) as FaithfulnessThresholds,
});

/**
 * Scores of one map (or means over samples). `NaN` marks a score that is undefined for the sample
 * (no feature of that kind, or the field does not apply to the scenario).
 * @category AttributionLab
 */
export interface FaithfulnessScores {
  /**
   * Precision of the positive selection: the `k = |P|` highest-ranked pixels that have a positive
   * score, against the positive ground truth `P` (relevant pixels, in the unsigned scenario);
   * 0 when no pixel has a positive score.
   */
  readonly positivePrecision: number;
  /** Recall of the same selection: `|selection ∩ P| / |P|`. */
  readonly positiveRecall: number;
  /** ROC AUC of the score separating `P` from the other pixels (threshold-free; ties count ½). */
  readonly positiveAuc: number;
  /** As `positivePrecision` for negative features, ranking by −attribution (signed scenario). */
  readonly negativePrecision: number;
  /** As `positiveRecall` for negative features (signed scenario). */
  readonly negativeRecall: number;
  /** As `positiveAuc` for negative features with score −attribution (signed scenario). */
  readonly negativeAuc: number;
  /** Fraction of feature pixels (ground truth ≠ 0) whose attribution has the ground truth's sign (0 counts as wrong). */
  readonly signAgreement: number;
}

/** Result of {@link runFaithfulnessTest}. @category AttributionLab */
export interface FaithfulnessTestResult {
  /** The method's `name`. */
  readonly method: string;
  /** The scenario the maps were scored in (`auto` resolved to `signed` or `unsigned`). */
  readonly scenario: FaithfulnessScenario;
  /** Number of samples evaluated. */
  readonly samples: number;
  /** Scores of every sample, in sample order. */
  readonly perSample: readonly FaithfulnessScores[];
  /** Mean of each score over the samples where it is defined (NaN when it is nowhere defined). */
  readonly mean: FaithfulnessScores;
  /** Whether every applicable threshold holds and the maps were finite. */
  readonly passed: boolean;
  /** Why the method failed, one line per failed check (empty when it passed). */
  readonly failures: readonly string[];
  /** The thresholds applied. */
  readonly thresholds: FaithfulnessThresholds;
  /** Wall time of the `attribute` calls, in milliseconds. */
  readonly runtimeMs: number;
  /** Channel-summed maps `[H·W]` of the first `keepMaps` samples, when requested. */
  readonly maps?: readonly Float32Array[];
}

/** Options of {@link scoreAttributionMap}. @category AttributionLab */
export interface ScoreAttributionMapOptions {
  /** See {@link FaithfulnessScenario}. @defaultValue 'signed' */
  scenario?: FaithfulnessScenario;
  /** Seed of the random tie-breaking of equal scores in the top-k selection. @defaultValue 0 */
  seed?: number;
}

/**
 * Scores one per-pixel attribution map against a signed ground-truth map.
 *
 * Signed scenario, with `P = {gt > 0}` and `N = {gt < 0}`: the positive selection is the
 * `k = |P|` pixels of highest attribution (ties broken by a seeded random order), keeping only
 * those with attribution > 0; precision = `|sel ∩ P| / |sel|` (0 for an empty selection), recall =
 * `|sel ∩ P| / |P|`, AUC = the Mann–Whitney estimate of `Pr(a_p > a_q)` for `p ∈ P`, `q ∉ P`.
 * The negative scores do the same for `N` with `−a`. Sign agreement is the fraction of `P ∪ N`
 * where `sign(a) = sign(gt)`. Unsigned scenario: `R = {gt ≠ 0}` is scored as `P` with `|a|`.
 * @param attribution - per-pixel attribution, length `H·W`
 * @param groundTruth - per-pixel signed ground truth, same length
 * @param options - see {@link ScoreAttributionMapOptions}
 * @returns the scores (NaN where undefined)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for maps of different lengths; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option.
 * @example
 * ```ts
 * scoreAttributionMap([3, -1, 0, 0], [1, -1, 0, 0]).positivePrecision; // 1
 * ```
 * @category AttributionLab
 */
export function scoreAttributionMap(
  attribution: ArrayLike<number>,
  groundTruth: ArrayLike<number>,
  options: ScoreAttributionMapOptions = {},
): FaithfulnessScores {
  const fn = 'scoreAttributionMap';
  checkOptions(fn, options, ['scenario', 'seed']);
  const scenario = options.scenario ?? 'signed';
  if (scenario !== 'signed' && scenario !== 'unsigned') {
    throw new InvalidValueError(`${fn}: scenario must be 'signed' or 'unsigned', got ${String(scenario)}`);
  }
  const seed = options.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new InvalidValueError(`${fn}: seed must be a finite number, got ${String(seed)}`);
  if (attribution.length !== groundTruth.length) {
    throw new ShapeError(`${fn}: attribution must have the ground truth's length ${groundTruth.length}, got ${attribution.length}`);
  }
  return scoreMap(attribution, groundTruth, scenario, new Rng(seed));
}

function scoreMap(a: ArrayLike<number>, gt: ArrayLike<number>, scenario: FaithfulnessScenario, rng: Rng): FaithfulnessScores {
  const n = a.length;
  // One random order for all rankings of this map: ties are broken the same way everywhere.
  const order = rng.permutation(n);
  const tieKey = new Int32Array(n);
  for (let i = 0; i < n; i++) tieKey[order[i]] = i;
  if (scenario === 'unsigned') {
    const score = Float64Array.from(a, (v) => Math.abs(v));
    const relevant = Uint8Array.from(gt, (g) => (g !== 0 ? 1 : 0));
    const [precision, recall] = selection(score, relevant, tieKey);
    return {
      positivePrecision: precision,
      positiveRecall: recall,
      positiveAuc: auc(score, relevant),
      negativePrecision: NaN,
      negativeRecall: NaN,
      negativeAuc: NaN,
      signAgreement: NaN,
    };
  }
  const pos = Uint8Array.from(gt, (g) => (g > 0 ? 1 : 0));
  const neg = Uint8Array.from(gt, (g) => (g < 0 ? 1 : 0));
  const up = Float64Array.from(a);
  const down = Float64Array.from(a, (v) => -v);
  const [pp, pr] = selection(up, pos, tieKey);
  const [np, nr] = selection(down, neg, tieKey);
  let agree = 0;
  let features = 0;
  for (let i = 0; i < n; i++) {
    if (gt[i] === 0) continue;
    features++;
    if (Math.sign(a[i]) === Math.sign(gt[i])) agree++;
  }
  return {
    positivePrecision: pp,
    positiveRecall: pr,
    positiveAuc: auc(up, pos),
    negativePrecision: np,
    negativeRecall: nr,
    negativeAuc: auc(down, neg),
    signAgreement: features === 0 ? NaN : agree / features,
  };
}

/** Precision and recall of the top-|truth| pixels with a positive score; NaN when truth is empty. */
function selection(score: Float64Array, truth: Uint8Array, tieKey: Int32Array): [number, number] {
  let k = 0;
  for (let i = 0; i < truth.length; i++) k += truth[i];
  if (k === 0) return [NaN, NaN];
  const idx = Array.from({ length: score.length }, (_, i) => i);
  idx.sort((i, j) => score[j] - score[i] || tieKey[i] - tieKey[j]);
  let selected = 0;
  let hits = 0;
  for (let r = 0; r < k; r++) {
    const i = idx[r];
    if (!(score[i] > 0)) break;
    selected++;
    hits += truth[i];
  }
  return [selected === 0 ? 0 : hits / selected, hits / k];
}

/** ROC AUC by the Mann–Whitney statistic with average ranks for ties; NaN without both classes. */
function auc(score: Float64Array, truth: Uint8Array): number {
  const n = score.length;
  let np = 0;
  for (let i = 0; i < n; i++) np += truth[i];
  const nn = n - np;
  if (np === 0 || nn === 0) return NaN;
  const idx = Array.from({ length: n }, (_, i) => i).sort((i, j) => score[i] - score[j]);
  let rankSum = 0;
  for (let s = 0; s < n; ) {
    let e = s;
    while (e + 1 < n && score[idx[e + 1]] === score[idx[s]]) e++;
    const avgRank = (s + e) / 2 + 1;
    for (let r = s; r <= e; r++) if (truth[idx[r]]) rankSum += avgRank;
    s = e + 1;
  }
  return (rankSum - (np * (np + 1)) / 2) / (np * nn);
}

const SCORE_KEYS = [
  'positivePrecision',
  'positiveRecall',
  'positiveAuc',
  'negativePrecision',
  'negativeRecall',
  'negativeAuc',
  'signAgreement',
] as const satisfies readonly (keyof FaithfulnessScores)[];

function meanScores(list: readonly FaithfulnessScores[]): FaithfulnessScores {
  const out: Record<string, number> = {};
  for (const key of SCORE_KEYS) {
    let s = 0;
    let c = 0;
    for (const x of list) {
      if (Number.isFinite(x[key])) {
        s += x[key];
        c++;
      }
    }
    out[key] = c === 0 ? NaN : s / c;
  }
  return out as unknown as FaithfulnessScores;
}

/**
 * Runs the AttributionLab faithfulness test: evaluates `method` on designed samples against the
 * exact ground truth and returns per-sample and mean scores with a pass/fail verdict.
 *
 * The samples come from `env.generate(samples, { seed })`; each batch of `batchSize` images is
 * explained for its labels (`target` = the class, or the regression output) by
 * `method.attribute(env.network, images, { target, seed, ...methodOptions })`. A method's map
 * `[b, H, W, C]` is summed over channels to one signed score per pixel and scored with
 * {@link scoreAttributionMap}. The verdict requires, on the means, precision ≥
 * `thresholds.precision` and recall ≥ `thresholds.recall` for positive features (relevant ones in
 * the unsigned scenario) and, in the signed scenario, for negative features and sign agreement ≥
 * `thresholds.signAgreement`; non-finite attribution values (counted as 0) fail the test.
 * Every tensor the test or the method creates is disposed, on success and on error.
 * @param method - any {@link AttributionMethod}
 * @param env - the environment (its network is the explained model)
 * @param options - see {@link FaithfulnessTestOptions}
 * @returns the scores and verdict (plain data, no tensors)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option or environment; {@link "@lab/tensor"!ShapeError | ShapeError} when the
 *   method returns maps of another shape; whatever the method throws (e.g. `NotAvailableError`).
 * @see arXiv 2310.06514 (AttributionLab), Figure 2
 * @example
 * ```ts
 * const env = new AttributionLab({ imageSize: 16 });
 * const r = await runFaithfulnessTest(new IntegratedGradients(), env, { samples: 8 });
 * console.log(r.mean.positivePrecision, r.passed);
 * env.dispose();
 * ```
 * @category AttributionLab
 */
export async function runFaithfulnessTest(
  method: AttributionMethod<AttributionOptions>,
  env: AttributionLab,
  options: FaithfulnessTestOptions = {},
): Promise<FaithfulnessTestResult> {
  const fn = 'runFaithfulnessTest';
  checkOptions(fn, options, ['samples', 'batchSize', 'seed', 'scenario', 'methodOptions', 'thresholds', 'keepMaps']);
  if (method === null || typeof method !== 'object' || typeof method.attribute !== 'function' || typeof method.name !== 'string') {
    throw new InvalidValueError(`${fn}: method must be an AttributionMethod (name and attribute()), got ${String(method)}`);
  }
  if (!(env instanceof AttributionLab)) throw new InvalidValueError(`${fn}: env must be an AttributionLab`);
  const d = FAITHFULNESS_TEST_DEFAULTS;
  const samples = positiveInt(fn, 'samples', options.samples ?? d.samples);
  const batchSize = positiveInt(fn, 'batchSize', options.batchSize ?? d.batchSize);
  const seed = options.seed ?? d.seed;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new InvalidValueError(`${fn}: seed must be a finite number, got ${String(seed)}`);
  const scenarioOpt = options.scenario ?? d.scenario;
  if (scenarioOpt !== 'auto' && scenarioOpt !== 'signed' && scenarioOpt !== 'unsigned') {
    throw new InvalidValueError(`${fn}: scenario must be 'auto', 'signed' or 'unsigned', got ${String(scenarioOpt)}`);
  }
  const scenario: FaithfulnessScenario = scenarioOpt === 'auto' ? (method.signed ? 'signed' : 'unsigned') : scenarioOpt;
  const methodOptions = options.methodOptions ?? {};
  if (methodOptions === null || typeof methodOptions !== 'object' || Array.isArray(methodOptions)) {
    throw new InvalidValueError(`${fn}: methodOptions must be an object`);
  }
  if ('target' in methodOptions) throw new InvalidValueError(`${fn}: methodOptions must not contain target (the test explains each label)`);
  checkOptions(`${fn}: thresholds`, options.thresholds, ['precision', 'recall', 'signAgreement']);
  const thresholds: FaithfulnessThresholds = Object.freeze({ ...d.thresholds, ...(options.thresholds ?? {}) });
  for (const [k, v] of Object.entries(thresholds)) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new InvalidValueError(`${fn}: thresholds.${k} must be a number in [0, 1], got ${String(v)}`);
  }
  const keepMaps = options.keepMaps ?? d.keepMaps;
  if (!Number.isInteger(keepMaps) || keepMaps < 0 || keepMaps > samples) {
    throw new InvalidValueError(`${fn}: keepMaps must be an integer in [0, ${samples}], got ${String(keepMaps)}`);
  }

  const { design } = env;
  const { height: H, width: W } = design;
  const HW = H * W;
  const data = env.generate(samples, { seed });
  const targets = design.task === 'classification' ? [...data.labels] : data.labels.map(() => 0);
  const gt = groundTruthValues(design, data.colours, samples, targets, false);
  const tieRng = new Rng(seed);
  const perSample: FaithfulnessScores[] = [];
  const maps: Float32Array[] = [];
  let nonFinite = 0;
  let runtimeMs = 0;
  for (let start = 0; start < samples; start += batchSize) {
    const end = Math.min(samples, start + batchSize);
    const b = end - start;
    const x = tf.tensor4d(data.images.subarray(start * HW * 3, end * HW * 3), [b, H, W, 3]);
    let result: unknown;
    let summed: Float32Array;
    try {
      const callOptions: AttributionOptions & Record<string, unknown> = {
        seed,
        ...methodOptions,
        target: design.task === 'classification' ? data.labels.slice(start, end) : undefined,
      };
      if (callOptions.target === undefined) delete callOptions.target;
      const t0 = performance.now();
      result = await method.attribute(env.network, x, callOptions);
      runtimeMs += performance.now() - t0;
      const attributions = (result as { attributions?: unknown } | null)?.attributions;
      if (!(attributions instanceof tf.Tensor)) throw new ShapeError(`${fn}: method '${method.name}' must return { attributions: tf.Tensor }`);
      const s = attributions.shape;
      if (s.length !== 4 || s[0] !== b || s[1] !== H || s[2] !== W) {
        throw new ShapeError(`${fn}: method '${method.name}' must return attributions of shape [${b}, ${H}, ${W}, C], got [${s}]`);
      }
      const perPixel = tf.tidy(() => tf.sum(tf.cast(attributions, 'float32'), 3));
      try {
        summed = perPixel.dataSync() as Float32Array;
      } finally {
        perPixel.dispose();
      }
    } finally {
      x.dispose();
      disposeResult(result);
    }
    for (let i = 0; i < b; i++) {
      const map = summed.slice(i * HW, (i + 1) * HW);
      for (let p = 0; p < HW; p++) {
        if (!Number.isFinite(map[p])) {
          map[p] = 0;
          nonFinite++;
        }
      }
      const sampleIndex = start + i;
      if (sampleIndex < keepMaps) maps.push(map);
      perSample.push(scoreMap(map, gt.subarray(sampleIndex * HW, (sampleIndex + 1) * HW), scenario, tieRng.fork()));
    }
  }
  const mean = meanScores(perSample);
  const failures: string[] = [];
  const need = (label: string, value: number, min: number, optional: boolean): void => {
    if (Number.isNaN(value)) {
      if (!optional) failures.push(`${label} is undefined (no such features in the samples)`);
    } else if (value < min) {
      failures.push(`${label} ${value.toFixed(3)} < ${min}`);
    }
  };
  const posLabel = scenario === 'signed' ? 'positive' : 'relevant';
  need(`${posLabel} precision`, mean.positivePrecision, thresholds.precision, false);
  need(`${posLabel} recall`, mean.positiveRecall, thresholds.recall, false);
  if (scenario === 'signed') {
    need('negative precision', mean.negativePrecision, thresholds.precision, true);
    need('negative recall', mean.negativeRecall, thresholds.recall, true);
    need('sign agreement', mean.signAgreement, thresholds.signAgreement, false);
  }
  if (nonFinite > 0) failures.push(`${nonFinite} non-finite attribution values (counted as 0)`);
  return {
    method: method.name,
    scenario,
    samples,
    perSample,
    mean,
    passed: failures.length === 0,
    failures,
    thresholds,
    runtimeMs,
    ...(keepMaps > 0 ? { maps } : {}),
  };
}

function positiveInt(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new InvalidValueError(`${fn}: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

/** Disposes every tensor field of a method's result (attributions, delta, extras). */
function disposeResult(result: unknown): void {
  if (result === null || typeof result !== 'object') return;
  for (const v of Object.values(result)) {
    if (v instanceof tf.Tensor && !v.isDisposed) v.dispose();
  }
}
