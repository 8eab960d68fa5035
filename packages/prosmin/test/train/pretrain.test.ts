import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { CheckpointError, InvalidValueError, ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { Byol } from '../../src/method/byol';
import { Prosmin } from '../../src/method/prosmin';
import { PRETRAIN_DEFAULTS, type PretrainOptions, pretrain } from '../../src/train/pretrain';
import { TINY_PROSMIN, randomImages, stateValues } from '../fixtures/tiny';

/** Four steps of two epochs on 8 images of 12 px: batch 4, one local crop of 6 px. */
const BASE: PretrainOptions = Object.freeze<PretrainOptions>({
  epochs: 2,
  batchSize: 4,
  lr: 0.05,
  warmupEpochs: 1,
  seed: 3,
  crops: { localCrops: 1, localSize: 6, blurSigma: [0.1, 0.5] },
});

describeBackends('pretrain', () => {
  it('keeps tf.memory().numTensors the same after every step and after the call (ProSMIN and BYOL)', async () => {
    const images = randomImages(8);
    for (const method of [new Prosmin(TINY_PROSMIN), new Byol({ widths: [4, 8], hiddenDim: 12, projectionDim: 6 })]) {
      const counts: number[] = [];
      const result = await expectTensorDelta(() => pretrain(method, images, { ...BASE, onStep: () => void counts.push(tf.memory().numTensors) }));
      expect(result.steps).toBe(4);
      expect(result.losses.every(Number.isFinite)).toBe(true);
      expect(new Set(counts).size).toBe(1);
      method.dispose();
    }
    images.dispose();
  });

  it('resumes from a checkpoint to exactly the weights and losses of an uninterrupted run', async () => {
    const images = randomImages(8);
    const straight = new Prosmin(TINY_PROSMIN);
    const full = await pretrain(straight, images, BASE);
    const first = new Prosmin(TINY_PROSMIN);
    let bytes: Uint8Array | undefined;
    const part = await pretrain(first, images, { ...BASE, maxSteps: 2, checkpointEvery: 2, onCheckpoint: (b, step) => void (step === 2 && (bytes = b)) });
    expect(part.steps).toBe(2);
    const resumed = new Prosmin({ ...TINY_PROSMIN, seed: 99 }); // different initial weights: all come from the checkpoint
    const rest = await pretrain(resumed, images, { ...BASE, resumeFrom: bytes });
    expect(rest.steps).toBe(4);
    expect([...part.losses, ...rest.losses]).toEqual(full.losses);
    expect(stateValues(resumed.stateDict())).toEqual(stateValues(straight.stateDict()));
    for (const m of [straight, first, resumed]) m.dispose();
    images.dispose();
  });

  it('trains only the online network: with κ = 1 the target keeps its weights while the online ones move', async () => {
    const images = randomImages(8);
    const m = new Prosmin(TINY_PROSMIN);
    const target0 = stateValues(Object.fromEntries(m.target.namedParameters().map(([n, v]) => [n, v.clone()])));
    const online0 = Array.from(m.online.getTensor('pred_layer1.weight').dataSync());
    await pretrain(m, images, { ...BASE, momentum: 1 });
    const target1 = stateValues(Object.fromEntries(m.target.namedParameters().map(([n, v]) => [n, v.clone()])));
    expect(target1).toEqual(target0);
    expect(Array.from(m.online.getTensor('pred_layer1.weight').dataSync())).not.toEqual(online0);
    m.dispose();
    images.dispose();
  });

  it('reports DINO schedules per step: lr from 0 over the warm-up, momentum from the base to 1', async () => {
    const images = randomImages(8);
    const m = new Prosmin(TINY_PROSMIN);
    const infos: { lr: number; momentum: number; weightDecay: number; totalSteps: number; epoch: number }[] = [];
    await pretrain(m, images, { ...BASE, onStep: (i) => void infos.push(i) });
    expect(infos.map((i) => i.epoch)).toEqual([0, 0, 1, 1]);
    expect(infos[0].totalSteps).toBe(4); // 2 epochs × ⌊8/4⌋
    expect(infos[0].lr).toBe(0); // linspace(0, peak, 2)[0]
    expect(infos[1].lr).toBeCloseTo((0.05 * 4) / 256, 12); // peak = lr·batch/256
    expect(infos[0].momentum).toBe(0.9);
    expect(infos[3].momentum).toBeGreaterThan(infos[2].momentum);
    expect(infos[0].weightDecay).toBeCloseTo(0.065, 12);
    m.dispose();
    images.dispose();
  });

  it('rejects a checkpoint of another seed, too few images, unknown options and checkpointEvery without a receiver', async () => {
    const images = randomImages(8);
    const m = new Prosmin(TINY_PROSMIN);
    let bytes: Uint8Array | undefined;
    await pretrain(m, images, { ...BASE, maxSteps: 1, checkpointEvery: 1, onCheckpoint: (b) => void (bytes = b) });
    await expectTensorDelta(() => expect(pretrain(m, images, { ...BASE, seed: 4, resumeFrom: bytes })).rejects.toThrow(CheckpointError));
    await expect(pretrain(m, images, { ...BASE, batchSize: 16 })).rejects.toThrow(ShapeError);
    await expect(pretrain(m, images, { ...BASE, epoch: 2 } as never)).rejects.toThrow(/unknown option 'epoch'/);
    await expect(pretrain(m, images, { ...BASE, crops: { localCrop: 1 } as never })).rejects.toThrow(/unknown option 'localCrop'/);
    await expect(pretrain(m, images, { ...BASE, checkpointEvery: 1 })).rejects.toThrow(/checkpointEvery needs onCheckpoint/);
    await expect(pretrain(m, images, { ...BASE, warmupEpochs: 3 })).rejects.toThrow(InvalidValueError);
    expect(PRETRAIN_DEFAULTS).toMatchObject({ epochs: 300, batchSize: 64, lr: 1e-4, minLr: 1e-6, warmupEpochs: 10, weightDecay: 0.065, weightDecayEnd: 0.65, clipGrad: 3 });
    m.dispose();
    images.dispose();
  });
});
