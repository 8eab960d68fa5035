/**
 * The Swin-V2-style attention logits of GRL: cosine similarity, a clamped learnable logit scale
 * and the continuous position bias.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, ReLU, Sequential, type Rng } from '@lab/tensor';
import { gatherBias } from './grl-bias';
import type { GrlWindowMasks } from './grl-geometry';
import { l2Normalize } from './grl-ops';
import { initTruncNormalLinear } from './grl-init';

/** Upper bound of the logit scale before `exp`: `ln(1/0.01) = ln 100`, as the reference. */
export const GRL_MAX_LOGIT_SCALE = Math.log(100);

/** Hidden width of the continuous position-bias MLP (`CPB_MLP(channels=512)`). */
export const GRL_CPB_HIDDEN = 512;

/**
 * One attention map of GRL (`AffineTransform` of the reference) and the attention it weights.
 *
 * `attn = softmax(ĉos(q, k)·exp(min(τ, ln 100)) + 16·σ(cpb(table))[index] + mask)·v`, where
 * `ĉos` is the cosine similarity of L2-normalised q and k, `τ` (`logit_scale`, `[heads, 1, 1]`,
 * init ln 10) is per head, and `cpb_mlp` = Linear(2 → 512) · ReLU · Linear(512 → heads, no bias)
 * maps the log-spaced relative coordinates to a bias per head.
 *
 * Parameters: `logit_scale`, `cpb_mlp.0.weight`, `cpb_mlp.0.bias`, `cpb_mlp.2.weight`.
 * @see arXiv 2303.00748; ofsoundof/GRL-Image-Restoration `models/common/mixed_attn_block_efficient.py` (`AffineTransform`)
 * @category Models
 */
export class GrlAffineTransform extends Module<[tf.Tensor], tf.Tensor> {
  /** Number of heads. */
  readonly heads: number;
  /** `logit_scale`, `[heads, 1, 1]`. */
  readonly logitScale: tf.Variable;
  /** `cpb_mlp`: Linear(2, 512), ReLU, Linear(512, heads, bias false). */
  readonly cpbMlp: Sequential;

  /**
   * @param heads - number of attention heads
   * @param rng - generator of the initial weights (the global one when omitted)
   */
  constructor(heads: number, rng?: Rng) {
    super();
    this.heads = heads;
    this.logitScale = this.registerParameter('logit_scale', tf.fill([heads, 1, 1], Math.log(10)));
    const l1 = new Linear(2, GRL_CPB_HIDDEN, { rng });
    const l2 = new Linear(GRL_CPB_HIDDEN, heads, { bias: false, rng });
    initTruncNormalLinear(l1, rng);
    initTruncNormalLinear(l2, rng);
    this.cpbMlp = this.registerModule('cpb_mlp', new Sequential(l1, new ReLU(), l2));
  }

  /**
   * The position bias `16·σ(cpb(table))` of every table row.
   * @param x - the coordinate table `[T, 2]`
   * @returns `[heads, T]`; the caller disposes it
   */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.transpose(tf.mul(tf.sigmoid(this.cpbMlp.call(x)), 16)));
  }

  /**
   * Attention of `q` over `k`/`v` with this transform's logits. Runs one 2-D `tf.matMul` pair per
   * window and head (the wasm backend's batched matmul is several times slower than its 2-D one,
   * and its transposed-B path slower still).
   * @param q - `[B·nW, heads, N1, d]` queries (B images, nW windows each, windows fastest)
   * @param k - `[B·nW, heads, N2, d]` keys
   * @param v - `[B·nW, heads, N2, dv]` values
   * @param table - `[T, 2]` coordinate table
   * @param index - `[N1·N2]` table rows per pair
   * @param mask - shift masks of the nW windows, or null
   * @returns `[B·nW, heads, N1, dv]`; the caller disposes it
   */
  attend(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, table: tf.Tensor2D, index: Int32Array, mask: GrlWindowMasks | null): tf.Tensor4D {
    return tf.tidy(() => {
      const [bw, h, n1, d] = q.shape;
      const n2 = k.shape[2];
      const dv = v.shape[3];
      const nw = mask === null ? 1 : mask.length;
      const scale = tf.exp(tf.minimum(this.logitScale, GRL_MAX_LOGIT_SCALE));
      const qs = tf.split(tf.reshape(tf.mul(l2Normalize(q), scale), [bw * h, n1, d]), bw * h, 0);
      const kts = tf.split(tf.transpose(tf.reshape(l2Normalize(k), [bw * h, n2, d]), [0, 2, 1]), bw * h, 0);
      const vs = tf.split(tf.reshape(v, [bw * h, n2, dv]), bw * h, 0);
      const biases = tf.split(this.call(table), h, 0).map((r) => gatherBias(tf.reshape(r, [-1]) as tf.Tensor1D, index, n1, n2));
      const outs: tf.Tensor[] = [];
      for (let i = 0; i < bw * h; i++) {
        const head = i % h;
        const win = Math.floor(i / h) % nw;
        outs.push(
          tf.tidy(() => {
            let logits = tf.add(tf.matMul(tf.reshape(qs[i], [n1, d]) as tf.Tensor2D, tf.reshape(kts[i], [d, n2]) as tf.Tensor2D), biases[head]);
            const m = mask?.[win];
            if (m) logits = tf.add(logits, m);
            return tf.matMul(tf.softmax(logits) as tf.Tensor2D, tf.reshape(vs[i], [n2, dv]) as tf.Tensor2D);
          }),
        );
      }
      return tf.reshape(tf.stack(outs), [bw, h, n1, dv]) as tf.Tensor4D;
    });
  }
}
