/**
 * The exact signed ground truth of AttributionLab, read off the design (never off the network).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, checkOptions } from '@lab/tensor';
import { type LabDesign, unitEvidence } from './design';
import { PALETTE_COLOURS } from './palette';

/** Options of {@link designedGroundTruth}. @category AttributionLab */
export interface DesignedGroundTruthOptions {
  /**
   * The explained output: one class index for every sample or one per sample (classification);
   * must be omitted or 0 for regression.
   * @defaultValue the class the network predicts for each sample (its active unit)
   */
  target?: number | readonly number[];
  /**
   * Return each pixel's exact effect (the signed feature weight `W[t, colour]`) instead of its
   * sign `−1 / 0 / +1`.
   * @defaultValue false
   */
  magnitude?: boolean;
}

/** Defaults of {@link DesignedGroundTruthOptions}. @category AttributionLab */
export const DESIGNED_GROUND_TRUTH_DEFAULTS = Object.freeze({
  /** Default of {@link DesignedGroundTruthOptions.magnitude}. */
  magnitude: false,
});

/**
 * The signed per-pixel ground truth of designed images for one output: `+` on pixels of colours
 * that raise the explained output, `−` on colours that lower it, 0 on everything the network
 * ignores (background, distractors, other classes' colours).
 *
 * For explained unit `t` with evidence `e_t = Σ_c W[t, c]·n_c` and threshold `θ_t`, a pixel of
 * colour `c` gets `W[t, c]` (or its sign) when the unit is active (`e_t > θ_t`) and 0 when it is
 * not: an inactive unit ignores every pixel locally. On images from {@link generateDesignedData}
 * the active unit clears its threshold by its margin, so this value is exactly the change of the
 * explained output when the pixel is repainted with the background colour, and replacing any
 * pixel of ground truth 0 by any colour that unit `t` does not read leaves the output bit-for-bit
 * unchanged. The map is per pixel, `[N, H, W, 1]`: a method's `[N, H, W, 3]` map is compared after
 * summing its channels.
 * @param design - the environment design
 * @param images - designed images `[N, H, W, 3]`, every value exactly 0 or 1
 * @param options - see {@link DesignedGroundTruthOptions}
 * @returns the ground truth `[N, H, W, 1]`, float32; the caller disposes it
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for images of another shape; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a pixel
 *   that is not a palette colour, a bad target or an unknown option.
 * @example
 * ```ts
 * const gt = designedGroundTruth(env.design, images, { target: labels });
 * ```
 * @category AttributionLab
 */
export function designedGroundTruth(design: LabDesign, images: tf.Tensor, options: DesignedGroundTruthOptions = {}): tf.Tensor4D {
  const fn = 'designedGroundTruth';
  checkOptions(fn, options, ['target', 'magnitude']);
  if (!(images instanceof tf.Tensor) || images.rank !== 4 || images.shape[1] !== design.height || images.shape[2] !== design.width || images.shape[3] !== 3) {
    throw new ShapeError(
      `${fn}: images must be [N, ${design.height}, ${design.width}, 3], got ${images instanceof tf.Tensor ? `[${images.shape}]` : typeof images}`,
    );
  }
  const magnitude = options.magnitude ?? DESIGNED_GROUND_TRUTH_DEFAULTS.magnitude;
  if (typeof magnitude !== 'boolean') throw new InvalidValueError(`${fn}: magnitude must be a boolean, got ${String(magnitude)}`);
  const n = images.shape[0];
  const targets = resolveLabTargets(fn, design, options.target, n);
  const colours = coloursOf(fn, images.dataSync() as Float32Array);
  const values = groundTruthValues(design, colours, n, targets, magnitude);
  return tf.tensor4d(values, [n, design.height, design.width, 1]);
}

/**
 * Per-sample explained units: `undefined` entries mean "the active unit" (internal).
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a target out of range or of the wrong length.
 */
export function resolveLabTargets(fn: string, design: LabDesign, target: unknown, n: number): (number | undefined)[] {
  if (target === undefined) return new Array<number | undefined>(n).fill(design.task === 'regression' ? 0 : undefined);
  const list = typeof target === 'number' ? new Array<number>(n).fill(target) : Array.isArray(target) || ArrayBuffer.isView(target) ? Array.from(target as ArrayLike<number>) : null;
  if (list === null) throw new InvalidValueError(`${fn}: target must be a class index or one index per sample, got ${typeof target}`);
  if (list.length !== n) throw new InvalidValueError(`${fn}: target must have one index per sample (${n}), got ${list.length}`);
  const k = design.task === 'classification' ? design.units.length : 1;
  for (const t of list) {
    if (!Number.isInteger(t) || t < 0 || t >= k) throw new InvalidValueError(`${fn}: target must be an integer in [0, ${k}), got ${String(t)}`);
  }
  return list;
}

/**
 * Palette indices of NHWC RGB values that are exactly 0 or 1 (internal).
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} naming the first pixel that is not a palette colour.
 */
export function coloursOf(fn: string, rgb: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(rgb.length / 3);
  for (let p = 0; p < out.length; p++) {
    const r = rgb[3 * p];
    const g = rgb[3 * p + 1];
    const b = rgb[3 * p + 2];
    if ((r !== 0 && r !== 1) || (g !== 0 && g !== 1) || (b !== 0 && b !== 1)) {
      throw new InvalidValueError(`${fn}: images must hold palette colours only (values 0 or 1), got [${r}, ${g}, ${b}] at flat pixel ${p}`);
    }
    out[p] = r + 2 * g + 4 * b;
  }
  return out;
}

/**
 * Ground-truth values `[N·H·W]` from palette indices `[N·H·W]` (internal; see
 * {@link designedGroundTruth}). A target of `undefined` explains the sample's active unit.
 */
export function groundTruthValues(
  design: LabDesign,
  colours: Uint8Array,
  n: number,
  targets: readonly (number | undefined)[],
  magnitude: boolean,
): Float32Array {
  const HW = design.height * design.width;
  const P = PALETTE_COLOURS.length;
  const out = new Float32Array(n * HW);
  for (let s = 0; s < n; s++) {
    const counts = new Int32Array(P);
    for (let p = 0; p < HW; p++) counts[colours[s * HW + p]]++;
    const slack = unitEvidence(design, counts).map((e, j) => e - design.units[j].threshold);
    let t = targets[s];
    if (t === undefined) {
      // the predicted class: the most active unit; none active means every pixel is ignored
      t = slack.reduce((best, v, j) => (v > slack[best] ? j : best), 0);
    }
    if (!(slack[t] > 0)) continue;
    const w = design.units[t].colourWeights;
    for (let p = 0; p < HW; p++) {
      const v = w[colours[s * HW + p]];
      out[s * HW + p] = magnitude ? v : Math.sign(v);
    }
  }
  return out;
}
