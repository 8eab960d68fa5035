import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, checkOptions } from '../errors';
import { BatchNorm2d } from '../nn/batch-norm2d';
import { Conv2d } from '../nn/conv2d';
import { kaimingNormal } from '../nn/init';
import { Module, checkInput } from '../nn/module';
import { Sequential } from '../nn/sequential';
import { type Rng, getGlobalRng } from '../random/rng';

/**
 * Shortcut of a {@link BasicBlockCifar} whose shape changes (stride 2 or more channels):
 * - `'A'`: parameter-free. Subsample by the stride (`x[:, ::s, ::s, :]`) and zero-pad the new
 *   channels, half before and half after the existing ones, as the CIFAR ResNets of He et al.
 *   and akamaster/pytorch_resnet_cifar10 (`F.pad(..., planes//4, planes//4)`);
 * - `'B'`: projection, a 1×1 convolution with the stride and no bias followed by batch norm
 *   (`shortcut.0`, `shortcut.1`), as in the ImageNet ResNets.
 *
 * A block whose shape does not change always uses the identity.
 * @category Models
 */
export type CifarShortcut = 'A' | 'B';

/** Options of {@link BasicBlockCifar}. @category Models */
export interface BasicBlockCifarOptions {
  /** Stride of the first convolution (and of the shortcut). @defaultValue 1 */
  stride?: number;
  /** Kind of shortcut when the shape changes, see {@link CifarShortcut}. @defaultValue 'A' */
  shortcut?: CifarShortcut;
  /** Generator for the initial weights. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/** Defaults of {@link BasicBlockCifar}, those of akamaster/pytorch_resnet_cifar10. @category Models */
export const BASIC_BLOCK_CIFAR_DEFAULTS = Object.freeze({
  /** Default of {@link BasicBlockCifarOptions.stride}. */
  stride: 1,
  /** Default of {@link BasicBlockCifarOptions.shortcut}. */
  shortcut: 'A',
} as const);

const BLOCK_OPTION_KEYS = ['stride', 'shortcut', 'rng'] as const;

/**
 * The basic residual block of the CIFAR ResNets: `relu(bn2(conv2(relu(bn1(conv1(x))))) + s(x))`.
 *
 * `conv1` is 3×3 `inPlanes → planes` with the block's stride, `conv2` 3×3 `planes → planes`, both
 * with padding 1 and no bias; `s` is the identity when the shape is kept, otherwise the shortcut
 * chosen by {@link CifarShortcut}. The ReLUs are functional (`F.relu` in the reference), so
 * module-hook counters such as NTIRE's do not see them. Convolution weights are drawn by
 * Kaiming-normal (fan-in), as the reference's `_weights_init`. Parameter names follow
 * akamaster/pytorch_resnet_cifar10: `conv1`, `bn1`, `conv2`, `bn2`, `shortcut.0`, `shortcut.1`.
 * @see He et al., "Deep Residual Learning for Image Recognition", arXiv 1512.03385, section 4.2;
 *   akamaster/pytorch_resnet_cifar10 `resnet.py`
 * @example
 * ```ts
 * const block = new BasicBlockCifar(16, 32, { stride: 2 }); // option A shortcut
 * const y = block.call(tf.zeros([1, 32, 32, 16]));          // [1, 16, 16, 32]; caller disposes
 * ```
 * @category Models
 */
export class BasicBlockCifar extends Module {
  /** Channels of the input. */
  readonly inPlanes: number;
  /** Channels of the output. */
  readonly planes: number;
  /** Stride of the block. */
  readonly stride: number;
  /** Shortcut in use: `'identity'` when the shape is kept, otherwise the chosen kind. */
  readonly shortcutKind: 'identity' | CifarShortcut;
  /** First 3×3 convolution (carries the stride). */
  readonly conv1: Conv2d;
  /** Batch norm after `conv1`. */
  readonly bn1: BatchNorm2d;
  /** Second 3×3 convolution. */
  readonly conv2: Conv2d;
  /** Batch norm after `conv2`. */
  readonly bn2: BatchNorm2d;
  /** The projection shortcut (1×1 conv, batch norm) for kind `'B'`, otherwise null. */
  readonly shortcut: Sequential | null;

