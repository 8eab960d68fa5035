/**
 * The results of a `lab` run: the versioned JSON schema (`--json FILE`, `results.json`), the
 * summary table, and the Markdown report (`report.md`) of a report folder (`--out DIR`).
 * @packageDocumentation
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Environment } from './environment';
import type { Metrics, ResultTable, SuiteResult } from './suite';
import { formatCell, formatDuration, markdownTable } from './table';

/** Version of the JSON layout below; raised on any incompatible change. */
export const SCHEMA_VERSION = 1;

/** A whole run, as written by `--json FILE` and to `results.json`. */
export interface RunReport {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  /** ISO 8601 time the run started. */
  readonly createdAt: string;
  readonly command: {
    /** The arguments given to `lab`. */
    readonly argv: readonly string[];
    /** The suite asked for; null for the default run of every suite. */
    readonly suite: string | null;
    readonly mode: 'quick' | 'full';
    readonly seed: number;
  };
  readonly environment: Environment;
  /** `failed` when any suite failed. */
  readonly status: 'ok' | 'failed';
  readonly durationMs: number;
  /** One entry per suite run, in run order. */
  readonly suites: readonly SuiteResult[];
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

function firstLine(text: string): string {
  const line = text.split('\n')[0];
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

function metricsTable(suite: string, metrics: Metrics): ResultTable {
  return {
    title: `${suite}: all metrics`,
    columns: ['metric', 'value'],
    rows: Object.entries(metrics).map(([k, v]) => [k, v]),
  };
}

/** The Markdown report: environment, summary, then each suite's tables and metrics. */
export function reportMarkdown(report: RunReport): string {
  const env = report.environment;
  const out: string[] = [
    '# lab report',
    '',
    `- created: ${report.createdAt}`,
    `- command: \`lab ${report.command.argv.join(' ')}\` (${report.command.mode} mode, seed ${report.command.seed})`,
    `- environment: Node ${env.node}, tfjs ${env.tfjs} on ${env.backend} (SIMD ${env.simd ? 'on' : 'off'}, ${env.threads} thread${env.threads === 1 ? '' : 's'}), ${env.cpu.model} × ${env.cpu.cores} (${env.cpu.arch}), ${env.platform}`,
    `- status: **${report.status}** in ${formatDuration(report.durationMs)}`,
    '',
    '## Summary',
    '',
    markdownTable(summaryTable(report.suites)).replace(/^### Summary\n\n/, ''),
  ];
  for (const r of report.suites) {
    out.push(`## ${r.suite}`, '');
    out.push(`Status: **${r.status}** in ${formatDuration(r.durationMs)}.`, '');
    if (r.error) out.push('```', r.error, '```', '');
    for (const t of r.tables ?? []) out.push(markdownTable(t));
    if (Object.keys(r.metrics).length > 0) {
      out.push('<details><summary>All metrics</summary>', '', markdownTable(metricsTable(r.suite, r.metrics)), '</details>', '');
    }
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** Writes the report as JSON to `file`, creating its folder. */
export async function writeJsonReport(file: string, report: RunReport): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
}

/** Writes a report folder: `results.json` and `report.md`. Returns the paths written. */
export async function writeReportFolder(dir: string, report: RunReport): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const json = path.join(dir, 'results.json');
  const md = path.join(dir, 'report.md');
  await writeJsonReport(json, report);
  await writeFile(md, reportMarkdown(report));
  return [json, md];
}
