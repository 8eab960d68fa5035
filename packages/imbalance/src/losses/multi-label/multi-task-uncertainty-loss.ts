/**
 * Multi-task uncertainty weighting (Kendall et al. 2018) of the per-class binary cross-entropies.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, ShapeError, checkOptions } from '@lab/tensor';
import { checkInt, checkLogitsTargets, checkNumber, checkObject, checkTensor } from '../../internal/checks';
import { asFloat, bceElements } from '../internal';

/** Options of {@link multiTaskUncertaintyLoss} and {@link MultiTaskUncertaintyLoss}. @category Losses */
export interface MultiTaskUncertaintyLossOptions {
  /** Factor λ on the whole loss. @defaultValue 1 */
  lossWeight?: number;
}

/** Settings of {@link MultiTaskUncertaintyLoss}. @category Losses */
export interface MultiTaskUncertaintyLossConfig extends MultiTaskUncertaintyLossOptions {
  /** Initial value of every log-variance s_c. @defaultValue 0 */
  initialLogVariance?: number;
}

/**
 * Defaults of {@link MultiTaskUncertaintyLoss}: s_c initialised to 0 and λ = 1 (imba-explain
 * `MultiTaskLoss`, `configs/_base_/losses/multi_task.py`).
 * @category Losses
 */
export const MULTI_TASK_UNCERTAINTY_LOSS_DEFAULTS = Object.freeze({
  /** Default of {@link MultiTaskUncertaintyLossOptions.lossWeight}. */
  lossWeight: 1,
  /** Default of {@link MultiTaskUncertaintyLossConfig.initialLogVariance}. */
  initialLogVariance: 0,
});

/**
 * Binary cross-entropy with one learnable log-variance s_c per class (uncertainty weighting).
 *
 * `ℓ = λ·[Σ_c e^{−s_c}·BCE_c + ½·Σ_c s_c]` with `BCE_c = (1/(N·C))·Σ_n BCE(x_nc, y_nc)`, class c's
 * share of the mean over all `N·C` elements (the reference's `reduction='mean'`). The gradient
 * with respect to s_c is `λ·(−e^{−s_c}·BCE_c + ½)`, so s_c settles where `e^{−s_c} = 1/(2·BCE_c)`.
 * @param logits - `[N, C]` logits
 * @param targets - `[N, C]` labels in {0, 1}
 * @param logVariance - `[C]` log-variances s (a variable to train, or any tensor); not disposed
 * @param options - λ
 * @returns a scalar the caller disposes (differentiable with respect to `logits` and `logVariance`)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option.
 * @see arXiv 1705.07115; arXiv 2204.01729; imba-explain `MultiTaskLoss`
 * @example
 * ```ts
 * const s = tf.variable(tf.zeros([C]));
 * const loss = multiTaskUncertaintyLoss(logits, targets, s);
 * ```
 * @category Losses
 */
export function multiTaskUncertaintyLoss(
  logits: tf.Tensor,
  targets: tf.Tensor,
  logVariance: tf.Tensor,
  options: MultiTaskUncertaintyLossOptions = {},
): tf.Scalar {
  const fn = 'multiTaskUncertaintyLoss';
  const [, c] = checkLogitsTargets(fn, logits, targets);
  const s = checkTensor(fn, 'logVariance', logVariance);
  if (s.rank !== 1 || s.shape[0] !== c) throw new ShapeError(`${fn}: logVariance must have shape [${c}] (one per class), got [${s.shape}]`);
  checkObject(fn, 'options', options);
  checkOptions(fn, options, ['lossWeight']);
  const lossWeight = checkNumber(fn, 'lossWeight', options.lossWeight ?? MULTI_TASK_UNCERTAINTY_LOSS_DEFAULTS.lossWeight, 0);
  return compute(logits, targets, s, lossWeight);
}

function compute(logits: tf.Tensor, targets: tf.Tensor, s: tf.Tensor, lossWeight: number): tf.Scalar {
  return tf.tidy(() => {
    const weighted = tf.mul(tf.exp(tf.neg(tf.reshape(s, [1, -1]))), bceElements(logits, asFloat(targets)));
    return tf.mul(lossWeight, tf.add(tf.mean(weighted), tf.mul(0.5, tf.sum(s)))) as tf.Scalar;
  });
}

/**
 * {@link multiTaskUncertaintyLoss} as a module that owns the learnable log-variances, parameter
 * `log_variance` `[C]` (the reference's name). Train it with the model: register it as a child
 * of a wrapper module, or add {@link Module.parameters} to the optimised variables.
 * @example
 * ```ts
 * const mt = new MultiTaskUncertaintyLoss(10);
 * const { value, grads } = tf.variableGrads(() => mt.call(model.call(x), y), [...model.parameters(), ...mt.parameters()]);
 * ```
 * @category Losses
 */
export class MultiTaskUncertaintyLoss extends Module<[tf.Tensor, tf.Tensor], tf.Scalar> {
  /** The log-variances s, `[C]`, trainable. */
  readonly logVariance: tf.Variable;
  /** λ. */
  readonly lossWeight: number;
  /** Number of classes C. */
  readonly classes: number;

  /**
   * @param classes - number of classes C (≥ 1)
   * @param config - λ and the initial s
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad class count or option.
   */
  constructor(classes: number, config: MultiTaskUncertaintyLossConfig = {}) {
    super();
    const fn = 'MultiTaskUncertaintyLoss';
    this.classes = checkInt(fn, 'classes', classes, 1);
    checkObject(fn, 'config', config);
    checkOptions(fn, config, ['lossWeight', 'initialLogVariance']);
    const d = MULTI_TASK_UNCERTAINTY_LOSS_DEFAULTS;
    this.lossWeight = checkNumber(fn, 'lossWeight', config.lossWeight ?? d.lossWeight, 0);
    const init = checkNumber(fn, 'initialLogVariance', config.initialLogVariance ?? d.initialLogVariance);
    this.logVariance = this.registerParameter('log_variance', tf.fill([classes], init));
  }

  /**
   * The loss of `logits` `[N, C]` against `targets` `[N, C]` with the current log-variances.
   * @returns a scalar the caller disposes
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for mismatched shapes or a class count other than C.
   */
  forward(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
    const fn = 'MultiTaskUncertaintyLoss.forward';
    const [, c] = checkLogitsTargets(fn, logits, targets);
    if (c !== this.classes) throw new ShapeError(`${fn}: logits must have ${this.classes} classes, got [${logits.shape}]`);
    if (this.isDisposed) throw new InvalidValueError(`${fn}: the loss has been disposed`);
    return compute(logits, targets, this.logVariance, this.lossWeight);
  }
}
