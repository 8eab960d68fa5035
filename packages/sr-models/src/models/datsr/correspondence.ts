/**
 * DATSR's correspondence (`FlowSimCorrespondenceGenerationArch`): patch matching on texture
 * features, and VGG19 features of the reference.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, Module, checkOptions, getGlobalRng, type Rng, type StateDict } from '@lab/tensor';
import type { DatsrCorrespondence, DatsrScaleMaps } from './correspondence-maps';
import { VggSlice, registerImageNetBuffers } from './vgg-slice';

/**
 * VGG19 `relu1_1`, `relu2_1` and `relu3_1` with ImageNet normalisation (BasicSR's
 * `VGGFeatureExtractor` with `vgg_type='vgg19'`): `vgg_net.conv1_1` …, buffers `mean` and `std`.
 * The weights are torchvision's ImageNet VGG19 (`features.0/2/5/7/10`), not part of DATSR's files.
 * @category Models
 */
export class Vgg19FeatureExtractor extends Module<[tf.Tensor4D], DatsrScaleMaps> {
  private readonly net: VggSlice;
  private readonly buffers: { mean: tf.Variable; std: tf.Variable };

  /** @param rng - initial weights */
  constructor(rng: Rng) {
    super();
    this.net = this.registerModule('vgg_net', new VggSlice('relu3_1', ['relu1_1', 'relu2_1', 'relu3_1'], rng));
    this.buffers = registerImageNetBuffers(this);
  }

  /**
   * @param x - `[n, H, W, 3]` in [0, 1], `H` and `W` multiples of 4
   * @returns `relu1_1` `[n, H, W, 64]`, `relu2_1` `[n, H/2, W/2, 128]`, `relu3_1` `[n, H/4, W/4, 256]`; the caller disposes them
   */
  forward(x: tf.Tensor4D): DatsrScaleMaps {
    const xn = tf.tidy(() => tf.div(tf.sub(x, this.buffers.mean), this.buffers.std) as tf.Tensor4D);
    try {
      const o = this.net.call(xn);
      return { relu1_1: o.relu1_1!, relu2_1: o.relu2_1!, relu3_1: o.relu3_1! };
    } finally {
      xn.dispose();
    }
  }
}

/** Options of {@link featureMatchIndex}. @category Models */
export interface FeatureMatchOptions {
  /**
   * Largest number of reference patches correlated at once; bounds the memory of the
   * `[h−2, w−2, chunk]` correlation (the reference batches by `512·2²⁰/(h·w)` for the same reason).
   * @defaultValue chosen so that one chunk holds at most 2²² correlation values
   */
  chunk?: number;
}

/** Result of {@link featureMatchIndex}: best reference patch per input patch. @category Models */
export interface FeatureMatchResult {
  /** Row-major index (over the `(hr−2)·(wr−2)` reference patches) of the best match, `[(h−2)·(w−2)]`. */
  index: Int32Array;
  /** Cosine similarity of the best match, `[(h−2)·(w−2)]`. */
  value: Float32Array;
}

/**
 * Matches every 3×3 patch of `input` to its most similar 3×3 patch of `ref` by cosine similarity
 * (`feature_match_index` with `is_norm` and `norm_input`): features are first L2-normalised per
 * pixel over channels (`F.normalize`), each reference patch divided by its norm + 1e-5, the
 * correlation `⟨p_in, p_ref⟩` computed as a valid convolution, and the maximum divided by the
 * input patch norm + 1e-5. Ties go to the lowest index.
 * @param input - `[h, w, C]`, `h, w ≥ 3`
 * @param ref - `[hr, wr, C]`, `hr, wr ≥ 3`
 * @param options - see {@link FeatureMatchOptions}
 * @returns indices and similarities (plain arrays; no tensors stay allocated)
 * @category Models
 */
