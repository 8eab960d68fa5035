import { UnknownNameError } from '@lab/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { ITracker } from '../../src/models/itracker/itracker';
import { findModel, models } from '../../src/models/registry';
import { TinyTracker } from '../../src/models/tinytracker/tinytracker';
import { TinyTrackerS } from '../../src/models/tinytracker-s/tinytracker-s';
import { useBackend } from '../helpers';

describe('findModel', () => {
  beforeAll(() => useBackend('cpu'));

  it('builds each registered model with its key as name', () => {
    expect(Object.keys(models)).toEqual(['tinytracker', 'tinytracker-s', 'itracker']);
    for (const [key, e] of Object.entries(models)) expect(e.name).toBe(key);
    const a = findModel('tinytracker').factory({ inputSize: 64 });
    const b = findModel('tinytracker-s').factory();
    try {
      expect(a).toBeInstanceOf(TinyTracker);
      expect(a.inputShape).toEqual([64, 64, 3]);
      expect(b).toBeInstanceOf(TinyTrackerS);
      const c = models.itracker.factory();
      expect(c).toBeInstanceOf(ITracker);
      c.dispose();
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('throws UnknownNameError listing the valid keys', () => {
    expect(() => findModel('tiny')).toThrow(UnknownNameError);
    expect(() => findModel('tiny')).toThrow(/unknown gaze model 'tiny'; valid: itracker, tinytracker, tinytracker-s/);
  });
});
