/**
 * DATSR: reference-based super-resolution with deformable attention transformers.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, ShapeError, checkInput, checkOptions, getGlobalRng, type Rng } from '@lab/tensor';
import { imresizeTensor } from '../../eval/imresize';
import { withDefaults } from '../common/options';
import { DatsrContrasExtractor } from './contras-extractor';
import { FlowSimCorrespondence } from './correspondence';
import { type DatsrCorrespondence, disposeCorrespondence } from './correspondence-maps';
import { DatsrRestorationNet, type DatsrRestorationOptions } from './restoration-net';

/** Options of {@link Datsr}; defaults in {@link DATSR_DEFAULTS}. @category Models */
export interface DatsrOptions extends DatsrRestorationOptions {
  /** Reference patches correlated at once by the matching (memory bound). @defaultValue at most 2²² correlation values per chunk */
  matchChunk?: number;
}

const KEYS = ['ngf', 'nBlocks', 'groups', 'depths', 'numHeads', 'windowSize', 'imgSize', 'rng', 'matchChunk'];

/** The padded problem {@link Datsr.prepare} builds. @category Models */
export interface DatsrPrepared {
  /** The LR image zero-padded at the bottom and right to `[n, H, W, 3]`, `H, W` multiples of `sizeMultiple`. */
  lr: tf.Tensor4D;
  /** The correspondence of the padded LR image with the reference padded to `[n, 4H, 4W, 3]`. */
  correspondence: DatsrCorrespondence;
  /** Original LR `[h, w]`; the SR output is cropped to `[4h, 4w]`. */
  lrSize: [number, number];
}

/**
 * DATSR (×4 reference-based SR): `upscale(lr, ref)` transfers textures from a high-resolution
 * reference image of similar content.
 *
 * The pipeline of the reference's `RefRestorationModel.test`: LR↑ (bicubic ×4 of the LR image)
 * and the reference go through the texture encoder `net_extractor` ({@link DatsrContrasExtractor});
 * `net_map` ({@link FlowSimCorrespondence}) matches 3×3 feature patches and extracts VGG19 features
 * of the reference; `net_g` ({@link DatsrRestorationNet}) aggregates the reference features with
 * deformable attention in a Swin U-Net and adds the result to a bilinear ×4 upsample of the LR image.
 *
 * **Sizes.** The LR image and the reference may differ in size. As the reference's test loader,
 * both are zero-padded at the bottom and right to a common size (the LR image to `H × W`, the
 * reference to `4H × 4W`, with `H ≥ max(h, ⌈hr/4⌉)` and likewise `W`), and the output is cropped
 * back to `4h × 4w`. `H` and `W` are also rounded up to a multiple of {@link Datsr.sizeMultiple}
 * (8 by default: the Swin windows at the LR scale), which the reference leaves to the caller.
 * LR↑ uses MATLAB-style bicubic (`imresizeTensor`); the reference uses PIL's bicubic, which
 * differs only at the image borders.
 *
 * Parameter names: `net_g.*` are the keys of `restoration_mse.pth` / `restoration_gan.pth`,
 * `net_extractor.*` those of `feature_extraction.pth`, `net_map.vgg.*` torchvision's VGG19
 * `features` renamed; load each child with `loadOfficialWeights(datsr.netG, bytes)` etc.
 * @see arXiv 2207.11938 (Cao et al., ECCV 2022); caojiezhang/DATSR
 * @example
 * ```ts
 * const net = new Datsr().eval();
 * loadOfficialWeights(net.netG, await fs.readFile('restoration_mse.pth'));
 * loadOfficialWeights(net.netExtractor, await fs.readFile('feature_extraction.pth'));
 * const sr = net.upscale(lr, ref); // [1, 4h, 4w, 3]
 * ```
 * @category Models
 */
export class Datsr extends Module<[tf.Tensor, tf.Tensor], tf.Tensor> {
  /** Upscaling factor (fixed by the architecture). */
  readonly scale = 4;
  /** LR height and width are padded to multiples of this. */
  readonly sizeMultiple: number;
  /** `net_g`: the restoration network. */
  readonly netG: DatsrRestorationNet;
  /** `net_extractor`: the texture encoder. */
  readonly netExtractor: DatsrContrasExtractor;
  /** `net_map`: the correspondence with its VGG19. */
  readonly netMap: FlowSimCorrespondence;

  /**
   * @param options - see {@link DatsrOptions}
   * @throws InvalidValueError for an unknown option or a bad value
   */
  constructor(options: DatsrOptions = {}) {
    super();
    checkOptions('Datsr', options, KEYS);
    const { matchChunk, ...rest } = withDefaults({}, options) as DatsrOptions;
    const rng: Rng = rest.rng ?? getGlobalRng();
    this.netG = this.registerModule('net_g', new DatsrRestorationNet({ ...rest, rng }));
    this.netExtractor = this.registerModule('net_extractor', new DatsrContrasExtractor({ rng }));
    if (matchChunk !== undefined && !(Number.isInteger(matchChunk) && matchChunk > 0)) {
      throw new InvalidValueError(`Datsr: matchChunk must be a positive integer, got ${String(matchChunk)}`);
    }
    this.netMap = this.registerModule('net_map', new FlowSimCorrespondence({ rng, ...(matchChunk !== undefined ? { chunk: matchChunk } : {}) }));
    this.sizeMultiple = this.netG.sizeMultiple;
  }

