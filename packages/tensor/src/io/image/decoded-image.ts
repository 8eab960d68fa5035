import { InvalidValueError, ShapeError, checkOptions } from '../../errors';

/**
 * A decoded raster image: interleaved samples, rows top-down, pixels left to right.
 *
 * Sample `c` of pixel `(x, y)` is `data[(y * width + x) * channels + c]`. Channels are grey (1),
 * grey + alpha (2), RGB (3) or RGBA (4); alpha is straight (not premultiplied). 8-bit images hold
 * a `Uint8Array` with values 0–255, 16-bit images a `Uint16Array` with values 0–65535.
 * @example
 * ```ts
 * const img = decodeImage(bytes);            // { width, height, channels, bitDepth, data }
 * const red = img.data[(y * img.width + x) * img.channels];
 * ```
 * @category Image I/O
 */
export interface DecodedImage {
  /** Width in pixels (≥ 1). */
  width: number;
  /** Height in pixels (≥ 1). */
  height: number;
  /** Samples per pixel: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  /** Bits per sample: 8 (`Uint8Array` data) or 16 (`Uint16Array` data). */
  bitDepth: 8 | 16;
  /** `width · height · channels` samples, interleaved, rows top-down. */
  data: Uint8Array | Uint16Array;
}

/**
 * Raw pixels accepted where an image is an input ({@link encodePng}, {@link imageToTensor}): a
 * {@link DecodedImage}, or the same fields without `bitDepth` (taken from the array type).
 * @category Image I/O
 */
export interface ImageInput {
  /** Width in pixels (≥ 1). */
  width: number;
  /** Height in pixels (≥ 1). */
  height: number;
  /** Samples per pixel: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  /** Bits per sample; when omitted, 8 for `Uint8Array` (or `Uint8ClampedArray`) data and 16 for `Uint16Array`. */
  bitDepth?: 8 | 16;
  /** `width · height · channels` samples, interleaved, rows top-down. */
  data: Uint8Array | Uint8ClampedArray | Uint16Array;
}

/** Options shared by every image decoder. @category Image I/O */
export interface DecodeImageOptions {
  /**
   * Largest accepted `width · height`; a file that declares more is rejected before anything is
   * allocated, which bounds the memory a hostile or corrupt file can claim.
   * @defaultValue 100 000 000 (100 megapixels, the limit jpeg-js uses by default)
   */
  maxPixels?: number;
}

/**
 * Defaults of {@link DecodeImageOptions}. `maxPixels` follows jpeg-js's `maxResolutionInMP: 100`:
 * 100 MP of RGBA 16-bit samples is 800 MB, the most a decoder here will ever allocate for pixels.
 * @category Image I/O
 */
export const DECODE_IMAGE_DEFAULTS: Readonly<Required<DecodeImageOptions>> = Object.freeze({
  /** Default of {@link DecodeImageOptions.maxPixels}. */
  maxPixels: 100_000_000,
});

const DECODE_KEYS = Object.keys(DECODE_IMAGE_DEFAULTS);

/** Validates decoder options and fills defaults (internal). */
export function resolveDecodeOptions(fn: string, options: DecodeImageOptions | undefined): Required<DecodeImageOptions> {
  checkOptions(fn, options, DECODE_KEYS);
  const maxPixels = options?.maxPixels ?? DECODE_IMAGE_DEFAULTS.maxPixels;
  if (typeof maxPixels !== 'number' || !Number.isInteger(maxPixels) || maxPixels < 1) {
    throw new InvalidValueError(`${fn}: maxPixels must be a positive integer, got ${String(maxPixels)}`);
  }
  return { maxPixels };
}

/** Throws unless `bytes` is a Uint8Array (internal). */
export function checkBytes(fn: string, bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    const got = bytes === null ? 'null' : typeof bytes === 'object' ? (bytes as object).constructor?.name : typeof bytes;
    throw new InvalidValueError(`${fn}: bytes must be a Uint8Array, got ${got}`);
  }
}

/**
 * Validates an image argument and returns it as a {@link DecodedImage} (internal). The data array
 * is not copied; a `Uint8ClampedArray` is viewed as a `Uint8Array`.
 */
export function checkImage(fn: string, image: unknown, arg = 'image'): DecodedImage {
  if (image === null || typeof image !== 'object') {
    throw new InvalidValueError(`${fn}: ${arg} must be an object with width, height, channels and data, got ${image === null ? 'null' : typeof image}`);
  }
  const { width, height, channels, data, bitDepth } = image as ImageInput;
  for (const [name, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new ShapeError(`${fn}: ${arg}.${name} must be a positive integer, got ${String(v)}`);
    }
  }
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    throw new ShapeError(`${fn}: ${arg}.channels must be 1, 2, 3 or 4, got ${String(channels)}`);
  }
  let view: Uint8Array | Uint16Array;
  if (data instanceof Uint8Array) view = data;
  else if (data instanceof Uint8ClampedArray) view = new Uint8Array(data.buffer, data.byteOffset, data.length);
  else if (data instanceof Uint16Array) view = data;
  else {
    const got = data === null || data === undefined ? String(data) : (data as object).constructor?.name ?? typeof data;
    throw new InvalidValueError(`${fn}: ${arg}.data must be a Uint8Array or Uint16Array, got ${got}`);
  }
  const depth = view instanceof Uint16Array ? 16 : 8;
  if (bitDepth !== undefined && bitDepth !== depth) {
    throw new InvalidValueError(
      `${fn}: ${arg}.bitDepth must match the data (${depth} for ${view.constructor.name}), got ${String(bitDepth)}`,
    );
  }
  const expected = width * height * channels;
  if (view.length !== expected) {
    throw new ShapeError(
      `${fn}: ${arg}.data must hold width·height·channels = ${width}·${height}·${channels} = ${expected} samples, got ${view.length}`,
    );
  }
  return { width, height, channels, bitDepth: depth, data: view };
}
