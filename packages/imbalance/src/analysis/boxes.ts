/**
 * Ground-truth boxes and their pixel masks.
 * @packageDocumentation
 */
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { show } from '../internal/checks';

/**
 * An axis-aligned ground-truth box in pixel units of the input image, with its class: columns
 * `[x, x + width)` and rows `[y, y + height)`. A pixel belongs to the box when its centre
 * `(col + ½, row + ½)` lies inside, so integer boxes cover exactly `width × height` pixels
 * (the reference's `mask[y1:y2, x1:x2] = 1`).
 * @category Analysis
 */
export interface LabeledBox {
  /** Left edge (column), pixels. */
  readonly x: number;
  /** Top edge (row), pixels. */
  readonly y: number;
  /** Width, pixels, > 0. */
  readonly width: number;
  /** Height, pixels, > 0. */
  readonly height: number;
  /** Class index of what the box outlines. */
  readonly label: number;
}

/** Validates one list of boxes per image (internal). */
export function checkBoxes(fn: string, boxes: unknown, images: number): readonly (readonly LabeledBox[])[] {
  if (!Array.isArray(boxes)) throw new InvalidValueError(`${fn}: boxes must be an array with one list of boxes per image, got ${show(boxes)}`);
  if (boxes.length !== images) throw new ShapeError(`${fn}: boxes must have one list per image (${images}), got ${boxes.length}`);
  boxes.forEach((list, i) => {
    if (!Array.isArray(list)) throw new InvalidValueError(`${fn}: boxes[${i}] must be an array of boxes, got ${show(list)}`);
    list.forEach((b: LabeledBox, j: number) => {
      const where = `boxes[${i}][${j}]`;
      if (b === null || typeof b !== 'object') throw new InvalidValueError(`${fn}: ${where} must be a box {x, y, width, height, label}, got ${show(b)}`);
      for (const key of ['x', 'y', 'width', 'height'] as const) {
        if (typeof b[key] !== 'number' || !Number.isFinite(b[key])) throw new InvalidValueError(`${fn}: ${where}.${key} must be a finite number, got ${show(b[key])}`);
      }
      if (b.width <= 0 || b.height <= 0) throw new InvalidValueError(`${fn}: ${where} must have width and height > 0, got ${b.width}×${b.height}`);
      if (typeof b.label !== 'number' || !Number.isInteger(b.label) || b.label < 0) {
        throw new InvalidValueError(`${fn}: ${where}.label must be an integer >= 0, got ${show(b.label)}`);
      }
    });
  });
  return boxes as readonly (readonly LabeledBox[])[];
}

/** The union of `boxes` as a 0/1 row-major `height × width` mask (internal). */
export function boxMask(boxes: readonly LabeledBox[], height: number, width: number): Uint8Array {
  const mask = new Uint8Array(height * width);
  for (const b of boxes) {
    // Pixel centres c + ½ in [x, x + w): c from ceil(x − ½) to ceil(x + w − ½) − 1.
    const c0 = Math.max(0, Math.ceil(b.x - 0.5));
    const c1 = Math.min(width, Math.ceil(b.x + b.width - 0.5));
    const r0 = Math.max(0, Math.ceil(b.y - 0.5));
    const r1 = Math.min(height, Math.ceil(b.y + b.height - 0.5));
    for (let r = r0; r < r1; r++) mask.fill(1, r * width + c0, r * width + Math.max(c0, c1));
  }
  return mask;
}

/** The distinct labels of an image's boxes, ascending (internal). */
export function boxLabels(boxes: readonly LabeledBox[]): number[] {
  return [...new Set(boxes.map((b) => b.label))].sort((a, b) => a - b);
}
