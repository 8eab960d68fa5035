import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError } from '../../src/errors';
import { resnetCifar } from '../../src/models/index';
import { BatchNorm2d, Conv2d, GELU, LeakyReLU, Linear, Module, ReLU, Sigmoid } from '../../src/nn/index';
import { formatCount, profile } from '../../src/profiler/index';
import { Rng } from '../../src/random/rng';
import { describeBackends, expectTensorDelta } from '../helpers';

/** Parameters of a CIFAR ResNet with option-A shortcuts, counted layer by layer from the architecture. */
function resnetCifarParams(depth: number, width = 16, classes = 10): number {
  const n = (depth - 2) / 6;
  const conv = (i: number, o: number, k: number) => i * o * k * k;
  const bn = (c: number) => 2 * c; // affine γ and β
  let p = conv(3, width, 3) + bn(width); // stem
  let inC = width;
  for (const c of [width, 2 * width, 4 * width]) {
    for (let b = 0; b < n; b++) {
      p += conv(inC, c, 3) + bn(c) + conv(c, c, 3) + bn(c);
      inC = c;
    }
  }
  return p + inC * classes + classes; // linear weight and bias
}

/** Conv 3→8 3×3 (pad 1), LeakyReLU, BatchNorm2d(affine), tokens (B, L=H·W, C), Linear 8→4, GELU. */
class SmallNet extends Module {
  conv = this.registerModule('conv', new Conv2d(3, 8, 3, { padding: 1, rng: new Rng(1) }));
  act = this.registerModule('act', new LeakyReLU(0.05));
  bn = this.registerModule('bn', new BatchNorm2d(8));
  fc = this.registerModule('fc', new Linear(8, 4, { rng: new Rng(2) }));
  gelu = this.registerModule('gelu', new GELU());
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const y = this.bn.call(this.act.call(this.conv.call(x)));
      const [b, h, w, c] = y.shape;
      return this.gelu.call(this.fc.call(tf.reshape(y, [b, h * w, c])));
    });
  }
}

/** Single-head attention on tokens (B, L, C): qkv Linear C→3C, softmax(q·kᵀ)·v, all matmuls functional. */
class TinyAttention extends Module {
  qkv: Linear;
  constructor(readonly c: number) {
    super();
    this.qkv = this.registerModule('qkv', new Linear(c, 3 * c, { rng: new Rng(3) }));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [q, k, v] = tf.split(this.qkv.call(x), 3, 2);
      const attn = tf.softmax(tf.matMul(q, k, false, true));
      return tf.matMul(attn, v);
    });
  }
}

/** A module that wraps one layer and applies it `times` times. */
class Repeat extends Module {
  constructor(
    readonly layer: Module,
    readonly times: number,
  ) {
    super();
    this.registerModule('layer', layer);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let y = x;
      for (let i = 0; i < this.times; i++) y = this.layer.call(y);
      return y;
    });
  }
}

/** Wraps a functional body as a module. */
class Fn extends Module {
  constructor(readonly body: (x: tf.Tensor) => tf.Tensor) {
    super();
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.body(x);
  }
}

