/**
 * The results of a `lab` run: the versioned JSON schema (`--json FILE`, `results.json`), the
 * summary table, and the report folder (`--out DIR`): `results.json`, `report.md`, `index.html`
 * and the plots as SVG files under `plots/`.
 * @packageDocumentation
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Environment } from './environment';
import { reportHtml } from './html';
import { plotFileName, renderPlotSvg } from './plot';
import type { Metrics, ResultPlot, ResultTable, Shard, SuiteResult } from './suite';
import { formatCell, formatDuration, markdownTable } from './table';

/**
 * Version of the JSON layout below; raised on any incompatible change.
 * 2: `command.data`, `command.shard`, `plan`, `shards`; per suite `options`, `plots`, `images`, `shard`.
 */
export const SCHEMA_VERSION = 2;

/** The command that produced a report. */
export interface RunCommand {
  /** The arguments given to `lab`. */
  readonly argv: readonly string[];
  /** The suite asked for; null for the default run of every suite. */
  readonly suite: string | null;
  readonly mode: 'quick' | 'full';
  readonly seed: number;
  /** The data folder the suites were given (`--data`, `$LAB_DATA`), absolute; null for none. */
  readonly data: string | null;
  /** The part of the work of a `--shard i/n` run; null for a whole (or merged) run. */
  readonly shard: Shard | null;
}

/** One part of a merged report: what `lab merge` read. */
export interface ShardRecord {
  readonly index: number;
  readonly count: number;
  /** The `lab` arguments of that part. */
  readonly argv: readonly string[];
  readonly createdAt: string;
  readonly durationMs: number;
  readonly status: 'ok' | 'failed';
  readonly environment: Environment;
}

/** A whole run, as written by `--json FILE` and to `results.json`. */
export interface RunReport {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  /** ISO 8601 time the run started (of the first shard, for a merged report). */
  readonly createdAt: string;
  readonly command: RunCommand;
  readonly environment: Environment;
  /** `failed` when any suite failed. */
  readonly status: 'ok' | 'failed';
  /** Wall time of the run (of the slowest shard, for a merged report). */
  readonly durationMs: number;
  /** Every suite of the whole run in run order, including those another shard runs. */
  readonly plan: readonly string[];
  /** One entry per suite run, in plan order. */
  readonly suites: readonly SuiteResult[];
  /** The parts a merged report was made of; only in the output of `lab merge`. */
  readonly shards?: readonly ShardRecord[];
}

/** Key figures of a result: its own summary, else its first three metrics. */
export function keyFigures(result: SuiteResult): string {
  if (result.summary) return result.summary;
  return Object.entries(result.metrics)
    .slice(0, 3)
    .map(([k, v]) => `${k}=${formatCell(v)}`)
    .join(', ');
}

/** The summary table: one row per suite with status, time and key figures (or the error). */
export function summaryTable(results: readonly SuiteResult[]): ResultTable {
  return {
    title: 'Summary',
    columns: ['suite', 'status', 'time', 'key figures'],
    rows: results.map((r) => [
      r.suite,
      r.status,
      formatDuration(r.durationMs),
      r.status === 'ok' ? keyFigures(r) : firstLine(r.error ?? 'failed'),
    ]),
  };
}

