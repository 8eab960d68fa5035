import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { CheckpointError, InvalidValueError } from '../../src/errors';
import { BatchNorm2d } from '../../src/nn/batch-norm2d';
import { Conv2d } from '../../src/nn/conv2d';
import { Dropout } from '../../src/nn/dropout';
import { Linear } from '../../src/nn/linear';
import { Module, type StateDict } from '../../src/nn/module';
import { ReLU } from '../../src/nn/activations';
import { Sequential } from '../../src/nn/sequential';
import { GlobalAvgPool2d } from '../../src/nn/global-avg-pool2d';
import { Rng } from '../../src/random/rng';
import { describeBackends, expectTensorDelta } from '../helpers';
import { expectClose, pattern, take } from './reference';

/** conv(2→3, 3×3) → bn(3) → relu → gap → linear(3→2): every kind of slot and layout. */
class Net extends Module {
  readonly features: Sequential;
  readonly pool: GlobalAvgPool2d;
  readonly head: Linear;
  constructor(rng: Rng) {
    super();
    this.features = this.registerModule(
      'features',
      new Sequential(new Conv2d(2, 3, 3, { padding: 1, rng }), new BatchNorm2d(3), new ReLU()),
    );
    this.pool = this.registerModule('pool', new GlobalAvgPool2d());
    this.head = this.registerModule('head', new Linear(3, 2, { rng }));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.head.call(this.pool.call(this.features.call(x))));
  }
}

const PARAM_NAMES = ['features.0.weight', 'features.0.bias', 'features.1.weight', 'features.1.bias', 'head.weight', 'head.bias'];
const BUFFER_NAMES = ['features.1.running_mean', 'features.1.running_var', 'features.1.num_batches_tracked'];
// conv 3·2·3·3 + 3, bn 3 + 3, linear 2·3 + 2 = 54 + 3 + 6 + 8 = 71
const NUM_PARAMS = 71;

function disposeDict(d: StateDict): void {
  for (const t of Object.values(d)) t.dispose();
}

function values(m: Module<any, any>): number[][] {
  return [...m.namedParameters(), ...m.namedBuffers()].map(([, v]) => Array.from(v.dataSync()));
}

