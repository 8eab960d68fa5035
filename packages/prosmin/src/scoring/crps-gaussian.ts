/**
 * Closed-form CRPS of a Gaussian forecast.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { checkTensor } from '../internal/validate';

/**
 * Computes the continuous ranked probability score of the Gaussian forecast N(μ, σ²) at an
 * observation y, in closed form (lower is better).
 *
 * `CRPS(N(μ, σ²), y) = σ · [s(2Φ(s) − 1) + 2φ(s) − 1/√π]` with `s = (y − μ)/σ`, Φ and φ the
 * standard normal CDF and density. Differentiable: `∂/∂μ = 1 − 2Φ(s)`, `∂/∂σ = 2φ(s) − 1/√π`.
 * The inputs broadcast against each other.
 * @param observation - y, float32, any shape broadcastable with `mu` and `sigma`
 * @param mu - μ, float32
 * @param sigma - σ > 0, float32 (its minimum is read back to check it)
 * @returns the score with the broadcast shape; the caller disposes it
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} when the shapes do not broadcast
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} when some σ is not positive and finite
 * @see Gneiting et al. 2005, Eq. 5; properscoring `crps_gaussian` (github.com/properscoring/properscoring)
 * @example
 * ```ts
 * const c = crpsGaussian(tf.scalar(0), tf.scalar(0), tf.scalar(1)); // 2φ(0) − 1/√π ≈ 0.23369
 * ```
 * @category Scoring rules
 */
export function crpsGaussian(observation: tf.Tensor, mu: tf.Tensor, sigma: tf.Tensor): tf.Tensor {
  const fn = 'crpsGaussian';
  const y = checkTensor(fn, 'observation', observation);
  const m = checkTensor(fn, 'mu', mu);
  const s = checkTensor(fn, 'sigma', sigma);
  try {
    tf.backend_util.assertAndGetBroadcastShape(tf.backend_util.assertAndGetBroadcastShape(y.shape, m.shape), s.shape);
  } catch {
    throw new ShapeError(`${fn}: observation [${y.shape}], mu [${m.shape}] and sigma [${s.shape}] must broadcast`);
  }
  if (s.size > 0) {
    const [min, max] = tf.tidy(() => [tf.min(s).dataSync()[0], tf.max(s).dataSync()[0]]);
    if (!(min > 0) || !Number.isFinite(max)) {
      throw new InvalidValueError(`${fn}: sigma must be positive and finite, got values in [${min}, ${max}]`);
    }
  }
  return tf.tidy(() => {
    const z = tf.div(tf.sub(y, m), s);
    const cdf = tf.mul(tf.add(tf.erf(tf.mul(z, Math.SQRT1_2)), 1), 0.5);
    const pdf = tf.mul(tf.exp(tf.mul(tf.square(z), -0.5)), 1 / Math.sqrt(2 * Math.PI));
    const inner = tf.add(tf.mul(z, tf.sub(tf.mul(cdf, 2), 1)), tf.sub(tf.mul(pdf, 2), 1 / Math.sqrt(Math.PI)));
    return tf.mul(s, inner);
  });
}
