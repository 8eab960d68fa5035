/**
 * The inference graph: a model in evaluation form (batch norm folded into the convolutions,
 * activations fused), as the TFLite converter sees it. Quantisation, calibration and size
 * accounting work on this form.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, invariant } from '@lab/tensor';

/** An activation fused into a convolution or fully connected op, as TFLite fuses it. @category Quantisation */
export type FusedActivation = 'none' | 'relu' | 'relu6';

/** Explicit zero padding `[[top, bottom], [left, right]]`. @category Quantisation */
export type GraphPads = [[number, number], [number, number]];

/**
 * A convolution (TFLite `CONV_2D`, or `DEPTHWISE_CONV_2D` when `depthwise`), NHWC, with its bias
 * and fused activation. `weight` is HWIO `[kh, kw, cin, cout]`, or `[kh, kw, c, 1]` when depthwise.
 * @category Quantisation
 */
export interface GraphConv2d {
  /** Discriminant of the op union. */
  readonly kind: 'conv2d';
  /** Name of the op, for reports and errors. */
  readonly name: string;
  /** Id of the input tensor. */
  readonly input: number;
  /** Id of the output tensor. */
  readonly output: number;
  /** Whether this is a depthwise convolution (one filter per channel). */
  readonly depthwise: boolean;
  /** Kernel size `[kh, kw]`. */
  readonly kernel: [number, number];
  /** Stride `[sh, sw]`. */
  readonly stride: [number, number];
  /** Explicit zero padding of the input. */
  readonly pads: GraphPads;
  /** Input channels. */
  readonly inChannels: number;
  /** Output channels. */
  readonly outChannels: number;
  /** Weights, HWIO `[kh, kw, cin, cout]` (or `[kh, kw, c, 1]` when depthwise), batch norm folded in. */
  readonly weight: Float32Array;
  /** Bias, one per output channel, batch norm folded in. */
  readonly bias: Float32Array;
  /** The fused activation. */
  readonly activation: FusedActivation;
}

/** A fully connected layer (TFLite `FULLY_CONNECTED`), `weight` `[in, out]`. @category Quantisation */
export interface GraphFullyConnected {
  /** Discriminant of the op union. */
  readonly kind: 'fullyConnected';
  /** Name of the op, for reports and errors. */
  readonly name: string;
  /** Id of the input tensor. */
  readonly input: number;
  /** Id of the output tensor. */
  readonly output: number;
  /** Input features. */
  readonly inFeatures: number;
  /** Output features. */
  readonly outFeatures: number;
  /** Weights `[in, out]`, row-major. */
  readonly weight: Float32Array;
  /** Bias, one per output feature. */
  readonly bias: Float32Array;
  /** The fused activation. */
  readonly activation: 'none' | 'relu';
}

/** Element-wise sum of two tensors of one shape (TFLite `ADD`). @category Quantisation */
export interface GraphAdd {
  /** Discriminant of the op union. */
  readonly kind: 'add';
  /** Name of the op, for reports and errors. */
  readonly name: string;
  /** Ids of the two input tensors. */
  readonly inputs: [number, number];
  /** Id of the output tensor. */
  readonly output: number;
}

/** Mean over height and width, `[n, h, w, c] → [n, c]` (TFLite `MEAN`). @category Quantisation */
export interface GraphMean {
  /** Discriminant of the op union. */
  readonly kind: 'mean';
  /** Name of the op, for reports and errors. */
  readonly name: string;
  /** Id of the input tensor. */
  readonly input: number;
  /** Id of the output tensor. */
  readonly output: number;
}

/** `x [n, h, w, c] · s [n or 1, c]`, `s` broadcast over height and width (TFLite `MUL`). @category Quantisation */
export interface GraphMul {
  /** Discriminant of the op union. */
  readonly kind: 'mul';
  /** Name of the op, for reports and errors. */
  readonly name: string;
  /** Ids of the two input tensors. */
  readonly inputs: [number, number];
  /** Id of the output tensor. */
  readonly output: number;
}

/** Element-wise `1/(1+e^−x)` (`LOGISTIC`) or `tanh` (`TANH`). @category Quantisation */
export interface GraphElementwise {
  /** Discriminant of the op union. */
  readonly kind: 'logistic' | 'tanh';
  /** Name of the op, for reports and errors. */
  readonly name: string;
  /** Id of the input tensor. */
  readonly input: number;
  /** Id of the output tensor. */
  readonly output: number;
}

/** Row-major reshape (TFLite `RESHAPE`; Keras `Flatten` of NHWC). @category Quantisation */
export interface GraphReshape {
  /** Discriminant of the op union. */
  readonly kind: 'reshape';
  /** Name of the op, for reports and errors. */
  readonly name: string;
  /** Id of the input tensor. */
  readonly input: number;
  /** Id of the output tensor. */
  readonly output: number;
}

