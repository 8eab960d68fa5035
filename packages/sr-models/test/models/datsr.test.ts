import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, InvalidValueError, Rng, ShapeError, initBackend } from '@lab/tensor';
import { beforeAll, expect, it } from 'vitest';
import { DatsrContrasExtractor } from '../../src/models/datsr/contras-extractor';
import { FlowSimCorrespondence, featureMatchIndex, vgg19KeysFromTorchvision } from '../../src/models/datsr/correspondence';
import { disposeCorrespondence } from '../../src/models/datsr/correspondence-maps';
import { Datsr, type DatsrOptions } from '../../src/models/datsr/datsr';
import { DatsrRestorationNet } from '../../src/models/datsr/restoration-net';
import { describeBackends, expectTensorDelta } from './sr-test-utils';

beforeAll(async () => {
  await initBackend();
});

const CPU_SKIP = { skip: { cpu: 'the cpu backend is 25–450× slower than wasm; the DATSR network runs on wasm only' } };

/** A small configuration for fast tests (the VGG widths 64/128/256 are fixed by the architecture). */
const SMALL: DatsrOptions = { ngf: 8, nBlocks: 1, depths: [2], numHeads: [2], windowSize: 4, imgSize: 4, groups: 1 };

/**
 * Parameter count of `SwinUnetv3RestorationNet(ngf, n_blocks, groups, depths, heads=h, window=ws)`
 * derived by hand from `swin_unetv3_ref_restoration_arch.py`, `dcn_v2.py` and `arch_util.py`
 * (conv k×k: in·out·k² + out; Linear: in·out + out; LayerNorm: 2·dim).
 */
function restorationParams(ngf: number, nBlocks: number, groups: number, depths: number[], heads: number, ws: number): number {
  const conv = (i: number, o: number, k = 3): number => i * o * k * k + o;
  const content = conv(3, ngf) + nBlocks * 2 * conv(ngf, ngf);
  const unit = (c: number): number => conv(ngf + 2 * c, c) + conv(c, c) + c * c * 9 + c + conv(c, 27 * groups);
  const head = (c: number): number => conv(ngf + c, ngf);
  const swinLayer = 2 * ngf + (2 * ws - 1) ** 2 * heads + (ngf * 3 * ngf + 3 * ngf) + (ngf * ngf + ngf) + 2 * ngf + (ngf * 2 * ngf + 2 * ngf) + (2 * ngf * ngf + ngf);
  const swin = 2 * ngf + depths.reduce((s, d) => s + d * swinLayer + conv(ngf, ngf), 0) + 2 * ngf;
  const tails = 2 * conv(ngf, ngf) + 2 * conv(ngf, 4 * ngf) + conv(ngf, ngf / 2) + conv(ngf / 2, 3);
  return content + conv(3, ngf) + 2 * unit(64) + 2 * unit(128) + unit(256) + 2 * head(64) + 2 * head(128) + head(256) + 5 * swin + tails;
}

