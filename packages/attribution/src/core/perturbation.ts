import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { type AttributionModel, type Baseline, type Target, resolveBaseline, runModel, selectTarget, targetForSlice } from './types';
import { type AttributionWorkers, prefetch } from '../parallel/attribution-workers';

/**
 * Shared machinery of the perturbation family: evaluating the target score of many perturbed
 * inputs in chunks of `batchSize`, turning feature masks into coalition inputs, and the
 * interpolation/blur matrices of the mask-based methods (RISE, Extremal Perturbation, IBA).
 * @packageDocumentation
 */

/**
 * The feature groups of one sample: `labels[d]` ∈ `0..count−1` names the group of element `d` of
 * the flattened sample.
 * @category Core
 */
export interface FeatureGroups {
  /** Group of each element of the flattened sample. */
  labels: Int32Array;
  /** Number of groups M. */
  count: number;
}

/** Number of elements of one sample of a batch shape `[N, …]`. @internal */
export function sampleSize(shape: readonly number[]): number {
  let d = 1;
  for (let i = 1; i < shape.length; i++) d *= shape[i];
  return d;
}

/**
 * Checks that a per-sample target list has one entry per sample (`selectTarget` sees only slices).
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} naming `target`.
 * @internal
 */
export function checkTarget(fn: string, target: Target | undefined, n: number): void {
  if (target === undefined || typeof target === 'number' || typeof target === 'function') return;
  if (!Array.isArray(target) && !(target instanceof Int32Array)) {
    throw new InvalidValueError(`${fn}: target must be a number, an array, an Int32Array or a function, got ${typeof target}`);
  }
  if (target.length !== n) throw new InvalidValueError(`${fn}: target must have one index per sample (${n}), got ${target.length}`);
}

/** The target of sample `i` repeated for `count` rows (functions and scalars pass through). @internal */
export function repeatTarget(target: Target | undefined, i: number, count: number): Target | undefined {
  const t = targetForSlice(target, i, i + 1);
  if (t === undefined || typeof t === 'number' || typeof t === 'function') return t;
  return new Array<number>(count).fill(Array.from(t)[0]);
}

/**
 * Evaluates the target score of `count` model inputs built chunk by chunk: `build(start, end)` returns
 * the rows `start..end−1` (it runs inside `tf.tidy`), and at most `batchSize` rows reach the model at once.
 * @returns the `count` scores, in order
 * @internal
 */
export async function evaluateScores(
  model: AttributionModel,
  count: number,
  batchSize: number,
  build: (start: number, end: number) => tf.Tensor,
  targetFor: (start: number, end: number) => Target | undefined,
  fn: string,
  workers?: AttributionWorkers,
): Promise<Float32Array> {
  const out = new Float32Array(count);
  if (workers !== undefined) {
    // The same chunks, their forward passes on the workers; targets selected here as below.
    const chunks = Math.ceil(count / batchSize);
    const ahead = prefetch(chunks, 2 * workers.size, async (k) => {
      const x = tf.tidy(() => build(k * batchSize, Math.min(count, (k + 1) * batchSize)));
      try {
        const [y] = await workers.forward([x]);
        return y;
      } finally {
        x.dispose();
      }
    });
    try {
      for (let k = 0; k < chunks; k++) {
        const start = k * batchSize;
        const end = Math.min(count, start + batchSize);
        const y = await ahead.take(k);
        let s: tf.Tensor;
        try {
          s = tf.tidy(() => {
            const score = selectTarget(y, targetFor(start, end), fn);
            return score.dtype === 'float32' ? score : tf.cast(score, 'float32');
          });
        } finally {
          y.dispose();
        }
        try {
          out.set(await s.data(), start);
        } finally {
          s.dispose();
        }
      }
    } finally {
      await ahead.discard((y) => y.dispose());
    }
    return out;
  }
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    const s = tf.tidy(() => {
      const y = runModel(model, build(start, end));
      const score = selectTarget(y, targetFor(start, end), fn);
      return score.dtype === 'float32' ? score : tf.cast(score, 'float32');
    });
    try {
      out.set(await s.data(), start);
    } finally {
      s.dispose();
    }
  }
  return out;
}

/**
 * Target scores of the rows of a batch `[N, …]`, evaluated `batchSize` rows at a time.
 * @internal
 */
export function evaluateRows(
  model: AttributionModel,
  x: tf.Tensor,
  batchSize: number,
  target: Target | undefined,
  fn: string,
  workers?: AttributionWorkers,
): Promise<Float32Array> {
  return evaluateScores(model, x.shape[0], batchSize, (s, e) => tf.slice(x, s, e - s), (s, e) => targetForSlice(target, s, e), fn, workers);
}

