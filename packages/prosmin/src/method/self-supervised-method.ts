/**
 * The contract shared by ProSMIN and the BYOL baseline, which {@link pretrain} trains.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, Rng } from '@lab/tensor';
import type { MultiCropViews } from '../augment/multi-crop';
import { checkImages } from '../internal/validate';
import { emaUpdate } from './ema-update';

/**
 * A self-distillation method with an online network trained by gradient descent and a target
 * network updated as an EMA of it. {@link pretrain} drives any subclass:
 * `t = targetOutputs(globals)` (no gradient), `onlineLoss(views, t, rng)` under the gradient tape
 * over {@link SelfSupervisedMethod.onlineParameters}, an optimizer step, then `updateTarget(κ, t)`.
 *
 * `forward(x)` (and `call`) returns the evaluation features of images, in eval mode.
 * @category Method
 */
export abstract class SelfSupervisedMethod extends Module<[tf.Tensor], tf.Tensor> {
  /** Registry name of the method (`'prosmin'`, `'byol'`), stored in checkpoints. */
  abstract readonly methodName: string;
  /** Base EMA momentum κ of the cosine schedule to 1. */
  abstract readonly defaultMomentum: number;
  /** Whether the loss uses the local views of multi-crop (else only the two global views are made). */
  abstract readonly usesLocalCrops: boolean;
  /** The online network (every trainable parameter of the method lives here). */
  abstract readonly online: Module<any, any>;
  /** The target network (separate weights, never trained by gradients). */
  abstract readonly target: Module<any, any>;

  /** The part of the online network that the target mirrors parameter by parameter. */
  protected abstract emaSource(): Module<any, any>;
  /** The backbone whose features evaluation uses. */
  protected abstract evaluationBackbone(): Module<any, any>;

  /**
   * Target outputs of the two global views, rows `[view 1 batch; view 2 batch]`; computed without
   * gradient. The caller disposes the result.
   */
  abstract targetOutputs(globals: readonly tf.Tensor4D[]): tf.Tensor2D;

  /** The loss of the online network on the views against the target outputs; runs under the tape. */
  abstract onlineLoss(views: MultiCropViews, targetOutputs: tf.Tensor2D, rng: Rng): tf.Scalar;

  /** Parameters the optimizer trains, with dotted names (those of the online network). */
  onlineParameters(): [string, tf.Variable][] {
    return this.online.namedParameters().map(([n, v]) => [`online.${n}`, v] as [string, tf.Variable]);
  }

  /**
   * Moves the target towards the online network, `ξ ← κξ + (1 − κ)θ` (see {@link emaUpdate});
   * subclasses extend it (ProSMIN also updates its centre from `targetOutputs`).
   */
  updateTarget(momentum: number, targetOutputs: tf.Tensor2D): void {
    void targetOutputs;
    emaUpdate(this.target, this.emaSource(), momentum);
  }

  /**
   * Evaluation features of images: the backbone output in eval mode (batch-norm running statistics).
   * @param x - `[n, h, w, c]`, float32
   * @returns `[n, d]`; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkImages(`${this.constructor.name}.features`, 'x', x);
    const backbone = this.evaluationBackbone();
    const modes = backbone.modules().map((m) => [m, m.training] as const);
    backbone.eval();
    try {
      return tf.tidy(() => backbone.call(x));
    } finally {
      for (const [m, mode] of modes) m.training = mode;
    }
  }
}
