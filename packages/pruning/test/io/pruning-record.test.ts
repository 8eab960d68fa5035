import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { CheckpointError, FormatError, InvalidValueError, Module, profile, writeSafetensors } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { buildDependencyGraph } from '../../src/graph/build-dependency-graph';
import { applyPruningRecord } from '../../src/io/apply-pruning-record';
import { loadPruned, readPruningRecord } from '../../src/io/load-pruned';
import { createPruningRecord, type PruningRecord } from '../../src/io/pruning-record';
import { PRUNING_RECORD_METADATA_KEY, savePruned } from '../../src/io/save-pruned';
import { prune } from '../../src/pruners/prune';
import { TinyImdn, TinyResNet, randomInput, randomize } from '../fixtures/models';

const SHAPE = [6, 6, 3];

/** Every variable of a model (what a new pruned copy allocates). */
const variables = (m: Module<any, any>): number => m.namedParameters().length + m.namedBuffers().length;

/** Output on `x` in eval mode, flat. */
function run(model: Module<any, any>, x: tf.Tensor): Float32Array {
  model.eval();
  return tf.tidy(() => (model.call(x) as tf.Tensor).dataSync() as Float32Array).slice();
}

/** TinyResNet(width 8, inner 8) with every other channel of both groups removed (4 of 8 kept). */
async function prunedResNet(seed: number): Promise<{ model: TinyResNet; small: TinyResNet; record: PruningRecord }> {
  const model = new TinyResNet(1);
  randomize(model, seed);
  const graph = await buildDependencyGraph(model, SHAPE);
  const removed = graph.groups.map((g) => (g.prunable > 0 ? [0, 2, 4, 6] : []));
  const small = prune(model, { graph, removed });
  const record = createPruningRecord({ graph, removed }, { baseModel: 'tiny-resnet', notes: { criterion: 'hand', keepRatio: 0.5 } });
  return { model, small, record };
}

describeBackends('createPruningRecord', () => {
  it('keeps the complement of the removed channels per group, with the base identity and both costs', async () => {
    const { model, small, record } = await prunedResNet(3);
    expect(record.format).toBe('lab-pruning-record');
    expect(record.version).toBe(1);
    expect(record.baseModel).toBe('tiny-resnet');
    expect(record.modelClass).toBe('TinyResNet');
    expect(record.inputShape).toEqual(SHAPE);
    expect(record.groups.map((g) => [g.root, g.width, g.kept])).toEqual([
      ['stem', 8, [1, 3, 5, 7]], // trunk: stem, bn, conv2, bn2 meet at the residual add
      ['conv1', 8, [1, 3, 5, 7]],
      ['fc', 4, [0, 1, 2, 3]], // the model output: fixed, kept whole
    ]);
    // Hand count, width 8 → 4 and inner 8 → 4: stem 27·4, bn 2·4, conv1 9·4·4, bn1 2·4,
    // conv2 9·4·4, bn2 2·4, fc 4·4 + 4 = 108 + 8 + 144 + 8 + 144 + 8 + 20 = 440 (unpruned: 1452).
    expect(record.prunedCost.params).toBe(440);
    expect(record.baseCost.params).toBe(1452);
    const p = await profile(small, SHAPE, { trueMacs: true, memory: false });
    expect(record.prunedCost).toEqual({ params: p.params, macs: p.macs }); // the profiler on the pruned model
    expect(record.notes).toEqual({ criterion: 'hand', keepRatio: 0.5 });
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
    model.dispose();
    small.dispose();
  });

  it('refuses an empty baseModel, an unknown option, a bad note and a plan below minChannels', async () => {
    const model = new TinyResNet(1);
    const graph = await buildDependencyGraph(model, SHAPE);
    const plan = { graph, removed: graph.groups.map((g) => (g.prunable > 0 ? [0, 1, 2] : [])) };
    expect(() => createPruningRecord(plan, { baseModel: '' })).toThrow(/baseModel must be a non-empty string/);
    expect(() => createPruningRecord(plan, { baseModel: 'x', seed: 1 } as never)).toThrow(/unknown option 'seed'/);
    expect(() => createPruningRecord(plan, { baseModel: 'x', notes: { a: null } as never })).toThrow(/notes\['a'\] must be a string or a finite number/);
    expect(() => createPruningRecord(plan, { baseModel: 'x', minChannels: 6 })).toThrow(InvalidValueError);
    expect(() => createPruningRecord(plan, { baseModel: 'x', minChannels: 6 })).toThrow(/would keep 5 of its 8/);
    model.dispose();
  });
});

