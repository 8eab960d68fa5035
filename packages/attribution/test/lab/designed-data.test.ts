import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { createLabDesign, unitEvidence } from '../../src/lab/design';
import { generateDesignedData } from '../../src/lab/designed-data';
import { PALETTE_COLOURS, paletteIndex } from '../../src/lab/palette';

const P = PALETTE_COLOURS.length;

describe('generateDesignedData', () => {
  it('draws labels i mod K and keeps the labelled unit ≥ margin above and the others ≥ margin below threshold (32×32, 24 samples)', () => {
    const design = createLabDesign();
    const data = generateDesignedData(design, 24, { seed: 3 });
    expect(data.labels).toEqual(Array.from({ length: 24 }, (_, i) => i % 3));
    for (let i = 0; i < 24; i++) {
      const counts = data.counts.subarray(i * P, (i + 1) * P);
      const slack = unitEvidence(design, counts).map((e, j) => e - design.units[j].threshold);
      slack.forEach((s, j) => (j === data.labels[i] ? expect(s).toBeGreaterThanOrEqual(1) : expect(s).toBeLessThanOrEqual(-1)));
      // the labelled unit's negative colour appears in every image (1–2 patches)
      expect(counts[paletteIndex(design.units[data.labels[i]].negative[0].colour)]).toBeGreaterThan(0);
    }
  });

  it('writes images of palette colours only, consistent with colour indices and counts, never black on white', () => {
    const design = createLabDesign({ imageSize: 16 });
    const data = generateDesignedData(design, 6, { seed: 1 });
    const HW = 16 * 16;
    for (let i = 0; i < 6; i++) {
      const counts = new Int32Array(P);
      for (let p = 0; p < HW; p++) {
        const c = data.colours[i * HW + p];
        counts[c]++;
        const o = (i * HW + p) * 3;
        expect([data.images[o], data.images[o + 1], data.images[o + 2]]).toEqual([c & 1, (c >> 1) & 1, (c >> 2) & 1]);
      }
      expect(Array.from(counts)).toEqual(Array.from(data.counts.subarray(i * P, (i + 1) * P)));
      expect(counts[paletteIndex('black')]).toBe(0);
      expect(counts[paletteIndex('white')]).toBeGreaterThan(HW / 2);
    }
  });

  it('separates patches by at least one background pixel and sums their pixels to the non-background count', () => {
    const design = createLabDesign({ imageSize: 16 });
    const data = generateDesignedData(design, 5, { seed: 9 });
    const bg = paletteIndex('white');
    for (let i = 0; i < 5; i++) {
      const grid = data.colours.subarray(i * 256, (i + 1) * 256);
      const nonBg = grid.reduce((s, c) => s + (c !== bg ? 1 : 0), 0);
      expect(data.patches[i].reduce((s, p) => s + p.pixels, 0)).toBe(nonBg);
      // 4-neighbours of different non-background colours never touch
      for (let r = 0; r < 16; r++) {
        for (let c = 0; c < 15; c++) {
          const a = grid[r * 16 + c];
          const b = grid[r * 16 + c + 1];
          if (a !== bg && b !== bg) expect(a).toBe(b);
        }
      }
    }
  });

  it('is reproducible by seed and sample i depends only on seed and i', () => {
    const design = createLabDesign({ imageSize: 16 });
    const a = generateDesignedData(design, 4, { seed: 5 });
    const b = generateDesignedData(design, 7, { seed: 5 });
    const c = generateDesignedData(design, 4, { seed: 6 });
    expect(Array.from(b.colours.subarray(0, 4 * 256))).toEqual(Array.from(a.colours));
    expect(Array.from(c.colours)).not.toEqual(Array.from(a.colours));
  });

  it('labels a regression sample with its exact output 2·n_red + n_green − n_cyan ≥ 2', () => {
    const design = createLabDesign({ task: 'regression', imageSize: 16 });
    const data = generateDesignedData(design, 8, { seed: 2 });
    for (let i = 0; i < 8; i++) {
      const n = (c: string): number => data.counts[i * P + paletteIndex(c as never)];
      expect(data.labels[i]).toBe(2 * n('red') + n('green') - n('cyan'));
      expect(data.labels[i]).toBeGreaterThanOrEqual(2); // margin = largest weight
    }
  });

  it('draws only rectangles or only blobs as asked', () => {
    const rect = generateDesignedData(createLabDesign({ imageSize: 16, shapes: ['rect'] }), 3, { seed: 1 });
    const blob = generateDesignedData(createLabDesign({ imageSize: 16, shapes: ['blob'], patchSize: [4, 5] }), 3, { seed: 1 });
    expect(rect.patches.flat().every((p) => p.shape === 'rect' && p.pixels === p.height * p.width)).toBe(true);
    expect(blob.patches.flat().every((p) => p.shape === 'blob' && p.pixels < p.height * p.width)).toBe(true); // discs drop the corners
  });

  it('throws InvalidValueError for a bad count, seed or option, and for an unsatisfiable design', () => {
    const design = createLabDesign({ imageSize: 16 });
    expect(() => generateDesignedData(design, 0)).toThrow(/count must be a positive integer/);
    expect(() => generateDesignedData(design, 2, { seed: NaN })).toThrow(/seed must be a finite number/);
    expect(() => generateDesignedData(design, 2, { seeds: 1 } as never)).toThrow(/unknown option 'seeds'/);
    const impossible = createLabDesign({ imageSize: 8, units: [{ positive: ['red'], threshold: 60 }, { positive: ['green'] }] });
    expect(() => generateDesignedData(impossible, 1)).toThrow(InvalidValueError);
    expect(() => generateDesignedData(impossible, 1)).toThrow(/design must admit an image of unit 'red'/);
  });
});
