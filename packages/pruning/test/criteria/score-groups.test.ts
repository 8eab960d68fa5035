import { expect, it } from 'vitest';
import { describeBackends } from '../../../tensor/test/helpers';
import type { ImportanceCriterion } from '../../src/criteria/importance-criterion';
import { l1Importance } from '../../src/criteria/l1-importance';
import { scoreGroups } from '../../src/criteria/score-groups';
import { handGraph } from '../fixtures/hand-graph';

describeBackends('scoreGroups', () => {
  it('returns one score array per group, in group order', async () => {
    const { model, graph } = await handGraph();
    const scores = await scoreGroups(graph, l1Importance());
    expect(scores.map((s) => s?.length)).toEqual(graph.groups.map((g) => g.width));
    model.dispose();
  });

  it('rejects a criterion that returns the wrong number of scores, unknown options and a disposed model', async () => {
    const { model, graph } = await handGraph();
    const bad: ImportanceCriterion = { name: 'bad', needs: 'weights', score: () => new Float32Array(1) };
    await expect(scoreGroups(graph, bad)).rejects.toThrow(/criterion 'bad' must return 3 scores for group 0, got 1/);
    await expect(scoreGroups(graph, l1Importance(), { batchSize: 2 } as never)).rejects.toThrow(/unknown option 'batchSize'/);
    await expect(scoreGroups(graph, {} as never)).rejects.toThrow(/criterion must be an ImportanceCriterion/);
    model.dispose();
    await expect(scoreGroups(graph, l1Importance())).rejects.toThrow(/model must not be disposed/);
  });
});
