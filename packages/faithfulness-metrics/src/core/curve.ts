/**
 * The perturbation-curve engine: for each sample and step, remove a prefix of the sample's pixel
 * ordering, impute it, and read the model's class score. Deletion, insertion, pixel flipping,
 * region perturbation, ROAD and IROF are all instances.
 * @packageDocumentation
 */
import type { AttributionModel } from '@lab/attribution';
import { ImputerState, type Imputer } from '../imputation/imputer';
import { scoreUnits, type UnitScores } from './evaluate';
import type { Prepared } from './prepare';
import { rngFor, STREAM } from './seeds';

/** One curve job over every sample of `prep`. */
export interface CurveSpec {
  readonly steps: number;
  /** The pixel ordering of sample `i` (removal starts at its front). */
  order(i: number): Int32Array;
  /** End (exclusive) of the removed range of the ordering at step `j` of sample `i`. */
  removedCount(i: number, j: number): number;
  /** Start of the removed range. @defaultValue 0 (a prefix) */
  removedFrom?(i: number, j: number): number;
  readonly imputer: Imputer;
  readonly softmax?: boolean;
}

/** Evaluates every (sample, step) unit; `scores[i·steps + j]`. */
export async function removalCurves(fn: string, model: AttributionModel, prep: Prepared, spec: CurveSpec): Promise<UnitScores> {
  const { images, size, dims, classes, seed, maps } = prep;
  const removed = new Uint8Array(maps.pixels);
  let state = new ImputerState();
  let order: Int32Array = new Int32Array(0);
  return scoreUnits({
    fn,
    model,
    dims,
    count: prep.count * spec.steps,
    batchSize: prep.batchSize,
    softmax: spec.softmax,
    workers: prep.workers,
    classOf: (k) => classes[Math.floor(k / spec.steps)],
    fill: (k, out) => {
      const i = Math.floor(k / spec.steps);
      const j = k % spec.steps;
      if (j === 0) {
        state = new ImputerState();
        order = spec.order(i);
      }
      out.set(images.subarray(i * size, (i + 1) * size));
      const n = spec.removedCount(i, j);
      const from = spec.removedFrom ? spec.removedFrom(i, j) : 0;
      if (n <= from) return;
      removed.fill(0);
      for (let t = from; t < n; t++) removed[order[t]] = 1;
      spec.imputer.fill(out, removed, dims, rngFor(seed, STREAM.noise, i, j), state);
    },
  });
}

/** Splits unit scores into per-sample curves. */
export function perSample(scores: ArrayLike<number>, count: number, steps: number): number[][] {
  return Array.from({ length: count }, (_, i) => Array.from({ length: steps }, (_, j) => scores[i * steps + j]));
}

/** The mean curve over samples. */
export function meanCurve(curves: readonly (readonly number[])[]): number[] {
  const steps = curves[0]?.length ?? 0;
  return Array.from({ length: steps }, (_, j) => curves.reduce((s, c) => s + c[j], 0) / curves.length);
}
