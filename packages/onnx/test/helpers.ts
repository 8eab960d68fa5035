import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { Module } from '@lab/tensor';
import { OnnxSession, exportOnnx, type ExportOnnxResult } from '../src/index';

/** `../shared/data` beside the repository (or `LAB_DATA`), when present. */
export function sharedDataDir(): string | undefined {
  const root = process.env.LAB_DATA ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/data');
  return fs.existsSync(root) ? root : undefined;
}

/** Runs `f` and checks that `tf.memory().numTensors` changed by exactly `delta`. */
export async function expectTensorDelta<T>(f: () => T | Promise<T>, delta: number): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await f();
  expect(tf.memory().numTensors - before).toBe(delta);
  return out;
}

/** max |a − b| divided by the range (max − min) of `ref`. */
export function relativeError(y: tf.Tensor, ref: tf.Tensor): number {
  const a = y.dataSync();
  const b = ref.dataSync();
  expect(y.shape).toEqual(ref.shape);
  let err = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    lo = Math.min(lo, b[i]);
    hi = Math.max(hi, b[i]);
  }
  return err / Math.max(hi - lo, 1e-12);
}

/**
 * Exports `model` at `exportShape`, then runs ONNX Runtime and tfjs on seeded random inputs of
 * every shape in `runShapes`, returning the relative error per shape.
 */
export async function compareWithTfjs(
  model: Module<any, any>,
  exportShape: number[],
  runShapes: number[][],
  inspect?: (exported: ExportOnnxResult) => void,
): Promise<number[]> {
  model.eval();
  const x0 = tf.randomUniform(exportShape, 0, 1, 'float32', 7);
  const exported = await expectTensorDelta(() => exportOnnx(model, x0), 0);
  x0.dispose();
  inspect?.(exported);
  const session = await OnnxSession.create(exported);
  try {
    const errors: number[] = [];
    for (const [i, shape] of runShapes.entries()) {
      const x = tf.randomUniform(shape, 0, 1, 'float32', 11 + i);
      const y = await expectTensorDelta(() => session.run(x), 1);
      const ref = tf.tidy(() => model.call(x) as tf.Tensor);
      errors.push(relativeError(y, ref));
      tf.dispose([x, y, ref]);
    }
    return errors;
  } finally {
    await session.release();
  }
}
