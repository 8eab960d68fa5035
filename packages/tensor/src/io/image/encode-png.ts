import { zlibSync } from 'fflate';
import { InvalidValueError, checkOptions } from '../../errors';
import { crc32 } from './crc32';
import { type ImageInput, checkImage } from './decoded-image';
import { PNG_SIGNATURE } from './decode-png';

/** Row filter choice of {@link encodePng}. @category Image I/O */
export type PngFilter = 'adaptive' | 'none' | 'sub' | 'up' | 'average' | 'paeth';

/** Options of {@link encodePng}. @category Image I/O */
export interface EncodePngOptions {
  /**
   * zlib compression level, 0 (store) to 9 (smallest).
   * @defaultValue 6 (zlib's and fflate's default)
   */
  level?: number;
  /**
   * Row filter: one fixed filter for every row, or `'adaptive'`, which picks per row the filter
   * with the smallest sum of absolute signed filtered bytes (the heuristic the PNG specification
   * recommends and libpng uses).
   * @defaultValue 'adaptive'
   */
  filter?: PngFilter;
}

/** Defaults of {@link EncodePngOptions}; sources on each field. @category Image I/O */
export const ENCODE_PNG_DEFAULTS: Readonly<Required<EncodePngOptions>> = Object.freeze({
  /** Default of {@link EncodePngOptions.level}. */
  level: 6,
  /** Default of {@link EncodePngOptions.filter}. */
  filter: 'adaptive',
});

const FILTERS: Record<PngFilter, number> = { none: 0, sub: 1, up: 2, average: 3, paeth: 4, adaptive: -1 };
const COLOR_TYPE = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;
/** Largest IDAT chunk written; larger streams are split over several chunks. */
const IDAT_CHUNK = 1 << 20;

/**
 * Encodes pixels as a non-interlaced PNG file: greyscale, grey + alpha, RGB or RGBA, 8 or 16 bits.
 *
 * The colour type follows `channels` (1 → 0, 2 → 4, 3 → 2, 4 → 6) and the bit depth follows the
 * data (`Uint8Array` → 8, `Uint16Array` → 16, written big-endian). Rows are filtered, the stream is
 * deflated with fflate and written as IHDR, IDAT (split at 1 MiB) and IEND, each with its CRC.
 * {@link decodePng} returns exactly the input samples.
 * @param image - a {@link DecodedImage} or raw pixels, see {@link ImageInput}
 * @param options - see {@link EncodePngOptions}
 * @returns the PNG file as a new Uint8Array
 * @throws {@link ShapeError} when width, height, channels or the data length disagree.
 * @throws {@link InvalidValueError} for a data array of another type, a `bitDepth` that does not
 * match it, or an invalid option.
 * @example
 * ```ts
 * const png = encodePng({ width: 2, height: 1, channels: 3, data: new Uint8Array([255, 0, 0, 0, 0, 255]) });
 * await writePngFile('out.png', decodePng(png));
 * ```
 * @category Image I/O
 */
export function encodePng(image: ImageInput, options?: EncodePngOptions): Uint8Array {
  const fn = 'encodePng';
  const img = checkImage(fn, image);
  checkOptions(fn, options, Object.keys(ENCODE_PNG_DEFAULTS));
  const level = options?.level ?? ENCODE_PNG_DEFAULTS.level;
  const filter = options?.filter ?? ENCODE_PNG_DEFAULTS.filter;
  if (typeof level !== 'number' || !Number.isInteger(level) || level < 0 || level > 9) {
    throw new InvalidValueError(`${fn}: level must be an integer in [0, 9], got ${String(level)}`);
  }
  if (!Object.prototype.hasOwnProperty.call(FILTERS, filter)) {
    throw new InvalidValueError(`${fn}: filter must be one of ${Object.keys(FILTERS).join(', ')}, got ${String(filter)}`);
  }
  const { width, height, channels, bitDepth, data } = img;
  const bpp = channels * (bitDepth / 8);
  const rowBytes = width * bpp;

  // Serialise samples to big-endian bytes, one row at a time, and filter into `raw`.
  const raw = new Uint8Array(height * (rowBytes + 1));
  let prevRow = new Uint8Array(rowBytes);
  let row = new Uint8Array(rowBytes);
  const candidates = Array.from({ length: 5 }, () => new Uint8Array(rowBytes));
  const fixed = FILTERS[filter];
  for (let y = 0; y < height; y++) {
    const base = y * width * channels;
    if (bitDepth === 8) {
      row.set(data.subarray(base, base + width * channels));
    } else {
      for (let i = 0; i < width * channels; i++) {
        const v = data[base + i];
        row[2 * i] = v >>> 8;
        row[2 * i + 1] = v & 0xff;
      }
    }
    const hasPrev = y > 0;
    let best = fixed;
    if (fixed < 0) {
      let bestScore = Infinity;
      for (let f = 0; f < 5; f++) {
        filterRow(row, hasPrev ? prevRow : null, bpp, f, candidates[f]);
        const score = absSum(candidates[f]);
        if (score < bestScore) {
          bestScore = score;
          best = f;
        }
      }
    } else {
      filterRow(row, hasPrev ? prevRow : null, bpp, best, candidates[best]);
    }
    const o = y * (rowBytes + 1);
    raw[o] = best;
    raw.set(candidates[best], o + 1);
    [prevRow, row] = [row, prevRow];
  }
  const zlib = zlibSync(raw, { level: level as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 });

  const ihdr = new Uint8Array(13);
  writeU32(ihdr, 0, width);
  writeU32(ihdr, 4, height);
  ihdr[8] = bitDepth;
  ihdr[9] = COLOR_TYPE[channels];
  // compression 0, filter method 0, interlace 0
  const chunks: [string, Uint8Array][] = [['IHDR', ihdr]];
  for (let o = 0; o < zlib.length; o += IDAT_CHUNK) chunks.push(['IDAT', zlib.subarray(o, o + IDAT_CHUNK)]);
  chunks.push(['IEND', new Uint8Array(0)]);
  let size = 8;
  for (const [, d] of chunks) size += 12 + d.length;
  const out = new Uint8Array(size);
  out.set(PNG_SIGNATURE, 0);
  let p = 8;
  for (const [type, d] of chunks) {
    writeU32(out, p, d.length);
    for (let k = 0; k < 4; k++) out[p + 4 + k] = type.charCodeAt(k);
    out.set(d, p + 8);
    writeU32(out, p + 8 + d.length, crc32(out, p + 4, p + 8 + d.length));
    p += 12 + d.length;
  }
  return out;
}

function writeU32(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 24;
  b[i + 1] = (v >>> 16) & 0xff;
  b[i + 2] = (v >>> 8) & 0xff;
  b[i + 3] = v & 0xff;
}

function filterRow(row: Uint8Array, prev: Uint8Array | null, bpp: number, f: number, out: Uint8Array): void {
  const n = row.length;
  for (let i = 0; i < n; i++) {
    const a = i >= bpp ? row[i - bpp] : 0;
    const b = prev ? prev[i] : 0;
    const c = prev && i >= bpp ? prev[i - bpp] : 0;
    let pred: number;
    switch (f) {
      case 0:
        pred = 0;
        break;
      case 1:
        pred = a;
        break;
      case 2:
        pred = b;
        break;
      case 3:
        pred = (a + b) >> 1;
        break;
      default: {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
    }
    out[i] = (row[i] - pred) & 0xff;
  }
}

/** Sum of the filtered bytes read as signed values, |b| for b < 128 and 256 − b otherwise. */
function absSum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) s += b[i] < 128 ? b[i] : 256 - b[i];
  return s;
}
