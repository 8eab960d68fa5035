/**
 * The registry of importance criteria.
 * @packageDocumentation
 */
import { UnknownNameError } from '@lab/tensor';
import { bnScaleImportance, type BnScaleImportanceOptions } from './bn-scale-importance';
import { fpgmImportance } from './fpgm-importance';
import { hessianImportance } from './hessian-importance';
import type { GroupCriterionOptions, ImportanceCriterion } from './importance-criterion';
import { l1Importance } from './l1-importance';
import { l2Importance } from './l2-importance';
import { randomImportance, type RandomImportanceOptions } from './random-importance';
import { taylorImportance } from './taylor-importance';

/** One entry of {@link criteria}: its factory and its source. @category Criteria */
export interface CriterionEntry<O> {
  /** Builds the criterion. */
  create(options?: O): ImportanceCriterion;
  /** Paper the criterion comes from. */
  reference: string;
}

function entry<O>(create: (options?: O) => ImportanceCriterion, reference: string): CriterionEntry<O> {
  return Object.freeze({ create, reference });
}

/**
 * Every importance criterion by its key, built from explicit imports.
 * @example
 * ```ts
 * const taylor = createCriterion('taylor', { reduction: 'sum' });
 * ```
 * @category Criteria
 */
export const criteria = Object.freeze({
  /** {@link l1Importance}: the L1 norm of the weights each channel owns. */
  l1: entry<GroupCriterionOptions>(l1Importance, 'Li et al. 2017, arXiv 1608.08710'),
  /** {@link l2Importance}: the L2 norm of the weights each channel owns. */
  l2: entry<GroupCriterionOptions>(l2Importance, 'He et al. 2018, arXiv 1808.06866'),
  /** {@link bnScaleImportance}: `|γ|` of the group's batch norms (Network Slimming). */
  'bn-scale': entry<BnScaleImportanceOptions>(bnScaleImportance, 'Liu et al. 2017, arXiv 1708.06519'),
  /** {@link taylorImportance}: the first-order Taylor estimate `(Σ g·w)²`. */
  taylor: entry<GroupCriterionOptions>(taylorImportance, 'Molchanov et al. 2019, arXiv 1906.10771'),
  /** {@link fpgmImportance}: distance to the other filters (geometric median, FPGM). */
  fpgm: entry<GroupCriterionOptions>(fpgmImportance, 'He et al. 2019, arXiv 1811.00250'),
  /** {@link hessianImportance}: Optimal Brain Damage with the Fisher approximation of the Hessian. */
  hessian: entry<GroupCriterionOptions>(hessianImportance, 'LeCun et al. 1990 (Optimal Brain Damage)'),
  /** {@link randomImportance}: seeded uniform scores, the baseline of random channel pruning. */
  random: entry<RandomImportanceOptions>(randomImportance, 'Li et al. 2022, arXiv 2205.05676'),
});

/** A key of {@link criteria}. @category Criteria */
export type CriterionName = keyof typeof criteria;

/**
 * Builds the criterion registered under `name`.
 * @param name - a key of {@link criteria}
 * @param options - the criterion's options
 * @returns the criterion
 * @throws {@link "@lab/tensor"!UnknownNameError | UnknownNameError} listing the valid names; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on bad options
 * @category Criteria
 */
export function createCriterion(name: string, options?: object): ImportanceCriterion {
  if (!Object.hasOwn(criteria, name)) throw new UnknownNameError('criterion', name, Object.keys(criteria));
  return (criteria[name as CriterionName] as CriterionEntry<object>).create(options);
}
