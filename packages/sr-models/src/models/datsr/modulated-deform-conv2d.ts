/**
 * Modulated deformable convolution (DCNv2) on NHWC tensors, by bilinear gathering.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { CONV2D_LAYOUT, InvalidValueError, Module, ShapeError, checkInput, checkOptions, getGlobalRng, type Rng } from '@lab/tensor';
import { checkPositiveInt } from '../common/options';
import { deformIm2col } from './deform-im2col';

/** Options of {@link modulatedDeformConv2d}; defaults in {@link MODULATED_DEFORM_CONV2D_DEFAULTS}. @category Models */
export interface ModulatedDeformConv2dOptions {
  /** Stride `s` or `[sh, sw]`. @defaultValue 1 */
  stride?: number | [number, number];
  /** Zero padding `p` or `[ph, pw]` (symmetric, as PyTorch). @defaultValue 0 */
  padding?: number | [number, number];
  /** Spacing between kernel taps, `d` or `[dh, dw]`. @defaultValue 1 */
  dilation?: number | [number, number];
  /**
   * Deformable groups `G`: the input channels are split into `G` groups, each with its own offsets
   * and modulation. Must divide the input channels.
   * @defaultValue 1
   */
  deformableGroups?: number;
}

/**
 * Defaults of {@link ModulatedDeformConv2dOptions}, those of mmcv's `modulated_deform_conv2d`
 * (DATSR passes stride 1, padding 1, dilation 1 and 8 groups explicitly).
 * @category Models
 */
export const MODULATED_DEFORM_CONV2D_DEFAULTS = Object.freeze({
  /** Default of {@link ModulatedDeformConv2dOptions.stride}. */
  stride: 1,
  /** Default of {@link ModulatedDeformConv2dOptions.padding}. */
  padding: 0,
  /** Default of {@link ModulatedDeformConv2dOptions.dilation}. */
  dilation: 1,
  /** Default of {@link ModulatedDeformConv2dOptions.deformableGroups}. */
  deformableGroups: 1,
} as const);

const OPTION_KEYS = ['stride', 'padding', 'dilation', 'deformableGroups'] as const;

