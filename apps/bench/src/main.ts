/**
 * The `lab` command as a function: `main(argv, io)` parses, runs, prints and writes the
 * reports, and returns the exit code (0 ok, 1 a suite failed, 2 a usage error). `cli.ts` calls
 * it with the process; tests call it directly.
 * @packageDocumentation
 */
import { initBackend, UnknownNameError } from '@lab/tensor';
import { parseArgs, UsageError, type ParsedArgs } from './args';
import { describeEnvironment, type BackendInfo } from './environment';
import { mainHelp, suiteHelp } from './help';
import type { Io } from './progress';
import { suites as defaultSuites, type SuiteRegistry } from './registry';
import { SCHEMA_VERSION, summaryTable, writeJsonReport, writeReportFolder, type RunReport } from './report';
import { describeError, runSuite } from './runner';
import type { SuiteResult } from './suite';
import { formatDuration, renderTable } from './table';

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
    io.stdout(args.suite ? suiteHelp(args.suite) : mainHelp(registry));
    return EXIT.ok;
  }

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
  io.stderr(
    `lab: ${args.suite ? `suite ${args.suite.name}` : `${Object.keys(registry).length} suites`}, ${mode} mode, seed ${args.common.seed}; ` +
      `backend ${environment.backend} (SIMD ${environment.simd ? 'on' : 'off'}, ${environment.threads} thread${environment.threads === 1 ? '' : 's'}), Node ${environment.node}\n`,
  );

  const selected = args.suite ? [args.suite] : Object.values(registry);
  const results: SuiteResult[] = [];
  for (const suite of selected) {
    const options = args.suite ? args.suiteOptions : defaultOptions(suite.options);
    results.push(await runSuite(suite, options, { quick: args.common.quick, seed: args.common.seed, outDir: args.common.out }, io));
  }

  const failed = results.some((r) => r.status === 'failed');
  const report: RunReport = {
    schemaVersion: SCHEMA_VERSION,
    createdAt,
    command: { argv: [...argv], suite: args.suite?.name ?? null, mode, seed: args.common.seed },
    environment,
    status: failed ? 'failed' : 'ok',
    durationMs: performance.now() - started,
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
    if (args.common.out) {
      const files = await writeReportFolder(args.common.out, report);
      io.stderr(`lab: wrote ${files.join(', ')}\n`);
    }
  } catch (e) {
    io.stderr(`lab: could not write the report: ${describeError(e)}\n`);
    writeFailed = true;
  }
  return failed || writeFailed ? EXIT.failed : EXIT.ok;
}

function defaultOptions(specs: Readonly<Record<string, { default?: string | number | boolean }>> | undefined) {
  const out: Record<string, string | number | boolean | undefined> = {};
  for (const [name, spec] of Object.entries(specs ?? {})) out[name] = spec.default;
  return out;
}
