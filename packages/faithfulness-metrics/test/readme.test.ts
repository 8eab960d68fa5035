import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '@lab/tensor';
import { AttributionLab, InputXGradient } from '@lab/attribution';
import { completeness, soundness } from '../src/index';

describe('README quick start', () => {
  it('runs as written; input × gradient scores exactly as the positive ground truth it equals on AttributionLab', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const lab = new AttributionLab({ imageSize: 16 });
    const { images, groundTruth, target } = lab.sample(8, { seed: 1 });
    const { attributions } = await new InputXGradient().attribute(lab.network, images, { target });
    const s = await soundness(lab.network, images, attributions, { target, sign: 'positive' });
    const c = await completeness(lab.network, images, attributions, { target, sign: 'positive' });
    expect(s.soundness.length).toBe(96);
    expect(c.drops.length).toBe(9);
    // On the designed network x·∂f/∂x is the signed ground truth (+1 per positive pixel), so the
    // positive parts are equal after max-normalisation and every score must match the oracle's.
    const s0 = await soundness(lab.network, images, groundTruth, { target, sign: 'positive' });
    const c0 = await completeness(lab.network, images, groundTruth, { target, sign: 'positive' });
    expect(s.soundness).toEqual(s0.soundness);
    expect(c.drops).toEqual(c0.drops);
    tf.dispose([images, groundTruth, attributions]);
    lab.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
