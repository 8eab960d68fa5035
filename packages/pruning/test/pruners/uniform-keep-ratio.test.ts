import { expect, it } from 'vitest';
import { Rng, resnetCifar } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { buildDependencyGraph } from '../../src/graph/build-dependency-graph';
import { planPruning } from '../../src/pruners/plan-pruning';
import { uniformKeepRatio } from '../../src/pruners/uniform-keep-ratio';

describeBackends('uniformKeepRatio', () => {
  it('finds the largest shared ratio within half the MACs of ResNet-20 (B), near √0.5 since most convs lose both sides', async () => {
    const model = resnetCifar(20, { shortcut: 'B', rng: new Rng(1) });
    const graph = await buildDependencyGraph(model, [8, 8, 3]);
    const r = await expectTensorDelta(() => uniformKeepRatio(graph, { budget: { macs: 0.5 } }), 0);
    expect(r.macsRatio).toBeLessThanOrEqual(0.5);
    expect(graph.cost(r.removed)).toEqual(r.cost);
    expect(Math.abs(r.keepRatio - Math.SQRT1_2)).toBeLessThan(0.05);
    // One more channel per group would break the budget: keep 1/16 more of every group.
    const scores = graph.groups.map((g) => Float32Array.from({ length: g.width }, (_, k) => g.width - k));
    const more = planPruning(graph, { keepRatio: Math.min(1, r.keepRatio + 1 / 16), scores });
    expect(graph.cost(more.removed).macs / graph.baseline.macs).toBeGreaterThan(0.5);
    model.dispose();
  });

  it('throws when even removing every prunable channel misses the budget', async () => {
    const model = resnetCifar(20, { rng: new Rng(1) });
    const graph = await buildDependencyGraph(model, [8, 8, 3]);
    expect(() => uniformKeepRatio(graph, { budget: { params: 0.001 } })).toThrow(/cannot be met even with every prunable channel removed/);
    expect(() => uniformKeepRatio(graph, { budget: { macs: 0.5 }, ratio: 1 } as never)).toThrow(/unknown option 'ratio'/);
    model.dispose();
  });
});
