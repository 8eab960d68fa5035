import { expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { bnScaleImportance } from '../../src/criteria/bn-scale-importance';
import { scoreGroups } from '../../src/criteria/score-groups';
import { expectScores, handGraph } from '../fixtures/hand-graph';

describeBackends('bnScaleImportance', () => {
  it('scores |γ| = (0.5, 3, 1) and cannot score the group without batch norm (null)', async () => {
    const { model, graph } = await handGraph();
    const scores = await scoreGroups(graph, bnScaleImportance());
    expectScores(scores[0], [0.5, 3, 1]);
    expect(scores[1]).toBeNull();
    model.dispose();
  });

  it('leaves numTensors unchanged and rejects unknown options', async () => {
    const { model, graph } = await handGraph();
    await expectTensorDelta(() => scoreGroups(graph, bnScaleImportance()), 0);
    expect(() => bnScaleImportance({ roles: ['out'] } as never)).toThrow(/unknown option 'roles'/);
    expect(() => bnScaleImportance({ reduction: 'min' as never })).toThrow(InvalidValueError);
    model.dispose();
  });
});