  private check(fn: string, lr: unknown, ref: unknown): void {
    checkInput(fn, lr, 4, 3, 'lr');
    checkInput(fn, ref, 4, 3, 'ref');
    for (const [arg, t] of [['lr', lr], ['ref', ref]] as const) {
      if (t.dtype !== 'float32') throw new ShapeError(`${fn}: ${arg} must have dtype float32, got ${t.dtype}`);
      const [, th = 0, tw = 0] = t.shape;
      if (th < 1 || tw < 1) throw new ShapeError(`${fn}: ${arg} must be non-empty, got shape [${t.shape}]`);
    }
    const [nl] = lr.shape as number[];
    const [nr] = ref.shape as number[];
    if (nl !== nr) throw new ShapeError(`${fn}: ref must have the batch size of lr (${nl}), got shape [${ref.shape}]`);
  }

  /**
   * Pads the inputs to a common valid size and computes their correspondence (no gradient flows
   * through it; training code calls this once per batch and then `netG.call(prepared.lr, prepared.correspondence)`).
   * @param lr - `[n, h, w, 3]` in [0, 1]
   * @param ref - `[n, hr, wr, 3]` in [0, 1]
   * @returns the padded LR image and the correspondence; the caller disposes them (`prepared.lr.dispose()`, {@link disposeCorrespondence})
   * @throws ShapeError naming `lr` or `ref` for a bad rank, channel count, dtype, size or batch
   */
  prepare(lr: tf.Tensor, ref: tf.Tensor): DatsrPrepared {
    const fn = 'Datsr.prepare';
    this.check(fn, lr, ref);
    const [, h, w] = lr.shape;
    const [, hr, wr] = ref.shape;
    const m = this.sizeMultiple;
    const up = (v: number): number => Math.ceil(Math.max(v, 3) / m) * m;
    const H = up(Math.max(h, Math.ceil(hr / 4)));
    const W = up(Math.max(w, Math.ceil(wr / 4)));
    const [lrP, refP] = tf.tidy(() => [
      tf.pad(lr, [[0, 0], [0, H - h], [0, W - w], [0, 0]]) as tf.Tensor4D,
      tf.pad(ref, [[0, 0], [0, 4 * H - hr], [0, 4 * W - wr], [0, 0]]) as tf.Tensor4D,
    ]);
    try {
      const lrUp = imresizeTensor(lrP, 4);
      let feats: [tf.Tensor4D, tf.Tensor4D];
      try {
        feats = this.netExtractor.call(lrUp, refP);
      } finally {
        lrUp.dispose();
      }
      try {
        const correspondence = this.netMap.call(feats[0], feats[1], refP);
        return { lr: lrP, correspondence, lrSize: [h, w] };
      } finally {
        tf.dispose(feats);
      }
    } catch (e) {
      lrP.dispose();
      throw e;
    } finally {
      refP.dispose();
    }
  }

  /**
   * Super-resolves `lr` ×4 with the help of `ref` (same as {@link Datsr.upscale}).
   * @param lr - `[n, h, w, 3]` float32 in [0, 1]; not disposed
   * @param ref - `[n, hr, wr, 3]` float32 in [0, 1], any size; not disposed
   * @returns `[n, 4h, 4w, 3]` in [0, 1] (not clamped); the caller disposes it
   * @throws ShapeError naming `lr` or `ref`
   */
  forward(lr: tf.Tensor, ref: tf.Tensor): tf.Tensor {
    const p = this.prepare(lr, ref);
    try {
      return tf.tidy(() => {
        const y = this.netG.call(p.lr, p.correspondence);
        const [h, w] = p.lrSize;
        return tf.slice(y, [0, 0, 0, 0], [-1, 4 * h, 4 * w, 3]);
      });
    } finally {
      p.lr.dispose();
      disposeCorrespondence(p.correspondence);
    }
  }

  /**
   * Super-resolves `lr` ×4 with the help of `ref`: {@link Datsr.forward} through `call`, so
   * forward hooks (profiler) run.
   * @param lr - `[n, h, w, 3]` float32 in [0, 1]
   * @param ref - `[n, hr, wr, 3]` float32 in [0, 1]
   * @returns `[n, 4h, 4w, 3]`; the caller disposes it
   * @throws ShapeError naming `lr` or `ref`
   */
  upscale(lr: tf.Tensor, ref: tf.Tensor): tf.Tensor {
    return this.call(lr, ref);
  }
}
