/**
 * AttributionLab (arXiv 2310.06514): designed data, a hand-weighted network and exact signed
 * ground truth, in one object.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '@lab/tensor';
import { type AttributionLabOptions, type LabDesign, createLabDesign } from './design';
import { type DesignedData, generateDesignedData } from './designed-data';
import { DesignedNetwork } from './designed-network';
import { type DesignedGroundTruthOptions, designedGroundTruth, groundTruthValues } from './ground-truth';

/**
 * A batch of designed samples as tensors. The caller owns `images` and `groundTruth` (dispose
 * both, e.g. with `tf.dispose([s.images, s.groundTruth])`).
 * @category AttributionLab
 */
export interface LabSample {
  /** Images `[N, H, W, 3]`, NHWC, values exactly 0 or 1. */
  readonly images: tf.Tensor4D;
  /** Signed ground truth `[N, H, W, 1]` for each sample's label (see {@link designedGroundTruth}). */
  readonly groundTruth: tf.Tensor4D;
  /** Class index (classification) or exact regression output of each sample. */
  readonly labels: readonly number[];
  /**
   * The `target` option that explains each sample's label: the class indices for classification,
   * `undefined` for regression (one output).
   */
  readonly target: number[] | undefined;
  /** The same samples as plain arrays (palette indices, counts, patches). */
  readonly data: DesignedData;
}

/** Options of {@link AttributionLab.sample} and {@link AttributionLab.generate}. @category AttributionLab */
export interface LabSampleOptions {
  /** Seed of the data generator; sample `i` depends only on the seed and `i`. @defaultValue 0 */
  seed?: number;
}

/**
 * Uniform baseline values of an environment, in input space (every pixel and channel equal).
 * @category AttributionLab
 */
export interface LabBaselines {
  /** 0: the all-black image. In-distribution only with `inDistributionBaseline`. */
  readonly black: number;
  /** 0.5: mid-grey, never in the data; every detector responds 0 to it. */
  readonly grey: number;
  /** The background value (1 for white, 0 for black): the in-distribution empty image. */
  readonly background: number;
}

/**
 * The AttributionLab environment: a design, its seeded data generator, the hand-weighted
 * {@link DesignedNetwork} that computes the labels exactly, and exact signed ground truth.
 *
 * Trained benchmarks cannot know which features a network uses; here the network is designed
 * together with the data, so the relevant pixels and the sign of their effect are known exactly:
 * pixel counts of target colours raise an output, counts of negative colours lower it, and
 * background and distractor colours are ignored (see {@link createLabDesign} for the function and
 * {@link DesignedNetwork} for the weights). An attribution method that fails here is unreliable
 * elsewhere ({@link runFaithfulnessTest}).
 *
 * The environment owns the network's variables: call {@link AttributionLab.dispose} when done.
 * @see arXiv 2310.06514 (Zhang et al., "AttributionLab: Faithfulness of Feature Attribution Under
 *   Controllable Environments"); no official code was available, this is a re-derivation.
 * @example
 * ```ts
 * const env = new AttributionLab({ imageSize: 16 });
 * const s = env.sample(4, { seed: 1 });
 * const { attributions } = await method.attribute(env.network, s.images, { target: s.target });
 * tf.dispose([s.images, s.groundTruth, attributions]);
 * env.dispose();
 * ```
 * @category AttributionLab
 */
export class AttributionLab {
  /** The resolved design (frozen plain data). */
  readonly design: LabDesign;
  /** The hand-weighted network; owned by the environment. */
  readonly network: DesignedNetwork;
  /** Uniform baseline values (see {@link LabBaselines}). */
  readonly baselines: LabBaselines;

  /**
   * @param options - see {@link AttributionLabOptions}; defaults in {@link ATTRIBUTION_LAB_DEFAULTS}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an invalid option (see {@link createLabDesign})
   */
  constructor(options: AttributionLabOptions = {}) {
    this.design = createLabDesign(options);
    this.network = new DesignedNetwork(this.design);
    this.baselines = Object.freeze({ black: 0, grey: 0.5, background: this.design.background === 'white' ? 1 : 0 });
  }

  /** Height and width of the images. */
  get imageShape(): [number, number, number] {
    return [this.design.height, this.design.width, 3];
  }

  /**
   * Draws `count` designed samples as plain arrays (no tensors); see {@link generateDesignedData}.
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad count, seed or option.
   */
  generate(count: number, options: LabSampleOptions = {}): DesignedData {
    checkOptions('AttributionLab.generate', options, ['seed']);
    return generateDesignedData(this.design, count, options);
  }

  /**
   * Draws `count` designed samples with their labels and ground truth as tensors.
   * @param count - number of samples, an integer ≥ 1
   * @param options - see {@link LabSampleOptions}
   * @returns a {@link LabSample}; the caller disposes `images` and `groundTruth`
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad count, seed or option.
   */
  sample(count: number, options: LabSampleOptions = {}): LabSample {
    checkOptions('AttributionLab.sample', options, ['seed']);
    const data = generateDesignedData(this.design, count, options);
    return this.toSample(data, 0, data.count);
  }

  /**
   * Samples `start … end − 1` of generated data as tensors (the caller disposes `images` and
   * `groundTruth`).
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a range outside the data.
   */
  toSample(data: DesignedData, start: number, end: number): LabSample {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > data.count || end <= start) {
      throw new InvalidValueError(`AttributionLab.toSample: range must satisfy 0 <= start < end <= ${data.count}, got [${start}, ${end})`);
    }
    const { height: H, width: W } = this.design;
    if (data.height !== H || data.width !== W) {
      throw new InvalidValueError(`AttributionLab.toSample: data must be ${H}×${W} images of this environment, got ${data.height}×${data.width}`);
    }
    const n = end - start;
    const labels = data.labels.slice(start, end);
    const colours = data.colours.subarray(start * H * W, end * H * W);
    const targets = this.design.task === 'classification' ? labels : labels.map(() => 0);
    const gt = groundTruthValues(this.design, colours, n, targets, false);
    const images = tf.tensor4d(data.images.subarray(start * H * W * 3, end * H * W * 3), [n, H, W, 3]);
    const groundTruth = tf.tensor4d(gt, [n, H, W, 1]);
    return {
      images,
      groundTruth,
      labels,
      target: this.design.task === 'classification' ? [...labels] : undefined,
      data,
    };
  }

  /**
   * The signed ground truth of designed images; see {@link designedGroundTruth}.
   * @returns `[N, H, W, 1]`; the caller disposes it
   */
  groundTruth(images: tf.Tensor, options: DesignedGroundTruthOptions = {}): tf.Tensor4D {
    return designedGroundTruth(this.design, images, options);
  }

  /** Frees the network's variables; the environment cannot be used afterwards. */
  dispose(): void {
    this.network.dispose();
  }
}
