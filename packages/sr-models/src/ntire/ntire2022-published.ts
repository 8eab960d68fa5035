/**
 * Published NTIRE 2022 Efficient SR figures of the models in the registry.
 * @packageDocumentation
 */
import type { ModelName } from '../registry';

/** One row of the NTIRE 2022 ESR results table (`figs/results.png` of ofsoundof/NTIRE2022_ESR). @category NTIRE */
export interface Ntire2022Figures {
  /** Parameters in millions, 3 decimals. */
  readonly paramsM: number;
  /** NTIRE FLOPs in G at a 256×256 LR input, 2 decimals. */
  readonly flopsG: number;
  /** Activations in M at a 256×256 LR input, 2 decimals. */
  readonly activationsM: number;
  /** Executed Conv2d calls. */
  readonly convLayers: number;
  /** Average runtime in ms on a Titan Xp (mean of validation and test averages). */
  readonly runtimeMs: number;
  /** Peak CUDA memory in MiB (labelled "M"), weights included. */
  readonly memoryMiB: number;
  /** RGB PSNR on DIV2K validation, dB. */
  readonly psnrValid: number;
  /** RGB PSNR on DIV2K test, dB. */
  readonly psnrTest: number;
}

/**
 * The published NTIRE 2022 ESR figures (arXiv 2205.05675; ofsoundof/NTIRE2022_ESR
 * `figs/results.png`) of the registry's models that took part: the IMDN baseline, the RFDN
 * reference and RLFN (team ByteESR, #1).
 * @category NTIRE
 */
export const NTIRE2022_PUBLISHED: Readonly<Partial<Record<ModelName, Ntire2022Figures>>> = Object.freeze({
  'imdn-ntire2022': Object.freeze({ paramsM: 0.894, flopsG: 58.53, activationsM: 154.14, convLayers: 43, runtimeMs: 50.86, memoryMiB: 471.76, psnrValid: 29.13, psnrTest: 28.78 }),
  rfdn: Object.freeze({ paramsM: 0.433, flopsG: 27.1, activationsM: 112.03, convLayers: 64, runtimeMs: 41.97, memoryMiB: 788.13, psnrValid: 29.04, psnrTest: 28.75 }),
  rlfn: Object.freeze({ paramsM: 0.317, flopsG: 19.7, activationsM: 80.05, convLayers: 39, runtimeMs: 27.11, memoryMiB: 377.91, psnrValid: 29.0, psnrTest: 28.72 }),
});
