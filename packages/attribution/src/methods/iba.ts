import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, Rng, ShapeError, UnknownNameError, checkOptions } from '@lab/tensor';
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
  applySeparableNhwc,
  checkNumber,
  checkPositiveInt,
  checkSeed,
  checkTarget,
  gaussianMatrix,
  linearResampleMatrix,
  matMulJs,
} from '../core/perturbation';

/**
 * Settings of {@link Iba}.
 * @category Optimised masks
 */
export interface IbaConfig {
  /** Dotted name of the sub-module whose output `[N, h, w, c]` gets the bottleneck (see `Module.namedModules`). Required. */
  layer: string;
  /** Weight β of the information loss. @defaultValue 10 (BioroboticsLab/IBA `beta`) */
  beta?: number;
  /** Optimisation steps per sample. @defaultValue 10 (IBA `optimization_steps`) */
  iterations?: number;
  /** Adam learning rate on α. @defaultValue 1 (IBA `lr`) */
  learningRate?: number;
  /** Noise draws per sample and step (IBA replicates the input this many times). @defaultValue 10 (IBA `batch_size`) */
  noiseSamples?: number;
  /** Initial α (λ = sigmoid(α) ≈ 0.993 keeps nearly all information). @defaultValue 5 (IBA `initial_alpha`) */
  initAlpha?: number;
  /** Standard deviation (feature-map pixels) of the Gaussian smoothing of λ; 0 = none. @defaultValue 1 (IBA `sigma`) */
  sigma?: number;
  /** Lower bound of the estimated feature standard deviation. @defaultValue 0.01 (IBA `min_std`) */
  minStd?: number;
}

/**
 * Per-call options of {@link Iba}.
 * @category Optimised masks
 */
export interface IbaOptions extends AttributionOptions {
  /**
   * Mean and standard deviation of the layer's features (the prior Q(Z) = N(μ, σ²)), broadcastable to
   * one sample of the layer output `[h, w, c]`, e.g. estimated over a dataset as IBA does.
   * @defaultValue per-channel mean and std of the layer output over the input batch and all positions
   */
  stats?: {
    /** Mean μ of the layer's features. */
    mean: tf.Tensor;
    /** Standard deviation σ of the layer's features. */
    std: tf.Tensor;
  };
}

/**
 * Defaults of {@link Iba}, from BioroboticsLab/IBA (`IBA.analyze`): beta 10, 10 steps, lr 1, 10 noise
 * samples, initial α 5, smoothing σ 1, min std 0.01; batchSize 32 model rows (package default, results
 * do not depend on it); seed 0.
 * @category Optimised masks
 */
export const IBA_DEFAULTS = Object.freeze({
  /** Default of {@link IbaConfig.beta}. */
  beta: 10,
  /** Default of {@link IbaConfig.iterations}. */
  iterations: 10,
  /** Default of {@link IbaConfig.learningRate}. */
  learningRate: 1,
  /** Default of {@link IbaConfig.noiseSamples}. */
  noiseSamples: 10,
  /** Default of {@link IbaConfig.initAlpha}. */
  initAlpha: 5,
  /** Default of {@link IbaConfig.sigma}. */
  sigma: 1,
  /** Default of {@link IbaConfig.minStd}. */
  minStd: 0.01,
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
  /** Default of {@link AttributionOptions.seed}. */
  seed: 0,
});

/**
 * Per-sample Information Bottleneck Attribution: how many bits per position of a layer the model
 * needs to keep its prediction.
 *
 * At the layer output R the bottleneck `Z = λ ⊙ R + (1 − λ) ⊙ ε`, ε ~ N(μ, σ²), λ = smooth(sigmoid(α)),
 * replaces R. α is optimised with Adam to minimise `L_CE + β · mean_i KL(P(Z_i|R_i) ‖ N(μ_i, σ_i²))`,
 * where L_CE = −log softmax(f(x))_c for a class-index target on a multi-output model and −f_c
 * otherwise, and `KL_i = −½(1 + log(1−λ_i)² − (λ_i r_i)² − (1−λ_i)²)`, `r = (R − μ)/σ`. The attribution is
 * the capacity `Σ_c KL / ln 2` (bits) per position, upsampled bilinearly to H × W and repeated over the
 * input channels: unsigned. Noise comes from `Rng(seed)` (one stream per sample, so results do not
 * depend on `batchSize`). The method holds the layer name and optimisation settings; target, stats,
 * batchSize and seed are per call. Needs a `Module` model (for the hook).
 * @see arXiv:2001.00396 (Schulz, Sixt, Tombari & Landgraf, ICLR 2020); BioroboticsLab/IBA.
 * @example
 * ```ts
 * const iba = new Iba({ layer: 'features.3', beta: 10 });
 * const { attributions } = await iba.attribute(net, images, { target: 1 });
 * attributions.dispose();
 * ```
 * @category Optimised masks
 */
