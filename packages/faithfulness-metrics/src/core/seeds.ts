/**
 * Seed derivation: every random stream of a metric is derived from the caller's `seed` and the
 * position of the work unit (sample, step, draw), never from the order or batching of evaluation,
 * so results do not depend on `batchSize`.
 * @packageDocumentation
 */
import { Rng } from '@lab/tensor';

/** Stream tags, so two streams of one unit never coincide. */
export const STREAM = Object.freeze({
  ordering: 1,
  noise: 2,
  mass: 3,
  subset: 4,
  perturbation: 5,
  random: 6,
});

/** Mixes a seed and integer coordinates into one 32-bit seed (murmur3 finaliser per word). */
export function mixSeed(seed: number, ...parts: number[]): number {
  let h = (Math.floor(seed) ^ Math.floor(seed / 2 ** 32) ^ 0x9e3779b9) >>> 0;
  for (const p of parts) {
    let k = Math.imul(p >>> 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A generator for one work unit: `rngFor(seed, STREAM.noise, sample, step)`. */
export function rngFor(seed: number, ...parts: number[]): Rng {
  return new Rng(mixSeed(seed, ...parts));
}
