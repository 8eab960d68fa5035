/**
 * The size-dependent constants of GRL's attention: relative-coordinate tables, relative-position
 * indices and shift masks. They are computed from the input size, cached per size as plain
 * arrays (not parameters, not in the state dict), and turned into tensors once per forward pass.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@lab/tensor';

/** Value added to the logits of token pairs the shift mask separates, as the reference (`-100`). */
export const GRL_MASK_VALUE = -100;


/** A pair `[height, width]`. @category Models */
export type GrlSize2 = readonly [number, number];

/**
 * Relative-coordinate table of the continuous position bias between a window of `win` tokens and
 * its anchor window of `⌊win/df⌋` tokens (`df = 1`: window attention, the window with itself).
 *
 * Per axis, with `a = ⌊w/df⌋` and `o = ⌊(w − a)/2⌋`, the coordinates run over
 * `−(a − 1) − o … (w − 1) − o` (`w + a − 1` values); each is divided by the largest,
 * `(w − 1) − o`, multiplied by 8 and mapped by `x ↦ sign(x)·log2(|x| + 1)/log2 8`.
 * @returns `[(h + ah − 1)·(w + aw − 1), 2]` row-major, the `(dy, dx)` pair per row
 */
export function relativeCoordsTable(win: GrlSize2, df: number): { data: Float32Array; rows: number } {
  const axes = win.map((w) => {
    const a = Math.floor(w / df);
    const o = Math.floor((w - a) / 2);
    const lo = -(a - 1) - o;
    const hi = w - 1 - o;
    const vals: number[] = [];
    for (let c = lo; c <= hi; c++) {
      const x = (c / hi) * 8;
      vals.push((Math.sign(x) * Math.log2(Math.abs(x) + 1)) / 3);
    }
    return vals;
  });
  const rows = axes[0].length * axes[1].length;
  const data = new Float32Array(rows * 2);
  let r = 0;
  for (const y of axes[0]) {
    for (const x of axes[1]) {
      data[2 * r] = y;
      data[2 * r + 1] = x;
      r++;
    }
  }
  return { data, rows };
}

/**
 * Row of {@link relativeCoordsTable} for every token pair. Tokens are numbered row-major inside
 * their window (`win`) or anchor window (`⌊win/df⌋`). Window → anchor (`rows` = window tokens,
 * `cols` = anchor tokens): `(t − a) + (aSize − 1)` per axis; anchor → window: `(a − t) + (win − 1)`.
 * The two axes combine as `iy·(winW + aW − 1) + ix`.
 * @returns `Int32Array` of `rows·cols` indices, row-major
 */
export function relativePositionIndex(win: GrlSize2, df: number, windowToAnchor: boolean): Int32Array {
  const aw: GrlSize2 = [Math.floor(win[0] / df), Math.floor(win[1] / df)];
  const stride = aw[1] + win[1] - 1;
  const [rowsSize, colsSize] = windowToAnchor ? [win, aw] : [aw, win];
  const offset = windowToAnchor ? [aw[0] - 1, aw[1] - 1] : [win[0] - 1, win[1] - 1];
  const nr = rowsSize[0] * rowsSize[1];
  const nc = colsSize[0] * colsSize[1];
  const out = new Int32Array(nr * nc);
  let k = 0;
  for (let r = 0; r < nr; r++) {
    const ry = Math.floor(r / rowsSize[1]);
    const rx = r % rowsSize[1];
    for (let c = 0; c < nc; c++) {
      const cy = Math.floor(c / colsSize[1]);
      const cx = c % colsSize[1];
      out[k++] = (ry - cy + offset[0]) * stride + (rx - cx + offset[1]);
    }
  }
  return out;
}

/** Python's `range(*slice(start, stop).indices(n))` bounds for a possibly negative `start`/`stop`. */
function pySlice(start: number, stop: number | null, n: number): [number, number] {
  const norm = (v: number) => (v < 0 ? Math.max(0, v + n) : Math.min(v, n));
  return [norm(start), stop === null ? n : norm(stop)];
}

