import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { BatchNorm2d, Conv2d, InvalidValueError, Module, Rng, profile, resnetCifar } from '@lab/tensor';
import { describeBackends, expectTensorDelta, maxRelError } from '../../../tensor/test/helpers';
import { l1Importance } from '../../src/criteria/l1-importance';
import { scoreGroups } from '../../src/criteria/score-groups';
import { buildDependencyGraph } from '../../src/graph/build-dependency-graph';
import type { DependencyGraph, RemovedChannels } from '../../src/graph/dependency-graph';
import { isDepthwise } from '../../src/layers/conv2d-pruner';
import { setField, type ContainerAdapter, type LayerPruner } from '../../src/layers/layer-pruner';
import { planPruning } from '../../src/pruners/plan-pruning';
import { prune } from '../../src/pruners/prune';
import { everyKth, zeroRemoved } from '../fixtures/mask';
import {
  FlattenNet,
  FunctionalNet,
  GroupedNet,
  MobileNetV2Like,
  SelfConcatNet,
  TinyImdn,
  TinyResNet,
  TwoBranchConcatNet,
  randomInput,
  randomize,
} from '../fixtures/models';

function countVariables(m: Module<any, any>): number {
  return m.namedParameters().length + m.namedBuffers().length;
}

/** Output of `model` on `x` in eval mode, as a flat array. */
function run(model: Module<any, any>, x: tf.Tensor): Float32Array {
  model.eval();
  return tf.tidy(() => (model.call(x) as tf.Tensor).dataSync() as Float32Array).slice();
}

/** Prunes `removed`, zeroes the same channels in the original, and compares outputs. */
async function expectSameAsZeroed(model: Module<any, any>, shape: number[], removed: (g: DependencyGraph) => RemovedChannels, seed = 11): Promise<DependencyGraph> {
  randomize(model, seed);
  model.eval();
  const graph = await buildDependencyGraph(model, shape);
  const plan = { graph, removed: removed(graph) };
  expect(plan.removed.some((r) => r.length > 0)).toBe(true);
  const small = prune(model, plan);
  zeroRemoved(graph, plan.removed);
  const x = randomInput([2, ...shape], seed + 1);
  const expected = run(model, x);
  const got = run(small, x);
  expect(got.length).toBe(expected.length);
  expect(maxRelError(got, expected)).toBeLessThan(1e-4);
  x.dispose();
  small.dispose();
  return graph;
}

