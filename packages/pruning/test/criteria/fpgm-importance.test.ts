import { expect, it } from 'vitest';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { fpgmImportance } from '../../src/criteria/fpgm-importance';
import { scoreGroups } from '../../src/criteria/score-groups';
import { expectScores, handGraph } from '../fixtures/hand-graph';

describeBackends('fpgmImportance', () => {
  it('scores the summed distance to the other filters: (3√5, 4√5, 5√5) for filters (1,0), (0,−2), (3,4)', async () => {
    const { model, graph } = await handGraph();
    // ‖c0−c1‖ = √5, ‖c0−c2‖ = √20 = 2√5, ‖c1−c2‖ = √45 = 3√5.
    const r5 = Math.sqrt(5);
    expectScores((await scoreGroups(graph, fpgmImportance({ roles: ['out'] })))[0], [3 * r5, 4 * r5, 5 * r5]);
    // b inputs (2, 1, −1): distances 1, 3, 2 → (4, 3, 5); the mean over a and b.
    expectScores((await scoreGroups(graph, fpgmImportance()))[0], [(3 * r5 + 4) / 2, (4 * r5 + 3) / 2, (5 * r5 + 5) / 2]);
    model.dispose();
  });

  it('gives the channel at the geometric median the lowest score', async () => {
    const { model, graph } = await handGraph();
    const s = (await scoreGroups(graph, fpgmImportance({ roles: ['in'] })))[0] as Float32Array;
    expect(Array.from(s)).toEqual([4, 3, 5]); // 1 lies between −1 and 2
    model.dispose();
  });

  it('leaves numTensors unchanged and rejects unknown options', async () => {
    const { model, graph } = await handGraph();
    await expectTensorDelta(() => scoreGroups(graph, fpgmImportance()), 0);
    expect(() => fpgmImportance({ distance: 'l1' } as never)).toThrow(/unknown option 'distance'/);
    model.dispose();
  });
});
