/**
 * The squeeze-and-excite block of TinyTrackerS (`se_block` of `TinyTrackerS.py`).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, type Rng } from '@lab/tensor';
import type { GraphBuilder } from '../../quant/inference-graph';
import { BiasOnlyDense, appendLinear } from './layers';

/** Reduction ratio of `se_block(inputs, r=16)`. @internal */
export const SE_RATIO = 16;

/**
 * Squeeze and excite as Keras `se_block(x, r=16)`: `s = σ(W₂·ReLU(W₁·GAP(x) + b₁) + b₂)`,
 * `y = x · s` per channel, with `⌊c/16⌋` hidden units. When `⌊c/16⌋ = 0` Keras still builds
 * `Dense(0)`, and the second layer's output is its bias alone: `s = σ(b₂)`.
 * Children `fc1` (absent when `⌊c/16⌋ = 0`) and `fc2`.
 * @internal
 */
export class SqueezeExcite extends Module<[tf.Tensor], tf.Tensor> {
  readonly channels: number;
  readonly hidden: number;
  readonly fc1: Linear | null;
  readonly fc2: Linear | BiasOnlyDense;

  constructor(channels: number, rng?: Rng) {
    super();
    this.channels = channels;
    this.hidden = Math.floor(channels / SE_RATIO);
    this.fc1 = this.hidden > 0 ? this.registerModule('fc1', new Linear(channels, this.hidden, { rng })) : null;
    this.fc2 = this.registerModule('fc2', this.hidden > 0 ? new Linear(this.hidden, channels, { rng }) : new BiasOnlyDense(channels));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [n] = x.shape;
      const pooled = tf.mean(x, [1, 2]);
      const hidden = this.fc1 ? tf.relu(this.fc1.call(pooled)) : tf.zeros([n, 0]);
      const s = tf.sigmoid(this.fc2.call(hidden));
      return tf.mul(x, tf.reshape(s, [n, 1, 1, this.channels]));
    });
  }

  /** Appends mean → FC(ReLU) → FC → logistic → mul, or a constant σ(b₂) → mul. */
  appendTo(g: GraphBuilder, input: number, name: string): number {
    let scale: number;
    if (this.fc1 && this.fc2 instanceof Linear) {
      const pooled = g.add({ kind: 'mean', name: `${name}/mean`, input, output: g.tensor([this.channels]) });
      const hidden = appendLinear(g, pooled, `${name}/fc1`, this.fc1, 'relu');
      const logits = appendLinear(g, hidden, `${name}/fc2`, this.fc2, 'none');
      scale = g.add({ kind: 'logistic', name: `${name}/sigmoid`, input: logits, output: g.tensor([this.channels]) });
    } else {
      const b = (this.fc2 as BiasOnlyDense).bias.dataSync();
      const value = Float32Array.from(b, (v) => 1 / (1 + Math.exp(-v)));
      scale = g.add({ kind: 'constant', name: `${name}/scale`, output: g.tensor([this.channels]), value });
    }
    return g.add({ kind: 'mul', name: `${name}/mul`, inputs: [input, scale], output: g.tensor(g.shape(input)) });
  }
}
