import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Rng, ShapeError, imageToTensor, initBackend } from '@lab/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIAOSR_DEFAULTS, CiaoSr, type CiaoSrOptions } from '../../src/models/ciaosr/ciaosr';
import { CrossScaleAttention } from '../../src/models/ciaosr/cross-scale-attention';
import { gridSampleBilinear, gridSampleNearest, makeCoord } from '../../src/models/ciaosr/grid-sample';
import { imresizeTensor } from '../../src/eval/imresize';
import { describeSet5, readSet5 } from '../fixtures/set5';
import { describeBackends, expectTensorDelta, torchShapes } from './sr-test-utils';

/** A CiaoSR small enough for the cpu backend: EDSR encoder 8 channels, 1 block, MLPs 2×16. */
const TINY: CiaoSrOptions = Object.freeze({
  encoder: 'edsr-baseline',
  channels: 8,
  numBlocks: 1,
  hiddenDim: 16,
  hiddenLayers: 2,
});

function tiny(options: CiaoSrOptions = {}): CiaoSr {
  return new CiaoSr({ ...TINY, rng: new Rng(7), ...options }).eval();
}

/** A deterministic `[n, h, w, 3]` image in [0, 1]. */
function image(n: number, h: number, w: number): tf.Tensor4D {
  const v = new Float32Array(n * h * w * 3);
  for (let i = 0; i < v.length; i++) v[i] = 0.5 + 0.45 * Math.sin(0.61 * i + 0.2);
  return tf.tensor4d(v, [n, h, w, 3]);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

/** `[1, q, 2]` cells `(2/H, 2/W)` for q queries. */
function uniformCells(q: number, outH: number, outW: number): tf.Tensor3D {
  return tf.tidy(() => tf.tile(tf.tensor3d([2 / outH, 2 / outW], [1, 1, 2]), [1, q, 1]) as tf.Tensor3D);
}

describeBackends('makeCoord / gridSampleNearest / gridSampleBilinear', () => {
  it('makeCoord(2, 4) gives the pixel centres −1 + (2i + 1)/n, row-major (y, x)', async () => {
    const c = await expectTensorDelta(() => makeCoord(2, 4), 1);
    // rows: −1 + 1/2 = −0.5, 0.5; columns: −1 + 1/4 = −0.75, −0.25, 0.25, 0.75
    expect(Array.from(c.dataSync())).toEqual([-0.5, -0.75, -0.5, -0.25, -0.5, 0.25, -0.5, 0.75, 0.5, -0.75, 0.5, -0.25, 0.5, 0.25, 0.5, 0.75]);
    c.dispose();
  });

  it('gridSampleNearest picks round(((c + 1)·n − 1)/2), ties to even, clamped (map 2×3)', async () => {
    // map[y][x] = 10y + x; coords (y, x):
    //   (−0.6, 0.4): y → (0.4·2 − 1)/2 = −0.1 → 0; x → (1.4·3 − 1)/2 = 1.6 → 2 → 2
    //   (0, 0): y → 0.5 → 0 (tie to even); x → 1 → 1 → 1
    //   (1, −1): y → 1.5 → 2 (tie to even) → clamped to 1; x → −0.5 → −0 → 0 → 10
    //   (0.5, −0.2): y → 1 → 1; x → (0.8·3 − 1)/2 = 0.7 → 1 → 11
    const map = tf.tensor4d([0, 1, 2, 10, 11, 12], [1, 2, 3, 1]);
    const coords = tf.tensor3d([[[-0.6, 0.4], [0, 0], [1, -1], [0.5, -0.2]]]);
    const v = await expectTensorDelta(() => gridSampleNearest(map, coords), 1);
    expect(v.shape).toEqual([1, 4, 1]);
    expect(Array.from(v.dataSync())).toEqual([2, 1, 10, 11]);
    tf.dispose([map, coords, v]);
  });

  it('gridSampleBilinear interpolates at ((c + 1)·n − 1)/2 with border clamping (map 2×3, 2 channels)', async () => {
    // channel 0: 10y + x, channel 1: −x
    const map = tf.tensor4d([0, 0, 1, -1, 2, -2, 10, 0, 11, -1, 12, -2], [1, 2, 3, 2]);
    // (0, 0): u = 0.5, v = 1 → 5 + 1 = 6, −1
    // (−1, −1): u = −0.5 → 0, v = −0.5 → 0 → 0, 0 (border)
    // (0.25, 0.9): u = (1.25·2 − 1)/2 = 0.75, v = (1.9·3 − 1)/2 = 2.35 → clamped 2 → 7.5 + 2 = 9.5, −2
    // (−0.5, −0.5): u = 0, v = (0.5·3 − 1)/2 = 0.25 → 0.25, −0.25
    const coords = tf.tensor3d([[[0, 0], [-1, -1], [0.25, 0.9], [-0.5, -0.5]]]);
    const v = await expectTensorDelta(() => gridSampleBilinear(map, coords), 1);
    const got = Array.from(v.dataSync());
    [6, -1, 0, 0, 9.5, -2, 0.25, -0.25].forEach((e, i) => expect(got[i]).toBeCloseTo(e, 5));
    tf.dispose([map, coords, v]);
  });

  it('sample each image of a batch at its own coordinates (n = 2)', () => {
    const map = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2, 1]);
    const coords = tf.tensor3d([[[-0.5, 0.5]], [[0.5, -0.5]]]);
    const v = gridSampleNearest(map, coords);
    expect(Array.from(v.dataSync())).toEqual([2, 7]); // image 0 (0, 1) = 2; image 1 (1, 0) = 7
    tf.dispose([map, coords, v]);
  });

  it('throw ShapeError naming coords for a bad shape or batch, InvalidValueError for a bad size', async () => {
    const map = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    const bad = tf.zeros([1, 3, 3]) as tf.Tensor3D;
    const batch = tf.zeros([2, 3, 2]) as tf.Tensor3D;
    await expect(expectTensorDelta(() => gridSampleNearest(map, bad))).rejects.toThrow(/gridSampleNearest: coords must have 2 channels/);
    await expect(expectTensorDelta(() => gridSampleBilinear(map, batch))).rejects.toThrow(ShapeError);
    expect(() => makeCoord(0, 2)).toThrow(/makeCoord: height must be a positive integer/);
    tf.dispose([map, bad, batch]);
  });
});

