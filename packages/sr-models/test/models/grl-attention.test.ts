/**
 * GRL's two attention branches against naive computations of their definitions (arXiv 2303.00748,
 * ofsoundof/GRL-Image-Restoration `mixed_attn_block_efficient.py`), written independently of the
 * implementation: dense loops over every token pair in the un-rolled image, pairs that the shift
 * mask separates excluded outright (the reference adds −100, which the chosen logit scales make
 * negligible: e^−64 relative), and the position bias evaluated by the CPB MLP on each pair's
 * relative coordinate directly (no table, no index).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, type StateDict } from '@lab/tensor';
import { expect, it } from 'vitest';
import { GrlAnchorStripeAttention } from '../../src/models/grl/grl-anchor-stripe-attention';
import {
  grlStripeGeometry,
  grlWindowGeometry,
  relativeCoordsTable,
  relativePositionIndex,
  shiftRegionLabels,
} from '../../src/models/grl/grl-geometry';
import { GrlWindowAttention } from '../../src/models/grl/grl-window-attention';
import { describeBackends, expectTensorDelta } from './sr-test-utils';

/** Parameters of one `AffineTransform` read back in PyTorch layout. */
interface Transform {
  scale: number[]; // exp(min(logit_scale, ln 100)) per head
  w1: Float32Array; // [512, 2]
  b1: Float32Array; // [512]
  w2: Float32Array; // [heads, 512]
}

function readTransform(sd: StateDict, prefix: string, heads: number): Transform {
  const ls = sd[`${prefix}.logit_scale`].dataSync();
  return {
    scale: Array.from({ length: heads }, (_, h) => Math.exp(Math.min(ls[h], Math.log(100)))),
    w1: sd[`${prefix}.cpb_mlp.0.weight`].dataSync() as Float32Array,
    b1: sd[`${prefix}.cpb_mlp.0.bias`].dataSync() as Float32Array,
    w2: sd[`${prefix}.cpb_mlp.2.weight`].dataSync() as Float32Array,
  };
}

/** `16·σ(cpb([g(c0/n0), g(c1/n1)]))` for head `h`, with g(x) = sign(8x)·log2(|8x| + 1)/3. */
function cpbBias(t: Transform, h: number, c: [number, number], norm: [number, number]): number {
  const g = (x: number) => (Math.sign(x) * Math.log2(Math.abs(8 * x) + 1)) / 3;
  const u0 = g(c[0] / norm[0]);
  const u1 = g(c[1] / norm[1]);
  let o = 0;
  for (let k = 0; k < 512; k++) {
    const hid = t.w1[2 * k] * u0 + t.w1[2 * k + 1] * u1 + t.b1[k];
    if (hid > 0) o += t.w2[h * 512 + k] * hid;
  }
  return 16 / (1 + Math.exp(-o));
}

/** Softmax-weighted sum: `Σ_j softmax(logits)_j · values[j]`. */
function softmaxSum(logits: number[], values: number[][]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const z = e.reduce((a, b) => a + b, 0);
  const out = new Array<number>(values[0].length).fill(0);
  e.forEach((w, j) => values[j].forEach((v, c) => (out[c] += (w / z) * v)));
  return out;
}

function cosine(a: number[], b: number[]): number {
  const n = (v: number[]) => Math.max(Math.sqrt(v.reduce((s, x) => s + x * x, 0)), 1e-12);
  return a.reduce((s, x, i) => s + x * b[i], 0) / (n(a) * n(b));
}

/** Position of a token after `roll(−shift)`, its window, local coordinates and wrap flags. */
function place(y: number, x: number, res: [number, number], win: [number, number], shift: [number, number]) {
  const ry = (((y - shift[0]) % res[0]) + res[0]) % res[0];
  const rx = (((x - shift[1]) % res[1]) + res[1]) % res[1];
  return {
    id: `${Math.floor(ry / win[0])},${Math.floor(rx / win[1])}`,
    local: [ry % win[0], rx % win[1]] as [number, number],
    wrap: `${y < shift[0]},${x < shift[1]}`,
  };
}

/** Channel vector `[off + h·d, off + (h + 1)·d)` of pixel (b, y, x) of an NHWC array. */
function vec(a: Float32Array, shape: number[], b: number, y: number, x: number, off: number, d: number): number[] {
  const [, hh, ww, c] = shape;
  const base = ((b * hh + y) * ww + x) * c + off;
  return Array.from(a.subarray(base, base + d));
}

