import * as tf from '@tensorflow/tfjs-core';
// Registers tfjs-core's gradients and lab's wasm training kernels (Conv2DBackpropFilter, depthwise backprop).
import '../../src/backend/index';
import { expect, it } from 'vitest';
import { InvalidValueError, NotAvailableError, ShapeError } from '../../src/errors';
import { Conv2d, type Conv2dOptions } from '../../src/nn/conv2d';
import { Rng } from '../../src/random/rng';
import { describeBackends, expectTensorDelta } from '../helpers';
import { expectClose, pattern, refConv2d, take } from './reference';

/** A Conv2d whose weights are loaded from a PyTorch-layout (OIHW) array through loadStateDict. */
function convFromTorch(
  cin: number,
  cout: number,
  k: [number, number],
  options: Conv2dOptions,
  wTorch: Float32Array,
  bias: Float32Array | null,
): Conv2d {
  const groups = options.groups ?? 1;
  const conv = new Conv2d(cin, cout, k, { ...options, bias: bias !== null });
  const dict: Record<string, tf.Tensor> = { weight: tf.tensor(wTorch, [cout, cin / groups, k[0], k[1]]) };
  if (bias) dict.bias = tf.tensor(bias, [cout]);
  conv.loadStateDict(dict);
  for (const t of Object.values(dict)) t.dispose();
  return conv;
}

interface Case {
  name: string;
  xShape: [number, number, number, number];
  cout: number;
  k: [number, number];
  options: Conv2dOptions;
  pads: [[number, number], [number, number]];
}

// Each case is checked against refConv2d, a loop over PyTorch's definition with OIHW weights.
const CASES: Case[] = [
  { name: 'x=[1,5,6,2] k=[2,3] s=[2,1] p=[[1,0],[2,1]] d=[1,2]', xShape: [1, 5, 6, 2], cout: 3, k: [2, 3], options: { stride: [2, 1], padding: [[1, 0], [2, 1]], dilation: [1, 2] }, pads: [[1, 0], [2, 1]] },
  { name: 'x=[2,4,4,3] k=3 s=2 p=1', xShape: [2, 4, 4, 3], cout: 2, k: [3, 3], options: { stride: 2, padding: 1 }, pads: [[1, 1], [1, 1]] },
  { name: 'x=[1,6,5,4] k=3 groups=2 p=1', xShape: [1, 6, 5, 4], cout: 6, k: [3, 3], options: { groups: 2, padding: 1 }, pads: [[1, 1], [1, 1]] },
  { name: 'x=[1,5,5,3] k=3 depthwise x2 s=2 p=1', xShape: [1, 5, 5, 3], cout: 6, k: [3, 3], options: { groups: 3, stride: 2, padding: 1 }, pads: [[1, 1], [1, 1]] },
  { name: 'x=[1,7,7,2] k=3 s=2 d=2 p=2 (stride and dilation)', xShape: [1, 7, 7, 2], cout: 2, k: [3, 3], options: { stride: 2, dilation: 2, padding: 2 }, pads: [[2, 2], [2, 2]] },
  { name: 'x=[1,6,6,4] k=3 depthwise s=2 d=2 p=1', xShape: [1, 6, 6, 4], cout: 4, k: [3, 3], options: { groups: 4, stride: 2, dilation: 2, padding: 1 }, pads: [[1, 1], [1, 1]] },
  { name: 'x=[1,7,6,3] k=3 d=[2,3] p=[[2,1],[3,0]] (atrous)', xShape: [1, 7, 6, 3], cout: 2, k: [3, 3], options: { dilation: [2, 3], padding: [[2, 1], [3, 0]] }, pads: [[2, 1], [3, 0]] },
  { name: 'x=[1,6,6,2] k=3 depthwise x2 d=2 p=2 (atrous)', xShape: [1, 6, 6, 2], cout: 4, k: [3, 3], options: { groups: 2, dilation: 2, padding: 2 }, pads: [[2, 2], [2, 2]] },
  { name: 'x=[1,5,5,2] k=3 d=2 same', xShape: [1, 5, 5, 2], cout: 2, k: [3, 3], options: { padding: 'same', dilation: 2 }, pads: [[2, 2], [2, 2]] },
  { name: 'x=[1,5,5,2] k=4 same', xShape: [1, 5, 5, 2], cout: 2, k: [4, 4], options: { padding: 'same' }, pads: [[1, 2], [1, 2]] },
  { name: 'x=[1,4,4,2] k=1 valid', xShape: [1, 4, 4, 2], cout: 3, k: [1, 1], options: { padding: 'valid' }, pads: [[0, 0], [0, 0]] },
];