export class Iba implements AttributionMethod<IbaOptions> {
  readonly name = 'iba';
  readonly signed = false;
  /** Bottleneck layer. */
  readonly layer: string;
  /** Information loss weight. */
  readonly beta: number;
  /** Steps. */
  readonly iterations: number;
  /** Adam learning rate. */
  readonly learningRate: number;
  /** Noise draws per step. */
  readonly noiseSamples: number;
  /** Initial α. */
  readonly initAlpha: number;
  /** Smoothing σ. */
  readonly sigma: number;
  /** Minimum std. */
  readonly minStd: number;

  /**
   * @param config - see {@link IbaConfig}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for unknown keys, a missing layer or out-of-range settings.
   */
  constructor(config: IbaConfig) {
    const fn = 'Iba';
    checkOptions(fn, config, ['layer', 'beta', 'iterations', 'learningRate', 'noiseSamples', 'initAlpha', 'sigma', 'minStd']);
    if (config === undefined || typeof config.layer !== 'string' || config.layer === '') {
      throw new InvalidValueError(`${fn}: layer must be a non-empty module name, got ${String(config?.layer)}`);
    }
    const d = IBA_DEFAULTS;
    this.layer = config.layer;
    this.beta = checkNumber(fn, 'beta', config.beta ?? d.beta, 0, Infinity);
    this.iterations = checkPositiveInt(fn, 'iterations', config.iterations ?? d.iterations);
    this.learningRate = checkNumber(fn, 'learningRate', config.learningRate ?? d.learningRate, 0, Infinity, true);
    this.noiseSamples = checkPositiveInt(fn, 'noiseSamples', config.noiseSamples ?? d.noiseSamples);
    this.initAlpha = checkNumber(fn, 'initAlpha', config.initAlpha ?? d.initAlpha, -Infinity, Infinity);
    this.sigma = checkNumber(fn, 'sigma', config.sigma ?? d.sigma, 0, Infinity);
    this.minStd = checkNumber(fn, 'minStd', config.minStd ?? d.minStd, 0, Infinity, true);
  }

