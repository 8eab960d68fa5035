/**
 * ProSMIN: probabilistic self-supervised learning by scoring-rule minimisation.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { GELU, InvalidValueError, Linear, Module, Rng } from '@lab/tensor';
import type { MultiCropViews } from '../augment/multi-crop';
import { checkImages, checkInt, checkNumber, checkOptions, checkSeed, show } from '../internal/validate';
import { DinoHead, l2Normalize } from '../nn/dino-head';
import { MultiCropNet } from '../nn/multi-crop-net';
import { SmallConvNet } from '../nn/small-convnet';
import { prosminLoss } from './prosmin-loss';
import { SelfSupervisedMethod } from './self-supervised-method';

/** Builds a backbone `[n, h, w, c] → [n, embedDim]`; called twice (online and target) with one seed's generator each time. @category Method */
export type BackboneFactory = (rng: Rng) => Module;

/** Options of {@link Prosmin}; defaults in {@link PROSMIN_DEFAULTS}. @category Method */
export interface ProsminOptions {
  /** Backbone factory; `embedDim` must then be given. @defaultValue a {@link SmallConvNet} */
  backbone?: BackboneFactory;
  /** Output size of the backbone (required with `backbone`). @defaultValue the last width of the default ConvNet */
  embedDim?: number;
  /** Image channels of the default backbone. @defaultValue 1 */
  inChannels?: number;
  /** Stage widths of the default backbone. @defaultValue [32, 64, 128] */
  widths?: readonly number[];
  /** Output size of the DINO head, also the size of μ and σ. @defaultValue 256 (reference: 12,000) */
  outDim?: number;
  /** Hidden width of the DINO head. @defaultValue 256 (reference: 2048) */
  hiddenDim?: number;
  /** Bottleneck of the DINO head. @defaultValue 64 (reference: 256) */
  bottleneckDim?: number;
  /** Samples M drawn per view by reparameterisation. @defaultValue 4 */
  samples?: number;
  /** Spread weight λ of {@link prosminLoss}. @defaultValue 2.4 */
  lambda?: number;
  /** Factor of {@link prosminLoss}. @defaultValue 10 */
  lossScale?: number;
  /** Base EMA momentum of the target. @defaultValue 0.9 */
  momentum?: number;
  /** Momentum of the target centre, `c ← m·c + (1 − m)·mean(t)`. @defaultValue 0.9 */
  centerMomentum?: number;
  /** Seed of the initial weights. @defaultValue 0 */
  seed?: number;
}

/**
 * Defaults of {@link ProsminOptions}. From the reference (amirvhd/SSL-sore-rule and the spec):
 * M = 4 samples, λ = 2.4, loss factor 10, target momentum 0.9 → 1, centre momentum 0.9. Our
 * choices, for the small default backbone and 28–32 px images on wasm: head sizes 256/256/64
 * instead of 12,000/2048/256 (the reference also has four 12,000×12,000 predictor layers).
 * @category Method
 */
export const PROSMIN_DEFAULTS = Object.freeze({
  /** Default of {@link ProsminOptions.inChannels}. */
  inChannels: 1,
  /** Default of {@link ProsminOptions.widths}. */
  widths: Object.freeze([32, 64, 128]),
  /** Default of {@link ProsminOptions.outDim}. */
  outDim: 256,
  /** Default of {@link ProsminOptions.hiddenDim}. */
  hiddenDim: 256,
  /** Default of {@link ProsminOptions.bottleneckDim}. */
  bottleneckDim: 64,
  /** Default of {@link ProsminOptions.samples}. */
  samples: 4,
  /** Default of {@link ProsminOptions.lambda}. */
  lambda: 2.4,
  /** Default of {@link ProsminOptions.lossScale}. */
  lossScale: 10,
  /** Default of {@link ProsminOptions.momentum}. */
  momentum: 0.9,
  /** Default of {@link ProsminOptions.centerMomentum}. */
  centerMomentum: 0.9,
  /** Default of {@link ProsminOptions.seed}. */
  seed: 0,
});