describeBackends('Conv2d', () => {
  it('computes the hand-derived sums for x=1..16 [1,4,4,1], ones 3x3, s=2 p=1 (PyTorch padding, not tf same)', async () => {
    // Windows start at rows/cols -1 and 1 (symmetric pad 1): [1+2+5+6, 2+3+4+6+7+8, 5+6+9+10+13+14, 6+7+8+10+11+12+14+15+16].
    const conv = convFromTorch(1, 1, [3, 3], { stride: 2, padding: 1 }, new Float32Array(9).fill(1), new Float32Array([0]));
    const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]);
    const y = await expectTensorDelta(() => conv.call(x), 1);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(take(y))).toEqual([14, 30, 57, 99]);
    x.dispose();
    conv.dispose();
  });

  it('adds the bias to every output pixel (x=0, bias=[0.5,-2])', () => {
    const conv = convFromTorch(1, 2, [1, 1], {}, new Float32Array([3, 4]), new Float32Array([0.5, -2]));
    const x = tf.zeros([1, 2, 2, 1]);
    expect(Array.from(take(conv.call(x)))).toEqual([0.5, -2, 0.5, -2, 0.5, -2, 0.5, -2]);
    x.dispose();
    conv.dispose();
  });

  for (const c of CASES) {
    it(`matches the PyTorch definition with torch OIHW weights loaded, ${c.name}`, () => {
      const cin = c.xShape[3];
      const groups = c.options.groups ?? 1;
      const wShape: [number, number, number, number] = [c.cout, cin / groups, c.k[0], c.k[1]];
      const w = pattern(wShape.reduce((a, b) => a * b), 3);
      const b = pattern(c.cout, 5);
      const xs = pattern(c.xShape.reduce((a, b2) => a * b2), 1);
      const conv = convFromTorch(cin, c.cout, c.k, c.options, w, b);
      const x = tf.tensor4d(xs, c.xShape);
      const y = conv.call(x);
      const ref = refConv2d(xs, c.xShape, w, wShape, b, {
        stride: typeof c.options.stride === 'number' ? [c.options.stride, c.options.stride] : c.options.stride,
        dilation: typeof c.options.dilation === 'number' ? [c.options.dilation, c.options.dilation] : c.options.dilation,
        pads: c.pads,
        groups,
      });
      expect(y.shape).toEqual(ref.shape);
      expectClose(take(y), ref.data, 1e-5);
      x.dispose();
      conv.dispose();
    });
  }

  it('equals per-group convolutions concatenated, groups=3 cin=6 cout=3', () => {
    const conv = new Conv2d(6, 3, 3, { groups: 3, padding: 1, rng: new Rng(1) });
    const x = tf.tensor4d(pattern(1 * 4 * 4 * 6), [1, 4, 4, 6]);
    const sd = conv.stateDict(); // weight [3, 2, 3, 3], bias [3]
    const parts = [0, 1, 2].map((g) => {
      const single = new Conv2d(2, 1, 3, { padding: 1 });
      const dict = { weight: tf.slice(sd.weight, [g, 0, 0, 0], [1, 2, 3, 3]), bias: tf.slice(sd.bias, [g], [1]) };
      single.loadStateDict(dict);
      const xg = tf.slice(x, [0, 0, 0, 2 * g], [1, 4, 4, 2]);
      const y = single.call(xg);
      for (const t of [xg, dict.weight, dict.bias]) t.dispose();
      single.dispose();
      return y;
    });
    const expected = tf.concat(parts, 3);
    expectClose(take(conv.call(x)), take(expected), 1e-6);
    for (const t of [x, ...parts, ...Object.values(sd)]) t.dispose();
    conv.dispose();
  });

  it('round-trips its state dict in PyTorch shapes (regular, grouped, depthwise x2)', () => {
    for (const [conv, shape] of [
      [new Conv2d(4, 6, [2, 3], { rng: new Rng(2) }), [6, 4, 2, 3]],
      [new Conv2d(4, 6, 3, { groups: 2, rng: new Rng(2) }), [6, 2, 3, 3]],
      [new Conv2d(3, 6, 3, { groups: 3, rng: new Rng(2) }), [6, 1, 3, 3]],
    ] as const) {
      const sd = conv.stateDict();
      expect(sd.weight.shape).toEqual(shape);
      const before = take(tf.clone(conv.weight));
      const other = new Conv2d(conv.inChannels, conv.outChannels, conv.kernelSize, { groups: conv.groups, rng: new Rng(9) });
      other.loadStateDict(sd);
      expect(Array.from(take(tf.clone(other.weight)))).toEqual(Array.from(before));
      const sd2 = other.stateDict();
      expect(Array.from(take(sd2.weight))).toEqual(Array.from(take(sd.weight)));
      sd.bias.dispose();
      sd2.bias.dispose();
      conv.dispose();
      other.dispose();
    }
  });

  it('exposes normalised fields (kernelSize, stride, dilation, explicit padding)', () => {
    const conv = new Conv2d(2, 4, [3, 5], { stride: [2, 1], padding: [1, 2], dilation: 2, bias: false });
    expect(conv.kernelSize).toEqual([3, 5]);
    expect(conv.stride).toEqual([2, 1]);
    expect(conv.dilation).toEqual([2, 2]);
    expect(conv.padding).toEqual([[1, 1], [2, 2]]);
    expect(conv.hasBias).toBe(false);
    expect(conv.namedParameters().map(([n]) => n)).toEqual(['weight']);
    const same = new Conv2d(2, 2, 3, { padding: 'same' });
    expect(same.padding).toBe('same');
    conv.dispose();
    same.dispose();
  });

  it('initialises weight and bias in U(±1/√fanIn), seeded (fanIn = 8·3·3 = 72)', () => {
    const a = new Conv2d(16, 32, 3, { groups: 2, rng: new Rng(7) });
    const b = new Conv2d(16, 32, 3, { groups: 2, rng: new Rng(7) });
    const bound = 1 / Math.sqrt(72);
    const w = take(tf.clone(a.weight));
    const maxAbs = w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbs).toBeLessThanOrEqual(bound);
    // 2304 uniform draws: the largest |w| is within 1% of the bound with overwhelming probability.
    expect(maxAbs).toBeGreaterThan(0.99 * bound);
    // Var of U(±B) is B²/3.
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeGreaterThan(0.9 * (bound * bound) / 3);
    expect(variance).toBeLessThan(1.1 * (bound * bound) / 3);
    expect(Array.from(take(tf.clone(b.weight)))).toEqual(Array.from(w));
    const bias = take(tf.clone(a.bias as tf.Variable));
    expect(bias.every((v) => Math.abs(v) <= bound)).toBe(true);
    a.dispose();
    b.dispose();
  });

  it('rejects input with the wrong channels or rank with a ShapeError naming Conv2d and x', async () => {
    const conv = new Conv2d(3, 4, 3);
    const x = tf.zeros([1, 5, 5, 2]);
    const x3 = tf.zeros([5, 5, 3]);
    await expect(expectTensorDelta(() => conv.call(x))).rejects.toThrow(ShapeError);
    expect(() => conv.call(x)).toThrow(/Conv2d: x must have 3 channels/);
    expect(() => conv.call(x3)).toThrow(/Conv2d: x must have rank 4/);
    const small = tf.zeros([1, 2, 2, 3]);
    expect(() => conv.call(small)).toThrow(ShapeError);
    for (const t of [x, x3, small]) t.dispose();
    conv.dispose();
  });

  it('rejects bad constructor arguments naming the argument, before allocating', async () => {
    await expectTensorDelta(() => {
      expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(/groups must divide/);
      expect(() => new Conv2d(0, 4, 3)).toThrow(/inChannels must be a positive integer, got 0/);
      expect(() => new Conv2d(3, 4, [3, 0])).toThrow(/kernelSize/);
      expect(() => new Conv2d(3, 4, 3, { stride: 2, padding: 'same' })).toThrow(/padding 'same' needs stride 1/);
      expect(() => new Conv2d(3, 4, 3, { padding: -1 })).toThrow(/padding/);
      expect(() => new Conv2d(3, 4, 3, { paddingMode: 'reflect' })).toThrow(NotAvailableError);
      expect(() => new Conv2d(3, 4, 3, { paddingMode: 'mirror' as 'zeros' })).toThrow(InvalidValueError);
      expect(() => new Conv2d(3, 4, 3, { strides: 2 } as Conv2dOptions)).toThrow(/unknown option 'strides'/);
    }, 0);
  });

  it('frees exactly its tensors: construct, call, dispose leaves numTensors unchanged', async () => {
    const x = tf.zeros([1, 6, 6, 4]);
    for (const options of [{ padding: 1 }, { groups: 2, padding: 1 }, { groups: 4, stride: 2, dilation: 2 }] as Conv2dOptions[]) {
      await expectTensorDelta(() => {
        const conv = new Conv2d(4, 4, 3, options);
        tf.tidy(() => {
          conv.call(x);
        });
        conv.dispose();
      }, 0);
    }
    x.dispose();
  });
});

