import { FormatError } from '../../errors';
import { type DecodeImageOptions, type DecodedImage, checkBytes, resolveDecodeOptions } from './decoded-image';

/** DIB header sizes read here: CORE (12), INFO (40), V2 (52), V3 (56), V4 (108), V5 (124). */
const HEADER_SIZES = [12, 40, 52, 56, 108, 124];
const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
const COMPRESSION_NAMES: Record<number, string> = { 1: 'RLE8', 2: 'RLE4', 4: 'JPEG', 5: 'PNG' };

interface Field {
  shift: number;
  bits: number;
}

/**
 * Decodes a Windows BMP file (uncompressed) into 8-bit RGB, RGBA or greyscale samples, rows top-down.
 *
 * Reads 24-bit BGR, 32-bit BGRX (`BI_RGB`, the fourth byte ignored), 16- and 32-bit `BI_BITFIELDS`
 * / `BI_ALPHABITFIELDS` with any contiguous channel masks (16-bit `BI_RGB` is 5-5-5), and 1/4/8-bit
 * palette images. A positive height stores rows bottom-up, a negative one top-down; each row is
 * padded to a multiple of 4 bytes. Channels narrower than 8 bits are scaled to 0–255 as
 * `round(v · 255 / (2^bits − 1))`. The result has 4 channels only when an alpha mask is given,
 * and 1 channel for a palette whose every entry is grey (r = g = b); otherwise 3 (RGB order).
 * RLE, JPEG and PNG compression are not read.
 * @param bytes - the whole file
 * @param options - see {@link DecodeImageOptions}
 * @returns a new 8-bit {@link DecodedImage}
 * @throws {@link FormatError} with the byte offset for a missing `BM` magic, an unknown header,
 * an unsupported bit depth or compression, a non-contiguous mask, a palette index past the palette,
 * truncated pixel data, or a declared size above `maxPixels`.
 * @throws {@link InvalidValueError} when `bytes` is not a Uint8Array or an option is invalid.
 * @see https://learn.microsoft.com/en-us/windows/win32/gdi/bitmap-storage (BMP layout)
 * @example
 * ```ts
 * const img = decodeBmp(bytes); // Set5 'baby.bmp' → { width: 512, height: 512, channels: 3, bitDepth: 8 }
 * ```
 * @category Image I/O
 */
