import * as tf from '@tensorflow/tfjs-core';
import { Rng, ShapeError, checkOptions } from '@lab/tensor';
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
import { checkNumber, checkPositiveInt, checkSeed, checkTarget, evaluateBlends, linearResampleMatrix } from '../core/perturbation';

/**
 * Settings of {@link Rise}.
 * @category Perturbation
 */
export interface RiseConfig {
  /** Number N of random masks. @defaultValue 6000 (eclique/RISE `generate_masks(N=6000, s=8, p1=0.1)`) */
  masks?: number;
  /** Cells s of the low-resolution grid along each image axis. @defaultValue 8 (eclique/RISE) */
  cells?: number;
  /** Probability p that a grid cell is kept. @defaultValue 0.1 (eclique/RISE `p1`) */
  p?: number;
}

/**
 * Per-call options of {@link Rise}.
 * @category Perturbation
 */
export interface RiseOptions extends AttributionOptions {
  /** What masked-out pixels become, see {@link Baseline}. @defaultValue 0 (RISE multiplies by the mask) */
  baselines?: Baseline;
}

/**
 * Defaults of {@link Rise}: masks 6000, cells 8, p 0.1 (eclique/RISE reference notebook); batchSize
 * 32 (package default, results do not depend on it); seed 0.
 * @category Perturbation
 */
export const RISE_DEFAULTS = Object.freeze({
  /** Default of {@link RiseConfig.masks}. */
  masks: 6000,
  /** Default of {@link RiseConfig.cells}. */
  cells: 8,
  /** Default of {@link RiseConfig.p}. */
  p: 0.1,
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link AttributionOptions.seed}. */
  seed: 0,
});

/**
 * RISE: the expected target score under random smooth masks, per pixel, weighted by the mask.
 *
 * Each mask: an `s × s` binary grid with cells kept with probability p is upsampled bilinearly to
 * `(s + 1)·⌈H/s⌉ × (s + 1)·⌈W/s⌉` and cropped at a random shift in `[0, ⌈H/s⌉) × [0, ⌈W/s⌉)` to H × W
 * (as the reference implementation). With masks `M_1..M_N`,
 * `S(y, x) = (1/(N·p)) Σ_k f(b + M_k ⊙ (x − b)) · M_k(y, x)` (b = 0 gives RISE's `x ⊙ M`), the same
 * for every channel. Masks are drawn once per call from `Rng(seed)` and shared by all samples;
 * evaluations run `batchSize` at a time. Unsigned importance (non-negative for non-negative scores).
 * The method holds masks, cells and p; target, baselines, batchSize and seed are per call.
 * @see arXiv:1806.07421 (Petsiuk et al., RISE); eclique/RISE.
 * @example
 * ```ts
 * const rise = new Rise({ masks: 2000, cells: 7, p: 0.5 });
 * const { attributions } = await rise.attribute(model, images, { target: 0, seed: 1 });
 * attributions.dispose();
 * ```
 * @category Perturbation
 */
export class Rise implements AttributionMethod<RiseOptions> {
  readonly name = 'rise';
  readonly signed = false;
  /** Number of masks. */
  readonly masks: number;
  /** Grid cells per axis. */
  readonly cells: number;
  /** Keep probability. */
  readonly p: number;

  /**
   * @param config - see {@link RiseConfig}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for unknown keys or out-of-range settings.
   */
  constructor(config: RiseConfig = {}) {
    const fn = 'Rise';
    checkOptions(fn, config, ['masks', 'cells', 'p']);
    this.masks = checkPositiveInt(fn, 'masks', config.masks ?? RISE_DEFAULTS.masks);
    this.cells = checkPositiveInt(fn, 'cells', config.cells ?? RISE_DEFAULTS.cells);
    this.p = checkNumber(fn, 'p', config.p ?? RISE_DEFAULTS.p, 0, 1, true);
  }

  /**
   * Computes the RISE saliency of every image.
   * @param model - the model to explain
   * @param input - images `[N, H, W, C]` (NHWC)
   * @param options - target, baselines, batchSize, seed
   * @returns attributions `[N, H, W, C]` (equal over channels; caller disposes)
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a non-rank-4 input or `cells` larger than the image; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: RiseOptions = {}): Promise<AttributionResult> {
    const fn = 'Rise.attribute';
    checkOptions(fn, options, ['target', 'baselines', 'batchSize', 'seed']);
    checkAttributionInput(fn, input);
    if (input.rank !== 4) throw new ShapeError(`${fn}: input must be NHWC images [N, H, W, C], got [${input.shape}]`);
    const batchSize = checkBatchSize(fn, options.batchSize, RISE_DEFAULTS.batchSize);
    const rng = new Rng(checkSeed(fn, options.seed ?? RISE_DEFAULTS.seed));
    const [n, h, w, c] = input.shape;
    checkTarget(fn, options.target, n);
    const s = this.cells;
    if (s > h || s > w) throw new ShapeError(`${fn}: cells (${s}) must not exceed the image size [${h}, ${w}]`);
    const cellH = Math.ceil(h / s);
    const cellW = Math.ceil(w / s);
    const ry = linearResampleMatrix((s + 1) * cellH, s);
    const rx = linearResampleMatrix((s + 1) * cellW, s);
    const grids = new Uint8Array(this.masks * s * s);
    const shifts = new Int32Array(this.masks * 2);
    for (let k = 0; k < this.masks; k++) {
      for (let j = 0; j < s * s; j++) grids[k * s * s + j] = rng.next() < this.p ? 1 : 0;
      shifts[2 * k] = rng.int(0, cellH);
      shifts[2 * k + 1] = rng.int(0, cellW);
    }
    const tmp = new Float32Array(s * w);
    const mask = new Float32Array(h * w);
    const makeMask = (k: number): Float32Array => {
      const sy = shifts[2 * k];
      const sx = shifts[2 * k + 1];
      const g = grids.subarray(k * s * s, (k + 1) * s * s);
      tmp.fill(0);
      for (let a = 0; a < s; a++) {
        for (let b = 0; b < s; b++) {
          if (!g[a * s + b]) continue;
          for (let x = 0; x < w; x++) tmp[a * w + x] += rx[(sx + x) * s + b];
        }
      }
      mask.fill(0);
      for (let y = 0; y < h; y++) {
        for (let a = 0; a < s; a++) {
          const v = ry[(sy + y) * s + a];
          if (v === 0) continue;
          for (let x = 0; x < w; x++) mask[y * w + x] += v * tmp[a * w + x];
        }
      }
      return mask;
    };
    const baseline = resolveBaseline(options.baselines, input, fn);
    const out = new Float32Array(n * h * w * c);
    try {
      for (let i = 0; i < n; i++) {
        const xi = tf.slice(input, i, 1);
        const bi = tf.slice(baseline, i, 1);
        let scores: Float32Array;
        try {
          scores = await evaluateBlends(model, xi, bi, this.masks, batchSize, options.target, i, (k, keep) => {
            const m = makeMask(k);
            for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) keep[p * c + ch] = m[p];
          }, fn);
        } finally {
          xi.dispose();
          bi.dispose();
        }
        const sal = new Float64Array(h * w);
        for (let k = 0; k < this.masks; k++) {
          const m = makeMask(k);
          const sk = scores[k];
          for (let p = 0; p < h * w; p++) sal[p] += sk * m[p];
        }
        const norm = 1 / (this.masks * this.p);
        const off = i * h * w * c;
        for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) out[off + p * c + ch] = sal[p] * norm;
      }
    } finally {
      baseline.dispose();
    }
    return { attributions: tf.tensor(out, input.shape, 'float32') };
  }
}