describeBackends('Module', () => {
  it('names parameters and buffers with dotted PyTorch paths in registration order', () => {
    const net = new Net(new Rng(1));
    expect(net.namedParameters().map(([n]) => n)).toEqual(PARAM_NAMES);
    expect(net.namedBuffers().map(([n]) => n)).toEqual(BUFFER_NAMES);
    expect(net.parameters().length).toBe(6);
    expect(net.numParameters()).toBe(NUM_PARAMS);
    expect(net.namedModules().map(([n]) => n)).toEqual(['', 'features', 'features.0', 'features.1', 'features.2', 'pool', 'head']);
    expect(net.getSubmodule('features.1')).toBeInstanceOf(BatchNorm2d);
    expect(() => net.getSubmodule('features.7')).toThrow(/no module '7' in path 'features.7'/);
    net.dispose();
  });

  it('rejects duplicate and dotted names', () => {
    class Bad extends Module {
      forward(x: tf.Tensor) {
        return x;
      }
    }
    const m = new Bad();
    m.registerModule('a', new ReLU());
    expect(() => m.registerModule('a', new ReLU())).toThrow(InvalidValueError);
    expect(() => m.registerModule('a.b', new ReLU())).toThrow(/without '\.'/);
  });

  it('returns the state dict in PyTorch layout: OIHW conv, [out,in] linear, int32 counter', async () => {
    const net = new Net(new Rng(2));
    const sd = await expectTensorDelta(() => net.stateDict(), PARAM_NAMES.length + BUFFER_NAMES.length);
    // Module by module, parameters then buffers, as PyTorch's state_dict().
    expect(Object.keys(sd)).toEqual([...PARAM_NAMES.slice(0, 4), ...BUFFER_NAMES, ...PARAM_NAMES.slice(4)]);
    expect(sd['features.0.weight'].shape).toEqual([3, 2, 3, 3]);
    expect(sd['head.weight'].shape).toEqual([2, 3]);
    expect(sd['features.1.num_batches_tracked'].dtype).toBe('int32');
    // torch[o, i, u, v] == native HWIO[u, v, i, o] for every index.
    const conv = net.getSubmodule('features.0') as Conv2d;
    const native = conv.weight.arraySync() as number[][][][];
    const torch = sd['features.0.weight'].arraySync() as number[][][][];
    for (let o = 0; o < 3; o++)
      for (let i = 0; i < 2; i++)
        for (let u = 0; u < 3; u++) for (let v = 0; v < 3; v++) expect(torch[o][i][u][v]).toBe(native[u][v][i][o]);
    const lin = (net.head.weight.arraySync() as number[][]);
    const linT = sd['head.weight'].arraySync() as number[][];
    for (let o = 0; o < 2; o++) for (let i = 0; i < 3; i++) expect(linT[o][i]).toBe(lin[i][o]);
    disposeDict(sd);
    net.dispose();
  });

  it('round-trips through loadStateDict: same state dict, same outputs', async () => {
    const a = new Net(new Rng(3));
    const b = new Net(new Rng(4));
    a.eval();
    b.eval();
    const x = tf.tensor4d(pattern(2 * 4 * 4 * 2), [2, 4, 4, 2]);
    const sd = a.stateDict();
    const res = await expectTensorDelta(() => b.loadStateDict(sd), 0);
    expect(res).toEqual({ missing: [], unexpected: [] });
    expect(values(b)).toEqual(values(a));
    // The input dict is not disposed by loading.
    expect(sd['head.bias'].isDisposed).toBe(false);
    expectClose(take(b.call(x)), take(a.call(x)), 0, 0);
    disposeDict(sd);
    x.dispose();
    a.dispose();
    b.dispose();
  });

  it('lists every missing, unexpected and mis-shaped key in one CheckpointError (strict)', async () => {
    const net = new Net(new Rng(5));
    const sd = net.stateDict();
    const dropped = sd['head.bias'];
    delete sd['head.bias'];
    sd['features.1.running_var'].dispose();
    delete sd['features.1.running_var'];
    sd['extra.weight'] = tf.zeros([1]);
    sd['head.weight'].dispose();
    sd['head.weight'] = tf.zeros([3, 2]); // transposed: mis-shaped
    const before = values(net);
    let err: unknown;
    await expectTensorDelta(() => {
      try {
        net.loadStateDict(sd);
      } catch (e) {
        err = e;
      }
    }, 0);
    expect(err).toBeInstanceOf(CheckpointError);
    const ce = err as CheckpointError;
    expect(ce.missing).toEqual(['features.1.running_var', 'head.bias']);
    expect(ce.unexpected).toEqual(['extra.weight']);
    expect(ce.mismatched).toEqual([{ key: 'head.weight', expected: [2, 3], actual: [3, 2] }]);
    for (const key of ['features.1.running_var', 'head.bias', 'extra.weight', 'head.weight']) expect(ce.message).toContain(key);
    // Nothing was assigned, not even the keys that fit.
    expect(values(net)).toEqual(before);
    dropped.dispose();
    disposeDict(sd);
    net.dispose();
  });

  it('reports missing and unexpected keys without throwing when strict is false, and loads the rest', () => {
    const src = new Net(new Rng(6));
    const net = new Net(new Rng(7));
    const sd = src.stateDict();
    const headBias = Array.from(net.head.bias!.dataSync());
    sd['head.bias'].dispose();
    delete sd['head.bias'];
    sd['extra'] = tf.zeros([2]);
    const res = net.loadStateDict(sd, { strict: false });
    expect(res).toEqual({ missing: ['head.bias'], unexpected: ['extra'] });
    expect(Array.from(net.head.weight.dataSync())).toEqual(Array.from(src.head.weight.dataSync()));
    expect(Array.from(net.head.bias!.dataSync())).toEqual(headBias);
    // A shape mismatch is an error even when not strict.
    sd['head.weight'].dispose();
    sd['head.weight'] = tf.zeros([2, 2]);
    expect(() => net.loadStateDict(sd, { strict: false })).toThrow(CheckpointError);
    expect(() => net.loadStateDict(sd, { strict: false, foo: 1 } as object)).toThrow(/unknown option 'foo'/);
    disposeDict(sd);
    src.dispose();
    net.dispose();
  });

  it('casts an integer num_batches_tracked of another dtype to the int32 buffer', () => {
    const bn = new BatchNorm2d(2);
    const sd = bn.stateDict();
    sd.num_batches_tracked.dispose();
    sd.num_batches_tracked = tf.scalar(41, 'float32');
    bn.loadStateDict(sd);
    expect(bn.numBatchesTracked!.dtype).toBe('int32');
    expect(bn.numBatchesTracked!.dataSync()[0]).toBe(41);
    disposeDict(sd);
    bn.dispose();
  });

  it('fires forward hooks with (module, inputs, output) after each call, until removed', () => {
    const net = new Net(new Rng(8));
    const seen: string[] = [];
    const conv = net.getSubmodule('features.0');
    const h1 = conv.registerForwardHook((m, inputs, out) => {
      expect(m).toBe(conv);
      expect((inputs[0] as tf.Tensor).shape).toEqual([1, 4, 4, 2]);
      expect((out as tf.Tensor).shape).toEqual([1, 4, 4, 3]);
      seen.push('conv');
    });
    const h2 = net.registerForwardHook((_m, _i, out) => {
      expect((out as tf.Tensor).shape).toEqual([1, 2]);
      seen.push('net');
    });
    const x = tf.zeros([1, 4, 4, 2]);
    net.call(x).dispose();
    expect(seen).toEqual(['conv', 'net']);
    h1.remove();
    net.call(x).dispose();
    expect(seen).toEqual(['conv', 'net', 'net']);
    h2.remove();
    net.call(x).dispose();
    expect(seen.length).toBe(3);
    x.dispose();
    net.dispose();
  });

  it('propagates train() and eval() to every descendant', () => {
    const net = new Net(new Rng(9));
    expect(net.modules().every((m) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
    net.train(false);
    expect(net.getSubmodule('features.1').training).toBe(false);
    net.dispose();
  });

  it('frees exactly its variables on dispose and refuses calls afterwards', async () => {
    const before = tf.memory().numTensors;
    const net = new Net(new Rng(10));
    expect(tf.memory().numTensors - before).toBe(PARAM_NAMES.length + BUFFER_NAMES.length);
    const other = new Linear(2, 2);
    await expectTensorDelta(() => net.dispose(), -(PARAM_NAMES.length + BUFFER_NAMES.length));
    expect(net.isDisposed).toBe(true);
    expect(other.weight.isDisposed).toBe(false);
    await expectTensorDelta(() => net.dispose(), 0); // idempotent
    const x = tf.zeros([1, 4, 4, 2]);
    expect(() => net.call(x)).toThrow(/Net.call: the module has been disposed/);
    x.dispose();
    other.dispose();
  });
});

describeBackends('Module', () => {
  it('trains: dropout and batch norm switch behaviour with train()/eval() on the parent', () => {
    const seq = new Sequential(new Dropout(0.5, { rng: new Rng(11) }), new BatchNorm2d(1, { affine: false }));
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    seq.eval();
    // eval: dropout is the identity and BN uses running stats (0, 1): y = x / √(1 + 1e-5).
    expectClose(take(seq.call(x)), [1, 2, 3, 4].map((v) => v / Math.sqrt(1 + 1e-5)), 1e-6);
    seq.train();
    const y = take(seq.call(x));
    // train: BN normalises the batch, so the output has mean 0 over the 4 values.
    expect(Math.abs(y.reduce((a, b) => a + b, 0))).toBeLessThan(1e-5);
    x.dispose();
    seq.dispose();
  });
});