describe('CiaoSr (construction)', () => {
  beforeAll(() => initBackend());

  it('has the 23,402,566 parameters and reference keys of RDN-CiaoSR', () => {
    // Hand count (C 64, RDN 16×8, growth 64, MLPs 4×256, non-local ×2):
    //   RDN encoder: sfe1 1,792 + sfe2 36,928 + 16 RDBs × 1,364,544 + gff 65,600 + 36,928 = 21,973,952
    //   imnet_q 640→3: 164,096 + 3·65,792 + 771 = 362,243
    //   imnet_k 580→576: 148,736 + 197,376 + 148,032 = 494,144
    //   imnet_v 644→640: 165,120 + 197,376 + 164,480 = 526,976
    //   cs_attn: 2 × 2,080 + 4,160 + 36,928 + 3 PReLU slopes = 45,251
    expect(21973952 + 362243 + 494144 + 526976 + 45251).toBe(23402566);
    const net = new CiaoSr();
    try {
      expect(net.numParameters()).toBe(23402566);
      const shapes = Object.fromEntries(torchShapes(net));
      expect(Object.keys(shapes)).toHaveLength(2 + 2 + 16 * (8 * 2 + 2) + 4 + 3 * 10 + 1 + 3 * 3 + 2);
      expect(shapes['sfe1.weight']).toEqual([64, 3, 3, 3]);
      expect(shapes['rdbs.15.layers.7.conv.weight']).toEqual([64, 64 + 7 * 64, 3, 3]);
      expect(shapes['rdbs.0.lff.weight']).toEqual([64, 576, 1, 1]);
      expect(shapes['gff.0.weight']).toEqual([64, 1024, 1, 1]);
      expect(shapes['gff.1.bias']).toEqual([64]);
      expect(shapes['imnet_q.layers.0.weight']).toEqual([256, 640]);
      expect(shapes['imnet_q.layers.8.weight']).toEqual([3, 256]);
      expect(shapes['imnet_k.layers.0.weight']).toEqual([256, 580]);
      expect(shapes['imnet_k.layers.8.bias']).toEqual([576]);
      expect(shapes['imnet_v.layers.0.weight']).toEqual([256, 644]);
      expect(shapes['imnet_v.layers.8.weight']).toEqual([640, 256]);
      expect(shapes['cs_attn.escape_NaN']).toEqual([1]);
      expect(shapes['cs_attn.conv_match_1.0.weight']).toEqual([32, 64, 1, 1]);
      expect(shapes['cs_attn.conv_match_2.1.weight']).toEqual([1]);
      expect(shapes['cs_attn.conv_assembly.0.weight']).toEqual([64, 64, 1, 1]);
      expect(shapes['cs_attn.down.weight']).toEqual([64, 64, 3, 3]);
      expect([net.scale, net.nativeRange, net.range, net.minInputSize]).toEqual([4, '0-1', '0-1', 2]);
    } finally {
      net.dispose();
    }
  });

  it('has the 2,649,030 parameters of EDSR-baseline-CiaoSR (encoder 1,220,416)', () => {
    // conv_first 1,792 + 16 × 2 × 36,928 + conv_after_body 36,928 = 1,220,416; decoder as above 1,428,614.
    expect(1792 + 32 * 36928 + 36928 + 362243 + 494144 + 526976 + 45251).toBe(2649030);
    const net = new CiaoSr({ encoder: 'edsr-baseline' });
    try {
      expect(net.numParameters()).toBe(2649030);
      const keys = torchShapes(net).map(([k]) => k);
      expect(keys).toContain('conv_first.weight');
      expect(keys).toContain('body.15.conv2.bias');
      expect(keys).toContain('conv_after_body.weight');
      expect(keys.some((k) => k.startsWith('encoder.'))).toBe(false);
    } finally {
      net.dispose();
    }
  });

  it('rejects unknown options and bad values with InvalidValueError naming them', () => {
    expect(() => new CiaoSr({ ...TINY, scale: 0 })).toThrow(/CiaoSr: scale must be a finite number > 0, got 0/);
    expect(() => new CiaoSr({ ...TINY, scale: Number.NaN })).toThrow(InvalidValueError);
    expect(() => new CiaoSr({ ...TINY, nonLocalScale: 5 })).toThrow(/nonLocalScale must be one of 0, 2, 3, 4/);
    expect(() => new CiaoSr({ ...TINY, queryBatchSize: 0 })).toThrow(/queryBatchSize must be a positive integer/);
    expect(() => new CiaoSr({ ...TINY, encoder: 'swinir' as 'rdn' })).toThrow(/encoder must be one of rdn, edsr-baseline/);
    expect(() => new CiaoSr({ ...TINY, scales: 2 } as CiaoSrOptions)).toThrow(InvalidValueError);
    expect(() => new CiaoSr({ ...TINY, rgbMean: [0.5, 0.5] as unknown as [number, number, number] })).toThrow(/rgbMean must be three finite numbers/);
  });

  it('outputSize rounds h·scale half to even as Python round (5 × 2.5 = 12.5 → 12, 7 × 2.5 = 17.5 → 18)', () => {
    const net = tiny({ scale: 2.5 });
    try {
      expect(net.outputSize(5, 7)).toEqual([12, 18]);
      expect(net.outputSize(48, 48, 3.7)).toEqual([178, 178]); // 177.6
      expect(net.outputSize(3, 1, 0.2)).toEqual([1, 1]); // 0.6 → 1, 0.2 → 0, at least 1
      expect(CIAOSR_DEFAULTS.scale).toBe(4);
    } finally {
      net.dispose();
    }
  });
});