/**
 * Evaluates the target score of `count` blends `b + keep_k ⊙ (x − b)` of one sample `x` and its
 * baseline `b` (both `[1, …]`), where `fill(k, keep)` writes the keep weights of blend `k`
 * (length = one sample's size, 1 = keep the input, 0 = use the baseline).
 * @returns the `count` scores
 * @internal
 */
export async function evaluateBlends(
  model: AttributionModel,
  x: tf.Tensor,
  b: tf.Tensor,
  count: number,
  batchSize: number,
  target: Target | undefined,
  sample: number,
  fill: (k: number, keep: Float32Array) => void,
  fn: string,
  workers?: AttributionWorkers,
): Promise<Float32Array> {
  const d = x.size;
  const shape = x.shape.slice(1);
  const diff = tf.sub(x, b);
  try {
    return await evaluateScores(
      model,
      count,
      batchSize,
      (start, end) => {
        const buf = new Float32Array((end - start) * d);
        for (let k = start; k < end; k++) fill(k, buf.subarray((k - start) * d, (k - start + 1) * d));
        const keep = tf.tensor(buf, [end - start, ...shape], 'float32');
        return tf.add(b, tf.mul(keep, diff));
      },
      (start, end) => repeatTarget(target, sample, end - start),
      fn,
      workers,
    );
  } finally {
    diff.dispose();
  }
}

/**
 * Scores of coalitions of feature groups: coalition `k` keeps the input on the groups `g` with
 * `coalitions[k·M + g] = 1` and uses the baseline elsewhere.
 * @internal
 */
export function evaluateCoalitions(
  model: AttributionModel,
  x: tf.Tensor,
  b: tf.Tensor,
  groups: FeatureGroups,
  coalitions: Uint8Array,
  batchSize: number,
  target: Target | undefined,
  sample: number,
  fn: string,
  workers?: AttributionWorkers,
): Promise<Float32Array> {
  const m = groups.count;
  const labels = groups.labels;
  return evaluateBlends(
    model,
    x,
    b,
    coalitions.length / m,
    batchSize,
    target,
    sample,
    (k, keep) => {
      const off = k * m;
      for (let e = 0; e < labels.length; e++) keep[e] = coalitions[off + labels[e]];
    },
    fn,
    workers,
  );
}

/**
 * Resolves a feature mask to per-sample feature groups. The mask holds integers; elements with
 * the same value form one group, and groups are numbered by increasing value (`0..M−1`).
 * - `undefined`: every element of a sample is its own group.
 * - a tensor of the input's rank broadcastable to the input (`[N, …]` per sample or `[1, …]` shared);
 * - a tensor of one sample's rank broadcastable to one sample (shared), e.g. `[H, W, 1]` groups the
 *   channels of each pixel.
 * @returns one {@link FeatureGroups} per sample (the same object when the mask is shared)
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a shape that does not broadcast; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for non-integer values.
 * @internal
 */
export function resolveFeatureMask(
  fn: string,
  mask: tf.Tensor | undefined,
  inputShape: readonly number[],
  options: { shared?: boolean; arg?: string } = {},
): FeatureGroups[] {
  const arg = options.arg ?? 'featureMask';
  const n = inputShape[0];
  const d = sampleSize(inputShape);
  if (mask === undefined) {
    const labels = new Int32Array(d);
    for (let i = 0; i < d; i++) labels[i] = i;
    return new Array<FeatureGroups>(n).fill({ labels, count: d });
  }
  if (!(mask instanceof tf.Tensor)) throw new ShapeError(`${fn}: ${arg} must be a tf.Tensor, got ${typeof mask}`);
  const sampleShape = inputShape.slice(1);
  let perSample: boolean;
  let target: number[];
  if (mask.rank === inputShape.length) {
    if (!mask.shape.every((s, i) => s === inputShape[i] || s === 1)) {
      throw new ShapeError(`${fn}: ${arg} must broadcast to the input shape [${inputShape}], got [${mask.shape}]`);
    }
    perSample = mask.shape[0] !== 1 && n !== 1;
    target = perSample ? [...inputShape] : [1, ...sampleShape];
  } else if (mask.rank === inputShape.length - 1) {
    if (!mask.shape.every((s, i) => s === sampleShape[i] || s === 1)) {
      throw new ShapeError(`${fn}: ${arg} must broadcast to one sample's shape [${sampleShape}], got [${mask.shape}]`);
    }
    perSample = false;
    target = [1, ...sampleShape];
  } else {
    throw new ShapeError(
      `${fn}: ${arg} must have the input's rank (${inputShape.length}) or one sample's rank (${inputShape.length - 1}), got shape [${mask.shape}]`,
    );
  }
  if (perSample && options.shared) {
    throw new ShapeError(`${fn}: ${arg} must be shared by all samples (shape [1, …] or one sample's shape), got [${mask.shape}]`);
  }
  const values = tf.tidy(() => tf.broadcastTo(tf.reshape(mask, mask.rank === inputShape.length ? mask.shape : [1, ...mask.shape]), target).dataSync());
  const rows = perSample ? n : 1;
  const groups: FeatureGroups[] = [];
  for (let r = 0; r < rows; r++) {
    const slice = values.subarray(r * d, (r + 1) * d);
    const unique = new Set<number>();
    for (let i = 0; i < d; i++) {
      const v = slice[i];
      if (!Number.isInteger(v)) throw new InvalidValueError(`${fn}: ${arg} must hold integers, got ${v}`);
      unique.add(v);
    }
    const sorted = [...unique].sort((a, b) => a - b);
    const index = new Map<number, number>(sorted.map((v, i) => [v, i]));
    const labels = new Int32Array(d);
    for (let i = 0; i < d; i++) labels[i] = index.get(slice[i]) as number;
    groups.push({ labels, count: sorted.length });
  }
  return perSample ? groups : new Array<FeatureGroups>(n).fill(groups[0]);
}

