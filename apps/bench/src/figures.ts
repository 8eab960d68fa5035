/**
 * Pictures suites put in the report: side-by-side crops of super-resolved images (HR, bicubic,
 * the model) at the same place, enlarged with nearest-neighbour so pixels stay visible.
 * @packageDocumentation
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writePngFile } from '@lab/tensor';
import type { PixelImage } from '@lab/sr-models';
import type { ResultImage } from './suite';

/** A crop window in HR pixels. */
export interface CropBox {
  readonly top: number;
  readonly left: number;
  readonly size: number;
}

/** 8-bit sample `c` of pixel `(x, y)` of `image` (grey repeated on RGB; floats clamped and rounded). */
function sample(image: PixelImage, x: number, y: number, c: number): number {
  const ch = image.channels;
  const v = image.data[(y * image.width + x) * ch + (ch >= 3 ? c : 0)];
  return Math.max(0, Math.min(255, Math.round(v)));
}

/**
 * The most detailed `size`×`size` window of `image` on a grid of step `size / 2`: the one with
 * the largest sum of absolute horizontal and vertical luma differences (ties: the first in
 * reading order). Deterministic, so runs and shards crop the same place.
 */
export function detailedCrop(image: PixelImage, size: number): CropBox {
  const s = Math.min(size, image.width, image.height);
  const step = Math.max(1, Math.floor(s / 2));
  const luma = (x: number, y: number) => 0.299 * sample(image, x, y, 0) + 0.587 * sample(image, x, y, 1) + 0.114 * sample(image, x, y, 2);
  let best: CropBox = { top: 0, left: 0, size: s };
  let bestScore = -1;
  for (let top = 0; top + s <= image.height; top += step) {
    for (let left = 0; left + s <= image.width; left += step) {
      let score = 0;
      for (let y = top; y < top + s - 1; y += 2) {
        for (let x = left; x < left + s - 1; x += 2) {
          const v = luma(x, y);
          score += Math.abs(v - luma(x + 1, y)) + Math.abs(v - luma(x, y + 1));
        }
      }
      if (score > bestScore) {
        bestScore = score;
        best = { top, left, size: s };
      }
    }
  }
  return best;
}

/** One panel of {@link writeCropStrip}: an image of the HR size and its label. */
export interface CropPanel {
  readonly label: string;
  readonly image: PixelImage;
}

/**
 * Writes a PNG with the same `box` of every panel side by side (each enlarged `zoom`× with
 * nearest-neighbour, 4 px grey gaps) to `file`, creating its folder.
 */
export async function writeCropStrip(file: string, panels: readonly CropPanel[], box: CropBox, zoom: number): Promise<void> {
  const gap = 4;
  const tile = box.size * zoom;
  const width = panels.length * tile + (panels.length + 1) * gap;
  const height = tile + 2 * gap;
  const data = new Uint8Array(width * height * 3).fill(128);
  panels.forEach((panel, p) => {
    for (let y = 0; y < tile; y++) {
      for (let x = 0; x < tile; x++) {
        const sx = Math.min(panel.image.width - 1, box.left + Math.floor(x / zoom));
        const sy = Math.min(panel.image.height - 1, box.top + Math.floor(y / zoom));
        const o = ((gap + y) * width + gap + p * (tile + gap) + x) * 3;
        for (let c = 0; c < 3; c++) data[o + c] = sample(panel.image, sx, sy, c);
      }
    }
  });
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writePngFile(file, { width, height, channels: 3, data });
}

/** What {@link writeSrCrops} compares for one image. */
export interface SrCropInput {
  /** Image name, used in the file name and the title. */
  readonly name: string;
  /** The HR reference (modcropped to a multiple of the scale). */
  readonly hr: PixelImage;
  /** MATLAB bicubic of the LR input, HR size. */
  readonly bicubic: PixelImage;
  /** The model's output, HR size; omitted when the model is bicubic itself. */
  readonly sr?: PixelImage;
  /** The model's label (`RLFN (NTIRE 2022 ESR #1)`). */
  readonly model?: string;
  readonly scale: number;
  /** Extra words for the caption (PSNR of each panel). */
  readonly details?: string;
}

/**
 * Writes `DIR/<prefix>-<name>.png`: the most detailed 48×48 HR window ({@link detailedCrop}) of
 * HR, bicubic and (when given) the model's output side by side, ×4 nearest-neighbour; returns the
 * picture for the report.
 */
export async function writeSrCrops(dir: string, input: SrCropInput, prefix = 'sr-crop'): Promise<ResultImage> {
  const box = detailedCrop(input.hr, 48);
  const panels: CropPanel[] = [
    { label: 'HR', image: input.hr },
    { label: 'bicubic', image: input.bicubic },
    ...(input.sr ? [{ label: input.model ?? 'model', image: input.sr }] : []),
  ];
  const safe = input.name.replace(/[^A-Za-z0-9_-]+/g, '_');
  const file = path.join(dir, `${prefix}-${safe}.png`);
  await writeCropStrip(file, panels, box, 4);
  return {
    file,
    title: `${input.name} ×${input.scale}: ${panels.map((p) => p.label).join(' | ')}`,
    caption:
      `HR pixels x ${box.left}–${box.left + box.size - 1}, y ${box.top}–${box.top + box.size - 1} (the most detailed ${box.size}×${box.size} window), ` +
      `enlarged 4× without smoothing; left to right: ${panels.map((p) => p.label).join(', ')}.${input.details ? ` ${input.details}` : ''}`,
  };
}
