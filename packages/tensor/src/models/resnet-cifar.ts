import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '../errors';
import { BatchNorm2d } from '../nn/batch-norm2d';
import type { Conv2d } from '../nn/conv2d';
import { kaimingNormal } from '../nn/init';
import { Linear } from '../nn/linear';
import { Module, checkInput } from '../nn/module';
import { Sequential } from '../nn/sequential';
import { type Rng, getGlobalRng } from '../random/rng';
import { BasicBlockCifar, type CifarShortcut, cifarConv } from './basic-block-cifar';

/** Depths of the CIFAR ResNets of He et al. (6n + 2 layers). @category Models */
export type ResNetCifarDepth = 20 | 32 | 44 | 56 | 110 | 1202;

/** The depths {@link resnetCifar} accepts. @category Models */
export const RESNET_CIFAR_DEPTHS: readonly ResNetCifarDepth[] = Object.freeze([20, 32, 44, 56, 110, 1202] as const);

/** Options of {@link resnetCifar}. @category Models */
export interface ResNetCifarOptions {
  /** Outputs of the final linear layer. @defaultValue 10 (CIFAR-10) */
  numClasses?: number;
  /** Channels of the first stage; the stages have `width`, `2·width`, `4·width`. @defaultValue 16 */
  width?: number;
  /** Shortcut of the blocks that change shape, see {@link CifarShortcut}. @defaultValue 'A' */
  shortcut?: CifarShortcut;
  /** Generator for the initial weights. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/** Defaults of {@link resnetCifar}: the paper's CIFAR-10 networks. @category Models */
export const RESNET_CIFAR_DEFAULTS = Object.freeze({
  /** Default of {@link ResNetCifarOptions.numClasses}. */
  numClasses: 10,
  /** Default of {@link ResNetCifarOptions.width}. */
  width: 16,
  /** Default of {@link ResNetCifarOptions.shortcut}. */
  shortcut: 'A',
} as const);

const RESNET_OPTION_KEYS = ['numClasses', 'width', 'shortcut', 'rng'] as const;

/**
 * The CIFAR ResNet of He et al.: a 3×3 stem, three stages of n basic blocks, global average
 * pooling and a linear classifier (`depth = 6n + 2`).
 *
 * Layers: `conv1` (3×3, 3 → w, no bias), `bn1`, ReLU; `layer1`, `layer2`, `layer3`, each a
 * `Sequential` of n {@link BasicBlockCifar} with w, 2w, 4w channels, the first block of stages 2
 * and 3 with stride 2; mean over H and W; `linear` (4w → numClasses, with bias). Names match
 * akamaster/pytorch_resnet_cifar10, so its checkpoints load with `loadStateDict`. For 32×32
 * inputs ResNet-56 has 853,018 parameters and 125,485,696 multiply-accumulates (125.49 M).
 * @see arXiv 1512.03385, section 4.2; akamaster/pytorch_resnet_cifar10 `resnet.py`
 * @example
 * ```ts
 * const net = resnetCifar(56);
 * const logits = tf.tidy(() => net.eval().call(tf.zeros([1, 32, 32, 3]))); // [1, 10]
 * ```
 * @category Models
 */
export class ResNetCifar extends Module {
  /** Number of weighted layers (convolutions on the main path plus the classifier). */
  readonly depth: ResNetCifarDepth;
  /** Blocks per stage, `(depth − 2) / 6`. */
  readonly blocksPerStage: number;
  /** Stem convolution. */
  readonly conv1: Conv2d;
  /** Stem batch norm. */
  readonly bn1: BatchNorm2d;
  /** Stage 1 (stride 1, `width` channels). */
  readonly layer1: Sequential;
  /** Stage 2 (stride 2, `2·width` channels). */
  readonly layer2: Sequential;
  /** Stage 3 (stride 2, `4·width` channels). */
  readonly layer3: Sequential;
  /** Classifier. */
  readonly linear: Linear;