/** Checks a positive integer option. @internal */
export function checkPositiveInt(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new InvalidValueError(`${fn}: ${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

/** Checks a finite number option in an open/closed range. @internal */
export function checkNumber(fn: string, name: string, v: unknown, min: number, max: number, openMin = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v > max || v < min || (openMin && v === min)) {
    throw new InvalidValueError(`${fn}: ${name} must be a number in ${openMin ? '(' : '['}${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/** Checks the seed option. @internal */
export function checkSeed(fn: string, seed: unknown): number {
  const s = seed ?? 0;
  if (typeof s !== 'number' || !Number.isFinite(s)) throw new InvalidValueError(`${fn}: seed must be a finite number, got ${String(s)}`);
  return s;
}

/**
 * Row-major `[outSize, inSize]` matrix of bilinear (linear, 1-D) resampling with half-pixel centres
 * (`align_corners = false`, edge samples clamped), so `out = R · in`. Rows are convex weights.
 * @internal
 */
export function linearResampleMatrix(outSize: number, inSize: number): Float32Array {
  const r = new Float32Array(outSize * inSize);
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const src = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), inSize - 1);
    const i0 = Math.floor(src);
    const i1 = Math.min(i0 + 1, inSize - 1);
    const f = src - i0;
    r[i * inSize + i0] += 1 - f;
    r[i * inSize + i1] += f;
  }
  return r;
}

/**
 * Row-major `[n, n]` Gaussian smoothing matrix with standard deviation `sigma` (in samples),
 * truncated at the borders and renormalised so each row sums to 1. `sigma = 0` gives the identity.
 * @internal
 */
export function gaussianMatrix(n: number, sigma: number): Float32Array {
  const g = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    if (sigma <= 0) {
      g[i * n + i] = 1;
      continue;
    }
    let total = 0;
    for (let j = 0; j < n; j++) total += Math.exp(-((i - j) ** 2) / (2 * sigma * sigma));
    for (let j = 0; j < n; j++) g[i * n + j] = Math.exp(-((i - j) ** 2) / (2 * sigma * sigma)) / total;
  }
  return g;
}

/** Product of two row-major matrices `[p, q]·[q, r]` (small, float32). @internal */
export function matMulJs(a: Float32Array, b: Float32Array, p: number, q: number, r: number): Float32Array {
  const out = new Float32Array(p * r);
  for (let i = 0; i < p; i++) {
    for (let k = 0; k < q; k++) {
      const v = a[i * q + k];
      if (v === 0) continue;
      for (let j = 0; j < r; j++) out[i * r + j] += v * b[k * r + j];
    }
  }
  return out;
}

/**
 * Applies `Ay · X · Axᵀ` to every `[h, w]` plane of `x` `[B, h, w]`, giving `[B, H, W]`
 * (differentiable: matMul, reshape and transpose only, so it runs on every backend).
 * @param ay - `[H, h]`
 * @param ax - `[W, w]`
 * @internal
 */
export function applySeparable(x: tf.Tensor, ay: tf.Tensor2D, ax: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [bsz, h, w] = x.shape;
    const bigH = ay.shape[0];
    const bigW = ax.shape[0];
    const rowsDone = tf.reshape(tf.matMul(tf.reshape(x, [bsz * h, w]), ax, false, true), [bsz, h, bigW]);
    const t = tf.reshape(tf.transpose(rowsDone, [0, 2, 1]), [bsz * bigW, h]);
    const colsDone = tf.reshape(tf.matMul(t, ay, false, true), [bsz, bigW, bigH]);
    return tf.transpose(colsDone, [0, 2, 1]) as tf.Tensor3D;
  });
}

/**
 * Applies separable matrices over the spatial axes of an NHWC tensor `[N, h, w, C]` → `[N, H, W, C]`.
 * @internal
 */
