import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, checkOptions } from '@lab/tensor';
import {
  type AttributionMethod,
  type AttributionModel,
  type AttributionOptions,
  type AttributionResult,
  type Target,
  checkAttributionInput,
  checkBatchSize,
  runModel,
  selectTarget,
} from '../core/types';
import {
  adamDispose,
  adamInit,
  adamStep,
  applySeparable,
  applySeparableNhwc,
  checkNumber,
  checkPositiveInt,
  checkSeed,
  checkTarget,
  gaussianMatrix,
  linearResampleMatrix,
} from '../core/perturbation';

/**
 * Settings of {@link ExtremalPerturbation}.
 * @category Optimised masks
 */
export interface ExtremalPerturbationConfig {
  /** Target areas a ∈ (0, 1) (fraction of pixels preserved); the output averages their masks. @defaultValue [0.1] (TorchRay) */
  areas?: readonly number[];
  /** Optimisation steps. @defaultValue 800 (TorchRay `max_iter`) */
  iterations?: number;
  /** Adam learning rate on the mask parameters (which live in [0, 1]). @defaultValue 0.01 (TorchRay's step size) */
  learningRate?: number;
  /** Input pixels per mask parameter along each axis: the mask is `⌈H/step⌉ × ⌈W/step⌉`, upsampled bilinearly. @defaultValue 7 (TorchRay `step`) */
  step?: number;
  /** Standard deviation (input pixels) of the Gaussian blur used as the perturbation. @defaultValue 21 (TorchRay `sigma`, for 224-pixel inputs) */
  blurSigma?: number;
  /** Initial weight λ of the area loss. @defaultValue 300 (TorchRay `regul_weight`) */
  areaWeight?: number;
  /** Factor applied to λ after every step. @defaultValue 1.0035 (TorchRay) */
  areaWeightGrowth?: number;
}

/**
 * Per-call options of {@link ExtremalPerturbation}. `batchSize` counts (sample, area) pairs optimised
 * together; `seed` is accepted and unused (the method makes no random choice).
 * @category Optimised masks
 */
export type ExtremalPerturbationOptions = AttributionOptions;

/**
 * Defaults of {@link ExtremalPerturbation}, from facebookresearch/TorchRay
 * `torchray/attribution/extremal_perturbation.py` (areas [0.1], max_iter 800, step 7, sigma 21,
 * regul_weight 300 ×1.0035 per step, step size 0.01), except Adam in place of TorchRay's SGD with
 * momentum; batchSize 32 (package default, results do not depend on it).
 * @category Optimised masks
 */
export const EXTREMAL_PERTURBATION_DEFAULTS = Object.freeze({
  /** Default of {@link ExtremalPerturbationConfig.areas}. */
  areas: Object.freeze([0.1]) as readonly number[],
  /** Default of {@link ExtremalPerturbationConfig.iterations}. */
  iterations: 800,
  /** Default of {@link ExtremalPerturbationConfig.learningRate}. */
  learningRate: 0.01,
  /** Default of {@link ExtremalPerturbationConfig.step}. */
  step: 7,
  /** Default of {@link ExtremalPerturbationConfig.blurSigma}. */
  blurSigma: 21,
  /** Default of {@link ExtremalPerturbationConfig.areaWeight}. */
  areaWeight: 300,
  /** Default of {@link ExtremalPerturbationConfig.areaWeightGrowth}. */
  areaWeightGrowth: 1.0035,
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
});

/**
 * Extremal perturbation ("preservation" variant): the smooth mask of a given area that best keeps the
 * target score when the rest of the image is blurred.
 *
 * A mask m = U(p) ∈ [0, 1]^{H×W} is the bilinear upsampling of parameters p ∈ [0, 1]^{⌈H/step⌉×⌈W/step⌉};
 * the perturbed input is `m ⊙ x + (1 − m) ⊙ blur_σ(x)`. For each area a, p minimises
 * `−f_c(m ⊙ x + (1 − m) ⊙ blur(x)) + λ_t · mean((sort(m) − r_a)²)` with Adam (p clipped to [0, 1]
 * after each step), where r_a is the sorted reference vector with `⌊HW(1 − a)⌋` zeros then ones
 * (the rank-based area constraint) and `λ_t = areaWeight·areaWeightGrowth^t`. Ties in the rank (every
 * pixel ties at the constant start m = ½) are broken by the reward's gradient at the start, so the
 * constraint first keeps the pixels that raise the score most (an index order, as a plain sort gives,
 * would let the area term alone pick the region on small images). The attribution is the
 * final mask (averaged over areas), the same for every channel: unsigned, in [0, 1].
 * The method holds the optimisation settings; target and batchSize are per call.
 * @see arXiv:1910.08485 (Fong, Patrick & Vedaldi 2019); facebookresearch/TorchRay.
 * @example
 * ```ts
 * const ep = new ExtremalPerturbation({ areas: [0.05, 0.1], iterations: 300 });
 * const { attributions } = await ep.attribute(model, images, { target: 7 });
 * attributions.dispose();
 * ```
 * @category Optimised masks
 */