export function featureMatchIndex(input: tf.Tensor3D, ref: tf.Tensor3D, options: FeatureMatchOptions = {}): FeatureMatchResult {
  const [h, w, c] = input.shape;
  const [hr, wr] = ref.shape;
  const oh = h - 2;
  const ow = w - 2;
  const P = (hr - 2) * (wr - 2);
  const chunk = Math.max(1, Math.min(P, options.chunk ?? Math.floor(2 ** 22 / (oh * ow))));
  const index = new Int32Array(oh * ow);
  const value = new Float32Array(oh * ow).fill(-Infinity);
  const [fin, filter, inNorm] = tf.tidy(() => {
    const l2 = (t: tf.Tensor3D): tf.Tensor3D => tf.div(t, tf.maximum(tf.sqrt(tf.sum(tf.square(t), 2, true)), 1e-12));
    const a = l2(input);
    const b = l2(ref);
    const taps: tf.Tensor2D[] = [];
    for (let u = 0; u < 3; u++) for (let v = 0; v < 3; v++) taps.push(tf.transpose(tf.reshape(tf.slice(b, [u, v, 0], [hr - 2, wr - 2, c]), [P, c])));
    let f = tf.reshape(tf.stack(taps), [3, 3, c, P]) as tf.Tensor4D;
    f = tf.div(f, tf.add(tf.sqrt(tf.sum(tf.square(f), [0, 1, 2])), 1e-5));
    const sq = tf.reshape(tf.sum(tf.square(a), 2), [1, h, w, 1]) as tf.Tensor4D;
    const norm = tf.add(tf.sqrt(tf.conv2d(sq, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 1, 'valid')), 1e-5);
    return [tf.reshape(a, [1, h, w, c]) as tf.Tensor4D, f, norm];
  });
  try {
    for (let start = 0; start < P; start += chunk) {
      const size = Math.min(chunk, P - start);
      const [mx, am] = tf.tidy(() => {
        const corr = tf.conv2d(fin, tf.slice(filter, [0, 0, 0, start], [3, 3, c, size]) as tf.Tensor4D, 1, 'valid');
        return [tf.max(corr, 3), tf.argMax(corr, 3)];
      });
      const mv = mx.dataSync();
      const ai = am.dataSync();
      tf.dispose([mx, am]);
      for (let i = 0; i < oh * ow; i++) {
        if (mv[i] > value[i]) {
          value[i] = mv[i];
          index[i] = ai[i] + start;
        }
      }
    }
    const nrm = inNorm.dataSync();
    for (let i = 0; i < oh * ow; i++) value[i] /= nrm[i];
  } finally {
    tf.dispose([fin, filter, inNorm]);
  }
  return { index, value };
}

/** Options of {@link FlowSimCorrespondence}. @category Models */
export interface FlowSimCorrespondenceOptions extends FeatureMatchOptions {
  /** Generator of the initial VGG19 weights. @defaultValue the global generator */
  rng?: Rng;
}

/**
 * DATSR's correspondence (`FlowSimCorrespondenceGenerationArch`, `net_map`; patch 3, stride 1,
 * VGG19 `relu1_1`/`relu2_1`/`relu3_1`). From the texture features of LR↑ and of the reference
 * (both `[n, h, w, 256]` at the LR size) it finds for every position the best 3×3 reference
 * patch ({@link featureMatchIndex}), turns the index into a flow to that patch (zero on the last
 * two rows and columns), pads the similarity by one pixel, and derives the three scales by
 * repetition (`repeat_interleave` ×2 and ×4, flows scaled by 2 and 4). The pre-offset of 3×3 tap
 * `(i, j)` is the flow shifted down/right by `(i, j)·s` at scale `s` (zero filled). It also
 * returns VGG19 features of the reference image. Parameters `vgg.vgg_net.*` and buffers
 * `vgg.mean`, `vgg.std` (torchvision's VGG19; DATSR ships no file for them). Not differentiable.
 * @see caojiezhang/DATSR `flow_similarity_corres_generation_arch.py`, `ref_map_util.py`
 * @category Models
 */
export class FlowSimCorrespondence extends Module<[tf.Tensor4D, tf.Tensor4D, tf.Tensor4D], DatsrCorrespondence> {
  /** `vgg`: VGG19 up to `relu3_1`. */
  readonly vgg: Vgg19FeatureExtractor;
  private readonly matchOptions: FeatureMatchOptions;

  /**
   * @param options - see {@link FlowSimCorrespondenceOptions}
   * @throws InvalidValueError for an unknown option
   */
  constructor(options: FlowSimCorrespondenceOptions = {}) {
    super();
    checkOptions('FlowSimCorrespondence', options, ['chunk', 'rng']);
    this.vgg = this.registerModule('vgg', new Vgg19FeatureExtractor(options.rng ?? getGlobalRng()));
    this.matchOptions = options.chunk !== undefined ? { chunk: options.chunk } : {};
  }

