/**
 * `@lab/tensor`'s generic model task, built to `dist/model-task.js` (see {@link modelTaskUrl}): each
 * worker rebuilds a model from a {@link ModelSpec} and returns its output per batch.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
// The package entry, not the files behind it: the build keeps this import external (`./index.js`),
// so the worker loads one copy of @lab/tensor (tsup.config.ts).
import {
  type Module,
  type ModelSpec,
  type ModelTaskInput,
  type ModelTaskOutput,
  buildModelFromSpec,
  defineWorkerTask,
  payloadToTensor,
  tensorToPayload,
} from '../index';

/**
 * The model task: `setup` rebuilds the spec's model, `run` returns `model.call(x)`.
 * @category Parallel
 */
export const modelTask = defineWorkerTask<ModelSpec, Module<[tf.Tensor], tf.Tensor>, ModelTaskInput, ModelTaskOutput>({
  name: 'lab-model',
  setup: (spec) => buildModelFromSpec(spec),
  run: ({ x }, model) => {
    const input = payloadToTensor(x);
    try {
      const y = tf.tidy(() => model.call(input));
      try {
        return { y: tensorToPayload(y) };
      } finally {
        y.dispose();
      }
    } finally {
      input.dispose();
    }
  },
});
