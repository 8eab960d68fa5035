import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '../../src/errors';
import { ReLU } from '../../src/nn/activations';
import { Linear } from '../../src/nn/linear';
import { Module } from '../../src/nn/module';
import { Sequential } from '../../src/nn/sequential';
import { describeBackends, expectTensorDelta } from '../helpers';
import { take } from './reference';

function lin(w: number[][], b: number[]): Linear {
  const fc = new Linear(w[0].length, w.length);
  const dict = { weight: tf.tensor2d(w), bias: tf.tensor1d(b) };
  fc.loadStateDict(dict);
  dict.weight.dispose();
  dict.bias.dispose();
  return fc;
}

describeBackends('Sequential', () => {
  it('applies children in order: relu(x·[[1,−1]]ᵀ...) by hand, x=[[2,1]] → [[−2]]', async () => {
    // layer 0: y = [2−1, −2+1] + [0, 0] = [1, −1]; relu → [1, 0]; layer 2: −2·1 + 3·0 = −2
    const seq = new Sequential(lin([[1, -1], [-1, 1]], [0, 0]), new ReLU(), lin([[-2, 3]], [0]));
    const x = tf.tensor2d([[2, 1]]);
    const y = await expectTensorDelta(() => seq.call(x), 1);
    expect(Array.from(take(y))).toEqual([-2]);
    x.dispose();
    seq.dispose();
  });

  it("names children '0', '1', … like PyTorch and supports length, get(i), negative indices and iteration", () => {
    const a = new Linear(2, 2);
    const r = new ReLU();
    const seq = new Sequential(a, r).append(new Linear(2, 1));
    expect(seq.length).toBe(3);
    expect(seq.get(0)).toBe(a);
    expect(seq.get(-2)).toBe(r);
    expect([...seq].length).toBe(3);
    expect(seq.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(() => seq.get(3)).toThrow(/Sequential.get: index must be an integer in \[-3, 2\], got 3/);
    expect(() => seq.append({} as Module)).toThrow(InvalidValueError);
    seq.dispose();
  });

  it('frees intermediate outputs: a 3-layer chain returns exactly one tensor', async () => {
    const seq = new Sequential(new Linear(4, 4), new ReLU(), new Linear(4, 2));
    const x = tf.zeros([3, 4]);
    const y = await expectTensorDelta(() => seq.call(x), 1);
    expect(y.shape).toEqual([3, 2]);
    y.dispose();
    x.dispose();
    seq.dispose();
  });

  it('returns a copy of the input when empty', () => {
    const x = tf.tensor1d([1, 2]);
    const y = new Sequential().call(x);
    expect(y).not.toBe(x);
    expect(Array.from(take(y))).toEqual([1, 2]);
    x.dispose();
  });

  it('passes on the ShapeError of a child without leaking', async () => {
    const seq = new Sequential(new Linear(4, 3), new Linear(2, 1));
    const x = tf.zeros([1, 4]);
    await expect(expectTensorDelta(() => seq.call(x))).rejects.toThrow(ShapeError);
    x.dispose();
    seq.dispose();
  });
});
