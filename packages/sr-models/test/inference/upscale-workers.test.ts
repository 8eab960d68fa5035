import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidValueError,
  type ModelTaskInput,
  type ModelTaskOutput,
  type WorkerPool,
  createWorkerPool,
  initBackend,
  modelSpec,
  modelTaskUrl,
} from '@lab/tensor';
import { upscale } from '../../src/inference/upscale';
import { models } from '../../src/registry';
import { expectTensorDelta } from '../../../tensor/test/helpers';

// The workers rebuild the registry model from the *built* package (a worker cannot load TypeScript).
const builtEntry = new URL('../../dist/index.js', import.meta.url);
const builtTask = fileURLToPath(new URL('../../../tensor/dist/model-task.js', import.meta.url));
const OPTIONS = { channels: 12, blocks: 2 };

describe('upscale with workers', () => {
  let model: ReturnType<typeof models['imdn-ntire2022']['factory']>;
  let pool: WorkerPool<ModelTaskInput, ModelTaskOutput>;
  let lr: tf.Tensor3D;

  beforeAll(async () => {
    for (const f of [fileURLToPath(builtEntry), builtTask]) {
      if (!existsSync(f)) throw new Error(`the workers run the built packages: run \`pnpm --filter @lab/sr-models... build\` first (${f} is missing)`);
    }
    await initBackend();
    model = models['imdn-ntire2022'].factory(OPTIONS);
    model.eval();
    const spec = modelSpec(model, { module: builtEntry, export: 'models.imdn-ntire2022.factory', args: [OPTIONS] });
    pool = await createWorkerPool<ModelTaskInput, ModelTaskOutput>({ task: modelTaskUrl(), size: 2, init: spec });
    lr = tf.randomUniform([21, 18, 3], 0, 1, 'float32', 5) as tf.Tensor3D;
  });

  afterAll(async () => {
    await pool?.close();
    model?.dispose();
    lr?.dispose();
  });

  it('imdn-ntire2022 ×4, tile 8, overlap 4, batchSize 2: bit-identical to the single-thread tiles', async () => {
    const options = { scale: 4, tile: 8, overlap: 4, batchSize: 2 };
    const one = await upscale(model, lr, options);
    const progress: [number, number][] = [];
    const par = await expectTensorDelta(() => upscale(model, lr, { ...options, workers: pool, onProgress: (d, n) => progress.push([d, n]) }), 1);
    expect(par.shape).toEqual([84, 72, 3]);
    expect(par.dataSync()).toEqual(one.dataSync());
    // 3 × 3 tiles in batches of 2, reported in order.
    expect(progress).toEqual([[2, 9], [4, 9], [6, 9], [8, 9], [9, 9]]);
    tf.dispose([one, par]);
  });

  it('whole image (no tile) on a worker equals model.call here bit for bit', async () => {
    const x = tf.expandDims(lr, 0) as tf.Tensor4D;
    const here = tf.tidy(() => model.call(x));
    const par = await expectTensorDelta(() => upscale(model, x, { scale: 4, workers: pool }), 1);
    expect(par.dataSync()).toEqual(here.dataSync());
    tf.dispose([x, here, par]);
  });

  it('an abort while batches run on workers rejects with AbortError and leaks nothing', async () => {
    const controller = new AbortController();
    const run = expectTensorDelta(() =>
      upscale(model, lr, { scale: 4, tile: 4, overlap: 2, workers: pool, signal: controller.signal, onProgress: (d) => d >= 2 && controller.abort() }),
    );
    await expect(run).rejects.toThrow(/upscale: aborted/);
    expect(pool.closed).toBe(false);
  });

  it('rejects a workers value that is not a WorkerPool with InvalidValueError naming workers', async () => {
    await expect(upscale(model, lr, { scale: 4, workers: {} as never })).rejects.toThrow(InvalidValueError);
    await expect(upscale(model, lr, { scale: 4, workers: {} as never })).rejects.toThrow(/upscale: workers must be a WorkerPool/);
  });
});
