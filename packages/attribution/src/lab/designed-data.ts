/**
 * The AttributionLab data generator: seeded images of coloured patches on a background, with
 * labels the designed network computes exactly.
 * @packageDocumentation
 */
import { InvalidValueError, Rng, checkOptions } from '@lab/tensor';
import { type LabDesign, type LabPatchShape, designedOutputs, unitEvidence } from './design';
import { PALETTE_COLOURS, type PaletteColour, paletteIndex } from './palette';

/** One patch drawn into a designed image. @category AttributionLab */
export interface DesignedPatch {
  /** The palette colour the patch is drawn in. */
  readonly colour: PaletteColour;
  /** Rectangle or blob. */
  readonly shape: LabPatchShape;
  /** Top row of the bounding box (the box: top row, left column, height and width in pixels). */
  readonly top: number;
  /** Left column of the bounding box. */
  readonly left: number;
  /** Height of the bounding box in pixels. */
  readonly height: number;
  /** Width of the bounding box in pixels. */
  readonly width: number;
  /** Pixels the patch covers (equal to `height·width` for rectangles). */
  readonly pixels: number;
}

/**
 * A batch of designed samples as plain arrays (no tensors).
 * @category AttributionLab
 */
export interface DesignedData {
  /** Number of samples `N`. */
  readonly count: number;
  /** Image height `H` in pixels. */
  readonly height: number;
  /** Image width `W` in pixels. */
  readonly width: number;
  /** Images, NHWC `[N, H, W, 3]` flattened; every value is exactly 0 or 1 (palette colours only). */
  readonly images: Float32Array;
  /** Palette index of every pixel, `[N, H, W]` flattened (see {@link PALETTE_COLOURS}). */
  readonly colours: Uint8Array;
  /** Pixel count of every palette colour per sample, `[N, 8]` flattened. */
  readonly counts: Int32Array;
  /**
   * Labels: the class index the network predicts (classification), or the exact regression
   * output. Sample `i` of a classification design has class `i mod K`.
   */
  readonly labels: readonly number[];
  /** The patches of each sample, in drawing order. */
  readonly patches: readonly (readonly DesignedPatch[])[];
}

/** Options of {@link generateDesignedData}. @category AttributionLab */
export interface DesignedDataOptions {
  /** Seed of every random choice. Sample `i` depends only on the seed and `i`. @defaultValue 0 */
  seed?: number;
}

/** Defaults of {@link DesignedDataOptions}. @category AttributionLab */
export const DESIGNED_DATA_DEFAULTS = Object.freeze({
  /** Default of {@link DesignedDataOptions.seed}. */
  seed: 0,
});

/** Attempts per sample before the generator gives up. */
const MAX_ATTEMPTS = 200;
/** Random positions tried per patch. */
const MAX_PLACEMENTS = 40;
/** Largest number of positive patches in one image. */
const MAX_POSITIVE_PATCHES = 12;

/**
 * Draws `count` designed samples: a background with coloured patches whose label the designed
 * network computes exactly.
 *
 * For a sample whose active unit is `a` (the class `i mod K`, or the regression unit) the generator
 * draws, without overlap and with a one-pixel gap between patches: one or two patches of `a`'s
 * negative colours (when it has any); patches of `a`'s positive colours until the evidence clears
 * the threshold by the unit's margin (`e_a − θ_a ≥ margin_a`), plus one more with probability ½;
 * for every other class, with probability ½, one sub-threshold decoy patch of one of its positive
 * colours; and one or two distractor patches. A draw is kept only when `e_a − θ_a ≥ margin_a` and
 * `e_k − θ_k ≤ −margin_k` for every other unit `k`, so the label is the unique active unit and
 * every single-pixel change of a feature moves the output by exactly its weight. Patch sides are
 * uniform in `design.patchSize`; blobs are discs (a plus sign at side 3).
 * @param design - the environment design ({@link createLabDesign})
 * @param count - number of samples, an integer ≥ 1
 * @param options - see {@link DesignedDataOptions}
 * @returns plain arrays (images, palette indices, counts, labels, patches)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad count or seed, or when no valid image is found in
 *   200 attempts (thresholds too high for the image size).
 * @example
 * ```ts
 * const data = generateDesignedData(createLabDesign({ imageSize: 16 }), 4, { seed: 1 });
 * data.labels; // [0, 1, 2, 0]
 * ```
 * @category AttributionLab
 */
export function generateDesignedData(design: LabDesign, count: number, options: DesignedDataOptions = {}): DesignedData {
  const fn = 'generateDesignedData';
  checkOptions(fn, options, ['seed']);
  if (!Number.isInteger(count) || count < 1) throw new InvalidValueError(`${fn}: count must be a positive integer, got ${String(count)}`);
  const seed = options.seed ?? DESIGNED_DATA_DEFAULTS.seed;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new InvalidValueError(`${fn}: seed must be a finite number, got ${String(seed)}`);
  const { height: H, width: W } = design;
  const P = PALETTE_COLOURS.length;
  const images = new Float32Array(count * H * W * 3);
  const colours = new Uint8Array(count * H * W);
  const counts = new Int32Array(count * P);
  const labels: number[] = [];
  const patches: DesignedPatch[][] = [];
  const master = new Rng(seed);
  for (let i = 0; i < count; i++) {
    const rng = master.fork();
    const active = design.task === 'classification' ? i % design.units.length : 0;
    const sample = drawSample(fn, design, active, rng);
    colours.set(sample.grid, i * H * W);
    for (let p = 0; p < H * W; p++) {
      const c = sample.grid[p];
      const o = (i * H * W + p) * 3;
      images[o] = c & 1;
      images[o + 1] = (c >> 1) & 1;
      images[o + 2] = (c >> 2) & 1;
    }
    counts.set(sample.counts, i * P);
    labels.push(design.task === 'classification' ? active : designedOutputs(design, sample.counts)[0]);
    patches.push(sample.patches);
  }
  return { count, height: H, width: W, images, colours, counts, labels: Object.freeze(labels), patches: Object.freeze(patches) };
}

