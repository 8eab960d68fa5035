import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError, checkOptions } from '@lab/tensor';
import { gaussianMatrix } from '../core/perturbation';
import type { Segmentation } from './grid';

/**
 * Options of {@link slic}.
 * @category Segmentation
 */
export interface SlicOptions {
  /** Approximate number of superpixels K (the initial grid has about K cells). @defaultValue 100 (scikit-image `n_segments`) */
  segments?: number;
  /**
   * Weight m of spatial against colour distance, `D² = d_c² + (d_s/S)²·m²`. In Lab space colour
   * distances are 0–100, so 1–40 are sensible; in RGB space ([0, 1] values) use about 0.01–0.5.
   * @defaultValue 10 (scikit-image `compactness`)
   */
  compactness?: number;
  /** k-means iterations. @defaultValue 10 (scikit-image `max_num_iter`) */
  iterations?: number;
  /** Standard deviation (pixels) of a Gaussian blur applied to the image first; 0 = none. @defaultValue 0 (scikit-image) */
  sigma?: number;
  /**
   * Colour space of the distance: `'lab'` converts sRGB values in [0, 1] (3 channels) to CIE Lab (D65);
   * `'rgb'` uses the channel values as given (any number of channels).
   * @defaultValue 'lab' (scikit-image `convert2lab` for 3-channel images)
   */
  colorSpace?: 'lab' | 'rgb';
  /** Whether to merge connected pieces smaller than `minSizeFactor·HW/K` into a neighbour. @defaultValue true (scikit-image) */
  enforceConnectivity?: boolean;
  /** Relative minimum segment size for the connectivity step. @defaultValue 0.5 (scikit-image `min_size_factor`) */
  minSizeFactor?: number;
}

/**
 * Defaults of {@link slic}, from scikit-image `skimage.segmentation.slic` (n_segments=100,
 * compactness=10, max_num_iter=10, sigma=0, convert2lab for RGB, enforce_connectivity=True,
 * min_size_factor=0.5).
 * @category Segmentation
 */
export const SLIC_DEFAULTS = Object.freeze({
  /** Default of {@link SlicOptions.segments}. */
  segments: 100,
  /** Default of {@link SlicOptions.compactness}. */
  compactness: 10,
  /** Default of {@link SlicOptions.iterations}. */
  iterations: 10,
  /** Default of {@link SlicOptions.sigma}. */
  sigma: 0,
  /** Default of {@link SlicOptions.colorSpace}. */
  colorSpace: 'lab' as 'lab' | 'rgb',
  /** Default of {@link SlicOptions.enforceConnectivity}. */
  enforceConnectivity: true,
  /** Default of {@link SlicOptions.minSizeFactor}. */
  minSizeFactor: 0.5,
});

/**
 * SLIC superpixels: k-means clustering of pixels in joint colour–position space, seeded on a grid.
 *
 * Centres start on a regular `ny × nx` grid (`ny·nx ≈ K`, cells as square as possible; ties prefer
 * more columns) with the colour of the pixel under each centre. Each iteration assigns every pixel
 * within 2S×2S of a centre (S = √(HW/K)) to the centre minimising `D² = d_c² + (d_s/S)²·m²`, then
 * moves each centre to the mean colour and position of its pixels. Finally connected pieces smaller
 * than `minSizeFactor·HW/K` are merged into an adjacent segment, and labels are renumbered in scan
 * order. Fully deterministic (no random choices). Differs from scikit-image in the grid placement.
 * @param image - one image `[H, W, C]` (NHWC sample; values in [0, 1] for `'lab'`)
 * @param options - see {@link SlicOptions}
 * @returns the label map; every pixel has a label in `0..count−1`
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a non-rank-3 image or `'lab'` with C ≠ 3; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for bad options or non-finite pixels.
 * @see Achanta et al. 2012, "SLIC superpixels compared to state-of-the-art superpixel methods" (TPAMI 34(11)); scikit-image `slic`.
 * @example
 * ```ts
 * const seg = slic(image, { segments: 50, compactness: 10 });
 * const mask = tf.tensor3d(seg.labels, [seg.height, seg.width, 1], 'int32');
 * ```
 * @category Segmentation
 */
