/**
 * A multi-label, long-tailed detection-style dataset composed from single-object glyphs
 * (e.g. handwritten digits): canvases holding a few glyphs at random places, with their boxes.
 * @packageDocumentation
 */
import { InvalidValueError, Rng, ShapeError, checkOptions } from '@lab/tensor';
import type { LabeledBox } from '../analysis/boxes';
import { checkInt, checkNumber, checkObject, show } from '../internal/checks';

/**
 * Positive counts of a long-tailed (exponential) profile: `n_c = max(1, round(n_max·ρ^{−c/(C−1)}))`
 * for classes c = 0…C−1, so class 0 has `n_max` and class C−1 has `n_max/ρ` (the long-tailed
 * CIFAR profile of Cui et al. 2019 and Cao et al. 2019).
 * @param classes - C ≥ 1
 * @param maxCount - n_max ≥ 1, the head class's count
 * @param ratio - ρ ≥ 1, the imbalance ratio `n_max / n_min`
 * @returns C counts, non-increasing
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad argument.
 * @see arXiv 1901.05555 §6.1
 * @example
 * ```ts
 * longTailedCounts(3, 100, 100); // [100, 10, 1]
 * ```
 * @category Data
 */
export function longTailedCounts(classes: number, maxCount: number, ratio: number): number[] {
  const fn = 'longTailedCounts';
  checkInt(fn, 'classes', classes, 1);
  checkInt(fn, 'maxCount', maxCount, 1);
  checkNumber(fn, 'ratio', ratio, 1);
  return Array.from({ length: classes }, (_, c) => Math.max(1, Math.round(maxCount * ratio ** (classes === 1 ? 0 : -c / (classes - 1)))));
}

/** Single-object grey images (glyphs) with their classes, e.g. MNIST digits. @category Data */
export interface GlyphSet {
  /** `count × height × width` grey values in [0, 1], row-major. */
  readonly images: Float32Array;
  /** Class of each glyph, 0…C−1. */
  readonly labels: Int32Array | readonly number[];
  /** Number of glyphs. */
  readonly count: number;
  /** Height of each glyph in pixels. */
  readonly height: number;
  /** Width of each glyph in pixels. */
  readonly width: number;
}

/** Options of {@link longTailedCanvases}. @category Data */
export interface LongTailedCanvasesOptions {
  /** Number of canvases N. */
  canvases: number;
  /** Canvas height = width, pixels. @defaultValue 32 */
  canvasSize?: number;
  /** Glyph height = width after resizing (area averaging), pixels. @defaultValue 14 */
  glyphSize?: number;
  /** Imbalance ratio ρ between the most and the least frequent class. @defaultValue 100 */
  imbalanceRatio?: number;
  /** Fraction of canvases holding the head class (class 0). @defaultValue 0.5 */
  headFraction?: number;
  /** Most glyphs on one canvas. @defaultValue 3 */
  maxPerCanvas?: number;
  /** Grey level above which a glyph pixel counts as ink for its tight box. @defaultValue 0.2 */
  inkThreshold?: number;
  /** Seed of every choice. @defaultValue 0 */
  seed?: number;
}

/** What {@link longTailedCanvases} returns (plain arrays; wrap them in tensors as needed). @category Data */
export interface LongTailedCanvases {
  /** `N × H × W` grey canvases in [0, 1], row-major (NHWC with one channel). */
  images: Float32Array;
  /** `[N, H, W, 1]`. */
  shape: [number, number, number, number];
  /** One 0/1 row of C labels per canvas: class c is positive when a glyph of class c is on it. */
  labels: Uint8Array[];
  /** The tight ink box of every glyph of each canvas, with its class. */
  boxes: LabeledBox[][];
  /** The target positive count of each class (the long-tailed profile), met exactly. */
  counts: number[];
}

/** Defaults of {@link longTailedCanvases} (this package's choices for a small CPU experiment). @category Data */
export const LONG_TAILED_CANVASES_DEFAULTS = Object.freeze({
  /** Default of {@link LongTailedCanvasesOptions.canvasSize}. */
  canvasSize: 32,
  /** Default of {@link LongTailedCanvasesOptions.glyphSize}. */
  glyphSize: 14,
  /** Default of {@link LongTailedCanvasesOptions.imbalanceRatio}. */
  imbalanceRatio: 100,
  /** Default of {@link LongTailedCanvasesOptions.headFraction}. */
  headFraction: 0.5,
  /** Default of {@link LongTailedCanvasesOptions.maxPerCanvas}. */
  maxPerCanvas: 3,
  /** Default of {@link LongTailedCanvasesOptions.inkThreshold}. */
  inkThreshold: 0.2,
  /** Default of {@link LongTailedCanvasesOptions.seed}. */
  seed: 0,
});