export function applySeparableNhwc(x: tf.Tensor, ay: tf.Tensor2D, ax: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const planes = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n * c, h, w]);
    const out = applySeparable(planes, ay, ax);
    return tf.transpose(tf.reshape(out, [n, c, ay.shape[0], ax.shape[0]]), [0, 2, 3, 1]) as tf.Tensor4D;
  });
}

/** What a coalition-based solver returns for one sample. @internal */
export interface GroupSolution {
  /** One value per feature group. */
  phi: Float64Array;
  /** v(all groups) = f(x). */
  vFull: number;
  /** v(no group) = f(b). */
  vEmpty: number;
}

/**
 * Runs a coalition-based attribution (the Shapley family) over a batch: resolves the feature mask and
 * baselines, hands each sample's groups and a coalition evaluator to `solve`, spreads each group's
 * value over its elements (every element of a group gets the group's value, as Captum) and returns
 * `delta_n = Σ_g φ_g − (f(x_n) − f(b_n))`. `prepare` sees every sample's groups before any model
 * evaluation (for validation at the boundary).
 * @internal
 */
export async function attributeGroups(
  fn: string,
  model: AttributionModel,
  input: tf.Tensor,
  options: { target?: Target; baselines?: Baseline; featureMask?: tf.Tensor },
  batchSize: number,
  prepare: (groups: FeatureGroups[]) => void,
  solve: (
    groups: FeatureGroups,
    evaluate: (coalitions: Uint8Array) => Promise<Float32Array>,
    sample: number,
  ) => Promise<GroupSolution>,
): Promise<{ attributions: tf.Tensor; delta: tf.Tensor1D }> {
  const n = input.shape[0];
  checkTarget(fn, options.target, n);
  const groups = resolveFeatureMask(fn, options.featureMask, input.shape);
  prepare(groups);
  const d = sampleSize(input.shape);
  const baseline = resolveBaseline(options.baselines, input, fn);
  const out = new Float32Array(n * d);
  const delta = new Float32Array(n);
  try {
    for (let i = 0; i < n; i++) {
      const xi = tf.slice(input, i, 1);
      const bi = tf.slice(baseline, i, 1);
      try {
        const g = groups[i];
        const sol = await solve(g, (c) => evaluateCoalitions(model, xi, bi, g, c, batchSize, options.target, i, fn), i);
        let sum = 0;
        for (let m = 0; m < g.count; m++) sum += sol.phi[m];
        delta[i] = sum - (sol.vFull - sol.vEmpty);
        for (let e = 0; e < d; e++) out[i * d + e] = sol.phi[g.labels[e]];
      } finally {
        xi.dispose();
        bi.dispose();
      }
    }
  } finally {
    baseline.dispose();
  }
  return { attributions: tf.tensor(out, input.shape, 'float32'), delta: tf.tensor1d(delta, 'float32') };
}

/** State of one Adam optimiser over a single parameter tensor. @internal */
export interface AdamState {
  param: tf.Tensor;
  m: tf.Tensor;
  v: tf.Tensor;
  t: number;
}

/**
 * One Adam step (Kingma & Ba, arXiv:1412.6980; β₁ = 0.9, β₂ = 0.999, ε = 1e-8, bias-corrected) on
 * `state`, given the gradient; optionally clips the new parameter to `[lo, hi]`. Disposes the old
 * tensors of the state and returns the new state.
 * @internal
 */
export function adamStep(state: AdamState, grad: tf.Tensor, lr: number, clip?: [number, number]): AdamState {
  const b1 = 0.9;
  const b2 = 0.999;
  const t = state.t + 1;
  const [param, m, v] = tf.tidy(() => {
    const m1 = tf.add(tf.mul(state.m, b1), tf.mul(grad, 1 - b1));
    const v1 = tf.add(tf.mul(state.v, b2), tf.mul(tf.square(grad), 1 - b2));
    const mHat = tf.div(m1, 1 - b1 ** t);
    const vHat = tf.div(v1, 1 - b2 ** t);
    let p = tf.sub(state.param, tf.div(tf.mul(mHat, lr), tf.add(tf.sqrt(vHat), 1e-8)));
    if (clip) p = tf.clipByValue(p, clip[0], clip[1]);
    return [p, m1, v1];
  });
  state.param.dispose();
  state.m.dispose();
  state.v.dispose();
  return { param, m, v, t };
}

/** A fresh Adam state for `param` (takes ownership of it). @internal */
export function adamInit(param: tf.Tensor): AdamState {
  return { param, m: tf.zerosLike(param), v: tf.zerosLike(param), t: 0 };
}

/** Disposes every tensor of an Adam state. @internal */
export function adamDispose(state: AdamState): void {
  state.param.dispose();
  state.m.dispose();
  state.v.dispose();
}
