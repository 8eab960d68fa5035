/**
 * 2-D convolution with PyTorch's `nn.Conv2d` semantics on NHWC tensors.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, NotAvailableError, ShapeError, checkOptions } from '../errors';
import type { Rng } from '../random/rng';
import { kaimingUniform, uniform } from './init';
import { checkBool, checkFloat, checkInt, checkRng, explicitPads, intPair, show, type Pads } from './internal';
import { CONV2D_LAYOUT, depthwiseLayout } from './layouts';
import { Module, checkInput } from './module';

/**
 * Padding of a {@link Conv2d}: one number for all sides, `[ph, pw]` (symmetric, as PyTorch),
 * explicit `[[top, bottom], [left, right]]`, `'valid'` (none) or `'same'` (output size equals
 * input size; stride 1 only, the extra pixel of an even kernel goes bottom/right as in PyTorch).
 * @category Modules
 */
export type Conv2dPadding = number | [number, number] | [[number, number], [number, number]] | 'same' | 'valid';

/** Options of {@link Conv2d}; defaults in {@link CONV2D_DEFAULTS}. @category Modules */
export interface Conv2dOptions {
  /** Stride, one number or `[sh, sw]`. @defaultValue 1 */
  stride?: number | [number, number];
  /** Zero padding, see {@link Conv2dPadding}. @defaultValue 0 */
  padding?: Conv2dPadding;
  /** Spacing between kernel taps, one number or `[dh, dw]`. @defaultValue 1 */
  dilation?: number | [number, number];
  /**
   * Number of channel groups; must divide `inChannels` and `outChannels`. `groups = inChannels`
   * is a depthwise convolution.
   * @defaultValue 1
   */
  groups?: number;
  /** Whether to add a learnable bias. @defaultValue true */
  bias?: boolean;
  /**
   * Padding mode of PyTorch. Only `'zeros'` is implemented; `'reflect'`, `'replicate'` and
   * `'circular'` throw {@link NotAvailableError}.
   * @defaultValue 'zeros'
   */
  paddingMode?: 'zeros' | 'reflect' | 'replicate' | 'circular';
  /** Generator for the initial weights. @defaultValue `getGlobalRng()` */
  rng?: Rng;
}

/** Defaults of {@link Conv2dOptions}, those of PyTorch's `nn.Conv2d`. @category Modules */
export const CONV2D_DEFAULTS = Object.freeze({
  /** Default of {@link Conv2dOptions.stride}. */
  stride: 1,
  /** Default of {@link Conv2dOptions.padding}. */
  padding: 0,
  /** Default of {@link Conv2dOptions.dilation}. */
  dilation: 1,
  /** Default of {@link Conv2dOptions.groups}. */
  groups: 1,
  /** Default of {@link Conv2dOptions.bias}. */
  bias: true,
  /** Default of {@link Conv2dOptions.paddingMode}. */
  paddingMode: 'zeros',
} as const);

const CONV2D_OPTION_KEYS = ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode', 'rng'] as const;

/**
 * A 2-D convolution layer that computes `y = x ⋆ W + b` on NHWC tensors exactly as PyTorch's
 * `nn.Conv2d` does on NCHW tensors.
 *
 * For output channel `o` in group `g`: `y[n, p, q, o] = b[o] + Σ_{i, u, v} W[o, i, u, v] ·
 * x̃[n, p·sh + u·dh, q·sw + v·dw, g·cin/groups + i]`, where `x̃` is `x` zero-padded by
 * {@link Conv2d.padding}. Parameters: `weight` (PyTorch OIHW `[cout, cin/groups, kh, kw]` in
 * the state dict; native HWIO, or `[kh, kw, cin, cout/cin]` for a depthwise layer) and `bias`
 * (`[cout]`). Both are initialised from `U(±1/√fanIn)` with `fanIn = cin/groups · kh · kw`, as
 * PyTorch's `kaiming_uniform_(a=√5)`.
 *
 * Numeric padding is applied explicitly (never tfjs `'same'`, which pads differently from
 * PyTorch at stride 2). Depthwise layers run `tf.depthwiseConv2d`; other grouped layers run one
 * convolution per group and concatenate. Dilated layers run as atrous convolutions
 * (`spaceToBatchND`, an undilated convolution, `batchToSpaceND`), or with a zero-dilated kernel
 * when the stride is also above 1, so every configuration is differentiable (tfjs has no
 * gradient for dilated convolutions).
 * @example
 * ```ts
 * const conv = new Conv2d(3, 16, 3, { stride: 2, padding: 1 });
 * const y = conv.call(tf.zeros([1, 32, 32, 3])); // [1, 16, 16, 16]; caller disposes y
 * const sd = conv.stateDict(); // { weight: [16, 3, 3, 3], bias: [16] }
 * ```
 * @category Modules
 */
