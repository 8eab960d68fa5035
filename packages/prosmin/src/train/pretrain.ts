/**
 * Self-supervised pre-training of ProSMIN or BYOL, with progress and resumable checkpoints.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, InvalidValueError, Module, Rng, ShapeError, loadCheckpoint, saveCheckpoint } from '@lab/tensor';
import { type MultiCropOptions, multiCrop, resolveMultiCrop } from '../augment/multi-crop';
import { checkImages, checkInt, checkNumber, checkOptions, checkSeed, mixSeed, show } from '../internal/validate';
import { cosineSchedule } from '../method/cosine-schedule';
import { SelfSupervisedMethod } from '../method/self-supervised-method';
import { AdamW } from './adamw';

/** What {@link PretrainOptions.onStep} receives after every step. @category Training */
export interface PretrainStepInfo {
  /** Steps done so far (1-based, counting steps before a resume). */
  step: number;
  /** Steps of the whole schedule. */
  totalSteps: number;
  /** Epoch of this step, 0-based. */
  epoch: number;
  /** Loss of this step (before the update). */
  loss: number;
  /** Learning rate used. */
  lr: number;
  /** Weight decay used. */
  weightDecay: number;
  /** EMA momentum used. */
  momentum: number;
  /** Wall time of the step in milliseconds. */
  stepMs: number;
}

/** Options of {@link pretrain}; defaults in {@link PRETRAIN_DEFAULTS}. @category Training */
export interface PretrainOptions {
  /** Passes over the images. @defaultValue 300 */
  epochs?: number;
  /** Images per step; the last partial batch of an epoch is dropped. @defaultValue 64 */
  batchSize?: number;
  /** Peak learning rate per 256 images (scaled by batchSize/256). @defaultValue 1e-4 */
  lr?: number;
  /** Final learning rate of the cosine decay. @defaultValue 1e-6 */
  minLr?: number;
  /** Epochs of linear warm-up from 0. @defaultValue 10 */
  warmupEpochs?: number;
  /** Initial weight decay (weights with ≥ 2 dimensions only). @defaultValue 0.065 */
  weightDecay?: number;
  /** Final weight decay of the cosine schedule. @defaultValue 0.65 */
  weightDecayEnd?: number;
  /** Per-parameter gradient-norm clip (0: none). @defaultValue 3 */
  clipGrad?: number;
  /** Base EMA momentum of the cosine schedule to 1. @defaultValue the method's (ProSMIN 0.9, BYOL 0.996) */
  momentum?: number;
  /** Multi-crop settings (the generator is derived from `seed`). @defaultValue {@link MULTI_CROP_DEFAULTS} */
  crops?: Omit<MultiCropOptions, 'rng'>;
  /** Seed of batch order, augmentations and sampling noise. @defaultValue 0 */
  seed?: number;
  /** Stop after this many steps in all (the schedules still span every epoch). @defaultValue all steps */
  maxSteps?: number;
  /** Hand a checkpoint to `onCheckpoint` every this many steps, and after the last one (0: never). @defaultValue 0 */
  checkpointEvery?: number;
  /** Receives each checkpoint: safetensors bytes to pass back as `resumeFrom`. */
  onCheckpoint?: (bytes: Uint8Array, step: number) => void | Promise<void>;
  /** A checkpoint from `onCheckpoint` to continue from (same images, seed and schedule). */
  resumeFrom?: Uint8Array;
  /** Called (and awaited) after every step. */
  onStep?: (info: PretrainStepInfo) => void | Promise<void>;
  /** Stops before the next step once aborted. */
  signal?: AbortSignal;
}

/**
 * Defaults of {@link PretrainOptions}, from ProSMIN's `main_prosmin.py` and the spec: AdamW, lr
 * 1e-4·batch/256 after 10 warm-up epochs, cosine to 1e-6, weight decay 0.065 → 0.65 (cosine),
 * clip 3.0, batch 64, 300 epochs.
 * @category Training
 */
