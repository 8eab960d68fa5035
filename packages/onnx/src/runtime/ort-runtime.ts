/**
 * The part of the ONNX Runtime JavaScript API (`onnxruntime-node`, `onnxruntime-web`) that
 * {@link OnnxSession} uses, written structurally so that either package fits without importing
 * its types.
 * @packageDocumentation
 */

/** An ONNX Runtime tensor, as both runtimes define it. @category Runtime */
export interface OrtTensorLike {
  /** Dimensions. */
  readonly dims: readonly number[];
  /** Element type name (`'float32'`, `'int64'`, …). */
  readonly type: string;
  /** The elements (a typed array for numeric types). */
  readonly data: unknown;
}

/** Session options {@link OnnxSession} passes to ONNX Runtime. @category Runtime */
export interface OrtSessionOptionsLike {
  /** Threads of one operator. */
  intraOpNumThreads?: number;
  /** Threads running independent operators. */
  interOpNumThreads?: number;
  /** Graph optimisation level. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Sequential or parallel operator scheduling. */
  executionMode?: 'sequential' | 'parallel';
  /** Execution providers, by name. */
  executionProviders?: string[];
}

/** An ONNX Runtime inference session. @category Runtime */
export interface OrtSessionLike {
  /** Names of the model's inputs. */
  readonly inputNames: readonly string[];
  /** Names of the model's outputs. */
  readonly outputNames: readonly string[];
  /** Runs the model. */
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  /** Frees the native session. */
  release(): Promise<void>;
}

/** An ONNX Runtime package: `import * as ort from 'onnxruntime-node'` (or `-web`). @category Runtime */
export interface OrtRuntime {
  /** The tensor class. */
  readonly Tensor: {
    /** A float32 tensor over `data` with shape `dims`. */
    new (type: 'float32', data: Float32Array, dims: readonly number[]): OrtTensorLike;
  };
  /** The session factory. */
  readonly InferenceSession: {
    /** Creates a session from the bytes of an ONNX model. */
    create(model: Uint8Array, options?: OrtSessionOptionsLike): Promise<OrtSessionLike>;
  };
}
