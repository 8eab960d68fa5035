/**
 * Element-wise activation layers with PyTorch's names and formulas.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, checkOptions } from '../errors';
import { checkFloat, checkInt, checkMinRank, checkNumber, show } from './internal';
import { Module } from './module';

/** Checks `x` and applies `f` inside `tf.tidy`: the shared body of the element-wise layers. */
function elementwise(layer: string, x: tf.Tensor, f: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  checkMinRank(layer, x, 0);
  checkFloat(layer, x);
  return tf.tidy(() => f(x));
}

/**
 * The rectified linear unit, `y = max(0, x)`, as `torch.nn.ReLU`.
 * @example
 * ```ts
 * new ReLU().call(tf.tensor([-1, 2])); // [0, 2]
 * ```
 * @category Activations
 */
export class ReLU extends Module {
  /**
   * Applies the activation element-wise.
   * @param x - input of any shape, float32
   * @returns a new tensor of the same shape; the caller disposes it
   * @throws {@link ShapeError} if `x` is not a float32 tensor
   */
  forward(x: tf.Tensor): tf.Tensor {
    return elementwise('ReLU', x, (x) => tf.relu(x));
  }
}

/**
 * The clipped rectifier, `y = min(max(0, x), 6)`, as `torch.nn.ReLU6`.
 * @example
 * ```ts
 * new ReLU6().call(tf.tensor([-1, 2, 9])); // [0, 2, 6]
 * ```
 * @category Activations
 */
export class ReLU6 extends Module {
  /**
   * Applies the activation element-wise.
   * @param x - input of any shape, float32
   * @returns a new tensor of the same shape; the caller disposes it
   * @throws {@link ShapeError} if `x` is not a float32 tensor
   */
  forward(x: tf.Tensor): tf.Tensor {
    return elementwise('ReLU6', x, (x) => tf.relu6(x));
  }
}

/**
 * The leaky rectifier, `y = x` for `x ≥ 0` and `y = negativeSlope · x` otherwise, as
 * `torch.nn.LeakyReLU`.
 * @example
 * ```ts
 * new LeakyReLU(0.2).call(tf.tensor([-1, 2])); // [-0.2, 2]
 * ```
 * @category Activations
 */
export class LeakyReLU extends Module {
  /** Slope for negative inputs. */
  readonly negativeSlope: number;
  /**
   * @param negativeSlope - slope for negative inputs, finite
   * @throws {@link InvalidValueError} if `negativeSlope` is not finite
   */
  constructor(negativeSlope = 0.01) {
    super();
    this.negativeSlope = checkNumber('LeakyReLU', 'negativeSlope', negativeSlope);
  }
  /**
   * Applies the activation element-wise.
   * @param x - input of any shape, float32
   * @returns a new tensor of the same shape; the caller disposes it
   * @throws {@link ShapeError} if `x` is not a float32 tensor
   */
  forward(x: tf.Tensor): tf.Tensor {
    return elementwise('LeakyReLU', x, (x) => tf.leakyRelu(x, this.negativeSlope));
  }
}

/**
 * The parametric rectifier, `y = max(0, x) + a · min(0, x)` with a learnable slope `a`, as
 * `torch.nn.PReLU`.
 *
 * With `numParameters = 1` one slope is shared; with `numParameters = C` slope `a[c]` applies to
 * channel `c` of the **last** axis (NHWC; PyTorch's channel axis 1 of NCHW). Parameter `weight`
 * `[numParameters]`, initialised to `init`.
 * @see He et al. 2015, arXiv:1502.01852
 * @example
 * ```ts
 * const act = new PReLU(64); // one slope per channel
 * const y = act.call(tf.zeros([1, 8, 8, 64]));
 * ```
 * @category Activations
 */
export class PReLU extends Module {
  /** Number of slopes (1 or the channel count); PyTorch's `num_parameters`. */
  readonly numSlopes: number;
  /** The slopes `[numParameters]`. */
  readonly weight: tf.Variable;
  /**
   * @param numParameters - 1, or the number of channels
   * @param init - initial slope, finite
   * @throws {@link InvalidValueError} on a bad count or initial value
   */
  constructor(numParameters = 1, init = 0.25) {
    super();
    this.numSlopes = checkInt('PReLU', 'numParameters', numParameters);
    checkNumber('PReLU', 'init', init);
    this.weight = this.registerParameter('weight', tf.fill([numParameters], init));
  }
  /**
   * Applies the activation.
   * @param x - input of any shape (rank ≥ 1 with `numParameters` channels on the last axis when
   *   `numParameters > 1`), float32
   * @returns a new tensor of the same shape; the caller disposes it
   * @throws {@link ShapeError} if the channel count does not match
   */
  forward(x: tf.Tensor): tf.Tensor {
    if (this.numSlopes > 1) {
      checkMinRank('PReLU', x, 1);
      if (x.shape[x.rank - 1] !== this.numSlopes) {
        throw new ShapeError(`PReLU: x must have ${this.numSlopes} channels (last axis), got shape [${x.shape}]`);
      }
    }
    return elementwise('PReLU', x, (x) => {
      const w = this.numSlopes === 1 ? tf.reshape(this.weight, []) : this.weight;
      return tf.add(tf.relu(x), tf.mul(w, tf.neg(tf.relu(tf.neg(x)))));
    });
  }
}

