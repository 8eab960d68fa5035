/**
 * The raster type every evaluation function of `@lab/sr-models` reads and writes, and its
 * argument check (internal helpers are not exported from the package).
 * @packageDocumentation
 */
import { InvalidValueError, ShapeError } from '@lab/tensor';

/** Sample arrays a {@link PixelImage} may hold. @category Evaluation */
export type PixelData = Uint8Array | Uint8ClampedArray | Uint16Array | Float32Array | Float64Array;

/**
 * Interleaved HWC pixels, rows top-down: sample `c` of pixel `(x, y)` is
 * `data[(y · width + x) · channels + c]`.
 *
 * Integer arrays hold integer sample values (0–255 for `Uint8Array`, 0–65535 for `Uint16Array`);
 * float arrays hold any real values — the evaluation functions read them on the 0–255 scale. A
 * `DecodedImage` of `@lab/tensor` (`decodeImage`, `readImageFile`) is a `PixelImage`.
 * @category Evaluation
 */
export interface PixelImage<D extends PixelData = PixelData> {
  /** Width in pixels (≥ 1). */
  readonly width: number;
  /** Height in pixels (≥ 1). */
  readonly height: number;
  /** Samples per pixel (≥ 1). */
  readonly channels: number;
  /** `width · height · channels` samples, interleaved, rows top-down. */
  readonly data: D;
}

/** Printable form of a value for error messages (internal). */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return String(v);
}

/** Throws unless `image` is a well-formed {@link PixelImage}; returns it (internal). */
export function checkPixelImage(fn: string, arg: string, image: unknown): PixelImage {
  if (image === null || typeof image !== 'object') {
    throw new InvalidValueError(`${fn}: ${arg} must be an image { width, height, channels, data }, got ${show(image)}`);
  }
  const { width, height, channels, data } = image as PixelImage;
  for (const [name, v] of [
    ['width', width],
    ['height', height],
    ['channels', channels],
  ] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new ShapeError(`${fn}: ${arg}.${name} must be a positive integer, got ${show(v)}`);
    }
  }
  if (
    !(data instanceof Uint8Array) &&
    !(data instanceof Uint8ClampedArray) &&
    !(data instanceof Uint16Array) &&
    !(data instanceof Float32Array) &&
    !(data instanceof Float64Array)
  ) {
    throw new InvalidValueError(
      `${fn}: ${arg}.data must be a Uint8Array, Uint8ClampedArray, Uint16Array, Float32Array or Float64Array, got ${show(data)}`,
    );
  }
  const expected = width * height * channels;
  if (data.length !== expected) {
    throw new ShapeError(
      `${fn}: ${arg}.data must hold width·height·channels = ${width}·${height}·${channels} = ${expected} samples, got ${data.length}`,
    );
  }
  return image as PixelImage;
}

/** Throws unless two images have the same width, height and channel count (internal). */
export function checkSameSize(fn: string, a: PixelImage, b: PixelImage, names = ['a', 'b']): void {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new ShapeError(
      `${fn}: ${names[1]} must have the size of ${names[0]} (${a.height}×${a.width}×${a.channels}, H×W×C), got ${b.height}×${b.width}×${b.channels}`,
    );
  }
}

/** Throws unless `v` is an integer ≥ `min` (internal). */
export function checkInteger(fn: string, arg: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new InvalidValueError(`${fn}: ${arg} must be an integer >= ${min}, got ${show(v)}`);
  }
  return v;
}

/** Throws unless `v` is a boolean (internal). */
export function checkBoolean(fn: string, arg: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new InvalidValueError(`${fn}: ${arg} must be a boolean, got ${show(v)}`);
  return v;
}
