import { expect, it } from 'vitest';
import { InvalidValueError, Rng } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { randomImportance } from '../../src/criteria/random-importance';
import { scoreGroups } from '../../src/criteria/score-groups';
import { handGraph } from '../fixtures/hand-graph';

describeBackends('randomImportance', () => {
  it('draws U[0, 1) scores from Rng(seed·7919 + group id), reproducibly', async () => {
    const { model, graph } = await handGraph();
    const a = await scoreGroups(graph, randomImportance({ seed: 3 }));
    expect(Array.from(a[0] as Float32Array)).toEqual(Array.from(new Rng(3 * 7919).uniform(3)));
    expect(Array.from(a[1] as Float32Array)).toEqual(Array.from(new Rng(3 * 7919 + 1).uniform(1)));
    const b = await scoreGroups(graph, randomImportance({ seed: 3 }));
    expect(Array.from(b[0] as Float32Array)).toEqual(Array.from(a[0] as Float32Array));
    const c = await scoreGroups(graph, randomImportance({ seed: 4 }));
    expect(Array.from(c[0] as Float32Array)).not.toEqual(Array.from(a[0] as Float32Array));
    model.dispose();
  });

  it('leaves numTensors unchanged and rejects a bad seed', async () => {
    const { model, graph } = await handGraph();
    await expectTensorDelta(() => scoreGroups(graph, randomImportance()), 0);
    expect(() => randomImportance({ seed: NaN })).toThrow(InvalidValueError);
    expect(() => randomImportance({ seed: 1, rng: 2 } as never)).toThrow(/unknown option 'rng'/);
    model.dispose();
  });
});
