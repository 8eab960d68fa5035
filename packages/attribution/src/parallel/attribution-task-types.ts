/**
 * Messages of the attribution worker task.
 * @packageDocumentation
 */
import type { TensorPayload } from '@lab/tensor';

/** One item of the attribution task: a batch and what to compute on it. @category Parallel */
export type AttributionTaskInput =
  | {
      /** The model's output on `x`. */
      op: 'forward';
      /** The batch. */
      x: TensorPayload;
    }
  | {
      /** Gradients of the explained output of each row of `x`. */
      op: 'gradients';
      /** The batch. */
      x: TensorPayload;
      /** One class index for every row, one per row, or undefined for single-output models. */
      target: number | number[] | undefined;
      /** Public function name used in error messages. */
      fn: string;
    };

/** The result of one item: `y` for forward, `grads` and `scores` for gradients. @category Parallel */
export interface AttributionTaskOutput {
  /** Model output (forward). */
  y?: TensorPayload;
  /** `∂f_c(x_r)/∂x_r` per row (gradients). */
  grads?: TensorPayload;
  /** `f_c(x_r)` per row (gradients). */
  scores?: TensorPayload;
}
