/**
 * Exact CRPS of an ensemble forecast, by integrating the empirical CDF.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { checkOptions, checkTensor } from '../internal/validate';

/** Options of {@link crpsEnsemble}. @category Scoring rules */
export interface CrpsEnsembleOptions {
  /**
   * Non-negative weights of the members, the shape of `samples`; normalised per instance to sum
   * to 1. Absent: equal weights.
   */
  weights?: tf.Tensor;
}

/**
 * Computes the CRPS of an ensemble forecast of M members at an observation, exactly (lower is better).
 *
 * `CRPS(F, y) = ∫ (F(z) − 1{z ≥ y})² dz` for the (weighted) empirical CDF `F(z) = Σ_{xₖ ≤ z} wₖ`,
 * integrated piecewise between the sorted members and y, as properscoring's `crps_ensemble`.
 * With equal weights it equals `(1/M) Σ|xᵢ − y| − (1/(2M²)) Σ_{i,j}|xᵢ − xⱼ|`, the "nrg"
 * {@link energyScore} in one dimension. Computed on the host (reads the inputs back); not differentiable.
 * @param samples - `[…, M]`, float32, M ≥ 1 members per instance
 * @param observation - `[…]`, float32, the leading shape of `samples`
 * @param options - see {@link CrpsEnsembleOptions}
 * @returns the score per instance, `[…]`; the caller disposes it
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} when the shapes do not match
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for non-finite values, negative weights, all-zero weights or an unknown option
 * @see Hersbach 2000, doi:10.1175/1520-0434(2000)015<0559:DOTCRP>2.0.CO;2; properscoring `crps_ensemble`
 * @example
 * ```ts
 * const c = crpsEnsemble(tf.tensor2d([[0, 2]]), tf.tensor1d([1])); // [0.5]
 * ```
 * @category Scoring rules
 */
export function crpsEnsemble(samples: tf.Tensor, observation: tf.Tensor, options: CrpsEnsembleOptions = {}): tf.Tensor {
  const fn = 'crpsEnsemble';
  checkOptions(fn, options, ['weights']);
  const x = checkTensor(fn, 'samples', samples);
  const y = checkTensor(fn, 'observation', observation);
  if (x.rank < 1) throw new ShapeError(`${fn}: samples must have rank >= 1 ([…, M]), got a scalar`);
  const m = x.shape[x.rank - 1];
  const lead = x.shape.slice(0, -1);
  if (m < 1) throw new ShapeError(`${fn}: samples must hold M >= 1 members, got shape [${x.shape}]`);
  if (y.rank !== lead.length || y.shape.some((s, i) => s !== lead[i])) {
    throw new ShapeError(`${fn}: observation must have shape [${lead}] to match samples [${x.shape}], got [${y.shape}]`);
  }
  let w: Float32Array | undefined;
  if (options.weights !== undefined) {
    const wt = checkTensor(fn, 'weights', options.weights);
    if (wt.rank !== x.rank || wt.shape.some((s, i) => s !== x.shape[i])) {
      throw new ShapeError(`${fn}: weights must have the shape of samples [${x.shape}], got [${wt.shape}]`);
    }
    w = wt.dataSync() as Float32Array;
  }
  const xs = x.dataSync() as Float32Array;
  const ys = y.dataSync() as Float32Array;
  const n = ys.length;
  const out = new Float32Array(n);
  const order = new Int32Array(m);
  for (let k = 0; k < n; k++) {
    const base = k * m;
    let total = 0;
    for (let i = 0; i < m; i++) {
      const v = xs[base + i];
      if (!Number.isFinite(v)) throw new InvalidValueError(`${fn}: samples must be finite, got ${v} in instance ${k}`);
      const wi = w ? w[base + i] : 1;
      if (!(wi >= 0) || !Number.isFinite(wi)) throw new InvalidValueError(`${fn}: weights must be finite and non-negative, got ${wi} in instance ${k}`);
      total += wi;
      order[i] = i;
    }
    if (!(total > 0)) throw new InvalidValueError(`${fn}: weights of instance ${k} must not all be zero`);
    const obs = ys[k];
    if (!Number.isFinite(obs)) throw new InvalidValueError(`${fn}: observation must be finite, got ${obs} in instance ${k}`);
    order.sort((a, b) => xs[base + a] - xs[base + b]);
    // Walk the breakpoints (members and y) left to right; F and H are constant between them.
    let integral = 0;
    let cdf = 0;
    let heaviside = 0;
    let pos = Math.min(obs, xs[base + order[0]]);
    let i = 0;
    let obsDone = false;
    while (i < m || !obsDone) {
      const nextMember = i < m ? xs[base + order[i]] : Infinity;
      const takeObs = !obsDone && obs <= nextMember;
      const next = takeObs ? obs : nextMember;
      const gap = cdf - heaviside;
      integral += (next - pos) * gap * gap;
      pos = next;
      if (takeObs) {
        heaviside = 1;
        obsDone = true;
      } else {
        cdf += (w ? w[base + order[i]] : 1) / total;
        i++;
      }
    }
    out[k] = integral;
  }
  return tf.tensor(out, lead, 'float32');
}
