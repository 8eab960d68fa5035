import { UnknownNameError } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import { createMethod, methods, type MethodName } from '../src/index';

const LAYER_CONFIG = { layer: 'features' };
const CONFIGS: Partial<Record<MethodName, object>> = {
  'grad-cam': LAYER_CONFIG,
  'guided-grad-cam': LAYER_CONFIG,
  iba: LAYER_CONFIG,
  occlusion: { window: [1, 2, 2, 1] },
};

describe('methods', () => {
  it('builds every entry into a method whose name is its registry key and whose sign flag agrees', () => {
    for (const name of Object.keys(methods) as MethodName[]) {
      const m = (createMethod as (n: string, c?: object) => ReturnType<typeof createMethod>)(name, CONFIGS[name]);
      expect(m.name, name).toBe(name);
      expect(m.signed, name).toBe(methods[name].signed);
      expect(typeof m.attribute).toBe('function');
    }
  });

  it('marks exactly the layer methods as needing a layer', () => {
    const needing = (Object.keys(methods) as MethodName[]).filter((n) => methods[n].needsLayer).sort();
    expect(needing).toEqual(['grad-cam', 'guided-grad-cam', 'iba']);
  });

  it('rejects an unknown name with UnknownNameError listing the valid names', () => {
    expect(() => (createMethod as (n: string) => unknown)('integrated-gradient')).toThrow(UnknownNameError);
    expect(() => (createMethod as (n: string) => unknown)('integrated-gradient')).toThrow(/integrated-gradients/);
  });
});
