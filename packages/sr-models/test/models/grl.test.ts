import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, FormatError, InvalidValueError, ShapeError, readTorchCheckpoint, type StateDict } from '@lab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../tensor/test/helpers';
import { GRL_VARIANTS, Grl, type GrlOptions } from '../../src/models/grl/grl';
import { grlStateDictFromCheckpoint, loadGrlCheckpoint } from '../../src/models/grl/grl-checkpoint';
import { OP, global, int, orderedDictOfTensors, pickle, str, zipCheckpoint, type TensorSpec } from '../../../tensor/test/io/weights/fixtures';
import { createModel, models } from '../../src/registry';
import { expectTensorDelta } from './sr-test-utils';

/** A small GRL that keeps every mechanism: 4 blocks (all shift/transpose cases), window 4, stripe [8, 4], df 2. */
const SMALL: GrlOptions = {
  embedDim: 8,
  depths: [4],
  headsWindow: 2,
  headsStripe: 2,
  windowSize: 4,
  stripeSize: [8, 4],
  anchorWindowDownFactor: 2,
};

function seeded(shape: number[], seed: number): tf.Tensor4D {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 32;
  }
  return tf.tensor4d(v, shape as [number, number, number, number]);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('Grl', () => {
  beforeAll(() => useBackend('wasm'));

  it('has 906,192 / 885,420 (Tiny) and 3,487,715 / 3,340,003 (Small) parameters at ×4 / ×2', () => {
    // Hand count, Tiny (C 64, hidden 128, 2 + 2 heads): per block qkv 12,480 + anchor 2,080 +
    // three transforms 3 × (2 + 1,536 + 1,024) + proj 4,160 + norms 256 + MLP 16,576 = 43,238;
    // 16 blocks 691,808; stage convs 4 × 36,928; conv_first 1,792; norm_start/end 256;
    // conv_after_body 36,928; upsample 64·3s²·9 + 3s² (27,696 at ×4, 6,924 at ×2).
    const tinyBody = 16 * 43238 + 4 * 36928 + 1792 + 256 + 36928;
    expect(tinyBody + 27696).toBe(906192); // sr.md §5 (and the task's figures)
    expect(tinyBody + 6924).toBe(885420);
    // Small (C 128, hidden 256): per block 49,536 + 8,256 + 3 × 2,562 + 16,512 + 512 + 65,920 =
    // 148,422; 16 blocks; stage convs 4 × 147,584; conv_first 3,584; norms 512; conv_after_body
    // 147,584; conv_before_upsample 73,792; upsample 147,712 per ×2 step; conv_last 1,731.
    const smallBody = 16 * 148422 + 4 * 147584 + 3584 + 512 + 147584 + 73792 + 1731;
    expect(smallBody + 2 * 147712).toBe(3487715);
    expect(smallBody + 147712).toBe(3340003);
    const expected: [keyof typeof GRL_VARIANTS, number, number][] = [
      ['tiny', 4, 906192],
      ['tiny', 2, 885420],
      ['small', 4, 3487715],
      ['small', 2, 3340003],
    ];
    for (const [v, scale, n] of expected) {
      const net = new Grl({ ...GRL_VARIANTS[v], scale });
      try {
        expect(net.numParameters(), `${v} ×${scale}`).toBe(n);
        expect(net.namedBuffers()).toEqual([]);
      } finally {
        net.dispose();
      }
    }
  });

  it('has 20,201,299 parameters as GRL-Base ×4 (paper: 20.20 M) with the CAB keys', () => {
    // Per block (C 180, hidden 360, 3 + 3 heads): qkv 97,740 + anchor 16,290 + transforms
    // 3 × 3,075 + proj 32,580 + norms 720 + CAB (72,945 + 73,080 + 1,810 + 1,980) + MLP 130,140
    // = 436,510; 40 blocks; 7 stage convs × 291,780; conv_first 5,040; norms 720;
    // conv_after_body 291,780; conv_before_upsample 103,744; 2 × 147,712; conv_last 1,731.
    const hand = 40 * 436510 + 7 * 291780 + 5040 + 720 + 291780 + 103744 + 2 * 147712 + 1731;
    expect(hand).toBe(20201299);
    const net = new Grl(GRL_VARIANTS.base);
    try {
      expect(net.numParameters()).toBe(hand);
      expect(net.getTensor('layers.6.blocks.3.conv.cab.3.attention.3.weight').shape).toEqual([1, 1, 10, 180]);
      expect(net.config.anchorWindowDownFactor).toBe(2);
    } finally {
      net.dispose();
    }
  });

  it('names every tensor of a block with the official state_dict keys', () => {
    const net = new Grl({ ...GRL_VARIANTS.small, depths: [1] });
    try {
      const keys = net.namedParameters().map(([k]) => k);
      const block = [
        'attn.qkv.body.weight',
        'attn.qkv.body.bias',
        'attn.anchor.body.0.reduction.weight',
        'attn.anchor.body.0.reduction.bias',
        'attn.window_attn.attn_transform.logit_scale',
        'attn.window_attn.attn_transform.cpb_mlp.0.weight',
        'attn.window_attn.attn_transform.cpb_mlp.0.bias',
        'attn.window_attn.attn_transform.cpb_mlp.2.weight',
        ...['1', '2'].flatMap((i) =>
          ['logit_scale', 'cpb_mlp.0.weight', 'cpb_mlp.0.bias', 'cpb_mlp.2.weight'].map((p) => `attn.stripe_attn.attn_transform${i}.${p}`),
        ),
        'attn.proj.weight',
        'attn.proj.bias',
        'norm1.weight',
        'norm1.bias',
        'mlp.fc1.weight',
        'mlp.fc1.bias',
        'mlp.fc2.weight',
        'mlp.fc2.bias',
        'norm2.weight',
        'norm2.bias',
      ].map((k) => `layers.0.blocks.0.${k}`);
      const head = ['conv_first.weight', 'conv_first.bias', 'norm_start.weight', 'norm_start.bias'];
      const tail = [
        'layers.0.conv.weight',
        'layers.0.conv.bias',
        'norm_end.weight',
        'norm_end.bias',
        'conv_after_body.weight',
        'conv_after_body.bias',
        'conv_before_upsample.0.weight',
        'conv_before_upsample.0.bias',
        'upsample.up.0.weight',
        'upsample.up.0.bias',
        'upsample.up.2.weight',
        'upsample.up.2.bias',
        'conv_last.weight',
        'conv_last.bias',
      ];
      expect(keys).toEqual([...head, ...block, ...tail]);
      const sd = net.stateDict();
      // PyTorch shapes: logit_scale [heads, 1, 1], cpb_mlp.2 [heads, 512], qkv [3C, C].
      expect(sd['layers.0.blocks.0.attn.window_attn.attn_transform.logit_scale'].shape).toEqual([2, 1, 1]);
      expect(sd['layers.0.blocks.0.attn.stripe_attn.attn_transform2.cpb_mlp.2.weight'].shape).toEqual([2, 512]);
      expect(sd['layers.0.blocks.0.attn.qkv.body.weight'].shape).toEqual([384, 128]);
      expect(sd['layers.0.blocks.0.attn.window_attn.attn_transform.logit_scale'].dataSync()[0]).toBeCloseTo(Math.log(10), 6);
      tf.dispose(Object.values(sd));
    } finally {
      net.dispose();
    }
  });

  for (const upsampler of ['pixelshuffledirect', 'pixelshuffle'] as const) {
    it(`maps x=[1,5,7,3] to [1,5s,7s,3] at s=2,3,4 (${upsampler}), returning one tensor`, async () => {
      const x = seeded([1, 5, 7, 3], 1);
      try {
        for (const scale of [2, 3, 4]) {
          const net = new Grl({ ...SMALL, upsampler, scale }).eval();
          try {
            const y = await expectTensorDelta(() => net.call(x), 1);
            expect(y.shape).toEqual([1, 5 * scale, 7 * scale, 3]);
            expect(Number.isFinite(tf.tidy(() => tf.sum(y)).dataSync()[0])).toBe(true);
            y.dispose();
          } finally {
            net.dispose();
          }
        }
      } finally {
        x.dispose();
      }
    });
  }

  it('reflect-pads to a multiple of 8 and crops: f(x)[5×7] equals crop(f(mirrorPad(x))) within 1e-5', () => {
    const net = new Grl({ ...SMALL, scale: 2 }).eval();
    const x = seeded([2, 5, 7, 3], 2);
    const tiny = seeded([1, 3, 3, 3], 3);
    try {
      const err = tf.tidy(() => {
        const y = net.call(x);
        const full = net.call(tf.mirrorPad(x, [[0, 0], [0, 3], [0, 1], [0, 0]], 'reflect'));
        return maxAbsDiff(y, tf.slice(full, [0, 0, 0, 0], [2, 10, 14, 3]));
      });
      expect(err).toBeLessThan(1e-5);
      // 3×3 needs pads of 5 ≥ 3: reflection is impossible, so zeros (the reference's fallback).
      const err0 = tf.tidy(() => {
        const y = net.call(tiny);
        const full = net.call(tf.pad(tiny, [[0, 0], [0, 5], [0, 5], [0, 0]]));
        return maxAbsDiff(y, tf.slice(full, [0, 0, 0, 0], [1, 6, 6, 3]));
      });
      expect(err0).toBeLessThan(1e-5);
    } finally {
      tf.dispose([x, tiny]);
      net.dispose();
    }
  });

  it('runs the SR geometry (window 32, stripe 64×64, df 4, 4 blocks) on x=[1,20,30,3] with the mean added back', async () => {
    const net = new Grl({ embedDim: 8, depths: [4], scale: 2 }).eval();
    const x = tf.fill([1, 20, 30, 3], 0.5) as tf.Tensor4D;
    try {
      const y = await expectTensorDelta(() => net.call(x), 1);
      expect(y.shape).toEqual([1, 40, 60, 3]);
      expect(net.padSize).toBe(64);
      const v = y.dataSync();
      expect(v.every(Number.isFinite)).toBe(true);
      y.dispose();
    } finally {
      x.dispose();
      net.dispose();
    }
  });

  it('rejects bad options and inputs by name, allocating nothing', async () => {
    expect(() => new Grl({ window: 8 } as never)).toThrow(/Grl: unknown option 'window'/);
    expect(() => new Grl({ embedDim: 6, headsWindow: 2 })).toThrow(InvalidValueError);
    expect(() => new Grl({ scale: 8 })).toThrow(/Grl: scale must be one of 2, 3, 4, got 8/);
    expect(() => new Grl({ windowSize: 24 })).toThrow(/Grl: windowSize 24 and stripeSize \[64,64\] must all divide/);
    expect(() => new Grl({ stripeSize: [64, 62] })).toThrow(/stripeSize/);
    expect(() => new Grl({ upsampler: 'nearest+conv' as never })).toThrow(/upsampler/);
    const net = new Grl(SMALL);
    const x = tf.zeros([1, 8, 8, 4]);
    const xi = tf.zeros([1, 8, 8, 3], 'int32');
    try {
      await expect(expectTensorDelta(() => net.call(x))).rejects.toThrow(ShapeError);
      await expect(expectTensorDelta(() => net.call(xi))).rejects.toThrow(/Grl: x must have dtype float32/);
    } finally {
      tf.dispose([x, xi]);
      net.dispose();
    }
  });
});

