import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { hessianImportance } from '../../src/criteria/hessian-importance';
import { scoreGroups } from '../../src/criteria/score-groups';
import { expectScores, handGraph } from '../fixtures/hand-graph';
import { handBatches, meanOutputLoss } from '../fixtures/models';

const EPS = 1e-5;

describeBackends('hessianImportance', () => {
  it('scores ½ΣE[g²]w²: a (0.5, 18, 12.5), BN and b (0.5, 18, 24.5) for x = (1, 1)', async () => {
    const { model, graph } = await handGraph();
    // a: ½ (v_c s_c)² ‖W_c‖² = ½·1·1, ½·9·4, ½·1·25; BN, b: ½ (v_c s_c a_c)² = ½·(1, 36, 49); s² = γ²/(1+eps).
    const data = handBatches([[1, 1]], [1]);
    const f = 1 / (1 + EPS);
    expectScores((await scoreGroups(graph, hessianImportance({ roles: ['in'] }), { data, loss: meanOutputLoss }))[0], [0.5, 18, 24.5].map((v) => v * f), 4);
    expectScores((await scoreGroups(graph, hessianImportance(), { data, loss: meanOutputLoss }))[0], [0.5, 18, (12.5 + 24.5 + 24.5) / 3].map((v) => v * f), 4);
    tf.dispose(data.flatMap((b) => [b.x, b.y]));
    model.dispose();
  });

  it('averages squared per-sample gradients over the first maxSamples samples', async () => {
    const { model, graph } = await handGraph();
    const both = handBatches([[1, 1], [3, -1]], [2]);
    const first = handBatches([[1, 1]], [1]);
    const a = (await scoreGroups(graph, hessianImportance(), { data: both, loss: meanOutputLoss, maxSamples: 1 }))[0];
    const b = (await scoreGroups(graph, hessianImportance(), { data: first, loss: meanOutputLoss }))[0];
    expect(Array.from(a as Float32Array)).toEqual(Array.from(b as Float32Array));
    const c = (await scoreGroups(graph, hessianImportance(), { data: both, loss: meanOutputLoss }))[0] as Float32Array;
    expect(c[0]).not.toBeCloseTo((b as Float32Array)[0], 3); // the second sample (a = (3, 2, 5)) counts
    tf.dispose([...both, ...first].flatMap((x) => [x.x, x.y]));
    model.dispose();
  });

  it('leaves numTensors unchanged and rejects a bad maxSamples', async () => {
    const { model, graph } = await handGraph();
    const data = handBatches([[1, 1], [2, 0]], [2]);
    await expectTensorDelta(() => scoreGroups(graph, hessianImportance(), { data, loss: meanOutputLoss }), 0);
    await expect(scoreGroups(graph, hessianImportance(), { data, loss: meanOutputLoss, maxSamples: 0 })).rejects.toThrow(/maxSamples must be a positive integer/);
    tf.dispose(data.flatMap((b) => [b.x, b.y]));
    model.dispose();
  });
});
