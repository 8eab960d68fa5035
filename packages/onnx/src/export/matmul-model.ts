/**
 * A one-node ONNX model `Y = A·B` with `B` embedded, used to measure the native matmul peak.
 * @packageDocumentation
 */
import { InvalidValueError } from '@lab/tensor';
import { encodeOnnxModel } from '../proto/onnx-proto';
import { ONNX_OPSET } from './export-onnx';

/**
 * Builds an ONNX model computing `output = input · B` for an input `[m, k]` and a constant
 * `B [k, n]` (deterministic values in [-0.5, 0.5)), so that `2·m·k·n` FLOPs per run measure the
 * runtime's dense matmul throughput.
 * @param m - rows of the input, a positive integer
 * @param k - columns of the input and rows of `B`
 * @param n - columns of `B` and of the output
 * @returns the serialised model (input `input`, output `output`)
 * @throws InvalidValueError for a non-positive or non-integer size
 * @example
 * ```ts
 * const session = await OnnxSession.create(matMulOnnxModel(2048, 2048, 2048));
 * ```
 * @category Export
 */
export function matMulOnnxModel(m: number, k: number, n: number): Uint8Array {
  for (const [name, v] of [
    ['m', m],
    ['k', k],
    ['n', n],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new InvalidValueError(`matMulOnnxModel: ${name} must be a positive integer, got ${String(v)}`);
  }
  const b = new Float32Array(k * n);
  let s = 12345;
  for (let i = 0; i < b.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    b[i] = s / 2 ** 32 - 0.5;
  }
  return encodeOnnxModel({
    irVersion: 8,
    opset: ONNX_OPSET,
    producerName: '@lab/onnx',
    producerVersion: '0.0.0',
    graphName: 'matmul',
    nodes: [{ opType: 'MatMul', name: 'matmul', inputs: ['input', 'B'], outputs: ['output'], attributes: [] }],
    initializers: [{ name: 'B', dataType: 'float32', dims: [k, n], data: b }],
    inputs: [{ name: 'input', dataType: 'float32', dims: [m, k] }],
    outputs: [{ name: 'output', dataType: 'float32', dims: [m, n] }],
  });
}