/**
 * Region labels of the shifted (rolled) feature map, partitioned into windows: the reference
 * labels the rows `[0, −w)`, `[−w, −s)`, `[−s, ∞)` (Python slices, applied in that order) and the
 * columns likewise, 9 regions in all; tokens of one window may attend to each other only when
 * their labels agree.
 * @returns `[numWindows·win[0]·win[1]]` labels, windows in row-major order, tokens row-major inside
 */
export function shiftRegionLabels(res: GrlSize2, win: GrlSize2, shift: GrlSize2): Int32Array {
  const [h, w] = res;
  const img = new Int32Array(h * w);
  const slicesH: [number, number | null][] = [
    [0, -win[0]],
    [-win[0], -shift[0]],
    [-shift[0], null],
  ];
  const slicesW: [number, number | null][] = [
    [0, -win[1]],
    [-win[1], -shift[1]],
    [-shift[1], null],
  ];
  let cnt = 0;
  for (const sh of slicesH) {
    const [y0, y1] = pySlice(sh[0], sh[1], h);
    for (const sw of slicesW) {
      const [x0, x1] = pySlice(sw[0], sw[1], w);
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) img[y * w + x] = cnt;
      cnt++;
    }
  }
  const nh = h / win[0];
  const nw = w / win[1];
  const out = new Int32Array(h * w);
  let k = 0;
  for (let i = 0; i < nh; i++) {
    for (let j = 0; j < nw; j++) {
      for (let y = 0; y < win[0]; y++) {
        for (let x = 0; x < win[1]; x++) out[k++] = img[(i * win[0] + y) * w + j * win[1] + x];
      }
    }
  }
  return out;
}

/** Size-keyed cache of the arrays above; bounded so that many input sizes cannot grow it forever. */
const CACHE = new Map<string, Float32Array | Int32Array | { data: Float32Array; rows: number }>();
const CACHE_LIMIT = 64;

function cached<T extends Float32Array | Int32Array | { data: Float32Array; rows: number }>(key: string, make: () => T): T {
  const hit = CACHE.get(key);
  if (hit !== undefined) return hit as T;
  const v = make();
  if (CACHE.size >= CACHE_LIMIT) CACHE.delete(CACHE.keys().next().value as string);
  CACHE.set(key, v);
  return v;
}

/**
 * Shift masks of the windows of one attention, in window order: `[N1, N2]` of 0 / −100 (0 where
 * the region labels of query and key agree, as `calculate_mask` / `calculate_mask_all`), or null
 * for a window whose tokens all share one label (the mask would be all zeros).
 * @category Models
 */
export type GrlWindowMasks = readonly (tf.Tensor2D | null)[];

/** Masks of every window from the row and column labels (see {@link GrlWindowMasks}). */
function maskTensors(rows: Int32Array, n1: number, cols: Int32Array, n2: number): GrlWindowMasks {
  const nw = rows.length / n1;
  const out: (tf.Tensor2D | null)[] = [];
  for (let w = 0; w < nw; w++) {
    const r = rows.subarray(w * n1, (w + 1) * n1);
    const c = cols.subarray(w * n2, (w + 1) * n2);
    const l0 = r[0];
    if (r.every((v) => v === l0) && c.every((v) => v === l0)) {
      out.push(null);
      continue;
    }
    // Built in JavaScript: the broadcast int32 NotEqual kernel of the wasm backend is very slow.
    const m = new Float32Array(n1 * n2);
    for (let i = 0; i < n1; i++) {
      const li = r[i];
      const o = i * n2;
      for (let j = 0; j < n2; j++) if (c[j] !== li) m[o + j] = GRL_MASK_VALUE;
    }
    out.push(tf.tensor2d(m, [n1, n2]));
  }
  return out;
}

/**
 * Window-attention geometry of one feature-map size: the square window, its shift, the coordinate
 * table and index (`df = 1`) and, for shifted blocks, the mask labels.
 * @category Models
 */