/** Concatenation of constant channels `[h, w, k]` after the input's channels (`CONCATENATION`). @category Quantisation */
export interface GraphConcatConstant {
  /** Discriminant of the op union. */
  readonly kind: 'concatConstant';
  /** Name of the op, for reports and errors. */
  readonly name: string;
  /** Id of the input tensor. */
  readonly input: number;
  /** Id of the output tensor. */
  readonly output: number;
  /** The constant channels `[h, w, k]` appended after the input's channels. */
  readonly constant: Float32Array;
}

/** A constant tensor `[1, c]` (a constant-folded branch). @category Quantisation */
export interface GraphConstant {
  /** Discriminant of the op union. */
  readonly kind: 'constant';
  /** Name of the op, for reports and errors. */
  readonly name: string;
  /** Id of the output tensor. */
  readonly output: number;
  /** The constant's values `[1, c]`. */
  readonly value: Float32Array;
}

/** One op of an {@link InferenceGraph}. @category Quantisation */
export type GraphOp =
  | GraphConv2d
  | GraphFullyConnected
  | GraphAdd
  | GraphMean
  | GraphMul
  | GraphElementwise
  | GraphReshape
  | GraphConcatConstant
  | GraphConstant;

/**
 * A model in inference form: tensors numbered from 0 (the input), each with its shape without
 * the batch axis, and ops in execution order. Weights are copies (plain arrays, no tensors).
 * @category Quantisation
 */
export interface InferenceGraph {
  /** Shapes of the tensors without the batch axis; tensor 0 is the input. */
  readonly tensors: readonly (readonly number[])[];
  /** Ops in execution order; every op's inputs are produced by an earlier op (or are the input). */
  readonly ops: readonly GraphOp[];
  /** The output tensor. */
  readonly output: number;
}

/** Builds an {@link InferenceGraph} op by op. @internal */
export class GraphBuilder {
  private readonly shapes: number[][] = [];
  private readonly list: GraphOp[] = [];

  constructor(inputShape: readonly number[]) {
    this.shapes.push([...inputShape]);
  }

  /** Shape (without batch) of tensor `id`. */
  shape(id: number): readonly number[] {
    invariant(id >= 0 && id < this.shapes.length, `tensor ${id} exists`);
    return this.shapes[id];
  }

  /** A new tensor id with `shape`. */
  tensor(shape: readonly number[]): number {
    this.shapes.push([...shape]);
    return this.shapes.length - 1;
  }

  /** Appends `op` (whose output tensor was made with {@link GraphBuilder.tensor}); returns its output. */
  add<T extends GraphOp>(op: T): number {
    this.list.push(op);
    return op.output;
  }

  /** The finished graph with `output` as its result. */
  build(output: number): InferenceGraph {
    return { tensors: this.shapes.map((s) => Object.freeze([...s])), ops: [...this.list], output };
  }
}

/** Output height/width of a convolution op. @internal */
export function convOutputSize(op: Pick<GraphConv2d, 'kernel' | 'stride' | 'pads'>, h: number, w: number): [number, number] {
  return [
    Math.floor((h + op.pads[0][0] + op.pads[0][1] - op.kernel[0]) / op.stride[0]) + 1,
    Math.floor((w + op.pads[1][0] + op.pads[1][1] - op.kernel[1]) / op.stride[1]) + 1,
  ];
}

/** Options of {@link runInferenceGraph}. @category Quantisation */
export interface RunInferenceGraphOptions {
  /**
   * Called with every tensor as it is produced (the input first, as id 0). The tensor is freed
   * after the call returns: copy what you need (e.g. with `dataSync`).
   */
  onTensor?: (id: number, value: tf.Tensor) => void;
}

/**
 * Runs an {@link InferenceGraph} in float32 with tfjs ops: the folded-batch-norm form of a model,
 * numerically the model's evaluation-mode forward pass up to float rounding.
 *
 * Convolutions run `tf.conv2d`/`tf.depthwiseConv2d` with explicit pads, fully connected layers
 * `tf.matMul`, then the fused activation; the other ops map one to one.
 * @param graph - the graph, e.g. from `model.inferenceGraph()`
 * @param x - input `[n, ...graph.tensors[0]]`, float32, NHWC
 * @param options - see {@link RunInferenceGraphOptions}
 * @returns the output `[n, ...graph.tensors[graph.output]]`; the caller disposes it
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} when `x` does not match the graph's input shape
 * @example
 * ```ts
 * const g = model.inferenceGraph();
 * const y = runInferenceGraph(g, x); // ≈ model.eval().call(x)
 * ```
 * @category Quantisation
 */
