import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import { AttributionLab, IntegratedGradients, runFaithfulnessTest } from '../src/index';

describe('README quick start', () => {
  it('runs as written: IG gives input-shaped maps and passes the faithfulness test', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const lab = new AttributionLab();
    const { images, groundTruth, target } = lab.sample(4, { seed: 1 });
    const ig = new IntegratedGradients({ steps: 32, rule: 'gauss-legendre' });
    const { attributions, delta } = await ig.attribute(lab.network, images, { target, baselines: 0 });
    expect(attributions.shape).toEqual(images.shape);
    expect(delta!.shape).toEqual([4]); // one completeness gap per sample
    const verdict = await runFaithfulnessTest(ig, lab, { samples: 8 });
    expect(verdict.passed).toBe(true);
    tf.dispose([images, groundTruth, attributions, delta!]);
    lab.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
