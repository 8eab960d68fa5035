import { expect, it } from 'vitest';
import { InvalidValueError } from '../../src/errors';
import {
  TRUNC_NORMAL_DEFAULTS,
  computeFans,
  kaimingNormal,
  kaimingUniform,
  truncNormal,
  uniform,
  xavierNormal,
  xavierUniform,
} from '../../src/nn/init';
import { Rng, setGlobalSeed } from '../../src/random/rng';
import { describeBackends, expectTensorDelta } from '../helpers';
import { take } from './reference';

function stats(a: Float32Array): { mean: number; variance: number; maxAbs: number; min: number; max: number } {
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of a) {
    s += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = s / a.length;
  let q = 0;
  for (const v of a) q += (v - mean) ** 2;
  return { mean, variance: q / a.length, maxAbs: Math.max(-min, max), min, max };
}

describeBackends('computeFans', () => {
  it('gives fanIn = i·kh·kw and fanOut = o·kh·kw for OIHW [64,32,3,3], and in/out for [10,128]', () => {
    expect(computeFans([64, 32, 3, 3])).toEqual({ fanIn: 288, fanOut: 576 });
    expect(computeFans([10, 128])).toEqual({ fanIn: 128, fanOut: 10 });
  });
  it('rejects a rank-1 shape naming torchShape', () => {
    expect(() => computeFans([5])).toThrow(/computeFans: torchShape must have rank >= 2/);
  });
});

describeBackends('kaimingUniform', () => {
  it('draws from U(±√(6/fanIn)) for a=0 (fanIn=50: bound 0.34641, variance 2/fanIn)', async () => {
    const t = await expectTensorDelta(() => kaimingUniform([40, 100], 50, { rng: new Rng(1) }), 1);
    expect(t.shape).toEqual([40, 100]);
    expect(t.dtype).toBe('float32');
    const s = stats(take(t));
    const bound = Math.sqrt(6 / 50);
    expect(s.maxAbs).toBeLessThanOrEqual(bound);
    expect(s.maxAbs).toBeGreaterThan(0.99 * bound);
    expect(s.variance / (2 / 50)).toBeGreaterThan(0.95);
    expect(s.variance / (2 / 50)).toBeLessThan(1.05);
  });
  it('draws from U(±1/√fanIn) for a=√5 (PyTorch layer default)', () => {
    const s = stats(take(kaimingUniform([4000], 9, { a: Math.sqrt(5), rng: new Rng(2) })));
    expect(s.maxAbs).toBeLessThanOrEqual(1 / 3 + 1e-7);
    expect(s.maxAbs).toBeGreaterThan(0.99 / 3);
  });
  it('repeats bit for bit with the same seed, and uses the global generator by default', () => {
    const a = take(kaimingUniform([50], 10, { rng: new Rng(3) }));
    const b = take(kaimingUniform([50], 10, { rng: new Rng(3) }));
    expect(Array.from(a)).toEqual(Array.from(b));
    setGlobalSeed(3);
    expect(Array.from(take(kaimingUniform([50], 10)))).toEqual(Array.from(a));
    setGlobalSeed(0);
  });
  it('rejects a bad shape, fan, a or option naming the argument, without allocating', async () => {
    await expectTensorDelta(() => {
      expect(() => kaimingUniform([2, -1], 3)).toThrow(/kaimingUniform: shape/);
      expect(() => kaimingUniform([2], 0)).toThrow(/kaimingUniform: fanIn must be a positive integer, got 0/);
      expect(() => kaimingUniform([2], 3, { a: NaN })).toThrow(/kaimingUniform: a must be a finite number/);
      expect(() => kaimingUniform([2], 3, { mode: 'fan_out' } as object)).toThrow(InvalidValueError);
      expect(() => kaimingUniform([2], 3, { rng: {} as Rng })).toThrow(/rng must be an Rng/);
    }, 0);
  });
});

