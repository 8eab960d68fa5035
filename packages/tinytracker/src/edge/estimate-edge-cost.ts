/**
 * An estimate of edge latency and energy for a model of another size, scaled from the published
 * TinyTracker figures by multiply-accumulates.
 * @packageDocumentation
 */
import { InvalidValueError, UnknownNameError, checkOptions } from '@lab/tensor';
import { checkPositive } from '../internal/checks';
import { EDGE_PLATFORMS, type EdgePlatformName } from './edge-platforms';

/** Options of {@link estimateEdgeCost}; defaults in {@link ESTIMATE_EDGE_COST_DEFAULTS}. @category Edge */
export interface EstimateEdgeCostOptions {
  /** Platform whose figures are scaled. @defaultValue 'imx500' */
  platform?: EdgePlatformName;
  /**
   * MACs of the model the published figures were measured with.
   * @defaultValue 16,815,360 — TinyTracker in the released geometry (128×128×5), the deployed model
   */
  referenceMacs?: number;
}

/**
 * Defaults of {@link EstimateEdgeCostOptions}. The reference MACs are this package's count of the
 * released TinyTracker (the TFLite file's ≈16.8 M); that the published timings were measured on
 * that file is an assumption.
 * @category Edge
 */
export const ESTIMATE_EDGE_COST_DEFAULTS = Object.freeze({
  /** Default of {@link EstimateEdgeCostOptions.platform}. */
  platform: 'imx500',
  /** Default of {@link EstimateEdgeCostOptions.referenceMacs}. */
  referenceMacs: 16815360,
} as const);

/** What {@link estimateEdgeCost} returns. Every figure is an estimate. @category Edge */
export interface EdgeCostEstimate {
  /** Always true: these are not measurements. */
  readonly estimate: true;
  /** The platform the estimate is for. */
  readonly platform: EdgePlatformName;
  /** `macs / referenceMacs`. */
  readonly macsRatio: number;
  /** Scaled inference time, ms (undefined when the platform publishes none). */
  readonly inferenceMs: number | undefined;
  /** Scaled inference energy, mJ (undefined when the platform publishes none). */
  readonly inferenceEnergyMj: number | undefined;
  /**
   * End-to-end time, ms: fixed sensor and readout parts plus the scaled inference where the
   * breakdown is published (IMX500), else the end-to-end figure scaled whole.
   */
  readonly endToEndMs: number | undefined;
  /** End-to-end energy, mJ, composed the same way. */
  readonly energyMj: number | undefined;
}

/**
 * Estimates a model's latency and energy on an edge platform by scaling TinyTracker's published
 * figures with the ratio of multiply-accumulates — an estimate, not a measurement.
 *
 * With `r = macs / referenceMacs`: `inference = r · inference_ref`; where the platform publishes a
 * breakdown (IMX500) `endToEnd = sensor + r·inference_ref + readout` and
 * `energy = (energy_ref − inferenceEnergy_ref) + r·inferenceEnergy_ref`; otherwise (Coral Micro)
 * the end-to-end figures are scaled whole, `r·endToEnd_ref`, which assumes the whole pipeline
 * scales with compute. Memory traffic, operator support and fixed overheads are ignored.
 * @param macs - MACs of the model to estimate (e.g. `profile(model, shape).macs`)
 * @param options - see {@link EstimateEdgeCostOptions}
 * @returns the scaled figures, flagged `estimate: true`
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for non-positive MACs or a bad option; {@link "@lab/tensor"!UnknownNameError | UnknownNameError} for an unknown platform
 * @example
 * ```ts
 * estimateEdgeCost(5.23e6).inferenceMs; // ≈ 0.27 ms: TinyTrackerS-sized compute on the IMX500
 * ```
 * @category Edge
 */
export function estimateEdgeCost(macs: number, options: EstimateEdgeCostOptions = {}): EdgeCostEstimate {
  const fn = 'estimateEdgeCost';
  checkOptions(fn, options, Object.keys(ESTIMATE_EDGE_COST_DEFAULTS));
  checkPositive(fn, 'macs', macs);
  const platform = options.platform ?? ESTIMATE_EDGE_COST_DEFAULTS.platform;
  if (!Object.hasOwn(EDGE_PLATFORMS, platform)) throw new UnknownNameError('edge platform', String(platform), Object.keys(EDGE_PLATFORMS));
  const referenceMacs = checkPositive(fn, 'referenceMacs', options.referenceMacs ?? ESTIMATE_EDGE_COST_DEFAULTS.referenceMacs);
  const p = EDGE_PLATFORMS[platform];
  if (p.model !== 'TinyTracker') throw new InvalidValueError(`${fn}: platform '${platform}' publishes no TinyTracker latency to scale`);
  const r = macs / referenceMacs;
  const inferenceMs = p.inferenceMs === undefined ? undefined : r * p.inferenceMs;
  const inferenceEnergyMj = p.inferenceEnergyMj === undefined ? undefined : r * p.inferenceEnergyMj;
  const hasBreakdown = p.sensorMs !== undefined && p.readoutMs !== undefined && inferenceMs !== undefined;
  const endToEndMs = hasBreakdown ? (p.sensorMs as number) + (inferenceMs as number) + (p.readoutMs as number) : p.endToEndMs === undefined ? undefined : r * p.endToEndMs;
  const energyMj =
    p.energyMj === undefined
      ? undefined
      : inferenceEnergyMj !== undefined && p.inferenceEnergyMj !== undefined
        ? p.energyMj - p.inferenceEnergyMj + inferenceEnergyMj
        : r * p.energyMj;
  return { estimate: true, platform, macsRatio: r, inferenceMs, inferenceEnergyMj, endToEndMs, energyMj };
}
