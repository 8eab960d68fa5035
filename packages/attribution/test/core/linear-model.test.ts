import { describe, expect, it } from 'vitest';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { solveSymmetric, weightedRidge } from '../../src/core/linear-model';

describe('weightedRidge', () => {
  it('fits y = 1 + 2z exactly on three points', () => {
    const fit = weightedRidge(Float64Array.of(0, 1, 2), 3, 1, [1, 3, 5], [1, 1, 1]);
    expect(fit.coefficients[0]).toBeCloseTo(2, 8); // hand: exact line
    expect(fit.intercept).toBeCloseTo(1, 8);
  });

  it('shrinks by α with the intercept unpenalised: z = (−1, 1), y = (−1, 1), α = 2 → β = 2/(2 + 2) = 0.5', () => {
    // centred: ZᵀZ = 2, Zᵀy = 2 → β = 2/(2 + α)
    const fit = weightedRidge(Float64Array.of(-1, 1), 2, 1, [-1 + 5, 1 + 5], [1, 1], { alpha: 2 });
    expect(fit.coefficients[0]).toBeCloseTo(0.5, 8); // (the solver adds a 1e-10 relative jitter)
    expect(fit.intercept).toBeCloseTo(5, 8);
  });

  it('weights samples: weight 0 removes an outlier', () => {
    const fit = weightedRidge(Float64Array.of(0, 1, 2, 3), 4, 1, [0, 1, 2, 100], [1, 1, 1, 0]);
    expect(fit.coefficients[0]).toBeCloseTo(1, 8);
  });

  it('returns the near-minimum-norm solution for duplicated columns (α = 0)', () => {
    const fit = weightedRidge(Float64Array.of(1, 1, 0, 0, 1, 1), 3, 2, [2, 0, 2], [1, 1, 1], { intercept: false });
    expect(fit.coefficients[0]).toBeCloseTo(1, 6); // y = 2·z and z appears twice: split evenly
    expect(fit.coefficients[1]).toBeCloseTo(1, 6);
  });

  it('throws ShapeError for mismatched lengths and InvalidValueError for negative weights or α', () => {
    expect(() => weightedRidge([1, 2], 2, 2, [1, 2], [1, 1])).toThrow(ShapeError);
    expect(() => weightedRidge([1, 2], 2, 1, [1, 2], [1, -1])).toThrow(/w\[1\] must be finite and >= 0/);
    expect(() => weightedRidge([1, 2], 2, 1, [1, 2], [1, 1], { alpha: -1 })).toThrow(InvalidValueError);
  });
});

describe('solveSymmetric', () => {
  it('solves a 2×2 system [[2,1],[1,3]]·x = [3,5] → x = (0.8, 1.4)', () => {
    const x = solveSymmetric([2, 1, 1, 3], [3, 5], 2);
    expect(x[0]).toBeCloseTo(0.8, 8); // hand: Cramer's rule, det = 5
    expect(x[1]).toBeCloseTo(1.4, 8);
  });
});