describeBackends('CiaoSr (tiny)', (backend) => {
  let net: CiaoSr;
  let lr: tf.Tensor4D;
  beforeAll(() => {
    net = tiny();
    lr = image(1, 6, 5);
  });
  afterAll(() => {
    net.dispose();
    lr.dispose();
  });

  it('call gives round(h·s) × round(w·s) for s = 2, 2.5, 3.7, 6, 12 and frees everything else', async () => {
    // 6×5 input: ×2 → 12×10; ×2.5 → 15×12 (12.5 → 12); ×3.7 → 22×18 (22.2, 18.5 → 18); ×6 → 36×30; ×12 → 72×60
    const cases: [number, [number, number]][] = [
      [2, [12, 10]],
      [2.5, [15, 12]],
      [3.7, [22, 18]],
      [6, [36, 30]],
      [12, [72, 60]],
    ];
    for (const [s, size] of backend === 'cpu' ? cases.slice(0, 3) : cases) {
      const m = tiny({ scale: s });
      const y = await expectTensorDelta(() => m.call(lr), 1);
      expect(y.shape, `scale ${s}`).toEqual([1, ...size, 3]);
      expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
      y.dispose();
      m.dispose();
    }
  });

  it('upscaleTo renders different vertical and horizontal factors (6×5 → 13×29, ×2.17 and ×5.8)', async () => {
    const y = await expectTensorDelta(() => net.upscaleTo(lr, { height: 13, width: 29 }), 1);
    expect(y.shape).toEqual([1, 13, 29, 3]);
    y.dispose();
  });

  it('queryRgb at the pixel centres (makeCoord, cell 2/H) equals the grid of upscaleTo at ×3 within 1e-6', async () => {
    const grid = net.upscaleTo(lr, { height: 18, width: 15 });
    const coords = tf.tidy(() => tf.expandDims(makeCoord(18, 15), 0) as tf.Tensor3D);
    const cells = uniformCells(18 * 15, 18, 15);
    const q = await expectTensorDelta(() => net.queryRgb(lr, coords, cells), 1);
    expect(q.shape).toEqual([1, 270, 3]);
    const flat = tf.reshape(grid, [1, 270, 3]);
    expect(maxAbsDiff(q, flat)).toBeLessThanOrEqual(1e-6);
    tf.dispose([grid, coords, cells, q, flat]);
  });

  it('queryRgb equals a per-query loop over the reference decoder (4 shifted cells, rel·(h, w), cell·(h, w), softmax) within 1e-4', async () => {
    const pts = [
      [0.13, -0.71, 2 / 11, 2 / 13],
      [-0.97, 0.88, 0.3, 0.05],
      [0.5, 0.02, 2 / 24, 2 / 20],
    ];
    const coords = tf.tensor3d([pts.map((p) => [p[0], p[1]])]);
    const cells = tf.tensor3d([pts.map((p) => [p[2], p[3]])]);
    const got = await expectTensorDelta(() => net.queryRgb(lr, coords, cells), 1);
    const expected = naiveQuery(net, lr, pts);
    const g = got.dataSync();
    expected.forEach((e, i) => expect(Math.abs(g[i] - e), `value ${i}`).toBeLessThanOrEqual(1e-4));
    tf.dispose([coords, cells, got]);
  });

  it('decodes the same under a gradient tape (tf.gather path) as in inference (row-copy path), within 1e-6', () => {
    const coords = tf.tidy(() => tf.expandDims(makeCoord(9, 7), 0) as tf.Tensor3D);
    const cells = uniformCells(63, 9, 7);
    const plain = net.queryRgb(lr, coords, cells);
    let taped: tf.Tensor | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const y = net.queryRgb(lr, coords, cells);
      taped = tf.keep(tf.clone(y));
      return tf.sum(y) as tf.Scalar;
    }, net.parameters());
    expect(maxAbsDiff(taped as unknown as tf.Tensor, plain)).toBeLessThanOrEqual(1e-6);
    // the encoder's first conv receives a gradient through the gathered features
    expect(Object.keys(grads)).toContain(net.encoder.parameters()[0].name);
    tf.dispose([coords, cells, plain, value, taped as unknown as tf.Tensor, ...Object.values(grads)]);
  });

  it('gives the same result for query batches of 7, 64 and all at once (within 1e-6)', () => {
    const all = net.upscaleTo(lr, { height: 12, width: 10 }, { queryBatchSize: 100000 });
    for (const b of [7, 64]) {
      const y = net.upscaleTo(lr, { height: 12, width: 10 }, { queryBatchSize: b });
      expect(maxAbsDiff(y, all), `batch ${b}`).toBeLessThanOrEqual(1e-6);
      y.dispose();
    }
    const coords = tf.tidy(() => tf.expandDims(makeCoord(12, 10), 0) as tf.Tensor3D);
    const cells = uniformCells(120, 12, 10);
    const q1 = net.queryRgb(lr, coords, cells, { queryBatchSize: 13 });
    const q2 = net.queryRgb(lr, coords, cells);
    expect(maxAbsDiff(q1, q2)).toBeLessThanOrEqual(1e-6);
    tf.dispose([all, coords, cells, q1, q2]);
  });

  it('tiles as clip_test: a tile as large as the image changes nothing; pixels seen by one tile equal that tile alone', async () => {
    const big = image(1, 10, 10);
    const whole = net.upscaleTo(big, { height: 20, width: 20 });
    const sameTile = net.upscaleTo(big, { height: 20, width: 20 }, { tileSize: 10, tileOverlap: 2 });
    expect(maxAbsDiff(sameTile, whole)).toBe(0);
    // tile 6, overlap 2 → starts 0, 4 on each axis; output rows 0..7 lie only in the first tile.
    const tiled = await expectTensorDelta(() => net.upscaleTo(big, { height: 20, width: 20 }, { tileSize: 6, tileOverlap: 2 }), 1);
    const crop = tf.slice(big, [0, 0, 0, 0], [1, 6, 6, 3]);
    const first = net.upscaleTo(crop, { height: 12, width: 12 });
    const a = tf.slice(tiled, [0, 0, 0, 0], [1, 8, 8, 3]);
    const b = tf.slice(first, [0, 0, 0, 0], [1, 8, 8, 3]);
    expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-6);
    // Row 9 (LR centre 4.75) lies in both tiles: the mean of the two decodings.
    expect(maxAbsDiff(tiled, whole)).toBeGreaterThan(0);
    tf.dispose([big, whole, sameTile, tiled, crop, first, a, b]);
  });

  it('handles a batch of two images like two single images (within 1e-6)', () => {
    const two = image(2, 6, 5);
    const y = net.upscaleTo(two, { height: 9, width: 11 });
    for (let b = 0; b < 2; b++) {
      const one = tf.slice(two, [b, 0, 0, 0], [1, -1, -1, -1]);
      const yb = net.upscaleTo(one, { height: 9, width: 11 });
      const sb = tf.slice(y, [b, 0, 0, 0], [1, -1, -1, -1]);
      expect(maxAbsDiff(sb, yb), `image ${b}`).toBeLessThanOrEqual(1e-6);
      tf.dispose([one, yb, sb]);
    }
    tf.dispose([two, y]);
  });

  it("range '0-255' gives 255 × the '0-1' output for 255 × the input", () => {
    const m255 = tiny({ range: '0-255' });
    const x255 = tf.mul(lr, 255);
    const a = m255.upscaleTo(x255, { height: 7, width: 8 });
    const b = net.upscaleTo(lr, { height: 7, width: 8 });
    const b255 = tf.mul(b, 255);
    expect(maxAbsDiff(a, b255)).toBeLessThanOrEqual(1e-3);
    tf.dispose([x255, a, b, b255]);
    m255.dispose();
  });

  it('throws typed errors naming the argument, without leaking tensors', async () => {
    const gray = tf.zeros([1, 6, 5, 1]);
    const small = tf.zeros([1, 1, 5, 3]);
    const coords = tf.zeros([1, 4, 2]);
    const outside = tf.fill([1, 4, 2], 1.5);
    const cells = tf.fill([1, 4, 2], 0.1);
    const zeroCells = tf.zeros([1, 4, 2]);
    const wrongQ = tf.fill([1, 3, 2], 0.1);
    const check = async (f: () => unknown, err: unknown, msg: RegExp) => {
      await expect(expectTensorDelta(f)).rejects.toThrow(err as typeof Error);
      await expect(expectTensorDelta(f)).rejects.toThrow(msg);
    };
    await check(() => net.upscaleTo(gray, { height: 8, width: 8 }), ShapeError, /CiaoSr.upscaleTo: lr must have 3 channels/);
    await check(() => net.upscaleTo(small, { height: 8, width: 8 }), ShapeError, /lr must be at least 2×2 pixels/);
    await check(() => net.upscaleTo(lr, { height: 0, width: 8 }), InvalidValueError, /size.height must be a positive integer/);
    await check(() => net.upscaleTo(lr, { height: 8, width: 8 }, { tileSize: 4, tileOverlap: 4 }), InvalidValueError, /tileOverlap must be smaller/);
    await check(() => net.upscaleTo(lr, { height: 8, width: 8 }, { batch: 3 } as never), InvalidValueError, /CiaoSr.upscaleTo/);
    await check(() => net.queryRgb(lr, outside, cells), InvalidValueError, /coords must lie in \[-1, 1\], got 1.5/);
    await check(() => net.queryRgb(lr, coords, zeroCells), InvalidValueError, /cells must be finite and > 0/);
    await check(() => net.queryRgb(lr, coords, wrongQ), ShapeError, /cells must have shape \[1,4,2\]/);
    await check(() => net.call(gray), ShapeError, /CiaoSr: x must have 3 channels/);
    tf.dispose([gray, small, coords, outside, cells, zeroCells, wrongQ]);
  });
});