export function decodeBmp(bytes: Uint8Array, options?: DecodeImageOptions): DecodedImage {
  const fn = 'decodeBmp';
  checkBytes(fn, bytes);
  const { maxPixels } = resolveDecodeOptions(fn, options);
  const n = bytes.length;
  const need = (end: number, what: string): void => {
    if (end > n) throw new FormatError(`${fn}: file ends inside the ${what} (${n} bytes, need ${end})`, n);
  };
  need(2, 'magic');
  if (bytes[0] !== 0x42 || bytes[1] !== 0x4d) {
    throw new FormatError(`${fn}: bytes must start with the BMP magic 'BM'`, bytes[0] !== 0x42 ? 0 : 1);
  }
  need(18, 'file header');
  const dataOffset = u32(bytes, 10);
  const hs = u32(bytes, 14);
  if (!HEADER_SIZES.includes(hs)) {
    throw new FormatError(`${fn}: DIB header size must be one of ${HEADER_SIZES.join(', ')}, got ${hs}`, 14);
  }
  need(14 + hs, 'DIB header');

  let width: number;
  let rawHeight: number;
  let planes: number;
  let bpp: number;
  let compression = BI_RGB;
  let colorsUsed = 0;
  if (hs === 12) {
    width = u16(bytes, 18);
    rawHeight = u16(bytes, 20);
    planes = u16(bytes, 22);
    bpp = u16(bytes, 24);
  } else {
    width = i32(bytes, 18);
    rawHeight = i32(bytes, 22);
    planes = u16(bytes, 26);
    bpp = u16(bytes, 28);
    compression = u32(bytes, 30);
    colorsUsed = u32(bytes, 46);
  }
  if (width <= 0) throw new FormatError(`${fn}: width must be positive, got ${width}`, 18);
  if (rawHeight === 0 || rawHeight === -0x80000000) {
    throw new FormatError(`${fn}: height must be non-zero, got ${rawHeight}`, hs === 12 ? 20 : 22);
  }
  if (planes !== 1) throw new FormatError(`${fn}: planes must be 1, got ${planes}`, hs === 12 ? 22 : 26);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width * height > maxPixels) {
    throw new FormatError(`${fn}: header declares ${width}×${height} = ${width * height} pixels, more than maxPixels = ${maxPixels}`, 18);
  }
  if (compression in COMPRESSION_NAMES) {
    throw new FormatError(`${fn}: compression ${COMPRESSION_NAMES[compression]} is not supported (only uncompressed BMP)`, 30);
  }
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw new FormatError(`${fn}: compression must be 0 (BI_RGB), 3 (BI_BITFIELDS) or 6 (BI_ALPHABITFIELDS), got ${compression}`, 30);
  }
  const bitfields = compression !== BI_RGB;
  if (bitfields && bpp !== 16 && bpp !== 32) {
    throw new FormatError(`${fn}: BI_BITFIELDS needs 16 or 32 bits per pixel, got ${bpp}`, 28);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) {
    throw new FormatError(`${fn}: bits per pixel must be 1, 4, 8, 16, 24 or 32, got ${bpp}`, hs === 12 ? 24 : 28);
  }
  if (hs === 12 && bpp > 24) throw new FormatError(`${fn}: a BITMAPCOREHEADER file must have at most 24 bits per pixel, got ${bpp}`, 24);

  // Channel masks: inside V2+ headers, or right after a 40-byte INFO header.
  let masks: [number, number, number, number] | undefined;
  if (bitfields) {
    const at = 54;
    const count = hs >= 56 || compression === BI_ALPHABITFIELDS ? 4 : 3;
    need(at + 4 * count, 'channel masks');
    masks = [u32(bytes, at), u32(bytes, at + 4), u32(bytes, at + 8), count === 4 ? u32(bytes, at + 12) : 0];
  } else if (bpp === 16) {
    masks = [0x7c00, 0x03e0, 0x001f, 0];
  }

  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const rowUsed = Math.ceil((bpp * width) / 8);
  // The last row's padding is not required: some writers drop it.
  const dataEnd = dataOffset + stride * (height - 1) + rowUsed;
  if (dataOffset < 14 + hs) {
    throw new FormatError(`${fn}: pixel data offset ${dataOffset} points inside the ${14 + hs}-byte headers`, 10);
  }
  if (dataEnd > n) {
    throw new FormatError(
      `${fn}: pixel data needs ${dataEnd - dataOffset} bytes from offset ${dataOffset} (${width}×${height}, ${bpp}-bit, row stride ${stride}) but the file has ${n} bytes (truncated)`,
      n,
    );
  }
  const srcRow = (y: number): number => dataOffset + stride * (topDown ? y : height - 1 - y);

  if (bpp <= 8) return decodePalette(bytes, hs, bpp, colorsUsed, width, height, srcRow);

  if (bpp === 24) {
    const out = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      let s = srcRow(y);
      let o = y * width * 3;
      for (let x = 0; x < width; x++, s += 3, o += 3) {
        out[o] = bytes[s + 2];
        out[o + 1] = bytes[s + 1];
        out[o + 2] = bytes[s];
      }
    }
    return { width, height, channels: 3, bitDepth: 8, data: out };
  }

  if (bpp === 32 && !bitfields) {
    const out = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      let s = srcRow(y);
      let o = y * width * 3;
      for (let x = 0; x < width; x++, s += 4, o += 3) {
        out[o] = bytes[s + 2];
        out[o + 1] = bytes[s + 1];
        out[o + 2] = bytes[s];
      }
    }
    return { width, height, channels: 3, bitDepth: 8, data: out };
  }

  // 16-bit (any compression) or 32-bit BI_BITFIELDS: generic masks.
  const m = masks!;
  const fields = m.map((mask, k) => maskField(mask, bpp, 54 + 4 * k));
  const channels = m[3] !== 0 ? 4 : 3;
  const out = new Uint8Array(width * height * channels);
  const bytesPer = bpp / 8;
  for (let y = 0; y < height; y++) {
    let s = srcRow(y);
    let o = y * width * channels;
    for (let x = 0; x < width; x++, s += bytesPer, o += channels) {
      const px = bpp === 16 ? u16(bytes, s) : u32(bytes, s);
      for (let k = 0; k < channels; k++) out[o + k] = extract(px, fields[k]);
    }
  }
  return { width, height, channels, bitDepth: 8, data: out };
}

