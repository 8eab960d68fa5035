/**
 * Issue #6: the NTIRE 2022 IMDN baseline of `@lab/sr-models`, pruned with the L1 criterion at a
 * uniform keep ratio of 0.75, saved, and loaded into a fresh model. Uses the official
 * `imdn_baseline.pth` from the shared data when present, seeded random weights otherwise
 * (`@lab/sr-models` is imported by name at run time so this package does not depend on it).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Rng, profile, type Module } from '@lab/tensor';
import { describeBackends, expectTensorDelta, sharedDataDir } from '../../../tensor/test/helpers';
import { l1Importance } from '../../src/criteria/l1-importance';
import { scoreGroups } from '../../src/criteria/score-groups';
import { buildDependencyGraph } from '../../src/graph/build-dependency-graph';
import { loadPruned, readPruningRecord } from '../../src/io/load-pruned';
import { createPruningRecord } from '../../src/io/pruning-record';
import { savePruned } from '../../src/io/save-pruned';
import { planPruning } from '../../src/pruners/plan-pruning';
import { prune } from '../../src/pruners/prune';
import { randomInput, randomize } from '../fixtures/models';

type ImdnCtor = new (options?: { rng?: Rng }) => Module<[tf.Tensor], tf.Tensor>;
type LoadWeights = (model: Module<any, any>, bytes: Uint8Array) => void;
const specifier = '@lab/sr-models';
let Imdn: ImdnCtor | undefined;
let loadOfficialWeights: LoadWeights | undefined;
let missing = '';
try {
  const sr = (await import(/* @vite-ignore */ specifier)) as { ImdnNtire2022?: ImdnCtor; loadOfficialWeights?: LoadWeights };
  Imdn = sr.ImdnNtire2022;
  loadOfficialWeights = sr.loadOfficialWeights;
  if (!Imdn || !loadOfficialWeights) missing = '@lab/sr-models does not export ImdnNtire2022 and loadOfficialWeights';
} catch (e) {
  missing = `@lab/sr-models is not available (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
}
const dataDir = sharedDataDir();
const weightsFile = dataDir ? path.join(dataDir, 'weights', 'ntire2022', 'imdn_baseline.pth') : undefined;
const official = weightsFile !== undefined && existsSync(weightsFile);

/** LR side of the trace and of the comparison. */
const SIDE = 8;

/**
 * Hand count of the IMDN NTIRE 2022 baseline with trunk width t and conv4 width d (3×3 convs
 * with bias unless noted): head 3→t, per block conv1 t→64, conv2 and conv3 48→64, conv4 48→d,
 * conv1x1 (48+d)→t (1×1), then the body conv t→t and the upsampler t→48.
 */
function imdnParams(t: number, d: number): number {
  const conv = (cin: number, cout: number, k = 3) => k * k * cin * cout + cout;
  const block = conv(t, 64) + 2 * conv(48, 64) + conv(48, d) + conv(48 + d, t, 1);
  return conv(3, t) + 8 * block + conv(t, t) + conv(t, 48);
}

/** Multiply-accumulates per LR pixel of the same network (biases excluded). */
function imdnMacsPerPixel(t: number, d: number): number {
  const conv = (cin: number, cout: number, k = 3) => k * k * cin * cout;
  const block = conv(t, 64) + 2 * conv(48, 64) + conv(48, d) + conv(48 + d, t, 1);
  return conv(3, t) + 8 * block + conv(t, t) + conv(t, 48);
}

describeBackends(
  `IMDN NTIRE 2022 pruned by L1 at keep ratio 0.75 (${official ? 'official imdn_baseline.pth' : 'random weights: shared data absent'})`,
  () => {
    it('keeps 48 of 64 trunk channels and 12 of 16 in every conv4, with the hand-counted 772,992 parameters', async () => {
      const model = new (Imdn as ImdnCtor)({ rng: new Rng(1) });
      if (official) loadOfficialWeights!(model, new Uint8Array(await readFile(weightsFile!)));
      else randomize(model, 2);
      const graph = await buildDependencyGraph(model, [SIDE, SIDE, 3]);
      const plan = planPruning(graph, { keepRatio: 0.75, scores: await scoreGroups(graph, l1Importance()) });
      const record = createPruningRecord(plan, { baseModel: 'imdn-ntire2022', notes: { criterion: 'l1', keepRatio: 0.75 } });
      const byRoot = new Map(record.groups.map((g) => [g.root, g]));
      expect(byRoot.get('model.0')?.kept.length).toBe(48); // round(0.75 · 64)
      for (let b = 0; b < 8; b++) {
        expect(byRoot.get(`model.1.sub.${b}.conv4`)?.kept.length).toBe(12); // round(0.75 · 16)
        expect(byRoot.get(`model.1.sub.${b}.conv1.0`)?.kept.length).toBe(64); // split sizes are fixed
      }
      expect(imdnParams(64, 16)).toBe(893936); // the unpruned count of the sr-models docs
      expect(record.baseCost.params).toBe(imdnParams(64, 16));
      expect(record.prunedCost.params).toBe(imdnParams(48, 12));
      expect(imdnParams(48, 12)).toBe(772992);
      expect(record.prunedCost.macs).toBe(imdnMacsPerPixel(48, 12) * SIDE * SIDE);
      expect(record.baseCost.macs).toBe(imdnMacsPerPixel(64, 16) * SIDE * SIDE);

      const small = prune(model, plan);
      expect(small.numParameters()).toBe(772992);
      const p = await profile(small, [SIDE, SIDE, 3], { trueMacs: true, memory: false });
      expect([p.params, p.macs]).toEqual([772992, imdnMacsPerPixel(48, 12) * SIDE * SIDE]);
      [model, small].forEach((m) => m.dispose());
    });

    it('saves to a file and loads into a fresh IMDN with bit-identical outputs, leaking nothing', async () => {
      const model = new (Imdn as ImdnCtor)({ rng: new Rng(3) });
      if (official) loadOfficialWeights!(model, new Uint8Array(await readFile(weightsFile!)));
      else randomize(model, 4);
      model.eval();
      const graph = await buildDependencyGraph(model, [SIDE, SIDE, 3]);
      const plan = planPruning(graph, { keepRatio: 0.75, scores: await scoreGroups(graph, l1Importance()) });
      const small = prune(model, plan).eval();
      const record = createPruningRecord(plan, { baseModel: 'imdn-ntire2022' });
      const dir = await mkdtemp(path.join(os.tmpdir(), 'lab-pruned-imdn-'));
      const file = path.join(dir, 'imdn-pruned.safetensors');
      try {
        await writeFile(file, await expectTensorDelta(() => savePruned(small, record)));
        const bytes = new Uint8Array(await readFile(file));
        expect(readPruningRecord(bytes).baseModel).toBe('imdn-ntire2022');
        const fresh = new (Imdn as ImdnCtor)({ rng: new Rng(99) });
        const loaded = await expectTensorDelta(() => loadPruned(fresh, bytes), small.namedParameters().length + small.namedBuffers().length);
        fresh.dispose();
        loaded.model.eval();
        const x = tf.tidy(() => tf.add(tf.mul(randomInput([1, SIDE, SIDE, 3], 5), 0.5), 0.5)); // [0, 1) LR image
        const [a, b] = [small, loaded.model].map((m) => tf.tidy(() => m.call(x).dataSync().slice()));
        expect(a.length).toBe(SIDE * 4 * SIDE * 4 * 3);
        expect(b).toEqual(a);
        x.dispose();
        loaded.model.dispose();
      } finally {
        await rm(dir, { recursive: true, force: true });
        [model, small].forEach((m) => m.dispose());
      }
    });
  },
  missing ? { skip: { cpu: missing, wasm: missing } } : {},
);
