/**
 * The EDSR-baseline feature extractor (EDSR without its upsampler), as CiaoSR and LIIF use it.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Conv2d, InvalidValueError, Module, ReLU, Sequential, type Rng } from '@lab/tensor';
import { convLayer } from '../common/conv-layer';
import { checkPositiveInt } from '../common/options';

/** `ResidualBlockNoBN`: `x + res_scale · conv2(relu(conv1(x)))`. */
class ResidualBlockNoBn extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly relu: ReLU;
  constructor(
    channels: number,
    private readonly resScale: number,
    rng?: Rng,
  ) {
    super();
    this.conv1 = this.registerModule('conv1', convLayer(channels, channels, 3, { rng }));
    this.conv2 = this.registerModule('conv2', convLayer(channels, channels, 3, { rng }));
    this.relu = this.registerModule('relu', new ReLU());
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const r = this.conv2.call(this.relu.call(this.conv1.call(x)));
      return tf.add(x, this.resScale === 1 ? r : tf.mul(r, this.resScale));
    });
  }
}

/** Options of {@link EdsrEncoder}; the defaults are EDSR-baseline's. @category Models */
export interface EdsrEncoderOptions {
  /** Feature channels (`mid_channels`). @defaultValue 64 */
  channels?: number;
  /** Residual blocks (`num_blocks`). @defaultValue 16 */
  numBlocks?: number;
  /** Factor of each block's residual (`res_scale`). @defaultValue 1 */
  resScale?: number;
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/**
 * EDSR-baseline without its upsampler: `f = conv_first(x)` (3×3, 3 → C), `B` residual blocks
 * without batch norm (`x + s·conv2(relu(conv1(x)))`), `conv_after_body` (3×3), plus `f`. Input
 * `[n, h, w, 3]`, output `[n, h, w, C]`. No mean shift: CiaoSR's restorer subtracts the RGB mean
 * before the network.
 *
 * Parameters: `conv_first`, `body.{b}.conv1`, `body.{b}.conv2`, `conv_after_body` (the keys of
 * mmediting's `EDSR` minus `upsample` and `conv_last`). With the defaults: 1,220,416.
 * @see arXiv 1707.02921 (EDSR); open-mmlab/mmediting `mmedit/models/backbones/sr_backbones/edsr.py`
 * @example
 * ```ts
 * const enc = new EdsrEncoder({ numBlocks: 2 });
 * const f = enc.call(tf.zeros([1, 8, 8, 3])); // [1, 8, 8, 64]
 * ```
 * @category Models
 */
export class EdsrEncoder extends Module {
  /** Output channels. */
  readonly channels: number;
  /** `conv_first`: 3×3 conv 3 → channels. */
  readonly convFirst: Conv2d;
  /** `body`: the residual blocks. */
  readonly body: Sequential;
  /** `conv_after_body`: 3×3 conv before the long skip. */
  readonly convAfterBody: Conv2d;

  /**
   * @param options - see {@link EdsrEncoderOptions}
   * @throws InvalidValueError for a bad size or a non-finite `resScale`
   */
  constructor(options: EdsrEncoderOptions = {}) {
    super();
    const fn = 'EdsrEncoder';
    const c = checkPositiveInt(fn, 'channels', options.channels ?? 64);
    const blocks = checkPositiveInt(fn, 'numBlocks', options.numBlocks ?? 16);
    const resScale = options.resScale ?? 1;
    if (typeof resScale !== 'number' || !Number.isFinite(resScale)) {
      throw new InvalidValueError(`${fn}: resScale must be a finite number, got ${String(resScale)}`);
    }
    const rng = options.rng;
    this.channels = c;
    this.convFirst = this.registerModule('conv_first', convLayer(3, c, 3, { rng }));
    const body: ResidualBlockNoBn[] = [];
    for (let b = 0; b < blocks; b++) body.push(new ResidualBlockNoBn(c, resScale, rng));
    this.body = this.registerModule('body', new Sequential(...body));
    this.convAfterBody = this.registerModule('conv_after_body', convLayer(c, c, 3, { rng }));
  }

  /**
   * @param x - `[n, h, w, 3]` float32
   * @returns `[n, h, w, channels]`; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const f = this.convFirst.call(x);
      return tf.add(this.convAfterBody.call(this.body.call(f)), f);
    });
  }
}
