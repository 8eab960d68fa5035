/**
 * The weight initialisation of the GRL reference (`GRL._init_weights`). Not exported.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Linear, type Rng, truncNormal } from '@lab/tensor';

/**
 * Re-initialises a Linear layer as `GRL._init_weights` does for every `nn.Linear`:
 * weight from a normal with std 0.02 truncated to [−2, 2] (timm `trunc_normal_`), bias 0.
 */
export function initTruncNormalLinear(layer: Linear, rng?: Rng): void {
  tf.tidy(() => {
    layer.weight.assign(truncNormal(layer.weight.shape, { std: 0.02, ...(rng ? { rng } : {}) }));
    if (layer.bias) layer.bias.assign(tf.zerosLike(layer.bias));
  });
}
