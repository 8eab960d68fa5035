import { checkOptions } from '@lab/tensor';
import type { Rng } from '@lab/tensor';
import { checkNumber, type ImageDims } from '../core/checks';
import { Imputer } from './imputer';

/** Options of {@link ConstantImputer}. @category Imputation */
export interface ConstantImputerOptions {
  /** The fill value, in input space. @defaultValue 0 (soco's Deletion comparison, `fill_value=0.0`) */
  value?: number;
}

/** Defaults of {@link ConstantImputerOptions}: fill 0, as soco `IdentityImputation`. @category Imputation */
export const CONSTANT_IMPUTER_DEFAULTS = Object.freeze({
  /** Default of {@link ConstantImputerOptions.value}. */
  value: 0,
});

/**
 * Replaces every channel of a removed pixel by one constant: `x̃_p = v`.
 * @see sandylaker/soco `soco/imputations/identity.py` (`IdentityImputation`, `fill_value`)
 * @example
 * ```ts
 * const out = await new ConstantImputer({ value: 0.5 }).impute(images, removed);
 * ```
 * @category Imputation
 */
export class ConstantImputer extends Imputer {
  readonly name = 'constant';
  /** The fill value. */
  readonly value: number;

  /** @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a non-finite value or an unknown option */
  constructor(options: ConstantImputerOptions = {}) {
    super();
    checkOptions('ConstantImputer', options, ['value']);
    this.value = checkNumber('ConstantImputer', 'value', options.value ?? CONSTANT_IMPUTER_DEFAULTS.value);
  }

  fill(image: Float32Array, removed: Uint8Array, dims: ImageDims, _rng: Rng): void {
    const c = dims.channels;
    for (let p = 0; p < removed.length; p++) {
      if (removed[p]) for (let k = 0; k < c; k++) image[p * c + k] = this.value;
    }
  }
}