describe('grlStateDictFromCheckpoint', () => {
  beforeAll(() => useBackend('wasm'));

  /** A Lightning-style state dict: the network under `prefix`, buffers and (when prefixed) training state beside. */
  function lightningDict(net: Grl, prefix: string): StateDict {
    const sd = net.stateDict();
    const out: StateDict = {};
    for (const [k, v] of Object.entries(sd)) out[prefix + k] = v;
    // Buffers of the reference at its training size (window 4 → table_w [1, 7, 7, 2]; stripe
    // [8, 4], df 2 → table_sh [1, 8 + 4 − 1, 4 + 2 − 1, 2]).
    out[`${prefix}table_w`] = tf.zeros([1, 7, 7, 2]);
    out[`${prefix}table_sh`] = tf.zeros([1, 11, 5, 2]);
    out[`${prefix}index_w`] = tf.zeros([16, 16], 'int32');
    out[`${prefix}mask_sh_a2w`] = tf.zeros([4, 8, 32]);
    out[`${prefix}layers.0.blocks.0.attn.window_attn.relative_position_index`] = tf.zeros([16, 16], 'int32');
    if (prefix !== '') {
      out.current_val_metric = tf.zeros([2]);
      out.best_val_metric = tf.zeros([2]);
      out.best_iter = tf.zeros([2], 'int32');
    }
    return out;
  }

  for (const prefix of ['model.', 'model_g.', '']) {
    it(`round-trips a model through the ${prefix ? `'${prefix}'` : 'unprefixed'} layout: same outputs after loading`, () => {
      const a = new Grl({ ...SMALL, scale: 2 }).eval();
      const b = new Grl({ ...SMALL, scale: 2 }).eval();
      const x = seeded([1, 8, 8, 3], 4);
      const dict = lightningDict(a, prefix);
      if (prefix === 'model_g.') dict['model_d.conv0.weight'] = tf.zeros([4, 3, 3, 3]);
      try {
        const before = tf.tidy(() => maxAbsDiff(a.call(x), b.call(x)));
        expect(before).toBeGreaterThan(1e-3);
        const clean = grlStateDictFromCheckpoint(dict, b);
        expect(Object.keys(clean).sort()).toEqual(a.namedParameters().map(([k]) => k).sort());
        b.loadStateDict(clean);
        expect(tf.tidy(() => maxAbsDiff(a.call(x), b.call(x)))).toBe(0);
      } finally {
        tf.dispose([x, ...Object.values(dict)]);
        a.dispose();
        b.dispose();
      }
    });
  }

  it('throws CheckpointError naming the key for a buffer of another configuration, a missing key, or no network', () => {
    const a = new Grl({ ...SMALL, scale: 2 });
    const wide = new Grl({ ...SMALL, windowSize: 8, stripeSize: [8, 8], scale: 2 });
    const dict = lightningDict(a, 'model.');
    try {
      expect(() => grlStateDictFromCheckpoint(dict, wide)).toThrow(CheckpointError);
      expect(() => grlStateDictFromCheckpoint(dict, wide)).toThrow(/buffer 'model.table_w' has shape \[1,7,7,2\].*windowSize 8 give \[1,15,15,2\]/);
      const clean = grlStateDictFromCheckpoint(dict, a);
      const { ['layers.0.blocks.2.mlp.fc1.bias']: dropped, ...rest } = clean;
      expect(dropped).toBeDefined();
      expect(() => a.loadStateDict(rest)).toThrow(/missing keys \(1\): layers\.0\.blocks\.2\.mlp\.fc1\.bias/);
      expect(() => grlStateDictFromCheckpoint({ current_val_metric: dict.current_val_metric })).toThrow(/must hold 'conv_first.weight'/);
    } finally {
      tf.dispose(Object.values(dict));
      a.dispose();
      wide.dispose();
    }
  });
});