describeBackends('prune', () => {
  it('gives the outputs of the model with the removed channels zeroed: residual nets, ResNet-20 A and B', async () => {
    for (const make of [() => new TinyResNet(), () => resnetCifar(20, { rng: new Rng(2) }), () => resnetCifar(20, { shortcut: 'B', rng: new Rng(3) })]) {
      const model = make();
      await expectSameAsZeroed(model, [6, 6, 3], (g) => everyKth(g, 3));
      model.dispose();
    }
  });

  it('gives the outputs of the zeroed model on MobileNetV2 blocks, self-concat, two-branch concat, IMDN, flatten, grouped convs', async () => {
    const cases: [() => Module<any, any>, number[]][] = [
      [() => new MobileNetV2Like(), [6, 6, 3]],
      [() => new SelfConcatNet(), [4, 4, 3]],
      [() => new TwoBranchConcatNet(), [4, 4, 3]],
      [() => new TinyImdn(), [4, 4, 3]],
      [() => new FlattenNet(2, 3, true), [2, 3, 3]],
      [() => new FlattenNet(2, 3, false), [2, 3, 3]],
      [() => new GroupedNet(), [4, 4, 3]],
    ];
    for (const [make, shape] of cases) {
      const model = make();
      await expectSameAsZeroed(model, shape, (g) => everyKth(g, 2));
      model.dispose();
    }
  });

  it('gives the outputs of the zeroed model through functional pad, depth-to-space, tile and channel gating', async () => {
    const cases: [number, (h: tf.Tensor) => tf.Tensor][] = [
      [11, (h) => tf.pad(h, [[0, 0], [0, 0], [0, 0], [1, 2]])],
      [2, (h) => tf.depthToSpace(h as tf.Tensor4D, 2)],
      [16, (h) => tf.tile(h, [1, 1, 1, 2])],
      [8, (h) => tf.mul(h, tf.sigmoid(tf.mean(h, [1, 2], true)))],
    ];
    for (const [cin, fn] of cases) {
      const model = new FunctionalNet(cin, fn);
      await expectSameAsZeroed(model, [4, 4, 3], (g) => everyKth(g, 2));
      model.dispose();
    }
  });

  it('removes a self-concatenated channel from both consumer slices: conv c goes from 8 to 6 inputs (Torch-Pruning #146)', async () => {
    const model = new SelfConcatNet();
    const graph = await buildDependencyGraph(model, [4, 4, 3]);
    const small = prune(model, { graph, removed: [[1], []] });
    expect([small.a.outChannels, small.c.inChannels]).toEqual([3, 6]);
    // Pruning the pruned model again stays consistent.
    const graph2 = await buildDependencyGraph(small, [4, 4, 3]);
    const smaller = prune(small, { graph: graph2, removed: [[0], []] });
    expect([smaller.a.outChannels, smaller.c.inChannels]).toEqual([2, 4]);
    [model, small, smaller].forEach((m) => m.dispose());
  });

  it('writes a state dict that loads into the same architecture built at the smaller widths', async () => {
    const model = new TinyResNet(1, 8, 8);
    randomize(model, 5);
    const graph = await buildDependencyGraph(model, [5, 5, 3]);
    const small = prune(model, { graph, removed: [[0, 3], [1, 2, 7], []] }); // stem group 8 → 6, block group 8 → 5
    const fresh = new TinyResNet(9, 6, 5);
    const dict = small.stateDict();
    expect(dict['conv1.weight'].shape).toEqual([5, 6, 3, 3]); // PyTorch OIHW
    expect(dict['bn1.running_mean'].shape).toEqual([5]);
    expect(dict['fc.weight'].shape).toEqual([4, 6]);
    fresh.loadStateDict(dict);
    const x = randomInput([1, 5, 5, 3], 3);
    expect(Array.from(run(fresh, x))).toEqual(Array.from(run(small, x)));
    tf.dispose([x, ...Object.values(dict)]);
    [model, small, fresh].forEach((m) => m.dispose());
  });

  it('counts params and MACs as the profiler does on the pruned model and as a hand count: TinyResNet at 6×6', async () => {
    const model = new TinyResNet();
    const graph = await buildDependencyGraph(model, [6, 6, 3]);
    // Hand count, 3×3 convs with padding 1 on 6×6 (36 positions), no conv bias:
    // stem 27·8 = 216 params, 36·8·27 = 7776 MACs; conv1, conv2 576 params, 20736 MACs each;
    // 3 BNs 16 params each; fc 8·4 + 4 = 36 params, 32 MACs.
    expect(graph.baseline).toEqual({ params: 1452, macs: 49280 });
    const removed = [[0, 3], [1, 2, 7], []]; // widths 8 → 6 (stem group) and 8 → 5 (block group)
    // stem 27·6 = 162 / 36·6·27 = 5832; conv1 9·6·5 = 270 / 36·5·54 = 9720; conv2 270 / 9720;
    // BNs 12 + 10 + 12; fc 6·4 + 4 = 28 / 24.
    expect(graph.cost(removed)).toEqual({ params: 764, macs: 25296 });
    const small = prune(model, { graph, removed });
    const p = await profile(small, [6, 6, 3]);
    expect({ params: p.params, macs: p.macs }).toEqual({ params: 764, macs: 25296 });
    [model, small].forEach((m) => m.dispose());
  });

  it('removes 1 − (1 − p)² of the MACs of a conv pruned by p on both sides (p = 0.25: 43.75 %)', async () => {
    const model = new TinyResNet();
    const graph = await buildDependencyGraph(model, [6, 6, 3]);
    const conv1 = graph.layer('conv1').macs; // 20736
    const removed = [[0, 1], [0, 1], []]; // both sides of conv1 lose 2 of 8
    const small = prune(model, { graph, removed });
    const p = await profile(small, [6, 6, 3], { perLayer: true });
    const after = p.perLayer?.find((r) => r.name === 'conv1')?.macs;
    expect(after).toBe(20736 * 0.75 * 0.75); // 11664
    expect(1 - (after as number) / conv1).toBeCloseTo(1 - (1 - 0.25) ** 2, 12);
    [model, small].forEach((m) => m.dispose());
  });

  it('prunes a MobileNetV2 net three times in a row; depthwise convs keep groups = in = out channels (Torch-Pruning #328)', async () => {
    let model: Module<any, any> = new MobileNetV2Like();
    randomize(model, 3);
    const widths: number[][] = [];
    for (let round = 0; round < 3; round++) {
      const graph = await buildDependencyGraph(model, [6, 6, 3]);
      const plan = planPruning(graph, { keepRatio: 0.75, scores: await scoreGroups(graph, l1Importance()) });
      const next = prune(model, plan);
      model.dispose();
      model = next;
      const dws = model.modules().filter((m): m is Conv2d => m instanceof Conv2d && m.groups > 1);
      expect(dws.length).toBe(3);
      for (const dw of dws) {
        expect(isDepthwise(dw)).toBe(true);
        expect([dw.groups, dw.outChannels]).toEqual([dw.inChannels, dw.inChannels]);
      }
      widths.push([(model as MobileNetV2Like).stem.get(0) as Conv2d, ...dws].map((c) => c.outChannels));
    }
    // keep round(0.75·w) each round: 8 → 6 → 5 (4.5 rounds up) → 4; 24 → 18 → 14 → 11; 36 → 27 → 20 → 15.
    expect(widths).toEqual([
      [6, 18, 18, 27],
      [5, 14, 14, 20],
      [4, 11, 11, 15],
    ]);
    const x = randomInput([1, 6, 6, 3], 1);
    expect(run(model, x).length).toBe(4);
    x.dispose();
    model.dispose();
  });

  it('prunes batch norms without running statistics (Torch-Pruning #466)', async () => {
    class NoStats extends Module {
      readonly a = this.registerModule('a', new Conv2d(3, 4, 1, { rng: new Rng(1) }));
      readonly bn = this.registerModule('bn', new BatchNorm2d(4, { trackRunningStats: false }));
      readonly c = this.registerModule('c', new Conv2d(4, 2, 1, { rng: new Rng(2) }));
      forward(x: tf.Tensor): tf.Tensor {
        return tf.tidy(() => this.c.call(this.bn.call(this.a.call(x))));
      }
    }
    const model = new NoStats();
    const graph = await buildDependencyGraph(model, [3, 3, 3]);
    const small = prune(model, { graph, removed: [[2], []] });
    expect(small.bn.numFeatures).toBe(3);
    expect(Object.keys(small.stateDict()).sort()).toEqual(['a.bias', 'a.weight', 'bn.bias', 'bn.weight', 'c.bias', 'c.weight']);
    tf.dispose(Object.values(small.stateDict()));
    [model, small].forEach((m) => m.dispose());
  });

  it('re-initialises every known layer with fromScratch, reproducibly from the seed', async () => {
    const model = new TinyResNet();
    const graph = await buildDependencyGraph(model, [4, 4, 3]);
    const removed = [[0], [0], []];
    const [a, b, kept] = [prune(model, { graph, removed }, { fromScratch: true, seed: 4 }), prune(model, { graph, removed }, { fromScratch: true, seed: 4 }), prune(model, { graph, removed })];
    const w = (m: TinyResNet) => Array.from(m.conv1.weight.dataSync());
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(kept));
    expect(a.conv1.weight.shape).toEqual(kept.conv1.weight.shape);
    [model, a, b, kept].forEach((m) => m.dispose());
  });

  it('refreshes containers through their adapter, and fails the check forward pass without one', async () => {
    class Block extends Module {
      channels: number;
      readonly c = this.registerModule('c', new Conv2d(4, 4, 1, { rng: new Rng(1) }));
      constructor() {
        super();
        this.channels = 4;
      }
      forward(x: tf.Tensor): tf.Tensor {
        if (x.shape[3] !== this.channels) throw new Error(`Block: expected ${this.channels} channels`);
        return tf.tidy(() => tf.add(x, this.c.call(x)));
      }
    }
    class Net extends Module {
      readonly a = this.registerModule('a', new Conv2d(3, 4, 1, { rng: new Rng(2) }));
      readonly block = this.registerModule('block', new Block());
      readonly head = this.registerModule('head', new Conv2d(4, 2, 1, { rng: new Rng(3) }));
      forward(x: tf.Tensor): tf.Tensor {
        return tf.tidy(() => this.head.call(this.block.call(this.a.call(x))));
      }
    }
    const adapter: ContainerAdapter<Block> = { name: 'block', matches: (m) => m instanceof Block, refresh: (b) => setField(b, 'channels', b.c.outChannels) };
    const model = new Net();
    const removed = [[1], []];
    const plain = await buildDependencyGraph(model, [2, 2, 3]);
    await expect(expectTensorDelta(() => prune(model, { graph: plain, removed }))).rejects.toThrow(/fails its check forward pass \(Block: expected 4 channels\).*ContainerAdapter/);
    const adapted = await buildDependencyGraph(model, [2, 2, 3], { containerAdapters: [adapter] });
    const small = prune(model, { graph: adapted, removed });
    expect(small.block.channels).toBe(3);
    [model, small].forEach((m) => m.dispose());
  });

  it('prunes a custom layer through a registered LayerPruner; without it the layer’s parameter fixes the group', async () => {
    class ChannelScale extends Module {
      readonly scale: tf.Variable;
      constructor(values: number[]) {
        super();
        this.scale = this.registerParameter('scale', tf.tensor1d(values));
      }
      forward(x: tf.Tensor): tf.Tensor {
        return tf.tidy(() => tf.mul(x, this.scale));
      }
    }
    const pruner: LayerPruner<ChannelScale> = {
      name: 'channel-scale',
      matches: (m) => m instanceof ChannelScale,
      producer: () => false,
      couple: (m, _call, link) => {
        for (let c = 0; c < m.scale.size; c++) link(c, c);
      },
      params: (m, role) => (role === 'out' ? [{ name: 'scale', kind: 'scale', variable: m.scale, view: [m.scale.size], axis: 0 }] : []),
      cost: (_m, w) => ({ params: w.out, macsFraction: 1 }),
      prune: (m, keep) => new ChannelScale(keep.out.map((c) => m.scale.dataSync()[c])),
    };
    class Net extends Module {
      readonly a = this.registerModule('a', new Conv2d(3, 4, 1, { rng: new Rng(2) }));
      readonly s = this.registerModule('s', new ChannelScale([1, 2, 3, 4]));
      readonly head = this.registerModule('head', new Conv2d(4, 2, 1, { rng: new Rng(3) }));
      forward(x: tf.Tensor): tf.Tensor {
        return tf.tidy(() => this.head.call(this.s.call(this.a.call(x))));
      }
    }
    const model = new Net();
    const without = await buildDependencyGraph(model, [2, 2, 3]);
    expect(without.groups[0].fixed[0]).toMatch(/parameter 's\.scale' used outside a known layer/);
    const graph = await buildDependencyGraph(model, [2, 2, 3], { layerPruners: [pruner] });
    expect(graph.groups[0].members.map((m) => `${m.layer}:${m.role}`)).toEqual(['a:out', 's:out', 'head:in']);
    const x = randomInput([1, 2, 2, 3], 1);
    const small = prune(model, { graph, removed: [[0, 2], []] });
    expect(Array.from(small.s.scale.dataSync())).toEqual([2, 4]);
    zeroRemoved(graph, [[0, 2], []]);
    expect(maxRelError(run(small, x), run(model, x))).toBeLessThan(1e-5);
    x.dispose();
    [model, small].forEach((m) => m.dispose());
  });

  it('hands back only the new model’s variables and leaks nothing when it throws', async () => {
    const model = new TinyResNet();
    const graph = await buildDependencyGraph(model, [4, 4, 3]);
    const before = tf.memory().numTensors;
    const small = prune(model, { graph, removed: [[0], [0], []] });
    expect(tf.memory().numTensors - before).toBe(countVariables(small)); // 7 weights/biases + 3 BNs × 5 − … counted from the model
    small.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(expectTensorDelta(() => prune(model, { graph, removed: [[0, 1, 2, 3, 4, 5, 6, 7], [], []] }))).rejects.toThrow(/layer 'stem' would keep 0 of its 8 output channels/);
    model.dispose();
  });

  it('rejects plans of other models, fixed or repeated channels, bad options', async () => {
    const model = new TinyResNet();
    const other = new TinyResNet();
    const graph = await buildDependencyGraph(model, [4, 4, 3]);
    expect(() => prune(other, { graph, removed: [[], [], []] })).toThrow(/plan must be built from the graph of this model/);
    expect(() => prune(model, { graph, removed: [[], [], [0]] })).toThrow(/group channel 0 of the group of 'fc' is fixed: model output/);
    expect(() => prune(model, { graph, removed: [[1, 1], [], []] })).toThrow(/lists group channel 1 twice/);
    expect(() => prune(model, { graph, removed: [[9], [], []] })).toThrow(/removed\[0\] must hold integers in \[0, 8\)/);
    expect(() => prune(model, { graph, removed: [[]] })).toThrow(/one entry per group \(3\)/);
    expect(() => prune(model, { graph, removed: [[], [], []] }, { scratch: true } as never)).toThrow(/unknown option 'scratch'/);
    expect(() => prune(model, { graph, removed: [[], [], []] }, { minChannels: 0 })).toThrow(InvalidValueError);
    [model, other].forEach((m) => m.dispose());
  });
});

