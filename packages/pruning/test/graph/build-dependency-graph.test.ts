import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Conv2d, InvalidValueError, Module, Rng, resnetCifar } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { buildDependencyGraph } from '../../src/graph/build-dependency-graph';
import type { DependencyGraph, PruningGroup } from '../../src/graph/dependency-graph';
import { isDepthwise } from '../../src/layers/conv2d-pruner';
import {
  FlattenNet,
  FunctionalNet,
  GroupedNet,
  MobileNetV2Like,
  SelfConcatNet,
  TinyImdn,
  TinyResNet,
  TwoBranchConcatNet,
} from '../fixtures/models';

/** The group whose root (first producer) is `root`. */
function groupOf(graph: DependencyGraph, root: string): PruningGroup {
  const g = graph.groups.find((x) => x.root === root);
  if (!g) throw new Error(`no group rooted at ${root}; roots: ${graph.groups.map((x) => x.root).join(', ')}`);
  return g;
}

function member(g: PruningGroup, layer: string, role: 'in' | 'out') {
  const m = g.members.find((x) => x.layer === layer && x.role === role);
  if (!m) throw new Error(`no member ${layer} [${role}] in group of ${g.root}`);
  return m;
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describeBackends('buildDependencyGraph', () => {
  it('finds 1 cross-stage + 27 block groups on ResNet-56 with shortcut A; the zero-padded channels are fixed', async () => {
    const model = resnetCifar(56, { rng: new Rng(1) });
    const graph = await buildDependencyGraph(model, [8, 8, 3]);
    const prunable = graph.groups.filter((g) => g.prunable > 0);
    expect(prunable.length).toBe(28); // 27 blocks (9 per stage) + the stage trunk shared through the padded shortcuts
    const trunk = groupOf(graph, 'conv1');
    // 64 stage-3 channels: 16 + 16 padded in stage 3, 8 + 8 padded in stage 2 (seen again in stage 3), 16 free.
    expect([trunk.width, trunk.prunable]).toEqual([64, 16]);
    expect(trunk.fixed.find((r) => r !== null)).toMatch(/zero-padded channels in 'layer2\.0'/);
    // Free channel of stem channel c: channel 8+c in stage 2, 24+c in stage 3 (pads of 8 and 16 in front).
    const stem = member(trunk, 'conv1', 'out');
    for (let k = 0; k < trunk.width; k++) {
      if (trunk.fixed[k] !== null) continue;
      const c = stem.channels[k][0];
      expect(member(trunk, 'layer2.8.conv2', 'out').channels[k]).toEqual([8 + c]);
      expect(member(trunk, 'layer3.8.conv2', 'out').channels[k]).toEqual([24 + c]);
      expect(member(trunk, 'linear', 'in').channels[k]).toEqual([24 + c]);
    }
    // 1 stem + 27 conv2 producers, their BNs, 27 conv1 consumers and the classifier input.
    expect(trunk.members.length).toBe(2 * 28 + 27 + 1);
    const widths = graph.groups.filter((g) => g.root.endsWith('.conv1') && g.root !== 'conv1').map((g) => [g.width, g.prunable]);
    expect(widths).toEqual([...Array(9).fill([16, 16]), ...Array(9).fill([32, 32]), ...Array(9).fill([64, 64])]);
    const head = groupOf(graph, 'linear');
    expect([head.width, head.prunable, head.fixed[0]]).toEqual([10, 0, 'model output']);
    model.dispose();
  });

  it('finds 3 stage groups + 27 block groups on ResNet-56 with shortcut B (the projections join their stage)', async () => {
    const model = resnetCifar(56, { shortcut: 'B', rng: new Rng(1) });
    const graph = await buildDependencyGraph(model, [8, 8, 3]);
    expect(graph.groups.filter((g) => g.prunable > 0).length).toBe(30);
    const stages = [groupOf(graph, 'conv1'), groupOf(graph, 'layer2.0.conv2'), groupOf(graph, 'layer3.0.conv2')];
    expect(stages.map((g) => [g.width, g.prunable])).toEqual([
      [16, 16],
      [32, 32],
      [64, 64],
    ]);
    expect(stages[1].members.map((m) => `${m.layer}:${m.role}`)).toContain('layer2.0.shortcut.0:out');
    expect(stages[1].members.map((m) => `${m.layer}:${m.role}`)).toContain('layer3.0.shortcut.0:in');
    expect(member(stages[0], 'layer2.0.shortcut.0', 'in').channels).toEqual(range(0, 16).map((c) => [c]));
    model.dispose();
  });

  it('groups a MobileNetV2 inverted residual: expand, its BN, the depthwise conv and its BN with the projection input', async () => {
    const model = new MobileNetV2Like();
    const graph = await buildDependencyGraph(model, [8, 8, 3]);
    expect(graph.groups.map((g) => [g.root, g.width, g.prunable])).toEqual([
      ['stem.0', 8, 8], // stem + block 1 residual + block 2 expand input
      ['blocks.0.expand.0', 24, 24],
      ['blocks.1.expand.0', 24, 24],
      ['blocks.1.project.0', 12, 12], // block 2 output + block 3 residual + fc input
      ['blocks.2.expand.0', 36, 36],
      ['fc', 4, 0],
    ]);
    const inner = groupOf(graph, 'blocks.0.expand.0');
    expect(inner.members.map((m) => `${m.layer}:${m.role}`)).toEqual([
      'blocks.0.expand.0:out',
      'blocks.0.expand.1:out',
      'blocks.0.depthwise.0:out',
      'blocks.0.depthwise.1:out',
      'blocks.0.project.0:in',
    ]);
    // Depthwise: group channel k is channel k of the expand conv, of the depthwise conv and of the projection input.
    for (const layer of ['blocks.0.expand.0', 'blocks.0.depthwise.0']) expect(member(inner, layer, 'out').channels).toEqual(range(0, 24).map((c) => [c]));
    expect(member(groupOf(graph, 'stem.0'), 'blocks.0.project.0', 'out').channels).toEqual(range(0, 8).map((c) => [c]));
    model.dispose();
  });

  it('maps a tensor concatenated with itself to two consumer channels per group channel (Torch-Pruning #146)', async () => {
    const model = new SelfConcatNet();
    const graph = await buildDependencyGraph(model, [5, 5, 3]);
    const g = groupOf(graph, 'a');
    expect([g.width, g.prunable]).toEqual([4, 4]);
    expect(member(g, 'c', 'in').channels).toEqual([
      [0, 4],
      [1, 5],
      [2, 6],
      [3, 7],
    ]);
    model.dispose();
  });

  it('keeps the groups of two different concatenated layers apart, with offset ranges in BN and the consumer (Torch-Pruning #481)', async () => {
    const model = new TwoBranchConcatNet();
    const graph = await buildDependencyGraph(model, [5, 5, 3]);
    const [a, b] = [groupOf(graph, 'a'), groupOf(graph, 'b')];
    expect([a.width, b.width]).toEqual([4, 6]);
    expect(member(a, 'bn', 'out').channels).toEqual(range(0, 4).map((c) => [c]));
    expect(member(b, 'bn', 'out').channels).toEqual(range(4, 10).map((c) => [c]));
    expect(member(b, 'c', 'in').channels).toEqual(range(4, 10).map((c) => [c]));
    expect(graph.groupsOf('bn').map((g) => g.root)).toEqual(['a', 'b']);
    model.dispose();
  });

  it('fixes the channels of an IMDN distillation block that pass through a split, and keeps the trunk and conv4 prunable', async () => {
    const model = new TinyImdn();
    const graph = await buildDependencyGraph(model, [6, 6, 3]);
    const trunk = groupOf(graph, 'head');
    expect([trunk.width, trunk.prunable]).toEqual([8, 8]);
    expect(trunk.members.map((m) => `${m.layer}:${m.role}`)).toEqual([
      'head:out',
      'block.conv1.0:in',
      'block.conv1x1:out',
      'body:out',
      'body:in',
      'up:in',
    ]);
    for (const root of ['block.conv1.0', 'block.conv2.0', 'block.conv3.0']) {
      const g = groupOf(graph, root);
      expect([g.width, g.prunable]).toEqual([8, 0]);
      expect(g.fixed[0]).toMatch(/split of the channel axis into fixed sizes in 'block' \(ImdBlockLike\)/);
    }
    // conv1's distilled channels 0–1 are conv1x1 inputs 0–1; its remaining 2–7 are conv2's inputs 0–5.
    const c1 = groupOf(graph, 'block.conv1.0');
    const owner = (k: number) => member(c1, 'block.conv1.0', 'out').channels[k][0];
    for (let k = 0; k < 8; k++) {
      const c = owner(k);
      if (c < 2) expect(member(c1, 'block.conv1x1', 'in').channels[k]).toEqual([c]);
      else expect(member(c1, 'block.conv2.0', 'in').channels[k]).toEqual([c - 2]);
    }
    const c4 = groupOf(graph, 'block.conv4');
    expect([c4.width, c4.prunable]).toEqual([2, 2]);
    expect(member(c4, 'block.conv1x1', 'in').channels).toEqual([[6], [7]]); // the last quarter of the concat
    const up = groupOf(graph, 'up');
    expect([up.width, up.prunable]).toEqual([3, 0]); // 12 channels → 3 after the pixel shuffle
    expect(member(up, 'up', 'out').channels).toEqual([range(0, 4), range(4, 8), range(8, 12)]);
    model.dispose();
  });

  it('maps channel c through Flatten to the features it owns: c·h·w… in PyTorch order, c, c+C, … in NHWC order', async () => {
    for (const torchOrder of [true, false]) {
      const model = new FlattenNet(2, 3, torchOrder);
      const graph = await buildDependencyGraph(model, [2, 3, 3]);
      const features = member(groupOf(graph, 'c'), 'fc', 'in').channels;
      expect(features[1]).toEqual(torchOrder ? range(6, 12) : [1, 5, 9, 13, 17, 21]);
      model.dispose();
    }
  });

  it('couples whole conv groups of a grouped conv and whole norm groups of GroupNorm; a 1-output conv is not depthwise', async () => {
    const model = new GroupedNet();
    const graph = await buildDependencyGraph(model, [5, 5, 3]);
    const a = groupOf(graph, 'a');
    expect([a.width, a.prunable]).toEqual([2, 2]); // 2 conv groups of 4 channels (each 2 norm groups)
    expect(member(a, 'a', 'out').channels).toEqual([range(0, 4), range(4, 8)]);
    expect(member(a, 'g', 'out').channels).toEqual([range(0, 4), range(4, 8)]);
    expect(isDepthwise(model.one)).toBe(false);
    expect(isDepthwise(new MobileNetV2Like().blocks.get(0).getSubmodule('depthwise.0') as Conv2d)).toBe(true);
    const one = groupOf(graph, 'one');
    expect([one.width, one.prunable]).toEqual([1, 1]);
    model.dispose();
  });

  it('follows functional kernels between layers: pad, depth-to-space, tile, spatial mean gating; fixes split, softmax and constants', async () => {
    const cases: [number, (h: tf.Tensor) => tf.Tensor, (g: PruningGroup) => void][] = [
      [11, (h) => tf.pad(h, [[0, 0], [0, 0], [0, 0], [1, 2]]), (g) => {
        expect([g.width, g.prunable]).toEqual([8, 8]);
        expect(member(g, 'c', 'in').channels[0]).toEqual([1]); // one zero channel in front
      }],
      [2, (h) => tf.depthToSpace(h as tf.Tensor4D, 2), (g) => {
        expect([g.width, g.prunable]).toEqual([2, 2]);
        expect(member(g, 'a', 'out').channels).toEqual([[0, 2, 4, 6], [1, 3, 5, 7]]); // TF order (i·2 + j)·2 + c
      }],
      [16, (h) => tf.tile(h, [1, 1, 1, 2]), (g) => expect(member(g, 'c', 'in').channels[3]).toEqual([3, 11])],
      [8, (h) => tf.mul(h, tf.sigmoid(tf.mean(h, [1, 2], true))), (g) => expect([g.width, g.prunable]).toEqual([8, 8])],
      [5, (h) => tf.split(h, [3, 5], 3)[1], (g) => expect(g.fixed[0]).toMatch(/split of the channel axis/)],
      [8, (h) => tf.softmax(h), (g) => expect(g.fixed[0]).toMatch(/Softmax normalises over the channel axis/)],
      [8, (h) => tf.add(h, tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8])), (g) => expect(g.fixed[0]).toMatch(/constant tensor \[8\]/)],
      [8, (h) => tf.transpose(tf.transpose(h, [0, 3, 1, 2]), [0, 2, 3, 1]), (g) => expect(g.fixed[0]).toMatch(/transpose moves the channel axis/)],
    ];
    for (const [cin, fn, check] of cases) {
      const model = new FunctionalNet(cin, fn);
      check(groupOf(await buildDependencyGraph(model, [4, 4, 3]), 'a'));
      model.dispose();
    }
  });

  it('fixes the output channels of ignored layers', async () => {
    const model = new TinyResNet();
    const graph = await buildDependencyGraph(model, [4, 4, 3], { ignoredLayers: ['stem'] });
    expect(groupOf(graph, 'stem').fixed).toEqual(Array(8).fill("ignored layer 'stem'"));
    expect(groupOf(graph, 'conv1').prunable).toBe(8);
    model.dispose();
  });

  it('joins the input and output channels of a layer called twice', async () => {
    class Shared extends Module {
      readonly a = this.registerModule('a', new Conv2d(3, 4, 1, { rng: new Rng(1) }));
      readonly s = this.registerModule('s', new Conv2d(4, 4, 1, { rng: new Rng(2) }));
      readonly c = this.registerModule('c', new Conv2d(4, 2, 1, { rng: new Rng(3) }));
      forward(x: tf.Tensor): tf.Tensor {
        return tf.tidy(() => this.c.call(this.s.call(tf.relu(this.s.call(this.a.call(x))))));
      }
    }
    const model = new Shared();
    const graph = await buildDependencyGraph(model, [3, 3, 3]);
    expect(graph.groups.map((g) => [g.root, g.width, g.prunable])).toEqual([
      ['a', 4, 4],
      ['c', 2, 0],
    ]);
    expect(graph.layer('s').calls.length).toBe(2);
    model.dispose();
  });

  it('leaves numTensors, training flags and the kernel registry as they were, also when the forward pass throws', async () => {
    const model = new TinyResNet();
    model.train();
    const before = tf.getKernel('Add', tf.getBackend())?.kernelFunc;
    await expectTensorDelta(() => buildDependencyGraph(model, [4, 4, 3]), 0);
    expect(model.modules().every((m) => m.training)).toBe(true);
    expect(tf.getKernel('Add', tf.getBackend())?.kernelFunc).toBe(before);
    await expect(expectTensorDelta(() => buildDependencyGraph(model, [4, 4, 5]))).rejects.toThrow(/3 channels/);
    expect(tf.getKernel('Add', tf.getBackend())?.kernelFunc).toBe(before);
    expect(Object.getOwnPropertyDescriptor(model, 'call')).toBeUndefined();
    expect(model.modules().every((m) => m.training)).toBe(true);
    model.dispose();
  });

  it('rejects bad arguments, naming them', async () => {
    const model = new TinyResNet();
    await expect(buildDependencyGraph(model, [4, 4], { ignored: [] } as never)).rejects.toThrow(/unknown option 'ignored'/);
    await expect(buildDependencyGraph(model, [4, 0, 3])).rejects.toThrow(InvalidValueError);
    await expect(buildDependencyGraph(model, [4, 0, 3])).rejects.toThrow(/inputShape must be/);
    await expect(buildDependencyGraph(model, [4, 4, 3], { ignoredLayers: ['nope'] })).rejects.toThrow(/ignoredLayers entry 'nope'/);
    await expect(buildDependencyGraph(model, [4, 4, 3], { layerPruners: [{ name: 'x' } as never] })).rejects.toThrow(/layer pruner 'x' must have a function 'matches'/);
    await expect(buildDependencyGraph({} as never, [4, 4, 3])).rejects.toThrow(/model must be a Module/);
    model.dispose();
    await expect(buildDependencyGraph(model, [4, 4, 3])).rejects.toThrow(/model must not be disposed/);
  });
});
