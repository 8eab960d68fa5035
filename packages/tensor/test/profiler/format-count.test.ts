import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../../src/errors';
import { formatCount } from '../../src/profiler/index';

describe('formatCount', () => {
  it('prints the published figures with two decimals (125.49 M, 58.53 G, 893.94 K)', () => {
    expect(formatCount(125_485_696)).toBe('125.49 M'); // ResNet-56 MACs
    expect(formatCount(58.53e9)).toBe('58.53 G'); // IMDN baseline NTIRE FLOPs
    expect(formatCount(893_936)).toBe('893.94 K'); // IMDN baseline params
    expect(formatCount(1.5e12)).toBe('1.50 T');
  });

  it('prints counts below 1000 as integers and keeps the sign', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(512)).toBe('512');
    expect(formatCount(-2_500)).toBe('-2.50 K');
  });

  it('moves to the next unit when rounding carries (999,999 → 1.00 M)', () => {
    expect(formatCount(999_999)).toBe('1.00 M');
    expect(formatCount(999_994)).toBe('999.99 K');
  });

  it('honours digits', () => {
    expect(formatCount(853_018, { digits: 3 })).toBe('853.018 K');
    expect(formatCount(853_018, { digits: 0 })).toBe('853 K');
  });

  it('rejects non-finite counts, bad digits and unknown options with InvalidValueError', () => {
    expect(() => formatCount(Number.NaN)).toThrow(/formatCount: n must be a finite number/);
    expect(() => formatCount(Infinity)).toThrow(InvalidValueError);
    expect(() => formatCount(1, { digits: 1.5 })).toThrow(/digits/);
    expect(() => formatCount(1, { precision: 2 } as object)).toThrow(/unknown option 'precision'/);
  });
});
