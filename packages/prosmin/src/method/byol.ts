/**
 * The BYOL baseline, built from the same backbone, augmentation, EMA and training loop as ProSMIN.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, Rng } from '@lab/tensor';
import type { MultiCropViews } from '../augment/multi-crop';
import { checkInt, checkNumber, checkOptions, checkSeed, show } from '../internal/validate';
import { MultiCropNet } from '../nn/multi-crop-net';
import { ProjectionMlp } from '../nn/projection-mlp';
import { byolLoss } from './byol-loss';
import { type BackboneFactory, resolveBackbone } from './prosmin';
import { SelfSupervisedMethod } from './self-supervised-method';

/** Options of {@link Byol}; defaults in {@link BYOL_DEFAULTS}. @category Method */
export interface ByolOptions {
  /** Backbone factory; `embedDim` must then be given. @defaultValue a {@link SmallConvNet} */
  backbone?: BackboneFactory;
  /** Output size of the backbone (required with `backbone`). */
  embedDim?: number;
  /** Image channels of the default backbone. @defaultValue 1 */
  inChannels?: number;
  /** Stage widths of the default backbone. @defaultValue [32, 64, 128] */
  widths?: readonly number[];
  /** Hidden width of projector and predictor. @defaultValue 512 (reference: 4096) */
  hiddenDim?: number;
  /** Projection size. @defaultValue 128 (reference: 256) */
  projectionDim?: number;
  /** Base EMA momentum τ_base. @defaultValue 0.996 */
  momentum?: number;
  /** Seed of the initial weights. @defaultValue 0 */
  seed?: number;
}

/**
 * Defaults of {@link ByolOptions}: τ_base = 0.996 (Grill et al. 2020, §3.2); MLP sizes scaled
 * down from 4096/256 for the small default backbone (our choice).
 * @category Method
 */
export const BYOL_DEFAULTS = Object.freeze({
  /** Default of {@link ByolOptions.inChannels}. */
  inChannels: 1,
  /** Default of {@link ByolOptions.widths}. */
  widths: Object.freeze([32, 64, 128]),
  /** Default of {@link ByolOptions.hiddenDim}. */
  hiddenDim: 512,
  /** Default of {@link ByolOptions.projectionDim}. */
  projectionDim: 128,
  /** Default of {@link ByolOptions.momentum}. */
  momentum: 0.996,
  /** Default of {@link ByolOptions.seed}. */
  seed: 0,
});

/** BYOL's online network: `model` (backbone + projector) and `predictor`. @category Method */
export class ByolOnline extends Module<[readonly tf.Tensor[]], tf.Tensor> {
  /** Backbone and projector. */
  readonly model: MultiCropNet;
  /** The predictor MLP. */
  readonly predictor: ProjectionMlp;

  /**
   * @param model - backbone and projector
   * @param predictor - predictor MLP
   */
  constructor(model: MultiCropNet, predictor: ProjectionMlp) {
    super();
    this.model = this.registerModule('model', model);
    this.predictor = this.registerModule('predictor', predictor);
  }

  /** Predictions `[views.length · n, projectionDim]`; the caller disposes them. */
  forward(views: readonly tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => this.predictor.call(this.model.call(views)));
  }
}

/**
 * BYOL (Grill et al. 2020) as the baseline of ProSMIN: the online network predicts the target's
 * projection of the other global view, loss `2 − 2·cos(q, sg(z′))` symmetrised ({@link byolLoss}).
 *
 * Shares {@link SmallConvNet}, {@link multiCrop} (global views only), {@link emaUpdate} and
 * {@link pretrain} with {@link Prosmin}. Evaluation features come from the **online** backbone, as
 * in the BYOL paper (ProSMIN evaluates its target).
 * @see arXiv:2006.07733
 * @example
 * ```ts
 * const byol = new Byol({ widths: [16, 32, 64] });
 * await pretrain(byol, images, { epochs: 10, batchSize: 64 });
 * ```
 * @category Method
 */
export class Byol extends SelfSupervisedMethod {
  readonly methodName = 'byol';
  readonly defaultMomentum: number;
  readonly usesLocalCrops = false;
  /** The online network. */
  readonly online: ByolOnline;
  /** The target network (backbone + projector). */
  readonly target: MultiCropNet;

  /**
   * @param options - see {@link ByolOptions}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on a bad option or an unknown key
   */
  constructor(options: ByolOptions = {}) {
    super();
    const fn = 'Byol';
    checkOptions(fn, options, ['backbone', 'embedDim', 'inChannels', 'widths', 'hiddenDim', 'projectionDim', 'momentum', 'seed']);
    const d = BYOL_DEFAULTS;
    const hidden = checkInt(fn, 'hiddenDim', options.hiddenDim ?? d.hiddenDim);
    const proj = checkInt(fn, 'projectionDim', options.projectionDim ?? d.projectionDim);
    this.defaultMomentum = checkNumber(fn, 'momentum', options.momentum ?? d.momentum, 0, 1);
    const seed = checkSeed(fn, options.seed ?? d.seed);
    const { build, embedDim } = resolveBackbone(fn, options);
    const rng = new Rng(seed);
    const model = new MultiCropNet(build(rng), new ProjectionMlp(embedDim, hidden, proj, { rng }));
    this.online = this.registerModule('online', new ByolOnline(model, new ProjectionMlp(proj, hidden, proj, { rng })));
    const targetRng = new Rng(seed + 1);
    this.target = this.registerModule('target', new MultiCropNet(build(targetRng), new ProjectionMlp(embedDim, hidden, proj, { rng: targetRng })));
    const sd = model.stateDict();
    try {
      this.target.loadStateDict(sd);
    } finally {
      tf.dispose(Object.values(sd));
    }
  }

  protected emaSource(): Module<any, any> {
    return this.online.model;
  }

  protected evaluationBackbone(): Module<any, any> {
    return this.online.model.backbone;
  }

  /** Target projections `[2n, projectionDim]` of the two global views, without gradient. */
  targetOutputs(globals: readonly tf.Tensor4D[]): tf.Tensor2D {
    if (!Array.isArray(globals) || globals.length !== 2) throw new InvalidValueError(`Byol.targetOutputs: globals must hold 2 views, got ${show(globals)}`);
    return tf.tidy(() => this.target.call(globals) as tf.Tensor2D);
  }

  /** {@link byolLoss} of the online predictions of both global views against the target projections (local views are ignored). */
  onlineLoss(views: MultiCropViews, targetOutputs: tf.Tensor2D, rng: Rng): tf.Scalar {
    void rng;
    const n = views.globals[0].shape[0];
    return tf.tidy(() => {
      const q = this.online.call(views.globals);
      const d = q.shape[1] as number;
      return byolLoss(tf.reshape(q, [2, n, d]), tf.reshape(targetOutputs, [2, n, d]));
    });
  }
}
