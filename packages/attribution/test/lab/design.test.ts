import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { ATTRIBUTION_LAB_DEFAULTS, createLabDesign, designedOutputs } from '../../src/lab/design';

describe('createLabDesign', () => {
  it('builds three classes +red−cyan, +green−magenta, +blue−cyan with threshold 20 at 32×32 on white', () => {
    const d = createLabDesign();
    expect(d.units.map((u) => u.name)).toEqual(['red', 'green', 'blue']);
    expect(d.units.map((u) => u.threshold)).toEqual([20, 20, 20]); // round(0.02 · 1024)
    expect(d.units[0].colourWeights).toEqual([0, 1, 0, 0, 0, 0, -1, 0]); // red +1, cyan −1
    expect(d.background).toBe('white');
    expect(d.distractors).toEqual(['yellow']);
    expect(d.dataColours).toEqual(['red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white']); // no black
    expect(d.outputs).toBe(3);
    expect(d.patchSize).toEqual([2, 6]); // round(32 / 5)
    expect(Object.isFrozen(d)).toBe(true);
    expect(Object.isFrozen(ATTRIBUTION_LAB_DEFAULTS)).toBe(true);
  });

  it('uses a black background with inDistributionBaseline and threshold 5 at 16×16', () => {
    const d = createLabDesign({ imageSize: 16, inDistributionBaseline: true });
    expect(d.background).toBe('black');
    expect(d.units[0].threshold).toBe(5); // round(0.02 · 256)
    expect(d.dataColours).not.toContain('white');
  });

  it('builds one regression unit +2·red +green −cyan with threshold 0', () => {
    const d = createLabDesign({ task: 'regression', imageSize: [12, 20] });
    expect([d.height, d.width, d.outputs]).toEqual([12, 20, 1]);
    expect(d.units[0].colourWeights).toEqual([0, 2, 1, 0, 0, 0, -1, 0]);
    expect(d.units[0].margin).toBe(2);
    expect(designedOutputs(d, [0, 10, 3, 0, 0, 0, 4, 223])).toEqual([19]); // 2·10 + 3 − 4
  });

  it('gives logits ReLU(e − θ) per class for given counts', () => {
    const d = createLabDesign({ imageSize: 16 });
    // counts: red 10, green 3, cyan 2 → e = (8, 3, −2), θ = 5 → (3, 0, 0)
    expect(designedOutputs(d, [0, 10, 3, 0, 0, 0, 2, 241])).toEqual([3, 0, 0]);
  });

  it('throws InvalidValueError naming the argument for invalid options', () => {
    const bad: [object, RegExp][] = [
      [{ colour: 'red' }, /unknown option 'colour'/],
      [{ task: 'segmentation' }, /task must be/],
      [{ imageSize: 4 }, /imageSize must be an integer >= 8/],
      [{ sharpness: 1.5 }, /sharpness must be an integer >= 1/],
      [{ patchSize: [3, 2] }, /patchSize must be/],
      [{ shapes: ['star'] }, /shapes must be/],
      [{ units: [{ positive: ['red'] }] }, /at least 2 classes/],
      [{ task: 'regression', units: [{ positive: ['red'] }, { positive: ['blue'] }] }, /exactly 1 unit/],
      [{ units: [{ positive: ['white'] }, { positive: ['red'] }] }, /units\[0\]\.positive must not use the background/],
      [{ units: [{ positive: ['red'], negative: ['red'] }, { positive: ['blue'] }] }, /each colour once/],
      [{ units: [{ positive: [{ colour: 'red', weight: 0.5 }] }, { positive: ['blue'] }] }, /weight must be an integer >= 1/],
      [{ units: [{ positive: ['red'], threshold: -1 }, { positive: ['blue'] }] }, /threshold must be an integer >= 0/],
      [{ distractors: ['red'] }, /distractors must be colours no unit reads/],
      [{ distractors: ['white'] }, /must not include the background/],
    ];
    for (const [opts, msg] of bad) {
      expect(() => createLabDesign(opts as never), JSON.stringify(opts)).toThrow(InvalidValueError);
      expect(() => createLabDesign(opts as never), JSON.stringify(opts)).toThrow(msg);
    }
  });
});
