/**
 * Groups of the real NTIRE 2022 IMDN of `@lab/sr-models` (built by another package; imported by
 * name at run time so this package does not depend on it; skipped with the reason when absent).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Rng, type Module } from '@lab/tensor';
import { describeBackends, maxRelError } from '../../../tensor/test/helpers';
import { buildDependencyGraph } from '../../src/graph/build-dependency-graph';
import { prune } from '../../src/pruners/prune';
import { everyKth, zeroRemoved } from '../fixtures/mask';
import { randomInput, randomize } from '../fixtures/models';

type ImdnCtor = new (options?: { rng?: Rng }) => Module<[tf.Tensor], tf.Tensor>;
const specifier = '@lab/sr-models';
let Imdn: ImdnCtor | undefined;
let missing = '';
try {
  Imdn = ((await import(/* @vite-ignore */ specifier)) as { ImdnNtire2022?: ImdnCtor }).ImdnNtire2022;
  if (!Imdn) missing = '@lab/sr-models does not export ImdnNtire2022';
} catch (e) {
  missing = `@lab/sr-models is not available (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
}

describeBackends(
  'buildDependencyGraph (IMDN NTIRE 2022)',
  () => {
    it('finds the 64-channel trunk, eight prunable conv4 groups, and fixes every split distillation output', async () => {
      const model = new (Imdn as ImdnCtor)({ rng: new Rng(1) });
      const graph = await buildDependencyGraph(model, [4, 4, 3]);
      const byRoot = new Map(graph.groups.map((g) => [g.root, g]));
      const trunk = byRoot.get('model.0');
      expect([trunk?.width, trunk?.prunable]).toEqual([64, 64]);
      const producers = trunk?.members.filter((m) => m.role === 'out').map((m) => m.layer);
      expect(producers).toEqual(['model.0', ...Array.from({ length: 8 }, (_, b) => `model.1.sub.${b}.conv1x1`), 'model.1.sub.8']);
      for (let b = 0; b < 8; b++) {
        const c4 = byRoot.get(`model.1.sub.${b}.conv4`);
        expect([c4?.width, c4?.prunable]).toEqual([16, 16]);
        expect(c4?.members.find((m) => m.layer === `model.1.sub.${b}.conv1x1`)?.channels[0]).toEqual([48]); // last quarter of the concat
        for (const c of ['conv1', 'conv2', 'conv3']) {
          const g = byRoot.get(`model.1.sub.${b}.${c}.0`);
          expect([g?.width, g?.prunable]).toEqual([64, 0]);
          expect(g?.fixed[0]).toMatch(/split of the channel axis into fixed sizes/);
        }
      }
      const up = byRoot.get('model.2');
      expect([up?.width, up?.prunable]).toEqual([3, 0]); // 48 channels, pixel shuffle ×4 → 3 output channels
      expect(graph.groups.length).toBe(1 + 8 * 4 + 1);
      model.dispose();
    });

    it('prunes the trunk and the conv4 groups to the outputs of the zeroed model', async () => {
      const model = new (Imdn as ImdnCtor)({ rng: new Rng(2) });
      randomize(model, 3);
      const graph = await buildDependencyGraph(model, [4, 4, 3]);
      const removed = everyKth(graph, 4);
      const small = prune(model, { graph, removed });
      zeroRemoved(graph, removed);
      const x = randomInput([1, 4, 4, 3], 4);
      const [a, b] = [small, model].map((m) => tf.tidy(() => (m.call(x) as tf.Tensor).dataSync().slice()));
      expect(maxRelError(a, b)).toBeLessThan(1e-4);
      expect(small.numParameters()).toBeLessThan(model.numParameters());
      x.dispose();
      [model, small].forEach((m) => m.dispose());
    });
  },
  missing ? { skip: { cpu: missing, wasm: missing } } : {},
);
