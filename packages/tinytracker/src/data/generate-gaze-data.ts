/**
 * A procedural gaze dataset: rendered face crops whose gaze point in centimetres is known.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, checkOptions } from '@lab/tensor';
import { checkBool, checkInt, checkNumber, checkOneOf, withDefaults } from '../internal/checks';
import { FACE_GRID_SIZE, type FaceGridBox, faceGridChannels } from './face-grid';

/** Options of {@link generateGazeData}; defaults in {@link GENERATE_GAZE_DATA_DEFAULTS}. @category Data */
export interface GenerateGazeDataOptions {
  /** Side of the square face crop. @defaultValue 112 (TinyTracker's README input) */
  size?: number;
  /** `'rgb'` (3 channels) or `'grey'` (1). @defaultValue 'rgb' */
  colour?: 'rgb' | 'grey';
  /** Append the two face-grid channels of each sample's face box (see `faceGridChannels`). @defaultValue false */
  faceGrid?: boolean;
  /** Half-range (cm) of the head's offset from the screen centre line, uniform in ±this. @defaultValue 1 */
  headRangeCm?: number;
  /** Standard deviation of additive pixel noise, in [−1, 1] units. @defaultValue 0.02 */
  noise?: number;
  /** Seed of every random choice. @defaultValue 0 */
  seed?: number;
}

/**
 * Defaults of {@link GenerateGazeDataOptions}, and the scene they render (this package's design,
 * chosen so the gaze is learnable from the pupils in a few minutes of training):
 * targets uniform on a phone screen below the camera, x ∈ [−6, 6] cm, y ∈ [−14, −2] cm
 * (GazeCapture camera coordinates, portrait: `YCam` < 0); eyes at 28–32 cm from the screen.
 * @category Data
 */
export const GENERATE_GAZE_DATA_DEFAULTS = Object.freeze({
  /** Default of {@link GenerateGazeDataOptions.size}. */
  size: 112,
  /** Default of {@link GenerateGazeDataOptions.colour}. */
  colour: 'rgb',
  /** Default of {@link GenerateGazeDataOptions.faceGrid}. */
  faceGrid: false,
  /** Default of {@link GenerateGazeDataOptions.headRangeCm}. */
  headRangeCm: 1,
  /** Default of {@link GenerateGazeDataOptions.noise}. */
  noise: 0.02,
  /** Default of {@link GenerateGazeDataOptions.seed}. */
  seed: 0,
} as const);

/** The screen region (cm, camera coordinates) targets are drawn from. @category Data */
export const GAZE_SCREEN_CM = Object.freeze({
  /** Left edge (cm). */
  xMin: -6,
  /** Right edge (cm). */
  xMax: 6,
  /** Lower edge (cm). */
  yMin: -14,
  /** Upper edge (cm). */
  yMax: -2,
} as const);

/** Eye-to-screen distance range (cm). */
const DISTANCE_CM = [28, 32] as const;
/** Vertical position of the eyes (cm) around which the head moves. */
const HEAD_Y_CM = -6;
/** Pupil offset per unit sine of the gaze angle, as a fraction of its travel inside the eye (at most 0.72 here). */
const PUPIL_TRAVEL = 1.6;

/** What {@link generateGazeData} returns; the caller disposes the tensors. @category Data */
export interface GazeData {
  /** Face crops `[n, s, s, c]` in [−1, 1] (c = 3 or 1, plus 2 with `faceGrid`). */
  readonly images: tf.Tensor4D;
  /** Gaze points `[n, 2]` in cm (x, y camera coordinates). */
  readonly gazeCm: tf.Tensor2D;
  /** The face box of each sample in the 25×25 face grid (1-indexed `[x, y, w, h]`). */
  readonly faceGrids: FaceGridBox[];
}

interface Sample {
  gaze: [number, number];
  grid: FaceGridBox;
  pupil: [number, number];
  cx: number;
  cy: number;
  scale: number;
  skin: [number, number, number];
  background: [number, number, number];
  iris: [number, number, number];
  light: [number, number];
}