  /**
   * @param depth - one of {@link RESNET_CIFAR_DEPTHS}
   * @param options - see {@link ResNetCifarOptions}
   * @throws InvalidValueError for another depth, a bad option value or an unknown option
   */
  constructor(depth: ResNetCifarDepth, options: ResNetCifarOptions = {}) {
    super();
    const fn = 'ResNetCifar';
    checkOptions(fn, options, RESNET_OPTION_KEYS);
    if (!RESNET_CIFAR_DEPTHS.includes(depth)) {
      throw new InvalidValueError(`${fn}: depth must be one of ${RESNET_CIFAR_DEPTHS.join(', ')}, got ${String(depth)}`);
    }
    const numClasses = options.numClasses ?? RESNET_CIFAR_DEFAULTS.numClasses;
    const width = options.width ?? RESNET_CIFAR_DEFAULTS.width;
    for (const [arg, v] of [
      ['numClasses', numClasses],
      ['width', width],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new InvalidValueError(`${fn}: ${arg} must be a positive integer, got ${String(v)}`);
    }
    const shortcut = options.shortcut ?? RESNET_CIFAR_DEFAULTS.shortcut;
    if (shortcut !== 'A' && shortcut !== 'B') {
      throw new InvalidValueError(`${fn}: shortcut must be 'A' or 'B', got ${String(shortcut)}`);
    }
    const rng = options.rng ?? getGlobalRng();
    this.depth = depth;
    const n = (depth - 2) / 6;
    this.blocksPerStage = n;

    this.conv1 = this.registerModule('conv1', cifarConv(3, width, 3, 1, rng));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(width));
    let inPlanes = width;
    const stage = (planes: number, stride: number): Sequential => {
      const blocks: BasicBlockCifar[] = [];
      for (let i = 0; i < n; i++) {
        blocks.push(new BasicBlockCifar(inPlanes, planes, { stride: i === 0 ? stride : 1, shortcut, rng }));
        inPlanes = planes;
      }
      return new Sequential(...blocks);
    };
    this.layer1 = this.registerModule('layer1', stage(width, 1));
    this.layer2 = this.registerModule('layer2', stage(2 * width, 2));
    this.layer3 = this.registerModule('layer3', stage(4 * width, 2));
    this.linear = this.registerModule('linear', new Linear(4 * width, numClasses, { rng }));
    // The reference re-initialises the classifier weight by Kaiming-normal too (bias keeps the
    // default U(±1/√fanIn)).
    const w = kaimingNormal(this.linear.weight.shape, 4 * width, { rng });
    this.linear.weight.assign(w);
    w.dispose();
  }

  /**
   * Computes class logits.
   * @param x - images `[n, h, w, 3]` (32×32 for CIFAR), normalised as the weights expect
   * @returns logits `[n, numClasses]`; the caller disposes them
   * @throws ShapeError if `x` is not rank 4 with 3 channels
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkInput('ResNetCifar', x, 4, 3);
    return tf.tidy(() => {
      let out = tf.relu(this.bn1.call(this.conv1.call(x)));
      out = this.layer3.call(this.layer2.call(this.layer1.call(out)));
      return this.linear.call(tf.mean(out, [1, 2]));
    });
  }
}

/**
 * Builds the CIFAR ResNet of the given depth (see {@link ResNetCifar}).
 * @param depth - 20, 32, 44, 56, 110 or 1202
 * @param options - see {@link ResNetCifarOptions}
 * @returns a new model in training mode; the caller disposes it
 * @throws InvalidValueError for another depth or a bad option
 * @example
 * ```ts
 * const net = resnetCifar(20, { numClasses: 100, rng: new Rng(0) });
 * ```
 * @category Models
 */
export function resnetCifar(depth: ResNetCifarDepth, options?: ResNetCifarOptions): ResNetCifar {
  return new ResNetCifar(depth, options);
}