export class ExtremalPerturbation implements AttributionMethod<ExtremalPerturbationOptions> {
  readonly name = 'extremal-perturbation';
  readonly signed = false;
  /** Target areas. */
  readonly areas: readonly number[];
  /** Optimisation steps. */
  readonly iterations: number;
  /** Adam learning rate. */
  readonly learningRate: number;
  /** Pixels per mask parameter. */
  readonly step: number;
  /** Blur standard deviation (pixels). */
  readonly blurSigma: number;
  /** Initial area weight. */
  readonly areaWeight: number;
  /** Area weight growth per step. */
  readonly areaWeightGrowth: number;

  /**
   * @param config - see {@link ExtremalPerturbationConfig}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for unknown keys or out-of-range settings.
   */
  constructor(config: ExtremalPerturbationConfig = {}) {
    const fn = 'ExtremalPerturbation';
    checkOptions(fn, config, ['areas', 'iterations', 'learningRate', 'step', 'blurSigma', 'areaWeight', 'areaWeightGrowth']);
    const d = EXTREMAL_PERTURBATION_DEFAULTS;
    const areas = config.areas ?? d.areas;
    if (!Array.isArray(areas) || areas.length === 0) throw new InvalidValueError(`${fn}: areas must be a non-empty array, got ${String(areas)}`);
    for (const a of areas) checkNumber(fn, 'areas', a, 0, 1, true);
    if (areas.some((a) => a >= 1)) throw new InvalidValueError(`${fn}: areas must lie in (0, 1), got [${areas}]`);
    this.areas = Object.freeze([...areas]);
    this.iterations = checkPositiveInt(fn, 'iterations', config.iterations ?? d.iterations);
    this.learningRate = checkNumber(fn, 'learningRate', config.learningRate ?? d.learningRate, 0, Infinity, true);
    this.step = checkPositiveInt(fn, 'step', config.step ?? d.step);
    this.blurSigma = checkNumber(fn, 'blurSigma', config.blurSigma ?? d.blurSigma, 0, Infinity);
    this.areaWeight = checkNumber(fn, 'areaWeight', config.areaWeight ?? d.areaWeight, 0, Infinity);
    this.areaWeightGrowth = checkNumber(fn, 'areaWeightGrowth', config.areaWeightGrowth ?? d.areaWeightGrowth, 0, Infinity, true);
  }

