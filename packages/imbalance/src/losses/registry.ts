/**
 * The registry of multi-label losses: every loss of arXiv 2204.01729 by name, bound to a
 * training set's class counts.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, UnknownNameError } from '@lab/tensor';
import { type ClassCounts, checkClassCounts } from '../core/class-counts';
import { checkObject } from '../internal/checks';
import { asymmetricLoss, ASYMMETRIC_LOSS_DEFAULTS, type AsymmetricLossOptions } from './multi-label/asymmetric-loss';
import { binaryCrossEntropy, type BinaryCrossEntropyOptions } from './multi-label/binary-cross-entropy';
import {
  classBalancedFocalLoss,
  CLASS_BALANCED_FOCAL_LOSS_DEFAULTS,
  type ClassBalancedFocalLossOptions,
} from './multi-label/class-balanced-focal-loss';
import { interWeightedBce, INTER_WEIGHTED_BCE_DEFAULTS, type InterWeightedBceOptions } from './multi-label/inter-weighted-bce';
import { intraWeightedBce, INTRA_WEIGHTED_BCE_DEFAULTS, type IntraWeightedBceOptions } from './multi-label/intra-weighted-bce';
import {
  MultiTaskUncertaintyLoss,
  MULTI_TASK_UNCERTAINTY_LOSS_DEFAULTS,
  type MultiTaskUncertaintyLossConfig,
} from './multi-label/multi-task-uncertainty-loss';
import { sigmoidFocalLoss, SIGMOID_FOCAL_LOSS_DEFAULTS, type SigmoidFocalLossOptions } from './multi-label/sigmoid-focal-loss';

/**
 * A multi-label loss bound to its settings and the training set's counts, as the registry builds it.
 * @category Losses
 */
