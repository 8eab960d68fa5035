import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { CheckpointError, FormatError, InvalidValueError, Module, fit, loadCheckpoint, saveCheckpoint } from '../../src/index';
import { describeBackends, expectTensorDelta } from '../helpers';
import { Tiny } from './tiny';
import { LinReg, batches, disposeBatches, mse, value } from './lin-reg';

class Other extends Module<[tf.Tensor], tf.Tensor> {
  constructor() {
    super();
    this.registerParameter('weight', tf.zeros([2, 2]));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
}

describeBackends('loadCheckpoint', () => {
  it('restores saved weights and buffers exactly (save → load round trip)', async () => {
    const src = new Tiny(3);
    const dst = new Tiny(1);
    const bytes = await saveCheckpoint(src, { metadata: { note: 'x' } });
    const result = await expectTensorDelta(() => loadCheckpoint(dst, bytes), 0);
    expect(result).toEqual({ missing: [], unexpected: [], metadata: { format: 'pt', note: 'x' } });
    for (const name of ['weight', 'bias', 'steps']) {
      expect(Array.from(dst.getTensor(name).dataSync()), name).toEqual(Array.from(src.getTensor(name).dataSync()));
    }
    // Native layout restored: weight is [in, out] again with rows (3, 6), (9, 12), (15, 18).
    expect(Array.from(dst.getTensor('weight').dataSync())).toEqual([3, 6, 9, 12, 15, 18]);
    expect(dst.getTensor('steps').dtype).toBe('int32');
    src.dispose();
    dst.dispose();
  });

  it('continues training from a checkpoint to the same parameters as uninterrupted training', async () => {
    const data = batches([2, 2]);
    const a = new LinReg();
    const sgd = tf.train.sgd(0.05);
    await fit(a, data, { optimizer: sgd, loss: mse, epochs: 4 });
    const b = new LinReg();
    await fit(b, data, { optimizer: sgd, loss: mse, epochs: 2 });
    const c = new LinReg(9, 9);
    loadCheckpoint(c, await saveCheckpoint(b));
    await fit(c, data, { optimizer: sgd, loss: mse, epochs: 2 });
    expect(value(c.w)).toBeCloseTo(value(a.w), 6);
    expect(value(c.b)).toBeCloseTo(value(a.b), 6);
    disposeBatches(data);
    [a, b, c].forEach((m) => m.dispose());
    sgd.dispose();
  });

  it('throws CheckpointError naming missing/unexpected keys in strict mode, reports them otherwise', async () => {
    const tiny0 = new Tiny();
    const bytes = await saveCheckpoint(tiny0);
    const other = new Other();
    let err: unknown;
    try {
      await expectTensorDelta(() => loadCheckpoint(other, bytes));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as CheckpointError).unexpected.sort()).toEqual(['bias', 'steps']);
    expect((err as CheckpointError).mismatched.map((m) => m.key)).toEqual(['weight']);
    expect(Array.from(other.getTensor('weight').dataSync())).toEqual([0, 0, 0, 0]);
    const lin = new LinReg();
    const linBytes = await saveCheckpoint(lin);
    const tiny = new Tiny();
    expect(() => loadCheckpoint(tiny, linBytes)).toThrow(CheckpointError);
    const loose = new LinReg(5, 5);
    const lin23 = new LinReg(2, 3);
    const r = loadCheckpoint(loose, await saveCheckpoint(lin23), { strict: false });
    expect(r).toMatchObject({ missing: [], unexpected: [] });
    expect([value(loose.w), value(loose.b)]).toEqual([2, 3]);
    [tiny0, other, lin, tiny, loose, lin23].forEach((m) => m.dispose());
  });

  it('throws FormatError for corrupt bytes and InvalidValueError for bad arguments', async () => {
    const model = new Tiny();
    const bytes = await saveCheckpoint(model);
    await expect(expectTensorDelta(() => loadCheckpoint(model, bytes.subarray(0, bytes.length - 1)))).rejects.toThrow(FormatError);
    expect(() => loadCheckpoint(model, [1, 2] as never)).toThrow(/loadCheckpoint: bytes must be a Uint8Array/);
    expect(() => loadCheckpoint(model, bytes, { strict: 'yes' as never })).toThrow(InvalidValueError);
    expect(() => loadCheckpoint(model, bytes, { partial: true } as never)).toThrow(/unknown option 'partial'/);
    model.dispose();
  });
});