/** The first line of `text`, at most 160 characters. */
export function firstLine(text: string): string {
  const line = text.split('\n')[0];
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

/** All metrics of a suite as a two-column table. */
export function metricsTable(suite: string, metrics: Metrics): ResultTable {
  return {
    title: `${suite}: all metrics`,
    columns: ['metric', 'value'],
    rows: Object.entries(metrics).map(([k, v]) => [k, v]),
  };
}

/** One line describing the run's machine and backend. */
export function environmentLine(env: Environment): string {
  return (
    `Node ${env.node}, tfjs ${env.tfjs} on ${env.backend} (SIMD ${env.simd ? 'on' : 'off'}, ${env.threads} thread${env.threads === 1 ? '' : 's'}), ` +
    `${env.cpu.model} × ${env.cpu.cores} (${env.cpu.arch}), ${env.platform}`
  );
}

/** One line describing the command: arguments, mode, seed, data and shard. */
export function commandLine(report: RunReport): string {
  const c = report.command;
  const parts = [`${c.mode} mode`, `seed ${c.seed}`, c.data ? `data ${c.data}` : 'no data folder (packaged data)'];
  if (c.shard) parts.push(`shard ${c.shard.index}/${c.shard.count}`);
  if (report.shards) parts.push(`merged from ${report.shards.length} shards`);
  return `\`lab ${c.argv.join(' ')}\` (${parts.join(', ')})`;
}

/** Where the plots of a report are drawn: the SVG file (relative to the report folder) per plot. */
export type PlotFiles = ReadonlyMap<ResultPlot, string>;

/**
 * The Markdown report: environment, summary, then per suite its error, tables, plots (as links
 * to `plots/*.svg` when `plotFiles` has them), pictures and all metrics.
 */
export function reportMarkdown(report: RunReport, plotFiles: PlotFiles = new Map()): string {
  const out: string[] = [
    '# lab report',
    '',
    `- created: ${report.createdAt}`,
    `- command: ${commandLine(report)}`,
    `- environment: ${environmentLine(report.environment)}`,
    `- status: **${report.status}** in ${formatDuration(report.durationMs)}`,
    '',
    '## Summary',
    '',
    markdownTable(summaryTable(report.suites)).replace(/^### Summary\n\n/, ''),
  ];
  const missing = report.plan.filter((name) => !report.suites.some((s) => s.suite === name));
  if (missing.length > 0) out.push(`_Run by other shards: ${missing.join(', ')}._`, '');
  for (const r of report.suites) {
    out.push(`## ${r.suite}`, '');
    out.push(`Status: **${r.status}** in ${formatDuration(r.durationMs)}${r.shard ? ` (shard ${r.shard.index}/${r.shard.count} of its items)` : ''}.`, '');
    if (r.error) out.push('```', r.error, '```', '');
    for (const t of r.tables ?? []) out.push(markdownTable(t));
    for (const p of r.plots ?? []) {
      const file = plotFiles.get(p);
      out.push(`### ${p.title}`, '');
      if (file) out.push(`![${escapeAlt(p.title)}](${file})`, '');
      else out.push('_(plot not drawn)_', '');
      for (const note of p.notes ?? []) out.push(`_${note}_`, '');
    }
    for (const image of r.images ?? []) {
      out.push(`### ${image.title}`, '', `![${escapeAlt(image.title)}](${image.file})`, '');
      if (image.caption) out.push(`_${image.caption}_`, '');
    }
    if (Object.keys(r.metrics).length > 0) {
      out.push('<details><summary>All metrics</summary>', '', markdownTable(metricsTable(r.suite, r.metrics)), '</details>', '');
    }
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function escapeAlt(text: string): string {
  return text.replace(/[[\]]/g, '');
}

/** Writes the report as JSON to `file`, creating its folder. */
export async function writeJsonReport(file: string, report: RunReport): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
}

/**
 * Draws every plot of `report` to `dir/plots/*.svg`. A plot that cannot be drawn is skipped
 * (the reports say so) and its error passed to `onError`. Returns the SVG text and file per plot.
 */
export async function drawPlots(
  dir: string,
  report: RunReport,
  onError: (message: string) => void = () => {},
): Promise<Map<ResultPlot, { file: string; svg: string }>> {
  const drawn = new Map<ResultPlot, { file: string; svg: string }>();
  const plots = report.suites.flatMap((r) => (r.plots ?? []).map((p, i) => ({ suite: r.suite, plot: p, index: i })));
  if (plots.length === 0) return drawn;
  await mkdir(path.join(dir, 'plots'), { recursive: true });
  for (const { suite, plot, index } of plots) {
    const file = `plots/${plotFileName(suite, index, plot.title)}`;
    try {
      const svg = await renderPlotSvg(plot);
      await writeFile(path.join(dir, file), svg);
      drawn.set(plot, { file, svg });
    } catch (e) {
      onError(`${suite}: plot '${plot.title}' not drawn: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return drawn;
}

/**
 * Writes a report folder: `results.json`, `plots/*.svg`, `report.md` and `index.html` (which
 * embeds the plots and shows the pictures the suites wrote into the folder). Returns the paths
 * of the three documents.
 */
export async function writeReportFolder(dir: string, report: RunReport, onError?: (message: string) => void): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const json = path.join(dir, 'results.json');
  const md = path.join(dir, 'report.md');
  const html = path.join(dir, 'index.html');
  await writeJsonReport(json, report);
  const drawn = await drawPlots(dir, report, onError);
  const files = new Map([...drawn].map(([plot, d]) => [plot, d.file]));
  const svgs = new Map([...drawn].map(([plot, d]) => [plot, d.svg]));
  await writeFile(md, reportMarkdown(report, files));
  await writeFile(html, reportHtml(report, svgs));
  return [json, md, html];
}
