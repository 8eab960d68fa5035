/**
 * The design of an AttributionLab environment: which palette colours raise or lower which output,
 * the thresholds, the background and the image size. Data, network and ground truth are all read
 * off one {@link LabDesign}.
 * @packageDocumentation
 */
import { InvalidValueError, checkOptions } from '@lab/tensor';
import { PALETTE_COLOURS, type PaletteColour, checkSharpness, paletteIndex } from './palette';

/** The task of an environment: several classes (logits) or one regression output. @category AttributionLab */
export type LabTask = 'classification' | 'regression';

/** Shape of a designed patch: an axis-aligned rectangle or a disc-like blob. @category AttributionLab */
export type LabPatchShape = 'rect' | 'blob';

/**
 * A feature of an output unit: every pixel of `colour` moves the unit's evidence by `weight`.
 * @category AttributionLab
 */
export interface LabFeature {
  /** The palette colour of the feature. */
  readonly colour: PaletteColour;
  /** Evidence per pixel, a positive integer (integers keep the network exact in float32). */
  readonly weight: number;
}

/**
 * One output unit as the caller describes it. A bare colour is a feature of weight 1.
 * @category AttributionLab
 */
export interface LabUnitSpec {
  /** Colours that raise the unit (target features); at least one. */
  readonly positive: readonly (PaletteColour | LabFeature)[];
  /** Colours that lower the unit (negative features). @defaultValue [] */
  readonly negative?: readonly (PaletteColour | LabFeature)[];
  /**
   * Evidence the unit needs before it responds, an integer ≥ 0: the unit computes
   * `u = ReLU(Σ_pos w·n_c − Σ_neg w·n_c − threshold)` from pixel counts `n_c`.
   * @defaultValue classification: `max(2, round(0.02·H·W))` (20 at 32×32); regression: 0
   */
  readonly threshold?: number;
}

/**
 * Options of {@link AttributionLab} and {@link createLabDesign}; defaults in
 * {@link ATTRIBUTION_LAB_DEFAULTS}.
 * @category AttributionLab
 */
export interface AttributionLabOptions {
  /** Classification (one logit per unit) or regression (one output). @defaultValue 'classification' */
  task?: LabTask;
  /** Image height = width, or `[height, width]`; integers ≥ 8. @defaultValue 32 */
  imageSize?: number | readonly [number, number];
  /**
   * When true the background is black, so the all-zero image (the baseline most methods use by
   * default) is an in-distribution image (the empty image) to which the network responds with 0.
   * When false the background is white and black never occurs in the data: the zero baseline is
   * off the data distribution (with the default colour roles the network still gives it zero
   * evidence: only the black detector fires, and no unit reads it; see {@link detectorResponse}).
   * @defaultValue false
   */
  inDistributionBaseline?: boolean;
  /**
   * The output units (one per class, or exactly one for regression).
   * @defaultValue classification: `[{+red −cyan}, {+green −magenta}, {+blue −cyan}]`;
   *   regression: `[{+red×2 +green −cyan}]`
   */
  units?: readonly LabUnitSpec[];
  /**
   * Colours drawn in the images that no unit reads (ground truth 0).
   * @defaultValue classification: `['yellow']`; regression: `['blue', 'yellow', 'magenta']`
   */
  distractors?: readonly PaletteColour[];
  /**
   * Detector sharpness `k`, an integer ≥ 1: detector weights and bias are scaled so that the
   * detector's support off the palette shrinks (see {@link detectorResponse}). Data responses do
   * not change. @defaultValue 1
   */
  sharpness?: number;
  /** Smallest and largest patch side in pixels. @defaultValue `[2, max(3, round(min(H, W)/5))]` */
  patchSize?: readonly [number, number];
  /** Patch shapes to draw from. @defaultValue ['rect', 'blob'] */
  shapes?: readonly LabPatchShape[];
}

/**
 * Defaults of {@link AttributionLabOptions}. The suggested construction of the spec (§7): palette
 * on the RGB-cube vertices, detectors of sharpness 1; the colour roles are this package's choice.
 * @category AttributionLab
 */
