import * as jpeg from 'jpeg-js';
import { FormatError } from '../../errors';
import { type DecodeImageOptions, type DecodedImage, checkBytes, resolveDecodeOptions } from './decoded-image';

/**
 * Decodes a JPEG file (baseline or progressive) into 8-bit greyscale or RGB samples with jpeg-js.
 *
 * One-component files give 1 channel; three-component (YCbCr or RGB) and Adobe four-component
 * (CMYK/YCCK) files give 3 channels in RGB order. Chroma upsampling and the colour transform are
 * jpeg-js's. Decoding is strict: a scan that ends early or an unknown marker is an error rather
 * than a partly grey image.
 * @param bytes - the whole file
 * @param options - see {@link DecodeImageOptions}
 * @returns a new 8-bit {@link DecodedImage}
 * @throws {@link FormatError} for a missing SOI marker, a declared size above `maxPixels`, a
 * truncated file, or any error jpeg-js reports (its message is kept; the offset is that of the
 * frame header when known).
 * @throws {@link InvalidValueError} when `bytes` is not a Uint8Array or an option is invalid.
 * @see https://github.com/jpeg-js/jpeg-js
 * @example
 * ```ts
 * const img = decodeJpeg(bytes); // { width, height, channels: 3, bitDepth: 8, data }
 * ```
 * @category Image I/O
 */
export function decodeJpeg(bytes: Uint8Array, options?: DecodeImageOptions): DecodedImage {
  const fn = 'decodeJpeg';
  checkBytes(fn, bytes);
  const { maxPixels } = resolveDecodeOptions(fn, options);
  if (bytes.length < 2 || bytes[0] !== 0xff || bytes[1] !== 0xd8) {
    throw new FormatError(`${fn}: bytes must start with the JPEG SOI marker FF D8`, bytes[0] !== 0xff ? 0 : 1);
  }
  const frame = findFrame(bytes);
  if (frame && frame.width * frame.height > maxPixels) {
    throw new FormatError(
      `${fn}: frame header declares ${frame.width}×${frame.height} = ${frame.width * frame.height} pixels, more than maxPixels = ${maxPixels}`,
      frame.offset,
    );
  }
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: maxPixels / 1e6,
      maxMemoryUsageInMB: Math.max(512, Math.ceil((maxPixels * 12) / 2 ** 20)),
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new FormatError(`${fn}: corrupt or unsupported JPEG: ${message}`, frame?.offset);
  }
  const { width, height, data } = decoded;
  if (!(width > 0 && height > 0) || data.length !== width * height * 3) {
    throw new FormatError(`${fn}: corrupt JPEG: no frame with a positive size was decoded (${width}×${height})`, frame?.offset);
  }
  if (frame?.components === 1) {
    const grey = new Uint8Array(width * height);
    for (let i = 0; i < grey.length; i++) grey[i] = data[3 * i];
    return { width, height, channels: 1, bitDepth: 8, data: grey };
  }
  return { width, height, channels: 3, bitDepth: 8, data };
}

/** Walks marker segments up to the first SOFn and returns its size and component count. */
function findFrame(b: Uint8Array): { width: number; height: number; components: number; offset: number } | undefined {
  let p = 2;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) return undefined;
    const marker = b[p + 1];
    if (marker === 0xff) {
      p++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      p += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // SOS/EOI before any frame header
    const len = (b[p + 2] << 8) | b[p + 3];
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (p + 10 > b.length) return undefined;
      return {
        height: (b[p + 5] << 8) | b[p + 6],
        width: (b[p + 7] << 8) | b[p + 8],
        components: b[p + 9],
        offset: p,
      };
    }
    if (len < 2) return undefined;
    p += 2 + len;
  }
  return undefined;
}