describeBackends('Conv2d gradients', () => {
  for (const [name, options, cin, cout] of [
    ['k=3 s=2 p=1', { stride: 2, padding: 1 }, 2, 3],
    ['groups=2 p=1', { groups: 2, padding: 1 }, 4, 2],
    ['depthwise s=2 d=2 p=1', { groups: 3, stride: 2, dilation: 2, padding: 1 }, 3, 3],
    ['d=2 p=2 (atrous)', { dilation: 2, padding: 2 }, 2, 2],
    ['groups=2 s=2 d=[1,2] p=1', { groups: 2, stride: 2, dilation: [1, 2], padding: 1 }, 2, 4],
  ] as [string, Conv2dOptions, number, number][]) {
    it(`gives dL/dW = Σ of the input taps and dL/db = number of outputs for L = Σy, ${name}`, async () => {
      const conv = new Conv2d(cin, cout, 3, { ...options, rng: new Rng(3) });
      const xShape: [number, number, number, number] = [1, 5, 5, cin];
      const xs = pattern(25 * cin, 2);
      const x = tf.tensor4d(xs, xShape);
      const { value, grads } = await expectTensorDelta(
        () => tf.variableGrads(() => tf.sum(conv.call(x)) as tf.Scalar, conv.parameters()),
        3,
      );
      // Σy is linear in W: dΣy/dW[o,i,u,v] = Σy computed with a one-hot torch weight and no bias.
      const groups = options.groups ?? 1;
      const wShape: [number, number, number, number] = [cout, cin / groups, 3, 3];
      const gradTorch = take(convToTorch(conv, grads[conv.weight.name]));
      const expected = new Float64Array(gradTorch.length);
      for (let j = 0; j < expected.length; j++) {
        const onehot = new Float32Array(expected.length);
        onehot[j] = 1;
        const ref = refConv2d(xs, xShape, onehot, wShape, null, {
          stride: conv.stride,
          dilation: conv.dilation,
          pads: conv.padding as [[number, number], [number, number]],
          groups,
        });
        expected[j] = ref.data.reduce((s, v) => s + v, 0);
      }
      expectClose(gradTorch, expected, 1e-4);
      expect(Array.from(take(grads[(conv.bias as tf.Variable).name]))).toEqual(new Array(cout).fill(refCount(conv, xShape)));
      value.dispose();
      x.dispose();
      conv.dispose();
    });
  }
});

/** The gradient tensor (native layout) converted to torch layout with the layer's own state-dict mapping. */
function convToTorch(conv: Conv2d, g: tf.Tensor): tf.Tensor {
  const probe = new Conv2d(conv.inChannels, conv.outChannels, conv.kernelSize, { groups: conv.groups, bias: false });
  probe.weight.assign(g);
  const out = probe.stateDict().weight;
  probe.dispose();
  return out;
}

/** Number of output pixels per channel. */
function refCount(conv: Conv2d, xShape: number[]): number {
  const [[t, b], [l, r]] = conv.padding as [[number, number], [number, number]];
  const oh = Math.floor((xShape[1] + t + b - conv.dilation[0] * (conv.kernelSize[0] - 1) - 1) / conv.stride[0]) + 1;
  const ow = Math.floor((xShape[2] + l + r - conv.dilation[1] * (conv.kernelSize[1] - 1) - 1) / conv.stride[1]) + 1;
  return oh * ow;
}