/** Options of {@link GELU}. @category Activations */
export interface GELUOptions {
  /**
   * `'none'` for the exact form with the error function, `'tanh'` for the tanh approximation.
   * @defaultValue 'none'
   */
  approximate?: 'none' | 'tanh';
}

/**
 * The Gaussian error linear unit, `y = x · Φ(x) = x/2 · (1 + erf(x/√2))`, as `torch.nn.GELU`;
 * with `approximate: 'tanh'`, `y = x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³)))`.
 * @see Hendrycks & Gimpel 2016, arXiv:1606.08415
 * @example
 * ```ts
 * new GELU().call(tf.tensor([1])); // [0.8413447]
 * ```
 * @category Activations
 */
export class GELU extends Module {
  /** Which formula is used. */
  readonly approximate: 'none' | 'tanh';
  /**
   * @param options - see {@link GELUOptions}
   * @throws {@link InvalidValueError} on an unknown `approximate` value or option
   */
  constructor(options: GELUOptions = {}) {
    super();
    checkOptions('GELU', options, ['approximate']);
    const a = options.approximate ?? 'none';
    if (a !== 'none' && a !== 'tanh') {
      throw new InvalidValueError(`GELU: approximate must be 'none' or 'tanh', got ${show(a)}`);
    }
    this.approximate = a;
  }
  /**
   * Applies the activation element-wise.
   * @param x - input of any shape, float32
   * @returns a new tensor of the same shape; the caller disposes it
   * @throws {@link ShapeError} if `x` is not a float32 tensor
   */
  forward(x: tf.Tensor): tf.Tensor {
    return elementwise('GELU', x, (x) => {
      if (this.approximate === 'none') {
        return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
      }
      const inner = tf.mul(tf.add(x, tf.mul(tf.mul(x, tf.square(x)), 0.044715)), Math.sqrt(2 / Math.PI));
      return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
    });
  }
}

/**
 * The sigmoid linear unit (swish), `y = x · σ(x)`, as `torch.nn.SiLU`.
 * @see Elfwing et al. 2017, arXiv:1702.03118
 * @example
 * ```ts
 * new SiLU().call(tf.tensor([0, 1])); // [0, 0.7310586]
 * ```
 * @category Activations
 */
export class SiLU extends Module {
  /**
   * Applies the activation element-wise.
   * @param x - input of any shape, float32
   * @returns a new tensor of the same shape; the caller disposes it
   * @throws {@link ShapeError} if `x` is not a float32 tensor
   */
  forward(x: tf.Tensor): tf.Tensor {
    return elementwise('SiLU', x, (x) => tf.mul(x, tf.sigmoid(x)));
  }
}

/**
 * The hard swish, `y = x · ReLU6(x + 3) / 6`, as `torch.nn.Hardswish`.
 * @see Howard et al. 2019, arXiv:1905.02244
 * @example
 * ```ts
 * new Hardswish().call(tf.tensor([-4, 1, 4])); // [0, 0.6666667, 4]
 * ```
 * @category Activations
 */
export class Hardswish extends Module {
  /**
   * Applies the activation element-wise.
   * @param x - input of any shape, float32
   * @returns a new tensor of the same shape; the caller disposes it
   * @throws {@link ShapeError} if `x` is not a float32 tensor
   */
  forward(x: tf.Tensor): tf.Tensor {
    return elementwise('Hardswish', x, (x) => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6)));
  }
}

/**
 * The logistic function, `y = 1 / (1 + e^{−x})`, as `torch.nn.Sigmoid`.
 * @example
 * ```ts
 * new Sigmoid().call(tf.tensor([0])); // [0.5]
 * ```
 * @category Activations
 */
export class Sigmoid extends Module {
  /**
   * Applies the activation element-wise.
   * @param x - input of any shape, float32
   * @returns a new tensor of the same shape; the caller disposes it
   * @throws {@link ShapeError} if `x` is not a float32 tensor
   */
  forward(x: tf.Tensor): tf.Tensor {
    return elementwise('Sigmoid', x, (x) => tf.sigmoid(x));
  }
}

/**
 * The hyperbolic tangent, `y = tanh(x)`, as `torch.nn.Tanh`.
 * @example
 * ```ts
 * new Tanh().call(tf.tensor([0])); // [0]
 * ```
 * @category Activations
 */
export class Tanh extends Module {
  /**
   * Applies the activation element-wise.
   * @param x - input of any shape, float32
   * @returns a new tensor of the same shape; the caller disposes it
   * @throws {@link ShapeError} if `x` is not a float32 tensor
   */
  forward(x: tf.Tensor): tf.Tensor {
    return elementwise('Tanh', x, (x) => tf.tanh(x));
  }
}

/**
 * The identity, `y = x` (returned as a new tensor that the caller owns), as `torch.nn.Identity`.
 * Useful as a placeholder, e.g. for a removed layer.
 * @example
 * ```ts
 * new Identity().call(x); // a copy of x
 * ```
 * @category Activations
 */
export class Identity extends Module {
  /**
   * Returns a copy of `x`.
   * @param x - any tensor
   * @returns `tf.clone(x)`; the caller disposes it
   * @throws {@link ShapeError} if `x` is not a tensor
   */
  forward(x: tf.Tensor): tf.Tensor {
    checkMinRank('Identity', x, 0);
    return tf.clone(x);
  }
}
