/**
 * The random-subset correlation shared by faithfulness correlation and sensitivity-n.
 * @packageDocumentation
 */
import type { AttributionModel } from '@lab/attribution';
import { scoreUnits } from '../../core/evaluate';
import { mapOf } from '../../core/maps';
import type { Prepared } from '../../core/prepare';
import { rngFor, STREAM } from '../../core/seeds';
import { pearson } from '../../core/stats';
import { ImputerState, type Imputer } from '../../imputation/imputer';

/**
 * For each sample i and each size n_s, draws `samples` random pixel subsets S of size n_s (seeded
 * by i, s and the draw) and returns `pearson(Σ_{p∈S} a_p, f_c(x) − f_c(x_{S←imputer}))` per (i, s).
 */
export async function subsetCorrelations(fn: string, model: AttributionModel, prep: Prepared, sizes: readonly number[], samples: number, imputer: Imputer, softmax: boolean): Promise<number[][]> {
  const { images, size, dims, classes, seed, maps, count } = prep;
  const P = maps.pixels;
  const per = sizes.length * samples;
  const subset = (i: number, s: number, r: number): Int32Array => rngFor(seed, STREAM.subset, i, s, r).choice(P, sizes[s]);
  const removed = new Uint8Array(P);
  const out = await scoreUnits({
    fn,
    model,
    dims,
    count: count * per,
    batchSize: prep.batchSize,
    softmax,
    classOf: (k) => classes[Math.floor(k / per)],
    fill: (k, buf) => {
      const i = Math.floor(k / per);
      const s = Math.floor((k % per) / samples);
      const r = k % samples;
      buf.set(images.subarray(i * size, (i + 1) * size));
      removed.fill(0);
      for (const p of subset(i, s, r)) removed[p] = 1;
      imputer.fill(buf, removed, dims, rngFor(seed, STREAM.noise, i, s, r), new ImputerState());
    },
  });
  return Array.from({ length: count }, (_, i) => {
    const a = mapOf(maps, i);
    return sizes.map((_, s) => {
      const attr = new Float64Array(samples);
      const drop = new Float64Array(samples);
      for (let r = 0; r < samples; r++) {
        let t = 0;
        for (const p of subset(i, s, r)) t += a[p];
        attr[r] = t;
        drop[r] = prep.clean.scores[i] - out.scores[i * per + s * samples + r];
      }
      return pearson(attr, drop);
    });
  });
}
