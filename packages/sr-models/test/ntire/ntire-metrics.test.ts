import { InvalidValueError, formatCount, profile, type Module } from '@lab/tensor';
import { expect, it } from 'vitest';
import { Imdn } from '../../src/models/imdn/imdn';
import { ImdnNtire2022 } from '../../src/models/imdn-ntire2022/imdn-ntire2022';
import { Rfdn } from '../../src/models/rfdn/rfdn';
import { Rlfn } from '../../src/models/rlfn/rlfn';
import { NTIRE2022_PUBLISHED } from '../../src/ntire/ntire2022-published';
import { ntireMetrics } from '../../src/ntire/ntire-metrics';
import { describeBackends, expectTensorDelta } from '../models/sr-test-utils';

interface Counts {
  flops: number;
  activations: number;
  convLayers: number;
}

/**
 * NTIRE counts derived by hand from the architectures at an h×w input. Per full-resolution pixel:
 * conv MACs (k²·Cin·Cout, no bias), outputs of LeakyReLU/ReLU modules (every call), Conv2d output
 * channels. ESA branches run at `s = ⌊(h−3)/2⌋+1` (stride-2 conv) and `p = ⌊(s−7)/3⌋+1` (7×7/3 pool).
 */
const analytic = {
  // sr.md §1.1: 891,584 conv MACs and 1,536 LeakyReLU outputs per pixel; 2,352 conv output channels.
  'imdn-ntire2022': (h: number, w: number): Counts => ({ flops: h * w * (891584 + 1536), activations: h * w * 2352, convLayers: 43 }),
  // fea 1,728; per IMDB c1 36,864 + c2 27,648 + c3 27,648 + c4 6,912 + c5 4,096 and 3×64 LeakyReLU
  // outputs; c 24,576 + 64; LR_conv 36,864; upsampler 27,648 (×4). CCA's 1×1 convs act on 1×1 maps:
  // 2·256 MACs and 4 ReLU outputs per block; outputs 4 + 64.
  imdn: (h: number, w: number): Counts => ({
    flops: h * w * (1728 + 6 * (103168 + 192) + 24576 + 64 + 36864 + 27648) + 6 * (512 + 4),
    activations: h * w * (64 + 6 * 272 + 64 + 64 + 48) + 6 * 68,
    convLayers: 1 + 6 * 7 + 3,
  }),
  rfdn: (h: number, w: number): Counts => {
    const s = (Math.floor((h - 3) / 2) + 1) * (Math.floor((w - 3) / 2) + 1);
    const p = (Math.floor((Math.floor((h - 3) / 2) + 1 - 7) / 3) + 1) * (Math.floor((Math.floor((w - 3) / 2) + 1 - 7) / 3) + 1);
    // RFDB per pixel: 3·(1,250 + 22,500) + c4 11,250 + c5 5,000 + ESA 1×1s 600 + 144 + 600 = 88,844 MACs;
    // 7 LeakyReLU calls (4·25 + 3·50 = 250); outputs 374. ESA: conv2 1,296 per s-pixel (12 outputs);
    // conv_max, conv3, conv3_ 3·1,296 plus 2 ReLU calls (24) per p-pixel (36 outputs).
    const block = { flops: h * w * (88844 + 250) + s * 1296 + p * (3 * 1296 + 24), acts: h * w * 374 + s * 12 + p * 36 };
    return {
      flops: h * w * (1350 + 10000 + 50 + 22500 + 21600) + 4 * block.flops,
      activations: h * w * (50 + 50 + 50 + 48) + 4 * block.acts,
      convLayers: 1 + 4 * 15 + 3,
    };
  },
  rlfn: (h: number, w: number): Counts => {
    const s = (Math.floor((h - 3) / 2) + 1) * (Math.floor((w - 3) / 2) + 1);
    const p = (Math.floor((Math.floor((h - 3) / 2) + 1 - 7) / 3) + 1) * (Math.floor((Math.floor((w - 3) / 2) + 1 - 7) / 3) + 1);
    // RLFB per pixel: 19,872 + 20,736 + 19,872 (3×3s) + 2,116 (c5) + 736 + 256 + 736 (ESA 1×1s)
    // = 64,324 MACs; 3 LeakyReLU calls (48 + 48 + 46); outputs 266. ESA conv2 2,304 per s-pixel,
    // conv3 2,304 per p-pixel (16 outputs each); RLFN's ESA applies no ReLU.
    const block = { flops: h * w * (64324 + 142) + (s + p) * 2304, acts: h * w * 266 + (s + p) * 16 };
    return {
      flops: h * w * (1242 + 19044 + 19872) + 4 * block.flops,
      activations: h * w * (46 + 46 + 48) + 4 * block.acts,
      convLayers: 1 + 4 * 9 + 2,
    };
  },
};

