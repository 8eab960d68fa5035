/**
 * The `lab` command as a function: `main(argv, io)` parses, runs, prints and writes the
 * reports, and returns the exit code (0 ok, 1 a suite failed, 2 a usage error). `cli.ts` calls
 * it with the process; tests call it directly.
 * @packageDocumentation
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { initBackend, UnknownNameError } from '@lab/tensor';
import { parseArgs, UsageError, type ParsedArgs } from './args';
import { describeEnvironment, type BackendInfo } from './environment';
import { mainHelp, mergeHelp, suiteHelp } from './help';
import type { Io } from './progress';
import { suites as defaultSuites, type SuiteRegistry } from './registry';
import { SCHEMA_VERSION, summaryTable, writeJsonReport, writeReportFolder, type RunReport } from './report';
import { describeError, runSuite } from './runner';
import { copyImages, mergeReports, readShardReports, shardRoles } from './shard';
import type { SuiteResult } from './suite';
import { formatDuration, renderTable } from './table';

/** Report folder of the default run (`lab` alone) and of `lab merge` when `--out` is not given. */
export const DEFAULT_OUT = 'lab-report';

/** Replaceable parts of {@link main}, for tests. */
export interface MainDeps {
  /** Suites to offer; the registry by default. */
  readonly suites?: SuiteRegistry;
  /** Starts the tfjs backend once before the suites run; `initBackend()` of `@lab/tensor` by default. */
  readonly initBackend?: () => Promise<BackendInfo>;
}

/** Exit codes of `lab`. */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2 });

/** An {@link Io} on this process's stdout and stderr. */
export function processIo(): Io {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    isTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns,
  };
}

/**
 * Runs `lab` with `argv` (the arguments after the script name) and returns the exit code.
 * Never throws for a failing suite or a usage error; those are printed to `io.stderr`.
 */
export async function main(argv: readonly string[], io: Io = processIo(), deps: MainDeps = {}): Promise<number> {
  const registry = deps.suites ?? defaultSuites;
  let args: ParsedArgs;
  try {
    args = parseArgs(argv, registry);
  } catch (e) {
    if (e instanceof UsageError || e instanceof UnknownNameError) {
      const suite = argv.find((a) => Object.hasOwn(registry, a));
      io.stderr(`lab: ${e.message}\nRun 'lab ${suite ? `${suite} ` : ''}--help' for usage.\n`);
      return EXIT.usage;
    }
    throw e;
  }

  if (args.kind === 'help') {
    io.stdout(args.merge ? mergeHelp() : args.suite ? suiteHelp(args.suite) : mainHelp(registry));
    return EXIT.ok;
  }
  if (args.kind === 'merge') return merge(argv, args, io, registry);

  let dataDir: string | undefined;
  if (args.common.data !== undefined) {
    dataDir = path.resolve(args.common.data);
    if (!isDirectory(dataDir)) {
      io.stderr(`lab: --data must be a folder, got '${args.common.data}'\nRun 'lab --help' for usage.\n`);
      return EXIT.usage;
    }
  } else if (process.env.LAB_DATA) {
    dataDir = path.resolve(process.env.LAB_DATA);
    if (!isDirectory(dataDir)) {
      io.stderr(`lab: LAB_DATA=${process.env.LAB_DATA} is not a folder; running without a data folder\n`);
      dataDir = undefined;
    }
  }
  const out = args.common.out ?? (args.suite ? undefined : DEFAULT_OUT);
  const shard = args.common.shard;

  const createdAt = new Date().toISOString();
  const started = performance.now();
  let backend: BackendInfo;
  try {
    backend = await (deps.initBackend ?? (() => initBackend()))();
  } catch (e) {
    io.stderr(`lab: could not start the tfjs backend: ${describeError(e)}\n`);
    return EXIT.failed;
  }
  const environment = describeEnvironment(backend);
  const mode = args.common.quick ? 'quick' : 'full';
  const plan = args.suite ? [args.suite] : Object.values(registry);
  const roles = shardRoles(plan, shard);
  const here = plan.filter((_, i) => roles[i] !== 'elsewhere');
  io.stderr(
    `lab: ${args.suite ? `suite ${args.suite.name}` : `${plan.length} suites`}${shard ? ` (shard ${shard.index}/${shard.count}: ${here.map((s) => s.name).join(', ') || 'nothing'})` : ''}, ` +
      `${mode} mode, seed ${args.common.seed}, data ${dataDir ?? 'none (packaged data)'}; ` +
      `backend ${environment.backend} (SIMD ${environment.simd ? 'on' : 'off'}, ${environment.threads} thread${environment.threads === 1 ? '' : 's'}), Node ${environment.node}\n`,
  );

  if (out !== undefined) {
    try {
      await mkdir(out, { recursive: true });
    } catch (e) {
      io.stderr(`lab: cannot create the report folder ${out}: ${describeError(e)}\n`);
      return EXIT.failed;
    }
  }
  const results: SuiteResult[] = [];
  for (const [i, suite] of plan.entries()) {
    if (roles[i] === 'elsewhere') continue;
    const options = args.suite ? args.suiteOptions : defaultOptions(suite.options);
    const settings = { quick: args.common.quick, seed: args.common.seed, outDir: out, dataDir, ...(roles[i] === 'part' ? { shard } : {}) };
    results.push(await runSuite(suite, options, settings, io));
  }

  const failed = results.some((r) => r.status === 'failed');
  const report: RunReport = {
    schemaVersion: SCHEMA_VERSION,
    createdAt,
    command: { argv: [...argv], suite: args.suite?.name ?? null, mode, seed: args.common.seed, data: dataDir ?? null, shard: shard ?? null },
    environment,
    status: failed ? 'failed' : 'ok',
    durationMs: performance.now() - started,
    plan: plan.map((s) => s.name),
    suites: results,
  };
  io.stdout(`\n${renderTable(summaryTable(results))}`);
  io.stdout(`${failed ? 'FAILED' : 'ok'}: ${results.filter((r) => r.status === 'ok').length}/${results.length} suites ok in ${formatDuration(report.durationMs)}\n`);

  let writeFailed = false;
  try {
    if (args.common.json) {
      await writeJsonReport(args.common.json, report);
      io.stderr(`lab: wrote ${args.common.json}\n`);
    }
    if (out) {
      const files = await writeReportFolder(out, report, (message) => io.stderr(`lab: ${message}\n`));
      io.stderr(`lab: wrote ${files.join(', ')}\n`);
    }
  } catch (e) {
    io.stderr(`lab: could not write the report: ${describeError(e)}\n`);
    writeFailed = true;
  }
  return failed || writeFailed ? EXIT.failed : EXIT.ok;
}

