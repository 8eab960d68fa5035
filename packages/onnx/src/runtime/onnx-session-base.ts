/**
 * A session around an ONNX model that takes and returns tf tensors or typed arrays.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, NotAvailableError, ShapeError, checkOptions } from '@lab/tensor';
import type { ExportOnnxResult } from '../export/export-onnx';
import type { OrtRuntime, OrtSessionLike, OrtTensorLike } from './ort-runtime';

/** Options of {@link OnnxSession.create}. @category Runtime */
export interface OnnxSessionOptions {
  /**
   * Threads one operator uses (ONNX Runtime's `intraOpNumThreads`); ignored by onnxruntime-web,
   * whose thread count is the global `ort.env.wasm.numThreads`.
   * @defaultValue the number of cores (`os.availableParallelism()` in Node)
   */
  threads?: number;
  /**
   * The ONNX Runtime package to use.
   * @defaultValue `onnxruntime-node` from the Node entry, `onnxruntime-web` from the browser entry
   */
  runtime?: OrtRuntime;
  /**
   * ONNX Runtime's graph optimisation level (`'all'` fuses convolutions with their bias and
   * activation and picks the NCHWc kernels).
   * @defaultValue `'all'`
   */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

/** One output as a typed array. @category Runtime */
export interface OnnxOutput {
  /** The elements, row-major. */
  readonly data: Float32Array;
  /** The shape. */
  readonly shape: readonly number[];
}

const ONNX_SESSION_OPTION_KEYS = ['threads', 'runtime', 'graphOptimizationLevel'] as const;

/**
 * Runs an ONNX model (for example one written by {@link exportOnnx}) with ONNX Runtime, taking and
 * returning tf tensors or float32 typed arrays. The entries of this package export it as
 * `OnnxSession`, with the runtime each environment defaults to.
 * @category Runtime
 */
export abstract class OnnxSessionBase {
  /** Names of the model's inputs (the first is fed). */
  readonly inputNames: readonly string[];
  /** Names of the model's outputs. */
  readonly outputNames: readonly string[];
  /** The intra-op thread count the session was created with. */
  readonly threads: number;
  private readonly session: OrtSessionLike;
  private readonly runtime: OrtRuntime;
  private released = false;

  /** @internal */
  protected constructor(session: OrtSessionLike, runtime: OrtRuntime, threads: number) {
    this.session = session;
    this.runtime = runtime;
    this.threads = threads;
    this.inputNames = [...session.inputNames];
    this.outputNames = [...session.outputNames];
  }

  /** @internal */
  protected static async createWith<S extends OnnxSessionBase>(
    make: (session: OrtSessionLike, runtime: OrtRuntime, threads: number) => S,
    load: () => Promise<OrtRuntime>,
    defaultThreads: number,
    model: Uint8Array | ExportOnnxResult,
    options: OnnxSessionOptions,
  ): Promise<S> {
    const fn = 'OnnxSession.create';
    checkOptions(fn, options, ONNX_SESSION_OPTION_KEYS);
    const bytes = model instanceof Uint8Array ? model : (model as ExportOnnxResult | undefined)?.bytes;
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
      throw new InvalidValueError(`${fn}: model must be ONNX bytes (Uint8Array) or an exportOnnx result`);
    }
    const threads = options.threads ?? defaultThreads;
    if (!Number.isInteger(threads) || threads < 1) throw new InvalidValueError(`${fn}: threads must be a positive integer, got ${String(threads)}`);
    const runtime = options.runtime ?? (await load());
    let session: OrtSessionLike;
    try {
      session = await runtime.InferenceSession.create(bytes, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
      });
    } catch (e) {
      throw new InvalidValueError(`${fn}: ONNX Runtime rejected the model: ${(e as Error).message}`);
    }
    return make(session, runtime, threads);
  }

  private check(fn: string): void {
    if (this.released) throw new InvalidValueError(`OnnxSession.${fn}: the session has been released`);
  }

  /**
   * Runs the model on a float32 array and returns every output as a typed array.
   * @param data - the input elements, row-major (NHWC for an exported image model)
   * @param shape - the input shape; its size must equal `data.length`
   * @returns one {@link OnnxOutput} per model output, in `outputNames` order
   * @throws ShapeError when `shape` does not match `data`; InvalidValueError after {@link OnnxSessionBase.release}
   */
  async runData(data: Float32Array, shape: readonly number[]): Promise<OnnxOutput[]> {
    this.check('runData');
    if (!(data instanceof Float32Array)) throw new InvalidValueError(`OnnxSession.runData: data must be a Float32Array`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (!shape.every((d) => Number.isInteger(d) && d > 0) || size !== data.length) {
      throw new ShapeError(`OnnxSession.runData: shape must have ${data.length} elements, got [${shape}]`);
    }
    const feed = new this.runtime.Tensor('float32', data, shape);
    const results = await this.session.run({ [this.inputNames[0]]: feed });
    return this.outputNames.map((name) => toOutput(name, results[name]));
  }

  /**
   * Runs the model on a tensor and returns its first output as a tensor.
   * @param x - the input, in the layout the model was exported with (NHWC for images); not disposed
   * @returns the first output; the caller disposes it
   * @throws InvalidValueError for a non-float32 or disposed input, or after {@link OnnxSessionBase.release}
   */
  async run(x: tf.Tensor): Promise<tf.Tensor> {
    const [first] = await this.runAll(x);
    return first;
  }

  /**
   * Runs the model on a tensor and returns every output as a tensor.
   * @param x - the input (NHWC for images); not disposed
   * @returns one tensor per output, in `outputNames` order; the caller disposes them
   * @throws InvalidValueError for a non-float32 or disposed input, or after {@link OnnxSessionBase.release}
   */
  async runAll(x: tf.Tensor): Promise<tf.Tensor[]> {
    this.check('runAll');
    if (!(x instanceof tf.Tensor) || x.isDisposed || x.dtype !== 'float32') {
      throw new InvalidValueError('OnnxSession.run: x must be a live float32 tf.Tensor');
    }
    const data = (await x.data()) as Float32Array;
    const outs = await this.runData(data, x.shape);
    return outs.map((o) => tf.tensor(o.data, [...o.shape], 'float32'));
  }

  /** Frees the native session; later runs throw. Calling it again does nothing. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}

function toOutput(name: string, t: OrtTensorLike | undefined): OnnxOutput {
  if (!t) throw new NotAvailableError(`OnnxSession.run: ONNX Runtime returned no output '${name}'`);
  if (t.type !== 'float32' || !(t.data instanceof Float32Array)) {
    throw new NotAvailableError(`OnnxSession.run: output '${name}' has type '${t.type}'; only float32 outputs are supported`);
  }
  return { data: t.data, shape: [...t.dims] };
}
