import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/backend/index';
import { expectTensorDelta, maxRelError, useBackend } from '../helpers';
import { seeded } from './conv-cases';

/** Parameter shapes of a small net: conv 3→8, depthwise ×2 (stride 2), conv s2 16→16, conv 16→12, pixel shuffle ×2. */
const SHAPES: Record<string, number[]> = {
  w1: [3, 3, 3, 8],
  w2: [3, 3, 8, 2],
  w3: [3, 3, 16, 16],
  w4: [1, 1, 16, 12],
};

function net(x: tf.Tensor4D, p: Record<string, tf.Tensor4D>): tf.Tensor4D {
  const a = tf.relu(tf.conv2d(x, p.w1, 1, 'same'));
  const b = tf.relu(tf.depthwiseConv2d(a, p.w2, 2, 'same'));
  const c = tf.relu(tf.conv2d(b, p.w3, 2, 'valid'));
  const d = tf.conv2d(c, p.w4, 1, 'same');
  return tf.depthToSpace(d, 2);
}

/** Gradients of mean((net(x) − t)²) with respect to every parameter, read back as arrays. */
function gradients(exact: boolean): Record<string, Float32Array> {
  const x = tf.tensor4d(seeded(1 * 16 * 16 * 3, 1, exact), [1, 16, 16, 3]);
  const vars: Record<string, tf.Variable> = {};
  let seed = 10;
  for (const [name, shape] of Object.entries(SHAPES)) {
    vars[name] = tf.variable(tf.tensor(seeded(shape.reduce((a, b) => a * b, 1), seed++, exact), shape), true, `${name}_${seed}`);
  }
  const { grads, value } = tf.variableGrads(() => {
    const y = net(x, vars as unknown as Record<string, tf.Tensor4D>);
    const t = tf.tensor(seeded(y.size, 99, exact), y.shape);
    return tf.mean(tf.square(tf.sub(y, t)));
  });
  const out: Record<string, Float32Array> = {};
  for (const [name, g] of Object.entries(grads)) out[name.split('_')[0]] = g.dataSync() as Float32Array;
  tf.dispose([x, value, ...Object.values(grads), ...Object.values(vars)]);
  return out;
}

describe('tf.variableGrads with lab wasm kernels', () => {
  let cpu: Record<string, Float32Array>;
  beforeAll(async () => {
    await useBackend('cpu');
    cpu = gradients(false);
    await useBackend('wasm');
  });
  afterAll(() => useBackend('wasm'));

  it('runs on wasm for a conv / depthwise conv / relu / depthToSpace / mean net (x=[1,16,16,3]) and matches cpu within 2e-4', () => {
    // Each kernel matches cpu exactly on exactly representable data (the kernel tests); through
    // four float32 layers and their backward pass the summation order of XNNPACK and of the cpu
    // loops shows: 3e-5 to 6.3e-5 measured. A wrong kernel gives errors of order 1.
    const wasm = gradients(false);
    expect(Object.keys(wasm).sort()).toEqual(Object.keys(SHAPES).sort());
    for (const name of Object.keys(SHAPES)) {
      expect(maxRelError(wasm[name], cpu[name]), name).toBeLessThanOrEqual(2e-4);
    }
  });

  it('leaves only the returned gradients and loss behind on wasm', async () => {
    const x = tf.tensor4d(seeded(1 * 16 * 16 * 3, 1), [1, 16, 16, 3]);
    const vars: Record<string, tf.Variable> = {};
    for (const [name, shape] of Object.entries(SHAPES)) {
      vars[name] = tf.variable(tf.tensor(seeded(shape.reduce((a, b) => a * b, 1), 5), shape));
    }
    const backend = tf.engine().backend;
    const before = backend.numDataIds();
    const { grads, value } = await expectTensorDelta(
      () => tf.variableGrads(() => tf.mean(tf.square(net(x, vars as unknown as Record<string, tf.Tensor4D>)))),
      Object.keys(SHAPES).length + 1,
    );
    tf.dispose([value, ...Object.values(grads)]);
    expect(backend.numDataIds() - before).toBe(0);
    tf.dispose([x, ...Object.values(vars)]);
  });
});
