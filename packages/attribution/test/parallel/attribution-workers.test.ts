import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidValueError, WorkerTaskError, initBackend, modelSpec } from '@lab/tensor';
import { expectTensorDelta } from '../../../tensor/test/helpers';
import { IntegratedGradients } from '../../src/methods/integrated-gradients';
import { Occlusion } from '../../src/methods/occlusion';
import { Lime } from '../../src/methods/lime';
import { Saliency } from '../../src/methods/saliency';
import { NoiseTunnel } from '../../src/methods/noise-tunnel';
import { type AttributionWorkers, createAttributionWorkers } from '../../src/parallel/attribution-workers';
import { createSmallCnn } from './fixtures/small-cnn.mjs';

const builtTask = fileURLToPath(new URL('../../dist/attribution-task.js', import.meta.url));
const builtTensor = fileURLToPath(new URL('../../../tensor/dist/index.js', import.meta.url));
const MODULE = new URL('./fixtures/small-cnn.mjs', import.meta.url);

let net: ReturnType<typeof createSmallCnn>;
let workers: AttributionWorkers;
let x: tf.Tensor4D;

beforeAll(async () => {
  for (const f of [builtTask, builtTensor]) {
    if (!existsSync(f)) throw new Error(`the workers run the built packages: run \`pnpm --filter @lab/attribution... build\` first (${f} is missing)`);
  }
  await initBackend();
  net = createSmallCnn();
  net.eval();
  workers = await createAttributionWorkers({ model: modelSpec(net, { module: MODULE, export: 'createSmallCnn' }), size: 2 });
  x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
});

afterAll(async () => {
  await workers?.close();
  net?.dispose();
  x?.dispose();
});

describe('createAttributionWorkers', () => {
  it('IntegratedGradients with workers equals the single-thread result bit for bit (16 steps, batchSize 5)', async () => {
    const ig = new IntegratedGradients({ steps: 16 });
    const options = { target: [0, 2], baselines: 0.25, batchSize: 5 };
    const one = await ig.attribute(net, x, options);
    // Same 7 chunks of ≤ 5 rows, same gradient kernels, summed in the same order: exact.
    const par = await expectTensorDelta(() => ig.attribute(net, x, { ...options, workers }), 2);
    expect(par.attributions.shape).toEqual([2, 8, 8, 3]);
    expect(par.attributions.dataSync()).toEqual(one.attributions.dataSync());
    expect(par.delta!.dataSync()).toEqual(one.delta!.dataSync());
    // Completeness holds on its own (within the quadrature error of 16 Gauss–Legendre nodes).
    expect(Math.max(...Array.from(par.delta!.dataSync(), Math.abs))).toBeLessThan(0.05);
    tf.dispose([one.attributions, one.delta!, par.attributions, par.delta!]);
  });

  it('Occlusion with workers equals the single-thread result bit for bit (window 3×3, stride 1, batchSize 7)', async () => {
    const occ = new Occlusion({ window: [3, 3], stride: 1 });
    const options = { target: 1, batchSize: 7 };
    const one = await occ.attribute(net, x, options);
    const par = await expectTensorDelta(() => occ.attribute(net, x, { ...options, workers }), 1);
    expect(par.attributions.dataSync()).toEqual(one.attributions.dataSync());
    tf.dispose([one.attributions, par.attributions]);
  });

  it('Lime with workers equals the single-thread result bit for bit (seeded samples)', async () => {
    const lime = new Lime({ samples: 24 });
    const options = { target: 2, batchSize: 6, seed: 3 };
    const one = await lime.attribute(net, x, options);
    const par = await expectTensorDelta(() => lime.attribute(net, x, { ...options, workers }), 1);
    expect(par.attributions.dataSync()).toEqual(one.attributions.dataSync());
    tf.dispose([one.attributions, par.attributions]);
  });

  it('Saliency (abs) with workers equals the single-thread result bit for bit (batchSize 1)', async () => {
    const sal = new Saliency({ abs: true });
    const one = await sal.attribute(net, x, { target: [1, 0], batchSize: 1 });
    const par = await expectTensorDelta(() => sal.attribute(net, x, { target: [1, 0], batchSize: 1, workers }), 1);
    expect(par.attributions.dataSync()).toEqual(one.attributions.dataSync());
    tf.dispose([one.attributions, par.attributions]);
  });

  it('SmoothGrad (NoiseTunnel of Saliency, 10 samples) with workers equals the single-thread result bit for bit', async () => {
    const sg = new NoiseTunnel(new Saliency(), { type: 'smoothgrad', samples: 10, stdev: 0.2 });
    // batchSize 4 with N = 2: 2 noise samples per call, 5 calls spread over the workers.
    const options = { target: 2, batchSize: 4, seed: 9 };
    const one = await sg.attribute(net, x, options);
    const par = await expectTensorDelta(() => sg.attribute(net, x, { ...options, workers }), 1);
    expect(par.attributions.dataSync()).toEqual(one.attributions.dataSync());
    tf.dispose([one.attributions, par.attributions]);
  });

  it('rejects a function target with workers with InvalidValueError naming target', async () => {
    const ig = new IntegratedGradients({ steps: 4 });
    await expect(
      expectTensorDelta(() => ig.attribute(net, x, { target: (y) => tf.sum(y, 1) as tf.Tensor1D, workers })),
    ).rejects.toThrow(/IntegratedGradients.attribute: target must be a class index or a list of them when workers are used/);
  });

  it('rejects a workers value that is not AttributionWorkers with InvalidValueError naming workers', async () => {
    const occ = new Occlusion({ window: [2, 2] });
    await expect(occ.attribute(net, x, { target: 0, workers: {} as never })).rejects.toThrow(InvalidValueError);
    await expect(occ.attribute(net, x, { target: 0, workers: {} as never })).rejects.toThrow(/Occlusion.attribute: workers must be AttributionWorkers/);
  });

  it('a model spec whose factory does not exist fails to start with WorkerTaskError (phase setup)', async () => {
    const spec = { module: MODULE.href, export: 'createMissing' };
    const e = await createAttributionWorkers({ model: spec, size: 1 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(WorkerTaskError);
    expect((e as WorkerTaskError).phase).toBe('setup');
    expect((e as WorkerTaskError).message).toContain("spec.export 'createMissing'");
  });

  it('rejects bad options with InvalidValueError: size 0, unknown key, missing model', async () => {
    const spec = modelSpec(net, { module: MODULE, export: 'createSmallCnn' });
    await expect(createAttributionWorkers({ model: spec, size: 0 })).rejects.toThrow(/size must be an integer >= 1, got 0/);
    await expect(createAttributionWorkers({ model: spec, threads: 2 } as never)).rejects.toThrow(/unknown option 'threads'/);
    await expect(createAttributionWorkers({} as never)).rejects.toThrow(/model must be a ModelSpec/);
  });
});
