/**
 * The simplified information multi-distillation block of the NTIRE 2022 IMDN baseline.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, LeakyReLU, Module, Sequential, type Rng } from '@lab/tensor';

/** Options of {@link ImdBlock}. @category Models */
export interface ImdBlockOptions {
  /** Slope of the LeakyReLUs. @defaultValue 0.05 */
  negativeSlope?: number;
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/**
 * An IMDBlock (simplified IMDB, no channel attention) on `c` channels with `d = c/4` distilled
 * and `r = c − d` remaining channels:
 * `[d1 | r1] = σ(conv1(x))`, `[d2 | r2] = σ(conv2(r1))`, `[d3 | r3] = σ(conv3(r2))`,
 * `d4 = conv4(r3)`, `y = x + conv1x1([d1, d2, d3, d4])`, with σ a LeakyReLU(0.05).
 *
 * Parameter names follow the reference: `conv1.0`, `conv2.0`, `conv3.0` (3×3, followed by the
 * activation at index 1), `conv4` (3×3 r → d) and `conv1x1` (1×1 4d → c). Every conv has a bias.
 * @see arXiv 1909.11856; ofsoundof/NTIRE2022_ESR `models/basicblock.py` (`IMDBlock`)
 * @category Models
 */
export class ImdBlock extends Module {
  /** Channels of the input and output. */
  readonly channels: number;
  /** Distilled channels per step, `⌊c/4⌋`. */
  readonly distilled: number;
  /** Remaining channels per step, `c − distilled`. */
  readonly remaining: number;
  /** `conv1`: 3×3 conv c → c and the LeakyReLU (`conv1.0`, `conv1.1`); its output splits into `d1` and `r1`. */
  readonly conv1: Sequential;
  /** `conv2`: 3×3 conv r → c and the LeakyReLU, on `r1`; splits into `d2` and `r2`. */
  readonly conv2: Sequential;
  /** `conv3`: 3×3 conv r → c and the LeakyReLU, on `r2`; splits into `d3` and `r3`. */
  readonly conv3: Sequential;
  /** `conv4`: 3×3 conv r → d on `r3`, giving `d4` (no activation). */
  readonly conv4: Conv2d;
  /** `conv1x1`: 1×1 conv 4d → c fusing `[d1, d2, d3, d4]` before the residual add. */
  readonly conv1x1: Conv2d;

  /**
   * @param channels - input and output channels (64 in the baseline)
   * @param options - see {@link ImdBlockOptions}
   */
  constructor(channels: number, options: ImdBlockOptions = {}) {
    super();
    const slope = options.negativeSlope ?? 0.05;
    const rng = options.rng;
    this.channels = channels;
    this.distilled = Math.floor(channels * 0.25);
    this.remaining = channels - this.distilled;
    const convAct = (cin: number) =>
      new Sequential(new Conv2d(cin, channels, 3, { padding: 1, rng }), new LeakyReLU(slope));
    this.conv1 = this.registerModule('conv1', convAct(channels));
    this.conv2 = this.registerModule('conv2', convAct(this.remaining));
    this.conv3 = this.registerModule('conv3', convAct(this.remaining));
    this.conv4 = this.registerModule('conv4', new Conv2d(this.remaining, this.distilled, 3, { padding: 1, rng }));
    this.conv1x1 = this.registerModule('conv1x1', new Conv2d(this.distilled * 4, channels, 1, { rng }));
  }

  /**
   * @param x - `[n, h, w, channels]`
   * @returns `[n, h, w, channels]`; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const split = (t: tf.Tensor) => tf.split(t, [this.distilled, this.remaining], 3);
      const [d1, r1] = split(this.conv1.call(x));
      const [d2, r2] = split(this.conv2.call(r1));
      const [d3, r3] = split(this.conv3.call(r2));
      const d4 = this.conv4.call(r3);
      return tf.add(x, this.conv1x1.call(tf.concat([d1, d2, d3, d4], 3)));
    });
  }
}
