import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Module, NotAvailableError, initBackend } from '@lab/tensor';
import { createModel } from '@lab/sr-models';
import { exportOnnx } from '../../src/index';
import { compareWithTfjs, expectTensorDelta } from '../helpers';

beforeAll(async () => {
  await initBackend();
});

/** Reads its input back with dataSync and adds the values in reverse order, built with tf.tensor. */
class HostCopy extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    const flipped = Float32Array.from(x.dataSync()).reverse();
    return tf.tidy(() => tf.add(x, tf.tensor(flipped, x.shape)));
  }
}

/** Puts the host copy one level down, at `body.gather`. */
class Body extends Module {
  readonly gather = this.registerModule('gather', new HostCopy());
  forward(x: tf.Tensor): tf.Tensor {
    return this.gather.call(x);
  }
}

class Outer extends Module {
  readonly body = this.registerModule('body', new Body());
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(this.body.call(x), 2));
  }
}

/** Host constants that follow only the shape: a mean-shift vector and a row-parity mask. */
class ShapeOnly extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    const [, h, w] = x.shape as number[];
    const mask = new Float32Array(h * w).map((_, i) => (Math.floor(i / w) % 2 === 0 ? 1 : 0.5));
    return tf.tidy(() => tf.mul(tf.sub(x, tf.tensor1d([0.4, 0.5, 0.6])), tf.tensor(mask, [1, h, w, 1])));
  }
}

describe('exportOnnx input dependence of host constants', () => {
  it('throws NotAvailableError naming the layer when a tensor built from host data follows the input, leaving no tensor', async () => {
    const net = new Outer();
    // A constant input: the check must not rely on the caller's values varying.
    const x = tf.fill([1, 3, 4, 2], 0.5);
    await expectTensorDelta(() => expect(() => exportOnnx(net, x)).toThrow(NotAvailableError), 0);
    expect(() => exportOnnx(net, x)).toThrow(/tensor created from host data in layer 'body\.gather' \(HostCopy\) \(shape \[1,3,4,2\]\) depends on the input values; the trace cannot follow it/);
    expect(net.training).toBe(true);
    // The check can be skipped: the export then bakes the traced values in.
    const exported = await expectTensorDelta(() => exportOnnx(net, x, { checkInputDependence: false }), 0);
    expect(exported.outputShapes).toEqual([[1, 3, 4, 2]]);
    expect(() => exportOnnx(net, x, { checkInputDependence: 'no' as never })).toThrow(/checkInputDependence must be a boolean/);
    x.dispose();
  });

  it('exports a model whose host constants depend only on the shape, matching tfjs', async () => {
    const net = new ShapeOnly();
    let symbolic = true;
    const errors = await compareWithTfjs(net, [1, 5, 4, 3], [[1, 5, 4, 3]], (e) => {
      symbolic = e.symbolicSize;
    });
    expect(errors[0]).toBeLessThan(1e-6);
    // The mask follows H and W, so the 'auto' size check keeps the traced size.
    expect(symbolic).toBe(false);
  });

  it('refuses CiaoSR, whose decoder gathers LR features with JavaScript row copies', async () => {
    const net = createModel('ciaosr');
    const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 7);
    try {
      await expectTensorDelta(() => expect(() => exportOnnx(net, x)).toThrow(/tensor created from host data in layer '\(model\)' \(CiaoSr\) .*depends on the input values/), 0);
    } finally {
      x.dispose();
      net.dispose();
    }
  }, 60_000);
});