export interface MultiLabelLoss {
  /** Registry key. */
  readonly name: MultiLabelLossName;
  /**
   * The loss of `logits` `[N, C]` against 0/1 `targets` `[N, C]`.
   * @returns a scalar the caller disposes
   */
  compute(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar;
  /** Trainable variables the loss owns (the multi-task log-variances; empty otherwise): train them with the model. */
  readonly variables: readonly tf.Variable[];
  /** Frees the loss's variables (a no-op for losses without any). */
  dispose(): void;
}

/** One entry of {@link multiLabelLosses}. @category Losses */
export interface MultiLabelLossEntry<O> {
  /** Builds the loss for a training set with these counts; `options` are the loss's own options without `counts`. */
  create(counts: ClassCounts, options?: O): MultiLabelLoss;
  /** The loss's defaults (its paper or reference configuration). */
  readonly defaults: Readonly<Record<string, number>>;
  /** Whether the loss uses the training-set counts (all of them accept them). */
  readonly usesCounts: boolean;
  /** Where the loss comes from. */
  readonly reference: string;
}

type WithoutCounts<O> = Omit<O, 'counts'>;

/** A key of {@link multiLabelLosses}. @category Losses */
export type MultiLabelLossName = 'bce' | 'intra-weighted-bce' | 'inter-weighted-bce' | 'focal' | 'class-balanced-focal' | 'multi-task' | 'asymmetric';

function stateless<O extends object>(
  name: MultiLabelLossName,
  counts: ClassCounts,
  options: O | undefined,
  run: (x: tf.Tensor, y: tf.Tensor, counts: ClassCounts, options: O) => tf.Scalar,
): MultiLabelLoss {
  const fn = `createMultiLabelLoss('${name}')`;
  const checked = checkClassCounts(fn, 'counts', counts);
  checkObject(fn, 'options', options);
  const frozenCounts: ClassCounts = Object.freeze({ positives: Object.freeze(checked.positives), negatives: Object.freeze(checked.negatives) });
  const opts = { ...(options ?? {}) } as O;
  // Validate the options now, on a one-row batch, so a bad setting fails at creation.
  const c = checked.positives.length;
  tf.tidy(() => {
    run(tf.zeros([1, c]), tf.zeros([1, c]), frozenCounts, opts);
  });
  return Object.freeze({
    name,
    compute: (x: tf.Tensor, y: tf.Tensor) => run(x, y, frozenCounts, opts),
    variables: Object.freeze([]) as readonly tf.Variable[],
    dispose: () => undefined,
  });
}

function entry<O>(create: (counts: ClassCounts, options?: O) => MultiLabelLoss, defaults: Readonly<Record<string, number>>, usesCounts: boolean, reference: string): MultiLabelLossEntry<O> {
  return Object.freeze({ create, defaults, usesCounts, reference });
}

/**
 * Every multi-label (sigmoid) loss of arXiv 2204.01729 by registry key, built from explicit
 * imports. Each entry builds a {@link MultiLabelLoss} from the training set's {@link ClassCounts}
 * and the loss's own options.
 * @example
 * ```ts
 * const loss = createMultiLabelLoss('class-balanced-focal', classCounts(trainLabels));
 * const value = loss.compute(logits, targets); // caller disposes
 * ```
 * @category Losses
 */
export const multiLabelLosses = Object.freeze({
  /** Plain binary cross-entropy, see {@link binaryCrossEntropy}. */
  bce: entry(
    (counts: ClassCounts, options?: BinaryCrossEntropyOptions) => stateless('bce', counts, options, (x, y, _c, o) => binaryCrossEntropy(x, y, o)),
    Object.freeze({}),
    false,
    'binary cross-entropy (baseline of arXiv 2204.01729)',
  ),
  /** Intra-class weighted BCE, see {@link intraWeightedBce}. */
  'intra-weighted-bce': entry(
    (counts: ClassCounts, options?: WithoutCounts<IntraWeightedBceOptions>) =>
      stateless('intra-weighted-bce', counts, options, (x, y, c, o) => intraWeightedBce(x, y, { ...o, counts: c })),
    INTRA_WEIGHTED_BCE_DEFAULTS,
    true,
    'arXiv 2204.01729; imba-explain IntraWeightedBCEWithLogits',
  ),
  /** Inter-class weighted BCE, see {@link interWeightedBce}. */
  'inter-weighted-bce': entry(
    (counts: ClassCounts, options?: WithoutCounts<InterWeightedBceOptions>) =>
      stateless('inter-weighted-bce', counts, options, (x, y, c, o) => interWeightedBce(x, y, { ...o, counts: c })),
    INTER_WEIGHTED_BCE_DEFAULTS,
    true,
    'arXiv 2204.01729; imba-explain InterWeightedBCEWithLogits',
  ),
  /** Sigmoid focal loss, see {@link sigmoidFocalLoss}. */
  focal: entry(
    (counts: ClassCounts, options?: SigmoidFocalLossOptions) => stateless('focal', counts, options, (x, y, _c, o) => sigmoidFocalLoss(x, y, o)),
    SIGMOID_FOCAL_LOSS_DEFAULTS,
    false,
    'Lin et al. 2017, arXiv 1708.02002',
  ),
  /** Class-balanced focal loss, see {@link classBalancedFocalLoss}. */
  'class-balanced-focal': entry(
    (counts: ClassCounts, options?: WithoutCounts<ClassBalancedFocalLossOptions>) =>
      stateless('class-balanced-focal', counts, options, (x, y, c, o) => classBalancedFocalLoss(x, y, { ...o, counts: c })),
    CLASS_BALANCED_FOCAL_LOSS_DEFAULTS,
    true,
    'Cui et al. 2019, arXiv 1901.05555',
  ),
  /** Multi-task uncertainty weighting, see {@link MultiTaskUncertaintyLoss}. */
  'multi-task': entry(
    (counts: ClassCounts, options?: MultiTaskUncertaintyLossConfig) => {
      const fn = "createMultiLabelLoss('multi-task')";
      const { positives } = checkClassCounts(fn, 'counts', counts);
      checkObject(fn, 'options', options);
      const module = new MultiTaskUncertaintyLoss(positives.length, options);
      return Object.freeze({
        name: 'multi-task' as const,
        compute: (x: tf.Tensor, y: tf.Tensor) => module.call(x, y),
        variables: Object.freeze(module.parameters()),
        dispose: () => module.dispose(),
      });
    },
    MULTI_TASK_UNCERTAINTY_LOSS_DEFAULTS,
    false,
    'Kendall et al. 2018, arXiv 1705.07115',
  ),
  /** Asymmetric loss, see {@link asymmetricLoss}. */
  asymmetric: entry(
    (counts: ClassCounts, options?: AsymmetricLossOptions) => stateless('asymmetric', counts, options, (x, y, _c, o) => asymmetricLoss(x, y, o)),
    ASYMMETRIC_LOSS_DEFAULTS,
    false,
    'Ridnik et al. 2021, arXiv 2009.14119',
  ),
});

/** The options type of a registered multi-label loss. @category Losses */
export type MultiLabelLossOptions<N extends MultiLabelLossName> = NonNullable<Parameters<(typeof multiLabelLosses)[N]['create']>[1]>;

/**
 * Builds a registered multi-label loss by name for a training set with these counts.
 * @param name - a key of {@link multiLabelLosses}
 * @param counts - the training set's counts (see `classCounts`); they fix the number of classes
 * @param options - the loss's own options (see its function), validated here
 * @returns the loss; call `dispose()` when done (it frees the multi-task variables)
 * @throws {@link "@lab/tensor"!UnknownNameError | UnknownNameError} listing the valid names; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad
 * counts or options.
 * @example
 * ```ts
 * const loss = createMultiLabelLoss('focal', counts, { gamma: 1 });
 * ```
 * @category Losses
 */
export function createMultiLabelLoss<N extends MultiLabelLossName>(name: N, counts: ClassCounts, options?: MultiLabelLossOptions<N>): MultiLabelLoss {
  if (typeof name !== 'string' || !Object.hasOwn(multiLabelLosses, name)) {
    throw new UnknownNameError('multi-label loss', String(name), Object.keys(multiLabelLosses));
  }
  if (counts === undefined) throw new InvalidValueError(`createMultiLabelLoss: counts must be the training set's class counts, got undefined`);
  const e = multiLabelLosses[name] as MultiLabelLossEntry<MultiLabelLossOptions<N>>;
  return e.create(counts, options);
}
