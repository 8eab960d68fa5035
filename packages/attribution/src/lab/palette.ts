/**
 * The AttributionLab palette: the eight vertices of the RGB cube, and the closed-form response of
 * the designed colour detectors anywhere inside the cube.
 * @packageDocumentation
 */
import { InvalidValueError } from '@lab/tensor';

/**
 * A colour of the AttributionLab palette: a vertex of the RGB cube `[0, 1]³`.
 * @category AttributionLab
 */
export type PaletteColour = 'black' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white';

/**
 * The palette in index order: colour `i` has RGB `(i & 1, (i >> 1) & 1, (i >> 2) & 1)`, so
 * black = 0, red = 1, green = 2, yellow = 3, blue = 4, magenta = 5, cyan = 6, white = 7. Channel `i`
 * of the designed network's detector layer detects `PALETTE_COLOURS[i]`.
 * @category AttributionLab
 */
export const PALETTE_COLOURS: readonly PaletteColour[] = Object.freeze([
  'black',
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'white',
] as const);

/**
 * The palette index of a colour (see {@link PALETTE_COLOURS}).
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a name that is not a palette colour.
 * @category AttributionLab
 */
export function paletteIndex(colour: PaletteColour, fn = 'paletteIndex', arg = 'colour'): number {
  const i = PALETTE_COLOURS.indexOf(colour);
  if (i < 0) {
    throw new InvalidValueError(`${fn}: ${arg} must be one of ${PALETTE_COLOURS.join(', ')}, got ${String(colour)}`);
  }
  return i;
}

/**
 * The RGB triple `[r, g, b]` (each 0 or 1) of a palette colour.
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a name that is not a palette colour.
 * @category AttributionLab
 */
export function paletteRgb(colour: PaletteColour): [number, number, number] {
  const i = paletteIndex(colour, 'paletteRgb');
  return [i & 1, (i >> 1) & 1, (i >> 2) & 1];
}

/**
 * The weights and bias of the designed detector unit of one palette colour at a given sharpness:
 * `w_i = k·(+1 if v_i = 1 else −1)`, `b = 1 − k·|v|` (with `|v|` the number of ones of the vertex).
 * @category AttributionLab
 */
export function detectorWeights(
  colour: PaletteColour,
  sharpness = 1,
): {
  /** `w` on R, G and B. */
  weights: [number, number, number];
  /** `b`. */
  bias: number;
} {
  checkSharpness('detectorWeights', sharpness);
  const v = paletteRgb(colour);
  const ones = v[0] + v[1] + v[2];
  return { weights: v.map((vi) => sharpness * (vi === 1 ? 1 : -1)) as [number, number, number], bias: 1 - sharpness * ones };
}

/**
 * The response of the designed detector of `colour` to one RGB value, in closed form: exactly what
 * channel `paletteIndex(colour)` of the network's detector layer (after its ReLU) outputs.
 *
 * With `z_v(x) = Σ_{i: v_i=1} x_i − Σ_{i: v_i=0} x_i − (|v| − 1)`, the response is
 * `d_v(x) = ReLU(k·z_v(x) − (k − 1))` for sharpness `k`. On the cube `z_v ≤ 1`, with equality only
 * at the vertex `v`, and `z_v ≤ 0` at every other vertex, so `d_v` is exactly 1 on pixels of colour
 * `v` and exactly 0 on pixels of any other palette colour, for every `k ≥ 1`. Between vertices
 * (colours the data never contains) the response is graded: `d_v > 0` exactly where
 * `z_v > 1 − 1/k`, a neighbourhood of `v` that shrinks as `k` grows. Mid-grey `(½, ½, ½)` has
 * `z_v = −½` for every vertex, so every detector gives 0 there, at any sharpness.
 * @param rgb - one colour, `[r, g, b]` (any real values; the cube is `[0, 1]³`)
 * @param colour - the detector's palette colour
 * @param sharpness - the detector sharpness `k`, an integer ≥ 1
 * @returns the detector output, a number ≥ 0 (≤ 1 inside the cube)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad colour or sharpness.
 * @example
 * ```ts
 * detectorResponse([1, 0, 0], 'red');       // 1
 * detectorResponse([0.75, 0, 0], 'red');    // 0.75
 * detectorResponse([0.75, 0, 0], 'red', 2); // 0.5
 * detectorResponse([0.5, 0.5, 0.5], 'red'); // 0
 * ```
 * @category AttributionLab
 */
export function detectorResponse(rgb: readonly [number, number, number], colour: PaletteColour, sharpness = 1): number {
  const { weights, bias } = detectorWeights(colour, sharpness);
  if (!Array.isArray(rgb) || rgb.length !== 3 || !rgb.every((c) => typeof c === 'number' && Number.isFinite(c))) {
    throw new InvalidValueError(`detectorResponse: rgb must be three finite numbers, got ${String(rgb)}`);
  }
  return Math.max(0, weights[0] * rgb[0] + weights[1] * rgb[1] + weights[2] * rgb[2] + bias);
}

/** Throws unless `k` is an integer ≥ 1 (internal). */
export function checkSharpness(fn: string, k: unknown): asserts k is number {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
    throw new InvalidValueError(`${fn}: sharpness must be an integer >= 1, got ${String(k)}`);
  }
}