/**
 * A PyTorch Lightning `.ckpt` as GRL's trainer saves it (torch.save zip): `epoch`,
 * `hyper_parameters` (an omegaconf DictConfig: an unknown class, built with REDUCE, BUILD and
 * SETITEMS), `callbacks` holding a `pathlib.PosixPath`, and `state_dict` with the network under
 * `model.` beside `current_val_metric`. Assembled opcode by opcode with the tensor package's
 * fixture writer.
 */
function lightningCkpt(net: Grl, tweak?: (name: string, shape: number[]) => number[]): Uint8Array {
  const sd = net.stateDict();
  const specs: TensorSpec[] = [];
  const storages = new Map<string, { bytes: Uint8Array }>();
  const add = (name: string, t: tf.Tensor) => {
    const key = String(specs.length);
    const shape = tweak ? tweak(name, t.shape) : t.shape;
    const numel = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(numel);
    data.set((t.dataSync() as Float32Array).subarray(0, numel));
    const stride = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
    specs.push({ name, cls: 'FloatStorage', key, numel, offset: 0, size: shape, stride });
    storages.set(key, { bytes: new Uint8Array(data.buffer) });
  };
  try {
    for (const [k, v] of Object.entries(sd)) add(`model.${k}`, v);
    const metric = tf.zeros([2]);
    add('current_val_metric', metric);
    metric.dispose();
  } finally {
    tf.dispose(Object.values(sd));
  }
  const pkl = pickle([
    OP.EMPTY_DICT,
    OP.MARK,
    ...str('epoch'),
    ...int(3),
    ...str('hyper_parameters'),
    ...global('omegaconf.dictconfig', 'DictConfig'),
    OP.EMPTY_TUPLE,
    OP.REDUCE,
    OP.EMPTY_DICT,
    ...str('_content'),
    ...str('grl_tiny'),
    OP.SETITEM,
    OP.BUILD,
    OP.MARK,
    ...str('patch_size'),
    ...int(256),
    OP.SETITEMS,
    ...str('callbacks'),
    OP.EMPTY_DICT,
    ...str('ModelCheckpoint'),
    ...global('pathlib', 'PosixPath'),
    ...str('/tmp/last.ckpt'),
    OP.TUPLE1,
    OP.REDUCE,
    OP.SETITEM,
    ...str('state_dict'),
    ...orderedDictOfTensors(specs, false),
    OP.SETITEMS,
  ]);
  return zipCheckpoint({ pkl, storages });
}