export function slic(image: tf.Tensor, options: SlicOptions = {}): Segmentation {
  const fn = 'slic';
  checkOptions(fn, options, Object.keys(SLIC_DEFAULTS));
  if (!(image instanceof tf.Tensor) || image.rank !== 3) {
    throw new ShapeError(`${fn}: image must be a tf.Tensor of shape [H, W, C], got ${image instanceof tf.Tensor ? `[${image.shape}]` : typeof image}`);
  }
  const o = {
    segments: options.segments ?? SLIC_DEFAULTS.segments,
    compactness: options.compactness ?? SLIC_DEFAULTS.compactness,
    iterations: options.iterations ?? SLIC_DEFAULTS.iterations,
    sigma: options.sigma ?? SLIC_DEFAULTS.sigma,
    colorSpace: options.colorSpace ?? SLIC_DEFAULTS.colorSpace,
    enforceConnectivity: options.enforceConnectivity ?? SLIC_DEFAULTS.enforceConnectivity,
    minSizeFactor: options.minSizeFactor ?? SLIC_DEFAULTS.minSizeFactor,
  };
  if (!Number.isInteger(o.segments) || o.segments < 1) throw new InvalidValueError(`${fn}: segments must be a positive integer, got ${o.segments}`);
  if (!Number.isInteger(o.iterations) || o.iterations < 1) throw new InvalidValueError(`${fn}: iterations must be a positive integer, got ${o.iterations}`);
  if (!(o.compactness >= 0) || !Number.isFinite(o.compactness)) throw new InvalidValueError(`${fn}: compactness must be a finite number >= 0, got ${o.compactness}`);
  if (!(o.sigma >= 0) || !Number.isFinite(o.sigma)) throw new InvalidValueError(`${fn}: sigma must be a finite number >= 0, got ${o.sigma}`);
  if (!(o.minSizeFactor >= 0) || !Number.isFinite(o.minSizeFactor)) throw new InvalidValueError(`${fn}: minSizeFactor must be a finite number >= 0, got ${o.minSizeFactor}`);
  if (o.colorSpace !== 'lab' && o.colorSpace !== 'rgb') throw new InvalidValueError(`${fn}: colorSpace must be 'lab' or 'rgb', got ${String(o.colorSpace)}`);
  const [h, w, c] = image.shape;
  if (o.colorSpace === 'lab' && c !== 3) throw new ShapeError(`${fn}: colorSpace 'lab' needs 3 channels, got shape [${image.shape}]; use colorSpace 'rgb'`);
  const raw = Float64Array.from(image.dataSync());
  for (let i = 0; i < raw.length; i++) if (!Number.isFinite(raw[i])) throw new InvalidValueError(`${fn}: image must be finite (no NaN/Inf)`);
  const np = h * w;

  const smoothed = o.sigma > 0 ? blur(raw, h, w, c, o.sigma) : raw;
  const feat = o.colorSpace === 'lab' ? toLab(smoothed, np) : smoothed;

  // Initial grid.
  const k = Math.min(o.segments, np);
  let best = { ny: 1, nx: 1, score: Infinity };
  for (let ny = 1; ny <= Math.min(h, k); ny++) {
    const nx = Math.min(w, Math.max(1, Math.round(k / ny)));
    const score = Math.abs(ny * nx - k) * 1e3 + Math.abs(Math.log(h / ny / (w / nx)));
    if (score < best.score - 1e-12 || (Math.abs(score - best.score) <= 1e-12 && nx > best.nx)) best = { ny, nx, score };
  }
  const { ny, nx } = best;
  const kk = ny * nx;
  const step = Math.sqrt(np / kk);
  const cy = new Float64Array(kk);
  const cx = new Float64Array(kk);
  const cc = new Float64Array(kk * c);
  for (let i = 0; i < ny; i++) {
    for (let j = 0; j < nx; j++) {
      const id = i * nx + j;
      cy[id] = ((i + 0.5) * h) / ny - 0.5;
      cx[id] = ((j + 0.5) * w) / nx - 0.5;
      const p = Math.round(cy[id]) * w + Math.round(cx[id]);
      for (let ch = 0; ch < c; ch++) cc[id * c + ch] = feat[p * c + ch];
    }
  }
  const labels = new Int32Array(np);
  const dist = new Float64Array(np);
  const spatial = (o.compactness / step) ** 2;
  const radius = Math.ceil(step);
  const distance = (id: number, p: number, y: number, x: number): number => {
    let dc = 0;
    for (let ch = 0; ch < c; ch++) dc += (feat[p * c + ch] - cc[id * c + ch]) ** 2;
    return dc + spatial * ((y - cy[id]) ** 2 + (x - cx[id]) ** 2);
  };
  for (let it = 0; it < o.iterations; it++) {
    dist.fill(Infinity);
    labels.fill(-1);
    for (let id = 0; id < kk; id++) {
      const y0 = Math.max(0, Math.floor(cy[id] - radius));
      const y1 = Math.min(h - 1, Math.ceil(cy[id] + radius));
      const x0 = Math.max(0, Math.floor(cx[id] - radius));
      const x1 = Math.min(w - 1, Math.ceil(cx[id] + radius));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const p = y * w + x;
          const dd = distance(id, p, y, x);
          if (dd < dist[p]) {
            dist[p] = dd;
            labels[p] = id;
          }
        }
      }
    }
    // Pixels outside every window go to the nearest centre.
    for (let p = 0; p < np; p++) {
      if (labels[p] >= 0) continue;
      const y = Math.floor(p / w);
      const x = p % w;
      for (let id = 0; id < kk; id++) {
        const dd = distance(id, p, y, x);
        if (dd < dist[p]) {
          dist[p] = dd;
          labels[p] = id;
        }
      }
    }
    const cnt = new Float64Array(kk);
    const sy = new Float64Array(kk);
    const sx = new Float64Array(kk);
    const sc = new Float64Array(kk * c);
    for (let p = 0; p < np; p++) {
      const id = labels[p];
      cnt[id] += 1;
      sy[id] += Math.floor(p / w);
      sx[id] += p % w;
      for (let ch = 0; ch < c; ch++) sc[id * c + ch] += feat[p * c + ch];
    }
    for (let id = 0; id < kk; id++) {
      if (cnt[id] === 0) continue;
      cy[id] = sy[id] / cnt[id];
      cx[id] = sx[id] / cnt[id];
      for (let ch = 0; ch < c; ch++) cc[id * c + ch] = sc[id * c + ch] / cnt[id];
    }
  }
  const minSize = o.enforceConnectivity ? Math.floor((o.minSizeFactor * np) / kk) : 0;
  const out = relabelConnected(labels, h, w, minSize);
  return { labels: out.labels, count: out.count, height: h, width: w };
}

