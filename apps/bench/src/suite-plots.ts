/**
 * Plots of the built-in suites, built from the metrics they already record, so a suite adds
 * them with one line (`plots: ntirePlots(names, metrics)`).
 * @packageDocumentation
 */
import { NTIRE2022_PUBLISHED, type ModelName } from '@lab/sr-models';
import type { Metrics, PlotPoint, ResultPlot } from './suite';

const num = (metrics: Metrics, key: string): number => {
  const v = metrics[key];
  return typeof v === 'number' ? v : Number.NaN;
};

/**
 * Precision and recall per attribution method on AttributionLab, from the `attribution` suite's
 * metrics (`<method>.positivePrecision`, …): one grouped bar plot for the positive features and
 * one for the negative features (unsigned methods have no negative bars).
 */
export function attributionPlots(methods: readonly string[], metrics: Metrics): ResultPlot[] {
  const evaluated = methods.filter((m) => Number.isFinite(num(metrics, `${m}.positivePrecision`)));
  if (evaluated.length === 0) return [];
  const series = (name: string, key: string) => ({ name, points: evaluated.map((m): PlotPoint => ({ x: m, y: num(metrics, `${m}.${key}`) })) });
  const note = 'top-k precision and recall against the exact signed ground truth, k = ground-truth size; the pass mark is 0.8.';
  return [
    {
      title: 'AttributionLab: positive features, precision and recall per method',
      kind: 'bar',
      x: 'method',
      y: 'mean over samples',
      series: [series('precision +', 'positivePrecision'), series('recall +', 'positiveRecall'), series('sign agreement', 'signAgreement')],
      notes: [note, 'Unsigned methods are scored on all features by |map| (here); sign agreement only for signed methods.'],
    },
    {
      title: 'AttributionLab: negative features, precision and recall per method',
      kind: 'bar',
      x: 'method',
      y: 'mean over samples',
      series: [series('precision −', 'negativePrecision'), series('recall −', 'negativeRecall')],
      notes: [note, 'Methods without signed maps have no bars here.'],
    },
  ];
}

/**
 * Quality against cost of the SR models measured by the `ntire` suite: the published NTIRE 2022
 * DIV2K-validation PSNR of each model with published figures, against the FLOPs counted here and
 * against the runtime measured here.
 */
export function ntirePlots(names: readonly string[], metrics: Metrics): ResultPlot[] {
  const published = names.filter((n) => NTIRE2022_PUBLISHED[n as ModelName]?.psnrValid !== undefined && Number.isFinite(num(metrics, `${n}.flops`)));
  if (published.length === 0) return [];
  const point = (n: string, x: number): PlotPoint => ({ x, y: NTIRE2022_PUBLISHED[n as ModelName]!.psnrValid, label: n });
  const runtimeSize = num(metrics, `${published[0]}.runtimeSize`);
  return [
    {
      title: 'SR models: PSNR vs FLOPs (×4)',
      kind: 'scatter',
      x: 'FLOPs per 256×256 LR input (G), counted here',
      y: 'PSNR-RGB on DIV2K valid (dB), published',
      series: [{ name: 'NTIRE 2022 ESR', points: published.map((n) => point(n, num(metrics, `${n}.flops`) / 1e9)) }],
      notes: ['PSNR: RGB, DIV2K validation ×4, as published in the NTIRE 2022 ESR report (arXiv 2205.05675).'],
    },
    {
      title: 'SR models: PSNR vs runtime on this backend (×4)',
      kind: 'scatter',
      x: `median runtime at ${Number.isFinite(runtimeSize) ? `${runtimeSize}×${runtimeSize}` : 'the timed'} LR (ms)`,
      y: 'PSNR-RGB on DIV2K valid (dB), published',
      series: [{ name: 'this machine', points: published.map((n) => point(n, num(metrics, `${n}.runtimeMs`))) }],
      notes: ['Runtime measured in this run; PSNR as published (NTIRE 2022 ESR report).'],
    },
  ];
}

/** PSNR-Y and SSIM-Y per image of an SR evaluation as a bar plot. */
export function srScoresPlot(title: string, images: readonly { name: string; psnrY: number }[]): ResultPlot {
  return {
    title,
    kind: 'bar',
    x: 'image',
    y: 'PSNR-Y (dB)',
    series: [{ name: 'PSNR-Y', points: images.map((r) => ({ x: r.name, y: r.psnrY })) }],
  };
}
