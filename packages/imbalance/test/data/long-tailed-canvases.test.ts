import { describe, expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { boxMask } from '../../src/analysis/boxes';
import { longTailedCanvases, longTailedCounts, type GlyphSet } from '../../src/data/long-tailed-canvases';

/** Four 8×8 glyphs per class for 4 classes: a 4×4 block of ink at rows/cols 2…5. */
function glyphs(): GlyphSet {
  const count = 16;
  const images = new Float32Array(count * 64);
  for (let i = 0; i < count; i++) for (let r = 2; r < 6; r++) for (let c = 2; c < 6; c++) images[i * 64 + r * 8 + c] = 1;
  return { images, labels: Int32Array.from({ length: count }, (_, i) => i % 4), count, height: 8, width: 8 };
}

describe('longTailedCounts', () => {
  it('decays exponentially from n_max to n_max/ρ: C=3, 100, ρ=100 gives [100, 10, 1]', () => {
    expect(longTailedCounts(3, 100, 100)).toEqual([100, 10, 1]);
    expect(longTailedCounts(5, 16, 16)).toEqual([16, 8, 4, 2, 1]);
    expect(longTailedCounts(1, 7, 100)).toEqual([7]);
  });

  it('rejects a ratio below 1', () => {
    expect(() => longTailedCounts(3, 10, 0.5)).toThrow(/ratio must be a finite number >= 1/);
  });
});

describe('longTailedCanvases', () => {
  const options = { canvases: 40, canvasSize: 24, glyphSize: 8, imbalanceRatio: 8, headFraction: 0.5, seed: 3 };

  it('meets the long-tailed positive counts exactly: [20, 10, 5, 3] on 40 canvases', () => {
    const d = longTailedCanvases(glyphs(), options);
    expect(d.counts).toEqual([20, 10, 5, 3]); // 20·8^{−c/3} = 20, 10, 5, 2.5 → 3
    const positives = [0, 1, 2, 3].map((c) => d.labels.filter((row) => row[c] === 1).length);
    expect(positives).toEqual(d.counts);
    expect(d.shape).toEqual([40, 24, 24, 1]);
  });

  it('boxes each glyph’s ink tightly (a 4×4 block), labels match the boxes, and squares do not overlap', () => {
    const d = longTailedCanvases(glyphs(), options);
    d.boxes.forEach((list, i) => {
      expect(list.map((b) => b.label).sort()).toEqual(Array.from(d.labels[i]).flatMap((v, c) => (v ? [c] : [])));
      for (const b of list) {
        expect([b.width, b.height]).toEqual([4, 4]);
        // Every pixel of the box is ink.
        const m = boxMask([b], 24, 24);
        for (let p = 0; p < m.length; p++) if (m[p]) expect(d.images[i * 576 + p]).toBe(1);
      }
      const ink = d.images.subarray(i * 576, (i + 1) * 576).reduce((a, v) => a + v, 0);
      expect(ink).toBe(16 * list.length); // no overlap: each glyph adds its 16 ink pixels
    });
  });

  it('repeats for a seed and changes with it', () => {
    const a = longTailedCanvases(glyphs(), options);
    expect(longTailedCanvases(glyphs(), options).boxes).toEqual(a.boxes);
    expect(longTailedCanvases(glyphs(), { ...options, seed: 4 }).boxes).not.toEqual(a.boxes);
  });

  it('rejects a profile that does not fit, a class without glyphs and inconsistent arrays', () => {
    expect(() => longTailedCanvases(glyphs(), { ...options, canvases: 10, headFraction: 1, maxPerCanvas: 1 })).toThrow(InvalidValueError);
    const g = glyphs();
    expect(() => longTailedCanvases({ ...g, labels: Int32Array.from(g.labels, (c) => (c === 1 ? 2 : c)) }, options)).toThrow(/class 1 has none/);
    expect(() => longTailedCanvases({ ...g, count: 15 }, options)).toThrow(ShapeError);
    expect(() => longTailedCanvases(g, { ...options, glyphSize: 30 })).toThrow(/glyphSize must be <= canvasSize/);
  });
});