/**
 * A multi-label, long-tailed dataset with ground-truth boxes, composed from glyphs: each canvas
 * holds up to `maxPerCanvas` glyphs of distinct classes at random, non-overlapping places, and
 * each glyph class is a label.
 *
 * Class c is placed on exactly `n_c` canvases, with `n_c` from {@link longTailedCounts}
 * (`n_0 = round(headFraction·N)`, ratio ρ), chosen at random among canvases with room; canvases
 * that receive no glyph stay empty (all labels 0, like "No Finding"). Glyphs are drawn without
 * repetition per class (cycling when a class runs out), area-resized to `glyphSize`, placed so
 * their squares do not overlap (up to 200 tries, then anywhere), and composed by pixel-wise
 * maximum. A glyph's box is the tight box of its pixels above `inkThreshold`.
 * @param glyphs - the glyph images and classes
 * @param options - see {@link LongTailedCanvasesOptions}
 * @returns canvases, labels, boxes and the class counts
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for inconsistent glyph arrays; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a class
 * without glyphs, a profile that does not fit `N·maxPerCanvas` or a bad option.
 * @see arXiv 2204.01729 (the multi-label, box-annotated setting this imitates)
 * @example
 * ```ts
 * const data = longTailedCanvases(digits, { canvases: 400, imbalanceRatio: 100, seed: 1 });
 * const x = tf.tensor4d(data.images, data.shape);
 * ```
 * @category Data
 */