export const ATTRIBUTION_LAB_DEFAULTS = Object.freeze({
  /** Default of {@link AttributionLabOptions.task}. */
  task: 'classification' as LabTask,
  /** Default of {@link AttributionLabOptions.imageSize}. */
  imageSize: 32,
  /** Default of {@link AttributionLabOptions.inDistributionBaseline}. */
  inDistributionBaseline: false,
  /** Default of {@link AttributionLabOptions.sharpness}. */
  sharpness: 1,
  /** Default of {@link AttributionLabOptions.shapes}. */
  shapes: Object.freeze(['rect', 'blob']) as readonly LabPatchShape[],
  /** Default of {@link AttributionLabOptions.units} for classification: `+red −cyan`, `+green −magenta`, `+blue −cyan`. */
  classificationUnits: Object.freeze([
    Object.freeze({ positive: Object.freeze(['red']), negative: Object.freeze(['cyan']) }),
    Object.freeze({ positive: Object.freeze(['green']), negative: Object.freeze(['magenta']) }),
    Object.freeze({ positive: Object.freeze(['blue']), negative: Object.freeze(['cyan']) }),
  ]) as readonly LabUnitSpec[],
  /** Default of {@link AttributionLabOptions.distractors} for classification: yellow. */
  classificationDistractors: Object.freeze(['yellow']) as readonly PaletteColour[],
  /** Default of {@link AttributionLabOptions.units} for regression: one unit `+2·red +green −cyan`, threshold 0. */
  regressionUnits: Object.freeze([
    Object.freeze({
      positive: Object.freeze([Object.freeze({ colour: 'red', weight: 2 }), 'green']),
      negative: Object.freeze(['cyan']),
      threshold: 0,
    }),
  ]) as readonly LabUnitSpec[],
  /** Default of {@link AttributionLabOptions.distractors} for regression: blue, yellow and magenta. */
  regressionDistractors: Object.freeze(['blue', 'yellow', 'magenta']) as readonly PaletteColour[],
});

const OPTION_KEYS = ['task', 'imageSize', 'inDistributionBaseline', 'units', 'distractors', 'sharpness', 'patchSize', 'shapes'] as const;

/**
 * One output unit of a resolved design.
 * @category AttributionLab
 */
export interface LabUnit {
  /** Label of the unit: its positive colours joined by `+` (e.g. `red`). */
  readonly name: string;
  /** Features that raise the unit (its target features), with their weights. */
  readonly positive: readonly LabFeature[];
  /** Features that lower the unit, with their weights. */
  readonly negative: readonly LabFeature[];
  /** Evidence threshold θ (integer ≥ 0). */
  readonly threshold: number;
  /**
   * Largest feature weight of the unit. Generated images keep the active unit at least this far
   * above its threshold and inactive units at least this far below it, so removing or adding any
   * single feature pixel changes the output by exactly that pixel's weight (or not at all).
   */
  readonly margin: number;
  /** Signed weight of every palette colour in index order: `+w` positive, `−w` negative, 0 ignored. */
  readonly colourWeights: readonly number[];
}

/**
 * A resolved AttributionLab design: everything the data generator, the network and the ground
 * truth read. Build one with {@link createLabDesign}; it is frozen.
 * @category AttributionLab
 */
export interface LabDesign {
  /** Classification (one logit per unit) or regression (one output). */
  readonly task: LabTask;
  /** Image height in pixels. */
  readonly height: number;
  /** Image width in pixels. */
  readonly width: number;
  /** The background colour (white, or black with `inDistributionBaseline`). */
  readonly background: PaletteColour;
  /** Colours drawn in the images that no unit reads (ground truth 0). */
  readonly distractors: readonly PaletteColour[];
  /** One unit per class, or one unit for regression. */
  readonly units: readonly LabUnit[];
  /** Number of network outputs: the number of classes, or 1 for regression. */
  readonly outputs: number;
  /** Detector sharpness `k` (integer ≥ 1); see {@link detectorResponse}. */
  readonly sharpness: number;
  /** Smallest and largest patch side in pixels. */
  readonly patchSize: readonly [number, number];
  /** Patch shapes the generator draws from. */
  readonly shapes: readonly LabPatchShape[];
  /** Palette colours that occur in the data (background, unit colours, distractors), index order. */
  readonly dataColours: readonly PaletteColour[];
}

/**
 * Resolves and validates AttributionLab options into a frozen {@link LabDesign}.
 *
 * Unit `j` computes `u_j = ReLU(e_j − θ_j)` with evidence `e_j = Σ_{c} W[j, c]·n_c` from the pixel
 * counts `n_c` of each palette colour and signed colour weights `W` (positive features `+w`,
 * negative features `−w`, everything else 0). Classification logits are `u_j`; the regression
 * output is `u_0 + θ_0`.
 * @param options - see {@link AttributionLabOptions}
 * @returns the design (plain data, no tensors)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an unknown option, a bad size, weight, threshold or shape,
 *   a colour used twice in one unit, a unit or distractor colour equal to the background, or a
 *   distractor that a unit reads.
 * @example
 * ```ts
 * const design = createLabDesign({ imageSize: 16, inDistributionBaseline: true });
 * design.units.map((u) => u.name); // ['red', 'green', 'blue']
 * ```
 * @category AttributionLab
 */
