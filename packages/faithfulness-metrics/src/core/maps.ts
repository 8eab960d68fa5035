/**
 * Attribution maps on the host: read once, reduced to one value per pixel, sign-converted and
 * normalised in the one documented order (see `MapOptions`).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@lab/tensor';
import type { Normalisation, SignConversion } from './metric';
import { checkChoice } from './checks';

/** Accepted values of the shared map options. */
export const SIGN_CONVERSIONS: readonly SignConversion[] = Object.freeze(['keep', 'abs', 'positive', 'negative']);
export const NORMALISATIONS: readonly Normalisation[] = Object.freeze(['none', 'max', 'sum']);

/** Per-pixel maps of a batch: `values[i·P + p]`, `P = H·W`. */
export interface PixelMaps {
  readonly values: Float64Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  /** Pixels per map, `H·W`. */
  readonly pixels: number;
}

export interface PrepareMapsOptions {
  sign: SignConversion;
  normalise: Normalisation;
  /** Reject a negative value after the sign conversion (metrics defined on non-negative maps). */
  requireNonNegative?: boolean;
  /** Argument name used in messages. */
  arg?: string;
}

/** Checks the two map options. */
export function checkMapOptions(fn: string, sign: unknown, normalise: unknown): { sign: SignConversion; normalise: Normalisation } {
  return { sign: checkChoice(fn, 'sign', sign, SIGN_CONVERSIONS), normalise: checkChoice(fn, 'normalise', normalise, NORMALISATIONS) };
}

/**
 * Reads a map batch `[N, H, W, C|1]` (shape already checked) into per-pixel host values: channel
 * sum, sign conversion, non-negativity check, normalisation.
 * @throws InvalidValueError for NaN/Inf, or a negative value where `requireNonNegative` is set.
 */
export async function readPixelMaps(fn: string, a: tf.Tensor, options: PrepareMapsOptions): Promise<PixelMaps> {
  const arg = options.arg ?? 'attributions';
  const [count, height, width] = a.shape as number[];
  const channels = a.rank === 4 ? (a.shape[3] as number) : 1;
  const raw = await a.data();
  const pixels = height * width;
  const values = new Float64Array(count * pixels);
  for (let q = 0; q < count * pixels; q++) {
    let s = 0;
    for (let c = 0; c < channels; c++) {
      const v = raw[q * channels + c];
      if (!Number.isFinite(v)) {
        throw new InvalidValueError(`${fn}: ${arg} must be finite, got ${v} in sample ${Math.floor(q / pixels)}`);
      }
      s += v;
    }
    values[q] = s;
  }
  return transformPixelMaps(fn, { values, count, height, width, pixels }, options);
}

/** Applies the sign conversion, the non-negativity check and the normalisation in place. */
export function transformPixelMaps(fn: string, maps: PixelMaps, options: PrepareMapsOptions): PixelMaps {
  const { values, count, pixels } = maps;
  const arg = options.arg ?? 'attributions';
  if (options.sign !== 'keep') {
    for (let q = 0; q < values.length; q++) {
      const v = values[q];
      values[q] = options.sign === 'abs' ? Math.abs(v) : options.sign === 'positive' ? Math.max(v, 0) : Math.max(-v, 0);
    }
  }
  if (options.requireNonNegative) {
    for (let q = 0; q < values.length; q++) {
      if (values[q] < 0) {
        throw new InvalidValueError(
          `${fn}: ${arg} must be non-negative (convert a signed map explicitly with option sign: 'abs' | 'positive' | 'negative'), got ${values[q]} in sample ${Math.floor(q / pixels)}`,
        );
      }
    }
  }
  if (options.normalise !== 'none') {
    for (let i = 0; i < count; i++) {
      let d = 0;
      for (let p = 0; p < pixels; p++) {
        const v = Math.abs(values[i * pixels + p]);
        d = options.normalise === 'max' ? Math.max(d, v) : d + v;
      }
      if (d > 0) for (let p = 0; p < pixels; p++) values[i * pixels + p] /= d;
    }
  }
  return maps;
}

/** One sample's values, a view. */
export function mapOf(maps: PixelMaps, i: number): Float64Array {
  return maps.values.subarray(i * maps.pixels, (i + 1) * maps.pixels);
}