/** The predicted diagonal Gaussian of each image. @category Method */
export interface GaussianPrediction {
  /** Means μ, `[n, d]`. */
  mu: tf.Tensor2D;
  /** Standard deviations σ = exp(½·logvar), `[n, d]`. */
  sigma: tf.Tensor2D;
}

/**
 * ProSMIN's online network: backbone and DINO head (`model`), then the predictor
 * `pred_layer1 → GELU → pred_layer2 → L2-normalise → ReLU` and the bias-free heads
 * `μ = mean_layer(·)` and `σ = exp(½·var_layer(·))` (names of the reference `utils.wrapper`).
 * @category Method
 */
export class ProsminOnline extends Module<[readonly tf.Tensor[]], GaussianPrediction> {
  /** Backbone and DINO head. */
  readonly model: MultiCropNet;
  /** First predictor layer (`pred_layer1`). */
  readonly predLayer1: Linear;
  /** Second predictor layer (`pred_layer2`). */
  readonly predLayer2: Linear;
  /** Bias-free mean head (`mean_layer`). */
  readonly meanLayer: Linear;
  /** Bias-free log-variance head (`var_layer`). */
  readonly varLayer: Linear;
  private readonly gelu = new GELU();

  /**
   * @param model - backbone and head
   * @param outDim - the head's output size
   * @param rng - generator of the predictor weights
   */
  constructor(model: MultiCropNet, outDim: number, rng: Rng) {
    super();
    this.model = this.registerModule('model', model);
    this.predLayer1 = this.registerModule('pred_layer1', new Linear(outDim, outDim, { rng }));
    this.predLayer2 = this.registerModule('pred_layer2', new Linear(outDim, outDim, { rng }));
    this.meanLayer = this.registerModule('mean_layer', new Linear(outDim, outDim, { bias: false, rng }));
    this.varLayer = this.registerModule('var_layer', new Linear(outDim, outDim, { bias: false, rng }));
  }

  /**
   * Predicts μ and σ for every view.
   * @param views - NHWC batches of equal batch size
   * @returns `{mu, sigma}`, each `[views.length · n, outDim]`; the caller disposes both
   */
  forward(views: readonly tf.Tensor[]): GaussianPrediction {
    return tf.tidy(() => {
      const proj = this.model.call(views);
      const pred = tf.relu(l2Normalize(this.predLayer2.call(this.gelu.call(this.predLayer1.call(proj)))));
      const mu = this.meanLayer.call(pred) as tf.Tensor2D;
      const sigma = tf.exp(tf.mul(this.varLayer.call(pred), 0.5)) as tf.Tensor2D;
      return { mu, sigma };
    });
  }
}

/**
 * ProSMIN (Vahidi et al., arXiv 2309.02048): an online network predicts a diagonal Gaussian over
 * the target's representation of another view; M samples `s = μ + σ ⊙ ε` are scored against the
 * centred target outputs of the global views with {@link prosminLoss}.
 *
 * The target (`backbone` + DINO `head`) has its own weights, initialised from the online `model`
 * and moved by EMA (κ from 0.9 to 1); its outputs are centred by `center`, updated from the global
 * views only as `c ← 0.9·c + 0.1·mean(t)`. Evaluation features come from the **target** backbone.
 * The reference code builds its target around the online backbone object and updates the centre
 * from already-centred outputs (with a momentum default of 2.4); we keep separate weights and the
 * DINO centre update (see the README).
 * @see arXiv:2309.02048; github.com/amirvhd/SSL-sore-rule
 * @example
 * ```ts
 * const method = new Prosmin({ widths: [16, 32, 64], seed: 0 });
 * await pretrain(method, images, { epochs: 10, batchSize: 64 });
 * const feats = method.call(testImages); // target-backbone features [n, 64]
 * ```
 * @category Method
 */
