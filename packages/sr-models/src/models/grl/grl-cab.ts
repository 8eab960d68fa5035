/**
 * The channel attention block (CAB) that GRL-Base adds to every transformer block.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, GELU, GlobalAvgPool2d, Module, ReLU, Sequential, Sigmoid, type Rng } from '@lab/tensor';

/**
 * RCAN channel attention (`ChannelAttention` of the reference): `x · σ(W₂·ReLU(W₁·mean_hw(x)))`
 * with 1×1 convolutions `C → C/r → C`.
 *
 * Parameters: `attention.1` (1×1 conv C → ⌊C/r⌋) and `attention.3` (1×1 conv ⌊C/r⌋ → C).
 * @see arXiv 1807.02758 (RCAN); ofsoundof/GRL-Image-Restoration `models/common/mixed_attn_block.py`
 * @category Models
 */
export class GrlChannelAttention extends Module {
  /** `attention`: global average pool, conv, ReLU, conv, sigmoid. */
  readonly attention: Sequential;

  /**
   * @param channels - channels `C`
   * @param reduction - reduction `r` of the hidden width
   * @param rng - generator of the initial weights (the global one when omitted)
   */
  constructor(channels: number, reduction: number, rng?: Rng) {
    super();
    const mid = Math.floor(channels / reduction);
    this.attention = this.registerModule(
      'attention',
      new Sequential(
        new GlobalAvgPool2d({ keepDims: true }),
        new Conv2d(channels, mid, 1, { rng }),
        new ReLU(),
        new Conv2d(mid, channels, 1, { rng }),
        new Sigmoid(),
      ),
    );
  }

  /**
   * @param x - `[n, h, w, C]`
   * @returns `[n, h, w, C]`; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(x, this.attention.call(x)));
  }
}

/**
 * The local branch of GRL-Base (`CAB` of the reference): 3×3 conv `C → C/4`, GELU, 3×3 conv
 * `C/4 → C`, then {@link GrlChannelAttention} with reduction 18.
 *
 * Parameters: `cab.0`, `cab.2` (3×3 convs) and `cab.3.attention.1`, `cab.3.attention.3`.
 * @see ofsoundof/GRL-Image-Restoration `models/common/mixed_attn_block.py` (`CAB`)
 * @category Models
 */
export class GrlCab extends Module {
  /** `cab`: conv, GELU, conv, channel attention. */
  readonly cab: Sequential;

  /**
   * @param channels - channels `C`
   * @param compressRatio - width divisor of the hidden conv (4)
   * @param reduction - channel-attention reduction (18)
   * @param rng - generator of the initial weights (the global one when omitted)
   */
  constructor(channels: number, compressRatio = 4, reduction = 18, rng?: Rng) {
    super();
    const mid = Math.floor(channels / compressRatio);
    this.cab = this.registerModule(
      'cab',
      new Sequential(
        new Conv2d(channels, mid, 3, { padding: 1, rng }),
        new GELU(),
        new Conv2d(mid, channels, 3, { padding: 1, rng }),
        new GrlChannelAttention(channels, reduction, rng),
      ),
    );
  }

  /**
   * @param x - `[n, h, w, C]`
   * @returns `[n, h, w, C]`; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return this.cab.call(x);
  }
}