/** Python's round (ties to even). */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  return v - f !== 0.5 ? Math.round(v) : f % 2 === 0 ? f : f + 1;
}

/**
 * The decoder of `ciaosr_net.py` (`query_rgb` + `forward`) written per query with plain loops:
 * features from the model's own encoder and `cs_attn`, unfolding by index arithmetic, the MLPs
 * called on single rows. `pts` holds `[y, x, cellY, cellX]`; returns the RGB values, flat.
 */
function naiveQuery(net: CiaoSr, lr: tf.Tensor4D, pts: number[][]): number[] {
  const mean = net.rgbMean;
  const [, h, w] = lr.shape;
  const xn = tf.sub(lr, tf.tensor1d([...mean])) as tf.Tensor4D;
  const f = net.encoder.call(xn) as tf.Tensor4D;
  const c = f.shape[3];
  const fd = f.dataSync();
  const nl = net.csAttn!.call(f) as tf.Tensor;
  const nd = nl.dataSync();
  // value vector at (y, x): [unfold (c·9 + 3·dy + dx), non-local (c)]
  const value = (y: number, x: number): number[] => {
    const v = new Array<number>(9 * c + c).fill(0);
    for (let ch = 0; ch < c; ch++) {
      for (let dy = 0; dy < 3; dy++) {
        for (let dx = 0; dx < 3; dx++) {
          const yy = y + dy - 1;
          const xx = x + dx - 1;
          if (yy >= 0 && xx >= 0 && yy < h && xx < w) v[ch * 9 + dy * 3 + dx] = fd[(yy * w + xx) * c + ch];
        }
      }
      v[9 * c + ch] = nd[(y * w + x) * c + ch];
    }
    return v;
  };
  const nearest = (t: number, n: number) => Math.min(n - 1, Math.max(0, roundHalfEven(((t + 1) * n - 1) / 2)));
  const mlp = (m: { call(x: tf.Tensor): tf.Tensor }, row: number[]) => {
    const t = tf.tensor2d([row]);
    const y = m.call(t);
    const out = Array.from(y.dataSync());
    tf.dispose([t, y]);
    return out;
  };
  const out: number[] = [];
  const ck = 9 * c;
  const coordT = tf.tensor3d([pts.map((p) => [p[0], p[1]])]);
  const residual = gridSampleBilinear(xn, coordT).dataSync();
  pts.forEach(([y, x, cy, cx], qi) => {
    const query = value(nearest(y, h), nearest(x, w)).slice(0, ck);
    const logits: number[] = [];
    const vals: number[][] = [];
    for (const vy of [-1, 1]) {
      for (const vx of [-1, 1]) {
        const clamp = (t: number) => Math.min(1 - 1e-6, Math.max(-1 + 1e-6, t));
        const iy = nearest(clamp(y + (vy * (1 - cy)) / (h - 1) + 1e-6), h);
        const ix = nearest(clamp(x + (vx * (1 - cx)) / (w - 1) + 1e-6), w);
        const v = value(iy, ix);
        const key = v.slice(0, ck);
        const extra = [(y - (-1 + (2 * iy + 1) / h)) * h, (x - (-1 + (2 * ix + 1) / w)) * w, cy * h, cx * w];
        const mk = mlp(net.imnetK, [...key, ...extra]);
        const mv = mlp(net.imnetV, [...v, ...extra]);
        logits.push(key.reduce((acc, k, i) => acc + query[i] * k * mk[i], 0) / net.softmaxScale);
        vals.push(v.map((vv, i) => vv * mv[i]));
      }
    }
    const mx = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - mx));
    const sum = e.reduce((a, b) => a + b, 0);
    const mixed = vals[0].map((_, i) => vals.reduce((acc, vv, j) => acc + (e[j] / sum) * vv[i], 0));
    const rgb = mlp(net.imnetQ, mixed);
    for (let ch = 0; ch < 3; ch++) out.push(rgb[ch] + residual[qi * 3 + ch] + mean[ch]);
  });
  tf.dispose([xn, f, nl, coordT]);
  return out;
}

