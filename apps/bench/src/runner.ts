/**
 * Runs suites one after another: seeds, times, catches failures, checks for leaked tensors and
 * pictures, and prints each suite's tables as it finishes. A suite that throws is recorded as
 * failed with its message and the next suite still runs.
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setGlobalSeed } from '@lab/tensor';
import { createProgress, type Io } from './progress';
import type { AnySuite, ResultImage, Shard, SuiteOutput, SuiteResult } from './suite';
import { formatDuration, renderTable } from './table';

/** Settings shared by every suite of a run. */
export interface RunSettings {
  readonly quick: boolean;
  readonly seed: number;
  readonly outDir?: string;
  /** Data folder handed to suites as `ctx.dataDir`. */
  readonly dataDir?: string;
  /**
   * Set when the suite runs as one part of a sharded run (a {@link AnySuite.shardable} suite on
   * shard `i/n`, n > 1): it gets `ctx.shard`, `finish` is left to `lab merge`, and the result
   * records the shard.
   */
  readonly shard?: Shard;
}

/**
 * The pictures of a suite's output (paths as written: absolute or relative to the working
 * folder) with paths relative to `outDir` (with `/`); a picture outside the folder, or a file
 * that does not exist, is left out and reported in `problems`.
 */
export function relativeImages(images: readonly ResultImage[], outDir: string | undefined, problems: string[]): ResultImage[] {
  const out: ResultImage[] = [];
  for (const image of images) {
    if (outDir === undefined) {
      problems.push(`image '${image.file}' returned without a report folder`);
      continue;
    }
    const abs = path.resolve(image.file);
    const rel = path.relative(path.resolve(outDir), abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      problems.push(`image '${image.file}' is outside the report folder ${outDir}`);
      continue;
    }
    if (!existsSync(abs)) {
      problems.push(`image '${image.file}' was not written`);
      continue;
    }
    out.push({ ...image, file: rel.split(path.sep).join('/') });
  }
  return out;
}

/** Runs `suite` with `options` and returns its result; never throws for a failure of the suite. */
export async function runSuite(
  suite: AnySuite,
  options: Readonly<Record<string, string | number | boolean | undefined>>,
  settings: RunSettings,
  io: Io,
): Promise<SuiteResult> {
  const progress = createProgress(suite.name, io);
  const log = (message: string): void => progress.log(message);
  setGlobalSeed(settings.seed);
  const tensorsBefore = tf.memory().numTensors;
  const started = performance.now();
  let result: SuiteResult;
  const partial = settings.shard !== undefined && settings.shard.count > 1;
  const recorded = recordedOptions(options);
  const common = { ...(Object.keys(recorded).length > 0 ? { options: recorded } : {}) };
  try {
    let output: SuiteOutput = await suite.run({
      quick: settings.quick,
      seed: settings.seed,
      outDir: settings.outDir,
      ...(settings.dataDir !== undefined ? { dataDir: settings.dataDir } : {}),
      ...(partial ? { shard: settings.shard } : {}),
      options,
      progress,
      log,
    });
    if (suite.finish && !partial) output = suite.finish(output, { quick: settings.quick, seed: settings.seed, options });
    const failures = [...(output.failures ?? [])];
    const images = relativeImages(output.images ?? [], settings.outDir, failures);
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked !== 0) failures.push(`suite '${suite.name}' leaked ${leaked} tensor${leaked === 1 ? '' : 's'}`);
    result = {
      suite: suite.name,
      status: failures.length > 0 ? 'failed' : 'ok',
      durationMs: performance.now() - started,
      ...common,
      metrics: { ...output.metrics },
      ...(output.tables?.length ? { tables: output.tables } : {}),
      ...(output.plots?.length ? { plots: output.plots } : {}),
      ...(images.length ? { images } : {}),
      ...(output.summary ? { summary: output.summary } : {}),
      ...(failures.length > 0 ? { error: failures.join('; ') } : {}),
      ...(partial ? { shard: settings.shard } : {}),
    };
  } catch (e) {
    result = {
      suite: suite.name,
      status: 'failed',
      durationMs: performance.now() - started,
      ...common,
      metrics: {},
      error: describeError(e),
      ...(partial ? { shard: settings.shard } : {}),
    };
  } finally {
    progress.end();
  }
  printResult(result, io);
  return result;
}

/** The options worth recording: those with a value. */
function recordedOptions(options: Readonly<Record<string, string | number | boolean | undefined>>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out;
}

/** An error as one message: `Name: message` (LabError subclasses and plain errors alike). */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
  return String(e);
}

function printResult(result: SuiteResult, io: Io): void {
  const head = `== ${result.suite}: ${result.status} in ${formatDuration(result.durationMs)}`;
  io.stdout(`\n${head}\n`);
  if (result.error) io.stdout(`error: ${result.error}\n`);
  for (const table of result.tables ?? []) io.stdout(`\n${renderTable(table)}`);
  const extras = [
    ...(result.plots?.length ? [`${result.plots.length} plot${result.plots.length === 1 ? '' : 's'} (${result.plots.map((p) => p.title).join('; ')})`] : []),
    ...(result.images?.length ? [`${result.images.length} picture${result.images.length === 1 ? '' : 's'}`] : []),
  ];
  if (extras.length > 0) io.stdout(`\nin the report: ${extras.join(', ')}\n`);
}