describeBackends(
  'Datsr',
  () => {
    it('has the official state_dict keys and 18,026,971 + 1,110,656 parameters (ngf 128, 8 blocks, G 8, depths [4,4])', () => {
      // Hand formula above (the paper's model-size figure for DATSR is recalled as 18.0 M; not verified here).
      expect(restorationParams(128, 8, 8, [4, 4], 4, 8)).toBe(18026971);
      const net = new DatsrRestorationNet({ rng: new Rng(1) });
      const ext = new DatsrContrasExtractor({ rng: new Rng(2) });
      try {
        expect(net.numParameters()).toBe(18026971);
        // VGG16 conv1_1…conv3_1 per branch: 1,792 + 36,928 + 73,856 + 147,584 + 295,168 = 555,328.
        expect(ext.numParameters()).toBe(2 * 555328);
        const sd = { ...net.stateDict(), ...ext.stateDict() };
        const shapes = Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, t.shape]));
        tf.dispose(Object.values(sd));
        // Keys and PyTorch shapes read off the reference modules.
        expect(shapes['content_extractor.body.7.conv2.bias']).toEqual([128]);
        expect(shapes['dyn_agg_restore.unet_head.weight']).toEqual([128, 3, 3, 3]);
        expect(shapes['dyn_agg_restore.down_large_offset_conv1.weight']).toEqual([64, 256, 3, 3]);
        expect(shapes['dyn_agg_restore.down_large_dyn_agg.weight']).toEqual([64, 64, 3, 3]);
        expect(shapes['dyn_agg_restore.up_small_dyn_agg.conv_offset_mask.weight']).toEqual([216, 256, 3, 3]);
        expect(shapes['dyn_agg_restore.down_head_medium.0.weight']).toEqual([128, 256, 3, 3]);
        expect(shapes['dyn_agg_restore.down_body_large.patch_embed.norm.weight']).toEqual([128]);
        expect(shapes['dyn_agg_restore.up_body_small.layers.1.residual_group.blocks.3.attn.relative_position_bias_table']).toEqual([225, 4]);
        expect(shapes['dyn_agg_restore.up_body_small.layers.0.residual_group.blocks.0.attn.relative_position_index']).toEqual([64, 64]);
        expect(shapes['dyn_agg_restore.down_body_large.layers.0.residual_group.blocks.1.attn_mask']).toEqual([400, 64, 64]);
        expect(shapes['dyn_agg_restore.up_body_medium.layers.1.residual_group.blocks.3.attn_mask']).toEqual([100, 64, 64]);
        expect(shapes['dyn_agg_restore.up_body_small.layers.0.residual_group.blocks.1.mlp.fc1.weight']).toEqual([256, 128]);
        expect(shapes['dyn_agg_restore.up_body_large.layers.1.conv.weight']).toEqual([128, 128, 3, 3]);
        expect(shapes['dyn_agg_restore.up_body_large.norm.bias']).toEqual([128]);
        expect(shapes['dyn_agg_restore.down_tail_large.weight']).toEqual([128, 128, 3, 3]);
        expect(shapes['dyn_agg_restore.up_tail_small.0.weight']).toEqual([512, 128, 3, 3]);
        expect(shapes['dyn_agg_restore.up_tail_large.2.weight']).toEqual([3, 64, 3, 3]);
        expect(shapes['feature_extraction_image1.model.conv1_1.weight']).toEqual([64, 3, 3, 3]);
        expect(shapes['feature_extraction_image2.model.conv3_1.bias']).toEqual([256]);
        expect(shapes['feature_extraction_image1.mean']).toEqual([1, 3, 1, 1]);
        // No attn_mask on unshifted blocks (the reference registers None there).
        expect(shapes['dyn_agg_restore.up_body_small.layers.0.residual_group.blocks.0.attn_mask']).toBeUndefined();
        expect(net.sizeMultiple).toBe(8);
      } finally {
        net.dispose();
        ext.dispose();
      }
    });

    it('counts the parameters of a small configuration by the same formula (ngf 8, depths [2], window 4)', () => {
      const net = new DatsrRestorationNet({ ...SMALL, rng: new Rng(3) } as never);
      try {
        expect(net.numParameters()).toBe(restorationParams(8, 1, 1, [2], 2, 4));
      } finally {
        net.dispose();
      }
    });

    it('upscales LR [1,10,13,3] with a reference [1,37,45,3] of another size to [1,40,52,3] without leaking', async () => {
      const net = new Datsr({ ...SMALL, rng: new Rng(4) }).eval();
      const lr = new Rng(5).uniformTensor([1, 10, 13, 3], 0, 1);
      const ref = new Rng(6).uniformTensor([1, 37, 45, 3], 0, 1);
      try {
        const y = await expectTensorDelta(() => net.upscale(lr, ref), 1);
        expect(y.shape).toEqual([1, 40, 52, 3]);
        const d = y.dataSync();
        expect(d.every(Number.isFinite)).toBe(true);
        y.dispose();
        // Padding: lr is padded to a multiple of 4 ≥ max(10, ⌈37/4⌉) = 12 rows and ≥ max(13, ⌈45/4⌉) = 16 columns.
        const p = net.prepare(lr, ref);
        expect(p.lr.shape).toEqual([1, 12, 16, 3]);
        expect(p.correspondence.refFeatures.relu1_1.shape).toEqual([1, 48, 64, 64]);
        expect(p.correspondence.preOffset.relu2_1.shape).toEqual([1, 24, 32, 18]);
        p.lr.dispose();
        disposeCorrespondence(p.correspondence);
      } finally {
        tf.dispose([lr, ref]);
        net.dispose();
      }
    });

    it('rejects bad inputs and options by name, leaking nothing on the error path', async () => {
      expect(() => new Datsr({ ngf: 8, embedDim: 8 } as never)).toThrow(/unknown option 'embedDim'/);
      expect(() => new DatsrRestorationNet({ groups: 3 })).toThrow(/groups must divide 64/);
      expect(() => new DatsrRestorationNet({ depths: [2, 2], numHeads: [2] })).toThrow(InvalidValueError);
      expect(() => new DatsrRestorationNet({ ngf: 12, numHeads: [5, 5] })).toThrow(/numHeads\[0\] must divide ngf 12/);
      const net = new Datsr({ ...SMALL, rng: new Rng(7) });
      const lr = tf.zeros([1, 8, 8, 3]);
      const ref1 = tf.zeros([1, 32, 32, 1]);
      const ref2 = tf.zeros([2, 32, 32, 3]);
      const lr3 = tf.zeros([8, 8, 3]);
      try {
        await expect(expectTensorDelta(() => net.upscale(lr, ref1))).rejects.toThrow(/ref must have 3 channels/);
        await expect(expectTensorDelta(() => net.upscale(lr, ref2))).rejects.toThrow(/ref must have the batch size of lr/);
        await expect(expectTensorDelta(() => net.upscale(lr3, ref2))).rejects.toThrow(ShapeError);
        await expect(expectTensorDelta(() => net.upscale(lr3, ref2))).rejects.toThrow(/lr must have rank 4/);
      } finally {
        tf.dispose([lr, ref1, ref2, lr3]);
        net.dispose();
      }
    });

    it('trains a small configuration: the L1 loss decreases over 3 Adam steps on wasm', () => {
      const net = new Datsr({ ...SMALL, rng: new Rng(8) });
      const hr = tf.tidy(() => {
        // A smooth colour pattern with texture, 16×16.
        const yy = tf.reshape(tf.range(0, 16), [1, 16, 1, 1]);
        const xx = tf.reshape(tf.range(0, 16), [1, 1, 16, 1]);
        const phase = tf.reshape(tf.tensor1d([0, 1, 2]), [1, 1, 1, 3]);
        return tf.add(0.5, tf.mul(0.4, tf.sin(tf.add(tf.add(tf.mul(yy, 0.7), tf.mul(xx, 1.1)), phase)))) as tf.Tensor4D;
      });
      const lr = tf.image.resizeBilinear(hr, [4, 4], false, true);
      const p = net.prepare(lr, hr);
      const opt = tf.train.adam(2e-3);
      const losses: number[] = [];
      try {
        const vars = net.netG.parameters();
        for (let s = 0; s < 3; s++) {
          const loss = opt.minimize(() => tf.mean(tf.abs(tf.sub(net.netG.call(p.lr, p.correspondence), hr))) as tf.Scalar, true, vars)!;
          losses.push(loss.dataSync()[0]);
          loss.dispose();
        }
        expect(losses[2]).toBeLessThan(losses[0]);
      } finally {
        opt.dispose();
        p.lr.dispose();
        disposeCorrespondence(p.correspondence);
        tf.dispose([hr, lr]);
        net.dispose();
      }
    });
  },
  CPU_SKIP,
);

