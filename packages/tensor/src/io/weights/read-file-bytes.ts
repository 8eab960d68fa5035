/**
 * Reads a whole file in Node. Internal to the `read…File` conveniences.
 *
 * The module specifier is a variable (with bundler-ignore hints) so that browser bundles of this
 * package neither try to resolve `node:fs/promises` nor fail on it; the functions that call this
 * are the only Node-only parts of the weight I/O.
 */
import { NotAvailableError } from '../../errors';

export async function readFileBytes(fn: string, path: string): Promise<Uint8Array> {
  const specifier = 'node:fs/promises';
  let fs: typeof import('node:fs/promises');
  try {
    fs = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as typeof import('node:fs/promises');
  } catch {
    throw new NotAvailableError(`${fn}: reading files needs Node (node:fs/promises); pass the bytes to the in-memory reader instead`);
  }
  const buf = await fs.readFile(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