/** Window attention by its definition (see the file comment). */
function naiveWindow(qkv: tf.Tensor, heads: number, win: number, shift: number, t: Transform): Float32Array {
  const [bs, hh, ww, c3] = qkv.shape;
  const c = c3 / 3;
  const d = c / heads;
  const a = qkv.dataSync() as Float32Array;
  const out = new Float32Array(bs * hh * ww * c);
  const res: [number, number] = [hh, ww];
  const tokens: { y: number; x: number; p: ReturnType<typeof place> }[] = [];
  for (let y = 0; y < hh; y++) for (let x = 0; x < ww; x++) tokens.push({ y, x, p: place(y, x, res, [win, win], [shift, shift]) });
  for (let b = 0; b < bs; b++) {
    for (let h = 0; h < heads; h++) {
      for (const i of tokens) {
        const q = vec(a, qkv.shape, b, i.y, i.x, h * d, d);
        const logits: number[] = [];
        const values: number[][] = [];
        for (const j of tokens) {
          if (j.p.id !== i.p.id || (shift > 0 && j.p.wrap !== i.p.wrap)) continue;
          const k = vec(a, qkv.shape, b, j.y, j.x, c + h * d, d);
          const rel: [number, number] = [i.p.local[0] - j.p.local[0], i.p.local[1] - j.p.local[1]];
          logits.push(cosine(q, k) * t.scale[h] + cpbBias(t, h, rel, [win - 1, win - 1]));
          values.push(vec(a, qkv.shape, b, j.y, j.x, 2 * c + h * d, d));
        }
        const o = softmaxSum(logits, values);
        out.set(o, ((b * hh + i.y) * ww + i.x) * c + h * d);
      }
    }
  }
  return out;
}

/** Anchored stripe attention by its definition (see the file comment). */
function naiveStripe(
  qkv: tf.Tensor,
  anchor: tf.Tensor,
  heads: number,
  stripe: [number, number],
  df: number,
  shifted: boolean,
  t1: Transform,
  t2: Transform,
): Float32Array {
  const [bs, hh, ww, c3] = qkv.shape;
  const c = c3 / 3;
  const d = c / heads;
  const a = qkv.dataSync() as Float32Array;
  const an = anchor.dataSync() as Float32Array;
  const as: [number, number] = [stripe[0] / df, stripe[1] / df];
  const shift: [number, number] = shifted ? [stripe[0] / 2, stripe[1] / 2] : [0, 0];
  const ashift: [number, number] = [shift[0] / df, shift[1] / df];
  // Per axis: a2w coordinate (a − t) + ⌈(s − as)/2⌉, w2a coordinate (t − a) − ⌊(s − as)/2⌋, both
  // divided by (s − 1) − ⌊(s − as)/2⌋ (get_relative_coords_table_all with the _simple indices).
  const lo = [0, 1].map((i) => Math.floor((stripe[i] - as[i]) / 2));
  const hi = [0, 1].map((i) => Math.ceil((stripe[i] - as[i]) / 2));
  const norm: [number, number] = [stripe[0] - 1 - lo[0], stripe[1] - 1 - lo[1]];
  const tokens: { y: number; x: number; p: ReturnType<typeof place> }[] = [];
  for (let y = 0; y < hh; y++) for (let x = 0; x < ww; x++) tokens.push({ y, x, p: place(y, x, [hh, ww], stripe, shift) });
  const anchors: { y: number; x: number; p: ReturnType<typeof place> }[] = [];
  for (let y = 0; y < hh / df; y++) for (let x = 0; x < ww / df; x++) anchors.push({ y, x, p: place(y, x, [hh / df, ww / df], as, ashift) });
  const out = new Float32Array(bs * hh * ww * c);
  const together = (u: (typeof anchors)[0], p: (typeof tokens)[0]) => u.p.id === p.p.id && (!shifted || u.p.wrap === p.p.wrap);
  for (let b = 0; b < bs; b++) {
    for (let h = 0; h < heads; h++) {
      // Step 1: each anchor attends over its stripe's keys and values.
      const ys = anchors.map((u) => {
        const av = vec(an, anchor.shape, b, u.y, u.x, h * d, d);
        const logits: number[] = [];
        const values: number[][] = [];
        for (const p of tokens) {
          if (!together(u, p)) continue;
          const k = vec(a, qkv.shape, b, p.y, p.x, c + h * d, d);
          const rel: [number, number] = [u.p.local[0] - p.p.local[0] + hi[0], u.p.local[1] - p.p.local[1] + hi[1]];
          logits.push(cosine(av, k) * t1.scale[h] + cpbBias(t1, h, rel, norm));
          values.push(vec(a, qkv.shape, b, p.y, p.x, 2 * c + h * d, d));
        }
        return softmaxSum(logits, values);
      });
      // Step 2: each token attends over its stripe's anchors, with the step-1 results as values.
      for (const p of tokens) {
        const q = vec(a, qkv.shape, b, p.y, p.x, h * d, d);
        const logits: number[] = [];
        const values: number[][] = [];
        anchors.forEach((u, ui) => {
          if (!together(u, p)) return;
          const rel: [number, number] = [p.p.local[0] - u.p.local[0] - lo[0], p.p.local[1] - u.p.local[1] - lo[1]];
          logits.push(cosine(q, vec(an, anchor.shape, b, u.y, u.x, h * d, d)) * t2.scale[h] + cpbBias(t2, h, rel, norm));
          values.push(ys[ui]);
        });
        out.set(softmaxSum(logits, values), ((b * hh + p.y) * ww + p.x) * c + h * d);
      }
    }
  }
  return out;
}

