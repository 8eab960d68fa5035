import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '../../src/errors';
import { BasicBlockCifar, ResNetCifar, resnetCifar } from '../../src/models/index';
import { Rng } from '../../src/random/rng';
import '../../src/backend/index'; // registers gradients, as the package entry does
import { describeBackends, expectTensorDelta } from '../helpers';

describeBackends('resnetCifar', () => {
  it('has the published parameter counts (0.27 / 0.46 / 0.66 / 0.85 / 1.7 M)', () => {
    // He et al. 2016, Table 6. With option A only convs, BN (γ, β) and the classifier have
    // parameters: stem 432 + 32; a block on c channels 2·(9c² + 2c); the first blocks of stages
    // 2 and 3 have 9·c/2·c instead of 9c² in conv1; classifier 64·10 + 10.
    const published: [20 | 32 | 44 | 56 | 110, string][] = [
      [20, '0.27'],
      [32, '0.46'],
      [44, '0.66'],
      [56, '0.85'],
      [110, '1.7'],
    ];
    for (const [depth, millions] of published) {
      const n = (depth - 2) / 6;
      const block = (c: number) => 2 * (9 * c * c + 2 * c);
      const expected =
        464 + n * block(16) + n * block(32) - 9 * 32 * 16 + n * block(64) - 9 * 64 * 32 + 650;
      const net = resnetCifar(depth, { rng: new Rng(depth) });
      try {
        expect(net.numParameters()).toBe(expected);
        expect((expected / 1e6).toFixed(millions.length - 2)).toBe(millions);
      } finally {
        net.dispose();
      }
    }
  });

  it('uses the parameter names of akamaster/pytorch_resnet_cifar10', () => {
    const net = resnetCifar(20);
    try {
      const names = net.namedParameters().map(([n]) => n);
      expect(names.slice(0, 3)).toEqual(['conv1.weight', 'bn1.weight', 'bn1.bias']);
      expect(names).toContain('layer1.0.conv1.weight');
      expect(names).toContain('layer2.0.bn2.bias');
      expect(names).toContain('layer3.2.conv2.weight');
      expect(names.slice(-2)).toEqual(['linear.weight', 'linear.bias']);
      expect(names.some((n) => n.includes('shortcut'))).toBe(false);
      // 19 convs + 19 BN (2 each) + linear (2)
      expect(names).toHaveLength(19 + 38 + 2);
      const sd = net.stateDict();
      try {
        expect(sd['layer2.0.conv1.weight'].shape).toEqual([32, 16, 3, 3]); // OIHW
        expect(sd['linear.weight'].shape).toEqual([10, 64]);
        expect(Object.keys(sd)).toContain('layer3.2.bn2.running_var');
      } finally {
        tf.dispose(Object.values(sd));
      }
    } finally {
      net.dispose();
    }
  });

  it('maps [2,32,32,3] to logits [2,10] through 32×32×16, 16×16×32 and 8×8×64 stages', async () => {
    const net = resnetCifar(20, { rng: new Rng(1) }).eval();
    const x = tf.zeros([2, 32, 32, 3]);
    try {
      const shapes: number[][] = [];
      for (const m of [net.layer1, net.layer2, net.layer3]) {
        m.registerForwardHook((_m, _i, out) => {
          shapes.push((out as tf.Tensor).shape);
        });
      }
      const y = await expectTensorDelta(() => net.call(x), 1);
      expect(y.shape).toEqual([2, 10]);
      y.dispose();
      expect(shapes).toEqual([
        [2, 32, 32, 16],
        [2, 16, 16, 32],
        [2, 8, 8, 64],
      ]);
    } finally {
      x.dispose();
      net.dispose();
    }
  });

  it('honours width and numClasses (width 8, 100 classes)', () => {
    const net = resnetCifar(20, { width: 8, numClasses: 100 });
    try {
      expect(net.linear.inFeatures).toBe(32);
      expect(net.linear.outFeatures).toBe(100);
      expect(net.layer3.get(0)).toBeInstanceOf(BasicBlockCifar);
      expect((net.layer3.get(0) as BasicBlockCifar).planes).toBe(32);
    } finally {
      net.dispose();
    }
  });

  it('draws conv weights Kaiming-normal: std √(2/fanIn) = 0.0833 for 64-channel 3×3 convs', () => {
    const net = resnetCifar(20, { rng: new Rng(2) });
    try {
      const w = net.getTensor('layer3.1.conv1.weight'); // 36,864 draws, fanIn 576
      const std = tf.tidy(() => tf.sqrt(tf.mean(tf.square(w))).dataSync()[0]);
      expect(Math.abs(std / Math.sqrt(2 / 576) - 1)).toBeLessThan(0.03);
    } finally {
      net.dispose();
    }
  });

  it('builds the same weights from the same seed', () => {
    const a = resnetCifar(20, { rng: new Rng(7) });
    const b = resnetCifar(20, { rng: new Rng(7) });
    try {
      const wa = a.getTensor('layer2.1.conv2.weight').dataSync();
      const wb = b.getTensor('layer2.1.conv2.weight').dataSync();
      expect(Array.from(wa)).toEqual(Array.from(wb));
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('frees every variable on dispose and leaks nothing in construction', async () => {
    await expectTensorDelta(() => {
      const net = resnetCifar(20, { shortcut: 'B' });
      net.dispose();
    });
  });

  it('rejects other depths, bad widths and unknown options with InvalidValueError', () => {
    expect(() => resnetCifar(21 as 20)).toThrow(/ResNetCifar: depth must be one of 20, 32, 44, 56, 110, 1202, got 21/);
    expect(() => resnetCifar(20, { width: 0 })).toThrow(/width must be a positive integer/);
    expect(() => resnetCifar(20, { numClasses: 2.5 })).toThrow(/numClasses/);
    expect(() => resnetCifar(20, { shortcut: 'C' as 'A' })).toThrow(/shortcut must be 'A' or 'B'/);
    expect(() => resnetCifar(20, { classes: 10 } as object)).toThrow(InvalidValueError);
  });

  it('checks its input', () => {
    const net = new ResNetCifar(20);
    try {
      expect(() => net.call(tf.zeros([1, 32, 32, 1]))).toThrow(ShapeError);
    } finally {
      net.dispose();
    }
  });
});

describeBackends('BasicBlockCifar', () => {
  /** Zeroes conv2 so that, with default BN statistics in eval mode, the block outputs relu(shortcut(x)). */
  function shortcutOnly(block: BasicBlockCifar): BasicBlockCifar {
    const w = block.conv2.weight;
    tf.tidy(() => w.assign(tf.zerosLike(w)));
    return block.eval();
  }

  it("computes shortcut 'A' as subsample + zero channels before and after (2 → 4 channels, stride 2)", () => {
    const block = shortcutOnly(new BasicBlockCifar(2, 4, { stride: 2, rng: new Rng(3) }));
    try {
      // x[0, i, j, c] = 1 + 10·i + j + 100·c (positive, so the final ReLU keeps it)
      const vals: number[] = [];
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let c = 0; c < 2; c++) vals.push(1 + 10 * i + j + 100 * c);
      const x = tf.tensor4d(vals, [1, 4, 4, 2]);
      const y = block.call(x);
      // rows/cols 0 and 2; channels [0, x_c0, x_c1, 0] (planes//4 = 1 zero channel on each side)
      const expected: number[] = [];
      for (const i of [0, 2]) for (const j of [0, 2]) expected.push(0, 1 + 10 * i + j, 101 + 10 * i + j, 0);
      expect(y.shape).toEqual([1, 2, 2, 4]);
      expect(Array.from(y.dataSync())).toEqual(expected);
      tf.dispose([x, y]);
    } finally {
      block.dispose();
    }
  });

  it('keeps the identity shortcut when the shape is kept', () => {
    const block = shortcutOnly(new BasicBlockCifar(3, 3, { rng: new Rng(4) }));
    try {
      expect(block.shortcutKind).toBe('identity');
      const x = tf.tensor4d([1, -2, 3, 4, 5, -6, 7, 8, 9, 10, 11, 12], [1, 2, 2, 3]);
      const y = block.call(x);
      expect(Array.from(y.dataSync())).toEqual([1, 0, 3, 4, 5, 0, 7, 8, 9, 10, 11, 12]);
      tf.dispose([x, y]);
    } finally {
      block.dispose();
    }
  });

  it("adds a 1×1 conv + BN projection as shortcut 'B' (shortcut.0, shortcut.1)", () => {
    const block = new BasicBlockCifar(16, 32, { stride: 2, shortcut: 'B', rng: new Rng(5) });
    try {
      expect(block.shortcutKind).toBe('B');
      const names = block.namedParameters().map(([n]) => n);
      expect(names).toEqual([
        'conv1.weight',
        'bn1.weight',
        'bn1.bias',
        'conv2.weight',
        'bn2.weight',
        'bn2.bias',
        'shortcut.0.weight',
        'shortcut.1.weight',
        'shortcut.1.bias',
      ]);
      // 16·32·9 + 64 + 32·32·9 + 64 + 16·32 + 64
      expect(block.numParameters()).toBe(4_608 + 64 + 9_216 + 64 + 512 + 64);
      const y = tf.tidy(() => block.eval().call(tf.ones([1, 8, 8, 16])));
      expect(y.shape).toEqual([1, 4, 4, 32]);
      y.dispose();
    } finally {
      block.dispose();
    }
  });

  it('rejects bad sizes, strides and shortcut kinds with InvalidValueError', () => {
    expect(() => new BasicBlockCifar(0, 4)).toThrow(/BasicBlockCifar: inPlanes must be a positive integer/);
    expect(() => new BasicBlockCifar(4, 4, { stride: 0 })).toThrow(/stride/);
    expect(() => new BasicBlockCifar(8, 4, { stride: 2 })).toThrow(/planes must be >= inPlanes for shortcut 'A'/);
    expect(() => new BasicBlockCifar(4, 4, { shortcut: 'Z' as 'A' })).toThrow(InvalidValueError);
    expect(() => new BasicBlockCifar(4, 4, { pad: 1 } as object)).toThrow(/unknown option 'pad'/);
  });

  it('leaks nothing in a forward pass', async () => {
    const block = new BasicBlockCifar(4, 8, { stride: 2, rng: new Rng(6) }).eval();
    const x = tf.ones([1, 6, 6, 4]);
    try {
      const y = await expectTensorDelta(() => block.call(x), 1);
      expect(y.shape).toEqual([1, 3, 3, 8]);
      y.dispose();
    } finally {
      x.dispose();
      block.dispose();
    }
  });
});

describeBackends('BasicBlockCifar option-A shortcut', () => {
  it('subsamples x[:, ::2, ::2, :] exactly (odd and even sizes) and is differentiable', async () => {
    const tfm = tf;
    const block = new BasicBlockCifar(2, 4, { stride: 2, shortcut: 'A' });
    for (const size of [4, 5]) {
      // Input value = 100·row + 10·col + channel, so every kept element names its position.
      const vals: number[] = [];
      for (let r = 0; r < size; r++) for (let q = 0; q < size; q++) for (let ch = 0; ch < 2; ch++) vals.push(100 * r + 10 * q + ch);
      const x = tfm.tensor4d(vals, [1, size, size, 2]);
      const y = (block as unknown as { shortcutOf(t: unknown): tf.Tensor }).shortcutOf(x);
      const o = Math.ceil(size / 2);
      expect(y.shape).toEqual([1, o, o, 4]);
      const got = Array.from(y.dataSync());
      const want: number[] = [];
      // planes 4 from 2: one zero channel before and one after (F.pad(planes//4, planes//4)).
      for (let r = 0; r < o; r++) for (let q = 0; q < o; q++) want.push(0, 200 * r + 20 * q, 200 * r + 20 * q + 1, 0);
      expect(got).toEqual(want);
      const g = tfm.grad((t: tf.Tensor) =>
        tfm.sum((block as unknown as { shortcutOf(t: unknown): tf.Tensor }).shortcutOf(t)),
      )(x);
      // Each kept input element gets gradient 1, every other element 0.
      const gv = g.dataSync();
      for (let r = 0; r < size; r++) for (let q = 0; q < size; q++) for (let ch = 0; ch < 2; ch++) {
        expect(gv[(r * size + q) * 2 + ch]).toBe(r % 2 === 0 && q % 2 === 0 ? 1 : 0);
      }
      tfm.dispose([x, y, g]);
    }
    block.dispose();
  });
});