export const PRETRAIN_DEFAULTS = Object.freeze({
  /** Default of {@link PretrainOptions.epochs}. */
  epochs: 300,
  /** Default of {@link PretrainOptions.batchSize}. */
  batchSize: 64,
  /** Default of {@link PretrainOptions.lr}. */
  lr: 1e-4,
  /** Default of {@link PretrainOptions.minLr}. */
  minLr: 1e-6,
  /** Default of {@link PretrainOptions.warmupEpochs}. */
  warmupEpochs: 10,
  /** Default of {@link PretrainOptions.weightDecay}. */
  weightDecay: 0.065,
  /** Default of {@link PretrainOptions.weightDecayEnd}. */
  weightDecayEnd: 0.65,
  /** Default of {@link PretrainOptions.clipGrad}. */
  clipGrad: 3,
  /** Default of {@link PretrainOptions.seed}. */
  seed: 0,
  /** Default of {@link PretrainOptions.checkpointEvery}. */
  checkpointEvery: 0,
});

/** What {@link pretrain} returns. @category Training */
export interface PretrainResult {
  /** Loss of every step run by this call. */
  losses: number[];
  /** Steps done in all (including those before a resume). */
  steps: number;
  /** Steps of the whole schedule. */
  totalSteps: number;
  /** True when `signal` stopped training. */
  aborted: boolean;
}

const KEYS = [...Object.keys(PRETRAIN_DEFAULTS), 'momentum', 'crops', 'maxSteps', 'onCheckpoint', 'resumeFrom', 'onStep', 'signal'];

/** The method and optimizer state, saved together. */
class TrainingState extends Module<[], void> {
  constructor(method: SelfSupervisedMethod, optimizer: AdamW) {
    super();
    this.registerModule('model', method);
    this.registerModule('optimizer', optimizer);
  }
  forward(): void {}
}

/**
 * Pre-trains a {@link SelfSupervisedMethod} (ProSMIN or BYOL) on images, as ProSMIN's
 * `train_one_epoch`.
 *
 * Each step takes a batch in a seeded per-epoch order, makes its {@link multiCrop} views, computes
 * the target outputs of the global views (no gradient), the online loss and its gradients
 * (online parameters only), clips each parameter's gradient norm to `clipGrad`, applies AdamW with
 * the scheduled lr and weight decay, and moves the target by EMA. Every random draw of step k comes
 * from a generator seeded by `(seed, k)`, so a run resumed from a checkpoint repeats the
 * uninterrupted run exactly. No tensor outlives a step: `tf.memory().numTensors` is the same after
 * every step and after the call.
 * @param method - the method to train (modified in place)
 * @param images - `[n, h, w, c]` float32 in [0, 1], n ≥ batchSize
 * @param options - see {@link PretrainOptions}
 * @returns the losses and step counts
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options, a non-finite loss (the step is not applied) or
 * a checkpoint from another method, seed or schedule; {@link "@lab/tensor"!CheckpointError | CheckpointError} for a mismatched checkpoint
 * @see arXiv:2309.02048; amirvhd/SSL-sore-rule `main_prosmin.py`
 * @example
 * ```ts
 * const method = new Prosmin({ widths: [16, 32, 64] });
 * const { losses } = await pretrain(method, images, {
 *   epochs: 5, batchSize: 32, lr: 2e-3, warmupEpochs: 1, crops: { localCrops: 2 },
 *   onStep: ({ step, totalSteps, loss }) => console.log(step, totalSteps, loss),
 * });
 * ```
 * @category Training
 */
