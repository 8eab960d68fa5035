import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, modelSpec } from '@lab/tensor';
import { type AttributionWorkers, createAttributionWorkers } from '@lab/attribution';
import { deletion } from '../../src/metrics/faithfulness/deletion';
import { insertion } from '../../src/metrics/faithfulness/insertion';
import { road } from '../../src/metrics/faithfulness/road';
import { soundness } from '../../src/metrics/faithfulness/soundness';
import { expectTensorDelta } from '../../../tensor/test/helpers';
import { createSmallCnn } from './fixtures/small-cnn.mjs';

const built = ['../../../attribution/dist/attribution-task.js', '../../../tensor/dist/index.js'].map((f) => fileURLToPath(new URL(f, import.meta.url)));
const MODULE = new URL('./fixtures/small-cnn.mjs', import.meta.url);

let net: ReturnType<typeof createSmallCnn>;
let workers: AttributionWorkers;
let x: tf.Tensor4D;
let maps: tf.Tensor4D;

beforeAll(async () => {
  for (const f of built) if (!existsSync(f)) throw new Error(`the workers run the built packages: run \`pnpm --filter @lab/faithfulness-metrics... build\` first (${f} is missing)`);
  await initBackend();
  net = createSmallCnn();
  net.eval();
  workers = await createAttributionWorkers({ model: modelSpec(net, { module: MODULE, export: 'createSmallCnn' }), size: 2 });
  x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  maps = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
});

afterAll(async () => {
  await workers?.close();
  net?.dispose();
  tf.dispose([x, maps]);
});

describe('perturbation curves with workers', () => {
  it('deletion and insertion (4 pixels per step, batchSize 3) equal the single-thread curves bit for bit', async () => {
    for (const metric of [deletion, insertion]) {
      const options = { target: 1, pixelsPerStep: 4, batchSize: 3 };
      const one = await metric(net, x, maps, options);
      const par = await expectTensorDelta(() => metric(net, x, maps, { ...options, workers }));
      expect(par.sampleCurves).toEqual(one.sampleCurves);
      expect(par.scores).toEqual(one.scores);
    }
  });

  it('ROAD (noisy linear imputation, seeded) equals the single-thread result bit for bit', async () => {
    const options = { target: 0, percentages: [0.1, 0.5, 0.9], batchSize: 2, seed: 3 };
    const one = await road(net, x, maps, options);
    const par = await expectTensorDelta(() => road(net, x, maps, { ...options, workers }));
    expect(par.scores).toEqual(one.scores);
  });

  it('metrics that do not run on workers reject the option as unknown', async () => {
    await expect(soundness(net, x, maps, { workers } as never)).rejects.toThrow(/unknown option 'workers'/);
  });

  it('rejects a workers value that is not AttributionWorkers with InvalidValueError naming workers', async () => {
    await expect(deletion(net, x, maps, { workers: {} as never })).rejects.toThrow(/deletion: workers must be open AttributionWorkers/);
  });
});