  /**
   * @param inPlanes - input channels, a positive integer
   * @param planes - output channels, a positive integer; with shortcut `'A'`, at least `inPlanes`
   * @param options - see {@link BasicBlockCifarOptions}
   * @throws InvalidValueError on bad sizes, stride, shortcut kind or unknown options
   */
  constructor(inPlanes: number, planes: number, options: BasicBlockCifarOptions = {}) {
    super();
    const fn = 'BasicBlockCifar';
    checkOptions(fn, options, BLOCK_OPTION_KEYS);
    for (const [arg, v] of [
      ['inPlanes', inPlanes],
      ['planes', planes],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new InvalidValueError(`${fn}: ${arg} must be a positive integer, got ${String(v)}`);
    }
    const stride = options.stride ?? BASIC_BLOCK_CIFAR_DEFAULTS.stride;
    if (!Number.isInteger(stride) || stride < 1) {
      throw new InvalidValueError(`${fn}: stride must be a positive integer, got ${String(stride)}`);
    }
    const kind = options.shortcut ?? BASIC_BLOCK_CIFAR_DEFAULTS.shortcut;
    if (kind !== 'A' && kind !== 'B') {
      throw new InvalidValueError(`${fn}: shortcut must be 'A' or 'B', got ${String(kind)}`);
    }
    const reshapes = stride !== 1 || inPlanes !== planes;
    if (reshapes && kind === 'A' && planes < inPlanes) {
      throw new InvalidValueError(
        `${fn}: planes must be >= inPlanes for shortcut 'A' (it can only add channels), got inPlanes=${inPlanes} planes=${planes}`,
      );
    }
    const rng = options.rng ?? getGlobalRng();
    this.inPlanes = inPlanes;
    this.planes = planes;
    this.stride = stride;
    this.shortcutKind = reshapes ? kind : 'identity';

    this.conv1 = this.registerModule('conv1', cifarConv(inPlanes, planes, 3, stride, rng));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.conv2 = this.registerModule('conv2', cifarConv(planes, planes, 3, 1, rng));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    this.shortcut =
      this.shortcutKind === 'B'
        ? this.registerModule('shortcut', new Sequential(cifarConv(inPlanes, planes, 1, stride, rng), new BatchNorm2d(planes)))
        : null;
  }

  /**
   * Applies the block.
   * @param x - input `[n, h, w, inPlanes]`
   * @returns `[n, ⌈h/stride⌉, ⌈w/stride⌉, planes]`; the caller disposes it
   * @throws ShapeError if `x` is not rank 4 with `inPlanes` channels
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkInput('BasicBlockCifar', x, 4, this.inPlanes);
    return tf.tidy(() => {
      let out = tf.relu(this.bn1.call(this.conv1.call(x)));
      out = this.bn2.call(this.conv2.call(out));
      return tf.relu(tf.add(out, this.shortcutOf(x)));
    });
  }

  private shortcutOf(x: tf.Tensor): tf.Tensor {
    if (this.shortcutKind === 'identity') return x;
    if (this.shortcutKind === 'B') return (this.shortcut as Sequential).call(x);
    const s = this.stride;
    const sub = s === 1 ? x : subsample(x, s);
    const extra = this.planes - this.inPlanes;
    const front = Math.floor(extra / 2);
    return tf.pad(sub, [
      [0, 0],
      [0, 0],
      [0, 0],
      [front, extra - front],
    ]);
  }
}

/**
 * A bias-free k×k convolution with padding ⌊k/2⌋ and Kaiming-normal (fan-in) weights, as
 * `nn.Conv2d(..., bias=False)` followed by the reference's `init.kaiming_normal_`.
 * @internal
 */
export function cifarConv(inC: number, outC: number, k: number, stride: number, rng: Rng): Conv2d {
  const conv = new Conv2d(inC, outC, k, { stride, padding: Math.floor(k / 2), bias: false, rng });
  const w = kaimingNormal(conv.weight.shape, inC * k * k, { rng });
  conv.weight.assign(w);
  w.dispose();
  return conv;
}

/**
 * `x[:, ::s, ::s, :]` (PyTorch's option-A shortcut) with ops that have gradients on every
 * backend: tfjs 4.22 registers no gradient for StridedSlice, so pad H and W up to a multiple of
 * `s`, fold each `s×s` cell into its own axes, and keep the cell's first element.
 */
function subsample(x: tf.Tensor, s: number): tf.Tensor {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const ho = Math.ceil(h / s);
    const wo = Math.ceil(w / s);
    const padded = ho * s === h && wo * s === w ? x : tf.pad(x, [[0, 0], [0, ho * s - h], [0, wo * s - w], [0, 0]]);
    const cells = tf.reshape(padded, [n, ho, s, wo, s, c]);
    return tf.reshape(tf.slice(cells, [0, 0, 0, 0, 0, 0], [n, ho, 1, wo, 1, c]), [n, ho, wo, c]);
  });
}
