/**
 * Exponential-moving-average update of a target network.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, ShapeError } from '@lab/tensor';
import { checkNumber } from '../internal/validate';

/**
 * Moves every parameter of `target` towards the parameter of `online` with the same name:
 * `ξ ← κ·ξ + (1 − κ)·θ`.
 *
 * Only trainable parameters move (buffers such as batch-norm statistics are left alone, as in the
 * reference code's `zip(online.parameters(), target.parameters())`). `online` may hold more
 * parameters than `target` (a predictor); each target parameter must have a partner.
 * @param target - the EMA network ξ (modified in place)
 * @param online - the trained network θ (read only)
 * @param momentum - κ ∈ [0, 1]
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad κ or a target parameter without partner
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} when partners differ in shape
 * @see arXiv:2309.02048 §3; Grill et al. 2020, Eq. 1
 * @example
 * ```ts
 * emaUpdate(method.target, method.online.model, 0.996);
 * ```
 * @category Method
 */
export function emaUpdate(target: Module<any, any>, online: Module<any, any>, momentum: number): void {
  const fn = 'emaUpdate';
  if (!(target instanceof Module)) throw new InvalidValueError(`${fn}: target must be a Module`);
  if (!(online instanceof Module)) throw new InvalidValueError(`${fn}: online must be a Module`);
  const k = checkNumber(fn, 'momentum', momentum, 0, 1);
  const source = new Map(online.namedParameters());
  const pairs: [tf.Variable, tf.Variable][] = [];
  for (const [name, xi] of target.namedParameters()) {
    const theta = source.get(name);
    if (!theta) throw new InvalidValueError(`${fn}: online has no parameter '${name}' for the target's`);
    if (theta.shape.some((s, i) => s !== xi.shape[i]) || theta.rank !== xi.rank) {
      throw new ShapeError(`${fn}: parameter '${name}' has shape [${xi.shape}] in target and [${theta.shape}] in online`);
    }
    pairs.push([xi, theta]);
  }
  tf.tidy(() => {
    for (const [xi, theta] of pairs) xi.assign(tf.add(tf.mul(xi, k), tf.mul(theta, 1 - k)));
  });
}
