/**
 * A backbone and a head run over the views of multi-crop training.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module } from '@lab/tensor';
import { checkImages } from '../internal/validate';

/**
 * A backbone followed by a head, applied to a list of views as DINO's `MultiCropWrapper`: views of
 * equal size are concatenated and go through the backbone together (so batch norm sees them as one
 * batch), the features of all views are concatenated in view order, and the head runs once.
 *
 * Children `backbone` and `head`, so state-dict keys read `backbone.*` and `head.*` as in the
 * reference code.
 * @see facebookresearch/dino `utils.MultiCropWrapper`
 * @example
 * ```ts
 * const net = new MultiCropNet(new SmallConvNet(), new DinoHead(128, 256));
 * const z = net.call([g1, g2, l1]); // [3n, 256]
 * ```
 * @category Networks
 */
export class MultiCropNet extends Module<[readonly tf.Tensor[]], tf.Tensor> {
  /** The feature extractor, `[n, h, w, c] → [n, d]`. */
  readonly backbone: Module;
  /** The projection head, `[n, d] → [n, out]`. */
  readonly head: Module;

  /**
   * @param backbone - feature extractor module
   * @param head - head module
   */
  constructor(backbone: Module, head: Module) {
    super();
    this.backbone = this.registerModule('backbone', backbone);
    this.head = this.registerModule('head', head);
  }

  /**
   * Runs every view through the backbone (grouped by consecutive equal size) and the head.
   * @param views - NHWC batches with equal batch size; consecutive views of equal size are batched together
   * @returns `[views.length · n, out]`, rows in view order; the caller disposes it
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an empty list or unequal batch sizes
   */
  forward(views: readonly tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => this.head.call(this.features(views)));
  }

  /**
   * Backbone features of every view, `[views.length · n, d]`, without the head.
   * @param views - as {@link MultiCropNet.forward}
   * @returns a new tensor the caller disposes
   */
  features(views: readonly tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(views) || views.length === 0) {
      throw new InvalidValueError('MultiCropNet: views must be a non-empty array of NHWC batches');
    }
    views.forEach((v, i) => checkImages('MultiCropNet', `views[${i}]`, v));
    const n = views[0].shape[0];
    if (views.some((v) => v.shape[0] !== n)) {
      throw new InvalidValueError(`MultiCropNet: views must share one batch size, got [${views.map((v) => v.shape[0])}]`);
    }
    return tf.tidy(() => {
      const outs: tf.Tensor[] = [];
      let start = 0;
      while (start < views.length) {
        let end = start + 1;
        const [, h, w] = views[start].shape;
        while (end < views.length && views[end].shape[1] === h && views[end].shape[2] === w) end++;
        const group = end - start === 1 ? views[start] : tf.concat(views.slice(start, end) as tf.Tensor4D[], 0);
        outs.push(this.backbone.call(group));
        start = end;
      }
      return outs.length === 1 ? outs[0] : tf.concat(outs, 0);
    });
  }
}