/** `lab merge DIR… [--out DIR] [--json FILE]`: one report from the report folders of all shards. */
async function merge(
  argv: readonly string[],
  args: Extract<ParsedArgs, { kind: 'merge' }>,
  io: Io,
  registry: SuiteRegistry,
): Promise<number> {
  let report: RunReport;
  const out = args.out ?? DEFAULT_OUT;
  try {
    const inputs = await readShardReports(args.dirs);
    report = mergeReports(inputs, registry, argv);
    for (const problem of await copyImages(inputs, out)) io.stderr(`lab merge: ${problem}\n`);
  } catch (e) {
    io.stderr(`lab merge: ${describeError(e)}\n`);
    return EXIT.usage;
  }
  io.stdout(`${renderTable(summaryTable(report.suites))}`);
  const ok = report.suites.filter((r) => r.status === 'ok').length;
  io.stdout(`${report.status === 'failed' ? 'FAILED' : 'ok'}: ${ok}/${report.suites.length} suites ok, merged from ${report.shards?.length ?? 0} shards\n`);
  try {
    if (args.json) await writeJsonReport(args.json, report);
    const files = await writeReportFolder(out, report, (message) => io.stderr(`lab merge: ${message}\n`));
    io.stderr(`lab merge: wrote ${[...(args.json ? [args.json] : []), ...files].join(', ')}\n`);
  } catch (e) {
    io.stderr(`lab merge: could not write the report: ${describeError(e)}\n`);
    return EXIT.failed;
  }
  return report.status === 'failed' ? EXIT.failed : EXIT.ok;
}

function isDirectory(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory();
}

function defaultOptions(specs: Readonly<Record<string, { default?: string | number | boolean }>> | undefined) {
  const out: Record<string, string | number | boolean | undefined> = {};
  for (const [name, spec] of Object.entries(specs ?? {})) out[name] = spec.default;
  return out;
}