describeBackends('applyPruningRecord, savePruned and loadPruned', () => {
  it('rebuild the pruned architecture from a fresh base model, leaving the base unchanged', async () => {
    const { model, small, record } = await prunedResNet(4);
    const fresh = new TinyResNet(9);
    const before = fresh.stateDict();
    const rebuilt = await expectTensorDelta(() => applyPruningRecord(fresh, JSON.parse(JSON.stringify(record)) as PruningRecord), variables(small));
    const shapes = (m: Module<any, any>) => Object.fromEntries([...m.namedParameters(), ...m.namedBuffers()].map(([n, v]) => [n, v.shape]));
    expect(shapes(rebuilt)).toEqual(shapes(small));
    expect(rebuilt.numParameters()).toBe(440);
    const after = fresh.stateDict();
    for (const k of Object.keys(before)) expect(after[k].dataSync()).toEqual(before[k].dataSync());
    tf.dispose([...Object.values(before), ...Object.values(after)]);
    [model, small, fresh, rebuilt].forEach((m) => m.dispose());
  });

  it('save and load a pruned model whose outputs are bit-identical, leaking nothing', async () => {
    const { model, small, record } = await prunedResNet(5);
    // Batch statistics differ from the initial ones, so the buffers must travel too.
    tf.tidy(() => (small.bn1.runningMean as tf.Variable).assign(tf.tensor1d([0.1, -0.2, 0.3, -0.4])));
    const bytes = await expectTensorDelta(() => savePruned(small, record), 0);
    expect(readPruningRecord(bytes)).toEqual(record);
    const fresh = new TinyResNet(17);
    const loaded = await expectTensorDelta(() => loadPruned(fresh, bytes), variables(small));
    expect(loaded.record).toEqual(record);
    const x = randomInput([2, ...SHAPE], 6);
    expect(run(loaded.model, x)).toEqual(run(small, x));
    x.dispose();
    [model, small, fresh, loaded.model].forEach((m) => m.dispose());
  });

  it('refuse a model of another class, a record of other groups, and a malformed record, naming the field', async () => {
    const { model, small, record } = await prunedResNet(6);
    const other = new TinyImdn();
    await expect(expectTensorDelta(() => applyPruningRecord(other, record))).rejects.toThrow(/model must be a fresh TinyResNet \(the record's base 'tiny-resnet'\), got a TinyImdn/);
    const wide = new TinyResNet(1, 8, 6);
    await expect(expectTensorDelta(() => applyPruningRecord(wide, record))).rejects.toThrow(/record\.groups\[1\] must describe group 'conv1' of 6 channels, got 'conv1' of 8/);
    const unsorted = { ...record, groups: record.groups.map((g, i) => (i === 1 ? { ...g, kept: [3, 1] } : g)) };
    await expect(applyPruningRecord(model, unsorted)).rejects.toThrow(/record\.groups\[1\]\.kept must be ascending integers in \[0, 8\)/);
    await expect(applyPruningRecord(model, { ...record, version: 2 } as never)).rejects.toThrow(/record\.version must be 1, got 2/);
    await expect(applyPruningRecord(model, { ...record, prunedCost: { params: 441, macs: record.prunedCost.macs } })).rejects.toThrow(
      /record\.prunedCost must match the model \(440 params/,
    );
    await expect(applyPruningRecord(model, record, { seed: 1 } as never)).rejects.toThrow(/unknown option 'seed'/);
    [model, small, other, wide].forEach((m) => m.dispose());
  });

  it('refuse to save a model that is not the record\'s, and to load a file without a record or with other weights', async () => {
    const { model, small, record } = await prunedResNet(7);
    await expect(expectTensorDelta(() => savePruned(model, record))).rejects.toThrow(/model must be the pruned model of the record \(440 parameters\), got 1452/);
    const fresh = new TinyResNet(2);
    const dict = model.stateDict();
    const plain = await writeSafetensors(dict, { format: 'pt' });
    await expect(expectTensorDelta(() => loadPruned(fresh, plain))).rejects.toThrow(FormatError);
    await expect(loadPruned(fresh, plain)).rejects.toThrow(/'lab\.pruning-record' metadata entry; it has none/);
    // The unpruned weights under the record of the pruned model: every pruned key is mis-shaped.
    const mixed = await writeSafetensors(dict, { [PRUNING_RECORD_METADATA_KEY]: JSON.stringify(record) });
    tf.dispose(Object.values(dict));
    const err = await expectTensorDelta(() => loadPruned(fresh, mixed)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as CheckpointError).mismatched.map((m) => m.key)).toContain('conv1.weight');
    const broken = await writeSafetensors({ w: small.fc.weight }, { [PRUNING_RECORD_METADATA_KEY]: '{not json' });
    await expect(loadPruned(fresh, broken)).rejects.toThrow(/metadata must be JSON/);
    expect(() => readPruningRecord('bytes' as never)).toThrow(/bytes must be a Uint8Array/);
    [model, small, fresh].forEach((m) => m.dispose());
  });
});