export interface GrlWindowGeometry {
  /** Window `[h, w]`. */
  readonly window: GrlSize2;
  /** Cyclic shift `[h, w]` (0 for unshifted blocks). */
  readonly shift: GrlSize2;
  /** `[(2h − 1)(2w − 1), 2]` coordinate table. */
  readonly table: tf.Tensor2D;
  /** `[N·N]` rows of `table` per token pair, N = h·w. */
  readonly index: Int32Array;
  /** Shift masks per window, or null without shift. */
  readonly mask: GrlWindowMasks | null;
}

/**
 * Anchored-stripe geometry of one feature-map size and stripe orientation.
 * @category Models
 */
export interface GrlStripeGeometry {
  /** Stripe `[h, w]` in tokens. */
  readonly stripe: GrlSize2;
  /** Anchor stripe `[h/df, w/df]`. */
  readonly anchorStripe: GrlSize2;
  /** Cyclic shift of the tokens (`stripe/2` for shifted blocks, else 0). */
  readonly shift: GrlSize2;
  /** Cyclic shift of the anchors (`⌊shift/df⌋`). */
  readonly anchorShift: GrlSize2;
  /** `[(h + ah − 1)(w + aw − 1), 2]` coordinate table. */
  readonly table: tf.Tensor2D;
  /** `[A·N]` table rows of the anchor → window pairs (A anchors, N tokens per stripe). */
  readonly indexA2W: Int32Array;
  /** `[N·A]` table rows of the window → anchor pairs. */
  readonly indexW2A: Int32Array;
  /** Anchor → window masks `[A, N]` per stripe, or null without shift. */
  readonly maskA2W: GrlWindowMasks | null;
  /** Window → anchor masks `[N, A]` per stripe, or null without shift. */
  readonly maskW2A: GrlWindowMasks | null;
}

function checkDivisible(fn: string, res: GrlSize2, win: GrlSize2, what: string): void {
  if (res[0] % win[0] !== 0 || res[1] % win[1] !== 0 || win[0] < 2 || win[1] < 2) {
    throw new InvalidValueError(`${fn}: feature map [${res}] must be a multiple of the ${what} [${win}] (each side ≥ 2)`);
  }
}

/**
 * Builds the window geometry for a `res` feature map. Its `table` and masks are new tensors the
 * caller disposes (or runs this inside `tf.tidy`); the arrays are cached per size.
 * @param res - `[H, W]` of the feature map
 * @param win - window `[h, w]`, each side ≥ 2, dividing `res`
 * @param shifted - whether the block shifts its windows by half a window
 * @returns the geometry
 * @throws InvalidValueError when `res` is not a multiple of the window
 * @category Models
 */
export function grlWindowGeometry(res: GrlSize2, win: GrlSize2, shifted: boolean): GrlWindowGeometry {
  checkDivisible('grlWindowGeometry', res, win, 'window');
  const shift: GrlSize2 = shifted ? [Math.floor(win[0] / 2), Math.floor(win[1] / 2)] : [0, 0];
  const t = cached(`t:${win}:1`, () => relativeCoordsTable(win, 1));
  const index = cached(`i:${win}:1:1`, () => relativePositionIndex(win, 1, true));
  let mask: GrlWindowMasks | null = null;
  if (shifted) {
    const labels = cached(`l:${res}:${win}:${shift}`, () => shiftRegionLabels(res, win, shift));
    const n = win[0] * win[1];
    mask = maskTensors(labels, n, labels, n);
  }
  return { window: win, shift, table: tf.tensor2d(t.data, [t.rows, 2]), index, mask };
}

/**
 * Builds the anchored-stripe geometry for a `res` feature map. Its `table` and masks are new
 * tensors the caller disposes; the arrays are cached per size.
 * @param res - `[H, W]` of the feature map
 * @param stripe - stripe `[h, w]`, each side ≥ 2, dividing `res`, multiples of `df`
 * @param df - anchor down-sampling factor
 * @param shifted - whether the block shifts its stripes by half a stripe
 * @returns the geometry
 * @throws InvalidValueError when `res` is not a multiple of the stripe, or the stripe of `df`
 * @category Models
 */
