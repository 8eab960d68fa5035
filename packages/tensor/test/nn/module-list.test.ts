import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidValueError, NotAvailableError } from '../../src/errors';
import { ReLU } from '../../src/nn/activations';
import { Linear } from '../../src/nn/linear';
import { Module } from '../../src/nn/module';
import { ModuleList } from '../../src/nn/module-list';
import { describeBackends, expectTensorDelta } from '../helpers';

class Stack extends Module {
  blocks = this.registerModule('blocks', new ModuleList([new Linear(2, 2), new ReLU(), new Linear(2, 2)]));
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let y = x;
      for (const b of this.blocks) y = b.call(y);
      return y;
    });
  }
}

describeBackends('ModuleList', () => {
  it("registers entries as '0', '1', … under the parent name (blocks.0.weight)", () => {
    const s = new Stack();
    expect(s.namedParameters().map(([n]) => n)).toEqual(['blocks.0.weight', 'blocks.0.bias', 'blocks.2.weight', 'blocks.2.bias']);
    s.dispose();
  });

  it('is indexable, iterable and appendable', async () => {
    const s = new Stack();
    expect(s.blocks.length).toBe(3);
    expect(s.blocks.get(1)).toBeInstanceOf(ReLU);
    expect(s.blocks.get(-1)).toBe(s.blocks.get(2));
    const extra = new Linear(2, 1);
    s.blocks.append(extra);
    expect(s.blocks.length).toBe(4);
    expect([...s.blocks][3]).toBe(extra);
    const x = tf.zeros([1, 2]);
    const y = await expectTensorDelta(() => s.call(x), 1);
    expect(y.shape).toEqual([1, 1]);
    y.dispose();
    x.dispose();
    s.dispose();
    expect(extra.isDisposed).toBe(true);
  });

  it('is not callable (NotAvailableError) and rejects non-modules and bad indices', () => {
    const list = new ModuleList([new ReLU()]);
    expect(() => list.call()).toThrow(NotAvailableError);
    expect(() => list.append(3 as unknown as Module)).toThrow(InvalidValueError);
    expect(() => list.get(1)).toThrow(/ModuleList.get: index must be an integer in \[-1, 0\], got 1/);
    expect(() => list.get(0.5)).toThrow(InvalidValueError);
  });
});
