import { unzlibSync } from 'fflate';
import { FormatError, invariant } from '../../errors';
import { crc32 } from './crc32';
import {
  type DecodeImageOptions,
  type DecodedImage,
  checkBytes,
  resolveDecodeOptions,
} from './decoded-image';

/** The 8-byte PNG signature. */
export const PNG_SIGNATURE: readonly number[] = Object.freeze([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Allowed bit depths per colour type (PNG spec, table 11.1). */
const ALLOWED_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

/** Samples per pixel stored in the file, per colour type. */
const FILE_SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Adam7 passes as [xStart, yStart, xStep, yStep]. */
const ADAM7: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

interface Header {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlace: number;
}

interface Pass {
  xs: number;
  ys: number;
  dx: number;
  dy: number;
  w: number;
  h: number;
  rowBytes: number;
}

/**
 * Decodes a PNG file into 8- or 16-bit interleaved samples, checking every chunk's CRC.
 *
 * Every colour type and bit depth of the PNG specification is read: greyscale (1/2/4/8/16 bits),
 * greyscale + alpha, RGB, RGBA (8/16) and palette (1/2/4/8), with all five row filters and Adam7
 * interlacing. Greyscale below 8 bits is scaled to 0–255 (`v · 255 / (2^d − 1)`, so a 1-bit 1
 * becomes 255 and a 4-bit 1 becomes 17). Palette images expand to RGB, or to RGBA when a `tRNS`
 * chunk is present; a `tRNS` colour key on greyscale or RGB images expands to an alpha channel
 * (0 where the key matches, full scale elsewhere), as libpng's `png_set_tRNS_to_alpha`. Gamma,
 * colour profiles and text chunks are ignored.
 * @param bytes - the whole file
 * @param options - see {@link DecodeImageOptions}
 * @returns a new {@link DecodedImage}; `bitDepth` 16 (a `Uint16Array`) only for 16-bit files
 * @throws {@link FormatError} with the byte offset for a bad signature, a truncated or oversized
 * chunk, a CRC mismatch, a missing or invalid IHDR/PLTE/IEND, an unknown critical chunk, corrupt
 * or short zlib data, an unknown filter type, a palette index past the palette, or a declared size
 * above `maxPixels`.
 * @throws {@link InvalidValueError} when `bytes` is not a Uint8Array or an option is invalid.
 * @see https://www.w3.org/TR/png-3/ (PNG specification, third edition)
 * @example
 * ```ts
 * const img = decodePng(new Uint8Array(await (await fetch('a.png')).arrayBuffer()));
 * console.log(img.width, img.height, img.channels, img.bitDepth);
 * ```
 * @category Image I/O
 */
export function decodePng(bytes: Uint8Array, options?: DecodeImageOptions): DecodedImage {
  const fn = 'decodePng';
  checkBytes(fn, bytes);
  const { maxPixels } = resolveDecodeOptions(fn, options);
  const n = bytes.length;
  for (let i = 0; i < 8; i++) {
    if (i >= n) throw new FormatError(`${fn}: file ends inside the 8-byte PNG signature (${n} bytes)`, n);
    if (bytes[i] !== PNG_SIGNATURE[i]) {
      throw new FormatError(`${fn}: bytes must start with the PNG signature 89 50 4E 47 0D 0A 1A 0A`, i);
    }
  }

  let header: Header | undefined;
  let palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let idatOffset = -1;
  let idatBytes = 0;
  let sawIend = false;
  let pos = 8;
  while (pos < n) {
    if (pos + 8 > n) throw new FormatError(`${fn}: file ends inside a chunk header (truncated)`, pos);
    const len = readU32(bytes, pos);
    const type = chunkType(bytes, pos + 4, fn);
    if (len > 0x7fffffff) {
      throw new FormatError(`${fn}: length of chunk '${type}' must be at most 2^31 − 1, got ${len}`, pos);
    }
    const start = pos + 8;
    const end = start + len;
    if (end + 4 > n) {
      throw new FormatError(
        `${fn}: chunk '${type}' declares ${len} data bytes plus a 4-byte CRC, but only ${Math.max(0, n - start)} bytes remain (truncated)`,
        pos,
      );
    }
    const stored = readU32(bytes, end);
    const computed = crc32(bytes, pos + 4, end);
    if (stored !== computed) {
      throw new FormatError(
        `${fn}: CRC mismatch in chunk '${type}': stored 0x${hex(stored)}, computed 0x${hex(computed)}`,
        end,
      );
    }
    if (header === undefined && type !== 'IHDR') {
      throw new FormatError(`${fn}: the first chunk must be IHDR, got '${type}'`, pos);
    }
    switch (type) {
      case 'IHDR':
        if (header !== undefined) throw new FormatError(`${fn}: more than one IHDR chunk`, pos);
        header = parseHeader(bytes, start, len, pos, maxPixels);
        break;
      case 'PLTE':
        if (palette !== undefined) throw new FormatError(`${fn}: more than one PLTE chunk`, pos);
        if (idatOffset >= 0) throw new FormatError(`${fn}: PLTE must come before the first IDAT`, pos);
        if (len === 0 || len % 3 !== 0 || len > 768) {
          throw new FormatError(`${fn}: PLTE length must be a multiple of 3 between 3 and 768, got ${len}`, pos);
        }
        if (header!.colorType === 3 && len / 3 > 1 << header!.depth) {
          throw new FormatError(
            `${fn}: PLTE has ${len / 3} entries, more than a ${header!.depth}-bit index can address`,
            pos,
          );
        }
        palette = bytes.subarray(start, end);
        break;
      case 'tRNS':
        if (trns !== undefined) throw new FormatError(`${fn}: more than one tRNS chunk`, pos);
        if (idatOffset >= 0) throw new FormatError(`${fn}: tRNS must come before the first IDAT`, pos);
        trns = checkTrns(bytes.subarray(start, end), header!, palette, pos);
        break;
      case 'IDAT':
        if (idatOffset < 0) {
          idatOffset = pos;
          if (header!.colorType === 3 && palette === undefined) {
            throw new FormatError(`${fn}: palette image (colour type 3) has no PLTE chunk before IDAT`, pos);
          }
        }
        idat.push(bytes.subarray(start, end));
        idatBytes += len;
        break;
      case 'IEND':
        sawIend = true;
        break;
      default:
        // Bit 5 of the first type byte clear means "critical": a decoder must not ignore it.
        if ((bytes[pos + 4] & 0x20) === 0) {
          throw new FormatError(`${fn}: unknown critical chunk '${type}'`, pos);
        }
    }
    pos = end + 4;
    if (sawIend) break;
  }
  if (header === undefined) throw new FormatError(`${fn}: missing IHDR chunk`, 8);
  if (idatOffset < 0) throw new FormatError(`${fn}: no IDAT chunk (no image data)`, pos);
  if (!sawIend) throw new FormatError(`${fn}: missing IEND chunk (file truncated?)`, n);

  const h = header;
  const spp = FILE_SAMPLES[h.colorType];
  const bitsPerPixel = spp * h.depth;
  const passes = planPasses(h, bitsPerPixel);
  let rawSize = 0;
  for (const p of passes) rawSize += p.h * (1 + p.rowBytes);

  // Inflate straight into a buffer of exactly the size IHDR implies: excess data is dropped and the
  // allocation is bounded by maxPixels, whatever the compressed stream claims.
  const zlib = concat(idat, idatBytes);
  if (zlib.length < 7) {
    throw new FormatError(`${fn}: IDAT data is ${zlib.length} bytes, too short for a zlib stream`, idatOffset);
  }
  let raw: Uint8Array;
  try {
    raw = unzlibSync(zlib, { out: new Uint8Array(rawSize) });
  } catch (e) {
    throw new FormatError(`${fn}: corrupt zlib data in IDAT: ${(e as Error).message}`, idatOffset);
  }
  if (raw.length < rawSize) {
    throw new FormatError(
      `${fn}: IDAT holds ${raw.length} bytes of filtered image data, IHDR (${h.width}×${h.height}, ${h.depth}-bit, colour type ${h.colorType}${h.interlace ? ', interlaced' : ''}) needs ${rawSize}`,
      idatOffset,
    );
  }

  const samples = unfilterAndUnpack(raw, h, spp, bitsPerPixel, passes, idatOffset);
  return expand(samples, h, palette, trns, idatOffset);
}

function readU32(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

function hex(v: number): string {
  return v.toString(16).padStart(8, '0');
}

function chunkType(b: Uint8Array, i: number, fn: string): string {
  let s = '';
  for (let k = 0; k < 4; k++) {
    const c = b[i + k];
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!letter) throw new FormatError(`${fn}: chunk type must be four ASCII letters, got byte 0x${c.toString(16)}`, i + k);
    s += String.fromCharCode(c);
  }
  return s;
}

function parseHeader(b: Uint8Array, start: number, len: number, pos: number, maxPixels: number): Header {
  const fn = 'decodePng';
  if (len !== 13) throw new FormatError(`${fn}: IHDR length must be 13, got ${len}`, pos);
  const width = readU32(b, start);
  const height = readU32(b, start + 4);
  const depth = b[start + 8];
  const colorType = b[start + 9];
  if (width === 0 || width > 0x7fffffff) throw new FormatError(`${fn}: IHDR width must be in [1, 2^31 − 1], got ${width}`, start);
  if (height === 0 || height > 0x7fffffff) {
    throw new FormatError(`${fn}: IHDR height must be in [1, 2^31 − 1], got ${height}`, start + 4);
  }
  if (width * height > maxPixels) {
    throw new FormatError(
      `${fn}: IHDR declares ${width}×${height} = ${width * height} pixels, more than maxPixels = ${maxPixels}`,
      start,
    );
  }
  const allowed = ALLOWED_DEPTHS[colorType];
  if (allowed === undefined) throw new FormatError(`${fn}: IHDR colour type must be 0, 2, 3, 4 or 6, got ${colorType}`, start + 9);
  if (!allowed.includes(depth)) {
    throw new FormatError(`${fn}: IHDR bit depth for colour type ${colorType} must be one of ${allowed.join('/')}, got ${depth}`, start + 8);
  }
  if (b[start + 10] !== 0) throw new FormatError(`${fn}: IHDR compression method must be 0, got ${b[start + 10]}`, start + 10);
  if (b[start + 11] !== 0) throw new FormatError(`${fn}: IHDR filter method must be 0, got ${b[start + 11]}`, start + 11);
  const interlace = b[start + 12];
  if (interlace > 1) throw new FormatError(`${fn}: IHDR interlace method must be 0 or 1, got ${interlace}`, start + 12);
  return { width, height, depth, colorType, interlace };
}

function checkTrns(t: Uint8Array, h: Header, palette: Uint8Array | undefined, pos: number): Uint8Array | undefined {
  const fn = 'decodePng';
  switch (h.colorType) {
    case 0:
      if (t.length !== 2) throw new FormatError(`${fn}: tRNS for greyscale must be 2 bytes, got ${t.length}`, pos);
      return t;
    case 2:
      if (t.length !== 6) throw new FormatError(`${fn}: tRNS for RGB must be 6 bytes, got ${t.length}`, pos);
      return t;
    case 3:
      if (palette === undefined) throw new FormatError(`${fn}: tRNS must come after PLTE`, pos);
      if (t.length > palette.length / 3) {
        throw new FormatError(`${fn}: tRNS has ${t.length} entries, more than the ${palette.length / 3} of PLTE`, pos);
      }
      return t;
    default:
      // Colour types with an alpha channel must not carry tRNS; libpng ignores it, and so do we.
      return undefined;
  }
}

function planPasses(h: Header, bitsPerPixel: number): Pass[] {
  const layout = h.interlace ? ADAM7 : ([[0, 0, 1, 1]] as const);
  const passes: Pass[] = [];
  for (const [xs, ys, dx, dy] of layout) {
    const w = Math.ceil((h.width - xs) / dx);
    const ph = Math.ceil((h.height - ys) / dy);
    // A pass with no pixels has no rows and no filter bytes at all.
    if (w <= 0 || ph <= 0) continue;
    passes.push({ xs, ys, dx, dy, w, h: ph, rowBytes: Math.ceil((w * bitsPerPixel) / 8) });
  }
  return passes;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Reverses the row filters in place and scatters samples to their pixel positions. */
function unfilterAndUnpack(
  raw: Uint8Array,
  h: Header,
  spp: number,
  bitsPerPixel: number,
  passes: Pass[],
  idatOffset: number,
): Uint8Array | Uint16Array {
  const W = h.width;
  const total = W * h.height * spp;
  const samples = h.depth === 16 ? new Uint16Array(total) : new Uint8Array(total);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  let o = 0;
  for (const p of passes) {
    let prev = -1;
    for (let r = 0; r < p.h; r++) {
      const filter = raw[o];
      const cur = o + 1;
      unfilterRow(raw, cur, prev, p.rowBytes, bpp, filter, o, idatOffset);
      const y = p.ys + r * p.dy;
      if (h.depth === 8) {
        if (p.dx === 1) {
          samples.set(raw.subarray(cur, cur + p.rowBytes), y * W * spp);
        } else {
          for (let c = 0; c < p.w; c++) {
            const dst = (y * W + p.xs + c * p.dx) * spp;
            const src = cur + c * spp;
            for (let k = 0; k < spp; k++) samples[dst + k] = raw[src + k];
          }
        }
      } else if (h.depth === 16) {
        for (let c = 0; c < p.w; c++) {
          const dst = (y * W + p.xs + c * p.dx) * spp;
          const src = cur + c * spp * 2;
          for (let k = 0; k < spp; k++) samples[dst + k] = (raw[src + 2 * k] << 8) | raw[src + 2 * k + 1];
        }
      } else {
        // 1, 2 or 4 bits, one sample per pixel (greyscale or palette), packed MSB first.
        const d = h.depth;
        const mask = (1 << d) - 1;
        for (let c = 0; c < p.w; c++) {
          const bit = c * d;
          samples[y * W + p.xs + c * p.dx] = (raw[cur + (bit >> 3)] >> (8 - d - (bit & 7))) & mask;
        }
      }
      prev = cur;
      o = cur + p.rowBytes;
    }
  }
  invariant(o === raw.length, `decodePng consumed ${o} of ${raw.length} raw bytes`);
  return samples;
}

function unfilterRow(
  raw: Uint8Array,
  cur: number,
  prev: number,
  n: number,
  bpp: number,
  filter: number,
  rowOffset: number,
  idatOffset: number,
): void {
  switch (filter) {
    case 0:
      return;
    case 1: // Sub
      for (let i = bpp; i < n; i++) raw[cur + i] = (raw[cur + i] + raw[cur + i - bpp]) & 0xff;
      return;
    case 2: // Up
      if (prev < 0) return;
      for (let i = 0; i < n; i++) raw[cur + i] = (raw[cur + i] + raw[prev + i]) & 0xff;
      return;
    case 3: // Average
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? raw[cur + i - bpp] : 0;
        const b = prev >= 0 ? raw[prev + i] : 0;
        raw[cur + i] = (raw[cur + i] + ((a + b) >> 1)) & 0xff;
      }
      return;
    case 4: // Paeth
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? raw[cur + i - bpp] : 0;
        const b = prev >= 0 ? raw[prev + i] : 0;
        const c = prev >= 0 && i >= bpp ? raw[prev + i - bpp] : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        const pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        raw[cur + i] = (raw[cur + i] + pred) & 0xff;
      }
      return;
    default:
      throw new FormatError(
        `decodePng: row filter type must be 0–4, got ${filter} at byte ${rowOffset} of the inflated image data`,
        idatOffset,
      );
  }
}

/** Palette lookup, sub-byte greyscale scaling and tRNS colour keys → the output image. */
function expand(
  samples: Uint8Array | Uint16Array,
  h: Header,
  palette: Uint8Array | undefined,
  trns: Uint8Array | undefined,
  idatOffset: number,
): DecodedImage {
  const { width, height, depth, colorType } = h;
  const count = width * height;
  const bitDepth = depth === 16 ? 16 : 8;
  const full = depth === 16 ? 65535 : 255;
  if (colorType === 3) {
    const pal = palette!;
    const entries = pal.length / 3;
    const ch = trns ? 4 : 3;
    const out = new Uint8Array(count * ch);
    for (let i = 0; i < count; i++) {
      const idx = samples[i];
      if (idx >= entries) {
        throw new FormatError(`decodePng: palette index ${idx} at pixel ${i} is past the ${entries} PLTE entries`, idatOffset);
      }
      const o = i * ch;
      out[o] = pal[3 * idx];
      out[o + 1] = pal[3 * idx + 1];
      out[o + 2] = pal[3 * idx + 2];
      if (trns) out[o + 3] = idx < trns.length ? trns[idx] : 255;
    }
    return { width, height, channels: ch, bitDepth: 8, data: out };
  }
  if (colorType === 0) {
    const scale = depth < 8 ? 255 / ((1 << depth) - 1) : 1;
    if (!trns) {
      if (scale !== 1) for (let i = 0; i < count; i++) samples[i] *= scale;
      return { width, height, channels: 1, bitDepth, data: samples };
    }
    const key = ((trns[0] << 8) | trns[1]) & (depth === 16 ? 0xffff : (1 << depth) - 1);
    const out = depth === 16 ? new Uint16Array(count * 2) : new Uint8Array(count * 2);
    for (let i = 0; i < count; i++) {
      const v = samples[i];
      out[2 * i] = v * scale;
      out[2 * i + 1] = v === key ? 0 : full;
    }
    return { width, height, channels: 2, bitDepth, data: out };
  }
  if (colorType === 2 && trns) {
    const mask = depth === 16 ? 0xffff : 0xff;
    const kr = ((trns[0] << 8) | trns[1]) & mask;
    const kg = ((trns[2] << 8) | trns[3]) & mask;
    const kb = ((trns[4] << 8) | trns[5]) & mask;
    const out = depth === 16 ? new Uint16Array(count * 4) : new Uint8Array(count * 4);
    for (let i = 0; i < count; i++) {
      const r = samples[3 * i];
      const g = samples[3 * i + 1];
      const b = samples[3 * i + 2];
      out[4 * i] = r;
      out[4 * i + 1] = g;
      out[4 * i + 2] = b;
      out[4 * i + 3] = r === kr && g === kg && b === kb ? 0 : full;
    }
    return { width, height, channels: 4, bitDepth, data: out };
  }
  const channels = FILE_SAMPLES[colorType] as 1 | 2 | 3 | 4;
  return { width, height, channels, bitDepth, data: samples };
}
