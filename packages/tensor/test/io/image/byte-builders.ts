/**
 * Test-side builders of tiny image files, written independently of the decoders under test:
 * a bit-by-bit CRC-32 (the decoder uses a table), chunk assembly straight from the PNG spec,
 * a forward filter and an Adam7 scatter written from the spec's pass table, and BMP headers
 * laid out field by field.
 */
import { zlibSync } from 'fflate';

/** CRC-32 computed one bit at a time from the reflected polynomial 0xEDB88320. */
export function bitwiseCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export function be32(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

export function le32(v: number): number[] {
  return [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
}

export function le16(v: number): number[] {
  return [v & 255, (v >>> 8) & 255];
}

export const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** One PNG chunk: length, type, data, CRC over type + data. */
export function chunk(type: string, data: ArrayLike<number> = []): number[] {
  const typed = [...type].map((c) => c.charCodeAt(0));
  const body = new Uint8Array([...typed, ...Array.from(data)]);
  return [...be32(data.length), ...body, ...be32(bitwiseCrc32(body))];
}

export function ihdr(width: number, height: number, depth: number, colorType: number, interlace = 0): number[] {
  return chunk('IHDR', [...be32(width), ...be32(height), depth, colorType, 0, 0, interlace]);
}

/** A PNG from an IHDR and raw (already filtered) scanline bytes, with optional extra chunks before IDAT. */
export function buildPng(
  header: { width: number; height: number; depth: number; colorType: number; interlace?: number },
  raw: ArrayLike<number>,
  extra: number[][] = [],
  idatSplit = 0,
): Uint8Array {
  const z = zlibSync(new Uint8Array(Array.from(raw)));
  const idats: number[][] = [];
  if (idatSplit > 0) {
    for (let i = 0; i < z.length; i += idatSplit) idats.push(chunk('IDAT', z.subarray(i, i + idatSplit)));
  } else idats.push(chunk('IDAT', z));
  return new Uint8Array([
    ...SIGNATURE,
    ...ihdr(header.width, header.height, header.depth, header.colorType, header.interlace ?? 0),
    ...extra.flat(),
    ...idats.flat(),
    ...chunk('IEND'),
  ]);
}

/**
 * Packs one row of samples (per pixel `spp` samples of `depth` bits) into bytes, MSB first,
 * 16-bit big-endian, padded to a whole byte.
 */
export function packRow(samples: number[], depth: number): number[] {
  if (depth === 8) return samples.slice();
  if (depth === 16) return samples.flatMap((v) => [v >>> 8, v & 255]);
  const out: number[] = [];
  let acc = 0;
  let nbits = 0;
  for (const v of samples) {
    acc = (acc << depth) | v;
    nbits += depth;
    if (nbits === 8) {
      out.push(acc);
      acc = 0;
      nbits = 0;
    }
  }
  if (nbits > 0) out.push(acc << (8 - nbits));
  return out;
}

/** Raw stream (filter byte 0 on every row) of an image given as rows of samples, optionally Adam7. */
export function rawStream(
  rows: number[][],
  width: number,
  spp: number,
  depth: number,
  interlace: boolean,
): number[] {
  const height = rows.length;
  const passes = interlace
    ? [
        [0, 0, 8, 8],
        [4, 0, 8, 8],
        [0, 4, 4, 8],
        [2, 0, 4, 4],
        [0, 2, 2, 4],
        [1, 0, 2, 2],
        [0, 1, 1, 2],
      ]
    : [[0, 0, 1, 1]];
  const out: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    for (let y = y0; y < height; y += dy) {
      const samples: number[] = [];
      for (let x = x0; x < width; x += dx) samples.push(...rows[y].slice(x * spp, (x + 1) * spp));
      if (samples.length === 0) continue;
      out.push(0, ...packRow(samples, depth));
    }
  }
  return out;
}

/** A little-endian BMP with a BITMAPINFOHEADER (40) or a V5 header (124), rows given top-down as bytes. */
export function buildBmp(opts: {
  width: number;
  height: number; // positive: bottom-up on disk; negative: top-down
  bpp: number;
  rowsTopDown: number[][]; // pixel bytes of each row, without padding, in display order
  compression?: number;
  masks?: [number, number, number, number];
  palette?: number[][]; // [b, g, r] entries
  header?: 40 | 124;
  dropLastPadding?: boolean;
}): Uint8Array {
  const hs = opts.header ?? 40;
  const stride = Math.floor((opts.bpp * opts.width + 31) / 32) * 4;
  const rows = opts.height > 0 ? [...opts.rowsTopDown].reverse() : opts.rowsTopDown;
  const pixels: number[] = [];
  rows.forEach((r, i) => {
    const pad = i === rows.length - 1 && opts.dropLastPadding ? 0 : stride - r.length;
    pixels.push(...r, ...new Array(pad).fill(0));
  });
  const extraMasks = hs === 40 && opts.masks ? opts.masks.slice(0, 3).flatMap(le32) : [];
  const palette = (opts.palette ?? []).flatMap(([b, g, r]) => [b, g, r, 0]);
  const offset = 14 + hs + extraMasks.length + palette.length;
  const info = [
    ...le32(hs),
    ...le32(opts.width),
    ...le32(opts.height),
    ...le16(1),
    ...le16(opts.bpp),
    ...le32(opts.compression ?? 0),
    ...le32(pixels.length),
    ...le32(2835),
    ...le32(2835),
    ...le32(opts.palette ? opts.palette.length : 0),
    ...le32(0),
  ];
  if (hs === 124) {
    const m = opts.masks ?? [0, 0, 0, 0];
    info.push(...m.flatMap(le32), ...le32(0x73524742), ...new Array(124 - 56 - 4).fill(0));
  }
  const size = offset + pixels.length;
  return new Uint8Array([0x42, 0x4d, ...le32(size), 0, 0, 0, 0, ...le32(offset), ...info, ...extraMasks, ...palette, ...pixels]);
}
