/**
 * The tensors that DATSR's correspondence hands to the restoration network.
 * @packageDocumentation
 */
import type * as tf from '@tensorflow/tfjs-core';

/** One tensor per VGG scale: `relu1_1` (HR size), `relu2_1` (½), `relu3_1` (¼ = LR size). @category Models */
export interface DatsrScaleMaps {
  /** At the HR size `4h × 4w`. */
  relu1_1: tf.Tensor4D;
  /** At `2h × 2w`. */
  relu2_1: tf.Tensor4D;
  /** At the LR size `h × w`. */
  relu3_1: tf.Tensor4D;
}

/**
 * The correspondence between an LR image and its reference (`[pre_offset, pre_flow,
 * pre_similarity], img_ref_feat` of `FlowSimCorrespondenceGenerationArch`), NHWC. The caller
 * owns every tensor; dispose them with {@link disposeCorrespondence}.
 * @category Models
 */
export interface DatsrCorrespondence {
  /** `[n, H, W, 18]`: for each 3×3 tap `k` the pair `(Δy, Δx)` (the reference's `[n, 9, H, W, 2]` in `(x, y)` order, reordered as mmcv reads offsets). */
  preOffset: DatsrScaleMaps;
  /** `[n, H, W, 2]`: displacement `(dx, dy)` from each position to its best reference patch. */
  flow: DatsrScaleMaps;
  /** `[n, H, W, 1]`: cosine similarity of the best match (zero on the one-pixel border). */
  similarity: DatsrScaleMaps;
  /** VGG19 `relu1_1` (64 channels), `relu2_1` (128) and `relu3_1` (256) of the reference. */
  refFeatures: DatsrScaleMaps;
}

/**
 * Disposes every tensor of a {@link DatsrCorrespondence}.
 * @param c - the correspondence to free
 * @category Models
 */
export function disposeCorrespondence(c: DatsrCorrespondence): void {
  for (const maps of [c.preOffset, c.flow, c.similarity, c.refFeatures]) {
    maps.relu1_1.dispose();
    maps.relu2_1.dispose();
    maps.relu3_1.dispose();
  }
}
