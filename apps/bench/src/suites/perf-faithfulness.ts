/**
 * The faithfulness part of `lab perf`: ROAD noisy linear imputation of a 224×224 RGB image with
 * 50% and 90% of its pixels removed (tracker targets ≤ 35 ms and ≤ 130 ms), cold and warm-started
 * along a curve of growing masks as soundness/completeness run it.
 * @packageDocumentation
 */
import { Rng } from '@lab/tensor';
import { ImputerState, NoisyLinearImputer } from '@lab/faithfulness-metrics';

/** One timed imputation setting. */
export interface RoadBenchRow {
  removedShare: number;
  /** Median ms of a fill from scratch. */
  coldMs: number;
  /** Median ms per fill when each fill warm-starts from the previous, slightly smaller mask. */
  warmMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Times ROAD imputation on a seeded smooth 224×224×3 image with random masks. */
export function benchRoad(rng: Rng, options: { size: number; runs: number; shares: number[] }): RoadBenchRow[] {
  const { size, runs } = options;
  const dims = { height: size, width: size, channels: 3 };
  const base = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) base[(y * size + x) * 3 + c] = 0.5 + 0.4 * Math.sin((x + 7 * c) / 17) * Math.cos(y / 23);
    }
  }
  // One random pixel order: the first k pixels are removed for a share k / (size²), so masks nest.
  const order = rng.permutation(size * size);
  const maskFor = (share: number): Uint8Array => {
    const m = new Uint8Array(size * size);
    const k = Math.round(share * size * size);
    for (let i = 0; i < k; i++) m[order[i]] = 1;
    return m;
  };
  const imputer = new NoisyLinearImputer();
  return options.shares.map((share) => {
    const mask = maskFor(share);
    const cold: number[] = [];
    imputer.fill(base.slice(), mask, dims, new Rng(-1)); // untimed: JIT warm-up of the solver
    for (let r = 0; r < runs; r++) {
      const img = base.slice();
      const t0 = performance.now();
      imputer.fill(img, mask, dims, new Rng(r));
      cold.push(performance.now() - t0);
    }
    // Warm: a short curve of masks growing to `share`, each fill reusing the previous solution.
    const state = new ImputerState();
    const warm: number[] = [];
    const steps = [share - 0.04, share - 0.03, share - 0.02, share - 0.01, share].filter((s) => s > 0);
    for (const [i, s] of steps.entries()) {
      const img = base.slice();
      const t0 = performance.now();
      imputer.fill(img, maskFor(s), dims, new Rng(i), state);
      if (i > 0) warm.push(performance.now() - t0);
    }
    return { removedShare: share, coldMs: median(cold), warmMs: median(warm) };
  });
}
