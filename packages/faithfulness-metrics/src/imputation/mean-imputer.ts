import type { Rng } from '@lab/tensor';
import type { ImageDims } from '../core/checks';
import { Imputer, type ImputerState } from './imputer';

/**
 * Replaces a removed pixel by the per-channel mean of the whole original image:
 * `x̃_{p,c} = (1/HW) Σ_q x_{q,c}` (Quantus `baseline_replacement_by_indices` with `"mean"`), so the
 * fill does not depend on which pixels are removed.
 * @example
 * ```ts
 * const out = await new MeanImputer().impute(images, removed);
 * ```
 * @category Imputation
 */
export class MeanImputer extends Imputer {
  readonly name = 'mean';

  fill(image: Float32Array, removed: Uint8Array, dims: ImageDims, _rng: Rng, state?: ImputerState): void {
    const c = dims.channels;
    const pixels = dims.height * dims.width;
    let mean = state?.cache;
    if (!mean || mean.length !== c) {
      const acc = new Float64Array(c);
      for (let p = 0; p < pixels; p++) for (let k = 0; k < c; k++) acc[k] += image[p * c + k];
      mean = Float32Array.from(acc, (v) => v / pixels);
      if (state) state.cache = mean;
    }
    for (let p = 0; p < pixels; p++) {
      if (removed[p]) for (let k = 0; k < c; k++) image[p * c + k] = mean[k];
    }
  }
}