interface Sample {
  grid: Uint8Array;
  counts: Int32Array;
  patches: DesignedPatch[];
}

function drawSample(fn: string, design: LabDesign, active: number, rng: Rng): Sample {
  const unit = design.units[active];
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const canvas = new Canvas(design, rng);
    let ok = true;
    if (unit.negative.length > 0) {
      const n = 1 + rng.int(0, 2);
      for (let k = 0; k < n && ok; k++) ok = canvas.place(pick(rng, unit.negative).colour);
    }
    let positives = 0;
    while (ok && canvas.slack(active) < unit.margin && positives < MAX_POSITIVE_PATCHES) {
      ok = canvas.place(pick(rng, unit.positive).colour);
      positives++;
    }
    if (!ok || canvas.slack(active) < unit.margin) continue;
    if (rng.next() < 0.5) canvas.place(pick(rng, unit.positive).colour);
    if (design.task === 'classification') {
      design.units.forEach((other, k) => {
        if (k !== active && rng.next() < 0.5) canvas.place(pick(rng, other.positive).colour, (c) => c.slack(k) <= -other.margin);
      });
    }
    if (design.distractors.length > 0) {
      const n = 1 + rng.int(0, 2);
      for (let k = 0; k < n; k++) canvas.place(pick(rng, design.distractors));
    }
    const valid =
      canvas.slack(active) >= unit.margin && design.units.every((u, k) => k === active || canvas.slack(k) <= -u.margin);
    if (valid) return { grid: canvas.grid, counts: canvas.counts, patches: canvas.patches };
  }
  throw new InvalidValueError(
    `${fn}: design must admit an image of unit '${unit.name}' (threshold ${unit.threshold}) at ${design.height}×${design.width}; ` +
      `none found in ${MAX_ATTEMPTS} attempts (lower the thresholds or enlarge the image or patches)`,
  );
}

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[rng.int(0, list.length)];
}

/** An image being drawn: palette indices, per-colour counts and an occupancy mask. */
class Canvas {
  readonly grid: Uint8Array;
  readonly counts: Int32Array;
  readonly patches: DesignedPatch[] = [];
  private readonly occupied: Uint8Array;

  constructor(
    private readonly design: LabDesign,
    private readonly rng: Rng,
  ) {
    const n = design.height * design.width;
    const bg = paletteIndex(design.background);
    this.grid = new Uint8Array(n).fill(bg);
    this.occupied = new Uint8Array(n);
    this.counts = new Int32Array(PALETTE_COLOURS.length);
    this.counts[bg] = n;
  }

  /** `e_j − θ_j` of unit `j` for the current image. */
  slack(j: number): number {
    return unitEvidence(this.design, this.counts)[j] - this.design.units[j].threshold;
  }

  /**
   * Draws one patch of `colour` at a free random position (with a one-pixel gap to other patches);
   * `accept` may veto the result, which is then undone. Returns whether a patch was drawn.
   */
  place(colour: PaletteColour, accept?: (c: Canvas) => boolean): boolean {
    const { height: H, width: W, patchSize, shapes } = this.design;
    const shape = pick(this.rng, shapes);
    const h = this.rng.int(patchSize[0], patchSize[1] + 1);
    const w = shape === 'blob' ? h : this.rng.int(patchSize[0], patchSize[1] + 1);
    const cells = footprint(shape, h, w);
    for (let t = 0; t < MAX_PLACEMENTS; t++) {
      const top = this.rng.int(0, H - h + 1);
      const left = this.rng.int(0, W - w + 1);
      if (!cells.every(([r, c]) => this.free(top + r, left + c))) continue;
      const ci = paletteIndex(colour);
      const bg = paletteIndex(this.design.background);
      const idx = cells.map(([r, c]) => (top + r) * W + left + c);
      for (const p of idx) {
        this.grid[p] = ci;
        this.occupied[p] = 1;
      }
      this.counts[ci] += idx.length;
      this.counts[bg] -= idx.length;
      if (accept && !accept(this)) {
        for (const p of idx) {
          this.grid[p] = bg;
          this.occupied[p] = 0;
        }
        this.counts[ci] -= idx.length;
        this.counts[bg] += idx.length;
        return false;
      }
      this.patches.push(Object.freeze({ colour, shape, top, left, height: h, width: w, pixels: idx.length }));
      return true;
    }
    return false;
  }

  /** True when pixel (r, c) and its 8 neighbours hold no patch. */
  private free(r: number, c: number): boolean {
    const { height: H, width: W } = this.design;
    for (let dr = -1; dr <= 1; dr++) {
      for (let dc = -1; dc <= 1; dc++) {
        const rr = r + dr;
        const cc = c + dc;
        if (rr >= 0 && rr < H && cc >= 0 && cc < W && this.occupied[rr * W + cc]) return false;
      }
    }
    return true;
  }
}

/** Offsets `[row, col]` covered by a patch in its `h × w` box. */
function footprint(shape: LabPatchShape, h: number, w: number): [number, number][] {
  const out: [number, number][] = [];
  const cr = (h - 1) / 2;
  const cc = (w - 1) / 2;
  const r2 = Math.max((h / 2) * (h / 2) - 0.5, 0.25);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      if (shape === 'rect' || (r - cr) ** 2 + (c - cc) ** 2 <= r2) out.push([r, c]);
    }
  }
  return out;
}
