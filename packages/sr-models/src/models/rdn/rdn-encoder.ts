/**
 * The RDN feature extractor (Residual Dense Network without its upsampler), as CiaoSR and LIIF use it.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Conv2d, Module, ModuleList, ReLU, Sequential, type Rng } from '@lab/tensor';
import { convLayer } from '../common/conv-layer';
import { checkPositiveInt } from '../common/options';

/** `DenseLayer`: `cat([x, relu(conv(x))])`, a 3×3 conv `in → growth`. */
class DenseLayer extends Module {
  readonly conv: Conv2d;
  readonly relu: ReLU;
  constructor(inChannels: number, growth: number, rng?: Rng) {
    super();
    this.conv = this.registerModule('conv', convLayer(inChannels, growth, 3, { rng }));
    this.relu = this.registerModule('relu', new ReLU());
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.concat([x, this.relu.call(this.conv.call(x))], 3));
  }
}

/** `RDB`: dense layers, then `lff` (1×1 conv back to `channels`) and the local residual. */
class Rdb extends Module {
  readonly layers: Sequential;
  readonly lff: Conv2d;
  constructor(channels: number, growth: number, numLayers: number, rng?: Rng) {
    super();
    const layers: DenseLayer[] = [];
    for (let i = 0; i < numLayers; i++) layers.push(new DenseLayer(channels + growth * i, growth, rng));
    this.layers = this.registerModule('layers', new Sequential(...layers));
    this.lff = this.registerModule('lff', convLayer(channels + growth * numLayers, channels, 1, { rng }));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(x, this.lff.call(this.layers.call(x))));
  }
}

/** Options of {@link RdnEncoder}; the defaults are RDN's (and CiaoSR's RDN config). @category Models */
export interface RdnEncoderOptions {
  /** Feature channels (`mid_channels`). @defaultValue 64 */
  channels?: number;
  /** Residual dense blocks (`num_blocks`). @defaultValue 16 */
  numBlocks?: number;
  /** Dense layers per block (`num_layers`). @defaultValue 8 */
  numLayers?: number;
  /** Channels each dense layer adds (`channel_growth`). @defaultValue 64 */
  channelGrowth?: number;
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/**
 * The Residual Dense Network of Zhang et al. without its upsampler: shallow features
 * `f₁ = sfe1(x)`, `f₂ = sfe2(f₁)` (3×3 convs), `B` residual dense blocks
 * (`x + lff(dense layers(x))`), global fusion `gff` (1×1 conv of all block outputs, then a 3×3
 * conv), plus `f₁`. Input `[n, h, w, 3]`, output `[n, h, w, channels]`.
 *
 * Parameters: `sfe1`, `sfe2`, `rdbs.{b}.layers.{l}.conv`, `rdbs.{b}.lff`, `gff.0`, `gff.1` (the
 * keys of mmediting's `RDN` minus `upscale` and `output`). With the defaults: 21,973,952.
 * @see arXiv 1802.08797 (RDN); open-mmlab/mmediting `mmedit/models/backbones/sr_backbones/rdn.py`
 * @example
 * ```ts
 * const enc = new RdnEncoder({ numBlocks: 2, numLayers: 2 });
 * const f = enc.call(tf.zeros([1, 8, 8, 3])); // [1, 8, 8, 64]
 * ```
 * @category Models
 */
export class RdnEncoder extends Module {
  /** Output channels. */
  readonly channels: number;
  /** `sfe1`: 3×3 conv 3 → channels. */
  readonly sfe1: Conv2d;
  /** `sfe2`: 3×3 conv channels → channels. */
  readonly sfe2: Conv2d;
  /** `rdbs`: the residual dense blocks. */
  readonly rdbs: ModuleList;
  /** `gff`: global feature fusion (1×1 conv B·channels → channels, 3×3 conv). */
  readonly gff: Sequential;

  /**
   * @param options - see {@link RdnEncoderOptions}
   * @throws InvalidValueError for a size that is not a positive integer
   */
  constructor(options: RdnEncoderOptions = {}) {
    super();
    const fn = 'RdnEncoder';
    const c = checkPositiveInt(fn, 'channels', options.channels ?? 64);
    const blocks = checkPositiveInt(fn, 'numBlocks', options.numBlocks ?? 16);
    const layers = checkPositiveInt(fn, 'numLayers', options.numLayers ?? 8);
    const growth = checkPositiveInt(fn, 'channelGrowth', options.channelGrowth ?? 64);
    const rng = options.rng;
    this.channels = c;
    this.sfe1 = this.registerModule('sfe1', convLayer(3, c, 3, { rng }));
    this.sfe2 = this.registerModule('sfe2', convLayer(c, c, 3, { rng }));
    const rdbs: Rdb[] = [];
    for (let b = 0; b < blocks; b++) rdbs.push(new Rdb(c, growth, layers, rng));
    this.rdbs = this.registerModule('rdbs', new ModuleList(rdbs));
    this.gff = this.registerModule('gff', new Sequential(convLayer(c * blocks, c, 1, { rng }), convLayer(c, c, 3, { rng })));
  }

  /**
   * @param x - `[n, h, w, 3]` float32
   * @returns `[n, h, w, channels]`; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const f1 = this.sfe1.call(x);
      let h = this.sfe2.call(f1);
      const local: tf.Tensor[] = [];
      for (const rdb of this.rdbs.children()) {
        h = rdb.call(h) as tf.Tensor;
        local.push(h);
      }
      return tf.add(this.gff.call(tf.concat(local, 3)), f1);
    });
  }
}
