/**
 * Fake suites and a capturing Io for the tests of the `lab` command.
 */
import { initBackend } from '@lab/tensor';
import * as tf from '@tensorflow/tfjs-core';
import type { Io } from '../src/progress';
import type { SuiteRegistry } from '../src/registry';
import { defineSuite } from '../src/suite';

/** An Io that records everything written. */
export interface CapturedIo extends Io {
  readonly out: string[];
  readonly err: string[];
  stdoutText(): string;
  stderrText(): string;
}

export function captureIo(isTTY = false): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    isTTY,
    columns: 120,
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    stdoutText: () => out.join(''),
    stderrText: () => err.join(''),
  };
}

/** Starts the cpu backend (fast, synchronous kernels) in place of the default wasm start-up. */
export const cpuBackend = () => initBackend({ backend: 'cpu' });

/** A suite with two steps and a `--size` option, reporting what it was given. */
export const tinySuite = defineSuite({
  name: 'tiny',
  description: 'a tiny fake suite',
  options: {
    size: { type: 'number', integer: true, min: 1, default: 3, description: 'a size' },
    mode: { type: 'string', choices: ['a', 'b'], default: 'a', description: 'a mode' },
  },
  async run(ctx) {
    ctx.progress.start(2);
    ctx.progress.step('first');
    ctx.progress.step('second');
    const sum = tf.tidy(() => tf.sum(tf.ones([ctx.options.size])).arraySync() as number);
    return {
      metrics: { sum, quick: ctx.quick ? 1 : 0, seed: ctx.seed, mode: ctx.options.mode },
      tables: [{ title: 'Tiny table', columns: ['name', 'value'], rows: [['sum', sum]] }],
      summary: `sum ${sum}`,
    };
  },
});

/** A suite that throws. */
export const brokenSuite = defineSuite({
  name: 'broken',
  description: 'a fake suite that throws',
  async run() {
    throw new RangeError('kaboom in broken');
  },
});

/** A suite that leaves one tensor behind. */
export const leakySuite = defineSuite({
  name: 'leaky',
  description: 'a fake suite that leaks a tensor',
  async run() {
    tf.ones([2]);
    return { metrics: { value: 1 } };
  },
});

/** Registry of the fake suites, in run order: broken between two good ones. */
export const fakeRegistry: SuiteRegistry = { tiny: tinySuite, broken: brokenSuite, leaky: leakySuite };