export class Prosmin extends SelfSupervisedMethod {
  readonly methodName = 'prosmin';
  readonly defaultMomentum: number;
  readonly usesLocalCrops = true;
  /** The online network. */
  readonly online: ProsminOnline;
  /** The target network, `backbone` + `head`. */
  readonly target: MultiCropNet;
  /** The EMA centre of the target outputs, `[1, outDim]`. */
  readonly center: tf.Variable;
  /** Samples per view M. */
  readonly samples: number;
  /** Spread weight λ. */
  readonly lambda: number;
  /** Loss factor. */
  readonly lossScale: number;
  /** Centre momentum. */
  readonly centerMomentum: number;
  /** Size of μ, σ and the target outputs. */
  readonly outDim: number;

  /**
   * @param options - see {@link ProsminOptions}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} on a bad option or an unknown key
   */
  constructor(options: ProsminOptions = {}) {
    super();
    const fn = 'Prosmin';
    checkOptions(fn, options, [
      'backbone', 'embedDim', 'inChannels', 'widths', 'outDim', 'hiddenDim', 'bottleneckDim', 'samples', 'lambda', 'lossScale',
      'momentum', 'centerMomentum', 'seed',
    ]);
    const d = PROSMIN_DEFAULTS;
    this.outDim = checkInt(fn, 'outDim', options.outDim ?? d.outDim);
    const hiddenDim = checkInt(fn, 'hiddenDim', options.hiddenDim ?? d.hiddenDim);
    const bottleneckDim = checkInt(fn, 'bottleneckDim', options.bottleneckDim ?? d.bottleneckDim);
    this.samples = checkInt(fn, 'samples', options.samples ?? d.samples, 2);
    this.lambda = checkNumber(fn, 'lambda', options.lambda ?? d.lambda, 0);
    this.lossScale = checkNumber(fn, 'lossScale', options.lossScale ?? d.lossScale, 0);
    this.defaultMomentum = checkNumber(fn, 'momentum', options.momentum ?? d.momentum, 0, 1);
    this.centerMomentum = checkNumber(fn, 'centerMomentum', options.centerMomentum ?? d.centerMomentum, 0, 1);
    const seed = checkSeed(fn, options.seed ?? d.seed);
    const { build, embedDim } = resolveBackbone(fn, options);
    const rng = new Rng(seed);
    const headOptions = { hiddenDim, bottleneckDim };
    const onlineModel = new MultiCropNet(build(rng), new DinoHead(embedDim, this.outDim, { ...headOptions, rng }));
    this.online = this.registerModule('online', new ProsminOnline(onlineModel, this.outDim, rng));
    const targetRng = new Rng(seed + 1);
    this.target = this.registerModule('target', new MultiCropNet(build(targetRng), new DinoHead(embedDim, this.outDim, { ...headOptions, rng: targetRng })));
    // Separate weights with equal values: target_without_ddp.load_state_dict(online.module.model.state_dict()).
    const sd = onlineModel.stateDict();
    try {
      this.target.loadStateDict(sd);
    } finally {
      tf.dispose(Object.values(sd));
    }
    this.center = this.registerBuffer('center', tf.zeros([1, this.outDim]));
  }

  protected emaSource(): Module<any, any> {
    return this.online.model;
  }

  protected evaluationBackbone(): Module<any, any> {
    return this.target.backbone;
  }

  /** Target outputs `[2n, outDim]` of the two global views (not centred), without gradient. */
  targetOutputs(globals: readonly tf.Tensor4D[]): tf.Tensor2D {
    if (!Array.isArray(globals) || globals.length === 0) throw new InvalidValueError(`Prosmin.targetOutputs: globals must be a non-empty array, got ${show(globals)}`);
    return tf.tidy(() => this.target.call(globals) as tf.Tensor2D);
  }