function pair(fn: string, arg: string, v: unknown, min: number): [number, number] {
  const p = Array.isArray(v) ? v : [v, v];
  if (p.length !== 2 || !p.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= min)) {
    throw new InvalidValueError(`${fn}: ${arg} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p as [number, number];
}

/** Resolved geometry of one call. */
interface Geometry {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

function resolve(fn: string, options: ModulatedDeformConv2dOptions): Geometry {
  checkOptions(fn, options, OPTION_KEYS);
  const d = MODULATED_DEFORM_CONV2D_DEFAULTS;
  return {
    stride: pair(fn, 'stride', options.stride ?? d.stride, 1),
    padding: pair(fn, 'padding', options.padding ?? d.padding, 0),
    dilation: pair(fn, 'dilation', options.dilation ?? d.dilation, 1),
    groups: checkPositiveInt(fn, 'deformableGroups', options.deformableGroups ?? d.deformableGroups),
  };
}

/**
 * Computes a modulated deformable convolution (DCNv2): a convolution whose every kernel tap reads
 * the input at a learned fractional displacement, scaled by a learned modulation.
 *
 * For output pixel `(p, q)`, output channel `o`, tap `k = i·kw + j` and input channel `c` of
 * deformable group `g = ⌊c / (C/G)⌋`:
 * `y[n,p,q,o] = b[o] + Σ_{k,c} W[i,j,c,o] · m[n,p,q,g·K+k] · x̃[n, p·sh − ph + i·dh + Δy, q·sw − pw + j·dw + Δx, c]`
 * with `(Δy, Δx) = (offset[n,p,q,g·2K+2k], offset[n,p,q,g·2K+2k+1])` and `x̃` the bilinear
 * interpolation of `x` with zeros outside it. This is mmcv's `modulated_deform_conv2d` (and
 * torchvision's `deform_conv2d` with a mask) with the channel order of their NCHW offset and mask
 * tensors moved to the last axis. Zero offsets and a unit mask give `tf.conv2d(x, W)`.
 *
 * The sampled columns `[n·h'·w', K·C]` (deformable im2col) are built by a custom op with its own
 * gradient, computed on typed arrays, and multiplied by the weight as one matrix product.
 * Gradients reach `x`, `offset`, `mask`, `weight` and `bias` on every backend (no scatter kernel
 * needed). The op reads its inputs back from the backend (`dataSync`).
 * @param x - input `[n, h, w, C]`, float32
 * @param offset - `[n, h', w', 2·G·kh·kw]`, per group and tap `(Δy, Δx)` in pixels
 * @param mask - modulation `[n, h', w', G·kh·kw]` (DCNv2 passes a sigmoid)
 * @param weight - `[kh, kw, C, Cout]` (HWIO, as `tf.conv2d`)
 * @param bias - `[Cout]` or null
 * @param options - see {@link ModulatedDeformConv2dOptions}
 * @returns `[n, h', w', Cout]` with `h' = ⌊(h + 2ph − dh·(kh−1) − 1)/sh⌋ + 1` (likewise `w'`); the caller disposes it
 * @throws ShapeError naming `x`, `offset`, `mask`, `weight` or `bias` when a shape disagrees
 * @throws InvalidValueError for a bad or unknown option, or groups not dividing `C`
 * @see arXiv 1811.11168 (DCNv2); open-mmlab/mmcv `ops/modulated_deform_conv.py`
 * @example
 * ```ts
 * const y = modulatedDeformConv2d(x, offset, mask, w, null, { padding: 1, deformableGroups: 8 });
 * ```
 * @category Models
 */
export function modulatedDeformConv2d(
  x: tf.Tensor,
  offset: tf.Tensor,
  mask: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor | null = null,
  options: ModulatedDeformConv2dOptions = {},
): tf.Tensor4D {
  const fn = 'modulatedDeformConv2d';
  const geo = resolve(fn, options);
  checkInput(fn, x, 4, undefined, 'x');
  checkInput(fn, weight, 4, undefined, 'weight');
  for (const [arg, t] of [['x', x], ['offset', offset], ['mask', mask], ['weight', weight]] as const) {
    if (t instanceof tf.Tensor && t.dtype !== 'float32') throw new ShapeError(`${fn}: ${arg} must have dtype float32, got ${t.dtype}`);
  }
  const [n, h, w, c] = x.shape;
  const [kh, kw, wc, cout] = weight.shape;
  if (wc !== c) throw new ShapeError(`${fn}: weight must have ${c} input channels (shape [kh, kw, ${c}, cout]), got shape [${weight.shape}]`);
  const G = geo.groups;
  if (c % G !== 0) throw new InvalidValueError(`${fn}: deformableGroups must divide the ${c} channels of x, got ${G}`);
  const K = kh * kw;
  const ho = Math.floor((h + 2 * geo.padding[0] - geo.dilation[0] * (kh - 1) - 1) / geo.stride[0]) + 1;
  const wo = Math.floor((w + 2 * geo.padding[1] - geo.dilation[1] * (kw - 1) - 1) / geo.stride[1]) + 1;
  if (ho < 1 || wo < 1) throw new ShapeError(`${fn}: x of shape [${x.shape}] is smaller than the dilated kernel after padding`);
  const expect = (arg: string, t: tf.Tensor, last: number): void => {
    checkInput(fn, t, 4, undefined, arg);
    const want = [n, ho, wo, last];
    if (!t.shape.every((d, i) => d === want[i])) throw new ShapeError(`${fn}: ${arg} must have shape [${want}], got [${t.shape}]`);
  };
  expect('offset', offset, 2 * G * K);
  expect('mask', mask, G * K);
  if (bias !== null && (!(bias instanceof tf.Tensor) || bias.rank !== 1 || bias.shape[0] !== cout)) {
    throw new ShapeError(`${fn}: bias must be null or have shape [${cout}], got ${bias instanceof tf.Tensor ? `[${bias.shape}]` : typeof bias}`);
  }
  return tf.tidy(() => {
    // Columns (b, p, q) × (k·C + c) against the HWIO weight flattened to [K·C, Cout].
    const cols = deformIm2col(x as tf.Tensor4D, offset as tf.Tensor4D, mask as tf.Tensor4D, {
      kernel: [kh, kw],
      stride: geo.stride,
      padding: geo.padding,
      dilation: geo.dilation,
      groups: G,
    });
    let y = tf.matMul(cols, tf.reshape(weight, [K * c, cout]) as tf.Tensor2D) as tf.Tensor;
    if (bias !== null) y = tf.add(y, bias);
    return tf.reshape(y, [n, ho, wo, cout]) as tf.Tensor4D;
  });
}

/** Options of {@link ModulatedDeformConv2d}. @category Models */
export interface ModulatedDeformConv2dModuleOptions extends ModulatedDeformConv2dOptions {
  /** Whether the layer has a bias. @defaultValue true */
  bias?: boolean;
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/**
 * A modulated deformable convolution layer (DCNv2): holds `weight` and `bias` and applies
 * {@link modulatedDeformConv2d} with offsets and a modulation mask given by the caller.
 *
 * Parameters: `weight` (PyTorch OIHW `[Cout, C, kh, kw]` in the state dict, native HWIO) and
 * `bias` (`[Cout]`), the names of mmcv's `ModulatedDeformConv2d` and of DATSR's `DCNv2`.
 * Initialisation as `DCNv2.reset_parameters`: `U(±1/√(C·kh·kw))` weights, zero bias.
 * @see arXiv 1811.11168; open-mmlab/mmcv `ModulatedDeformConv2d`; caojiezhang/DATSR `dcn_v2.py`
 * @example
 * ```ts
 * const dcn = new ModulatedDeformConv2d(64, 64, 3, { padding: 1, deformableGroups: 8 });
 * const y = dcn.call(x, offset, mask); // [n, h, w, 64]
 * ```
 * @category Models
 */
export class ModulatedDeformConv2d extends Module<[tf.Tensor, tf.Tensor, tf.Tensor], tf.Tensor> {
  /** Weight variable, native `[kh, kw, C, Cout]`. */
  readonly weight: tf.Variable;
  /** Bias variable `[Cout]`, or null. */
  readonly bias: tf.Variable | null;
  /** The convolution geometry passed to {@link modulatedDeformConv2d}. */
  readonly options: Readonly<ModulatedDeformConv2dOptions>;

  /**
   * @param inChannels - input channels `C`
   * @param outChannels - output channels `Cout`
   * @param kernelSize - odd or even kernel size `k` (square)
   * @param options - see {@link ModulatedDeformConv2dModuleOptions}
   * @throws InvalidValueError for a bad size or option
   */
  constructor(inChannels: number, outChannels: number, kernelSize: number, options: ModulatedDeformConv2dModuleOptions = {}) {
    super();
    const fn = 'ModulatedDeformConv2d';
    checkOptions(fn, options, [...OPTION_KEYS, 'bias', 'rng']);
    checkPositiveInt(fn, 'inChannels', inChannels);
    checkPositiveInt(fn, 'outChannels', outChannels);
    checkPositiveInt(fn, 'kernelSize', kernelSize);
    const { bias, rng, ...geo } = options;
    const g = resolve(fn, geo);
    if (inChannels % g.groups !== 0) throw new InvalidValueError(`${fn}: deformableGroups must divide inChannels ${inChannels}, got ${g.groups}`);
    this.options = Object.freeze({ stride: g.stride, padding: g.padding, dilation: g.dilation, deformableGroups: g.groups });
    const r = rng ?? getGlobalRng();
    const bound = 1 / Math.sqrt(inChannels * kernelSize * kernelSize);
    this.weight = this.registerParameter('weight', r.uniformTensor([kernelSize, kernelSize, inChannels, outChannels], -bound, bound), CONV2D_LAYOUT);
    this.bias = bias === false ? null : this.registerParameter('bias', tf.zeros([outChannels]));
  }

  /**
   * @param x - `[n, h, w, C]`
   * @param offset - `[n, h', w', 2·G·k²]` (see {@link modulatedDeformConv2d})
   * @param mask - `[n, h', w', G·k²]`
   * @returns `[n, h', w', Cout]`; the caller disposes it
   */
  forward(x: tf.Tensor, offset: tf.Tensor, mask: tf.Tensor): tf.Tensor {
    return modulatedDeformConv2d(x, offset, mask, this.weight, this.bias, this.options);
  }
}