export function grlStripeGeometry(res: GrlSize2, stripe: GrlSize2, df: number, shifted: boolean): GrlStripeGeometry {
  checkDivisible('grlStripeGeometry', res, stripe, 'stripe');
  if (stripe[0] % df !== 0 || stripe[1] % df !== 0) {
    throw new InvalidValueError(`grlStripeGeometry: stripe [${stripe}] must be a multiple of the anchor down-sampling factor ${df}`);
  }
  const aStripe: GrlSize2 = [stripe[0] / df, stripe[1] / df];
  const shift: GrlSize2 = shifted ? [Math.floor(stripe[0] / 2), Math.floor(stripe[1] / 2)] : [0, 0];
  const aShift: GrlSize2 = [Math.floor(shift[0] / df), Math.floor(shift[1] / df)];
  const t = cached(`t:${stripe}:${df}`, () => relativeCoordsTable(stripe, df));
  const indexA2W = cached(`i:${stripe}:${df}:0`, () => relativePositionIndex(stripe, df, false));
  const indexW2A = cached(`i:${stripe}:${df}:1`, () => relativePositionIndex(stripe, df, true));
  let maskA2W: GrlWindowMasks | null = null;
  let maskW2A: GrlWindowMasks | null = null;
  if (shifted) {
    const aRes: GrlSize2 = [res[0] / df, res[1] / df];
    const lw = cached(`l:${res}:${stripe}:${shift}`, () => shiftRegionLabels(res, stripe, shift));
    const la = cached(`l:${aRes}:${aStripe}:${aShift}`, () => shiftRegionLabels(aRes, aStripe, aShift));
    const n = stripe[0] * stripe[1];
    const a = aStripe[0] * aStripe[1];
    maskA2W = maskTensors(la, a, lw, n);
    maskW2A = maskTensors(lw, n, la, a);
  }
  return {
    stripe,
    anchorStripe: aStripe,
    shift,
    anchorShift: aShift,
    table: tf.tensor2d(t.data, [t.rows, 2]),
    indexA2W,
    indexW2A,
    maskA2W,
    maskW2A,
  };
}

/**
 * The geometries a whole GRL body uses for one feature-map size: the window branch unshifted and
 * shifted, and the stripe branch in both orientations (`h`: the configured stripe, `v`: it
 * transposed), each unshifted and shifted.
 * @category Models
 */
export interface GrlGeometrySet {
  /** `[unshifted, shifted]` window geometry. */
  readonly window: readonly [GrlWindowGeometry, GrlWindowGeometry];
  /** `[unshifted, shifted]` stripe geometry of even blocks. */
  readonly stripeH: readonly [GrlStripeGeometry, GrlStripeGeometry];
  /** `[unshifted, shifted]` stripe geometry of odd blocks (transposed stripe). */
  readonly stripeV: readonly [GrlStripeGeometry, GrlStripeGeometry];
}

/**
 * Builds every geometry a GRL body needs for an `res` feature map (see {@link GrlGeometrySet});
 * the caller disposes the tensors (or runs this inside `tf.tidy`). The unshifted variants share
 * the tables and indices of the shifted ones.
 * @param res - `[H, W]` of the (padded) feature map
 * @param windowSize - square window side
 * @param stripeSize - stripe `[h, w]` of even blocks
 * @param df - anchor down-sampling factor
 * @returns the geometry set
 * @throws InvalidValueError when `res` is not a multiple of the window and stripes
 * @category Models
 */
export function grlGeometrySet(res: GrlSize2, windowSize: number, stripeSize: GrlSize2, df: number): GrlGeometrySet {
  const w = grlWindowGeometry(res, [windowSize, windowSize], true);
  const plainW: GrlWindowGeometry = { ...w, shift: [0, 0], mask: null };
  const plain = (s: GrlStripeGeometry): GrlStripeGeometry => ({ ...s, shift: [0, 0], anchorShift: [0, 0], maskA2W: null, maskW2A: null });
  const h = grlStripeGeometry(res, stripeSize, df, true);
  const v = stripeSize[0] === stripeSize[1] ? h : grlStripeGeometry(res, [stripeSize[1], stripeSize[0]], df, true);
  return { window: [plainW, w], stripeH: [plain(h), h], stripeV: [plain(v), v] };
}
