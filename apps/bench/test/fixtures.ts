/**
 * Fake suites and a capturing Io for the tests of the `lab` command.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { initBackend, writePngFile } from '@lab/tensor';
import * as tf from '@tensorflow/tfjs-core';
import type { Io } from '../src/progress';
import type { SuiteRegistry } from '../src/registry';
import { defineSuite, shardSlice } from '../src/suite';

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

/** A 4×2 RGB PNG (red, green, blue, white / black…), written by {@link figureSuite}. */
export const TINY_PNG = { width: 4, height: 2, channels: 3 as const, data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 64, 64, 64, 128, 128, 128, 192, 192, 192]) };

/** A suite returning a table, one plot of each kind and a picture written into the report folder. */
export const figureSuite = defineSuite({
  name: 'figures',
  description: 'a fake suite with plots and a picture',
  async run(ctx) {
    const images = [];
    if (ctx.outDir !== undefined) {
      const file = path.join(ctx.outDir, 'figures', 'tiny-figure.png');
      await mkdir(path.dirname(file), { recursive: true });
      await writePngFile(file, TINY_PNG);
      images.push({ file, title: 'A tiny figure', caption: 'four pixels on top, four greys below' });
    }
    return {
      metrics: { points: 3 },
      tables: [{ title: 'Figure table', columns: ['k', 'v'], rows: [['a', 1]] }],
      plots: [
        { title: 'A curve', kind: 'line', x: 'step', y: 'loss', series: [{ name: 'train', points: [{ x: 0, y: 1 }, { x: 1, y: 0.5 }, { x: 2, y: 0.25 }] }] },
        {
          title: 'Bars by method',
          kind: 'bar',
          x: 'method',
          y: 'precision',
          series: [
            { name: '+P', points: [{ x: 'saliency', y: 0.4 }, { x: 'ig', y: 1 }] },
            { name: '+R', points: [{ x: 'saliency', y: 0.3 }, { x: 'ig', y: 0.9 }] },
          ],
          notes: ['bars grouped per method'],
        },
        {
          title: 'Quality vs cost',
          kind: 'scatter',
          x: 'GFLOPs',
          y: 'PSNR (dB)',
          xScale: 'log',
          series: [{ name: 'models', points: [{ x: 19.7, y: 29, label: 'rlfn' }, { x: 58.5, y: 29.13, label: 'imdn' }, { x: Number.NaN, y: 1, label: 'dropped' }] }],
        },
      ],
      images,
    };
  },
});

/** Items of {@link itemsSuite}. */
export const ITEMS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta'];

/**
 * A deterministic shardable suite: one metric, table row, plot point and (with a report folder)
 * picture per item of its shard's block; `finish` adds the total and the summary.
 */
export const itemsSuite = defineSuite({
  name: 'items',
  description: 'a fake shardable suite',
  shardable: true,
  options: { factor: { type: 'number', default: 2, description: 'multiplier' } },
  async run(ctx) {
    const items = shardSlice(ITEMS, ctx.shard);
    ctx.progress.start(items.length);
    const metrics: Record<string, number> = {};
    const rows: (string | number)[][] = [];
    const images = [];
    for (const item of items) {
      ctx.progress.step(item);
      const value = (ITEMS.indexOf(item) + 1) * ctx.options.factor + ctx.seed;
      metrics[`${item}.value`] = value;
      rows.push([item, value]);
      if (ctx.outDir !== undefined) {
        const file = path.join(ctx.outDir, `items-${item}.png`);
        await writePngFile(file, TINY_PNG);
        images.push({ file, title: item });
      }
    }
    return {
      metrics,
      tables: [{ title: 'Items', columns: ['item', 'value'], rows, notes: ['value = (index + 1) × factor + seed'] }],
      plots: [{ title: 'Values', kind: 'line', x: 'index', y: 'value', series: [{ name: 'value', points: items.map((item) => ({ x: ITEMS.indexOf(item), y: metrics[`${item}.value`] })) }] }],
      images,
    };
  },
  finish(output) {
    const values = Object.entries(output.metrics).filter(([k]) => k.endsWith('.value'));
    const total = values.reduce((s, [, v]) => s + Number(v), 0);
    return { ...output, metrics: { ...output.metrics, total, items: values.length }, summary: `${values.length} items, total ${total}` };
  },
});