/** Naive loops for CrossScaleAttention on a `[1, h, w, c]` map, following `arch_csnln.py` literally. */
function naiveCrossScale(att: CrossScaleAttention, x: tf.Tensor4D): Float32Array {
  const [, h, w, c] = x.shape;
  const s = att.scale;
  const hp = Math.ceil(h / s) * s;
  const wp = Math.ceil(w / s) * s;
  // reflect padding (bottom/right): index i ≥ n reads 2(n − 1) − i
  const xd = x.dataSync();
  const padded = new Float32Array(hp * wp * c);
  for (let y = 0; y < hp; y++) {
    for (let z = 0; z < wp; z++) {
      const sy = y < h ? y : 2 * (h - 1) - y;
      const sz = z < w ? z : 2 * (w - 1) - z;
      for (let k = 0; k < c; k++) padded[(y * wp + z) * c + k] = xd[(sy * w + sz) * c + k];
    }
  }
  const xp = tf.tensor4d(padded, [1, hp, wp, c]);
  // bilinear ↓s, align_corners False: source (d + 0.5)·s − 0.5
  const h2 = hp / s;
  const w2 = wp / s;
  const down = new Float32Array(h2 * w2 * c);
  for (let i = 0; i < h2; i++) {
    for (let j = 0; j < w2; j++) {
      const u = (i + 0.5) * s - 0.5;
      const v = (j + 0.5) * s - 0.5;
      const u0 = Math.floor(u);
      const v0 = Math.floor(v);
      const fu = u - u0;
      const fv = v - v0;
      for (let k = 0; k < c; k++) {
        const at = (y: number, z: number) => padded[(Math.min(y, hp - 1) * wp + Math.min(z, wp - 1)) * c + k];
        down[(i * w2 + j) * c + k] =
          (1 - fu) * ((1 - fv) * at(u0, v0) + fv * at(u0, v0 + 1)) + fu * ((1 - fv) * at(u0 + 1, v0) + fv * at(u0 + 1, v0 + 1));
      }
    }
  }
  const downT = tf.tensor4d(down, [1, h2, w2, c]);
  const embed = (att.convAssembly.call(xp) as tf.Tensor).dataSync();
  const match = att.convMatch1.call(xp) as tf.Tensor;
  const cr = match.shape[3] as number;
  const m = match.dataSync();
  const ref = (att.convMatch2.call(downT) as tf.Tensor).dataSync();
  const L = h2 * w2;
  // normalised 3×3 key patches of ref (zero padding 1)
  const keys: number[][] = [];
  for (let i = 0; i < h2; i++) {
    for (let j = 0; j < w2; j++) {
      const p: number[] = [];
      for (let du = -1; du <= 1; du++) {
        for (let dv = -1; dv <= 1; dv++) {
          for (let k = 0; k < cr; k++) {
            const y = i + du;
            const z = j + dv;
            p.push(y < 0 || z < 0 || y >= h2 || z >= w2 ? 0 : ref[(y * w2 + z) * cr + k]);
          }
        }
      }
      const norm = Math.max(Math.sqrt(p.reduce((a, b) => a + b * b, 0)), 1e-4);
      keys.push(p.map((v) => v / norm));
    }
  }
  // correlation, softmax(10·), transposed conv with 3s×3s patches of embed (zero padding s), stride s, padding s
  const out = new Float64Array(hp * s * wp * s * c);
  const k3 = 3 * s;
  for (let y = 0; y < hp; y++) {
    for (let z = 0; z < wp; z++) {
      const scores = keys.map((key) => {
        let dot = 0;
        let t = 0;
        for (let du = -1; du <= 1; du++) {
          for (let dv = -1; dv <= 1; dv++) {
            for (let k = 0; k < cr; k++) {
              const yy = y + du;
              const zz = z + dv;
              dot += (yy < 0 || zz < 0 || yy >= hp || zz >= wp ? 0 : m[(yy * wp + zz) * cr + k]) * key[t++];
            }
          }
        }
        return 10 * dot;
      });
      const mx = Math.max(...scores);
      const e = scores.map((v) => Math.exp(v - mx));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let l = 0; l < L; l++) {
        const wgt = e[l] / sum;
        const pi = Math.floor(l / w2);
        const pj = l % w2;
        for (let a = 0; a < k3; a++) {
          for (let b = 0; b < k3; b++) {
            const oy = y * s - s + a;
            const oz = z * s - s + b;
            if (oy < 0 || oz < 0 || oy >= hp * s || oz >= wp * s) continue;
            const ey = pi * s + a - s;
            const ez = pj * s + b - s;
            if (ey < 0 || ez < 0 || ey >= hp || ez >= wp) continue;
            for (let k = 0; k < c; k++) out[(oy * wp * s + oz) * c + k] += wgt * embed[(ey * wp + ez) * c + k];
          }
        }
      }
    }
  }
  const y = tf.tidy(() => {
    const t = tf.div(att.downConv.call(tf.tensor4d(Float32Array.from(out), [1, hp * s, wp * s, c])), 6);
    return tf.slice(t, [0, 0, 0, 0], [1, h, w, c]);
  });
  const data = y.dataSync() as Float32Array;
  tf.dispose([xp, downT, match, y]);
  return data;
}

