import { FormatError } from '../../errors';
import { type DecodeImageOptions, type DecodedImage, checkBytes, resolveDecodeOptions } from './decoded-image';
import { decodeBmp } from './decode-bmp';
import { decodeJpeg } from './decode-jpeg';
import { PNG_SIGNATURE, decodePng } from './decode-png';

/** The container formats {@link decodeImage} recognises. @category Image I/O */
export type ImageFormat = 'png' | 'jpeg' | 'bmp';

/**
 * Names the format of an image file from its first bytes, or returns `undefined`.
 *
 * PNG is the 8-byte signature `89 50 4E 47 0D 0A 1A 0A`, JPEG the SOI marker plus the next
 * marker's `FF` (`FF D8 FF`), BMP the two letters `BM`.
 * @param bytes - the start of the file (3–8 bytes suffice)
 * @returns `'png'`, `'jpeg'`, `'bmp'`, or `undefined` when none matches
 * @throws {@link InvalidValueError} when `bytes` is not a Uint8Array.
 * @example
 * ```ts
 * sniffImageFormat(new Uint8Array([0x42, 0x4d])); // 'bmp'
 * ```
 * @category Image I/O
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  checkBytes('sniffImageFormat', bytes);
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d) return 'bmp';
  return undefined;
}

/**
 * Decodes a PNG, JPEG or BMP file, chosen by its magic bytes, into interleaved samples.
 *
 * Dispatches to {@link decodePng}, {@link decodeJpeg} or {@link decodeBmp}; see them for the
 * channel and bit-depth rules of each format (only PNG can give 16-bit samples).
 * @param bytes - the whole file
 * @param options - see {@link DecodeImageOptions}
 * @returns a new {@link DecodedImage}, rows top-down
 * @throws {@link FormatError} (offset 0) when the magic matches no format, and every error of the
 * chosen decoder.
 * @throws {@link InvalidValueError} when `bytes` is not a Uint8Array or an option is invalid.
 * @example
 * ```ts
 * const img = decodeImage(await readFile('set5/HR/baby.bmp')); // 512×512, 3 channels
 * ```
 * @category Image I/O
 */
export function decodeImage(bytes: Uint8Array, options?: DecodeImageOptions): DecodedImage {
  checkBytes('decodeImage', bytes);
  resolveDecodeOptions('decodeImage', options);
  switch (sniffImageFormat(bytes)) {
    case 'png':
      return decodePng(bytes, options);
    case 'jpeg':
      return decodeJpeg(bytes, options);
    case 'bmp':
      return decodeBmp(bytes, options);
    default: {
      const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new FormatError(`decodeImage: bytes must start with a PNG, JPEG or BMP signature, got [${head}]`, 0);
    }
  }
}