/**
 * Exact counts of the official counter (NTIRE2022_ESR `utils/model_summary.py`
 * `get_model_flops` / `get_model_activation`) on the PyTorch models at a 1×3×256×256 input,
 * run once with PyTorch 1.13.
 */
const OFFICIAL_COUNTER_256: Record<string, Counts & { params: number }> = {
  'imdn-ntire2022': { params: 893936, flops: 58531512320, activations: 154140672, convLayers: 43 },
  rfdn: { params: 433448, flops: 27102622560, activations: 112034240, convLayers: 64 },
  rlfn: { params: 317218, flops: 19695306752, activations: 80045184, convLayers: 39 },
  imdn: { params: 715176, flops: 46598720536, activations: 122683800, convLayers: 46 },
};

const builders: Record<'imdn-ntire2022' | 'rfdn' | 'rlfn', () => Module> = {
  'imdn-ntire2022': () => new ImdnNtire2022(),
  rfdn: () => new Rfdn(),
  rlfn: () => new Rlfn(),
};

describeBackends(
  'ntireMetrics at 256×256 (slow)',
  () => {
    for (const name of ['imdn-ntire2022', 'rfdn', 'rlfn'] as const) {
      it(`reproduces the published NTIRE 2022 figures of ${name} exactly (params, FLOPs, activations, convs)`, async () => {
        const net = builders[name]();
        try {
          const m = await expectTensorDelta(() => ntireMetrics(net, { lrSize: 256, runtimeSize: 32, runs: 1, warmup: 0 }), 0);
          const official = OFFICIAL_COUNTER_256[name];
          expect({ params: m.params, flops: m.flops, activations: m.activations, convLayers: m.convLayers }).toEqual(official);
          expect({ flops: m.flops, activations: m.activations, convLayers: m.convLayers }).toEqual(analytic[name](256, 256));
          // The published table (sr.md §2) at its precision: params in M (3 decimals), FLOPs in G and
          // activations in M (2 decimals), conv count.
          const pub = NTIRE2022_PUBLISHED[name]!;
          expect((m.params / 1e6).toFixed(3)).toBe(pub.paramsM.toFixed(3));
          expect((m.flops / 1e9).toFixed(2)).toBe(pub.flopsG.toFixed(2));
          expect((m.activations / 1e6).toFixed(2)).toBe(pub.activationsM.toFixed(2));
          expect(m.convLayers).toBe(pub.convLayers);
          expect(formatCount(m.flops)).toBe(`${pub.flopsG.toFixed(2)} G`);
        } finally {
          net.dispose();
        }
      });
    }
  },
  { skip: { cpu: 'a 256×256 pass takes minutes on the cpu backend; the same counts are checked on cpu at 32×32, 24×24 and 24×30' } },
);