  /**
   * Draws M samples `μ + σ ⊙ ε` for every online view (globals then locals) and returns
   * {@link prosminLoss} against `targetOutputs − center`.
   */
  onlineLoss(views: MultiCropViews, targetOutputs: tf.Tensor2D, rng: Rng): tf.Scalar {
    const all = [...views.globals, ...views.locals];
    const n = all[0].shape[0];
    const g = targetOutputs.shape[0] / n;
    if (!Number.isInteger(g) || targetOutputs.shape[1] !== this.outDim) {
      throw new InvalidValueError(`Prosmin.onlineLoss: targetOutputs must be [G·${n}, ${this.outDim}], got [${targetOutputs.shape}]`);
    }
    return tf.tidy(() => {
      const { mu, sigma } = this.online.call(all);
      const eps = rng.normalTensor([this.samples, all.length * n, this.outDim]);
      const s = tf.reshape(tf.add(mu, tf.mul(sigma, eps)), [this.samples, all.length, n, this.outDim]);
      const t = tf.reshape(tf.sub(targetOutputs, this.center), [g, n, this.outDim]);
      return prosminLoss(s, t, { lambda: this.lambda, scale: this.lossScale });
    });
  }

  /** EMA of the target, then the centre update `c ← m·c + (1 − m)·mean(targetOutputs)` (global views only). */
  override updateTarget(momentum: number, targetOutputs: tf.Tensor2D): void {
    super.updateTarget(momentum, targetOutputs);
    const m = this.centerMomentum;
    tf.tidy(() => this.center.assign(tf.add(tf.mul(this.center, m), tf.mul(tf.mean(targetOutputs, 0, true), 1 - m))));
  }

  /**
   * The online network's predicted Gaussian for images (eval mode), e.g. as an uncertainty score.
   * @param x - `[n, h, w, c]`, float32
   * @returns `{mu, sigma}`, each `[n, outDim]`; the caller disposes both
   */
  predict(x: tf.Tensor4D): GaussianPrediction {
    checkImages('Prosmin.predict', 'x', x);
    const modes = this.online.modules().map((mod) => [mod, mod.training] as const);
    this.online.eval();
    try {
      return this.online.call([x]);
    } finally {
      for (const [mod, mode] of modes) mod.training = mode;
    }
  }
}

/** Validates the backbone options shared by the methods and returns the factory and its width. */
export function resolveBackbone(
  fn: string,
  options: { backbone?: BackboneFactory; embedDim?: number; inChannels?: number; widths?: readonly number[] },
): { build: BackboneFactory; embedDim: number } {
  if (options.backbone !== undefined) {
    if (typeof options.backbone !== 'function') throw new InvalidValueError(`${fn}: backbone must be a function (rng) => Module, got ${show(options.backbone)}`);
    if (options.inChannels !== undefined || options.widths !== undefined) {
      throw new InvalidValueError(`${fn}: inChannels and widths configure the default backbone; give them to your backbone factory instead`);
    }
    const embedDim = checkInt(fn, 'embedDim', options.embedDim);
    const factory = options.backbone;
    return {
      embedDim,
      build: (rng) => {
        const m = factory(rng);
        if (!(m instanceof Module)) throw new InvalidValueError(`${fn}: backbone() must return a Module, got ${show(m)}`);
        return m;
      },
    };
  }
  const inChannels = checkInt(fn, 'inChannels', options.inChannels ?? PROSMIN_DEFAULTS.inChannels);
  const widths = options.widths ?? PROSMIN_DEFAULTS.widths;
  const probe = new SmallConvNet({ inChannels, widths, rng: new Rng(0) }); // validates the widths
  const embedDim = probe.embedDim;
  probe.dispose();
  if (options.embedDim !== undefined && options.embedDim !== embedDim) {
    throw new InvalidValueError(`${fn}: embedDim must equal the last width ${embedDim} of the default backbone, got ${show(options.embedDim)}`);
  }
  return { embedDim, build: (rng) => new SmallConvNet({ inChannels, widths, rng }) };
}
