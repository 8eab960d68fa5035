import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, UnknownNameError } from '@lab/tensor';
import { asymmetricLoss } from '../../src/losses/multi-label/asymmetric-loss';
import { binaryCrossEntropy } from '../../src/losses/multi-label/binary-cross-entropy';
import { classBalancedFocalLoss } from '../../src/losses/multi-label/class-balanced-focal-loss';
import { interWeightedBce } from '../../src/losses/multi-label/inter-weighted-bce';
import { intraWeightedBce } from '../../src/losses/multi-label/intra-weighted-bce';
import { multiTaskUncertaintyLoss } from '../../src/losses/multi-label/multi-task-uncertainty-loss';
import { sigmoidFocalLoss } from '../../src/losses/multi-label/sigmoid-focal-loss';
import { createMultiLabelLoss, multiLabelLosses, type MultiLabelLossName } from '../../src/losses/registry';
import { describeBackends, expectTensorDelta, randomLogits, take } from '../fixtures/helpers';

const COUNTS = { positives: [2, 7, 1], negatives: [8, 3, 9] };

describeBackends('createMultiLabelLoss', () => {
  it('builds every registered loss, equal to its function with the same counts', async () => {
    const x = randomLogits(4, 3, 71);
    const y = tf.tensor2d([[1, 0, 0], [0, 1, 1], [0, 1, 0], [1, 1, 0]]);
    const s = tf.zeros([3]);
    const direct: Record<MultiLabelLossName, () => tf.Scalar> = {
      bce: () => binaryCrossEntropy(x, y),
      'intra-weighted-bce': () => intraWeightedBce(x, y, { counts: COUNTS }),
      'inter-weighted-bce': () => interWeightedBce(x, y, { counts: COUNTS }),
      focal: () => sigmoidFocalLoss(x, y),
      'class-balanced-focal': () => classBalancedFocalLoss(x, y, { counts: COUNTS }),
      'multi-task': () => multiTaskUncertaintyLoss(x, y, s),
      asymmetric: () => asymmetricLoss(x, y),
    };
    expect(Object.keys(multiLabelLosses).sort()).toEqual(Object.keys(direct).sort());
    for (const name of Object.keys(direct) as MultiLabelLossName[]) {
      const loss = createMultiLabelLoss(name, COUNTS);
      expect(loss.name).toBe(name);
      expect(await take(loss.compute(x, y)), name).toBeCloseTo(await take(direct[name]()), 5);
      expect(loss.variables.length, name).toBe(name === 'multi-task' ? 1 : 0);
      loss.dispose();
    }
    tf.dispose([x, y, s]);
  });

  it('allocates nothing for a stateless loss and one variable for multi-task, freed by dispose', async () => {
    const focal = await expectTensorDelta(() => createMultiLabelLoss('focal', COUNTS, { gamma: 1 }), 0);
    focal.dispose();
    const mt = await expectTensorDelta(() => createMultiLabelLoss('multi-task', COUNTS), 1);
    await expectTensorDelta(() => mt.dispose(), -1);
  });

  it('rejects an unknown name listing the valid ones, and bad options at creation', () => {
    expect(() => createMultiLabelLoss('ldam' as never, COUNTS)).toThrow(UnknownNameError);
    expect(() => createMultiLabelLoss('ldam' as never, COUNTS)).toThrow(/valid: asymmetric, bce, class-balanced-focal/);
    expect(() => createMultiLabelLoss('focal', COUNTS, { gama: 2 } as never)).toThrow(/unknown option 'gama'/);
    expect(() => createMultiLabelLoss('asymmetric', COUNTS, { clip: 2 })).toThrow(InvalidValueError);
    expect(() => createMultiLabelLoss('bce', undefined as never)).toThrow(/counts/);
  });
});
