/**
 * The residual local feature block of RLFN.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Conv2d, LeakyReLU, Module, type Rng } from '@lab/tensor';
import { convLayer } from '../common/conv-layer';
import { RlfnEsa } from './rlfn-esa';

/**
 * A residual local feature block (RLFB): three 3×3 convolutions each followed by one shared
 * LeakyReLU(0.05) module (`act`), a local skip, a 1×1 conv and ESA:
 * `y = ESA(c5(σ(c3_r(σ(c2_r(σ(c1_r(x)))))) + x))`.
 *
 * Parameters: `c1_r` (in → mid), `c2_r` (mid → mid), `c3_r` (mid → in), `c5` (1×1 in → out) and
 * `esa` ({@link RlfnEsa}).
 * @see arXiv 2205.07514; ofsoundof/NTIRE2022_ESR `models/team04_rlfn.py` (`RLFB`)
 * @category Models
 */
export class Rlfb extends Module {
  /** `c1_r`: 3×3 conv in → mid. */
  readonly c1R: Conv2d;
  /** `c2_r`: 3×3 conv mid → mid. */
  readonly c2R: Conv2d;
  /** `c3_r`: 3×3 conv mid → in, before the local skip. */
  readonly c3R: Conv2d;
  /** `c5`: 1×1 conv in → in after the local skip. */
  readonly c5: Conv2d;
  /** `esa`: the enhanced spatial attention ({@link RlfnEsa}) applied last. */
  readonly esa: RlfnEsa;
  /** `act`: the LeakyReLU(0.05) shared by `c1_r`, `c2_r` and `c3_r`. */
  readonly act: LeakyReLU;

  /**
   * @param channels - input (and output) channels (46 in RLFN_cut)
   * @param midChannels - channels between the three 3×3 convolutions (48)
   * @param esaChannels - inner channels of the ESA (16)
   * @param rng - generator of the initial weights (the global one when omitted)
   */
  constructor(channels: number, midChannels: number, esaChannels: number, rng?: Rng) {
    super();
    this.c1R = this.registerModule('c1_r', convLayer(channels, midChannels, 3, { rng }));
    this.c2R = this.registerModule('c2_r', convLayer(midChannels, midChannels, 3, { rng }));
    this.c3R = this.registerModule('c3_r', convLayer(midChannels, channels, 3, { rng }));
    this.c5 = this.registerModule('c5', convLayer(channels, channels, 1, { rng }));
    this.esa = this.registerModule('esa', new RlfnEsa(esaChannels, channels, rng));
    this.act = this.registerModule('act', new LeakyReLU(0.05));
  }

  /**
   * @param x - `[n, h, w, channels]` with `h, w ≥ 15`
   * @returns `[n, h, w, channels]`; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let out = this.act.call(this.c1R.call(x));
      out = this.act.call(this.c2R.call(out));
      out = this.act.call(this.c3R.call(out));
      return this.esa.call(this.c5.call(tf.add(out, x)));
    });
  }
}
