/**
 * Splitting a run into parts (`--shard i/n`) and merging their report folders (`lab merge`).
 *
 * Suites that are not {@link Suite.shardable} are dealt round-robin: the k-th of them (in run
 * order) runs on shard `k mod n`. Shardable suites run on every shard, each on a contiguous block
 * of its items ({@link shardSlice}); `lab merge` concatenates their partial results in shard
 * order and calls {@link Suite.finish}, which reproduces the unsharded result of a deterministic
 * suite.
 * @packageDocumentation
 */
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RunReport, ShardRecord } from './report';
import { parseReport } from './schema';
import type { AnySuite, Metrics, PlotPoint, ResultImage, ResultPlot, Shard, SuiteOutput, SuiteResult } from './suite';

/** A bad `--shard` value or an inconsistent set of shard reports. */
export class ShardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardError';
  }
}

/**
 * Parses `i/n` (`0 ≤ i < n`, integers) as a shard.
 * @throws {@link ShardError} naming the value.
 */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ShardError(`--shard must be INDEX/COUNT with 0 <= INDEX < COUNT (e.g. 0/4), got '${text}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new ShardError(`--shard must be INDEX/COUNT with 0 <= INDEX < COUNT (e.g. 0/4), got '${text}'`);
  return { index, count };
}

/** How one suite of the plan is run under a shard. */
export type ShardRole = 'whole' | 'part' | 'elsewhere';

/**
 * The role of each suite of `plan` (in run order) on `shard`: `whole` (runs whole here), `part`
 * (a shardable suite: its block of items here) or `elsewhere` (another shard runs it).
 */
export function shardRoles(plan: readonly AnySuite[], shard: Shard | undefined): ShardRole[] {
  let k = 0;
  return plan.map((suite) => {
    if (shard === undefined || shard.count <= 1) return 'whole';
    if (suite.shardable) return 'part';
    return k++ % shard.count === shard.index ? 'whole' : 'elsewhere';
  });
}

/** One shard's report folder as read by {@link readShardReports}. */
export interface ShardInput {
  /** The folder. */
  readonly dir: string;
  readonly report: RunReport;
}

/**
 * Reads `dir/results.json` of each folder (or the file itself, when a `.json` path is given)
 * and checks the set: same plan, mode, seed and shard count, and every index `0 … n−1` exactly once.
 * @throws {@link ShardError} (or `ReportSchemaError`) naming the folder and the problem.
 */
export async function readShardReports(dirs: readonly string[]): Promise<ShardInput[]> {
  if (dirs.length === 0) throw new ShardError('lab merge needs the report folders of the shards: lab merge DIR…');
  const inputs: ShardInput[] = [];
  for (const given of dirs) {
    const isFile = given.endsWith('.json') && (await stat(given).catch(() => undefined))?.isFile();
    const file = isFile ? given : path.join(given, 'results.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new ShardError(`no report in '${given}': ${file} cannot be read`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new ShardError(`${file} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    inputs.push({ dir: isFile ? path.dirname(given) : given, report: parseReport(json, file) });
  }
  const first = inputs[0].report;
  const count = first.command.shard?.count ?? 1;
  const seen = new Map<number, string>();
  for (const { dir, report } of inputs) {
    const s = report.command.shard ?? { index: 0, count: 1 };
    if (report.shards) throw new ShardError(`${dir} is already a merged report; merge the shard folders themselves`);
    if (s.count !== count) throw new ShardError(`${dir} is shard ${s.index}/${s.count}, but ${inputs[0].dir} is one of ${count}`);
    if (seen.has(s.index)) throw new ShardError(`shard ${s.index}/${count} given twice: ${seen.get(s.index)} and ${dir}`);
    seen.set(s.index, dir);
    for (const key of ['mode', 'seed', 'suite'] as const) {
      if (report.command[key] !== first.command[key]) {
        throw new ShardError(`${dir} ran with ${key} ${JSON.stringify(report.command[key])}, ${inputs[0].dir} with ${JSON.stringify(first.command[key])}`);
      }
    }
    if (report.plan.join('\n') !== first.plan.join('\n')) {
      throw new ShardError(`${dir} planned suites ${report.plan.join(', ')}, ${inputs[0].dir} planned ${first.plan.join(', ')}`);
    }
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new ShardError(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')}`);
  return inputs.sort((a, b) => (a.report.command.shard?.index ?? 0) - (b.report.command.shard?.index ?? 0));
}

/**
 * The output of several shards of one shardable suite as one: metrics united, rows of
 * same-titled tables, points of same-named series of same-titled plots, and images concatenated,
 * all in shard order; notes kept once.
 */
export function combineOutputs(parts: readonly SuiteOutput[]): SuiteOutput {
  const metrics: Metrics = {};
  const tables = new Map<string, { title: string; columns: readonly string[]; rows: (readonly (string | number)[])[]; notes: string[] }>();
  const plots = new Map<string, { plot: ResultPlot; series: Map<string, { name: string; points: PlotPoint[] }>; notes: string[] }>();
  const images: ResultImage[] = [];
  const failures: string[] = [];
  for (const part of parts) {
    Object.assign(metrics, part.metrics);
    for (const t of part.tables ?? []) {
      const into = tables.get(t.title) ?? { title: t.title, columns: t.columns, rows: [], notes: [] };
      into.rows.push(...t.rows);
      for (const n of t.notes ?? []) if (!into.notes.includes(n)) into.notes.push(n);
      tables.set(t.title, into);
    }
    for (const p of part.plots ?? []) {
      const into = plots.get(p.title) ?? { plot: p, series: new Map<string, { name: string; points: PlotPoint[] }>(), notes: [] as string[] };
      for (const s of p.series) {
        const series = into.series.get(s.name) ?? { name: s.name, points: [] };
        series.points.push(...s.points);
        into.series.set(s.name, series);
      }
      for (const n of p.notes ?? []) if (!into.notes.includes(n)) into.notes.push(n);
      plots.set(p.title, into);
    }
    images.push(...(part.images ?? []));
    failures.push(...(part.failures ?? []));
  }
  return {
    metrics,
    ...(tables.size > 0
      ? { tables: [...tables.values()].map(({ notes, ...t }) => ({ ...t, ...(notes.length > 0 ? { notes } : {}) })) }
      : {}),
    ...(plots.size > 0
      ? {
          plots: [...plots.values()].map(({ plot, series, notes }) => {
            const { notes: _, ...rest } = plot;
            return { ...rest, series: [...series.values()], ...(notes.length > 0 ? { notes } : {}) };
          }),
        }
      : {}),
    ...(images.length > 0 ? { images } : {}),
    ...(failures.length > 0 ? { failures } : {}),
  };
}

/** A suite result as the output it came from (for {@link combineOutputs}); errors become failures. */
function asOutput(r: SuiteResult): SuiteOutput {
  return {
    metrics: r.metrics,
    ...(r.tables ? { tables: r.tables } : {}),
    ...(r.plots ? { plots: r.plots } : {}),
    ...(r.images ? { images: r.images } : {}),
    ...(r.error ? { failures: [r.error] } : {}),
  };
}

/**
 * Merges the reports of all shards of one run into the report of the whole run: suites in plan
 * order; a suite run whole on one shard is taken as it is; the parts of a shardable suite are
 * combined ({@link combineOutputs}) and finished with `registry[suite].finish` when the registry
 * has it. `argv` is recorded as the merged report's command.
 */
export function mergeReports(inputs: readonly ShardInput[], registry: Readonly<Record<string, AnySuite>>, argv: readonly string[]): RunReport {
  const first = inputs[0].report;
  const suites: SuiteResult[] = [];
  for (const name of first.plan) {
    const found = inputs.flatMap(({ report }) => report.suites.filter((s) => s.suite === name).map((s) => ({ shard: report.command.shard, result: s })));
    if (found.length === 0) continue;
    if (found.every((f) => f.result.shard === undefined)) {
      suites.push(...found.map((f) => f.result));
      continue;
    }
    const count = first.command.shard?.count ?? 1;
    const parts = found.map((f) => f.result).sort((a, b) => (a.shard?.index ?? 0) - (b.shard?.index ?? 0));
    const have = new Set(parts.map((p) => p.shard?.index));
    const absent = Array.from({ length: count }, (_, i) => i).filter((i) => !have.has(i));
    let output = combineOutputs(parts.map(asOutput));
    const suite = Object.hasOwn(registry, name) ? registry[name] : undefined;
    const failures = [...(output.failures ?? [])];
    if (absent.length > 0) failures.push(`suite '${name}' has no result from shard${absent.length > 1 ? 's' : ''} ${absent.join(', ')}`);
    const summaries = parts.map((p) => p.summary).filter((s): s is string => s !== undefined);
    if (suite?.finish && absent.length === 0) {
      try {
        output = suite.finish(output, { quick: first.command.mode === 'quick', seed: first.command.seed, options: (parts[0].options ?? {}) as never });
        failures.splice(0, failures.length, ...(output.failures ?? []));
      } catch (e) {
        failures.push(`finish: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const summary = output.summary ?? (suite?.finish ? undefined : summaries.join(' | ') || undefined);
    suites.push({
      suite: name,
      status: failures.length > 0 ? 'failed' : 'ok',
      durationMs: parts.reduce((s, p) => s + p.durationMs, 0),
      ...(parts[0].options ? { options: parts[0].options } : {}),
      metrics: output.metrics,
      ...(output.tables?.length ? { tables: output.tables } : {}),
      ...(output.plots?.length ? { plots: output.plots } : {}),
      ...(output.images?.length ? { images: output.images } : {}),
      ...(summary ? { summary } : {}),
      ...(failures.length > 0 ? { error: failures.join('; ') } : {}),
    });
  }
  const shards: ShardRecord[] = inputs.map(({ report }) => ({
    index: report.command.shard?.index ?? 0,
    count: report.command.shard?.count ?? 1,
    argv: report.command.argv,
    createdAt: report.createdAt,
    durationMs: report.durationMs,
    status: report.status,
    environment: report.environment,
  }));
  return {
    schemaVersion: first.schemaVersion,
    createdAt: inputs.map((i) => i.report.createdAt).sort()[0],
    command: { argv: [...argv], suite: first.command.suite, mode: first.command.mode, seed: first.command.seed, data: first.command.data, shard: null },
    environment: first.environment,
    status: suites.some((s) => s.status === 'failed') || inputs.some((i) => i.report.status === 'failed') ? 'failed' : 'ok',
    durationMs: Math.max(...inputs.map((i) => i.report.durationMs)),
    plan: first.plan,
    suites,
    shards,
  };
}

/**
 * Copies the pictures of the merged suites from their shard folders into `outDir` (same
 * relative paths). Returns the problems met (a missing file); the report keeps the entries.
 */
export async function copyImages(inputs: readonly ShardInput[], outDir: string): Promise<string[]> {
  const problems: string[] = [];
  const copied = new Set<string>();
  for (const { dir, report } of inputs) {
    for (const suite of report.suites) {
      for (const image of suite.images ?? []) {
        const from = path.resolve(dir, image.file);
        const to = path.resolve(outDir, image.file);
        if (from === to || copied.has(to)) continue;
        try {
          await mkdir(path.dirname(to), { recursive: true });
          await copyFile(from, to);
          copied.add(to);
        } catch (e) {
          problems.push(`${suite.suite}: image ${image.file} not copied from ${dir}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
  }
  return problems;
}
