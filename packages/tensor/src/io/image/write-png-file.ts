import { InvalidValueError } from '../../errors';
import type { ImageInput } from './decoded-image';
import { type EncodePngOptions, encodePng } from './encode-png';
import { nodeFs } from './read-image-file';

/**
 * Encodes pixels as PNG and writes them to a file, replacing it. Node only.
 *
 * Equivalent to `fs.writeFile(path, encodePng(image, options))`; the image is validated and
 * encoded before the file is touched.
 * @param path - file path
 * @param image - a {@link DecodedImage} or raw pixels ({@link ImageInput})
 * @param options - see {@link EncodePngOptions}
 * @returns a promise that resolves once the file is written
 * @throws {@link NotAvailableError} outside Node; {@link InvalidValueError} for a non-string path;
 * every error of {@link encodePng}; the file system's error.
 * @example
 * ```ts
 * await writePngFile('sr.png', tensorToImage(sr));
 * ```
 * @category Image I/O
 */
export async function writePngFile(path: string, image: ImageInput, options?: EncodePngOptions): Promise<void> {
  if (typeof path !== 'string' || path === '') {
    throw new InvalidValueError(`writePngFile: path must be a non-empty string, got ${String(path)}`);
  }
  const png = encodePng(image, options);
  const fs = await nodeFs('writePngFile');
  await fs.writeFile(path, png);
}