describeBackends(
  'prune (ResNet-56, 32×32)',
  () => {
    it('starts from 125.49 M MACs and 0.853 M params and predicts the profiler’s count after an L1 plan at keep 0.5', async () => {
      const model = resnetCifar(56, { rng: new Rng(7) });
      const graph = await buildDependencyGraph(model, [32, 32, 3]);
      // Hand count: stem 32²·16·27 = 442,368; stage 1: 18 convs × 32²·16·144; stages 2 and 3: a strided
      // first conv 1,179,648 + 17 × 2,359,296; linear 640 → 125,485,696 = 125.49 M (spec §3).
      expect(graph.baseline.macs).toBe(125_485_696);
      expect(graph.baseline.params).toBe(853_018); // 0.853 M including BN affine parameters
      const plan = planPruning(graph, { keepRatio: 0.5, scores: await scoreGroups(graph, l1Importance()) });
      const small = prune(model, plan);
      const p = await profile(small, [32, 32, 3]);
      expect(graph.cost(plan.removed)).toEqual({ params: p.params, macs: p.macs });
      [model, small].forEach((m) => m.dispose());
    });
  },
  { skip: { cpu: 'ResNet-56 at 32×32 runs four forward passes; the pure-JS cpu backend takes tens of seconds, wasm covers the count' } },
);
