/**
 * The residual feature distillation block of RFDN.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Conv2d, LeakyReLU, Module, type Rng } from '@lab/tensor';
import { convLayer } from '../common/conv-layer';
import { RfdnEsa } from './rfdn-esa';

/**
 * A residual feature distillation block (RFDB) on `c` channels with `d = ⌊c/2⌋` distilled
 * channels per step. With σ one shared LeakyReLU(0.05) module (`act`):
 * `dᵢ = σ(cᵢ_d(rᵢ₋₁))` (1×1 → d) and `rᵢ = σ(cᵢ_r(rᵢ₋₁) + rᵢ₋₁)` (3×3 shallow residual) for
 * i = 1, 2, 3 with r₀ = x; `d4 = σ(c4(r3))` (3×3 → d); `y = ESA(c5([d1, d2, d3, d4]))` (1×1
 * 4d → c). No block-level skip: RFDN's reference adds none.
 * @see arXiv 2009.11551; ofsoundof/NTIRE2022_ESR `models/rfdn_baseline/block.py` (`RFDB`)
 * @category Models
 */
export class Rfdb extends Module {
  /** `c1_d`: 1×1 conv c → d, the first distilled features `d1`. */
  readonly c1D: Conv2d;
  /** `c1_r`: 3×3 conv c → c of the first shallow residual step `r1`. */
  readonly c1R: Conv2d;
  /** `c2_d`: 1×1 conv c → d on `r1`, giving `d2`. */
  readonly c2D: Conv2d;
  /** `c2_r`: 3×3 conv c → c of the second shallow residual step `r2`. */
  readonly c2R: Conv2d;
  /** `c3_d`: 1×1 conv c → d on `r2`, giving `d3`. */
  readonly c3D: Conv2d;
  /** `c3_r`: 3×3 conv c → c of the third shallow residual step `r3`. */
  readonly c3R: Conv2d;
  /** `c4`: 3×3 conv c → d on `r3`, giving `d4`. */
  readonly c4: Conv2d;
  /** `act`: the LeakyReLU(0.05) shared by every step. */
  readonly act: LeakyReLU;
  /** `c5`: 1×1 conv 4d → c fusing `[d1, d2, d3, d4]`. */
  readonly c5: Conv2d;
  /** `esa`: the enhanced spatial attention ({@link RfdnEsa}) applied to the fused features. */
  readonly esa: RfdnEsa;

  /**
   * @param channels - input and output channels (50 in RFDN)
   * @param rng - generator of the initial weights (the global one when omitted)
   */
  constructor(channels: number, rng?: Rng) {
    super();
    const dc = Math.floor(channels / 2);
    const rc = channels;
    this.c1D = this.registerModule('c1_d', convLayer(channels, dc, 1, { rng }));
    this.c1R = this.registerModule('c1_r', convLayer(channels, rc, 3, { rng }));
    this.c2D = this.registerModule('c2_d', convLayer(rc, dc, 1, { rng }));
    this.c2R = this.registerModule('c2_r', convLayer(rc, rc, 3, { rng }));
    this.c3D = this.registerModule('c3_d', convLayer(rc, dc, 1, { rng }));
    this.c3R = this.registerModule('c3_r', convLayer(rc, rc, 3, { rng }));
    this.c4 = this.registerModule('c4', convLayer(rc, dc, 3, { rng }));
    this.act = this.registerModule('act', new LeakyReLU(0.05));
    this.c5 = this.registerModule('c5', convLayer(dc * 4, channels, 1, { rng }));
    this.esa = this.registerModule('esa', new RfdnEsa(channels, rng));
  }

  /**
   * @param x - `[n, h, w, channels]` with `h, w ≥ 15`
   * @returns `[n, h, w, channels]`; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const act = (t: tf.Tensor) => this.act.call(t);
      const d1 = act(this.c1D.call(x));
      const r1 = act(tf.add(this.c1R.call(x), x));
      const d2 = act(this.c2D.call(r1));
      const r2 = act(tf.add(this.c2R.call(r1), r1));
      const d3 = act(this.c3D.call(r2));
      const r3 = act(tf.add(this.c3R.call(r2), r2));
      const d4 = act(this.c4.call(r3));
      return this.esa.call(this.c5.call(tf.concat([d1, d2, d3, d4], 3)));
    });
  }
}