describeBackends('CrossScaleAttention', () => {
  for (const [s, h, w] of [
    [2, 5, 4],
    [3, 4, 7],
    [4, 6, 5],
  ] as const) {
    it(`matches the naive loops of arch_csnln.py within 1e-5 (x=[1,${h},${w},6] s=${s}, reflect-padded)`, async () => {
      const att = new CrossScaleAttention(6, { scale: s, rng: new Rng(3) });
      const x = tf.tensor4d(
        Array.from({ length: h * w * 6 }, (_, i) => Math.sin(0.37 * i + 0.3)),
        [1, h, w, 6],
      );
      const y = await expectTensorDelta(() => att.call(x), 1);
      expect(y.shape).toEqual([1, h, w, 6]);
      const expected = naiveCrossScale(att, x);
      const got = y.dataSync();
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
      expect(worst).toBeLessThanOrEqual(1e-5);
      tf.dispose([x, y]);
      att.dispose();
    });
  }

  it('gives the same output for attention chunks of 1, 3 and all query rows (x=[2,7,6,6] s=2, within 1e-6)', () => {
    const x = tf.tensor4d(
      Array.from({ length: 2 * 7 * 6 * 6 }, (_, i) => Math.cos(0.23 * i)),
      [2, 7, 6, 6],
    );
    const outs = [6, 18, 4096].map((chunkSize) => {
      const att = new CrossScaleAttention(6, { rng: new Rng(5), chunkSize });
      const y = att.call(x);
      att.dispose();
      return y;
    });
    expect(maxAbsDiff(outs[0], outs[2])).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(outs[1], outs[2])).toBeLessThanOrEqual(1e-6);
    tf.dispose([x, ...outs]);
  });

  it('registers escape_NaN, conv_match_1/2, conv_assembly, downx3 and down for scale 3', () => {
    const att = new CrossScaleAttention(8, { scale: 3 });
    const keys = torchShapes(att).map(([k]) => k);
    expect(keys).toEqual([
      'escape_NaN',
      'conv_match_1.0.weight',
      'conv_match_1.0.bias',
      'conv_match_1.1.weight',
      'conv_match_2.0.weight',
      'conv_match_2.0.bias',
      'conv_match_2.1.weight',
      'conv_assembly.0.weight',
      'conv_assembly.0.bias',
      'conv_assembly.1.weight',
      'downx3.weight',
      'downx3.bias',
      'down.weight',
      'down.bias',
    ]);
    att.dispose();
  });
});