  /**
   * @param featIn - texture features of LR↑ `[n, h, w, 256]`
   * @param featRef - texture features of the reference `[n, h, w, 256]`
   * @param ref - the reference image `[n, 4h, 4w, 3]` in [0, 1]
   * @returns the correspondence; the caller disposes it (see {@link disposeCorrespondence})
   */
  forward(featIn: tf.Tensor4D, featRef: tf.Tensor4D, ref: tf.Tensor4D): DatsrCorrespondence {
    const [n, h, w] = featIn.shape;
    const [, hr, wr] = featRef.shape;
    const gw = wr - 2; // width of the reference patch grid (equals the input's, w − 2, as the reference requires)
    const scales = [4, 2, 1] as const;
    const flows = scales.map((s) => new Float32Array(n * h * s * w * s * 2));
    const offsets = scales.map((s) => new Float32Array(n * h * s * w * s * 18));
    const sims = scales.map((s) => new Float32Array(n * h * s * w * s));
    for (let b = 0; b < n; b++) {
      const m = tf.tidy(() => {
        const a = tf.reshape(tf.slice(featIn, [b, 0, 0, 0], [1, h, w, -1]), [h, w, -1]) as tf.Tensor3D;
        const r = tf.reshape(tf.slice(featRef, [b, 0, 0, 0], [1, hr, wr, -1]), [hr, wr, -1]) as tf.Tensor3D;
        return [a, r] as const;
      });
      let match: FeatureMatchResult;
      try {
        match = featureMatchIndex(m[0], m[1], this.matchOptions);
      } finally {
        tf.dispose([m[0], m[1]]);
      }
      // relu3_1 flow (x, y) at the patch grid's top-left corners; zero on the last two rows/columns.
      const f3 = new Float32Array(h * w * 2);
      const s3 = new Float32Array(h * w);
      for (let y = 0; y < h - 2; y++) {
        for (let x = 0; x < w - 2; x++) {
          const k = match.index[y * (w - 2) + x];
          f3[(y * w + x) * 2] = (k % gw) - x;
          f3[(y * w + x) * 2 + 1] = Math.floor(k / gw) - y;
          s3[(y + 1) * w + x + 1] = match.value[y * (w - 2) + x];
        }
      }
      scales.forEach((s, si) => {
        const H = h * s;
        const W = w * s;
        const base = b * H * W;
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            const src = Math.floor(y / s) * w + Math.floor(x / s);
            const p = base + y * W + x;
            flows[si][2 * p] = s * f3[2 * src];
            flows[si][2 * p + 1] = s * f3[2 * src + 1];
            sims[si][p] = s3[src];
            for (let i = 0; i < 3; i++) {
              for (let j = 0; j < 3; j++) {
                const yy = y - i * s;
                const xx = x - j * s;
                if (yy < 0 || xx < 0) continue;
                const q = Math.floor(yy / s) * w + Math.floor(xx / s);
                const t = 18 * p + 2 * (i * 3 + j);
                offsets[si][t] = s * f3[2 * q + 1]; // Δy
                offsets[si][t + 1] = s * f3[2 * q]; // Δx
              }
            }
          }
        }
      });
    }
    const maps = (data: Float32Array[], ch: number): DatsrScaleMaps => ({
      relu1_1: tf.tensor4d(data[0], [n, 4 * h, 4 * w, ch]),
      relu2_1: tf.tensor4d(data[1], [n, 2 * h, 2 * w, ch]),
      relu3_1: tf.tensor4d(data[2], [n, h, w, ch]),
    });
    const result: DatsrCorrespondence = {
      preOffset: maps(offsets, 18),
      flow: maps(flows, 2),
      similarity: maps(sims, 1),
      refFeatures: null as unknown as DatsrScaleMaps,
    };
    try {
      result.refFeatures = this.vgg.call(ref);
    } catch (e) {
      for (const mp of [result.preOffset, result.flow, result.similarity]) tf.dispose([mp.relu1_1, mp.relu2_1, mp.relu3_1]);
      throw e;
    }
    return result;
  }
}

/** torchvision `vgg19().features` indices of the convolutions up to `relu3_1`. */
const TORCHVISION_VGG19_CONVS = Object.freeze([
  ['0', 'conv1_1'],
  ['2', 'conv1_2'],
  ['5', 'conv2_1'],
  ['7', 'conv2_2'],
  ['10', 'conv3_1'],
] as const);

/**
 * Renames the first five convolutions of a torchvision VGG19 state dict (`vgg19-dcbb9e9d.pth`,
 * keys `features.0.weight` …) to the keys of {@link FlowSimCorrespondence}
 * (`vgg.vgg_net.conv1_1.weight` …), the weights DATSR's `net_map` gets from
 * `torchvision.models.vgg19(pretrained=True)`. The tensors are shared, not copied; keys beyond
 * `conv3_1` are left out. Load the result with `loadStateDict(dict, { strict: false })` (the
 * `mean`/`std` buffers keep their ImageNet values).
 * @param dict - the torchvision state dict (optionally with a `features.` prefix only)
 * @returns a new dict object over the same tensors; dispose the input dict as usual, not this one
 * @throws CheckpointError naming the first missing key
 * @example
 * ```ts
 * const tv = stateDictFromRaw(readTorchStateDict(bytes));
 * datsr.netMap.loadStateDict(vgg19KeysFromTorchvision(tv), { strict: false });
 * disposeStateDict(tv);
 * ```
 * @category Models
 */
export function vgg19KeysFromTorchvision(dict: StateDict): StateDict {
  const out: StateDict = {};
  const missing: string[] = [];
  for (const [index, name] of TORCHVISION_VGG19_CONVS) {
    for (const kind of ['weight', 'bias']) {
      const t = dict[`features.${index}.${kind}`];
      if (t === undefined) missing.push(`features.${index}.${kind}`);
      else out[`vgg.vgg_net.${name}.${kind}`] = t;
    }
  }
  if (missing.length > 0) {
    throw new CheckpointError(`vgg19KeysFromTorchvision: dict must hold torchvision VGG19 features, missing keys: ${missing.join(', ')}`, {
      missing,
      unexpected: [],
      mismatched: [],
    });
  }
  return out;
}
