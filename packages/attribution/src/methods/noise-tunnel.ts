/**
 * Noise tunnel: SmoothGrad, SmoothGrad² and VarGrad around any attribution method.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Rng, checkOptions } from '@lab/tensor';
import { checkIntOption, checkModel, checkNumberOption, checkSeed, checkTarget, targetForRows } from '../core/gradients';
import {
  type AttributionMethod,
  type AttributionModel,
  type AttributionOptions,
  type AttributionResult,
  checkAttributionInput,
  checkBatchSize,
} from '../core/types';
import { AttributionWorkers } from '../parallel/attribution-workers';

/**
 * How the noisy attributions are aggregated: `smoothgrad` averages them, `smoothgrad-sq` averages
 * their squares, `vargrad` takes their variance.
 * @category Methods
 */
export type NoiseTunnelType = 'smoothgrad' | 'smoothgrad-sq' | 'vargrad';

/** Settings of {@link NoiseTunnel}. @category Methods */
export interface NoiseTunnelConfig {
  /** Aggregation. @defaultValue `'smoothgrad'` (Captum `nt_type`) */
  type?: NoiseTunnelType;
  /** Number of noisy copies of each input. @defaultValue 5 (Captum `nt_samples`) */
  samples?: number;
  /** Standard deviation σ of the Gaussian noise, absolute (in input units). @defaultValue 1.0 (Captum `stdevs`) */
  stdev?: number;
}

/**
 * Defaults of {@link NoiseTunnel}: Captum's `nt_type='smoothgrad'`, `nt_samples=5`, `stdevs=1.0`;
 * `batchSize` (noisy inputs per call of the wrapped method, also passed on to it) is this package's.
 * @category Methods
 */
export const NOISE_TUNNEL_DEFAULTS = Object.freeze({
  /** Default of {@link NoiseTunnelConfig.type}. */
  type: 'smoothgrad' as NoiseTunnelType,
  /** Default of {@link NoiseTunnelConfig.samples}. */
  samples: 5,
  /** Default of {@link NoiseTunnelConfig.stdev}. */
  stdev: 1.0,
  /** Default of {@link AttributionOptions.batchSize}. */
  batchSize: 32,
});

const TYPES: readonly NoiseTunnelType[] = ['smoothgrad', 'smoothgrad-sq', 'vargrad'];

/**
 * Noise tunnel: aggregates a method's attributions over Gaussian-perturbed copies of the input.
 *
 * With `a_s = φ(x + ε_s)`, `ε_s ~ N(0, σ²)` i.i.d. per feature, `s = 1…S`:
 * SmoothGrad `(1/S) Σ a_s`, SmoothGrad² `(1/S) Σ a_s²`, VarGrad `(1/S) Σ a_s² − ((1/S) Σ a_s)²`
 * (clamped at 0 against rounding).
 *
 * The `S × N` noisy inputs go to the wrapped method in calls of at most `max(N, batchSize)` rows
 * (whole copies of the batch), with `batchSize` passed on, so no evaluation holds more than
 * `batchSize` model inputs beyond one batch copy. Per-call options are passed through; `target`
 * lists and per-sample `baselines` tensors (`[N, …]`, `N > 1`) are repeated for the copies. The noise
 * comes from `Rng(seed)` in a fixed order, so results do not depend on `batchSize` for
 * deterministic wrapped methods; a random wrapped method gets one derived seed per call, so its
 * draws depend on the grouping. `delta` of the wrapped method is not returned.
 * @see arXiv 1706.03825 (SmoothGrad), arXiv 1810.03292 (VarGrad); Captum `NoiseTunnel`
 * @example
 * ```ts
 * const sg = new NoiseTunnel(new Saliency(), { samples: 20, stdev: 0.15 });
 * const { attributions } = await sg.attribute(model, images, { target: 3, seed: 1 });
 * // attributions: the wrapped method's shape; caller disposes
 * ```
 * @category Methods
 */
export class NoiseTunnel<O extends AttributionOptions = AttributionOptions> implements AttributionMethod<O> {
  readonly name = 'noise-tunnel';
  /** Signed only for `smoothgrad` of a signed method. */
  readonly signed: boolean;
  /** The wrapped method. */
  readonly method: AttributionMethod<O>;
  /** Aggregation. */
  readonly type: NoiseTunnelType;
  /** Noisy copies per input. */
  readonly samples: number;
  /** Noise standard deviation. */
  readonly stdev: number;

  /**
   * @param method - any attribution method
   * @param config - see {@link NoiseTunnelConfig}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a non-method, an unknown key or type, `samples < 1` or `stdev < 0`.
   */
  constructor(method: AttributionMethod<O>, config: NoiseTunnelConfig = {}) {
    const fn = 'NoiseTunnel';
    if (method === null || typeof method !== 'object' || typeof method.attribute !== 'function') {
      throw new InvalidValueError(`${fn}: method must be an AttributionMethod, got ${method === null ? 'null' : typeof method}`);
    }
    checkOptions(fn, config, ['type', 'samples', 'stdev']);
    const type = config.type ?? NOISE_TUNNEL_DEFAULTS.type;
    if (!TYPES.includes(type)) throw new InvalidValueError(`${fn}: type must be one of ${TYPES.join(', ')}, got ${String(type)}`);
    this.method = method;
    this.type = type;
    this.samples = checkIntOption(fn, 'samples', config.samples ?? NOISE_TUNNEL_DEFAULTS.samples, 1);
    this.stdev = checkNumberOption(fn, 'stdev', config.stdev ?? NOISE_TUNNEL_DEFAULTS.stdev, 0);
    this.signed = type === 'smoothgrad' && method.signed;
  }