describeBackends('profile', () => {
  it('counts 125.49 M MACs and 0.853 M params for ResNet-56 on 32×32', async () => {
    const net = resnetCifar(56, { rng: new Rng(0) });
    try {
      const r = await expectTensorDelta(() => profile(net, [32, 32, 3]));
      // Published: 125.49 M MACs (conv + FC multiply-accumulates), 0.853 M params.
      // By hand (MACs = H_out·W_out·k²·C_in·C_out per conv):
      //   stem 32·32·9·3·16 = 442,368; stage 1: 18 convs × 32·32·9·16·16 = 42,467,328;
      //   stages 2 and 3: 32·... first conv 1,179,648 + 17 × 2,359,296 = 41,287,680 each;
      //   linear 64·10 = 640. Total 125,485,696. Shortcuts (slice + pad), BN, ReLU, pooling: 0.
      expect(Math.abs((r.macs as number) - 125.49e6)).toBeLessThanOrEqual(0.005e6);
      expect(r.macs).toBe(125_485_696);
      expect(formatCount(r.macs as number)).toBe('125.49 M');
      const convMacs = (r.macsByKernel?.Conv2D ?? 0) + (r.macsByKernel?.FusedConv2D ?? 0);
      expect(convMacs).toBe(125_485_056);
      expect((r.macsByKernel?.BatchMatMul ?? 0) + (r.macsByKernel?._FusedMatMul ?? 0)).toBe(640);
      const params = resnetCifarParams(56);
      expect(params).toBe(853_018);
      expect(r.params).toBe(params);
      expect((params / 1e6).toFixed(3)).toBe('0.853');
      expect(r.paramsBytes).toBe(params * 4);
      // Buffers: 55 BatchNorm2d with running mean and var over 16 + 18·16 + 18·32 + 18·64 = 2,032
      // channels, plus one int32 num_batches_tracked each.
      expect(r.weightsBytes).toBe((params + 2 * 2032 + 55) * 4);
      expect(r.outputShape).toEqual([1, 10]);
      expect(r.inputShape).toEqual([1, 32, 32, 3]);
    } finally {
      net.dispose();
    }
  });

  it('counts NTIRE FLOPs, activations and convs of ResNet-56 (functional ReLUs uncounted)', async () => {
    const net = resnetCifar(56, { rng: new Rng(0) });
    try {
      const r = await profile(net, [32, 32, 3], { trueMacs: false, memory: false });
      // Conv MACs 125,485,056 (see above); BN ×2: stem 2·16,384 + 18·2·16,384 + 18·2·8,192
      // + 18·2·4,096 = 1,064,960; Linear 1·64·10 = 640. ReLUs are F.relu in the reference: 0.
      expect(r.ntire.flops).toBe(125_485_056 + 1_064_960 + 640);
      // Conv outputs: 16,384 + 18·16,384 + 18·8,192 + 18·4,096.
      expect(r.ntire.activations).toBe(532_480);
      expect(r.ntire.convLayers).toBe(55);
      expect(r.macs).toBeUndefined();
      expect(r.peakBytes).toBeUndefined();
    } finally {
      net.dispose();
    }
  });

  it('reproduces the NTIRE rules on conv + LeakyReLU + BN + Linear over (B, L, C) tokens', async () => {
    const net = new SmallNet();
    try {
      const r = await expectTensorDelta(() => profile(net, [6, 6, 3]));
      // conv 3→8 3×3 on 6×6 (pad 1): 36 positions × 9·3·8 = 7,776 (bias not counted)
      // LeakyReLU: numel 36·8 = 288; BN affine: 2·288 = 576
      // Linear on (1, 36, 8): NTIRE counts in[0]·in[1]·out[1] = 1·36·36 = 1,296 (the quirk;
      //   the true MACs are 36·8·4 = 1,152); GELU: not counted.
      expect(r.ntire.flops).toBe(7_776 + 288 + 576 + 1_296);
      expect(r.ntire.activations).toBe(288); // conv output only
      expect(r.ntire.convLayers).toBe(1);
      expect(r.macs).toBe(7_776 + 1_152);
      expect(r.outputShape).toEqual([1, 36, 4]);
    } finally {
      net.dispose();
    }
  });

  it('counts Linear on (B, C) as batch·C_in·C_out and ReLU as numel, at batch 3', async () => {
    const fc = new Linear(5, 7, { rng: new Rng(4) });
    const relu = new ReLU();
    const sig = new Sigmoid();
    class Mlp extends Module {
      a = this.registerModule('fc', fc);
      b = this.registerModule('relu', relu);
      c = this.registerModule('sig', sig);
      forward(x: tf.Tensor) {
        return tf.tidy(() => this.c.call(this.b.call(this.a.call(x))));
      }
    }
    const mlp = new Mlp();
    try {
      const r = await profile(mlp, [5], { batch: 3 });
      // Linear 3·5·7 = 105 (equal to the true MACs here); ReLU 3·7 = 21; Sigmoid not counted.
      expect(r.ntire.flops).toBe(105 + 21);
      expect(r.ntire.activations).toBe(0);
      expect(r.ntire.convLayers).toBe(0);
      expect(r.macs).toBe(105);
    } finally {
      mlp.dispose();
    }
  });

  it('counts a convolution called twice as two convs (num_conv counts calls)', async () => {
    const net = new Repeat(new Conv2d(4, 4, 3, { padding: 1, rng: new Rng(5) }), 2);
    try {
      const r = await profile(net, [5, 5, 4]);
      // Per call: 25 positions × 9·4·4 = 3,600 MACs, 100 activations.
      expect(r.ntire.convLayers).toBe(2);
      expect(r.ntire.flops).toBe(7_200);
      expect(r.ntire.activations).toBe(200);
      expect(r.macs).toBe(7_200);
    } finally {
      net.dispose();
    }
  });

  it('counts functional attention matmuls q·kᵀ and attn·v (L=16, C=8) that NTIRE misses', async () => {
    const net = new TinyAttention(8);
    try {
      const r = await expectTensorDelta(() => profile(net, [16, 8]));
      // qkv Linear: 16·8·24 = 3,072; q·kᵀ: 16·16·8 = 2,048; attn·v: 16·16·8 = 2,048.
      expect(r.macs).toBe(3_072 + 2 * 16 * 16 * 8);
      // NTIRE sees only the Linear, with its (B, L, C) quirk: 1·16·16 = 256.
      expect(r.ntire.flops).toBe(256);
      const r2 = await profile(net, [16, 8], { batch: 2, memory: false });
      expect(r2.macs).toBe(2 * (3_072 + 4_096));
      expect(r2.ntire.flops).toBe(2 * 16 * 16);
    } finally {
      net.dispose();
    }
  });

  it('counts batched and broadcast matmuls with transposes (heads=2, L=4, d=3)', async () => {
    // q [B=2, h=2, L=4, d=3]; k shared across the batch [1, 2, 4, 3]: q·kᵀ → [2, 2, 4, 4],
    // 2·2·4·4·3 = 192 MACs. Then aᵀ·q with transposeA: [2,2,4,4]ᵀ · [2,2,4,3] → 2·2·4·3·4 = 192.
    const k = tf.ones([1, 2, 4, 3]);
    const net = new Fn((q) =>
      tf.tidy(() => {
        const a = tf.matMul(q as tf.Tensor4D, tf.tile(k, [2, 1, 1, 1]) as tf.Tensor4D, false, true);
        return tf.matMul(a, q as tf.Tensor4D, true, false);
      }),
    );
    try {
      const r = await profile(net, [2, 4, 3], { batch: 2 });
      expect(r.macs).toBe(384);
      expect(r.outputShape).toEqual([2, 2, 4, 3]);
    } finally {
      k.dispose();
      net.dispose();
    }
  });

  it('counts depthwise, multiplier-2 depthwise and grouped convs (true MACs = NTIRE FLOPs)', async () => {
    const dw = new Repeat(new Conv2d(8, 8, 3, { groups: 8, padding: 1, rng: new Rng(6) }), 1);
    const dw2 = new Repeat(new Conv2d(8, 16, 3, { groups: 8, padding: 1, rng: new Rng(7) }), 1);
    const grouped = new Repeat(new Conv2d(8, 16, 3, { groups: 4, padding: 1, rng: new Rng(8) }), 1);
    try {
      // depthwise: 25 positions × 8 channels × 9 taps = 1,800
      const a = await profile(dw, [5, 5, 8]);
      expect(a.macs).toBe(1_800);
      expect(a.macsByKernel?.DepthwiseConv2dNative ?? a.macsByKernel?.FusedDepthwiseConv2D).toBe(1_800);
      expect(a.ntire.flops).toBe(1_800); // 9·8·(8/8) per position
      // multiplier 2: 25 × 16 outputs × 9 taps = 3,600
      const b = await profile(dw2, [5, 5, 8]);
      expect(b.macs).toBe(3_600);
      expect(b.ntire.flops).toBe(3_600); // 9·8·(16/8) per position
      // groups 4: each output reads 8/4 = 2 channels: 25 × 16 × 9 × 2 = 7,200
      const c = await profile(grouped, [5, 5, 8]);
      expect(c.macs).toBe(7_200);
      expect(c.ntire.flops).toBe(7_200); // 9·8·(16/4) per position
    } finally {
      dw.dispose();
      dw2.dispose();
      grouped.dispose();
    }
  });

  it('counts a transposed convolution by its input positions (x=[1,4,4,8] → [1,8,8,4], k=3 s=2)', async () => {
    const filter = tf.ones([3, 3, 4, 8]);
    const net = new Fn((x) => tf.conv2dTranspose(x as tf.Tensor4D, filter as tf.Tensor4D, [1, 8, 8, 4], 2, 'same'));
    try {
      const r = await profile(net, [4, 4, 8]);
      // each of 4·4·8 input values scatters a 3×3×4 kernel: 128·36 = 4,608
      expect(r.macs).toBe(4_608);
      expect(r.macsByKernel?.Conv2DBackpropInput).toBe(4_608);
      expect(r.outputShape).toEqual([1, 8, 8, 4]);
    } finally {
      filter.dispose();
      net.dispose();
    }
  });

  it('measures the peak bytes of input + intermediates + output (x=[1,4,4,2], relu(x + 1))', async () => {
    const net = new Fn((x) => tf.tidy(() => tf.relu(tf.add(x, 1))));
    try {
      const r = await expectTensorDelta(() => profile(net, [4, 4, 2]));
      // float32 [1,4,4,2] = 128 B. After Add: input + scalar 1 + sum = 128 + 4 + 128 = 260 (the
      // scalar is freed when the add op's scope ends). After Relu: input + sum + output = 384.
      expect(r.peakBytes).toBe(384);
      expect(r.weightsBytes).toBe(0);
      expect(r.params).toBe(0);
    } finally {
      net.dispose();
    }
  });

  it('reports inclusive per-layer rows whose leaves sum to the totals', async () => {
    const net = resnetCifar(20, { rng: new Rng(0) });
    try {
      const r = await expectTensorDelta(() => profile(net, [32, 32, 3], { perLayer: true }));
      const rows = r.perLayer ?? [];
      const byName = new Map(rows.map((row) => [row.name, row]));
      const conv = byName.get('layer1.0.conv1');
      // 32·32·9·16·16
      expect(conv).toMatchObject({ type: 'Conv2d', isLeaf: true, calls: 1, outputShape: [1, 32, 32, 16] });
      expect(conv?.macs).toBe(2_359_296);
      expect(conv?.ntireFlops).toBe(2_359_296);
      expect(conv?.activations).toBe(16_384);
      expect(conv?.params).toBe(2_304);
      expect(byName.get('linear')).toMatchObject({ type: 'Linear', macs: 640, ntireFlops: 640, outputShape: [1, 10] });
      const root = byName.get('');
      expect(root).toMatchObject({ type: 'ResNetCifar', calls: 1, macs: r.macs, ntireFlops: r.ntire.flops, params: r.params });
      const leaves = rows.filter((row) => row.isLeaf);
      expect(leaves.reduce((s, row) => s + (row.macs ?? 0), 0)).toBe(r.macs);
      expect(leaves.reduce((s, row) => s + row.ntireFlops, 0)).toBe(r.ntire.flops);
      expect(leaves.reduce((s, row) => s + row.activations, 0)).toBe(r.ntire.activations);
      // stage 2's first block: 16·16·9·16·32 + 16·16·9·32·32
      expect(byName.get('layer2.0')?.macs).toBe(1_179_648 + 2_359_296);
      // call wrappers are removed afterwards
      expect(Object.prototype.hasOwnProperty.call(net.conv1, 'call')).toBe(false);
    } finally {
      net.dispose();
    }
  });

  it('scales every count linearly with batch', async () => {
    const net = new SmallNet();
    try {
      const one = await profile(net, [6, 6, 3]);
      const four = await profile(net, [6, 6, 3], { batch: 4 });
      expect(four.macs).toBe(4 * (one.macs as number));
      expect(four.ntire.flops).toBe(4 * one.ntire.flops);
      expect(four.ntire.activations).toBe(4 * one.ntire.activations);
      expect(four.ntire.convLayers).toBe(1);
      expect(four.outputShape).toEqual([4, 36, 4]);
    } finally {
      net.dispose();
    }
  });

  it('profiles in eval mode and restores every training flag', async () => {
    // A BatchNorm2d on a 1×1×1 input throws in training mode (one value per channel).
    const net = new Repeat(new BatchNorm2d(4), 1);
    try {
      net.train();
      const r = await profile(net, [1, 1, 4]);
      expect(r.ntire.flops).toBe(8); // BN affine: 2 · 4
      expect(net.training).toBe(true);
      expect(net.layer.training).toBe(true);
      // mixed flags come back as they were
      net.layer.training = false;
      await profile(net, [1, 1, 4]);
      expect(net.training).toBe(true);
      expect(net.layer.training).toBe(false);
    } finally {
      net.dispose();
    }
  });

  it('cleans up hooks, kernels and tensors when the forward pass throws', async () => {
    const conv = new Conv2d(3, 4, 3, { padding: 1, rng: new Rng(9) });
    const boom = new Fn((x) => {
      conv.call(x); // allocates, then fails
      throw new Error('boom');
    });
    class Holder extends Module {
      c = this.registerModule('conv', conv);
      b = this.registerModule('boom', boom);
      forward(x: tf.Tensor) {
        return this.b.call(x);
      }
    }
    const net = new Holder();
    const kernelBefore = tf.getKernel('Conv2D', tf.getBackend());
    try {
      net.train();
      await expect(expectTensorDelta(() => profile(net, [4, 4, 3], { perLayer: true }))).rejects.toThrow('boom');
      expect(tf.getKernel('Conv2D', tf.getBackend())).toBe(kernelBefore);
      expect(net.training).toBe(true);
      expect(Object.prototype.hasOwnProperty.call(conv, 'call')).toBe(false);
      // The engine is no longer profiling, and the NTIRE hook is gone: a direct call counts nothing new.
      expect(tf.engine().state.profiling).toBe(false);
      const direct = new Repeat(conv, 1);
      const r = await profile(direct, [4, 4, 3]);
      expect(r.ntire.convLayers).toBe(1);
      expect(r.macs).toBe(16 * 27 * 4);
    } finally {
      net.dispose();
    }
  });

  it('serialises concurrent calls (results equal those of sequential calls)', async () => {
    const a = new Repeat(new Conv2d(2, 2, 1, { rng: new Rng(10) }), 1);
    const b = new TinyAttention(4);
    try {
      const sa = await profile(a, [3, 3, 2]);
      const sb = await profile(b, [5, 4]);
      const [ra, rb] = await Promise.all([profile(a, [3, 3, 2]), profile(b, [5, 4])]);
      expect(ra.macs).toBe(9 * 2 * 2);
      // 5·4·12 + 2·5·5·4
      expect(rb.macs).toBe(240 + 200);
      // peakBytes comes from the engine's single active profile: overlapping calls would mix them
      expect(ra).toEqual(sa);
      expect(rb).toEqual(sb);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('rejects bad arguments with InvalidValueError naming them, before allocating', async () => {
    const net = new SmallNet();
    try {
      const cases: [unknown, unknown, unknown, string][] = [
        [{}, [6, 6, 3], undefined, 'model'],
        [net, [], undefined, 'inputShape'],
        [net, [6, 0, 3], undefined, 'inputShape'],
        [net, [6, 6, 3], { batch: 0 }, 'batch'],
        [net, [6, 6, 3], { perLayer: 1 }, 'perLayer'],
        [net, [6, 6, 3], { batchSize: 2 }, 'batchSize'],
      ];
      for (const [m, shape, opts, arg] of cases) {
        const run = () => profile(m as Module, shape as number[], opts as object);
        await expect(expectTensorDelta(run)).rejects.toThrow(InvalidValueError);
        await expect(run()).rejects.toThrow(arg);
      }
      const gone = new SmallNet();
      gone.dispose();
      await expect(profile(gone, [6, 6, 3])).rejects.toThrow(/profile: model must not be disposed/);
    } finally {
      net.dispose();
    }
  });
});

describeBackends(
  'profile (einsum)',
  () => {
    it('counts a two-operand einsum as the product of all index sizes (bij,bjk->bik)', async () => {
      const w = tf.ones([2, 5, 6]);
      const net = new Fn((x) => tf.einsum('bij,bjk->bik', x, w));
      try {
        const r = await profile(net, [4, 5], { batch: 2 });
        expect(r.macs).toBe(2 * 4 * 5 * 6);
        expect(r.macsByKernel?.Einsum).toBe(240);
      } finally {
        w.dispose();
        net.dispose();
      }
    });
  },
  { skip: { wasm: "tfjs-backend-wasm 4.22 registers no 'Einsum' kernel" } },
);
