import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ShapeError } from '@lab/tensor';
import { describeBackends, expectTensorDelta, maxRelError } from '../../../tensor/test/helpers';
import { GradCam } from '../../src/methods/grad-cam';
import { GuidedBackprop } from '../../src/methods/guided-backprop';
import { GuidedGradCam } from '../../src/methods/guided-grad-cam';
import { GapNet, randomInput } from '../fixtures/gradient-models';

describeBackends('GuidedGradCam', () => {
  it('equals Guided Backprop times the rectified upsampled Grad-CAM map, broadcast over channels', async () => {
    const model = new GapNet(9);
    const x = randomInput([2, 6, 6, 3], 81);
    const { attributions } = await expectTensorDelta(() => new GuidedGradCam({ layer: 'features' }).attribute(model, x, { target: [1, 0] }), 1);
    const gb = await new GuidedBackprop().attribute(model, x, { target: [1, 0] });
    const cam = await new GradCam({ layer: 'features', relu: true }).attribute(model, x, { target: [1, 0] });
    const expected = tf.mul(gb.attributions, cam.attributions); // Captum GuidedGradCam definition
    expect(attributions.shape).toEqual([2, 6, 6, 3]);
    expect(maxRelError(await attributions.data(), await expected.data())).toBeLessThan(1e-5);
    expect((await attributions.data()).some((v) => v !== 0)).toBe(true);
    tf.dispose([x, attributions, gb.attributions, cam.attributions, expected]);
    model.dispose();
  });

  it('rejects a non-image input and unknown options', async () => {
    const model = new GapNet(10);
    const flat = tf.zeros([1, 4]);
    await expect(expectTensorDelta(() => new GuidedGradCam({ layer: 'features' }).attribute(model, flat, { target: 0 }))).rejects.toThrow(ShapeError);
    expect(() => new GuidedGradCam({ layer: 'features', relu: false } as never)).toThrow(/unknown option 'relu'/);
    flat.dispose();
    model.dispose();
  });
});
