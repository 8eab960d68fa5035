/**
 * Runs suites one after another: seeds, times, catches failures, checks for leaked tensors and
 * prints each suite's tables as it finishes. A suite that throws is recorded as failed with its
 * message and the next suite still runs.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { setGlobalSeed } from '@lab/tensor';
import { createProgress, type Io } from './progress';
import type { AnySuite, SuiteResult } from './suite';
import { formatDuration, renderTable } from './table';

/** Settings shared by every suite of a run. */
export interface RunSettings {
  readonly quick: boolean;
  readonly seed: number;
  readonly outDir?: string;
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
  try {
    const output = await suite.run({
      quick: settings.quick,
      seed: settings.seed,
      outDir: settings.outDir,
      options,
      progress,
      log,
    });
    const failures = [...(output.failures ?? [])];
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked !== 0) failures.push(`suite '${suite.name}' leaked ${leaked} tensor${leaked === 1 ? '' : 's'}`);
    result = {
      suite: suite.name,
      status: failures.length > 0 ? 'failed' : 'ok',
      durationMs: performance.now() - started,
      metrics: { ...output.metrics },
      ...(output.tables?.length ? { tables: output.tables } : {}),
      ...(output.summary ? { summary: output.summary } : {}),
      ...(failures.length > 0 ? { error: failures.join('; ') } : {}),
    };
  } catch (e) {
    result = {
      suite: suite.name,
      status: 'failed',
      durationMs: performance.now() - started,
      metrics: {},
      error: describeError(e),
    };
  } finally {
    progress.end();
  }
  printResult(result, io);
  return result;
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
}
