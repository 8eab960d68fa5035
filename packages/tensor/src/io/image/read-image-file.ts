import type { DecodeImageOptions, DecodedImage } from './decoded-image';
import { decodeImage } from './decode-image';
import { InvalidValueError, NotAvailableError } from '../../errors';

/** Loads `node:fs/promises` lazily so the browser build never touches it (internal). */
export async function nodeFs(fn: string): Promise<typeof import('node:fs/promises')> {
  try {
    return await import('node:fs/promises');
  } catch (e) {
    throw new NotAvailableError(`${fn}: needs Node's fs module, which is not available here (${(e as Error).message})`);
  }
}

/**
 * Reads an image file from disk and decodes it (PNG, JPEG or BMP, by magic bytes). Node only.
 *
 * Equivalent to `decodeImage(new Uint8Array(await fs.readFile(path)), options)`.
 * @param path - file path
 * @param options - see {@link DecodeImageOptions}
 * @returns a promise of a new {@link DecodedImage}
 * @throws {@link NotAvailableError} outside Node; {@link InvalidValueError} for a non-string path;
 * the file system's error for a missing file; every error of {@link decodeImage}.
 * @example
 * ```ts
 * const hr = await readImageFile('../shared/data/set5/HR/baby.bmp'); // 512×512×3
 * ```
 * @category Image I/O
 */
export async function readImageFile(path: string, options?: DecodeImageOptions): Promise<DecodedImage> {
  if (typeof path !== 'string' || path === '') {
    throw new InvalidValueError(`readImageFile: path must be a non-empty string, got ${String(path)}`);
  }
  const fs = await nodeFs('readImageFile');
  const buf = await fs.readFile(path);
  return decodeImage(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), options);
}