  /**
   * Aggregates the wrapped method's attributions over noisy copies of the input.
   * @param model - the model
   * @param input - a batch `[N, …]`
   * @param options - the wrapped method's options; `seed` drives the noise, `batchSize` the grouping
   * @returns attributions of the wrapped method's shape; the caller disposes them
   * @throws whatever the wrapped method throws; {@link "@lab/tensor"!ShapeError | ShapeError} / {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad input or option.
   */
  async attribute(model: AttributionModel, input: tf.Tensor, options: O = {} as O): Promise<AttributionResult> {
    const fn = 'NoiseTunnel.attribute';
    if (options === null || typeof options !== 'object') throw new InvalidValueError(`${fn}: options must be an object`);
    checkModel(fn, model);
    checkAttributionInput(fn, input);
    const n = input.shape[0];
    checkTarget(fn, options.target, n);
    const batchSize = checkBatchSize(fn, options.batchSize, NOISE_TUNNEL_DEFAULTS.batchSize);
    const rng = new Rng(checkSeed(fn, options.seed));
    const noiseRng = rng.fork();
    const seedRng = rng.fork();
    const perCall = Math.max(1, Math.floor(batchSize / n));
    const sampleShape = input.shape.slice(1);
    let sum: tf.Tensor | undefined;
    let sumSq: tf.Tensor | undefined;
    // With `workers` (passed on to the wrapped method), up to 2 calls per worker run at once; the
    // noise is drawn and the results summed in the sequential order, so the result is the same.
    const workers = (options as { workers?: unknown }).workers;
    const concurrent = workers instanceof AttributionWorkers ? 2 * workers.size : 1;
    const pending: Promise<AttributionResult>[] = [];
    try {
      for (let s0 = 0; s0 < this.samples; s0 += perCall) {
        const k = Math.min(perCall, this.samples - s0);
        const noisy = tf.tidy(() => {
          const copies = tf.tile(input, [k, ...sampleShape.map(() => 1)]);
          return this.stdev > 0 ? tf.add(copies, noiseRng.normalTensor([k * n, ...sampleShape], 0, this.stdev)) : copies;
        });
        const sampleOfRow = Array.from({ length: k * n }, (_, r) => r % n);
        const inner = { ...options, seed: seedRng.nextUint32(), batchSize } as O & { baselines?: unknown };
        if (options.target !== undefined) inner.target = targetForRows(options.target, sampleOfRow);
        const baselines = (options as { baselines?: unknown }).baselines;
        let tiledBaselines: tf.Tensor | undefined;
        if (baselines instanceof tf.Tensor && baselines.rank === input.rank && baselines.shape[0] === n && n > 1) {
          tiledBaselines = tf.tile(baselines, [k, ...sampleShape.map(() => 1)]);
          inner.baselines = tiledBaselines;
        }
        const call = (async () => {
          try {
            return await this.method.attribute(model, noisy, inner);
          } finally {
            noisy.dispose();
            tiledBaselines?.dispose();
          }
        })();
        call.catch(() => undefined);
        pending.push(call);
        if (pending.length < concurrent && s0 + perCall < this.samples) continue;
        // Sum the finished calls in order (each covers `perCall` samples, the last `k`).
        while (pending.length > 0) {
        const result = await (pending.shift() as Promise<AttributionResult>);
        const a = result.attributions;
        const kk = a.shape[0] / n;
        result.delta?.dispose();
        const [nextSum, nextSq] = tf.tidy(() => {
          const grouped = tf.reshape(a, [kk, n, ...a.shape.slice(1)]);
          const s = tf.sum(grouped, 0);
          const q = tf.sum(tf.square(grouped), 0);
          return [sum ? tf.add(sum, s) : s, sumSq ? tf.add(sumSq, q) : q];
        });
        a.dispose();
        tf.dispose([sum as tf.Tensor, sumSq as tf.Tensor]);
        sum = nextSum;
        sumSq = nextSq;
        }
      }
      const total = this.samples;
      const s = sum as tf.Tensor;
      const q = sumSq as tf.Tensor;
      const attributions = tf.tidy(() => {
        if (this.type === 'smoothgrad') return tf.div(s, total);
        if (this.type === 'smoothgrad-sq') return tf.div(q, total);
        return tf.relu(tf.sub(tf.div(q, total), tf.square(tf.div(s, total))));
      });
      return { attributions };
    } finally {
      tf.dispose([sum as tf.Tensor, sumSq as tf.Tensor]);
      // After a failure, free what the calls still in flight return.
      for (const p of pending) {
        await p.then((r) => tf.dispose([r.attributions, r.delta as tf.Tensor]), () => undefined);
      }
    }
  }
}
