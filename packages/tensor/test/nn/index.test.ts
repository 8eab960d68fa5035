import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ShapeError } from '../../src/errors';
import * as nn from '../../src/nn/index';
import { describeBackends, expectTensorDelta } from '../helpers';

// Every layer with an input it accepts and one it rejects. [name, factory, good input shape, bad input shape]
const LAYERS: [string, () => nn.Module, number[], number[]][] = [
  ['Conv2d', () => new nn.Conv2d(4, 4, 3, { padding: 1 }), [1, 5, 5, 4], [1, 5, 5, 3]],
  ['Conv2d grouped dilated', () => new nn.Conv2d(4, 6, 3, { padding: 2, dilation: 2, groups: 2 }), [1, 5, 5, 4], [1, 5, 5]],
  ['Linear', () => new nn.Linear(4, 3), [2, 4], [2, 5]],
  ['BatchNorm2d', () => new nn.BatchNorm2d(4), [2, 3, 3, 4], [2, 3, 3, 5]],
  ['LayerNorm', () => new nn.LayerNorm(4), [2, 4], [2, 5]],
  ['GroupNorm', () => new nn.GroupNorm(2, 4), [1, 3, 3, 4], [1, 3, 3, 5]],
  ['Dropout', () => new nn.Dropout(0.3), [2, 4], []],
  ['ReLU', () => new nn.ReLU(), [2, 3], []],
  ['PReLU', () => new nn.PReLU(4), [1, 2, 2, 4], [1, 2, 2, 3]],
  ['GELU', () => new nn.GELU(), [2, 3], []],
  ['Hardswish', () => new nn.Hardswish(), [2, 3], []],
  ['PixelShuffle', () => new nn.PixelShuffle(2), [1, 2, 2, 8], [1, 2, 2, 6]],
  ['PixelUnshuffle', () => new nn.PixelUnshuffle(2), [1, 4, 4, 2], [1, 3, 4, 2]],
  ['Upsample bilinear 1.5', () => new nn.Upsample({ scaleFactor: 1.5, mode: 'bilinear' }), [1, 3, 3, 2], [3, 3, 2]],
  ['MaxPool2d', () => new nn.MaxPool2d(2, { ceilMode: true }), [1, 5, 5, 2], [1, 1, 1, 2]],
  ['AvgPool2d', () => new nn.AvgPool2d(3, { stride: 2, padding: 1 }), [1, 5, 5, 2], [5, 5, 2]],
  ['AdaptiveAvgPool2d', () => new nn.AdaptiveAvgPool2d(3), [1, 5, 5, 2], [5, 5]],
  ['GlobalAvgPool2d', () => new nn.GlobalAvgPool2d(), [1, 5, 5, 2], [5, 2]],
  ['Flatten', () => new nn.Flatten(), [2, 3, 3, 2], [4]],
  ['Sequential', () => new nn.Sequential(new nn.Conv2d(2, 2, 1), new nn.ReLU(), new nn.Flatten()), [1, 2, 2, 2], [1, 2, 2, 3]],
];

describeBackends('nn', () => {
  it('exports the layers, layouts, initialisers and the Module system from one entry point', () => {
    for (const name of ['Module', 'Conv2d', 'Linear', 'BatchNorm2d', 'Sequential', 'ModuleList', 'Upsample', 'Identity', 'SiLU', 'Sigmoid', 'Tanh', 'ReLU6', 'LeakyReLU']) {
      expect(typeof (nn as Record<string, unknown>)[name]).toBe('function');
    }
    for (const name of ['CONV2D_LAYOUT', 'DEPTHWISE_LAYOUT', 'LINEAR_LAYOUT', 'IDENTITY_LAYOUT']) {
      expect(typeof (nn as Record<string, unknown>)[name]).toBe('object');
    }
    expect(Object.isFrozen(nn.CONV2D_DEFAULTS)).toBe(true);
  });

  for (const [name, make, good, bad] of LAYERS) {
    it(`${name}: construct, call in tidy, dispose leaves numTensors unchanged; call returns exactly one tensor`, async () => {
      const x = tf.zeros(good);
      await expectTensorDelta(() => {
        const m = make();
        tf.tidy(() => {
          m.call(x);
        });
        m.dispose();
      }, 0);
      const m = make();
      const y = await expectTensorDelta(() => m.call(x), 1);
      y.dispose();
      x.dispose();
      m.dispose();
    });

    if (bad.length > 0) {
      it(`${name}: a rejected input throws a ShapeError naming the layer and allocates nothing`, async () => {
        const m = make();
        const x = tf.zeros(bad);
        const layer = name === 'Sequential' ? 'Conv2d' : name.split(' ')[0];
        const err = await expectTensorDelta(() => m.call(x)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ShapeError);
        expect((err as Error).message.startsWith(`${layer}: x must`)).toBe(true);
        x.dispose();
        m.dispose();
      });
    }
  }
});