  /**
   * Optimises one bottleneck per sample and returns its capacity map at input resolution.
   * @param model - a `Module` containing the layer `layer`
   * @param input - images `[N, H, W, C]` (NHWC)
   * @param options - target, stats, batchSize, seed
   * @returns attributions `[N, H, W, C]`, capacity in bits per layer position (caller disposes)
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a function model or bad options; {@link "@lab/tensor"!UnknownNameError | UnknownNameError} for an
   *   unknown layer; {@link "@lab/tensor"!ShapeError | ShapeError} for a non-NHWC input, a layer output that is not `[N, h, w, c]` or stats that do not broadcast.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: IbaOptions = {}): Promise<AttributionResult> {
    const fn = 'Iba.attribute';
    checkOptions(fn, options, ['target', 'stats', 'batchSize', 'seed']);
    checkAttributionInput(fn, input);
    if (input.rank !== 4) throw new ShapeError(`${fn}: input must be NHWC images [N, H, W, C], got [${input.shape}]`);
    if (!(model instanceof Module)) throw new InvalidValueError(`${fn}: model must be a Module (IBA hooks the layer '${this.layer}'), got a function`);
    const names = model.namedModules().map(([name]) => name);
    if (!names.includes(this.layer)) throw new UnknownNameError('layer', this.layer, names.filter((s) => s !== ''));
    const batchSize = checkBatchSize(fn, options.batchSize, IBA_DEFAULTS.batchSize);
    const seed = checkSeed(fn, options.seed ?? IBA_DEFAULTS.seed);
    const [n, bigH, bigW, bigC] = input.shape;
    checkTarget(fn, options.target, n);
    if (options.stats !== undefined && (!(options.stats.mean instanceof tf.Tensor) || !(options.stats.std instanceof tf.Tensor))) {
      throw new InvalidValueError(`${fn}: stats must be { mean: tf.Tensor, std: tf.Tensor }`);
    }
    const layer = model.getSubmodule(this.layer);
    const k = this.noiseSamples;
    let override: ((r: tf.Tensor) => tf.Tensor) | null = null;
    let captured: tf.Tensor | null = null;
    let shapeOfCaptured = 'nothing';
    const handle = layer.registerForwardHook((_m, _in, out) => {
      if (override) return override(out as tf.Tensor);
      // The model may dispose its intermediates (an inner tidy): keep a copy we own.
      captured?.dispose();
      captured = out instanceof tf.Tensor ? tf.keep(tf.clone(out)) : null;
      if (!(out instanceof tf.Tensor)) shapeOfCaptured = typeof out;
      return undefined;
    });
    const owned: tf.Tensor[] = [];
    try {
      // 1. Layer output R of every sample.
      const parts: tf.Tensor[] = [];
      try {
        for (let s = 0; s < n; s += batchSize) {
          const e = Math.min(n, s + batchSize);
          captured = null;
          try {
            tf.tidy(() => {
              runModel(model, tf.slice(input, s, e - s));
            });
            const got = captured as tf.Tensor | null;
            if (got === null || got.rank !== 4) {
              throw new ShapeError(
                `${fn}: the output of layer '${this.layer}' must be a feature map [N, h, w, c], got ${got ? `[${got.shape}]` : shapeOfCaptured}`,
              );
            }
            parts.push(got.dtype === 'float32' ? got : tf.cast(got, 'float32'));
            if (got.dtype !== 'float32') got.dispose();
            captured = null;
          } finally {
            (captured as tf.Tensor | null)?.dispose();
            captured = null;
          }
        }
        owned.push(parts.length === 1 ? parts[0] : tf.concat(parts, 0));
      } finally {
        if (parts.length > 1 || owned.length === 0) for (const p of parts) p.dispose();
      }
      const r = owned[0];
      const [, h, w, c] = r.shape;
      const f = h * w * c;
      // 2. Prior statistics.
      const [mu, sd] = tf.tidy(() => {
        if (options.stats) {
          const ok = (t: tf.Tensor): boolean => {
            const sh = t.shape.slice(-3);
            const full = [h, w, c].slice(3 - sh.length);
            return t.rank <= 3 && sh.every((v, i) => v === full[i] || v === 1);
          };
          if (!ok(options.stats.mean) || !ok(options.stats.std)) {
            throw new ShapeError(`${fn}: stats.mean and stats.std must broadcast to [${h}, ${w}, ${c}], got [${options.stats.mean.shape}] and [${options.stats.std.shape}]`);
          }
          const m = tf.broadcastTo(tf.cast(options.stats.mean, 'float32'), [h, w, c]);
          const s = tf.maximum(tf.broadcastTo(tf.cast(options.stats.std, 'float32'), [h, w, c]), this.minStd);
          return [tf.reshape(m, [1, 1, f]), tf.reshape(s, [1, 1, f])];
        }
        const { mean, variance } = tf.moments(r, [0, 1, 2]);
        const m = tf.broadcastTo(mean, [h, w, c]);
        const s = tf.broadcastTo(tf.maximum(tf.sqrt(variance), this.minStd), [h, w, c]);
        return [tf.reshape(m, [1, 1, f]), tf.reshape(s, [1, 1, f])];
      });
      owned.push(mu, sd);
      const gy = tf.tensor2d(gaussianMatrix(h, this.sigma), [h, h]);
      const gx = tf.tensor2d(gaussianMatrix(w, this.sigma), [w, w]);
      owned.push(gy, gx);
      const smooth = (t: tf.Tensor, rows: number): tf.Tensor =>
        tf.reshape(applySeparableNhwc(tf.reshape(t, [rows, h, w, c]), gy, gx), [rows, 1, f]);
      const rngs: Rng[] = [];
      const master = new Rng(seed);
      for (let i = 0; i < n; i++) rngs.push(master.fork());
      // 3. Optimise α, a chunk of samples at a time.
      const capacity = new Float32Array(n * h * w);
      const perChunk = Math.max(1, Math.floor(batchSize / k));
      const beta = this.beta;
      for (let s0 = 0; s0 < n; s0 += perChunk) {
        const s1 = Math.min(n, s0 + perChunk);
        const ns = s1 - s0;
        const idx = Array.from({ length: ns * k }, (_, q) => s0 + Math.floor(q / k));
        const target = rowTargets(options.target, idx);
        const [xr, rNorm] = tf.tidy(() => [
          tf.gather(input, tf.tensor1d(idx, 'int32')),
          tf.div(tf.sub(tf.reshape(tf.slice(r, s0, ns), [ns, 1, f]), mu), sd),
        ]);
        let state = adamInit(tf.fill([ns, 1, f], this.initAlpha));
        const lambdas = (alpha: tf.Tensor): [tf.Tensor, tf.Tensor] => [smooth(tf.sigmoid(alpha), ns), smooth(tf.sigmoid(tf.neg(alpha)), ns)];
        const kl = (lam: tf.Tensor, oneMinus: tf.Tensor): tf.Tensor => {
          const om = tf.maximum(oneMinus, 1e-7);
          const muZ = tf.mul(rNorm, lam);
          return tf.mul(-0.5, tf.sub(tf.sub(tf.add(1, tf.mul(2, tf.log(om))), tf.square(muZ)), tf.square(om)));
        };
        try {
          for (let t = 0; t < this.iterations; t++) {
            const noise = new Float32Array(ns * k * f);
            for (let q = 0; q < ns; q++) noise.set(rngs[s0 + q].normal(k * f), q * k * f);
            const grad = tf.tidy(() => {
              const eps = tf.add(tf.mul(tf.tensor3d(noise, [ns, k, f]), sd), mu);
              const loss = (alpha: tf.Tensor): tf.Scalar => {
                const [lam, oneMinus] = lambdas(alpha);
                override = (out) => {
                  const rr = tf.reshape(out, [ns, k, f]);
                  return tf.reshape(tf.add(tf.mul(lam, rr), tf.mul(oneMinus, eps)), out.shape);
                };
                let y: tf.Tensor;
                try {
                  y = runModel(model, xr);
                } finally {
                  override = null;
                }
                const ce = tf.neg(targetLogScore(y, target, fn));
                const perSample = tf.mean(tf.reshape(ce, [ns, k]), 1);
                const info = tf.mean(tf.reshape(kl(lam, oneMinus), [ns, f]), 1);
                return tf.sum(tf.add(perSample, tf.mul(info, beta))) as tf.Scalar;
              };
              return tf.grad(loss)(state.param);
            });
            try {
              state = adamStep(state, grad, this.learningRate);
            } finally {
              grad.dispose();
            }
          }
          const cap = tf.tidy(() => {
            const [lam, oneMinus] = lambdas(state.param);
            return tf.div(tf.sum(tf.reshape(kl(lam, oneMinus), [ns, h, w, c]), 3), Math.LN2);
          });
          try {
            capacity.set(await cap.data(), s0 * h * w);
          } finally {
            cap.dispose();
          }
        } finally {
          adamDispose(state);
          xr.dispose();
          rNorm.dispose();
        }
      }
      // 4. Upsample to the input resolution.
      const ay = linearResampleMatrix(bigH, h);
      const axT = transpose(linearResampleMatrix(bigW, w), bigW, w);
      const out = new Float32Array(n * bigH * bigW * bigC);
      for (let i = 0; i < n; i++) {
        const up = matMulJs(matMulJs(ay, capacity.subarray(i * h * w, (i + 1) * h * w), bigH, h, w), axT, bigH, w, bigW);
        const off = i * bigH * bigW * bigC;
        for (let p = 0; p < bigH * bigW; p++) for (let ch = 0; ch < bigC; ch++) out[off + p * bigC + ch] = up[p];
      }
      return { attributions: tf.tensor(out, input.shape, 'float32') };
    } finally {
      handle.remove();
      for (const t of owned) t.dispose();
    }
  }
}

/** log softmax(y)_c for a class-index target on a multi-output model; the target score otherwise. */
function targetLogScore(y: tf.Tensor, target: Target | undefined, fn: string): tf.Tensor1D {
  const rows = y.shape[0];
  const flat = tf.reshape(y, [rows, -1]);
  if (target !== undefined && typeof target !== 'function' && (flat.shape[1] ?? 1) > 1) {
    return selectTarget(tf.logSoftmax(flat), target, fn);
  }
  return selectTarget(y, target, fn);
}

/** Per-row targets for rows built from samples `sampleOf`. */
function rowTargets(target: Target | undefined, sampleOf: number[]): Target | undefined {
  if (target === undefined || typeof target === 'number' || typeof target === 'function') return target;
  const all = Array.from(target);
  return sampleOf.map((i) => all[i]);
}

/** Transpose of a row-major `[rows, cols]` matrix. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}