export async function pretrain(method: SelfSupervisedMethod, images: tf.Tensor4D, options: PretrainOptions = {}): Promise<PretrainResult> {
  const fn = 'pretrain';
  if (!(method instanceof SelfSupervisedMethod)) throw new InvalidValueError(`${fn}: method must be a Prosmin or Byol (a SelfSupervisedMethod), got ${show(method)}`);
  if (method.isDisposed) throw new InvalidValueError(`${fn}: method has been disposed`);
  checkOptions(fn, options, KEYS);
  const x = checkImages(fn, 'images', images);
  const d = PRETRAIN_DEFAULTS;
  const epochs = checkInt(fn, 'epochs', options.epochs ?? d.epochs);
  const batchSize = checkInt(fn, 'batchSize', options.batchSize ?? d.batchSize, 2);
  const baseLr = checkNumber(fn, 'lr', options.lr ?? d.lr, 0);
  const minLr = checkNumber(fn, 'minLr', options.minLr ?? d.minLr, 0);
  const warmupEpochs = checkInt(fn, 'warmupEpochs', options.warmupEpochs ?? d.warmupEpochs, 0);
  const wd0 = checkNumber(fn, 'weightDecay', options.weightDecay ?? d.weightDecay, 0);
  const wd1 = checkNumber(fn, 'weightDecayEnd', options.weightDecayEnd ?? d.weightDecayEnd, 0);
  const clip = checkNumber(fn, 'clipGrad', options.clipGrad ?? d.clipGrad, 0);
  const momentumBase = checkNumber(fn, 'momentum', options.momentum ?? method.defaultMomentum, 0, 1);
  const seed = checkSeed(fn, options.seed ?? d.seed);
  const checkpointEvery = checkInt(fn, 'checkpointEvery', options.checkpointEvery ?? d.checkpointEvery, 0);
  for (const name of ['onCheckpoint', 'onStep'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw new InvalidValueError(`${fn}: ${name} must be a function, got ${show(options[name])}`);
  }
  if (checkpointEvery > 0 && options.onCheckpoint === undefined) throw new InvalidValueError(`${fn}: checkpointEvery needs onCheckpoint`);
  const crops = resolveMultiCrop(fn, options.crops ?? {}, x.shape[1]);
  if (options.crops !== undefined) checkOptions(`${fn}: crops`, options.crops, Object.keys(crops));
  if (!method.usesLocalCrops) crops.localCrops = 0;
  const n = x.shape[0];
  if (n < batchSize) throw new ShapeError(`${fn}: images must hold at least batchSize = ${batchSize} images, got ${n}`);
  const perEpoch = Math.floor(n / batchSize);
  const totalSteps = epochs * perEpoch;
  if (warmupEpochs > epochs) throw new InvalidValueError(`${fn}: warmupEpochs must be <= epochs (${epochs}), got ${warmupEpochs}`);
  const maxSteps = options.maxSteps === undefined ? totalSteps : Math.min(totalSteps, checkInt(fn, 'maxSteps', options.maxSteps));
  if (options.resumeFrom !== undefined && !(options.resumeFrom instanceof Uint8Array)) {
    throw new InvalidValueError(`${fn}: resumeFrom must be the Uint8Array of a checkpoint, got ${show(options.resumeFrom)}`);
  }

  const lrs = cosineSchedule((baseLr * batchSize) / 256, minLr, totalSteps, { warmupSteps: warmupEpochs * perEpoch });
  const wds = cosineSchedule(wd0, wd1, totalSteps);
  const moms = cosineSchedule(momentumBase, 1, totalSteps);
  const named = method.onlineParameters();
  const params = named.map(([, v]) => v);
  // Decay weights, not biases or 1-D parameters (reference get_params_groups), judged on PyTorch shapes.
  const torchRank = torchRanks(method);
  const decayMask = named.map(([name]) => (name.endsWith('.bias') || (torchRank.get(name) ?? 1) <= 1 ? 0 : 1));
  const optimizer = new AdamW(params);
  const state = new TrainingState(method, optimizer);
  const meta = { method: method.methodName, seed: String(seed), totalSteps: String(totalSteps), batchSize: String(batchSize) };
  const result: PretrainResult = { losses: [], steps: 0, totalSteps, aborted: false };
  const modes = method.modules().map((m) => [m, m.training] as const);
  try {
    if (options.resumeFrom !== undefined) {
      const { metadata } = loadCheckpoint(state, options.resumeFrom);
      for (const [k, v] of Object.entries(meta)) {
        if (metadata[k] !== v) {
          throw new CheckpointError(`${fn}: resumeFrom was written with ${k} = ${metadata[k] ?? '(none)'}, this run has ${k} = ${v}`);
        }
      }
      result.steps = checkInt(fn, 'the checkpoint step', Number(metadata.step), 0);
    }
    method.train();
    const save = async (): Promise<void> => {
      const bytes = await saveCheckpoint(state, { metadata: { ...meta, step: String(result.steps) } });
      await options.onCheckpoint?.(bytes, result.steps);
    };
    let order: Int32Array | null = null;
    let orderEpoch = -1;
    while (result.steps < maxSteps) {
      if (options.signal?.aborted) {
        result.aborted = true;
        break;
      }
      const k = result.steps;
      const epoch = Math.floor(k / perEpoch);
      if (epoch !== orderEpoch) {
        order = new Rng(mixSeed(seed, epoch)).permutation(n);
        orderEpoch = epoch;
      }
      const start = (k % perEpoch) * batchSize;
      const idx = (order as Int32Array).slice(start, start + batchSize);
      const rng = new Rng(mixSeed(mixSeed(seed, 0x5eed), k));
      const t0 = performance.now();
      const loss = trainStep(method, x, idx, crops, rng, optimizer, params, {
        lr: lrs[k],
        decay: decayMask.map((on) => on * wds[k]),
        clip,
        momentum: moms[k],
        step: k + 1,
      });
      result.steps = k + 1;
      result.losses.push(loss);
      await options.onStep?.({
        step: k + 1,
        totalSteps,
        epoch,
        loss,
        lr: lrs[k],
        weightDecay: wds[k],
        momentum: moms[k],
        stepMs: performance.now() - t0,
      });
      if (checkpointEvery > 0 && (result.steps % checkpointEvery === 0 || result.steps === maxSteps)) await save();
    }
  } finally {
    for (const [m, mode] of modes) m.training = mode;
    optimizer.dispose();
  }
  return result;
}

/** PyTorch rank of every online parameter, keyed as in `onlineParameters()`. */
function torchRanks(method: SelfSupervisedMethod): Map<string, number> {
  const sd = method.stateDict();
  try {
    return new Map(Object.entries(sd).map(([k, t]) => [k, t.rank]));
  } finally {
    tf.dispose(Object.values(sd));
  }
}

/** One optimizer step; returns the loss. Every tensor it makes is freed. */
function trainStep(
  method: SelfSupervisedMethod,
  images: tf.Tensor4D,
  idx: Int32Array,
  crops: ReturnType<typeof resolveMultiCrop>,
  rng: Rng,
  optimizer: AdamW,
  params: tf.Variable[],
  s: { lr: number; decay: number[]; clip: number; momentum: number; step: number },
): number {
  const batch = tf.tidy(() => tf.gather(images, tf.tensor1d(idx, 'int32')) as tf.Tensor4D);
  const views = multiCrop(batch, { ...crops, rng });
  batch.dispose();
  let targetOut: tf.Tensor2D | undefined;
  let value: tf.Scalar | undefined;
  let grads: tf.NamedTensorMap | undefined;
  try {
    targetOut = method.targetOutputs(views.globals);
    const t = targetOut;
    // The tidy frees the forward pass's tensors when the forward or backward pass throws.
    ({ value, grads } = tf.tidy(() => tf.variableGrads(() => method.onlineLoss(views, t, rng), params)));
    const loss = value.dataSync()[0];
    if (!Number.isFinite(loss)) throw new InvalidValueError(`pretrain: loss must be finite, got ${loss} at step ${s.step}; the step was not applied`);
    const g = grads;
    tf.tidy(() => {
      const clipped = params.map((p) => {
        const gi = g[p.name];
        if (!(s.clip > 0)) return gi;
        // DINO's utils.clip_gradients: scale by clip/(‖g‖ + 1e-6) when that is below 1.
        const coef = tf.minimum(tf.div(s.clip, tf.add(tf.norm(gi), 1e-6)), 1);
        return tf.mul(gi, coef);
      });
      optimizer.update(clipped, s.lr, s.decay, s.step);
    });
    method.updateTarget(s.momentum, t);
    return loss;
  } finally {
    tf.dispose([...views.globals, ...views.locals]);
    if (targetOut) targetOut.dispose();
    if (value) value.dispose();
    if (grads) tf.dispose(Object.values(grads));
  }
}
