import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Rng, ShapeError, checkOptions } from '@lab/tensor';
import {
  type AttributionMethod,
  type AttributionModel,
  type AttributionOptions,
  type AttributionResult,
  type Baseline,
  checkAttributionInput,
  checkBatchSize,
  resolveBaseline,
} from '../core/types';
import {
  type FeatureGroups,
  checkNumber,
  checkPositiveInt,
  checkSeed,
  checkTarget,
  evaluateCoalitions,
  resolveFeatureMask,
  sampleSize,
} from '../core/perturbation';
import { weightedRidge } from '../core/linear-model';
import { type AttributionWorkers, checkWorkers } from '../parallel/attribution-workers';
import { gridSegments } from '../segmentation/grid';
import { type SlicOptions, slic } from '../segmentation/slic';

/**
 * How {@link Lime} groups features into interpretable components when no `featureMask` is passed:
 * `'features'` every input element alone; `'grid'` a regular grid of `gridCells` over an NHWC image
 * (all channels of a pixel together); `'slic'` SLIC superpixels of each image ({@link slic});
 * `'auto'` is `'slic'` for rank-4 (NHWC) inputs and `'features'` otherwise.
 * @category Perturbation
 */
export type LimeSegmentation = 'auto' | 'features' | 'grid' | 'slic';

/**
 * Settings of {@link Lime}.
 * @category Perturbation
 */
export interface LimeConfig {
  /** Perturbed samples (model evaluations) per input. @defaultValue 50 (Captum `Lime.attribute`, `n_samples=50`) */
  samples?: number;
  /**
   * Width w of the similarity kernel `exp(−d²/(2w²))` on the cosine distance d between the input and
   * the perturbed input (in input space).
   * @defaultValue 1.0 (Captum `get_exp_kernel_similarity_function('cosine', kernel_width=1.0)`)
   */
  kernelWidth?: number;
  /** Interpretable components, see {@link LimeSegmentation}. A per-call `featureMask` overrides it. @defaultValue 'auto' */
  segmentation?: LimeSegmentation;
  /** Grid cells `[cellsY, cellsX]` for `segmentation: 'grid'`. @defaultValue [4, 4] (package choice) */
  gridCells?: readonly [number, number];
  /** Options of {@link slic} for `segmentation: 'slic'` (colorSpace falls back to 'rgb' for C ≠ 3). @defaultValue SLIC_DEFAULTS */
  slic?: SlicOptions;
  /**
   * Number of components kept in the explanation (lime's `num_features`, "highest weights"): the
   * surrogate is refitted on the K components with the largest |coefficient| and the rest get 0.
   * Must not exceed the number of segments (lime#386). `undefined` keeps all.
   */
  features?: number;
  /**
   * Ridge strength α of the weighted linear surrogate (penalty α‖β‖², intercept unpenalised).
   * @defaultValue 0.01 (same strength as Captum's default `SkLearnLasso(alpha=0.01)`; this package fits ridge, not Lasso)
   */
  alpha?: number;
}

/**
 * Per-call options of {@link Lime}.
 * @category Perturbation
 */
export interface LimeOptions extends AttributionOptions {
  /** Values of "absent" components, see {@link Baseline}. @defaultValue 0 */
  baselines?: Baseline;
  /**
   * Integer tensor of components (overrides `segmentation`): input rank broadcastable to the input,
   * or one sample's rank broadcastable to one sample.
   */
  featureMask?: tf.Tensor;
  /**
   * Evaluate the perturbed batches on these workers, which hold a copy of `model`
   * ({@link createAttributionWorkers}); sampling, scores and the surrogate fit stay here, so the
   * result is bit-identical to the single-thread path. `target` must not be a function.
   * @defaultValue undefined (this thread)
   */
  workers?: AttributionWorkers;
}

