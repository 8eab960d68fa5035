/**
 * AdamW with per-step learning rate and weight decay, whose moments live in a Module so that
 * they go into the training checkpoint. Not exported from the package.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '@lab/tensor';

/** PyTorch `torch.optim.AdamW` defaults. */
export const ADAMW_BETAS = Object.freeze([0.9, 0.999] as const);
export const ADAMW_EPS = 1e-8;

/** The moments of one parameter (PyTorch optimizer state names). */
class ParamState extends Module<[], void> {
  readonly expAvg: tf.Variable;
  readonly expAvgSq: tf.Variable;
  constructor(shape: number[]) {
    super();
    this.expAvg = this.registerBuffer('exp_avg', tf.zeros(shape));
    this.expAvgSq = this.registerBuffer('exp_avg_sq', tf.zeros(shape));
  }
  forward(): void {}
}

/** Holder of every parameter's state, children `0`, `1`, … in parameter order. */
class StateList extends Module<[], void> {
  forward(): void {}
}

/**
 * AdamW exactly as PyTorch's (decoupled decay `p ← p·(1 − lr·wd)` before the Adam step,
 * bias-corrected moments, `eps` added to `√v̂`). State keys `state.<i>.exp_avg(_sq)`.
 */
export class AdamW extends Module<[], void> {
  readonly states: ParamState[];
  private readonly list: StateList;

  constructor(readonly params: readonly tf.Variable[]) {
    super();
    this.list = this.registerModule('state', new StateList());
    this.states = params.map((p, i) => this.list.registerModule(String(i), new ParamState(p.shape)));
  }

  forward(): void {}

  /**
   * One update. `step` is 1-based (bias correction), `decay[i]` the weight decay of parameter i.
   * Gradients are not disposed.
   */
  update(grads: readonly tf.Tensor[], lr: number, decay: readonly number[], step: number): void {
    const [b1, b2] = ADAMW_BETAS;
    const bc1 = 1 - b1 ** step;
    const bc2 = 1 - b2 ** step;
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const g = grads[i];
        const st = this.states[i];
        const m = tf.add(tf.mul(st.expAvg, b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(st.expAvgSq, b2), tf.mul(tf.square(g), 1 - b2));
        st.expAvg.assign(m);
        st.expAvgSq.assign(v);
        const decayed = decay[i] > 0 ? tf.mul(p, 1 - lr * decay[i]) : p;
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), ADAMW_EPS);
        p.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), lr / bc1)));
      });
    });
  }
}