export function createLabDesign(options: AttributionLabOptions = {}): LabDesign {
  const fn = 'createLabDesign';
  checkOptions(fn, options, OPTION_KEYS);
  const task = options.task ?? ATTRIBUTION_LAB_DEFAULTS.task;
  if (task !== 'classification' && task !== 'regression') {
    throw new InvalidValueError(`${fn}: task must be 'classification' or 'regression', got ${String(task)}`);
  }
  const size = options.imageSize ?? ATTRIBUTION_LAB_DEFAULTS.imageSize;
  const [height, width] = typeof size === 'number' ? [size, size] : Array.isArray(size) && size.length === 2 ? size : [NaN, NaN];
  for (const [name, v] of [
    ['height', height],
    ['width', width],
  ] as const) {
    if (!Number.isInteger(v) || v < 8) {
      throw new InvalidValueError(`${fn}: imageSize must be an integer >= 8 or [height, width] of such, got ${JSON.stringify(size)} (${name})`);
    }
  }
  const inDist = options.inDistributionBaseline ?? ATTRIBUTION_LAB_DEFAULTS.inDistributionBaseline;
  if (typeof inDist !== 'boolean') {
    throw new InvalidValueError(`${fn}: inDistributionBaseline must be a boolean, got ${String(inDist)}`);
  }
  const background: PaletteColour = inDist ? 'black' : 'white';
  const sharpness = options.sharpness ?? ATTRIBUTION_LAB_DEFAULTS.sharpness;
  checkSharpness(fn, sharpness);

  const maxSide = Math.floor(Math.min(height, width) / 2);
  const patchSize = options.patchSize ?? ([2, Math.max(3, Math.round(Math.min(height, width) / 5))] as const);
  if (
    !Array.isArray(patchSize) ||
    patchSize.length !== 2 ||
    !patchSize.every((s) => Number.isInteger(s)) ||
    patchSize[0] < 1 ||
    patchSize[1] < patchSize[0] ||
    patchSize[1] > maxSide
  ) {
    throw new InvalidValueError(`${fn}: patchSize must be integers [min, max] with 1 <= min <= max <= ${maxSide}, got ${JSON.stringify(patchSize)}`);
  }
  const shapes = options.shapes ?? ATTRIBUTION_LAB_DEFAULTS.shapes;
  if (!Array.isArray(shapes) || shapes.length === 0 || !shapes.every((s) => s === 'rect' || s === 'blob')) {
    throw new InvalidValueError(`${fn}: shapes must be a non-empty list of 'rect' and 'blob', got ${JSON.stringify(shapes)}`);
  }

  const unitSpecs =
    options.units ?? (task === 'classification' ? ATTRIBUTION_LAB_DEFAULTS.classificationUnits : ATTRIBUTION_LAB_DEFAULTS.regressionUnits);
  if (!Array.isArray(unitSpecs)) throw new InvalidValueError(`${fn}: units must be an array, got ${typeof unitSpecs}`);
  if (task === 'classification' && unitSpecs.length < 2) {
    throw new InvalidValueError(`${fn}: units must hold at least 2 classes for classification, got ${unitSpecs.length}`);
  }
  if (task === 'regression' && unitSpecs.length !== 1) {
    throw new InvalidValueError(`${fn}: units must hold exactly 1 unit for regression, got ${unitSpecs.length}`);
  }
  const defaultThreshold = task === 'classification' ? Math.max(2, Math.round(0.02 * height * width)) : 0;
  const units = unitSpecs.map((spec, j) => resolveUnit(fn, spec, j, background, defaultThreshold));

  const distractors =
    options.distractors ??
    (task === 'classification' ? ATTRIBUTION_LAB_DEFAULTS.classificationDistractors : ATTRIBUTION_LAB_DEFAULTS.regressionDistractors);
  if (!Array.isArray(distractors)) throw new InvalidValueError(`${fn}: distractors must be an array of colours`);
  for (const d of distractors) {
    const i = paletteIndex(d, fn, 'distractors[]');
    if (d === background) throw new InvalidValueError(`${fn}: distractors must not include the background colour '${background}'`);
    if (units.some((u) => u.colourWeights[i] !== 0)) {
      throw new InvalidValueError(`${fn}: distractors must be colours no unit reads, got '${d}'`);
    }
  }
  const used = new Set<PaletteColour>([background, ...distractors]);
  for (const u of units) for (const f of [...u.positive, ...u.negative]) used.add(f.colour);
  return Object.freeze({
    task,
    height,
    width,
    background,
    distractors: Object.freeze([...new Set(distractors)]),
    units: Object.freeze(units),
    outputs: task === 'classification' ? units.length : 1,
    sharpness,
    patchSize: Object.freeze([patchSize[0], patchSize[1]]) as readonly [number, number],
    shapes: Object.freeze([...new Set(shapes)]),
    dataColours: Object.freeze(PALETTE_COLOURS.filter((c) => used.has(c))),
  });
}

