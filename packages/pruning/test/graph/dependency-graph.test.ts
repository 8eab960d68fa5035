import { expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { describeBackends } from '../../../tensor/test/helpers';
import { buildDependencyGraph } from '../../src/graph/build-dependency-graph';
import { TinyResNet, TwoBranchConcatNet } from '../fixtures/models';

describeBackends('DependencyGraph', () => {
  it('lists the kept channels of every layer, removing each group channel once from every member', async () => {
    const model = new TinyResNet();
    const graph = await buildDependencyGraph(model, [4, 4, 3]);
    const kept = graph.keptChannels([[1, 6], [0], []]);
    const all = [0, 1, 2, 3, 4, 5, 6, 7];
    const stem = graph.groups[0];
    const lost = [1, 6].map((k) => stem.members[0].channels[k][0]);
    const stemKept = all.filter((c) => !lost.includes(c));
    expect(kept.get('stem')).toEqual({ in: [0, 1, 2], out: stemKept });
    expect(kept.get('conv2')?.out).toEqual(stemKept); // residual: conv2 loses the stem's channels
    expect(kept.get('conv1')?.in).toEqual(stemKept);
    expect(kept.get('fc')).toEqual({ in: stemKept, out: [0, 1, 2, 3] });
    expect(kept.get('bn1')?.out).toEqual(all.filter((c) => c !== graph.groups[1].members[0].channels[0][0]));
    model.dispose();
  });

  it('enforces minChannels per layer side and names the layer', async () => {
    const model = new TinyResNet();
    const graph = await buildDependencyGraph(model, [4, 4, 3]);
    expect(() => graph.keptChannels([[0, 1, 2, 3, 4, 5], [], []], 3)).toThrow(/layer 'stem' would keep 2 of its 8 output channels, fewer than minChannels=3/);
    expect(graph.keptChannels([[0, 1, 2, 3, 4], [], []], 3).get('stem')?.out.length).toBe(3);
    model.dispose();
  });

  it('finds the groups of each side of a layer, and every known layer by name', async () => {
    const model = new TwoBranchConcatNet();
    const graph = await buildDependencyGraph(model, [3, 3, 3]);
    expect(graph.groupsOf('c', 'in').map((g) => g.root)).toEqual(['a', 'b']);
    expect(graph.groupsOf('c').map((g) => g.root)).toEqual(['c']);
    expect(graph.layer('bn').outChannels).toBe(10);
    expect(() => graph.layer('relu')).toThrow(InvalidValueError);
    expect(() => graph.layer('relu')).toThrow(/'relu' is not a known layer/);
    model.dispose();
  });

  it('describes each group as its members joined by ⇒', async () => {
    const model = new TwoBranchConcatNet();
    const graph = await buildDependencyGraph(model, [3, 3, 3]);
    expect(graph.describe().split('\n')).toEqual([
      'group 0 (4 channels): a [out] ⇒ bn [out] ⇒ c [in]',
      'group 1 (6 channels): b [out] ⇒ bn [out] ⇒ c [in]',
      'group 2 (5 channels, 5 fixed): c [out]',
    ]);
    model.dispose();
  });

  it('returns the baseline for no selection and validates a selection', async () => {
    const model = new TinyResNet();
    const graph = await buildDependencyGraph(model, [4, 4, 3]);
    expect(graph.cost()).toEqual(graph.baseline);
    expect(graph.cost([[], [], []])).toEqual(graph.baseline);
    expect(() => graph.cost([[0.5], [], []])).toThrow(/removed\[0\] must hold integers/);
    expect(() => graph.cost('x' as never)).toThrow(/removed must be an array with one entry per group/);
    model.dispose();
  });
});