describeBackends('featureMatchIndex', () => {
  it('matches every patch of a map to itself with similarity 1 (x=[6,7,5])', () => {
    const f = new Rng(9).uniformTensor([6, 7, 5], -1, 1) as tf.Tensor3D;
    try {
      const { index, value } = featureMatchIndex(f, f);
      expect(Array.from(index)).toEqual(Array.from({ length: 4 * 5 }, (_, i) => i));
      for (const v of value) expect(v).toBeCloseTo(1, 4);
    } finally {
      f.dispose();
    }
  });

  it('gives the same result with a chunk of 3 reference patches as in one pass', () => {
    const a = new Rng(10).uniformTensor([6, 6, 4], -1, 1) as tf.Tensor3D;
    const b = new Rng(11).uniformTensor([6, 6, 4], -1, 1) as tf.Tensor3D;
    try {
      const one = featureMatchIndex(a, b);
      const chunked = featureMatchIndex(a, b, { chunk: 3 });
      expect(Array.from(chunked.index)).toEqual(Array.from(one.index));
      expect(Array.from(chunked.value)).toEqual(Array.from(one.value));
    } finally {
      tf.dispose([a, b]);
    }
  });
});

describeBackends(
  'FlowSimCorrespondence',
  () => {
    it('finds the flow (dx, dy) = (2, 1) of a translated reference and derives pre-offsets and the ×2, ×4 scales', async () => {
      // ref[y][x] = in[y − 1][x − 2]: the input patch at (y, x) reappears at (y + 1, x + 2).
      const h = 8;
      const w = 8;
      const featIn = new Rng(12).uniformTensor([1, h, w, 16], 0, 1) as tf.Tensor4D;
      const featRef = tf.tidy(() => tf.pad(tf.slice(featIn, [0, 0, 0, 0], [1, h - 1, w - 2, 16]), [[0, 0], [1, 0], [2, 0], [0, 0]]) as tf.Tensor4D);
      const refImg = tf.zeros([1, 4 * h, 4 * w, 3]) as tf.Tensor4D;
      const corr = new FlowSimCorrespondence({ rng: new Rng(13) });
      try {
        const c = await expectTensorDelta(() => corr.call(featIn, featRef, refImg), 12);
        const flow3 = (await c.flow.relu3_1.array())[0];
        const flow1 = (await c.flow.relu1_1.array())[0];
        const off3 = (await c.preOffset.relu3_1.array())[0];
        const off2 = (await c.preOffset.relu2_1.array())[0];
        const sim3 = (await c.similarity.relu3_1.array())[0];
        const sim2 = (await c.similarity.relu2_1.array())[0];
        // Patches whose match lies inside the reference grid: y + 1 ≤ 5 and x + 2 ≤ 5.
        for (let y = 0; y <= 4; y++) {
          for (let x = 0; x <= 3; x++) {
            expect(flow3[y][x]).toEqual([2, 1]);
            expect(flow1[4 * y + 3][4 * x + 1]).toEqual([8, 4]); // repeat ×4, scaled ×4
            expect(sim3[y + 1][x + 1][0]).toBeCloseTo(1, 4); // padded by one pixel
            expect(sim2[2 * y + 2][2 * x + 3][0]).toBeCloseTo(1, 4);
          }
        }
        // The last two rows and columns of the flow are zero (index_to_flow pads them).
        expect(flow3[7][3]).toEqual([0, 0]);
        expect(sim3[0][0][0]).toBe(0);
        // Tap (i, j) = (1, 2) (k = 5) at (3, 4) reads the flow at (2, 2) as (Δy, Δx) = (1, 2).
        expect(off3[3][4].slice(10, 12)).toEqual([1, 2]);
        // At relu2_1 the same tap reads the ×2 flow at (6 − 2, 9 − 4) = (4, 5) → source (2, 2): (2, 4).
        expect(off2[6][9].slice(10, 12)).toEqual([2, 4]);
        // Taps shifted past the top/left edge are zero.
        expect(off3[0][0].slice(2, 18)).toEqual(new Array(16).fill(0));
        expect(c.refFeatures.relu2_1.shape).toEqual([1, 2 * h, 2 * w, 128]);
        expect(c.refFeatures.relu3_1.shape).toEqual([1, h, w, 256]);
        disposeCorrespondence(c);
      } finally {
        tf.dispose([featIn, featRef, refImg]);
        corr.dispose();
      }
    });
  },
  CPU_SKIP,
);

