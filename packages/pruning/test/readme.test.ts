import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend, profile, resnetCifar } from '@lab/tensor';
import { buildDependencyGraph, l1Importance, prune, scoreGroups, uniformKeepRatio } from '../src/index';

describe('README quick start', () => {
  it('runs as written: 28 prunable groups, at most half the MACs, the profiler agreeing', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const model = resnetCifar(56);
    const graph = await buildDependencyGraph(model, [32, 32, 3]);
    const scores = await scoreGroups(graph, l1Importance());
    const { removed, macsRatio } = uniformKeepRatio(graph, { budget: { macs: 0.5 }, scores });
    const small = prune(model, { graph, removed });
    expect(graph.groups.filter((g) => g.prunable > 0).length).toBe(28); // 27 blocks + the padded-shortcut trunk
    expect(macsRatio).toBeLessThanOrEqual(0.5);
    const p = await profile(small, [32, 32, 3]);
    expect(p.macs).toBe(graph.cost(removed).macs);
    expect((p.macs as number) / 125_485_696).toBe(macsRatio);
    [model, small].forEach((m) => m.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });
});