/**
 * Renders a seeded set of synthetic face crops looking at known points on a phone screen.
 *
 * For each sample: a target `g` on the screen ({@link GAZE_SCREEN_CM}), a head position `h`
 * (x and y within ±`headRangeCm` of (0, −6) cm) and distance `d` ∈ [28, 32] cm. Both pupils move
 * by `1.6·sin(atan((g − h)/d))` of their travel (image y pointing down), so the gaze follows from
 * the pupils up to the head's unknown position and distance (or, with `faceGrid`, from the pupils
 * and the face box, whose cell position follows `h` and width `13·30/d`). The face (skin ellipse,
 * eyes with iris and pupil, brows, mouth) is jittered in position (±2 %) and scale (±4 %), with
 * random skin, iris and background colours, a lighting gradient, anti-aliased edges and Gaussian
 * pixel noise. Deterministic for a given seed.
 * @param count - number of samples, a positive integer
 * @param options - see {@link GenerateGazeDataOptions}
 * @returns images, gaze points and face boxes; the caller disposes `images` and `gazeCm`
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad count or option
 * @example
 * ```ts
 * const { images, gazeCm } = generateGazeData(256, { seed: 1 }); // [256,112,112,3], [256,2]
 * ```
 * @category Data
 */
export function generateGazeData(count: number, options: GenerateGazeDataOptions = {}): GazeData {
  const fn = 'generateGazeData';
  checkInt(fn, 'count', count);
  checkOptions(fn, options, Object.keys(GENERATE_GAZE_DATA_DEFAULTS));
  const o = withDefaults(GENERATE_GAZE_DATA_DEFAULTS, options);
  checkInt(fn, 'size', o.size, 16);
  checkOneOf(fn, 'colour', o.colour, ['rgb', 'grey']);
  checkBool(fn, 'faceGrid', o.faceGrid);
  checkNumber(fn, 'headRangeCm', o.headRangeCm, 0, 10);
  checkNumber(fn, 'noise', o.noise, 0, 1);
  checkNumber(fn, 'seed', o.seed);
  const rng = new Rng(o.seed);
  const s = o.size;
  const channels = o.colour === 'rgb' ? 3 : 1;
  const pixels = new Float32Array(count * s * s * channels);
  const gaze = new Float32Array(count * 2);
  const grids: FaceGridBox[] = [];
  for (let n = 0; n < count; n++) {
    const sample = drawSample(rng, o.headRangeCm);
    gaze[2 * n] = sample.gaze[0];
    gaze[2 * n + 1] = sample.gaze[1];
    grids.push(sample.grid);
    render(sample, s, channels, o.noise, rng, pixels.subarray(n * s * s * channels, (n + 1) * s * s * channels));
  }
  const gazeCm = tf.tensor2d(gaze, [count, 2]);
  if (!o.faceGrid) return { images: tf.tensor4d(pixels, [count, s, s, channels]), gazeCm, faceGrids: grids };
  const images = tf.tidy(() => tf.concat([tf.tensor4d(pixels, [count, s, s, channels]), faceGridChannels(grids, s)], 3) as tf.Tensor4D);
  return { images, gazeCm, faceGrids: grids };
}

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

function drawSample(rng: Rng, headRange: number): Sample {
  const gx = uniform(rng, GAZE_SCREEN_CM.xMin, GAZE_SCREEN_CM.xMax);
  const gy = uniform(rng, GAZE_SCREEN_CM.yMin, GAZE_SCREEN_CM.yMax);
  const hx = uniform(rng, -headRange, headRange);
  const hy = HEAD_Y_CM + uniform(rng, -headRange, headRange);
  const d = uniform(rng, DISTANCE_CM[0], DISTANCE_CM[1]);
  const px = PUPIL_TRAVEL * Math.sin(Math.atan2(gx - hx, d));
  const py = -PUPIL_TRAVEL * Math.sin(Math.atan2(gy - hy, d));
  // Face box in the 25×25 grid: width ∝ 1/d, centre follows the head (about 1.1 cm per cell).
  const g = FACE_GRID_SIZE;
  const w = Math.round((13 * 30) / d);
  const col = Math.round(g / 2 + hx / 1.1 - w / 2) + 1;
  const row = Math.round(g / 2 - (hy - HEAD_Y_CM) / 1.1 - w / 2) + 1;
  const clampCell = (v: number): number => Math.max(1, Math.min(g + 1 - w, v));
  const skinBase = uniform(rng, 0.35, 0.95);
  return {
    gaze: [gx, gy],
    grid: [clampCell(col), clampCell(row), w, w],
    pupil: [px, py],
    cx: 0.5 + uniform(rng, -0.02, 0.02),
    cy: 0.5 + uniform(rng, -0.02, 0.02),
    scale: uniform(rng, 0.96, 1.04),
    skin: [skinBase, skinBase * uniform(rng, 0.7, 0.85), skinBase * uniform(rng, 0.55, 0.75)],
    background: [rng.next() * 0.6, rng.next() * 0.6, rng.next() * 0.6],
    iris: [uniform(rng, 0.1, 0.5), uniform(rng, 0.15, 0.55), uniform(rng, 0.1, 0.6)],
    light: [uniform(rng, -0.25, 0.25), uniform(rng, -0.25, 0.25)],
  };
}