/**
 * Splits labels into 4-connected components, numbered in scan order; a component of at most `minSize`
 * pixels (when `minSize > 0`) takes the label of an adjacent, already numbered component (SLIC's
 * `EnforceLabelConnectivity`).
 */
function relabelConnected(labels: Int32Array, h: number, w: number, minSize: number): { labels: Int32Array; count: number } {
  const np = h * w;
  const out = new Int32Array(np).fill(-1);
  const stack = new Int32Array(np);
  const members = new Int32Array(np);
  let next = 0;
  for (let start = 0; start < np; start++) {
    if (out[start] >= 0) continue;
    const y0 = Math.floor(start / w);
    const x0 = start % w;
    let adjacent = -1;
    for (const q of [x0 > 0 ? start - 1 : -1, y0 > 0 ? start - w : -1, x0 < w - 1 ? start + 1 : -1, y0 < h - 1 ? start + w : -1]) {
      if (q >= 0 && out[q] >= 0) {
        adjacent = out[q];
        break;
      }
    }
    const old = labels[start];
    let top = 0;
    let size = 0;
    stack[top++] = start;
    out[start] = next;
    while (top > 0) {
      const p = stack[--top];
      members[size++] = p;
      const y = Math.floor(p / w);
      const x = p % w;
      if (x > 0 && out[p - 1] < 0 && labels[p - 1] === old) (out[p - 1] = next), (stack[top++] = p - 1);
      if (x < w - 1 && out[p + 1] < 0 && labels[p + 1] === old) (out[p + 1] = next), (stack[top++] = p + 1);
      if (y > 0 && out[p - w] < 0 && labels[p - w] === old) (out[p - w] = next), (stack[top++] = p - w);
      if (y < h - 1 && out[p + w] < 0 && labels[p + w] === old) (out[p + w] = next), (stack[top++] = p + w);
    }
    if (minSize > 0 && size <= minSize && adjacent >= 0) {
      for (let i = 0; i < size; i++) out[members[i]] = adjacent;
    } else {
      next++;
    }
  }
  return { labels: out, count: next };
}

/** Separable Gaussian blur of an interleaved `[h, w, c]` image. */
function blur(img: Float64Array, h: number, w: number, c: number, sigma: number): Float64Array {
  const gy = gaussianMatrix(h, sigma);
  const gx = gaussianMatrix(w, sigma);
  const tmp = new Float64Array(img.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let j = 0; j < w; j++) {
        const g = gx[x * w + j];
        if (g === 0) continue;
        for (let ch = 0; ch < c; ch++) tmp[(y * w + x) * c + ch] += g * img[(y * w + j) * c + ch];
      }
    }
  }
  const out = new Float64Array(img.length);
  for (let y = 0; y < h; y++) {
    for (let i = 0; i < h; i++) {
      const g = gy[y * h + i];
      if (g === 0) continue;
      for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[(y * w + x) * c + ch] += g * tmp[(i * w + x) * c + ch];
    }
  }
  return out;
}

/** sRGB in [0, 1] → CIE Lab (D65 white), interleaved 3 channels. */
function toLab(rgb: Float64Array, np: number): Float64Array {
  const out = new Float64Array(np * 3);
  const lin = (v: number): number => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const f = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  for (let p = 0; p < np; p++) {
    const r = lin(rgb[p * 3]);
    const g = lin(rgb[p * 3 + 1]);
    const b = lin(rgb[p * 3 + 2]);
    const x = (0.412453 * r + 0.35758 * g + 0.180423 * b) / 0.95047;
    const y = 0.212671 * r + 0.71516 * g + 0.072169 * b;
    const z = (0.019334 * r + 0.119193 * g + 0.950227 * b) / 1.08883;
    const fx = f(x);
    const fy = f(y);
    const fz = f(z);
    out[p * 3] = 116 * fy - 16;
    out[p * 3 + 1] = 500 * (fx - fy);
    out[p * 3 + 2] = 200 * (fy - fz);
  }
  return out;
}
