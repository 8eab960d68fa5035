import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Conv2d, Module, Rng, profile } from '@lab/tensor';
import { describeBackends, maxRelError } from '../../../tensor/test/helpers';
import { buildDependencyGraph } from '../../src/graph/build-dependency-graph';
import { conv2dPruner, isDepthwise } from '../../src/layers/conv2d-pruner';
import { prune } from '../../src/pruners/prune';
import { zeroRemoved } from '../fixtures/mask';
import { randomInput, randomize } from '../fixtures/models';

/** conv a(3→4) → depthwise ×2 (4→8, groups 4) → conv(8→8, 3×3, dilation 2, stride 2) → conv(8→2). */
class DwNet extends Module {
  readonly a = this.registerModule('a', new Conv2d(3, 4, 1, { rng: new Rng(1) }));
  readonly dw = this.registerModule('dw', new Conv2d(4, 8, 3, { groups: 4, padding: 1, rng: new Rng(2) }));
  readonly dil = this.registerModule('dil', new Conv2d(8, 8, 3, { dilation: 2, stride: 2, padding: 2, rng: new Rng(3) }));
  readonly out = this.registerModule('out', new Conv2d(8, 2, 1, { rng: new Rng(4) }));
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.out.call(tf.relu(this.dil.call(tf.relu(this.dw.call(this.a.call(x)))))));
  }
}

describeBackends('conv2dPruner', () => {
  it('reads depthwise from groups = inChannels > 1, never from channel counts', () => {
    const rng = new Rng(1);
    expect(isDepthwise(new Conv2d(4, 4, 3, { groups: 4, rng }))).toBe(true);
    expect(isDepthwise(new Conv2d(4, 8, 3, { groups: 4, rng }))).toBe(true); // multiplier 2
    expect(isDepthwise(new Conv2d(4, 4, 3, { groups: 2, rng }))).toBe(false); // grouped
    expect(isDepthwise(new Conv2d(1, 1, 3, { rng }))).toBe(false); // 1 → 1 is a plain conv (Torch-Pruning #126)
    expect(isDepthwise(new Conv2d(8, 1, 3, { rng }))).toBe(false);
  });

  it('counts kh·kw·cin/G·cout (+ bias) params and scales MACs by cout·cin/G', () => {
    const grouped = new Conv2d(8, 12, 3, { groups: 4, rng: new Rng(1) });
    expect(conv2dPruner.cost(grouped, { in: 8, out: 12 })).toEqual({ params: 9 * 2 * 12 + 12, macsFraction: 1 });
    expect(conv2dPruner.cost(grouped, { in: 6, out: 9 })).toEqual({ params: 9 * 2 * 9 + 9, macsFraction: 0.75 }); // 3 groups left
    const dw = new Conv2d(4, 8, 3, { groups: 4, bias: false, rng: new Rng(1) });
    expect(conv2dPruner.cost(dw, { in: 3, out: 6 })).toEqual({ params: 9 * 6, macsFraction: 0.75 });
    [grouped, dw].forEach((m) => m.dispose());
  });

  it('prunes a depthwise ×2 conv by whole input channels (outputs 2c, 2c+1) and a dilated strided conv, matching zeroed outputs and the profiler', async () => {
    const model = new DwNet();
    randomize(model, 5);
    const graph = await buildDependencyGraph(model, [6, 6, 3]);
    const a = graph.groups[0];
    expect(a.members.find((m) => m.layer === 'dw')?.channels).toEqual([[0, 1], [2, 3], [4, 5], [6, 7]]);
    const removed = graph.groups.map((g) => (g.root === 'a' ? [1] : g.root === 'dil' ? [0, 5] : []));
    const small = prune(model, { graph, removed });
    expect([small.dw.inChannels, small.dw.outChannels, small.dw.groups, isDepthwise(small.dw)]).toEqual([3, 6, 3, true]);
    const p = await profile(small, [6, 6, 3]);
    expect(graph.cost(removed)).toEqual({ params: p.params, macs: p.macs });
    zeroRemoved(graph, removed);
    const x = randomInput([1, 6, 6, 3], 2);
    const [y1, y2] = [small, model].map((m) => tf.tidy(() => (m.call(x) as tf.Tensor).dataSync().slice()));
    expect(maxRelError(y1, y2)).toBeLessThan(1e-4);
    x.dispose();
    [model, small].forEach((m) => m.dispose());
  });
});