function resolveUnit(fn: string, spec: LabUnitSpec, j: number, background: PaletteColour, defaultThreshold: number): LabUnit {
  const arg = `units[${j}]`;
  if (spec === null || typeof spec !== 'object') throw new InvalidValueError(`${fn}: ${arg} must be an object`);
  checkOptions(`${fn}: ${arg}`, spec, ['positive', 'negative', 'threshold']);
  const toFeatures = (list: unknown, part: string): LabFeature[] => {
    if (!Array.isArray(list)) throw new InvalidValueError(`${fn}: ${arg}.${part} must be an array`);
    return list.map((f: PaletteColour | LabFeature) => {
      const feature = typeof f === 'string' ? { colour: f, weight: 1 } : f;
      if (feature === null || typeof feature !== 'object') throw new InvalidValueError(`${fn}: ${arg}.${part}[] must be a colour or { colour, weight }`);
      paletteIndex(feature.colour, fn, `${arg}.${part}[].colour`);
      if (!Number.isInteger(feature.weight) || feature.weight < 1) {
        throw new InvalidValueError(`${fn}: ${arg}.${part}[].weight must be an integer >= 1, got ${String(feature.weight)}`);
      }
      if (feature.colour === background) {
        throw new InvalidValueError(`${fn}: ${arg}.${part} must not use the background colour '${background}'`);
      }
      return Object.freeze({ colour: feature.colour, weight: feature.weight });
    });
  };
  const positive = toFeatures(spec.positive, 'positive');
  const negative = toFeatures(spec.negative ?? [], 'negative');
  if (positive.length === 0) throw new InvalidValueError(`${fn}: ${arg}.positive must hold at least one colour`);
  const colourWeights = new Array<number>(PALETTE_COLOURS.length).fill(0);
  for (const [list, sign] of [
    [positive, 1],
    [negative, -1],
  ] as const) {
    for (const f of list) {
      const i = paletteIndex(f.colour);
      if (colourWeights[i] !== 0) throw new InvalidValueError(`${fn}: ${arg} must use each colour once, got '${f.colour}' twice`);
      colourWeights[i] = sign * f.weight;
    }
  }
  const threshold = spec.threshold ?? defaultThreshold;
  if (!Number.isInteger(threshold) || threshold < 0) {
    throw new InvalidValueError(`${fn}: ${arg}.threshold must be an integer >= 0, got ${String(threshold)}`);
  }
  return Object.freeze({
    name: positive.map((f) => f.colour).join('+'),
    positive: Object.freeze(positive),
    negative: Object.freeze(negative),
    threshold,
    margin: Math.max(...positive.map((f) => f.weight), ...negative.map((f) => f.weight)),
    colourWeights: Object.freeze(colourWeights),
  });
}

/** Evidence `e_j = Σ_c W[j, c]·n_c` of every unit from per-colour pixel counts (internal). */
export function unitEvidence(design: LabDesign, counts: ArrayLike<number>): number[] {
  return design.units.map((u) => {
    let e = 0;
    for (let c = 0; c < PALETTE_COLOURS.length; c++) e += u.colourWeights[c] * counts[c];
    return e;
  });
}

/**
 * The exact network outputs of a design for per-colour pixel counts of an image made only of
 * palette colours: classification logits `u_j = max(0, e_j − θ_j)`, or the regression output
 * `max(0, e_0 − θ_0) + θ_0` (internal; the ground truth and the tests derive values with it).
 */
export function designedOutputs(design: LabDesign, counts: ArrayLike<number>): number[] {
  const e = unitEvidence(design, counts);
  const u = e.map((ej, j) => Math.max(0, ej - design.units[j].threshold));
  return design.task === 'classification' ? u : [u[0] + design.units[0].threshold];
}