/** Gives a module's parameters seeded values large enough that the position bias varies. */
function randomiseTransforms(m: GrlWindowAttention | GrlAnchorStripeAttention, seed: number, logitScales: number[]): void {
  const rng = new Rng(seed);
  const sd = m.stateDict();
  const dict: StateDict = {};
  try {
    for (const [k, v] of Object.entries(sd)) {
      if (k.endsWith('logit_scale')) dict[k] = tf.tensor(logitScales, v.shape);
      else {
        const vals = Float32Array.from({ length: v.size }, () => (rng.next() * 2 - 1) * (k.endsWith('2.weight') ? 0.15 : 1.5));
        dict[k] = tf.tensor(vals, v.shape);
      }
    }
    m.loadStateDict(dict);
  } finally {
    tf.dispose([...Object.values(sd), ...Object.values(dict)]);
  }
}

function seededTensor(shape: number[], seed: number): tf.Tensor {
  const rng = new Rng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => rng.next() * 2 - 1), shape);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describeBackends('GRL geometry', () => {
  it('builds the 2×2-window table and index by hand: coordinates ±log2(9)/3, Swin indices', () => {
    // Coordinates −1, 0, 1 divided by (2 − 1), ×8, sign·log2(|x| + 1)/log2 8 → ±1.05664, 0.
    const g = Math.log2(9) / 3;
    const t = relativeCoordsTable([2, 2], 1);
    expect(t.rows).toBe(9);
    const expected = [-g, -g, -g, 0, -g, g, 0, -g, 0, 0, 0, g, g, -g, g, 0, g, g];
    expect(maxAbsDiff(t.data, expected)).toBeLessThan(1e-6);
    // (Δy + 1)·3 + (Δx + 1) for query − key, tokens (0,0), (0,1), (1,0), (1,1).
    expect(Array.from(relativePositionIndex([2, 2], 1, true))).toEqual([4, 3, 1, 0, 5, 4, 2, 1, 7, 6, 4, 3, 8, 7, 5, 4]);
  });

  it('labels the 9 shift regions of a 4×4 map (window 2, shift 1) per window', () => {
    // Rows [0, 2) → 0, [2, 3) → 1, [3, 4) → 2; columns likewise; label = 3·row + column.
    const l = Array.from(shiftRegionLabels([4, 4], [2, 2], [1, 1]));
    expect(l).toEqual([0, 0, 0, 0, 1, 2, 1, 2, 3, 3, 6, 6, 4, 5, 7, 8]);
  });
});

