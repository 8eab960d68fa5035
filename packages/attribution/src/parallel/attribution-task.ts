/**
 * The worker task of {@link AttributionWorkers}, built to `dist/attribution-task.js`: each worker
 * rebuilds the model of a `ModelSpec` and evaluates batches (forward outputs, or target gradients).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Module, type ModelSpec, buildModelFromSpec, defineWorkerTask, payloadToTensor, tensorToPayload } from '@lab/tensor';
import { targetGradients } from '../core/gradients';
import type { AttributionTaskInput, AttributionTaskOutput } from './attribution-task-types';

/**
 * Forward: the model's output on a batch. Gradients: `∂f_c/∂x` and `f_c(x)` per row, computed by the
 * same `targetGradients` as the single-thread path.
 * @category Parallel
 */
export const attributionTask = defineWorkerTask<ModelSpec, Module<[tf.Tensor], tf.Tensor>, AttributionTaskInput, AttributionTaskOutput>({
  name: 'lab-attribution',
  setup: (spec) => buildModelFromSpec(spec),
  run: (input, model) => {
    const x = payloadToTensor(input.x);
    // The model as a function: the worker's Module class may be another copy than the method's.
    const f = (v: tf.Tensor) => model.call(v);
    try {
      if (input.op === 'forward') {
        const y = tf.tidy(() => f(x));
        try {
          return { y: tensorToPayload(y) };
        } finally {
          y.dispose();
        }
      }
      const { grads, scores } = targetGradients(f, x, input.target, input.fn);
      try {
        return { grads: tensorToPayload(grads), scores: tensorToPayload(scores) };
      } finally {
        grads.dispose();
        scores.dispose();
      }
    } finally {
      x.dispose();
    }
  },
});