export class Conv2d extends Module {
  /** Channels of the input (last axis). */
  readonly inChannels: number;
  /** Channels of the output. */
  readonly outChannels: number;
  /** Kernel size `[kh, kw]`. */
  readonly kernelSize: [number, number];
  /** Stride `[sh, sw]`. */
  readonly stride: [number, number];
  /** Dilation `[dh, dw]`. */
  readonly dilation: [number, number];
  /** Number of channel groups. */
  readonly groups: number;
  /** Padding in explicit form `[[top, bottom], [left, right]]`, or `'same'`. */
  readonly padding: [[number, number], [number, number]] | 'same';
  /** Whether the layer has a bias. */
  readonly hasBias: boolean;
  /** The weight variable in native layout (see the class description). */
  readonly weight: tf.Variable;
  /** The bias variable `[cout]`, or null without bias. */
  readonly bias: tf.Variable | null;
  private readonly pads: Pads;
  private readonly depthwise: boolean;

  /**
   * @param inChannels - channels of the input, a positive integer
   * @param outChannels - channels of the output, a positive integer
   * @param kernelSize - `k` or `[kh, kw]`
   * @param options - see {@link Conv2dOptions}
   * @throws {@link InvalidValueError} on a bad size, stride, padding, dilation, group count or unknown option
   * @throws {@link NotAvailableError} for a `paddingMode` other than `'zeros'`
   */
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], options: Conv2dOptions = {}) {
    super();
    const fn = 'Conv2d';
    checkOptions(fn, options, CONV2D_OPTION_KEYS);
    this.inChannels = checkInt(fn, 'inChannels', inChannels);
    this.outChannels = checkInt(fn, 'outChannels', outChannels);
    this.kernelSize = intPair(fn, 'kernelSize', kernelSize);
    this.stride = intPair(fn, 'stride', options.stride ?? CONV2D_DEFAULTS.stride);
    this.dilation = intPair(fn, 'dilation', options.dilation ?? CONV2D_DEFAULTS.dilation);
    this.groups = checkInt(fn, 'groups', options.groups ?? CONV2D_DEFAULTS.groups);
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new InvalidValueError(
        `${fn}: groups must divide inChannels and outChannels, got groups=${this.groups} inChannels=${inChannels} outChannels=${outChannels}`,
      );
    }
    this.hasBias = checkBool(fn, 'bias', options.bias ?? CONV2D_DEFAULTS.bias);
    const mode = options.paddingMode ?? CONV2D_DEFAULTS.paddingMode;
    if (mode === 'reflect' || mode === 'replicate' || mode === 'circular') {
      throw new NotAvailableError(`${fn}: paddingMode '${mode}' is not implemented; only 'zeros' is`);
    }
    if (mode !== 'zeros') {
      throw new InvalidValueError(`${fn}: paddingMode must be one of 'zeros', 'reflect', 'replicate', 'circular', got ${show(mode)}`);
    }
    const padding = options.padding ?? CONV2D_DEFAULTS.padding;
    if (padding === 'same') {
      if (this.stride[0] !== 1 || this.stride[1] !== 1) {
        throw new InvalidValueError(`${fn}: padding 'same' needs stride 1 (as PyTorch), got stride [${this.stride}]`);
      }
      const total = [this.dilation[0] * (this.kernelSize[0] - 1), this.dilation[1] * (this.kernelSize[1] - 1)];
      this.padding = 'same';
      this.pads = [
        [Math.floor(total[0] / 2), total[0] - Math.floor(total[0] / 2)],
        [Math.floor(total[1] / 2), total[1] - Math.floor(total[1] / 2)],
      ];
    } else if (padding === 'valid') {
      this.pads = [
        [0, 0],
        [0, 0],
      ];
      this.padding = [[...this.pads[0]], [...this.pads[1]]];
    } else {
      this.pads = explicitPads(fn, 'padding', padding);
      this.padding = [[...this.pads[0]], [...this.pads[1]]];
    }
    const rng = checkRng(fn, options.rng);

    // Validation done: allocate.
    const [kh, kw] = this.kernelSize;
    const cinPerGroup = inChannels / this.groups;
    const fanIn = cinPerGroup * kh * kw;
    this.depthwise = this.groups === inChannels && this.groups > 1;
    let shape: number[];
    let layout;
    if (this.depthwise) {
      const multiplier = outChannels / inChannels;
      shape = [kh, kw, inChannels, multiplier];
      layout = depthwiseLayout(multiplier);
    } else {
      shape = [kh, kw, cinPerGroup, outChannels];
      layout = CONV2D_LAYOUT;
    }
    this.weight = this.registerParameter('weight', kaimingUniform(shape, fanIn, { a: Math.sqrt(5), rng }), layout);
    const bound = 1 / Math.sqrt(fanIn);
    this.bias = this.hasBias ? this.registerParameter('bias', uniform([outChannels], -bound, bound, rng)) : null;
  }

  /**
   * Convolves `x`.
   * @param x - input `[n, h, w, inChannels]`, float32
   * @returns output `[n, h', w', outChannels]` with `h' = ⌊(h + top + bottom − dh·(kh−1) − 1) / sh⌋ + 1`
   *   (likewise `w'`); the caller disposes it
   * @throws {@link ShapeError} if `x` is not rank 4 with `inChannels` channels, or is smaller than the kernel
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkInput('Conv2d', x, 4, this.inChannels);
    checkFloat('Conv2d', x);
    const [, h, w_] = x.shape;
    const effH = this.dilation[0] * (this.kernelSize[0] - 1) + 1;
    const effW = this.dilation[1] * (this.kernelSize[1] - 1) + 1;
    const ph = h + this.pads[0][0] + this.pads[0][1];
    const pw = w_ + this.pads[1][0] + this.pads[1][1];
    if (ph < effH || pw < effW) {
      throw new ShapeError(
        `Conv2d: x must be at least as large as the dilated kernel [${effH}, ${effW}] after padding, got padded size [${ph}, ${pw}] (shape [${x.shape}])`,
      );
    }
    return tf.tidy(() => {
      const x4 = x as tf.Tensor4D;
      const w = this.weight as tf.Tensor4D;
      const [dh, dw] = this.dilation;
      let y: tf.Tensor4D;
      if (dh === 1 && dw === 1) {
        y = this.convolve(x4, w, this.stride, this.pads);
      } else if (this.stride[0] === 1 && this.stride[1] === 1) {
        // Atrous convolution: split the padded input into dh·dw phases (spaceToBatch), convolve each
        // with the undilated kernel, interleave back. Same cost as a dilated kernel, and
        // differentiable (tfjs has no gradient for dilations > 1).
        const [[t, b], [l, r]] = this.pads;
        const eh = (dh - ((h + t + b) % dh)) % dh;
        const ew = (dw - ((w_ + l + r) % dw)) % dw;
        const phases = tf.spaceToBatchND(x4, [dh, dw], [
          [t, b + eh],
          [l, r + ew],
        ]);
        const yp = this.convolve(phases, w, [1, 1], [
          [0, 0],
          [0, 0],
        ]);
        y = tf.batchToSpaceND(yp, [dh, dw], [
          [0, eh],
          [0, ew],
        ]);
      } else {
        // Stride and dilation together (rare): convolve with the zero-dilated kernel.
        y = this.convolve(x4, dilateFilter(w, this.dilation), this.stride, this.pads);
      }
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }

  /** Undilated convolution of `x` with `w` (native layout), dispatching depthwise and grouped cases. */
  private convolve(x: tf.Tensor4D, w: tf.Tensor4D, stride: [number, number], pads: Pads): tf.Tensor4D {
    const pad = [[0, 0], pads[0], pads[1], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]];
    if (this.depthwise) return tf.depthwiseConv2d(x, w, stride, pad);
    if (this.groups === 1) return tf.conv2d(x, w, stride, pad);
    const xs = tf.split(x, this.groups, 3) as tf.Tensor4D[];
    const ws = tf.split(w, this.groups, 3) as tf.Tensor4D[];
    return tf.concat(
      xs.map((xi, g) => tf.conv2d(xi, ws[g], stride, pad)),
      3,
    ) as tf.Tensor4D;
  }
}

/**
 * The kernel `[kh, kw, a, b]` with `d − 1` zeros inserted between taps:
 * `[dh·(kh−1)+1, dw·(kw−1)+1, a, b]`, built from pads and reshapes (differentiable).
 */
function dilateFilter(w: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  const [kh, kw, a, b] = w.shape;
  const effH = dh * (kh - 1) + 1;
  const effW = dw * (kw - 1) + 1;
  let f = tf.pad(tf.reshape(w, [kh, 1, kw * a * b]), [
    [0, 0],
    [0, dh - 1],
    [0, 0],
  ]);
  f = tf.slice(tf.reshape(f, [kh * dh, kw, a, b]), [0, 0, 0, 0], [effH, kw, a, b]);
  f = tf.pad(tf.reshape(f, [effH * kw, 1, a * b]), [
    [0, 0],
    [0, dw - 1],
    [0, 0],
  ]);
  return tf.slice(tf.reshape(f, [effH, kw * dw, a, b]), [0, 0, 0, 0], [effH, effW, a, b]) as tf.Tensor4D;
}
