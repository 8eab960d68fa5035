/**
 * The published edge-platform figures of TinyTracker, as data.
 * @packageDocumentation
 */

/** One platform's published figures for TinyTracker (undefined where the source gives none). @category Edge */
export interface EdgePlatform {
  /** Registry key (kebab-case). */
  readonly name: string;
  /** Human-readable name. */
  readonly label: string;
  /** The model the figures are for. */
  readonly model: 'TinyTracker' | 'TinyTrackerS';
  /** Capture to result, ms. */
  readonly endToEndMs: number | undefined;
  /** Sensor read, processing and transmission, ms. */
  readonly sensorMs: number | undefined;
  /** Network inference alone, ms. */
  readonly inferenceMs: number | undefined;
  /** Reading back the results, ms. */
  readonly readoutMs: number | undefined;
  /** Energy per frame, end to end, mJ. */
  readonly energyMj: number | undefined;
  /** Energy of the inference alone, mJ. */
  readonly inferenceEnergyMj: number | undefined;
  /** Frames per second as published. */
  readonly fps: number | undefined;
  /** Where the figures come from. */
  readonly source: string;
}

/**
 * Published figures (spec §1, from arXiv 2307.07813 and 2308.12313):
 * - `imx500`: ≈19 ms end to end = 17.9 ms sensor read/process/transmit + 0.86 ms inference +
 *   0.24 ms readback; 4.9 mJ end to end, 0.06 mJ inference; 1162 FPS counts inference only.
 * - `coral-micro`: 34.4 ms and 34.2 mJ end to end (the IMX500 is 1.7× faster, 7× more efficient).
 * - `spresense`: TinyTrackerS at 3 FPS.
 * Spresense and Coral per-model inference figures of the paper's table are not included (not
 * available to this package).
 * @category Edge
 */
export const EDGE_PLATFORMS = Object.freeze({
  /** Sony IMX500 (AI-in-sensor) running TinyTracker. */
  imx500: Object.freeze<EdgePlatform>({
    name: 'imx500',
    label: 'Sony IMX500 (AI-in-sensor)',
    model: 'TinyTracker',
    endToEndMs: 19,
    sensorMs: 17.9,
    inferenceMs: 0.86,
    readoutMs: 0.24,
    energyMj: 4.9,
    inferenceEnergyMj: 0.06,
    fps: 1162,
    source: 'arXiv 2307.07813 (TinyTracker), IMX500 timing and energy; Papers-with-Code 1162 FPS',
  }),
  /** Google Coral Dev Board Micro running TinyTracker. */
  'coral-micro': Object.freeze<EdgePlatform>({
    name: 'coral-micro',
    label: 'Google Coral Dev Board Micro',
    model: 'TinyTracker',
    endToEndMs: 34.4,
    sensorMs: undefined,
    inferenceMs: undefined,
    readoutMs: undefined,
    energyMj: 34.2,
    inferenceEnergyMj: undefined,
    fps: undefined,
    source: 'arXiv 2307.07813 (TinyTracker), IMX500 vs Coral Micro comparison',
  }),
  /** Sony Spresense running TinyTrackerS. */
  spresense: Object.freeze<EdgePlatform>({
    name: 'spresense',
    label: 'Sony Spresense',
    model: 'TinyTrackerS',
    endToEndMs: undefined,
    sensorMs: undefined,
    inferenceMs: undefined,
    readoutMs: undefined,
    energyMj: undefined,
    inferenceEnergyMj: undefined,
    fps: 3,
    source: 'arXiv 2308.12313 (Gaze Estimation on Spresense) via the TinyTracker README',
  }),
});

/** Key of {@link EDGE_PLATFORMS}. @category Edge */
export type EdgePlatformName = keyof typeof EDGE_PLATFORMS;
