import { describe, expect, it } from 'vitest';
import { boxMask } from '../../src/analysis/boxes';
import { countComponents } from '../../src/analysis/connected-components';

describe('boxMask', () => {
  it('covers exactly width × height pixels of an integer box and clips at the border', () => {
    const m = boxMask([{ x: 1, y: 2, width: 3, height: 2, label: 0 }], 5, 5);
    expect(m.reduce((a, b) => a + b, 0)).toBe(6);
    expect([m[2 * 5 + 1], m[3 * 5 + 3], m[2 * 5 + 4], m[4 * 5 + 1]]).toEqual([1, 1, 0, 0]);
    expect(boxMask([{ x: 3, y: 3, width: 10, height: 10, label: 1 }], 5, 5).reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('takes a pixel when its centre is inside: x=0.4 w=1.2 covers columns 0 and 1', () => {
    expect(Array.from(boxMask([{ x: 0.4, y: 0, width: 1.2, height: 1, label: 0 }], 1, 3))).toEqual([1, 1, 0]);
    expect(Array.from(boxMask([{ x: 0.6, y: 0, width: 1, height: 1, label: 0 }], 1, 3))).toEqual([0, 1, 0]); // [0.6, 1.6) holds only 1.5
    expect(Array.from(boxMask([{ x: 0.6, y: 0, width: 0.8, height: 1, label: 0 }], 1, 3))).toEqual([0, 0, 0]); // no centre inside
  });
});

describe('countComponents', () => {
  const diagonal = [1, 0, 0, 0, 1, 0, 0, 0, 1]; // 3×3

  it('joins a diagonal chain with 8-connectivity and splits it with 4-connectivity', () => {
    expect(countComponents(diagonal, 3, 3, 8)).toBe(1);
    expect(countComponents(diagonal, 3, 3, 4)).toBe(3);
  });

  it('counts a ring once (holes are not blobs) and an empty mask as 0', () => {
    const ring = [1, 1, 1, 1, 0, 1, 1, 1, 1];
    expect(countComponents(ring, 3, 3, 4)).toBe(1);
    expect(countComponents(new Uint8Array(9), 3, 3, 8)).toBe(0);
    expect(countComponents([1, 0, 1, 0, 0, 0, 1, 0, 1], 3, 3, 8)).toBe(4);
  });
});