export function longTailedCanvases(glyphs: GlyphSet, options: LongTailedCanvasesOptions): LongTailedCanvases {
  const fn = 'longTailedCanvases';
  if (glyphs === null || typeof glyphs !== 'object') throw new InvalidValueError(`${fn}: glyphs must be a glyph set, got ${show(glyphs)}`);
  const count = checkInt(fn, 'glyphs.count', glyphs.count, 1);
  const gh = checkInt(fn, 'glyphs.height', glyphs.height, 1);
  const gw = checkInt(fn, 'glyphs.width', glyphs.width, 1);
  if (!(glyphs.images instanceof Float32Array) || glyphs.images.length !== count * gh * gw) {
    throw new ShapeError(`${fn}: glyphs.images must be a Float32Array of count·height·width = ${count * gh * gw} values, got ${show(glyphs.images)}`);
  }
  if (glyphs.labels === null || typeof glyphs.labels !== 'object' || glyphs.labels.length !== count) {
    throw new ShapeError(`${fn}: glyphs.labels must have one class per glyph (${count}), got ${show(glyphs.labels)}`);
  }
  checkObject(fn, 'options', options);
  if (options === undefined) throw new InvalidValueError(`${fn}: options must give the number of canvases, got undefined`);
  checkOptions(fn, options, ['canvases', 'canvasSize', 'glyphSize', 'imbalanceRatio', 'headFraction', 'maxPerCanvas', 'inkThreshold', 'seed']);
  const d = LONG_TAILED_CANVASES_DEFAULTS;
  const n = checkInt(fn, 'canvases', options.canvases, 1);
  const size = checkInt(fn, 'canvasSize', options.canvasSize ?? d.canvasSize, 1);
  const g = checkInt(fn, 'glyphSize', options.glyphSize ?? d.glyphSize, 1);
  if (g > size) throw new InvalidValueError(`${fn}: glyphSize must be <= canvasSize (${size}), got ${g}`);
  const ratio = checkNumber(fn, 'imbalanceRatio', options.imbalanceRatio ?? d.imbalanceRatio, 1);
  const headFraction = checkNumber(fn, 'headFraction', options.headFraction ?? d.headFraction, 0, 1, { lo: true });
  const maxPer = checkInt(fn, 'maxPerCanvas', options.maxPerCanvas ?? d.maxPerCanvas, 1);
  const ink = checkNumber(fn, 'inkThreshold', options.inkThreshold ?? d.inkThreshold, 0, 1, { hi: true });
  const seed = checkNumber(fn, 'seed', options.seed ?? d.seed);

  const byClass: number[][] = [];
  for (let i = 0; i < count; i++) {
    const c = glyphs.labels[i];
    if (!Number.isInteger(c) || c < 0) throw new InvalidValueError(`${fn}: glyphs.labels[${i}] must be an integer >= 0, got ${show(c)}`);
    (byClass[c] ??= []).push(i);
  }
  const classes = byClass.length;
  for (let c = 0; c < classes; c++) if (!byClass[c]?.length) throw new InvalidValueError(`${fn}: glyphs must hold every class 0…${classes - 1}, class ${c} has none`);
  const counts = longTailedCounts(classes, Math.max(1, Math.round(headFraction * n)), ratio);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total > n * maxPer || counts[0] > n) {
    throw new InvalidValueError(`${fn}: the profile needs ${total} glyphs (head ${counts[0]}), more than canvases·maxPerCanvas = ${n * maxPer}; add canvases or raise maxPerCanvas`);
  }

  const rng = new Rng(seed);
  // 1. Which classes go on which canvas: the head first, each class on n_c distinct canvases with room.
  const onCanvas: number[][] = Array.from({ length: n }, () => []);
  for (let c = 0; c < classes; c++) {
    const open = onCanvas.flatMap((list, i) => (list.length < maxPer ? [i] : []));
    if (open.length < counts[c]) throw new InvalidValueError(`${fn}: no room for ${counts[c]} canvases of class ${c}; add canvases or raise maxPerCanvas`);
    const chosen = rng.choice(open.length, counts[c]);
    for (const k of chosen) onCanvas[open[k]].push(c);
  }
  // 2. Glyphs per class, drawn in a shuffled cycle.
  const cycles = byClass.map((list) => ({ order: Array.from(rng.permutation(list.length), (j) => list[j]), next: 0 }));
  const nextGlyph = (c: number): number => {
    const cyc = cycles[c];
    if (cyc.next === cyc.order.length) {
      cyc.order = Array.from(rng.permutation(byClass[c].length), (j) => byClass[c][j]);
      cyc.next = 0;
    }
    return cyc.order[cyc.next++];
  };
  // 3. Compose.
  const images = new Float32Array(n * size * size);
  const labels: Uint8Array[] = [];
  const boxes: LabeledBox[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Uint8Array(classes);
    const list: LabeledBox[] = [];
    const placed: [number, number][] = [];
    for (const c of onCanvas[i]) {
      row[c] = 1;
      const gi = nextGlyph(c);
      const glyph = resizeArea(glyphs.images.subarray(gi * gh * gw, (gi + 1) * gh * gw), gh, gw, g);
      let top = 0;
      let left = 0;
      for (let attempt = 0; attempt < 200; attempt++) {
        top = rng.int(0, size - g + 1);
        left = rng.int(0, size - g + 1);
        if (placed.every(([t, l]) => Math.abs(t - top) >= g || Math.abs(l - left) >= g)) break;
      }
      placed.push([top, left]);
      let r0 = g;
      let r1 = -1;
      let c0 = g;
      let c1 = -1;
      for (let r = 0; r < g; r++) {
        for (let col = 0; col < g; col++) {
          const v = glyph[r * g + col];
          const o = i * size * size + (top + r) * size + left + col;
          if (v > images[o]) images[o] = v;
          if (v > ink) {
            r0 = Math.min(r0, r);
            r1 = Math.max(r1, r);
            c0 = Math.min(c0, col);
            c1 = Math.max(c1, col);
          }
        }
      }
      if (r1 < 0) [r0, r1, c0, c1] = [0, g - 1, 0, g - 1]; // a blank glyph: its whole square
      list.push({ x: left + c0, y: top + r0, width: c1 - c0 + 1, height: r1 - r0 + 1, label: c });
    }
    labels.push(row);
    boxes.push(list);
  }
  return { images, shape: [n, size, size, 1], labels, boxes, counts };
}

/** Area-average resize of a row-major `h × w` grey image to `s × s` (internal). */
function resizeArea(src: Float32Array, h: number, w: number, s: number): Float32Array {
  const out = new Float32Array(s * s);
  const sy = h / s;
  const sx = w / s;
  for (let r = 0; r < s; r++) {
    for (let c = 0; c < s; c++) {
      const y0 = r * sy;
      const y1 = y0 + sy;
      const x0 = c * sx;
      const x1 = x0 + sx;
      let acc = 0;
      for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          acc += wy * wx * src[y * w + x];
        }
      }
      out[r * s + c] = acc / (sy * sx);
    }
  }
  return out;
}