export function runInferenceGraph(graph: InferenceGraph, x: tf.Tensor, options: RunInferenceGraphOptions = {}): tf.Tensor {
  const fn = 'runInferenceGraph';
  checkGraphInput(fn, graph, x);
  const onTensor = options.onTensor;
  if (onTensor !== undefined && typeof onTensor !== 'function') {
    throw new InvalidValueError(`${fn}: onTensor must be a function, got ${typeof onTensor}`);
  }
  return tf.tidy(() => {
    const n = x.shape[0];
    const values = new Map<number, tf.Tensor>([[0, x]]);
    const remaining = lastUses(graph);
    if (onTensor) onTensor(0, x);
    graph.ops.forEach((op, index) => {
      const y = tf.tidy(() => runFloatOp(op, values, n, graph));
      values.set(op.output, y);
      if (onTensor) onTensor(op.output, y);
      for (const id of inputsOf(op)) {
        if (remaining.get(id) === index && id !== 0 && id !== graph.output) {
          values.get(id)?.dispose();
          values.delete(id);
        }
      }
    });
    return values.get(graph.output) as tf.Tensor;
  });
}

/** Throws unless `x` is `[n, ...input shape]` float32. @internal */
export function checkGraphInput(fn: string, graph: InferenceGraph, x: unknown): asserts x is tf.Tensor {
  if (!(x instanceof tf.Tensor)) throw new ShapeError(`${fn}: x must be a tf.Tensor, got ${typeof x}`);
  const shape = graph.tensors[0];
  if (x.rank !== shape.length + 1 || shape.some((d, i) => x.shape[i + 1] !== d) || x.shape[0] < 1) {
    throw new ShapeError(`${fn}: x must have shape [n, ${shape.join(', ')}], got [${x.shape}]`);
  }
  if (x.dtype !== 'float32') throw new ShapeError(`${fn}: x must be float32, got ${x.dtype}`);
}

/** Input tensor ids of an op. @internal */
export function inputsOf(op: { readonly kind: string }): number[] {
  const o = op as { readonly input?: number; readonly inputs?: readonly number[] };
  if (o.inputs !== undefined) return [...o.inputs];
  return o.input === undefined ? [] : [o.input];
}

/** For each tensor, the index of the last op reading it. @internal */
export function lastUses(graph: { readonly ops: readonly { readonly kind: string }[] }): Map<number, number> {
  const last = new Map<number, number>();
  graph.ops.forEach((op, i) => {
    for (const id of inputsOf(op)) last.set(id, i);
  });
  return last;
}

function runFloatOp(op: GraphOp, values: Map<number, tf.Tensor>, n: number, graph: InferenceGraph): tf.Tensor {
  const get = (id: number): tf.Tensor => {
    const t = values.get(id);
    invariant(t !== undefined, `tensor ${id} is computed before op '${op.name}'`);
    return t;
  };
  switch (op.kind) {
    case 'conv2d': {
      const x = get(op.input) as tf.Tensor4D;
      const pad = [[0, 0], op.pads[0], op.pads[1], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]];
      const w = tf.tensor4d(
        op.weight,
        op.depthwise ? [op.kernel[0], op.kernel[1], op.inChannels, 1] : [op.kernel[0], op.kernel[1], op.inChannels, op.outChannels],
      );
      const y = op.depthwise ? tf.depthwiseConv2d(x, w, op.stride, pad) : tf.conv2d(x, w, op.stride, pad);
      return activate(tf.add(y, tf.tensor1d(op.bias)), op.activation);
    }
    case 'fullyConnected': {
      const y = tf.add(tf.matMul(get(op.input) as tf.Tensor2D, tf.tensor2d(op.weight, [op.inFeatures, op.outFeatures])), tf.tensor1d(op.bias));
      return activate(y, op.activation);
    }
    case 'add':
      return tf.add(get(op.inputs[0]), get(op.inputs[1]));
    case 'mean':
      return tf.mean(get(op.input), [1, 2]);
    case 'mul': {
      const s = get(op.inputs[1]);
      return tf.mul(get(op.inputs[0]), tf.reshape(s, [s.shape[0], 1, 1, s.shape[1] as number]));
    }
    case 'logistic':
      return tf.sigmoid(get(op.input));
    case 'tanh':
      return tf.tanh(get(op.input));
    case 'reshape':
      return tf.reshape(get(op.input), [n, ...graph.tensors[op.output]]);
    case 'concatConstant': {
      const x = get(op.input);
      const [h, w, c] = graph.tensors[op.output];
      const k = c - (x.shape[3] as number);
      const constant = tf.broadcastTo(tf.tensor4d(op.constant, [1, h, w, k]), [n, h, w, k]);
      return tf.concat([x, constant], 3);
    }
    case 'constant':
      return tf.tensor2d(op.value, [1, op.value.length]);
  }
}

function activate(y: tf.Tensor, activation: FusedActivation): tf.Tensor {
  if (activation === 'relu') return tf.relu(y);
  if (activation === 'relu6') return tf.relu6(y);
  return y;
}
