/**
 * `OnnxSession` for Node: ONNX Runtime through `onnxruntime-node` (native, multi-threaded).
 * @packageDocumentation
 */
import { availableParallelism } from 'node:os';
import { NotAvailableError } from '@lab/tensor';
import type { ExportOnnxResult } from '../export/export-onnx';
import { OnnxSessionBase, type OnnxSessionOptions } from './onnx-session-base';
import type { OrtRuntime } from './ort-runtime';

let nodeRuntime: Promise<OrtRuntime> | undefined;

/** Loads `onnxruntime-node` once. @internal */
export function loadOnnxRuntimeNode(): Promise<OrtRuntime> {
  nodeRuntime ??= import('onnxruntime-node').then(
    (m) => ((m as { default?: unknown }).default ?? m) as unknown as OrtRuntime,
    (e: Error) => {
      nodeRuntime = undefined;
      throw new NotAvailableError(`OnnxSession.create: onnxruntime-node could not be loaded: ${e.message}`);
    },
  );
  return nodeRuntime;
}

/**
 * Runs an ONNX model with onnxruntime-node, taking and returning tf tensors (or typed arrays with
 * {@link OnnxSessionBase.runData | runData}). One operator uses as many threads as the machine has
 * cores unless `threads` says otherwise; the graph is optimised at level `'all'`.
 * @example
 * ```ts
 * const exported = exportOnnx(net, tf.zeros([1, 32, 32, 3]));
 * const session = await OnnxSession.create(exported);
 * const y = await session.run(x);   // NHWC in, NHWC out; the caller disposes y
 * await session.release();
 * ```
 * @category Runtime
 */
export class OnnxSession extends OnnxSessionBase {
  /**
   * Creates a session.
   * @param model - ONNX bytes, or the result of {@link exportOnnx}
   * @param options - see {@link OnnxSessionOptions}
   * @returns the session; call {@link OnnxSessionBase.release | release} when done
   * @throws InvalidValueError for bad options or a model ONNX Runtime rejects; NotAvailableError when onnxruntime-node cannot load
   */
  static async create(model: Uint8Array | ExportOnnxResult, options: OnnxSessionOptions = {}): Promise<OnnxSession> {
    return OnnxSessionBase.createWith((s, r, t) => new OnnxSession(s, r, t), loadOnnxRuntimeNode, availableParallelism(), model, options);
  }
}