describe('loadGrlCheckpoint', () => {
  beforeAll(() => useBackend('wasm'));

  it('loads a Lightning .ckpt (model. prefix, omegaconf hyper_parameters) that the strict reader refuses', () => {
    const a = new Grl({ ...SMALL, scale: 2 }).eval();
    const b = new Grl({ ...SMALL, scale: 2 }).eval();
    const x = seeded([1, 8, 8, 3], 5);
    try {
      const bytes = lightningCkpt(a);
      expect(() => readTorchCheckpoint(bytes)).toThrow(FormatError);
      expect(() => readTorchCheckpoint(bytes)).toThrow(/omegaconf\.dictconfig\.DictConfig/);
      const before = tf.memory().numTensors;
      loadGrlCheckpoint(b, bytes);
      expect(tf.memory().numTensors).toBe(before);
      expect(tf.tidy(() => maxAbsDiff(a.call(x), b.call(x)))).toBe(0);
    } finally {
      x.dispose();
      a.dispose();
      b.dispose();
    }
  });

  it('throws CheckpointError naming a mis-shaped key, leaving the model unchanged', () => {
    const a = new Grl({ ...SMALL, scale: 2 });
    const b = new Grl({ ...SMALL, scale: 2 });
    try {
      const key = 'layers.0.blocks.1.attn.proj.weight';
      const bytes = lightningCkpt(a, (name, shape) => (name === `model.${key}` ? [shape[0], shape[1] - 1] : shape));
      const w = b.getTensor('conv_first.weight').dataSync().slice();
      expect(() => loadGrlCheckpoint(b, bytes)).toThrow(CheckpointError);
      expect(() => loadGrlCheckpoint(b, bytes)).toThrow(/shape mismatch for 'layers\.0\.blocks\.1\.attn\.proj\.weight'/);
      expect(b.getTensor('conv_first.weight').dataSync()).toEqual(w);
      expect(() => loadGrlCheckpoint(b, new Uint8Array([1, 2, 3]))).toThrow(FormatError);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});

describe('models registry: GRL entries', () => {
  it('builds grl-tiny / grl-small with their release assets sr_grl_<size>_c3x<s>.ckpt', () => {
    expect(models['grl-tiny'].checkpoint.files[4]).toBe('sr_grl_tiny_c3x4.ckpt');
    expect(models['grl-small'].checkpoint.files[2]).toBe('sr_grl_small_c3x2.ckpt');
    expect(models['grl-base'].checkpoint.release).toBe('v1.0.0');
    expect(models['grl-base'].checkpoint.licence).toBe('MIT');
    const net = createModel('grl-small', { scale: 2, depths: [1] });
    try {
      expect(net).toBeInstanceOf(Grl);
      expect(net.config.embedDim).toBe(128);
      expect(net.config.upsampler).toBe('pixelshuffle');
      expect(net.scale).toBe(2);
    } finally {
      net.dispose();
    }
  });
});