/**
 * Defaults of {@link Lime}: samples 50, kernelWidth 1.0 (Captum); alpha 0.01 (Captum's Lasso
 * strength, used here for ridge); segmentation 'auto' and gridCells [4, 4] (package choices);
 * batchSize 32 (package default, results do not depend on it); seed 0.
 * @category Perturbation
 */
export const LIME_DEFAULTS = Object.freeze({
  /** Default of {@link LimeConfig.samples}. */
  samples: 50,
  /** Default of {@link LimeConfig.kernelWidth}. */
  kernelWidth: 1.0,
  /** Default of {@link LimeConfig.segmentation}. */
  segmentation: 'auto' as LimeSegmentation,
  /** Default of {@link LimeConfig.gridCells}. */
  gridCells: Object.freeze([4, 4]) as readonly [number, number],
  /** Default of {@link LimeConfig.alpha}. */
  alpha: 0.01,
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link AttributionOptions.seed}. */
  seed: 0,
});

/**
 * LIME: the coefficients of a weighted linear surrogate fitted to the model around the input.
 *
 * The input is split into M components (segments). Each of `samples` binary vectors z ~ Bernoulli(½)^M
 * gives the perturbed input `x_z = b + z_{seg(i)}·(x − b)`, its score `f(x_z)` and its weight
 * `π(z) = exp(−d(x, x_z)²/(2w²))`, d = cosine distance. The surrogate
 * `g(z) = c + Σ_j β_j z_j` minimises `Σ π(z)(f(x_z) − g(z))² + α‖β‖²`, and every element of component j
 * receives β_j. Samples are drawn from `Rng(seed)`; evaluations run `batchSize` at a time.
 * The method holds sampling, kernel, segmentation and surrogate settings; target, baselines,
 * featureMask, batchSize and seed are per call.
 * @see arXiv:1602.04938 (Ribeiro et al., LIME); Captum `Lime`; marcotcr/lime.
 * @example
 * ```ts
 * const lime = new Lime({ samples: 200, segmentation: 'slic', slic: { segments: 30 } });
 * const { attributions } = await lime.attribute(model, images, { target: 5, seed: 1 });
 * attributions.dispose();
 * ```
 * @category Perturbation
 */
export class Lime implements AttributionMethod<LimeOptions> {
  readonly name = 'lime';
  readonly signed = true;
  /** Samples per input. */
  readonly samples: number;
  /** Kernel width. */
  readonly kernelWidth: number;
  /** Component definition. */
  readonly segmentation: LimeSegmentation;
  /** Grid cells for 'grid'. */
  readonly gridCells: readonly [number, number];
  /** SLIC options for 'slic'. */
  readonly slic: Readonly<SlicOptions>;
  /** Components kept (undefined = all). */
  readonly features: number | undefined;
  /** Ridge strength. */
  readonly alpha: number;

  /**
   * @param config - see {@link LimeConfig}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for unknown keys or out-of-range settings.
   */
  constructor(config: LimeConfig = {}) {
    const fn = 'Lime';
    checkOptions(fn, config, ['samples', 'kernelWidth', 'segmentation', 'gridCells', 'slic', 'features', 'alpha']);
    this.samples = checkPositiveInt(fn, 'samples', config.samples ?? LIME_DEFAULTS.samples);
    this.kernelWidth = checkNumber(fn, 'kernelWidth', config.kernelWidth ?? LIME_DEFAULTS.kernelWidth, 0, Infinity, true);
    const seg = config.segmentation ?? LIME_DEFAULTS.segmentation;
    if (!['auto', 'features', 'grid', 'slic'].includes(seg)) {
      throw new InvalidValueError(`${fn}: segmentation must be 'auto', 'features', 'grid' or 'slic', got ${String(seg)}`);
    }
    this.segmentation = seg;
    const cells = config.gridCells ?? LIME_DEFAULTS.gridCells;
    if (!Array.isArray(cells) || cells.length !== 2 || !cells.every((v) => Number.isInteger(v) && v >= 1)) {
      throw new InvalidValueError(`${fn}: gridCells must be [cellsY, cellsX] positive integers, got ${String(cells)}`);
    }
    this.gridCells = [cells[0], cells[1]];
    this.slic = Object.freeze({ ...(config.slic ?? {}) });
    this.features = config.features === undefined ? undefined : checkPositiveInt(fn, 'features', config.features);
    this.alpha = checkNumber(fn, 'alpha', config.alpha ?? LIME_DEFAULTS.alpha, 0, Infinity);
  }