describeSet5('CiaoSr training on wasm (Set5 patches)', (dir) => {
  beforeAll(() => initBackend({ backend: 'wasm' }));

  it('lowers the L1 loss of a tiny CiaoSR over 8 Adam steps on ×2 Set5 patches (queryRgb gradients)', async () => {
    const start = tf.memory().numTensors;
    // Two 24×24 HR patches (butterfly, bird), LR by MATLAB bicubic ×1/2 (12×12), all 576 HR pixel centres as queries.
    const hrs = await Promise.all(
      (['butterfly', 'bird'] as const).map(async (name) => {
        const img = imageToTensor(await readSet5(dir, 'HR', name), { channels: 3 });
        const patch = tf.slice(img, [100, 100, 0], [24, 24, 3]);
        img.dispose();
        return patch;
      }),
    );
    const hr = tf.stack(hrs) as tf.Tensor4D;
    tf.dispose(hrs);
    const lr = imresizeTensor(hr, 0.5);
    const coords = tf.tidy(() => tf.tile(tf.expandDims(makeCoord(24, 24), 0), [2, 1, 1]) as tf.Tensor3D);
    const cells = tf.tidy(() => tf.tile(uniformCells(576, 24, 24), [2, 1, 1]) as tf.Tensor3D);
    const gt = tf.reshape(hr, [2, 576, 3]);
    const net = new CiaoSr({ ...TINY, rng: new Rng(11) }).train();
    const opt = tf.train.adam(2e-3);
    const loss = () => tf.mean(tf.abs(tf.sub(net.queryRgb(lr, coords, cells), gt))) as tf.Scalar;
    const losses: number[] = [];
    for (let step = 0; step < 8; step++) {
      const l = opt.minimize(loss, true, net.parameters()) as tf.Scalar;
      losses.push(l.dataSync()[0]);
      l.dispose();
    }
    const final = tf.tidy(loss);
    losses.push(final.dataSync()[0]);
    final.dispose();
    expect(losses.every(Number.isFinite)).toBe(true);
    console.info(`CiaoSr training losses: ${losses.map((l) => l.toFixed(4)).join(' ')}`);
    expect(losses[8]).toBeLessThan(0.8 * losses[0]);
    opt.dispose();
    net.dispose();
    tf.dispose([hr, lr, coords, cells, gt]);
    expect(tf.memory().numTensors, 'tensors left after disposing the model, optimiser and data').toBe(start);
  }, 60000);
});