describeBackends('vgg19KeysFromTorchvision', () => {
  it('loads torchvision features.0/2/5/7/10 into vgg.vgg_net.conv1_1…conv3_1 and names missing keys', async () => {
    const corr = new FlowSimCorrespondence({ rng: new Rng(14) });
    // torchvision vgg19 shapes (OIHW) of features.0, 2, 5, 7, 10 and one later layer that is ignored.
    const shapes: Record<string, number[]> = { '0': [64, 3, 3, 3], '2': [64, 64, 3, 3], '5': [128, 64, 3, 3], '7': [128, 128, 3, 3], '10': [256, 128, 3, 3], '12': [256, 256, 3, 3] };
    const tv: Record<string, tf.Tensor> = {};
    for (const [i, sh] of Object.entries(shapes)) {
      tv[`features.${i}.weight`] = tf.fill(sh, Number(i) + 1);
      tv[`features.${i}.bias`] = tf.fill([sh[0]], -(Number(i) + 1));
    }
    try {
      await expectTensorDelta(() => {
        const r = corr.loadStateDict(vgg19KeysFromTorchvision(tv), { strict: false });
        expect(r.missing).toEqual(['vgg.mean', 'vgg.std']);
      });
      expect(corr.getTensor('vgg.vgg_net.conv2_1.weight').dataSync()[0]).toBe(6);
      expect(corr.getTensor('vgg.vgg_net.conv3_1.bias').dataSync()[255]).toBe(-11);
      const { ['features.7.bias']: _dropped, ...partial } = tv;
      expect(() => vgg19KeysFromTorchvision(partial)).toThrow(CheckpointError);
      expect(() => vgg19KeysFromTorchvision(partial)).toThrow(/missing keys: features\.7\.bias/);
    } finally {
      tf.dispose(Object.values(tv));
      corr.dispose();
    }
  });
});
