import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { Rng } from '@lab/tensor';
import { checkNumber, type ImageDims } from '../core/checks';
import { Imputer } from './imputer';

/** Options of {@link UniformImputer}. @category Imputation */
export interface UniformImputerOptions {
  /** Lower bound. @defaultValue 0 */
  low?: number;
  /** Upper bound, > low. @defaultValue 1 */
  high?: number;
}

/** Defaults of {@link UniformImputerOptions}: U(0, 1), images in [0, 1] (Samek et al. 2016 region perturbation). @category Imputation */
export const UNIFORM_IMPUTER_DEFAULTS = Object.freeze({
  /** Default of {@link UniformImputerOptions.low}. */
  low: 0,
  /** Default of {@link UniformImputerOptions.high}. */
  high: 1,
});

/**
 * Replaces every channel of a removed pixel by an independent uniform draw `x̃_{p,c} ~ U(low, high)`
 * from the seeded generator (Quantus `baseline_replacement_by_indices` with `"uniform"`).
 * @see arXiv 1509.06321 (Samek et al., region perturbation)
 * @example
 * ```ts
 * const out = await new UniformImputer().impute(images, removed, { seed: 3 });
 * ```
 * @category Imputation
 */
export class UniformImputer extends Imputer {
  readonly name = 'uniform';
  /** The resolved {@link UniformImputerOptions.low}. */
  readonly low: number;
  /** The resolved {@link UniformImputerOptions.high}. */
  readonly high: number;

  /** @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for non-finite bounds, `high ≤ low` or an unknown option */
  constructor(options: UniformImputerOptions = {}) {
    super();
    checkOptions('UniformImputer', options, ['low', 'high']);
    this.low = checkNumber('UniformImputer', 'low', options.low ?? UNIFORM_IMPUTER_DEFAULTS.low);
    this.high = checkNumber('UniformImputer', 'high', options.high ?? UNIFORM_IMPUTER_DEFAULTS.high);
    if (!(this.high > this.low)) throw new InvalidValueError(`UniformImputer: high must be > low, got low=${this.low} high=${this.high}`);
  }

  fill(image: Float32Array, removed: Uint8Array, dims: ImageDims, rng: Rng): void {
    const c = dims.channels;
    const span = this.high - this.low;
    for (let p = 0; p < removed.length; p++) {
      if (removed[p]) for (let k = 0; k < c; k++) image[p * c + k] = this.low + span * rng.next();
    }
  }
}
