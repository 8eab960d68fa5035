import * as tf from '@tensorflow/tfjs-core';
import '../../src/backend/index'; // gradients and wasm training kernels, as the package entry registers them
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '../../src/errors';
import { Dropout } from '../../src/nn/dropout';
import { Rng } from '../../src/random/rng';
import { describeBackends, expectTensorDelta } from '../helpers';
import { take } from './reference';

describeBackends('Dropout', () => {
  it('is the identity in eval mode and returns a new tensor', async () => {
    const drop = new Dropout(0.5).eval();
    const x = tf.tensor1d([1, 2, 3]);
    const y = await expectTensorDelta(() => drop.call(x), 1);
    expect(y).not.toBe(x);
    expect(Array.from(take(y))).toEqual([1, 2, 3]);
    x.dispose();
  });

  it('zeroes about p of the elements and scales the rest by 1/(1−p) in training (p=0.25, 10000 ones)', () => {
    const drop = new Dropout(0.25, { rng: new Rng(1) });
    const x = tf.ones([100, 100]);
    const y = take(drop.call(x));
    let kept = 0;
    for (const v of y) {
      if (v !== 0) {
        expect(v).toBeCloseTo(4 / 3, 6);
        kept++;
      }
    }
    // Binomial(10000, 0.75): sd 43.3, so |kept − 7500| < 200 holds beyond 4.5 sd.
    expect(Math.abs(kept - 7500)).toBeLessThan(200);
    x.dispose();
  });

  it('repeats masks for equal seeds and draws a new mask at each call', () => {
    const x = tf.ones([64]);
    const a = new Dropout(0.5, { rng: new Rng(7) });
    const b = new Dropout(0.5, { rng: new Rng(7) });
    const a1 = take(a.call(x));
    expect(Array.from(take(b.call(x)))).toEqual(Array.from(a1));
    expect(Array.from(take(a.call(x)))).not.toEqual(Array.from(a1));
    x.dispose();
  });

  it('keeps everything for p=0 and zeroes everything for p=1', () => {
    const x = tf.tensor1d([1, -2, 3]);
    expect(Array.from(take(new Dropout(0).call(x)))).toEqual([1, -2, 3]);
    expect(Array.from(take(new Dropout(1).call(x)))).toEqual([0, 0, 0]);
    x.dispose();
  });

  it('has gradient mask/(1−p), equal to the output for an all-ones input', () => {
    const x = tf.ones([32]);
    const y1 = take(new Dropout(0.5, { rng: new Rng(3) }).call(x));
    const drop = new Dropout(0.5, { rng: new Rng(3) });
    const g = take(tf.grad((xi: tf.Tensor) => tf.sum(drop.call(xi)))(x));
    expect(Array.from(g)).toEqual(Array.from(y1));
    x.dispose();
  });

  it('rejects p outside [0, 1] naming p, and non-float input', () => {
    expect(() => new Dropout(1.5)).toThrow(InvalidValueError);
    expect(() => new Dropout(-0.1)).toThrow(/Dropout: p must be a number in \[0, 1\], got -0.1/);
    expect(() => new Dropout(0.5, { seed: 1 } as object)).toThrow(/unknown option 'seed'/);
    const xi = tf.tensor1d([1, 2], 'int32');
    expect(() => new Dropout().call(xi)).toThrow(ShapeError);
    xi.dispose();
  });
});
