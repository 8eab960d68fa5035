import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { fit, profile, type Module } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { buildDependencyGraph } from '../../src/graph/build-dependency-graph';
import { randomChannelPruning } from '../../src/pruners/random-channel-pruning';
import { TinyResNet, randomInput } from '../fixtures/models';

const variables = (m: Module<any, any>) => m.namedParameters().length + m.namedBuffers().length;

describeBackends('randomChannelPruning', () => {
  it('ranks N candidates after brief training, trains the best fully, and hands back only that model', async () => {
    const model = new TinyResNet();
    const graph = await buildDependencyGraph(model, [6, 6, 3]);
    const calls: string[] = [];
    const before = tf.memory().numTensors;
    const r = await randomChannelPruning(graph, {
      budget: { macs: 0.6 },
      tolerance: 0.1,
      candidates: 4,
      seed: 2,
      train: async (_m, p) => void calls.push(`${p.phase}:${p.candidate}`),
      evaluate: async (m) => m.numParameters(), // a known ranking: the biggest candidate wins
    });
    expect(tf.memory().numTensors - before).toBe(variables(r.model));
    const scores = r.candidates.map((c) => c.score);
    expect(r.best).toBe(scores.indexOf(Math.max(...scores)));
    expect(calls).toEqual(['candidate:0', 'candidate:1', 'candidate:2', 'candidate:3', `final:${r.best}`]);
    expect(r.finalScore).toBe(r.model.numParameters());
    for (const c of r.candidates) expect(c.macsRatio >= 0.5 && c.macsRatio <= 0.6).toBe(true);
    const p = await profile(r.model, [6, 6, 3]);
    expect({ params: p.params, macs: p.macs }).toEqual(r.candidates[r.best].cost);
    expect(r.rejectionRate).toBeGreaterThanOrEqual(0);
    r.model.dispose();
    model.dispose();
  });

  it('fine-tunes real candidates with fit and keeps the original model unchanged', async () => {
    const model = new TinyResNet();
    const graph = await buildDependencyGraph(model, [4, 4, 3]);
    const weights = Array.from(model.conv1.weight.dataSync());
    const x = randomInput([8, 4, 4, 3], 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4);
    const loss = (p: tf.Tensor, t: tf.Tensor) => tf.losses.softmaxCrossEntropy(t, p) as tf.Scalar;
    const r = await randomChannelPruning(graph, {
      budget: { params: 0.7 },
      tolerance: 0.2,
      candidates: 2,
      train: async (m, { phase }) => void (await fit(m, [{ x, y }], { optimizer: tf.train.sgd(0.05), loss, epochs: phase === 'final' ? 2 : 1 })),
      evaluate: async (m) => -tf.tidy(() => loss(m.call(x) as tf.Tensor, y).dataSync()[0]),
    });
    expect(Number.isFinite(r.finalScore)).toBe(true);
    expect(Array.from(model.conv1.weight.dataSync())).toEqual(weights);
    r.model.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });

  it('disposes every candidate when training fails, and rejects bad options', async () => {
    const model = new TinyResNet();
    const graph = await buildDependencyGraph(model, [4, 4, 3]);
    let n = 0;
    const failing = () =>
      randomChannelPruning(graph, {
        budget: { macs: 0.7 },
        tolerance: 0.2,
        candidates: 3,
        train: async () => {
          if (++n === 2) throw new Error('out of patience');
        },
        evaluate: async () => n,
      });
    await expect(expectTensorDelta(failing)).rejects.toThrow(/out of patience/);
    await expect(randomChannelPruning(graph, { budget: { macs: 0.7 }, evaluate: async () => 0 } as never)).rejects.toThrow(/train must be a function/);
    await expect(randomChannelPruning(graph, { budget: { macs: 0.7 }, train: async () => undefined, evaluate: async () => 0, epochs: 3 } as never)).rejects.toThrow(/unknown option 'epochs'/);
    model.dispose();
  });
});
