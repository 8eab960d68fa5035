/**
 * `OnnxSession` for browsers: ONNX Runtime through `onnxruntime-web` (an optional peer dependency).
 * @packageDocumentation
 */
import { NotAvailableError } from '@lab/tensor';
import type { ExportOnnxResult } from '../export/export-onnx';
import { OnnxSessionBase, type OnnxSessionOptions } from './onnx-session-base';
import type { OrtRuntime } from './ort-runtime';

/** Loads `onnxruntime-web`; the specifier is a variable so that no bundler or type checker requires the optional peer. */
async function loadOnnxRuntimeWeb(): Promise<OrtRuntime> {
  const specifier = 'onnxruntime-web';
  try {
    const m = (await import(/* @vite-ignore */ specifier)) as { default?: unknown };
    return (m.default ?? m) as OrtRuntime;
  } catch (e) {
    throw new NotAvailableError(
      `OnnxSession.create: onnxruntime-web could not be loaded (${(e as Error).message}); install it, or pass { runtime: ort } from \`import * as ort from 'onnxruntime-web'\``,
    );
  }
}

/**
 * Runs an ONNX model with onnxruntime-web in a browser, taking and returning tf tensors. Pass the
 * runtime explicitly (`{ runtime: ort }`) when a bundler should include it; threads follow
 * `ort.env.wasm.numThreads`.
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-web';
 * const session = await OnnxSession.create(bytes, { runtime: ort });
 * const y = await session.run(x);
 * ```
 * @category Runtime
 */
export class OnnxSession extends OnnxSessionBase {
  /**
   * Creates a session.
   * @param model - ONNX bytes, or the result of `exportOnnx`
   * @param options - see {@link OnnxSessionOptions}
   * @returns the session; call `release` when done
   * @throws InvalidValueError for bad options or a rejected model; NotAvailableError when onnxruntime-web cannot load
   */
  static async create(model: Uint8Array | ExportOnnxResult, options: OnnxSessionOptions = {}): Promise<OnnxSession> {
    const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 1;
    return OnnxSessionBase.createWith((s, r, t) => new OnnxSession(s, r, t), loadOnnxRuntimeWeb, cores, model, options);
  }
}
