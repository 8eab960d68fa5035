/**
 * `lab --help` and `lab <suite> --help`.
 * @packageDocumentation
 */
import { COMMON_OPTIONS, MERGE_OPTIONS } from './args';
import type { SuiteRegistry } from './registry';
import type { AnySuite, OptionSpec, OptionSpecs } from './suite';

function optionLines(specs: OptionSpecs, withHelp: boolean): string[] {
  const rows: [string, string][] = Object.entries(specs).map(([name, spec]) => [optionSynopsis(name, spec), optionText(spec)]);
  if (withHelp) rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`);
}

function optionSynopsis(name: string, spec: OptionSpec): string {
  if (spec.type === 'boolean') return `--${name}`;
  return `--${name} ${spec.valueName ?? (spec.choices ? spec.choices.join('|') : spec.type.toUpperCase())}`;
}

function optionText(spec: OptionSpec): string {
  return spec.default === undefined || spec.type === 'boolean' ? spec.description : `${spec.description} (default ${spec.default})`;
}

/** The command's help: usage, every registered suite with its description, the common options. */
export function mainHelp(registry: SuiteRegistry): string {
  const names = Object.keys(registry);
  const width = Math.max(...names.map((n) => n.length));
  return [
    'lab: run the lab\'s suites and report the results',
    '',
    'Usage:',
    '  lab [options]             run every suite in quick mode, print a summary, write lab-report/',
    '  lab <suite> [options]     run one suite',
    '  lab <suite> --help        show the options of one suite',
    '  lab merge DIR… [--out DIR]  merge the report folders of a --shard run into one report',
    '',
    'Suites:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${registry[n].description}`),
    '',
    'Options:',
    ...optionLines(COMMON_OPTIONS, true),
    '',
    'Progress goes to stderr (a bar on a terminal), results to stdout.',
    'Exit codes: 0 all suites ok, 1 a suite failed, 2 a usage error.',
    '',
  ].join('\n');
}

/** Help of `lab merge`. */
export function mergeHelp(): string {
  return [
    'lab merge: merge the report folders of the shards of one run into one report',
    '',
    'Usage:',
    '  lab merge DIR… [options]',
    '',
    'Each DIR is the --out folder of one `lab --shard I/N` run (or its results.json); all N shards',
    'of the same run (same suites, mode and seed) must be given. Pictures are copied over.',
    '',
    'Options:',
    ...optionLines(MERGE_OPTIONS, true),
    '',
  ].join('\n');
}

/** A suite's help: usage, description, its own options, then the common options. */
export function suiteHelp(suite: AnySuite): string {
  const own = (suite.options ?? {}) as OptionSpecs;
  return [
    `lab ${suite.name}: ${suite.description}`,
    '',
    'Usage:',
    `  lab ${suite.name} [options]`,
    '',
    ...(Object.keys(own).length > 0 ? [`Options of ${suite.name}:`, ...optionLines(own, false), ''] : []),
    'Common options:',
    ...optionLines(COMMON_OPTIONS, true),
    '',
  ].join('\n');
}