function decodePalette(
  bytes: Uint8Array,
  hs: number,
  bpp: number,
  colorsUsed: number,
  width: number,
  height: number,
  srcRow: (y: number) => number,
): DecodedImage {
  const fn = 'decodeBmp';
  const entrySize = hs === 12 ? 3 : 4;
  const max = 1 << bpp;
  if (colorsUsed > max) {
    throw new FormatError(`${fn}: colours used must be at most ${max} for ${bpp}-bit pixels, got ${colorsUsed}`, 46);
  }
  const count = colorsUsed === 0 ? max : colorsUsed;
  const palStart = 14 + hs;
  const palEnd = palStart + count * entrySize;
  if (palEnd > bytes.length) {
    throw new FormatError(`${fn}: file ends inside the ${count}-entry palette (need ${palEnd} bytes, have ${bytes.length})`, bytes.length);
  }
  let grey = true;
  const rgb = new Uint8Array(count * 3);
  for (let i = 0; i < count; i++) {
    const p = palStart + i * entrySize;
    rgb[3 * i] = bytes[p + 2];
    rgb[3 * i + 1] = bytes[p + 1];
    rgb[3 * i + 2] = bytes[p];
    if (bytes[p] !== bytes[p + 1] || bytes[p] !== bytes[p + 2]) grey = false;
  }
  const channels = grey ? 1 : 3;
  const out = new Uint8Array(width * height * channels);
  const mask = max - 1;
  for (let y = 0; y < height; y++) {
    const s = srcRow(y);
    for (let x = 0; x < width; x++) {
      const bit = x * bpp;
      const idx = (bytes[s + (bit >> 3)] >> (8 - bpp - (bit & 7))) & mask;
      if (idx >= count) {
        throw new FormatError(`${fn}: palette index ${idx} at pixel (${x}, ${y}) is past the ${count} palette entries`, s + (bit >> 3));
      }
      const o = (y * width + x) * channels;
      if (grey) out[o] = rgb[3 * idx];
      else {
        out[o] = rgb[3 * idx];
        out[o + 1] = rgb[3 * idx + 1];
        out[o + 2] = rgb[3 * idx + 2];
      }
    }
  }
  return { width, height, channels, bitDepth: 8, data: out };
}

function maskField(mask: number, bpp: number, offset: number): Field {
  if (mask === 0) return { shift: 0, bits: 0 };
  if (bpp === 16 && mask > 0xffff) {
    throw new FormatError(`decodeBmp: channel mask 0x${mask.toString(16)} does not fit in 16-bit pixels`, offset);
  }
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  let bits = 0;
  while (shift + bits < 32 && ((mask >>> (shift + bits)) & 1) === 1) bits++;
  if (shift + bits < 32 && mask >>> (shift + bits) !== 0) {
    throw new FormatError(`decodeBmp: channel mask 0x${mask.toString(16)} must be one contiguous run of bits`, offset);
  }
  return { shift, bits };
}

function extract(px: number, f: Field): number {
  if (f.bits === 0) return 0;
  const max = 2 ** f.bits - 1;
  const v = Math.floor(px / 2 ** f.shift) % 2 ** f.bits;
  return f.bits === 8 ? v : Math.round((v * 255) / max);
}

function u16(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8);
}

function u32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

function i32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}