/** Coverage of an ellipse at pixel distance units: 1 inside, 0 outside, linear over about one pixel. */
function ellipse(x: number, y: number, cx: number, cy: number, rx: number, ry: number, px: number): number {
  const dx = (x - cx) / rx;
  const dy = (y - cy) / ry;
  const r = Math.sqrt(dx * dx + dy * dy);
  const sd = (r - 1) * Math.min(rx, ry); // approximate signed distance
  return Math.max(0, Math.min(1, 0.5 - sd / px));
}

function mix(into: number[], colour: readonly number[], alpha: number): void {
  for (let c = 0; c < 3; c++) into[c] += (colour[c] - into[c]) * alpha;
}

function render(sample: Sample, s: number, channels: number, noise: number, rng: Rng, out: Float32Array): void {
  const px = 1 / s;
  const k = sample.scale;
  const face = { rx: 0.38 * k, ry: 0.47 * k };
  const eyeRx = 0.12 * k;
  const eyeRy = 0.07 * k;
  const irisR = 0.055 * k;
  const pupilR = 0.025 * k;
  const eyes = [-0.18, 0.18].map((dx) => ({ x: sample.cx + dx * k, y: sample.cy - 0.08 * k }));
  const rgb = [0, 0, 0];
  for (let i = 0; i < s; i++) {
    const y = (i + 0.5) * px;
    for (let j = 0; j < s; j++) {
      const x = (j + 0.5) * px;
      rgb[0] = sample.background[0];
      rgb[1] = sample.background[1];
      rgb[2] = sample.background[2];
      const light = 1 + sample.light[0] * (x - 0.5) * 2 + sample.light[1] * (y - 0.5) * 2;
      const skin = sample.skin.map((v) => Math.min(1, v * light));
      mix(rgb, skin, ellipse(x, y, sample.cx, sample.cy, face.rx, face.ry, px));
      for (const e of eyes) {
        const sclera = ellipse(x, y, e.x, e.y, eyeRx, eyeRy, px);
        if (sclera <= 0) {
          // brow above the eye
          mix(rgb, [0.12, 0.08, 0.06], ellipse(x, y, e.x, e.y - 0.1 * k, 0.11 * k, 0.018 * k, px));
          continue;
        }
        mix(rgb, [0.95 * light, 0.95 * light, 0.93 * light], sclera);
        const ix = e.x + sample.pupil[0] * (eyeRx - irisR * 0.6);
        const iy = e.y + sample.pupil[1] * (eyeRy - irisR * 0.5);
        mix(rgb, sample.iris, Math.min(sclera, ellipse(x, y, ix, iy, irisR, irisR, px)));
        mix(rgb, [0.03, 0.03, 0.03], Math.min(sclera, ellipse(x, y, ix, iy, pupilR, pupilR, px)));
      }
      mix(rgb, [0.45, 0.15, 0.15], ellipse(x, y, sample.cx, sample.cy + 0.24 * k, 0.12 * k, 0.03 * k, px));
      const o = (i * s + j) * channels;
      if (channels === 3) {
        for (let c = 0; c < 3; c++) out[o + c] = clampUnit(rgb[c] * 2 - 1 + noise * rng.gaussian());
      } else {
        out[o] = clampUnit((0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) * 2 - 1 + noise * rng.gaussian());
      }
    }
  }
}

function clampUnit(v: number): number {
  return v < -1 ? -1 : v > 1 ? 1 : v;
}
