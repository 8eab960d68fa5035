import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import '../helpers';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
it('probe', async () => {
  await tf.setBackend('cpu');
  try { const g = tf.grad((x: tf.Tensor) => tf.relu(x))(tf.tensor([1, -1])); console.log('grad ok', g.dataSync()); } catch (e) { console.log('grad fail', String(e)); }
  try { const x = tf.tensor([1]); console.log('chained', (x as any).add(x).dataSync()); } catch (e) { console.log('chain fail', String(e)); }
  console.log(typeof (tf as any).resizeBilinear, tf.version_core);
});
