/**
 * The information multi-distillation module of the original IMDN.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Conv2d, LeakyReLU, Module, type Rng } from '@lab/tensor';
import { convLayer } from '../common/conv-layer';
import { CcaLayer } from './cca-layer';

/**
 * An IMDB of the original IMDN on `c` channels (`d = c/4` distilled, `r = c − d` remaining):
 * `[d1 | r1] = σ(c1(x))`, `[d2 | r2] = σ(c2(r1))`, `[d3 | r3] = σ(c3(r2))`, `d4 = c4(r3)`,
 * `y = c5(CCA([d1, d2, d3, d4])) + x`, with σ one shared LeakyReLU(0.05) module (`act`).
 *
 * Parameters: `c1` (3×3 c → c), `c2`, `c3` (3×3 r → c), `c4` (3×3 r → d), `c5` (1×1 c → c), and
 * `cca` ({@link CcaLayer}, reduction 16).
 * @see arXiv 1909.11856, section 3.1; Zheng222/IMDN `model/block.py` (`IMDModule`)
 * @category Models
 */
export class ImdModule extends Module {
  /** Distilled channels per step, `d = ⌊c/4⌋`. */
  readonly distilled: number;
  /** Remaining channels per step, `r = c − d`. */
  readonly remaining: number;
  /** `c1`: 3×3 conv c → c on the input; splits into `d1` and `r1`. */
  readonly c1: Conv2d;
  /** `c2`: 3×3 conv r → c on `r1`; splits into `d2` and `r2`. */
  readonly c2: Conv2d;
  /** `c3`: 3×3 conv r → c on `r2`; splits into `d3` and `r3`. */
  readonly c3: Conv2d;
  /** `c4`: 3×3 conv r → d on `r3`, giving `d4`. */
  readonly c4: Conv2d;
  /** `act`: the LeakyReLU(0.05) shared by `c1`, `c2` and `c3`. */
  readonly act: LeakyReLU;
  /** `c5`: 1×1 conv c → c after the contrast-aware channel attention. */
  readonly c5: Conv2d;
  /** `cca`: contrast-aware channel attention ({@link CcaLayer}, reduction 16) on `[d1, d2, d3, d4]`. */
  readonly cca: CcaLayer;

  /**
   * @param channels - input and output channels (64 in the paper)
   * @param rng - generator of the initial weights (the global one when omitted)
   */
  constructor(channels: number, rng?: Rng) {
    super();
    this.distilled = Math.floor(channels * 0.25);
    this.remaining = channels - this.distilled;
    this.c1 = this.registerModule('c1', convLayer(channels, channels, 3, { rng }));
    this.c2 = this.registerModule('c2', convLayer(this.remaining, channels, 3, { rng }));
    this.c3 = this.registerModule('c3', convLayer(this.remaining, channels, 3, { rng }));
    this.c4 = this.registerModule('c4', convLayer(this.remaining, this.distilled, 3, { rng }));
    this.act = this.registerModule('act', new LeakyReLU(0.05));
    this.c5 = this.registerModule('c5', convLayer(channels, channels, 1, { rng }));
    this.cca = this.registerModule('cca', new CcaLayer(this.distilled * 4, 16, rng));
  }

  /**
   * @param x - `[n, h, w, channels]`
   * @returns `[n, h, w, channels]`; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const split = (t: tf.Tensor) => tf.split(t, [this.distilled, this.remaining], 3);
      const [d1, r1] = split(this.act.call(this.c1.call(x)));
      const [d2, r2] = split(this.act.call(this.c2.call(r1)));
      const [d3, r3] = split(this.act.call(this.c3.call(r2)));
      const d4 = this.c4.call(r3);
      return tf.add(this.c5.call(this.cca.call(tf.concat([d1, d2, d3, d4], 3))), x);
    });
  }
}
