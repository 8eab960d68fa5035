import { InvalidValueError } from '@lab/tensor';
import { expect, it } from 'vitest';
import { faceGridChannels, faceGridMask } from '../../src/data/face-grid';
import { describeBackends, expectTensorDelta } from '../helpers';

describeBackends('faceGridChannels', () => {
  it('runs x from 2x/25 − 1 to 2(x+w)/25 − 1 across the crop (box [5, 10, 10, 5], size 4)', async () => {
    const t = await expectTensorDelta(() => faceGridChannels([[5, 10, 10, 5]], 4), 1);
    expect(t.shape).toEqual([1, 4, 4, 2]);
    const v = await t.data();
    t.dispose();
    // x: −0.6 → 0.2 in 3 steps of 0.2667; y: −0.2 → 0.2
    expect(v[0]).toBeCloseTo(-0.6, 6);
    expect(v[3 * 2]).toBeCloseTo(0.2, 6); // pixel (0, 3), x channel
    expect(v[1]).toBeCloseTo(-0.2, 6);
    expect(v[(3 * 4) * 2 + 1]).toBeCloseTo(0.2, 6); // pixel (3, 0), y channel
    expect(v[(1 * 4 + 2) * 2]).toBeCloseTo(-0.6 + 2 * (0.8 / 3), 6);
  });

  it('rejects malformed boxes by index', () => {
    expect(() => faceGridChannels([[1, 2, 3] as never], 8)).toThrow(/faceGridChannels: boxes\[0\] must be \[x, y, w, h\]/);
    expect(() => faceGridChannels([], 8)).toThrow(InvalidValueError);
  });
});

describeBackends('faceGridMask', () => {
  it('sets the w·h cells x ≤ col < x + w, y ≤ row < y + h (box [6, 7, 13, 13]: 169 ones)', async () => {
    const t = await expectTensorDelta(() => faceGridMask([[6, 7, 13, 13], [0, 0, 1, 2]]), 1);
    const v = await t.data();
    t.dispose();
    expect(Array.from(v.slice(0, 625)).reduce((a, b) => a + b, 0)).toBe(169);
    expect(v[7 * 25 + 6]).toBe(1);
    expect(v[7 * 25 + 5]).toBe(0);
    expect(v[19 * 25 + 18]).toBe(1);
    expect(v[20 * 25 + 18]).toBe(0);
    expect(Array.from(v.slice(625)).flatMap((x, i) => (x ? [i] : []))).toEqual([0, 25]);
  });
});