  /**
   * Fits one local surrogate per sample and returns its coefficients spread over the components.
   * @param model - the model to explain
   * @param input - a batch `[N, …]` (NHWC `[N, H, W, C]` for 'grid' and 'slic')
   * @param options - target, baselines, featureMask, batchSize, seed
   * @returns attributions `[N, …]` (caller disposes)
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when a sample has fewer components than `features` (lime#386)
   *   or for bad options; {@link "@lab/tensor"!ShapeError | ShapeError} for 'grid'/'slic' on a non-NHWC input.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: LimeOptions = {}): Promise<AttributionResult> {
    const fn = 'Lime.attribute';
    checkOptions(fn, options, ['target', 'baselines', 'featureMask', 'batchSize', 'seed', 'workers']);
    checkAttributionInput(fn, input);
    const batchSize = checkBatchSize(fn, options.batchSize, LIME_DEFAULTS.batchSize);
    const rng = new Rng(checkSeed(fn, options.seed ?? LIME_DEFAULTS.seed));
    const n = input.shape[0];
    checkTarget(fn, options.target, n);
    const workers = checkWorkers(fn, options.workers, options.target);
    const groups = this.components(fn, input, options.featureMask);
    if (this.features !== undefined) {
      for (let i = 0; i < n; i++) {
        if (groups[i].count < this.features) {
          throw new InvalidValueError(
            `${fn}: the segmentation of sample ${i} has ${groups[i].count} segments, fewer than features=${this.features} (the explanation would be degenerate, lime#386); lower features or use a finer segmentation`,
          );
        }
      }
    }
    const d = sampleSize(input.shape);
    const baseline = resolveBaseline(options.baselines, input, fn);
    const out = new Float32Array(n * d);
    try {
      const xs = await input.data();
      const bs = await baseline.data();
      for (let i = 0; i < n; i++) {
        const g = groups[i];
        const m = g.count;
        const s = this.samples;
        const z = new Uint8Array(s * m);
        for (let k = 0; k < s * m; k++) z[k] = rng.next() < 0.5 ? 1 : 0;
        const xi = tf.slice(input, i, 1);
        const bi = tf.slice(baseline, i, 1);
        let scores: Float32Array;
        try {
          scores = await evaluateCoalitions(model, xi, bi, g, z, batchSize, options.target, i, fn, workers);
        } finally {
          xi.dispose();
          bi.dispose();
        }
        const weights = this.similarities(xs.subarray(i * d, (i + 1) * d), bs.subarray(i * d, (i + 1) * d), g, z, s);
        const coef = fitSurrogate(z, s, m, scores, weights, this.alpha, this.features);
        for (let e = 0; e < d; e++) out[i * d + e] = coef[g.labels[e]];
      }
    } finally {
      baseline.dispose();
    }
    return { attributions: tf.tensor(out, input.shape, 'float32') };
  }

  /** Components of every sample. */
  private components(fn: string, input: tf.Tensor, mask: tf.Tensor | undefined): FeatureGroups[] {
    if (mask !== undefined) return resolveFeatureMask(fn, mask, input.shape);
    const seg = this.segmentation === 'auto' ? (input.rank === 4 ? 'slic' : 'features') : this.segmentation;
    if (seg === 'features') return resolveFeatureMask(fn, undefined, input.shape);
    if (input.rank !== 4) throw new ShapeError(`${fn}: segmentation '${seg}' needs an NHWC input [N, H, W, C], got [${input.shape}]`);
    const [n, h, w, c] = input.shape;
    const expand = (pixel: Int32Array, count: number): FeatureGroups => {
      const labels = new Int32Array(h * w * c);
      for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) labels[p * c + ch] = pixel[p];
      return { labels, count };
    };
    if (seg === 'grid') {
      const [cy, cx] = this.gridCells;
      if (cy > h || cx > w) throw new ShapeError(`${fn}: gridCells [${cy}, ${cx}] must not exceed the image size [${h}, ${w}]`);
      const gs = gridSegments(h, w, cy, cx);
      return new Array<FeatureGroups>(n).fill(expand(gs.labels, gs.count));
    }
    const slicOptions: SlicOptions = { ...this.slic };
    if (slicOptions.colorSpace === undefined && c !== 3) slicOptions.colorSpace = 'rgb';
    const out: FeatureGroups[] = [];
    for (let i = 0; i < n; i++) {
      const img = tf.tidy(() => tf.reshape(tf.slice(input, i, 1), [h, w, c]));
      try {
        const sg = slic(img, slicOptions);
        out.push(expand(sg.labels, sg.count));
      } finally {
        img.dispose();
      }
    }
    return out;
  }

  /** exp(−d²/(2w²)) with d the cosine distance between x and each perturbed input. */
  private similarities(x: ArrayLike<number>, b: ArrayLike<number>, g: FeatureGroups, z: Uint8Array, s: number): Float64Array {
    const m = g.count;
    let xx = 0;
    let xb = 0;
    let bb = 0;
    const dotGain = new Float64Array(m); // Σ_{d∈g} x_d(x_d − b_d)
    const normGain = new Float64Array(m); // Σ_{d∈g} 2b_d(x_d − b_d) + (x_d − b_d)²
    for (let e = 0; e < x.length; e++) {
      const diff = x[e] - b[e];
      xx += x[e] * x[e];
      xb += x[e] * b[e];
      bb += b[e] * b[e];
      dotGain[g.labels[e]] += x[e] * diff;
      normGain[g.labels[e]] += 2 * b[e] * diff + diff * diff;
    }
    const out = new Float64Array(s);
    const w2 = 2 * this.kernelWidth * this.kernelWidth;
    for (let k = 0; k < s; k++) {
      let dot = xb;
      let pp = bb;
      for (let j = 0; j < m; j++) {
        if (z[k * m + j]) {
          dot += dotGain[j];
          pp += normGain[j];
        }
      }
      // torch.cosine_similarity: x·p / max(‖x‖‖p‖, 1e-8)
      const cos = dot / Math.max(Math.sqrt(xx) * Math.sqrt(Math.max(pp, 0)), 1e-8);
      const dist = 1 - cos;
      out[k] = Math.exp(-(dist * dist) / w2);
    }
    return out;
  }
}

/** Weighted ridge surrogate; with `features`, refits on the K largest |coefficients| and zeroes the rest. */
function fitSurrogate(
  z: Uint8Array,
  s: number,
  m: number,
  y: ArrayLike<number>,
  w: ArrayLike<number>,
  alpha: number,
  features: number | undefined,
): Float64Array {
  const fit = weightedRidge(z, s, m, y, w, { alpha, intercept: true });
  if (features === undefined || features >= m) return fit.coefficients;
  const order = Array.from({ length: m }, (_, j) => j).sort(
    (a, b) => Math.abs(fit.coefficients[b]) - Math.abs(fit.coefficients[a]) || a - b,
  );
  const keep = order.slice(0, features).sort((a, b) => a - b);
  const zk = new Float64Array(s * keep.length);
  for (let r = 0; r < s; r++) keep.forEach((j, c) => (zk[r * keep.length + c] = z[r * m + j]));
  const refit = weightedRidge(zk, s, keep.length, y, w, { alpha, intercept: true });
  const out = new Float64Array(m);
  keep.forEach((j, c) => (out[j] = refit.coefficients[c]));
  return out;
}
