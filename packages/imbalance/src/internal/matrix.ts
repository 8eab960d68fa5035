/**
 * Row-major number matrices read from a tensor or from nested arrays (internal).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { show } from './checks';

/**
 * A matrix `[N, C]` given as a rank-2 tensor (read, never disposed) or as `N` rows of `C` numbers.
 * @category Metrics
 */
export type MatrixInput = tf.Tensor | readonly ArrayLike<number>[];

/** A dense row-major matrix. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** Reads a {@link MatrixInput} into a dense matrix, checking the shape and that values are finite. */
export function readMatrix(fn: string, arg: string, m: unknown, cols?: number): Matrix {
  let data: Float64Array;
  let rows: number;
  let c: number;
  if (m instanceof tf.Tensor) {
    if (m.isDisposed) throw new InvalidValueError(`${fn}: ${arg} must not be disposed`);
    if (m.rank !== 2) throw new ShapeError(`${fn}: ${arg} must have shape [N, C], got [${m.shape}]`);
    [rows, c] = m.shape as [number, number];
    data = Float64Array.from(m.dataSync() as ArrayLike<number>);
  } else if (Array.isArray(m)) {
    rows = m.length;
    c = rows > 0 ? (m[0] as ArrayLike<number>)?.length ?? -1 : 0;
    data = new Float64Array(rows * Math.max(c, 0));
    for (let i = 0; i < rows; i++) {
      const row = m[i] as ArrayLike<number>;
      if (row === null || typeof row !== 'object' || typeof row.length !== 'number' || row.length !== c) {
        throw new ShapeError(`${fn}: ${arg} must be a tensor [N, C] or N rows of equal length, row ${i} is ${show(row)}`);
      }
      for (let j = 0; j < c; j++) data[i * c + j] = row[j];
    }
  } else {
    throw new ShapeError(`${fn}: ${arg} must be a tensor [N, C] or an array of rows, got ${show(m)}`);
  }
  if (rows === 0 || c <= 0) throw new ShapeError(`${fn}: ${arg} must not be empty, got [${rows}, ${Math.max(c, 0)}]`);
  if (cols !== undefined && c !== cols) throw new ShapeError(`${fn}: ${arg} must have ${cols} columns, got ${c}`);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new InvalidValueError(`${fn}: ${arg} must hold finite numbers, got ${data[i]} at [${Math.floor(i / c)}, ${i % c}]`);
    }
  }
  return { data, rows, cols: c };
}

/** Reads a binary label matrix: every entry must be 0 or 1. */
export function readLabels(fn: string, arg: string, m: unknown, cols?: number): Matrix {
  const out = readMatrix(fn, arg, m, cols);
  for (let i = 0; i < out.data.length; i++) {
    const v = out.data[i];
    if (v !== 0 && v !== 1) {
      throw new InvalidValueError(`${fn}: ${arg} must hold 0/1 labels, got ${v} at [${Math.floor(i / out.cols)}, ${i % out.cols}]`);
    }
  }
  return out;
}
