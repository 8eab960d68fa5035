/**
 * The int8 form of an inference graph, as a fully integer TFLite model holds it.
 * @packageDocumentation
 */
import type { GraphConv2d, GraphFullyConnected } from './inference-graph';
import type { QuantParams } from './quant-params';

/** Per-output-channel requantisation of an int32 accumulator. @category Quantisation */
export interface ChannelRequant {
  /** Q31 multipliers of `s_in·s_w[c] / s_out`, one per output channel. */
  readonly multiplier: Int32Array;
  /** Their shifts. */
  readonly shift: Int32Array;
  /** Clamp of the fused activation, `[activationMin, activationMax]` ⊆ [−128, 127]. */
  readonly activationMin: number;
  /** Upper end of the clamp (see `activationMin`). */
  readonly activationMax: number;
  /**
   * Bound on `|accumulator|·2^max(shift, 0)` over all inputs: `Σ|w|·max|x − zp| + |b|` per
   * channel, maximised. Below 2²⁴ the float32 fake-quant path is bit-exact.
   */
  readonly accumulatorBound: number;
}

/** `CONV_2D` / `DEPTHWISE_CONV_2D` with per-channel int8 weights and int32 biases. @category Quantisation */
export interface QConv2d extends Omit<GraphConv2d, 'weight' | 'bias'>, ChannelRequant {
  /** int8 weights, the float op's layout. */
  readonly weight: Int8Array;
  /** Per-output-channel weight scales (zero points 0). */
  readonly weightScales: Float32Array;
  /** int32 biases, scale `s_in·s_w[c]`. */
  readonly bias: Int32Array;
}

/** `FULLY_CONNECTED` with per-tensor int8 weights (multiplier arrays repeat the one value). @category Quantisation */
export interface QFullyConnected extends Omit<GraphFullyConnected, 'weight' | 'bias'>, ChannelRequant {
  /** int8 weights, the float op's layout `[in, out]`. */
  readonly weight: Int8Array;
  /** One weight scale for the tensor (length 1). */
  readonly weightScales: Float32Array;
  /** int32 biases, scale `s_in·s_w`. */
  readonly bias: Int32Array;
}

/**
 * `ADD` with TFLite's int8 arithmetic: inputs shifted left by 20 bits, each rescaled by
 * `s_i / (2·max(s₁, s₂))`, summed, rescaled by `2·max(s₁, s₂) / (2²⁰·s_out)`. `table` holds the
 * result for every input pair (index `256·(q₁+128) + q₂+128`).
 * @category Quantisation
 */
export interface QAdd {
  /** Discriminant of the op union. */
  readonly kind: 'add';
  /** Name of the op, for reports and errors. */
  readonly name: string;
  /** Ids of the two input tensors. */
  readonly inputs: [number, number];
  /** Id of the output tensor. */
  readonly output: number;
  /** Left shift applied to both inputs before rescaling (20). */
  readonly leftShift: number;
  /** Q31 multiplier of `s₁ / (2·max(s₁, s₂))`. */
  readonly input1Multiplier: number;
  /** Shift of `input1Multiplier`. */
  readonly input1Shift: number;
  /** Q31 multiplier of `s₂ / (2·max(s₁, s₂))`. */
  readonly input2Multiplier: number;
  /** Shift of `input2Multiplier`. */
  readonly input2Shift: number;
  /** Q31 multiplier of `2·max(s₁, s₂) / (2²⁰·s_out)`. */
  readonly outputMultiplier: number;
  /** Shift of `outputMultiplier`. */
  readonly outputShift: number;
  /** The int8 result for every input pair, index `256·(q₁+128) + q₂+128`. */
  readonly table: Int8Array;
}

/** `MEAN` over height and width (`reference_integer_ops::Mean`): multiplier of `s_in/s_out`. @category Quantisation */
export interface QMean {
  /** Discriminant of the op union. */
  readonly kind: 'mean';
  /** Name of the op, for reports and errors. */
  readonly name: string;
  /** Id of the input tensor. */
  readonly input: number;
  /** Id of the output tensor. */
  readonly output: number;
  /** Q31 multiplier of `s_in/s_out`. */
  readonly multiplier: number;
  /** Shift of `multiplier`. */
  readonly shift: number;
}

/** `MUL`: multiplier of `s₁·s₂ / s_out`. @category Quantisation */
export interface QMul {
  /** Discriminant of the op union. */
  readonly kind: 'mul';
  /** Name of the op, for reports and errors. */
  readonly name: string;
  /** Ids of the two input tensors. */
  readonly inputs: [number, number];
  /** Id of the output tensor. */
  readonly output: number;
  /** Q31 multiplier of `s₁·s₂ / s_out`. */
  readonly multiplier: number;
  /** Shift of `multiplier`. */
  readonly shift: number;
}

/** `LOGISTIC` / `TANH` through TFLite's 256-entry table (index `q + 128`). @category Quantisation */
export interface QLookup {
  /** Discriminant of the op union. */
  readonly kind: 'logistic' | 'tanh';
  /** Name of the op, for reports and errors. */
  readonly name: string;
  /** Id of the input tensor. */
  readonly input: number;
  /** Id of the output tensor. */
  readonly output: number;
  /** The int8 output for every int8 input, index `q + 128`. */
  readonly table: Int8Array;
}

/** `RESHAPE` (same quantisation in and out). @category Quantisation */
export interface QReshape {
  /** Discriminant of the op union. */
  readonly kind: 'reshape';
  /** Name of the op, for reports and errors. */
  readonly name: string;
  /** Id of the input tensor. */
  readonly input: number;
  /** Id of the output tensor. */
  readonly output: number;
}

/** `CONCATENATION` of constant channels, quantised with the output's parameters (= the input's). @category Quantisation */
export interface QConcatConstant {
  /** Discriminant of the op union. */
  readonly kind: 'concatConstant';
  /** Name of the op, for reports and errors. */
  readonly name: string;
  /** Id of the input tensor. */
  readonly input: number;
  /** Id of the output tensor. */
  readonly output: number;
  /** The constant channels, int8 with the output's quantisation. */
  readonly constant: Int8Array;
}

/** An int8 constant `[1, c]`. @category Quantisation */
export interface QConstant {
  /** Discriminant of the op union. */
  readonly kind: 'constant';
  /** Name of the op, for reports and errors. */
  readonly name: string;
  /** Id of the output tensor. */
  readonly output: number;
  /** The int8 values `[1, c]`. */
  readonly value: Int8Array;
}

/** One op of a {@link QuantizedGraph}. @category Quantisation */
export type QuantizedOp = QConv2d | QFullyConnected | QAdd | QMean | QMul | QLookup | QReshape | QConcatConstant | QConstant;

/** An int8 graph: tensor shapes (without batch), per-tensor activation parameters, ops. @category Quantisation */
export interface QuantizedGraph {
  /** Shapes of the tensors without the batch axis; tensor 0 is the input. */
  readonly tensors: readonly (readonly number[])[];
  /** Quantisation of every tensor (tensor 0 is the int8 input). */
  readonly params: readonly QuantParams[];
  /** Ops in execution order. */
  readonly ops: readonly QuantizedOp[];
  /** The output tensor. */
  readonly output: number;
}