  /**
   * Optimises one mask per (image, area) and returns the masks averaged over areas.
   * @param model - the model to explain (differentiable with respect to its input)
   * @param input - images `[N, H, W, C]` (NHWC)
   * @param options - target, batchSize (seed accepted, unused)
   * @returns attributions `[N, H, W, C]` in [0, 1] (caller disposes)
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a non-rank-4 input; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: ExtremalPerturbationOptions = {}): Promise<AttributionResult> {
    const fn = 'ExtremalPerturbation.attribute';
    checkOptions(fn, options, ['target', 'batchSize', 'seed']);
    checkAttributionInput(fn, input);
    if (input.rank !== 4) throw new ShapeError(`${fn}: input must be NHWC images [N, H, W, C], got [${input.shape}]`);
    const batchSize = checkBatchSize(fn, options.batchSize, EXTREMAL_PERTURBATION_DEFAULTS.batchSize);
    checkSeed(fn, options.seed);
    const [n, h, w, c] = input.shape;
    checkTarget(fn, options.target, n);
    const na = this.areas.length;
    const ph = Math.ceil(h / this.step);
    const pw = Math.ceil(w / this.step);
    const hw = h * w;
    const zeros = this.areas.map((a) => Math.floor(hw * (1 - a)));
    const consts = tf.tidy(() => ({
      uy: tf.tensor2d(linearResampleMatrix(h, ph), [h, ph]),
      ux: tf.tensor2d(linearResampleMatrix(w, pw), [w, pw]),
      gy: tf.tensor2d(gaussianMatrix(h, this.blurSigma), [h, h]),
      gx: tf.tensor2d(gaussianMatrix(w, this.blurSigma), [w, w]),
    }));
    const masks = new Float32Array(n * na * hw);
    try {
      const rows = n * na;
      for (let start = 0; start < rows; start += batchSize) {
        const end = Math.min(rows, start + batchSize);
        const r = end - start;
        const sampleOf = Array.from({ length: r }, (_, k) => Math.floor((start + k) / na));
        const areaOf = Array.from({ length: r }, (_, k) => (start + k) % na);
        const target = rowTargets(options.target, sampleOf);
        const [xr, blurred] = tf.tidy(() => {
          const x = tf.gather(input, tf.tensor1d(sampleOf, 'int32'));
          return [x, applySeparableNhwc(x, consts.gy, consts.gx)];
        });
        let state = adamInit(tf.fill([r, ph, pw], 0.5));
        try {
          // Rank ties (every pixel at the constant start) are broken by the reward's gradient at the start.
          const tieBreak = await rewardGradient(model, xr, blurred, tf.fill([r, h, w], 0.5), target, fn);
          let lambda = this.areaWeight;
          for (let t = 0; t < this.iterations; t++) {
            const lam = lambda;
            const grad = tf.tidy(() => {
              const loss = (p: tf.Tensor): tf.Scalar => {
                const m = applySeparable(p, consts.uy, consts.ux);
                const ref = tf.tensor2d(rankReference(m.dataSync(), tieBreak, r, hw, areaOf.map((a) => zeros[a])), [r, hw]);
                const m4 = tf.reshape(m, [r, h, w, 1]);
                const pert = tf.add(tf.mul(xr, m4), tf.mul(blurred, tf.sub(1, m4)));
                const score = selectTarget(runModel(model, pert), target, fn);
                const area = tf.mean(tf.square(tf.sub(tf.reshape(m, [r, hw]), ref)), 1);
                return tf.sum(tf.sub(tf.mul(area, lam), score)) as tf.Scalar;
              };
              return tf.grad(loss)(state.param);
            });
            try {
              state = adamStep(state, grad, this.learningRate, [0, 1]);
            } finally {
              grad.dispose();
            }
            lambda *= this.areaWeightGrowth;
          }
          const final = tf.tidy(() => applySeparable(state.param, consts.uy, consts.ux));
          try {
            masks.set(await final.data(), start * hw);
          } finally {
            final.dispose();
          }
        } finally {
          adamDispose(state);
          xr.dispose();
          blurred.dispose();
        }
      }
    } finally {
      for (const t of Object.values(consts)) t.dispose();
    }
    const out = new Float32Array(n * hw * c);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < hw; p++) {
        let s = 0;
        for (let a = 0; a < na; a++) s += masks[(i * na + a) * hw + p];
        for (let ch = 0; ch < c; ch++) out[(i * hw + p) * c + ch] = s / na;
      }
    }
    return { attributions: tf.tensor(out, input.shape, 'float32') };
  }
}

/** Per-row targets for rows built from samples `sampleOf`. */
function rowTargets(target: Target | undefined, sampleOf: number[]): Target | undefined {
  if (target === undefined || typeof target === 'number' || typeof target === 'function') return target;
  const all = Array.from(target);
  return sampleOf.map((i) => all[i]);
}

/**
 * The reference values placed back at each element's rank: the element with ascending rank k gets 0
 * when k < zeros and 1 otherwise, so `Σ(m − ref)² = Σ(sort(m) − r_a)²`. Ties in m are ordered by
 * `tieBreak` (ascending), then by index.
 */
function rankReference(m: ArrayLike<number>, tieBreak: ArrayLike<number>, rows: number, size: number, zeros: number[]): Float32Array {
  const ref = new Float32Array(rows * size);
  const idx = new Int32Array(size);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < size; k++) idx[k] = k;
    const off = r * size;
    const order = Array.from(idx).sort((a, b) => m[off + a] - m[off + b] || tieBreak[off + a] - tieBreak[off + b] || a - b);
    for (let k = zeros[r]; k < size; k++) ref[off + order[k]] = 1;
  }
  return ref;
}

/** ∂f_c(m ⊙ x + (1 − m) ⊙ blur(x))/∂m at the mask `m0` `[R, H, W]` (disposed here), per row and pixel. */
async function rewardGradient(
  model: AttributionModel,
  xr: tf.Tensor,
  blurred: tf.Tensor,
  m0: tf.Tensor,
  target: Target | undefined,
  fn: string,
): Promise<Float32Array> {
  const [r, h, w] = m0.shape;
  let g: tf.Tensor;
  try {
    g = tf.tidy(() =>
      tf.grad((m: tf.Tensor) => {
        const m4 = tf.reshape(m, [r, h, w, 1]);
        const pert = tf.add(tf.mul(xr, m4), tf.mul(blurred, tf.sub(1, m4)));
        return tf.sum(selectTarget(runModel(model, pert), target, fn)) as tf.Scalar;
      })(m0),
    );
  } finally {
    m0.dispose();
  }
  try {
    return (await g.data()) as Float32Array;
  } finally {
    g.dispose();
  }
}
