import { expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { bnScaleImportance } from '../../src/criteria/bn-scale-importance';
import { scoreGroups } from '../../src/criteria/score-groups';
import { buildDependencyGraph } from '../../src/graph/build-dependency-graph';
import { planPruning } from '../../src/pruners/plan-pruning';
import { FunctionalNet, TinyResNet } from '../fixtures/models';
import * as tf from '@tensorflow/tfjs-core';

describeBackends('planPruning', () => {
  it('keeps the round(ratio·prunable) highest-scored channels of each group, ties going by lower index first', async () => {
    const model = new TinyResNet();
    const graph = await buildDependencyGraph(model, [4, 4, 3]);
    const scores = [Float32Array.of(5, 1, 7, 3, 3, 9, 0, 2), Float32Array.of(1, 1, 1, 1, 1, 1, 1, 1), null];
    const plan = await expectTensorDelta(() => planPruning(graph, { keepRatio: 0.5, scores }), 0);
    expect(plan.removed).toEqual([[1, 3, 6, 7], [0, 1, 2, 3], []]); // scores 1, 3 (index 3 before 4), 0, 2; ties: lowest indices
    expect(plan.unscored).toEqual([]); // the null group (fc outputs) has no prunable channel
    expect(planPruning(graph, { keepRatio: [0.25, 1, 1], scores }).removed).toEqual([[0, 1, 3, 4, 6, 7], [], []]);
    model.dispose();
  });

  it('skips groups without scores and lists them as unscored', async () => {
    const model = new FunctionalNet(8, (h) => tf.relu(h));
    const graph = await buildDependencyGraph(model, [2, 2, 3]);
    const plan = planPruning(graph, { keepRatio: 0.5, scores: await scoreGroups(graph, bnScaleImportance()) });
    expect(plan.removed).toEqual([[], []]);
    expect(plan.unscored).toEqual([0]);
    model.dispose();
  });

  it('never takes a group or a layer side below minChannels', async () => {
    const model = new TinyResNet();
    const graph = await buildDependencyGraph(model, [4, 4, 3]);
    const scores = graph.groups.map((g) => new Float32Array(g.width));
    expect(planPruning(graph, { keepRatio: 0, scores }).removed.map((r) => r.length)).toEqual([7, 7, 0]);
    expect(planPruning(graph, { keepRatio: 0, scores, minChannels: 3 }).removed.map((r) => r.length)).toEqual([5, 5, 0]);
    model.dispose();
  });

  it('rejects bad ratios, scores and options', async () => {
    const model = new TinyResNet();
    const graph = await buildDependencyGraph(model, [4, 4, 3]);
    const scores = graph.groups.map((g) => new Float32Array(g.width));
    expect(() => planPruning(graph, { keepRatio: 1.5, scores })).toThrow(/keepRatio must be in \[0, 1\], got 1.5/);
    expect(() => planPruning(graph, { keepRatio: [0.5], scores })).toThrow(/array of 3 such numbers/);
    expect(() => planPruning(graph, { keepRatio: 0.5, scores: [null] })).toThrow(/scores must hold one entry per group \(3\)/);
    expect(() => planPruning(graph, { keepRatio: 0.5, scores: [new Float32Array(2), null, null] })).toThrow(/scores\[0\] must be null or a Float32Array of 8 scores/);
    expect(() => planPruning(graph, { keepRatio: 0.5, scores, minChannels: 0 })).toThrow(InvalidValueError);
    expect(() => planPruning(graph, { keepRatio: 0.5, scores, ratio: 1 } as never)).toThrow(/unknown option 'ratio'/);
    model.dispose();
  });
});
