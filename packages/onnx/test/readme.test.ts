import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { initBackend } from '@lab/tensor';
import { createModel } from '@lab/sr-models';
import { OnnxSession, exportOnnx } from '../src/index';

it('runs the README quick start (IMDN ×4 exported at 32×32, run at 64×48 → 256×192)', async () => {
  await initBackend();
  const net = createModel('imdn-ntire2022');
  const probe = tf.zeros([1, 32, 32, 3]);
  const exported = exportOnnx(net, probe);
  const session = await OnnxSession.create(exported);
  const x = tf.randomUniform([1, 64, 48, 3]);
  const sr = await session.run(x);
  expect(sr.shape).toEqual([1, 256, 192, 3]);
  expect(exported.bytes.length).toBeGreaterThan(4 * 893_936); // the 893,936 weights of IMDN-NTIRE as float32
  tf.dispose([probe, x, sr]);
  await session.release();
  net.dispose();
});
