import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '../errors';

/**
 * A seeded pseudo-random generator (xoshiro128**, seeded through splitmix32) used by every lab
 * package, so any run can be repeated bit for bit on the same backend.
 *
 * Uniforms are 24-bit floats in [0, 1); normals use the Box–Muller transform.
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const idx = rng.permutation(10);     // Int32Array, a shuffle of 0..9
 * const w = rng.normalTensor([3, 3], 0, 0.02); // caller disposes
 * ```
 * @category Random
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;
  /** The seed this generator was created with. */
  readonly seed: number;

  /** @param seed - any finite number; equal seeds give equal streams */
  constructor(seed = 0) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new InvalidValueError(`Rng: seed must be a finite number, got ${String(seed)}`);
    }
    this.seed = seed;
    let x = (Math.floor(seed) ^ Math.floor(seed / 2 ** 32)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** One uniform float in [0, 1). */
  next(): number {
    return (this.nextUint32() >>> 8) / 16777216;
  }

  /** An integer uniform in [lo, hi). */
  int(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi <= lo) {
      throw new InvalidValueError(`Rng.int: need integers lo < hi, got lo=${lo} hi=${hi}`);
    }
    return lo + Math.floor(this.next() * (hi - lo));
  }

  /** `n` uniforms in [lo, hi). */
  uniform(n: number, lo = 0, hi = 1): Float32Array {
    checkCount('Rng.uniform', n);
    const out = new Float32Array(n);
    const span = hi - lo;
    for (let i = 0; i < n; i++) out[i] = lo + span * this.next();
    return out;
  }

  /** One standard normal draw (Box–Muller; the second value of each pair is kept for the next call). */
  gaussian(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** `n` normal draws with the given mean and standard deviation. */
  normal(n: number, mean = 0, std = 1): Float32Array {
    checkCount('Rng.normal', n);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.gaussian();
    return out;
  }

  /**
   * `n` draws of a normal truncated to [a, b] (absolute bounds, as `torch.nn.init.trunc_normal_`),
   * by rejection.
   */
  truncatedNormal(n: number, mean = 0, std = 1, a = -2, b = 2): Float32Array {
    checkCount('Rng.truncatedNormal', n);
    if (!(a < b)) throw new InvalidValueError(`Rng.truncatedNormal: need a < b, got a=${a} b=${b}`);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let v: number;
      let tries = 0;
      do {
        v = mean + std * this.gaussian();
        if (++tries > 1000) {
          v = Math.min(b, Math.max(a, v));
          break;
        }
      } while (v < a || v > b);
      out[i] = v;
    }
    return out;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    checkCount('Rng.permutation', n);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /**
   * `k` indices drawn from 0..n-1, without replacement by default, optionally weighted by `p`
   * (non-negative weights, normalised here).
   */
  choice(n: number, k: number, options: { replace?: boolean; p?: ArrayLike<number> } = {}): Int32Array {
    checkCount('Rng.choice', n);
    checkCount('Rng.choice', k);
    const replace = options.replace ?? false;
    if (!replace && k > n) {
      throw new InvalidValueError(`Rng.choice: k must be <= n without replacement, got k=${k} n=${n}`);
    }
    const out = new Int32Array(k);
    if (options.p === undefined) {
      if (replace) {
        for (let i = 0; i < k; i++) out[i] = Math.floor(this.next() * n);
        return out;
      }
      const perm = this.permutation(n);
      return perm.slice(0, k);
    }
    const p = options.p;
    if (p.length !== n) throw new InvalidValueError(`Rng.choice: p must have length ${n}, got ${p.length}`);
    const w = Float64Array.from(p);
    for (let i = 0; i < n; i++) {
      if (!(w[i] >= 0) || !Number.isFinite(w[i])) {
        throw new InvalidValueError(`Rng.choice: p[${i}] must be a finite non-negative number, got ${w[i]}`);
      }
    }
    for (let i = 0; i < k; i++) {
      let total = 0;
      for (let j = 0; j < n; j++) total += w[j];
      if (total <= 0) throw new InvalidValueError('Rng.choice: p has too few positive weights for k draws');
      let r = this.next() * total;
      let j = 0;
      for (; j < n - 1; j++) {
        r -= w[j];
        if (r < 0) break;
      }
      while (w[j] === 0) j--; // guard against rounding at the end
      out[i] = j;
      if (!replace) w[j] = 0;
    }
    return out;
  }

  /** A new generator whose seed is drawn from this one: independent streams for sub-tasks. */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }

  /** A float32 tensor of uniforms in [lo, hi). The caller disposes it. */
  uniformTensor(shape: number[], lo = 0, hi = 1): tf.Tensor {
    return tf.tensor(this.uniform(sizeOf(shape), lo, hi), shape, 'float32');
  }

  /** A float32 tensor of normal draws. The caller disposes it. */
  normalTensor(shape: number[], mean = 0, std = 1): tf.Tensor {
    return tf.tensor(this.normal(sizeOf(shape), mean, std), shape, 'float32');
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function checkCount(fn: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new InvalidValueError(`${fn}: n must be a non-negative integer, got ${n}`);
}

function sizeOf(shape: number[]): number {
  let s = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new InvalidValueError(`Rng: shape must hold non-negative integers, got [${shape}]`);
    s *= d;
  }
  return s;
}

let globalRng = new Rng(0);

/**
 * Re-seeds the process-wide generator that layers and methods use when no `rng`/`seed` option is
 * given. Seeded with 0 at start-up, so even default runs repeat bit for bit.
 * @category Random
 */
export function setGlobalSeed(seed: number): void {
  globalRng = new Rng(seed);
}

/** The process-wide generator (see {@link setGlobalSeed}). @category Random */
export function getGlobalRng(): Rng {
  return globalRng;
}
