import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeBackends, expectTensorDelta, maxRelError } from '../../../tensor/test/helpers';
import { scoreGroups } from '../../src/criteria/score-groups';
import { taylorImportance } from '../../src/criteria/taylor-importance';
import { expectScores, handGraph } from '../fixtures/hand-graph';
import { handBatches, meanOutputLoss } from '../fixtures/models';

const EPS = 1e-5; // BatchNorm2d eps: s = γ/√(1 + eps)

describeBackends('taylorImportance', () => {
  it('scores the squared output contribution (v·s·a)² = (1, 36, 49)/(1+eps) in every member for x = (1, 1)', async () => {
    const { model, graph } = await handGraph();
    // a = Wᵀx = (1, −2, 7); contribution of channel c to the output: v_c·γ_c·a_c/√(1+eps) = (1, 6, −7)/√(1+eps).
    // a: Σ_i W_ic·∂L/∂W_ic = Σ_i W_ic·v_c s_c x_i = v_c s_c a_c; BN: γ_c·∂L/∂γ_c = same; b: v_c·∂L/∂v_c = same.
    const data = handBatches([[1, 1]], [1]);
    const expected = [1, 36, 49].map((v) => v / (1 + EPS));
    for (const reduction of ['mean', 'sum', 'max'] as const) {
      const factor = reduction === 'sum' ? 3 : 1;
      expectScores((await scoreGroups(graph, taylorImportance({ reduction }), { data, loss: meanOutputLoss }))[0], expected.map((v) => v * factor), 4);
    }
    tf.dispose(data.flatMap((b) => [b.x, b.y]));
    model.dispose();
  });

  it('does not depend on how the samples are batched (batch sizes 4, 2+2, 1+1+1+1)', async () => {
    const { model, graph } = await handGraph();
    const xs = [[1, 0.5], [-2, 1], [0.3, -0.7], [1.5, 2]];
    const results = [];
    for (const sizes of [[4], [2, 2], [1, 1, 1, 1]]) {
      const data = handBatches(xs, sizes);
      results.push((await scoreGroups(graph, taylorImportance(), { data, loss: meanOutputLoss }))[0] as Float32Array);
      tf.dispose(data.flatMap((b) => [b.x, b.y]));
    }
    expect(maxRelError(results[1], results[0])).toBeLessThan(1e-5);
    expect(maxRelError(results[2], results[0])).toBeLessThan(1e-5);
    model.dispose();
  });

  it('leaves numTensors unchanged and the training flags as they were', async () => {
    const { model, graph } = await handGraph();
    model.train();
    const data = handBatches([[1, 1], [2, 0]], [2]);
    await expectTensorDelta(() => scoreGroups(graph, taylorImportance(), { data, loss: meanOutputLoss }), 0);
    expect(model.bn.training).toBe(true);
    tf.dispose(data.flatMap((b) => [b.x, b.y]));
    model.dispose();
  });

  it('needs data and a loss', async () => {
    const { model, graph } = await handGraph();
    await expect(scoreGroups(graph, taylorImportance())).rejects.toThrow(/criterion 'taylor' needs gradients: pass data and loss/);
    model.dispose();
  });
});
