import { describe, expect, it } from 'vitest';
import { UnknownNameError } from '@lab/tensor';
import { createCriterion, criteria } from '../../src/criteria/registry';

describe('criteria', () => {
  it('holds the seven criteria of the spec under kebab-case keys, each with its name and reference', () => {
    expect(Object.keys(criteria)).toEqual(['l1', 'l2', 'bn-scale', 'taylor', 'fpgm', 'hessian', 'random']);
    for (const [key, entry] of Object.entries(criteria)) {
      expect(entry.create().name).toBe(key);
      expect(entry.reference).toMatch(/\d{4}/);
    }
  });
});

describe('createCriterion', () => {
  it('builds a criterion by name with options, and names the valid keys on a miss', () => {
    expect(createCriterion('taylor', { reduction: 'sum' }).needs).toBe('gradients');
    expect(createCriterion('hessian').needs).toBe('fisher');
    expect(() => createCriterion('l3')).toThrow(UnknownNameError);
    expect(() => createCriterion('l3')).toThrow(/unknown criterion 'l3'; valid: bn-scale, fpgm, hessian, l1, l2, random, taylor/);
    expect(() => createCriterion('l1', { p: 2 })).toThrow(/unknown option 'p'/);
  });
});
