import { expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { l1Importance } from '../../src/criteria/l1-importance';
import { scoreGroups } from '../../src/criteria/score-groups';
import { expectScores, handGraph } from '../fixtures/hand-graph';

describeBackends('l1Importance', () => {
  it('scores Σ|w| per member: a filters (1, 2, 7), BN γ (0.5, 3, 1), b inputs (2, 1, 1), combined by mean, sum and max', async () => {
    const { model, graph } = await handGraph();
    // |(1,0)|₁ = 1, |(0,−2)|₁ = 2, |(3,4)|₁ = 7; |γ| = (0.5, 3, 1); |v| = (2, 1, 1).
    expectScores((await scoreGroups(graph, l1Importance()))[0], [3.5 / 3, 6 / 3, 9 / 3]);
    expectScores((await scoreGroups(graph, l1Importance({ reduction: 'sum' })))[0], [3.5, 6, 9]);
    expectScores((await scoreGroups(graph, l1Importance({ reduction: 'max' })))[0], [2, 3, 7]);
    expectScores((await scoreGroups(graph, l1Importance({ roles: ['out'], reduction: 'sum' })))[0], [1.5, 5, 8]);
    expectScores((await scoreGroups(graph, l1Importance({ roles: ['in'] })))[0], [2, 1, 1]);
    model.dispose();
  });

  it('leaves numTensors unchanged', async () => {
    const { model, graph } = await handGraph();
    await expectTensorDelta(() => scoreGroups(graph, l1Importance()), 0);
    model.dispose();
  });

  it('rejects unknown and bad options', () => {
    expect(() => l1Importance({ p: 1 } as never)).toThrow(/unknown option 'p'/);
    expect(() => l1Importance({ reduction: 'median' as never })).toThrow(InvalidValueError);
    expect(() => l1Importance({ roles: [] })).toThrow(/roles must be a non-empty array/);
  });
});
