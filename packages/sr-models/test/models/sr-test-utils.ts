/**
 * Shared fixtures of the model tests: the deterministic weights and inputs of the PyTorch
 * reference runs (see `fixtures/torch-reference-outputs.json`) and access to the shared data.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Module, StateDict } from '@lab/tensor';
import { expect } from 'vitest';
import { sharedDataDir } from '../../../tensor/test/helpers';
import reference from '../fixtures/torch-reference-outputs.json';

export { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';

/** One reference output of `torch-reference-outputs.json`. */
export interface ReferenceOutput {
  input: [number, number];
  outputShape: [number, number, number];
  stride: number;
  sum: number;
  sumSq: number;
  values: number[];
}

/** Reference outputs with the formula weights (`formula`) and the official checkpoints (`official`). */
export const TORCH_REFERENCE = reference as unknown as {
  formula: Record<'imdn-ntire2022' | 'imdn-x2' | 'imdn-x3' | 'imdn-x4' | 'rfdn' | 'rlfn', ReferenceOutput>;
  official: Record<'imdn-ntire2022' | 'rfdn' | 'rlfn', ReferenceOutput>;
};

/**
 * The deterministic input of the reference runs as NHWC `[1, h, w, 3]`: NCHW flat index
 * `k = (c·h + y)·w + x` holds `0.5 + 0.45·sin(0.61k + 0.2)` (× 255 for the 0–255 models).
 */
export function formulaInput(h: number, w: number, range255: boolean): tf.Tensor4D {
  const data = new Float32Array(h * w * 3);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const k = (c * h + y) * w + x;
        const v = 0.5 + 0.45 * Math.sin(0.61 * k + 0.2);
        data[(y * w + x) * 3 + c] = range255 ? v * 255 : v;
      }
    }
  }
  return tf.tensor4d(data, [1, h, w, 3]);
}

/**
 * Loads the formula weights of the reference runs: parameter j (in `namedParameters` order, which
 * equals the PyTorch `state_dict` order), flat index i of its PyTorch-layout tensor:
 * `sin(0.37i + 0.91j + 0.1)/√(numel/shape[0])` for rank-4 weights, `0.02·sin(0.53i + 0.91j)` else.
 */
export function loadFormulaWeights(model: Module<any, any>): void {
  const shapes = torchShapes(model);
  const dict: StateDict = {};
  try {
    shapes.forEach(([name, shape], j) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const v = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        v[i] = shape.length === 4 ? Math.sin(0.37 * i + 0.91 * j + 0.1) / Math.sqrt(n / shape[0]) : 0.02 * Math.sin(0.53 * i + 0.91 * j);
      }
      dict[name] = tf.tensor(v, shape);
    });
    model.loadStateDict(dict);
  } finally {
    tf.dispose(Object.values(dict));
  }
}

/** `[name, PyTorch shape]` of every parameter, in order. */
export function torchShapes(model: Module<any, any>): [string, number[]][] {
  const sd = model.stateDict();
  try {
    return Object.entries(sd).map(([k, t]) => [k, t.shape.slice()]);
  } finally {
    tf.dispose(Object.values(sd));
  }
}

/**
 * Compares an NHWC output `[1, H, W, 3]` with a reference: the shape, then returns the largest
 * absolute error over the sampled values and the error of the sum over all elements relative to
 * `√(N·Σv²)` (an upper bound of `Σ|v|`).
 */
export function compareWithReference(y: tf.Tensor, ref: ReferenceOutput): { maxAbsError: number; sumError: number } {
  expect(y.shape).toEqual([1, ...ref.outputShape]);
  const flat = y.dataSync();
  let maxAbsError = 0;
  ref.values.forEach((v, i) => {
    maxAbsError = Math.max(maxAbsError, Math.abs(flat[i * ref.stride] - v));
  });
  let sum = 0;
  let sumSq = 0;
  for (const v of flat) {
    sum += v;
    sumSq += v * v;
  }
  expect(Math.ceil(flat.length / ref.stride)).toBe(ref.values.length);
  return { maxAbsError, sumError: Math.abs(sum - ref.sum) / Math.max(1, Math.sqrt(ref.sumSq * flat.length)) };
}

/** Folder of the official NTIRE 2022 checkpoints, or undefined when the shared data is absent. */
export function ntireWeightsDir(): string | undefined {
  const root = sharedDataDir();
  const dir = root && path.join(root, 'weights', 'ntire2022');
  return dir && fs.existsSync(dir) ? dir : undefined;
}

/** Why the data tests are skipped. */
export const NO_DATA = 'shared data absent: ../shared/data/weights/ntire2022 not found (set LAB_DATA)';

/** Bytes of an official checkpoint (read in place; never copied). */
export function readNtireCheckpoint(file: string): Uint8Array {
  const dir = ntireWeightsDir();
  if (!dir) throw new Error(NO_DATA);
  const buf = fs.readFileSync(path.join(dir, file));
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