describeBackends('GrlWindowAttention', () => {
  for (const shifted of [false, true]) {
    it(`equals the naive masked window attention on qkv=[2,8,12,12] heads=2 win=4 shift=${shifted ? 2 : 0} within 2e-5`, async () => {
      const m = new GrlWindowAttention(2);
      const qkv = seededTensor([2, 8, 12, 12], 11);
      try {
        randomiseTransforms(m, 5, [Math.log(10), 1.3]);
        const sd = m.stateDict();
        const t = readTransform(sd, 'attn_transform', 2);
        tf.dispose(Object.values(sd));
        const y = await expectTensorDelta(() => tf.tidy(() => m.call(qkv, grlWindowGeometry([8, 12], [4, 4], shifted))), 1);
        expect(y.shape).toEqual([2, 8, 12, 4]);
        const err = maxAbsDiff(y.dataSync(), naiveWindow(qkv, 2, 4, shifted ? 2 : 0, t));
        y.dispose();
        expect(err).toBeLessThan(2e-5);
      } finally {
        qkv.dispose();
        m.dispose();
      }
    });
  }

  it('clamps the logit scale at ln 100: logit_scale 5 acts as ln 100', () => {
    const m = new GrlWindowAttention(2);
    const qkv = seededTensor([1, 4, 4, 6], 3);
    try {
      randomiseTransforms(m, 6, [5, 0.5]);
      const sd = m.stateDict();
      const t = readTransform(sd, 'attn_transform', 2);
      tf.dispose(Object.values(sd));
      expect(t.scale[0]).toBeCloseTo(100, 10);
      const y = tf.tidy(() => m.call(qkv, grlWindowGeometry([4, 4], [4, 4], false)));
      const err = maxAbsDiff(y.dataSync(), naiveWindow(qkv, 2, 4, 0, t));
      y.dispose();
      expect(err).toBeLessThan(1e-4);
    } finally {
      qkv.dispose();
      m.dispose();
    }
  });

  it('rejects a qkv whose channels do not split into 3 × heads by name', () => {
    const m = new GrlWindowAttention(2);
    const qkv = tf.zeros([1, 4, 4, 9]);
    try {
      expect(() => tf.tidy(() => m.call(qkv, grlWindowGeometry([4, 4], [4, 4], false)))).toThrow(/GrlWindowAttention: qkv must be/);
    } finally {
      qkv.dispose();
      m.dispose();
    }
  });
});

describeBackends('GrlAnchorStripeAttention', () => {
  const cases: { stripe: [number, number]; shifted: boolean }[] = [
    { stripe: [4, 8], shifted: false },
    { stripe: [4, 8], shifted: true },
    { stripe: [8, 4], shifted: true },
  ];
  for (const { stripe, shifted } of cases) {
    it(`equals the naive two-step anchor attention on qkv=[2,8,8,12] stripe=[${stripe}] df=2 shift=${shifted} within 2e-5`, async () => {
      const m = new GrlAnchorStripeAttention(2);
      const qkv = seededTensor([2, 8, 8, 12], 21);
      const anchor = seededTensor([2, 4, 4, 4], 22);
      try {
        randomiseTransforms(m, 9, [Math.log(10), 1.1]);
        const sd = m.stateDict();
        const t1 = readTransform(sd, 'attn_transform1', 2);
        const t2 = readTransform(sd, 'attn_transform2', 2);
        tf.dispose(Object.values(sd));
        const y = await expectTensorDelta(() => tf.tidy(() => m.call(qkv, anchor, grlStripeGeometry([8, 8], stripe, 2, shifted))), 1);
        expect(y.shape).toEqual([2, 8, 8, 4]);
        const err = maxAbsDiff(y.dataSync(), naiveStripe(qkv, anchor, 2, stripe, 2, shifted, t1, t2));
        y.dispose();
        expect(err).toBeLessThan(2e-5);
      } finally {
        tf.dispose([qkv, anchor]);
        m.dispose();
      }
    });
  }

  it('rejects an anchor map of the wrong size by name', () => {
    const m = new GrlAnchorStripeAttention(2);
    const qkv = tf.zeros([1, 8, 8, 12]);
    const anchor = tf.zeros([1, 8, 8, 4]);
    try {
      expect(() => tf.tidy(() => m.call(qkv, anchor, grlStripeGeometry([8, 8], [4, 8], 2, false)))).toThrow(/GrlAnchorStripeAttention: .*anchor/);
    } finally {
      tf.dispose([qkv, anchor]);
      m.dispose();
    }
  });
});
