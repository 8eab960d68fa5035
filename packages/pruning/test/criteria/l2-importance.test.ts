import { expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { l2Importance } from '../../src/criteria/l2-importance';
import { scoreGroups } from '../../src/criteria/score-groups';
import { expectScores, handGraph } from '../fixtures/hand-graph';

describeBackends('l2Importance', () => {
  it('scores ‖w‖₂ per member: a filters (1, 2, 5), BN γ (0.5, 3, 1), b inputs (2, 1, 1)', async () => {
    const { model, graph } = await handGraph();
    // ‖(1,0)‖ = 1, ‖(0,−2)‖ = 2, ‖(3,4)‖ = 5.
    expectScores((await scoreGroups(graph, l2Importance({ roles: ['out'], reduction: 'max' })))[0], [1, 3, 5]);
    expectScores((await scoreGroups(graph, l2Importance()))[0], [3.5 / 3, 6 / 3, 7 / 3]);
    expectScores((await scoreGroups(graph, l2Importance({ reduction: 'sum' })))[0], [3.5, 6, 7]);
    model.dispose();
  });

  it('scores the consumer side alone with roles [in]: |v| = (2, 1, 1)', async () => {
    const { model, graph } = await handGraph();
    const l2 = (await scoreGroups(graph, l2Importance({ roles: ['in'] })))[0];
    expectScores(l2, [2, 1, 1]);
    model.dispose();
  });

  it('leaves numTensors unchanged and rejects bad options', async () => {
    const { model, graph } = await handGraph();
    await expectTensorDelta(() => scoreGroups(graph, l2Importance()), 0);
    expect(() => l2Importance({ reduction: 1 as never })).toThrow(InvalidValueError);
    model.dispose();
  });
});