describeBackends('kaimingNormal', () => {
  it('has standard deviation √2/√fanIn for a=0 and √(1/3)/√fanIn for a=√5 (within 3%, 20000 draws)', () => {
    const s0 = stats(take(kaimingNormal([20000], 8, { rng: new Rng(4) })));
    expect(Math.abs(Math.sqrt(s0.variance) / 0.5 - 1)).toBeLessThan(0.03);
    const s5 = stats(take(kaimingNormal([20000], 8, { a: Math.sqrt(5), rng: new Rng(5) })));
    expect(Math.abs(Math.sqrt(s5.variance) / (Math.sqrt(1 / 3) / Math.sqrt(8)) - 1)).toBeLessThan(0.03);
    expect(Math.abs(s5.mean)).toBeLessThan(0.01);
  });
});

describeBackends('xavierUniform', () => {
  it('draws from U(±gain·√(6/(fanIn+fanOut))) (fanIn=20, fanOut=30, gain=2: bound 0.69282)', () => {
    const s = stats(take(xavierUniform([5000], 20, 30, { gain: 2, rng: new Rng(6) })));
    const bound = 2 * Math.sqrt(6 / 50);
    expect(s.maxAbs).toBeLessThanOrEqual(bound);
    expect(s.maxAbs).toBeGreaterThan(0.99 * bound);
  });
  it('rejects a bad fanOut naming it', () => {
    expect(() => xavierUniform([2], 3, 0)).toThrow(/xavierUniform: fanOut must be a positive integer/);
  });
});

describeBackends('xavierNormal', () => {
  it('has standard deviation gain·√(2/(fanIn+fanOut)) (fanIn=fanOut=100: 0.1, within 3%)', () => {
    const s = stats(take(xavierNormal([20000], 100, 100, { rng: new Rng(7) })));
    expect(Math.abs(Math.sqrt(s.variance) / 0.1 - 1)).toBeLessThan(0.03);
  });
});

describeBackends('truncNormal', () => {
  it('keeps every draw in [a, b] and has the truncated-normal variance 0.7737 on [-2, 2]', () => {
    // Var of N(0,1) truncated to [-2,2] = 1 − 2·2·φ(2)/(Φ(2) − Φ(−2)) = 1 − 4·0.053991/0.954500 = 0.77374.
    expect(TRUNC_NORMAL_DEFAULTS).toEqual({ mean: 0, std: 1, a: -2, b: 2 });
    const s = stats(take(truncNormal([20000], { rng: new Rng(8) })));
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThanOrEqual(2);
    expect(Math.abs(s.variance / 0.77374 - 1)).toBeLessThan(0.03);
  });
  it('uses absolute bounds like PyTorch (std 0.02, bounds ±0.04)', () => {
    const s = stats(take(truncNormal([2000], { std: 0.02, a: -0.04, b: 0.04, rng: new Rng(9) })));
    expect(s.maxAbs).toBeLessThanOrEqual(0.04);
    expect(s.maxAbs).toBeGreaterThan(0.035);
  });
  it('rejects std <= 0 and a >= b naming the argument', () => {
    expect(() => truncNormal([2], { std: 0 })).toThrow(/truncNormal: std must be > 0/);
    expect(() => truncNormal([2], { a: 1, b: 1 })).toThrow(/truncNormal: a must be < b/);
  });
});

describeBackends('uniform', () => {
  it('draws from [lo, hi) with mean (lo+hi)/2 (lo=-1, hi=3)', async () => {
    const t = await expectTensorDelta(() => uniform([10000], -1, 3, new Rng(10)), 1);
    const s = stats(take(t));
    expect(s.min).toBeGreaterThanOrEqual(-1);
    expect(s.max).toBeLessThan(3);
    expect(Math.abs(s.mean - 1)).toBeLessThan(0.05);
  });
  it('rejects hi < lo naming both', () => {
    expect(() => uniform([2], 1, 0)).toThrow(/uniform: hi must be >= lo, got lo=1 hi=0/);
  });
  it('returns an empty tensor of shape [0,3] for a zero-size shape', async () => {
    const t = await expectTensorDelta(() => uniform([0, 3], 0, 1, new Rng(1)), 1);
    expect(t.shape).toEqual([0, 3]);
    expect(t.size).toBe(0);
    t.dispose();
  });
});
