import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { FitError, InvalidValueError, fit } from '../../src/index';
import type { FitBatch, FitEpochInfo } from '../../src/index';
import { describeBackends, expectTensorDelta } from '../helpers';
import { B_STAR, LinReg, MSE_STAR, W_STAR, XS, YS, batches, disposeBatches, mse, value } from './lin-reg';

async function expectFitError(p: Promise<unknown>): Promise<FitError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FitError);
    return e as FitError;
  }
  throw new Error('expected fit to reject');
}

describeBackends('fit', () => {
  it('takes the hand-computed first SGD step: w = 1.1, b = 0.55 (lr 0.1, MSE, w = b = 0)', async () => {
    // ∂L/∂w = (2/4)·Σ(0 − y)·x = −0.5·(0 + 3 + 4 + 15) = −11; ∂L/∂b = −0.5·(1 + 3 + 2 + 5) = −5.5.
    // After one step: w = 0 + 0.1·11 = 1.1, b = 0 + 0.1·5.5 = 0.55. The loss before it: mean(y²) = 39/4 = 9.75.
    const model = new LinReg();
    const data = batches();
    const optimizer = tf.train.sgd(0.1);
    const result = await fit(model, data, { optimizer, loss: mse });
    expect(value(model.w)).toBeCloseTo(1.1, 5);
    expect(value(model.b)).toBeCloseTo(0.55, 5);
    expect(result).toEqual({ epochLosses: [9.75], batchLosses: [[9.75]], batchCount: 1, aborted: false });
    disposeBatches(data);
    model.dispose();
    optimizer.dispose();
  });

  it('converges to the least-squares solution w = 1.1, b = 1.1 with loss 0.675 (full-batch SGD, 400 epochs)', async () => {
    // The Hessian of the MSE is [[7, 3], [3, 2]] (eigenvalues 8.41, 0.59): lr 0.1 contracts the error by
    // 0.94 per step, so 400 steps leave about 0.94^400 ≈ 2e-11 of it.
    const model = new LinReg();
    const data = batches();
    const optimizer = tf.train.sgd(0.1);
    const result = await fit(model, data, { optimizer, loss: mse, epochs: 400 });
    expect(value(model.w)).toBeCloseTo(W_STAR, 4);
    expect(value(model.b)).toBeCloseTo(B_STAR, 4);
    expect(result.epochLosses).toHaveLength(400);
    expect(result.epochLosses[399]).toBeCloseTo(MSE_STAR, 5);
    expect(result.batchCount).toBe(400);
    disposeBatches(data);
    model.dispose();
    optimizer.dispose();
  });

  it('weights the epoch mean by batch size: batches of 3 and 1 give (14 + 25) / 4 = 9.75', async () => {
    // lr 0 keeps w = b = 0: batch losses are mean(y²) = (1 + 9 + 4)/3 = 14/3 and 25.
    const model = new LinReg();
    const data = batches([3, 1]);
    const optimizer = tf.train.sgd(0);
    const result = await fit(model, data, { optimizer, loss: mse });
    expect(result.batchLosses[0][0]).toBeCloseTo(14 / 3, 5);
    expect(result.batchLosses[0][1]).toBe(25);
    expect(result.epochLosses[0]).toBeCloseTo(9.75, 5);
    disposeBatches(data);
    model.dispose();
    optimizer.dispose();
  });

  it('clips the global gradient norm: one step with clipGradNorm 1 moves (w, b) by 0.1·(11, 5.5)/√151.25', async () => {
    const model = new LinReg();
    const data = batches();
    const optimizer = tf.train.sgd(0.1);
    await fit(model, data, { optimizer, loss: mse, clipGradNorm: 1 });
    const norm = Math.sqrt(11 * 11 + 5.5 * 5.5); // √151.25 = 12.298
    expect(value(model.w)).toBeCloseTo((0.1 * 11) / norm, 5);
    expect(value(model.b)).toBeCloseTo((0.1 * 5.5) / norm, 5);
    disposeBatches(data);
    model.dispose();
    optimizer.dispose();
  });

  it('clips gradient values: one step with clipGradValue 2 moves w and b by 0.1·2', async () => {
    const model = new LinReg();
    const data = batches();
    const optimizer = tf.train.sgd(0.1);
    await fit(model, data, { optimizer, loss: mse, clipGradValue: 2 });
    expect(value(model.w)).toBeCloseTo(0.2, 6);
    expect(value(model.b)).toBeCloseTo(0.2, 6);
    disposeBatches(data);
    model.dispose();
    optimizer.dispose();
  });

  it('leaks nothing: Adam adds exactly 2 slot variables per parameter on first use, then 0; SGD adds 0', async () => {
    const model = new LinReg();
    const data = batches([2, 2]);
    const adam = tf.train.adam(0.01);
    // 2 parameters (w, b) × 2 moments (first and second) = 4 new variables, counted independently of fit.
    await expectTensorDelta(() => fit(model, data, { optimizer: adam, loss: mse, epochs: 3, clipGradNorm: 1, clipGradValue: 5 }), 4);
    await expectTensorDelta(() => fit(model, data, { optimizer: adam, loss: mse, epochs: 2 }), 0);
    const sgd = tf.train.sgd(0.01);
    await expectTensorDelta(() => fit(model, data, { optimizer: sgd, loss: mse, epochs: 2 }), 0);
    disposeBatches(data);
    model.dispose();
    adam.dispose();
    sgd.dispose();
  });

  it('rejects with FitError naming epoch and batch, with the losses so far and no leaked tensor', async () => {
    const model = new LinReg();
    const data = batches([2, 2]);
    const optimizer = tf.train.sgd(0.01);
    let calls = 0;
    const failing = (pred: tf.Tensor, y: tf.Tensor): tf.Scalar => {
      if (++calls === 4) throw new RangeError('boom');
      return mse(pred, y);
    };
    const before = tf.memory().numTensors;
    const err = await expectFitError(fit(model, data, { optimizer, loss: failing, epochs: 3 }));
    expect(tf.memory().numTensors).toBe(before);
    expect(err.message).toMatch(/^fit: training failed at epoch 1, batch 1: boom$/);
    expect([err.epoch, err.batch]).toEqual([1, 1]);
    expect(err.cause).toBeInstanceOf(RangeError);
    expect(err.partial.epochLosses).toHaveLength(1);
    expect(err.partial.batchLosses.map((l) => l.length)).toEqual([2, 1]);
    expect(err.partial.batchCount).toBe(3);
    disposeBatches(data);
    model.dispose();
    optimizer.dispose();
  });

  it('wraps a non-scalar loss and a model ShapeError with their codes, leaking nothing', async () => {
    const model = new LinReg();
    const data = batches();
    const optimizer = tf.train.sgd(0.1);
    const before = tf.memory().numTensors;
    const err = await expectFitError(fit(model, data, { optimizer, loss: (p, y) => tf.sub(p, y) as never }));
    expect(err.code).toBe('SHAPE');
    expect(err.message).toMatch(/epoch 0, batch 0: loss must return a scalar, got shape \[4,1\]/);
    const wrongX = [{ x: tf.zeros([4, 2]), y: tf.zeros([4, 1]) }];
    const err2 = await expectFitError(fit(model, wrongX, { optimizer, loss: mse }));
    expect(err2.message).toMatch(/epoch 0, batch 0/);
    tf.dispose([wrongX[0].x, wrongX[0].y]);
    expect(tf.memory().numTensors).toBe(before);
    expect(value(model.w)).toBe(0);
    disposeBatches(data);
    model.dispose();
    optimizer.dispose();
  });

  it('refuses a step with a non-finite loss and leaves the parameters unchanged', async () => {
    const model = new LinReg(0.5, 0.25);
    const x = tf.tensor2d([[1]]);
    const y = tf.tensor2d([[NaN]]);
    const optimizer = tf.train.sgd(0.1);
    const err = await expectFitError(fit(model, [{ x, y }], { optimizer, loss: mse }));
    expect(err.cause).toBeInstanceOf(InvalidValueError);
    expect(err.code).toBe('INVALID_VALUE');
    expect(err.message).toMatch(/epoch 0, batch 0: loss must be finite, got NaN/);
    expect([value(model.w), value(model.b)]).toEqual([0.5, 0.25]);
    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
  });

  it('stops at the next batch once the signal aborts, keeping only complete epochs', async () => {
    const model = new LinReg();
    const data = batches([2, 2]);
    const optimizer = tf.train.sgd(0.01);
    const controller = new AbortController();
    const result = await fit(model, data, {
      optimizer,
      loss: mse,
      epochs: 5,
      signal: controller.signal,
      onBatchEnd: ({ step }) => {
        if (step === 3) controller.abort();
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.batchCount).toBe(3);
    expect(result.epochLosses).toHaveLength(1);
    expect(result.batchLosses.map((l) => l.length)).toEqual([2, 1]);
    disposeBatches(data);
    model.dispose();
    optimizer.dispose();
  });

  it('runs every module in training mode and restores eval mode afterwards', async () => {
    const model = new LinReg().eval();
    const data = batches();
    const optimizer = tf.train.sgd(0.01);
    await fit(model, data, { optimizer, loss: mse, epochs: 2 });
    expect(model.modesSeen).toEqual([true, true]);
    expect(model.training).toBe(false);
    disposeBatches(data);
    model.dispose();
    optimizer.dispose();
  });

  it('takes fresh batches per epoch from an async generator function and disposes them', async () => {
    const model = new LinReg();
    const optimizer = tf.train.sgd(0.1);
    const epochsSeen: number[] = [];
    const infos: FitEpochInfo[] = [];
    async function* epochData(epoch: number): AsyncGenerator<FitBatch> {
      epochsSeen.push(epoch);
      for (let i = 0; i < 4; i += 2) {
        yield { x: tf.tensor2d(XS.slice(i, i + 2), [2, 1]), y: tf.tensor2d(YS.slice(i, i + 2), [2, 1]) };
      }
    }
    const result = await expectTensorDelta(
      () => fit(model, epochData, { optimizer, loss: mse, epochs: 3, disposeBatches: true, onEpochEnd: (i) => void infos.push(i) }),
      0,
    );
    expect(epochsSeen).toEqual([0, 1, 2]);
    expect(result.batchCount).toBe(6);
    expect(infos.map((i) => [i.epoch, i.batches])).toEqual([[0, 2], [1, 2], [2, 2]]);
    expect(infos.map((i) => i.loss)).toEqual(result.epochLosses);
    model.dispose();
    optimizer.dispose();
  });

  it('reports an exhausted generator as an epoch without batches', async () => {
    const model = new LinReg();
    const data = batches();
    const optimizer = tf.train.sgd(0.1);
    function* once(): Generator<FitBatch> {
      yield* data;
    }
    const err = await expectFitError(fit(model, once(), { optimizer, loss: mse, epochs: 2 }));
    expect(err.message).toMatch(/epoch 1.*no batches in epoch 1 \(a generator is exhausted after one pass/);
    expect(err.partial.epochLosses).toHaveLength(1);
    disposeBatches(data);
    model.dispose();
    optimizer.dispose();
  });

  it('validates its arguments with InvalidValueError before training', async () => {
    const model = new LinReg();
    const data = batches();
    const optimizer = tf.train.sgd(0.1);
    const base = { optimizer, loss: mse };
    await expect(fit({} as never, data, base)).rejects.toThrow(/fit: model must be a Module/);
    await expect(fit(model, 42 as never, base)).rejects.toThrow(/fit: data must be an iterable/);
    await expect(fit(model, data, { ...base, epochs: 0 })).rejects.toThrow(/fit: epochs must be a positive integer, got 0/);
    await expect(fit(model, data, { ...base, clipGradNorm: -1 })).rejects.toThrow(/fit: clipGradNorm must be a positive finite number/);
    await expect(fit(model, data, { ...base, optimizer: {} as never })).rejects.toThrow(/fit: optimizer must be a tf.Optimizer/);
    await expect(fit(model, data, { ...base, lr: 1 } as never)).rejects.toThrow(/fit: unknown option 'lr'/);
    await expect(fit(model, data, { ...base, loss: undefined as never })).rejects.toThrow(InvalidValueError);
    expect(value(model.w)).toBe(0);
    disposeBatches(data);
    model.dispose();
    optimizer.dispose();
  });
});