describeBackends('ntireMetrics', () => {
  it('counts scale linearly with pixels for IMDN-NTIRE: 64 × the 32×32 counts equal the 256×256 figures', async () => {
    const net = new ImdnNtire2022();
    try {
      const m = await ntireMetrics(net, { lrSize: 32, runtimeSize: 16, runs: 1, warmup: 0 });
      expect(64 * m.flops).toBe(OFFICIAL_COUNTER_256['imdn-ntire2022'].flops);
      expect(64 * m.activations).toBe(OFFICIAL_COUNTER_256['imdn-ntire2022'].activations);
      expect(m.convLayers).toBe(43);
    } finally {
      net.dispose();
    }
  });

  const all: Record<keyof typeof analytic, () => Module> = { ...builders, imdn: () => new Imdn() };
  for (const [name, build] of Object.entries(all) as [keyof typeof analytic, () => Module][]) {
    // One test per model, each with room for the slow cpu backend on a busy 2-core machine.
    it(`matches the hand-derived counts of ${name} at 24×24 (and at 24×30 through profile)`, async () => {
      const net = build();
      try {
        const m = await ntireMetrics(net, { lrSize: 24, runtimeSize: 16, runs: 1, warmup: 0 });
        expect({ flops: m.flops, activations: m.activations, convLayers: m.convLayers }, name).toEqual(analytic[name](24, 24));
        // ntireMetrics measures squares (as NTIRE); the counter itself handles any shape.
        const p = await profile(net, [24, 30, 3], { memory: false, trueMacs: false });
        expect(p.ntire, `${name} 24×30`).toEqual(analytic[name](24, 30));
      } finally {
        net.dispose();
      }
    }, 300_000);
  }

  it('gives the official 256×256 counter of the original IMDN by the same formula', () => {
    const { params: _p, ...imdn256 } = OFFICIAL_COUNTER_256.imdn;
    expect(analytic.imdn(256, 256)).toEqual(imdn256);
  });

  it('reports memory with the weights, a median runtime and GFLOP/s = 2·MACs / time, leaving no tensor', async () => {
    const net = new Rlfn().train();
    try {
      const m = await expectTensorDelta(() => ntireMetrics(net, { lrSize: 32, runtimeSize: 24, runs: 3, warmup: 1 }), 0);
      expect(net.training).toBe(true); // flags restored
      expect(m.params).toBe(317218);
      expect(m.weightsBytes).toBe(317218 * 4);
      expect(m.memoryMiB).toBeCloseTo((m.weightsBytes + m.peakBytes) / 2 ** 20, 12);
      // The peak holds at least the 4×-upscaled output [1, 128, 128, 3] and one 46-channel feature map.
      expect(m.peakBytes).toBeGreaterThanOrEqual(4 * (128 * 128 * 3 + 32 * 32 * 46));
      expect(m.runtimeInputShape).toEqual([1, 24, 24, 3]);
      expect(m.runtime.runs).toBe(3);
      expect(m.runtimeMs).toBe(m.runtime.medianMs);
      expect(m.runtimeMacs).toBeLessThan(m.macs); // 24² vs 32² pixels
      expect(m.gflopsPerSecond).toBeCloseTo((2 * m.runtimeMacs) / (m.runtimeMs * 1e6), 9);
      expect(m.macs).toBeLessThanOrEqual(m.flops); // NTIRE adds activation outputs to the conv MACs
    } finally {
      net.dispose();
    }
  });

  it('rejects bad sizes (also below the ESA minimum of 15), unknown options and a disposed model by name', async () => {
    const net = new Rlfn();
    await expect(ntireMetrics(net, { lrSize: 0 })).rejects.toThrow(/ntireMetrics: lrSize must be an integer >= 1, got 0/);
    await expect(ntireMetrics(net, { runs: 0 })).rejects.toThrow(InvalidValueError);
    await expect(ntireMetrics(net, { size: 256 } as never)).rejects.toThrow(/ntireMetrics: unknown option 'size'/);
    await expect(expectTensorDelta(() => ntireMetrics(net, { lrSize: 64, runtimeSize: 14 }))).rejects.toThrow(
      /ntireMetrics: lrSize and runtimeSize must be at least the model's minInputSize 15, got 64 and 14/,
    );
    net.dispose();
    await expect(ntireMetrics(net)).rejects.toThrow(/ntireMetrics: model must not be disposed/);
    await expect(ntireMetrics({} as never)).rejects.toThrow(/model must be a Module/);
  });
});
