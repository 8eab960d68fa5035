import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError, InvalidValueError, ShapeError, decodePng, readImageFile, writePngFile } from '../../../src/index';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-image-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const image = { width: 2, height: 2, channels: 4 as const, bitDepth: 8 as const, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]) };

describe('writePngFile', () => {
  it('writes a PNG that decodes back to the same pixels', async () => {
    const path = join(dir, 'a.png');
    await writePngFile(path, image);
    expect(decodePng(new Uint8Array(await readFile(path)))).toEqual(image);
  });

  it('validates the path and the image before touching the file system', async () => {
    await expect(writePngFile('', image)).rejects.toThrow(/writePngFile: path must be a non-empty string/);
    await expect(writePngFile(join(dir, 'b.png'), { ...image, width: 3 })).rejects.toThrow(ShapeError);
    await expect(readFile(join(dir, 'b.png'))).rejects.toThrow(/ENOENT/);
  });
});

describe('readImageFile', () => {
  it('reads and decodes a file by its magic', async () => {
    const path = join(dir, 'c.png');
    await writePngFile(path, image, { filter: 'paeth' });
    expect(await readImageFile(path)).toEqual(image);
  });

  it('rejects a non-string path, a missing file and a corrupt file', async () => {
    await expect(readImageFile(42 as never)).rejects.toThrow(InvalidValueError);
    await expect(readImageFile(join(dir, 'missing.png'))).rejects.toThrow(/ENOENT/);
    const path = join(dir, 'c.png');
    const bytes = new Uint8Array(await readFile(path));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'd.png'), bytes.subarray(0, bytes.length - 5));
    await expect(readImageFile(join(dir, 'd.png'))).rejects.toThrow(FormatError);
  });
});
