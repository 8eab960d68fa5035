import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { PALETTE_COLOURS, detectorResponse, detectorWeights, paletteIndex, paletteRgb } from '../../src/lab/palette';

describe('paletteRgb', () => {
  it('maps index i to (i & 1, i >> 1 & 1, i >> 2 & 1)', () => {
    expect(PALETTE_COLOURS.map((c) => paletteRgb(c))).toEqual([
      [0, 0, 0], // black
      [1, 0, 0], // red
      [0, 1, 0], // green
      [1, 1, 0], // yellow
      [0, 0, 1], // blue
      [1, 0, 1], // magenta
      [0, 1, 1], // cyan
      [1, 1, 1], // white
    ]);
    expect(paletteIndex('cyan')).toBe(6);
  });

  it('throws InvalidValueError naming the colour for an unknown name', () => {
    expect(() => paletteRgb('orange' as never)).toThrow(InvalidValueError);
    expect(() => paletteRgb('orange' as never)).toThrow(/colour must be one of/);
  });
});

describe('detectorWeights', () => {
  it('gives ±k weights and bias 1 − k·|v| (red k=1: (1,−1,−1), 0; white k=3: (3,3,3), −8)', () => {
    expect(detectorWeights('red')).toEqual({ weights: [1, -1, -1], bias: 0 });
    expect(detectorWeights('white', 3)).toEqual({ weights: [3, 3, 3], bias: -8 }); // 1 − 3·3
    expect(detectorWeights('black', 2)).toEqual({ weights: [-2, -2, -2], bias: 1 });
  });
});

describe('detectorResponse', () => {
  it('is exactly 1 on its own vertex and 0 on the seven others, for sharpness 1, 2 and 5', () => {
    for (const k of [1, 2, 5]) {
      for (const v of PALETTE_COLOURS) {
        for (const u of PALETTE_COLOURS) {
          expect(detectorResponse(paletteRgb(u), v, k)).toBe(u === v ? 1 : 0);
        }
      }
    }
  });

  it('is graded between vertices: red at (0.75,0,0) gives 0.75 (k=1), 0.5 (k=2), 0 (k=4)', () => {
    // z_red = r − g − b = 0.75; d = max(0, k·z − (k − 1))
    expect(detectorResponse([0.75, 0, 0], 'red', 1)).toBeCloseTo(0.75, 12);
    expect(detectorResponse([0.75, 0, 0], 'red', 2)).toBeCloseTo(0.5, 12);
    expect(detectorResponse([0.75, 0, 0], 'red', 4)).toBe(0);
  });

  it('gives 0 for mid-grey (½,½,½) from every detector at every sharpness (z = −½)', () => {
    for (const v of PALETTE_COLOURS) for (const k of [1, 3]) expect(detectorResponse([0.5, 0.5, 0.5], v, k)).toBe(0);
  });

  it('gives yellow 0.5 and red 0.5 at orange (1, 0.5, 0) for k=1', () => {
    expect(detectorResponse([1, 0.5, 0], 'yellow')).toBeCloseTo(0.5, 12); // 1 + 0.5 − 0 − 1
    expect(detectorResponse([1, 0.5, 0], 'red')).toBeCloseTo(0.5, 12); // 1 − 0.5 − 0
    expect(detectorResponse([1, 0.5, 0], 'green')).toBe(0); // −1 + 0.5 − 0
  });

  it('throws InvalidValueError naming sharpness for a non-integer or < 1 value', () => {
    expect(() => detectorResponse([1, 0, 0], 'red', 0.5)).toThrow(/sharpness must be an integer >= 1/);
    expect(() => detectorResponse([1, 0, 0], 'red', 0)).toThrow(InvalidValueError);
    expect(() => detectorResponse([1, 0] as never, 'red')).toThrow(/rgb must be three finite numbers/);
  });
});
