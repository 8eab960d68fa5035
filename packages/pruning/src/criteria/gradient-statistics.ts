/**
 * Gradient statistics for the gradient-based criteria.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, type FitBatch, type Module } from '@lab/tensor';

/** A loss of a prediction against a target: a scalar, the mean over the batch. @category Criteria */
export type LossFunction = (prediction: tf.Tensor, target: tf.Tensor) => tf.Scalar;

/** The data a gradient criterion scores on: batches of `{x, y}`. @category Criteria */
export type ScoringData = Iterable<FitBatch> | AsyncIterable<FitBatch>;

/** Runs `body` with the model in evaluation mode, restoring the flags afterwards. */
async function inEval<T>(model: Module<any, any>, body: () => Promise<T>): Promise<T> {
  const modules = model.modules();
  const flags = modules.map((m) => m.training);
  model.eval();
  try {
    return await body();
  } finally {
    modules.forEach((m, i) => {
      m.training = flags[i];
    });
  }
}

function checkBatch(b: FitBatch, fn: string): number {
  if (typeof b !== 'object' || b === null || !(b.x instanceof tf.Tensor) || !(b.y instanceof tf.Tensor)) {
    throw new InvalidValueError(`${fn}: data must yield {x, y} batches of tensors`);
  }
  if (b.x.rank === 0 || b.y.rank === 0 || b.x.shape[0] !== b.y.shape[0]) {
    throw new ShapeError(`${fn}: batch x and y must share their first (batch) axis, got [${b.x.shape}] and [${b.y.shape}]`);
  }
  return b.x.shape[0];
}

/** Gradients of the loss of one batch, as flat arrays by variable; frees every tensor. */
function batchGradients(model: Module<[tf.Tensor], tf.Tensor>, params: tf.Variable[], x: tf.Tensor, y: tf.Tensor, loss: LossFunction): Map<tf.Variable, Float32Array> {
  const { value, grads } = tf.tidy(() =>
    tf.variableGrads(() => {
      const l = loss(model.call(x), y);
      if (!(l instanceof tf.Tensor) || l.rank !== 0) throw new ShapeError('scoreGroups: loss must return a scalar tensor');
      return l as tf.Scalar;
    }, params),
  );
  try {
    const out = new Map<tf.Variable, Float32Array>();
    for (const p of params) {
      const g = grads[p.name];
      out.set(p, g ? Float32Array.from(g.dataSync() as Float32Array) : new Float32Array(p.size));
    }
    return out;
  } finally {
    value.dispose();
    tf.dispose(Object.values(grads));
  }
}

/**
 * Gradient of the mean loss over all samples of `data` (each batch's gradient weighted by its
 * size), in evaluation mode so that it does not depend on how samples are batched.
 * @internal
 */
export async function meanGradients(model: Module<[tf.Tensor], tf.Tensor>, data: ScoringData, loss: LossFunction, fn: string): Promise<Map<tf.Variable, Float32Array>> {
  return inEval(model, async () => {
    const params = model.parameters();
    const acc = new Map(params.map((p) => [p, new Float64Array(p.size)] as const));
    let total = 0;
    for await (const b of data as AsyncIterable<FitBatch>) {
      const n = checkBatch(b, fn);
      const grads = batchGradients(model, params, b.x, b.y, loss);
      for (const [p, g] of grads) {
        const a = acc.get(p) as Float64Array;
        for (let i = 0; i < g.length; i++) a[i] += n * g[i];
      }
      total += n;
    }
    if (total === 0) throw new InvalidValueError(`${fn}: data yielded no samples`);
    return new Map([...acc].map(([p, a]) => [p, Float32Array.from(a, (v) => v / total)]));
  });
}

/**
 * Mean squared per-sample gradient E[g²] (the Fisher diagonal) over at most `maxSamples` samples
 * of `data`, one backward pass per sample, in evaluation mode.
 * @internal
 */
export async function fisherDiagonal(
  model: Module<[tf.Tensor], tf.Tensor>,
  data: ScoringData,
  loss: LossFunction,
  maxSamples: number,
  fn: string,
): Promise<Map<tf.Variable, Float32Array>> {
  return inEval(model, async () => {
    const params = model.parameters();
    const acc = new Map(params.map((p) => [p, new Float64Array(p.size)] as const));
    let total = 0;
    for await (const b of data as AsyncIterable<FitBatch>) {
      const n = checkBatch(b, fn);
      for (let i = 0; i < n && total < maxSamples; i++) {
        const [x, y] = [tf.slice(b.x, i, 1), tf.slice(b.y, i, 1)];
        try {
          for (const [p, g] of batchGradients(model, params, x, y, loss)) {
            const a = acc.get(p) as Float64Array;
            for (let j = 0; j < g.length; j++) a[j] += g[j] * g[j];
          }
        } finally {
          tf.dispose([x, y]);
        }
        total++;
      }
      if (total >= maxSamples) break;
    }
    if (total === 0) throw new InvalidValueError(`${fn}: data yielded no samples`);
    return new Map([...acc].map(([p, a]) => [p, Float32Array.from(a, (v) => v / total)]));
  });
}
