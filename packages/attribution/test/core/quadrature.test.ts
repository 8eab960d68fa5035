import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '@lab/tensor';
import { QUADRATURE_RULES, quadrature } from '../../src/core/quadrature';

/** IG of f(x) = x³ at x = 1 with b = 0 under a rule: Σ w_k · f'(α_k) · (x − b) = Σ w_k · 3α_k². */
function cubeIg(alphas: ArrayLike<number>, weights: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < alphas.length; k++) s += weights[k] * 3 * alphas[k] ** 2;
  return s;
}

/**
 * Captum's riemann_trapezoid (test-only reimplementation of the bug, spec §2): nodes evenly from 0
 * to 1 with both ends, step sizes 1/n with the first and last halved, so Σw = (n − 1)/n.
 */
function captumTrapezoid(n: number): { alphas: number[]; weights: number[] } {
  const alphas = Array.from({ length: n }, (_, k) => k / (n - 1));
  const weights = Array.from({ length: n }, (_, k) => (k === 0 || k === n - 1 ? 0.5 : 1) / n);
  return { alphas, weights };
}

describe('quadrature', () => {
  it('gives the spec §6 x³ table at n=2: left 0.375, right 1.875, midpoint 0.9375, Gauss–Legendre 1', () => {
    const ig = (rule: Parameters<typeof quadrature>[0]) => {
      const q = quadrature(rule, 2);
      return cubeIg(q.alphas, q.weights);
    };
    expect(ig('riemann-left')).toBeCloseTo(0.375, 14); // spec §6 quadrature table
    expect(ig('riemann-right')).toBeCloseTo(1.875, 14); // spec §6 quadrature table
    expect(ig('riemann-middle')).toBeCloseTo(0.9375, 14); // spec §6 quadrature table (error 1/(4n²))
    expect(ig('gauss-legendre')).toBeCloseTo(1, 14); // spec §6: exact, degree 2 ≤ 2n − 1 = 3
  });

  it('gives 1.5 for the correct trapezoid at n=2 and Captum-style trapezoid gives 0.75 (0.980 at n=50)', () => {
    // Correct trapezoid, n = 2: nodes α = 0, 1 with weights ½, ½ (h = 1/(n−1) = 1, ends halved):
    // ½·3·0² + ½·3·1² = 1.5 — the trapezoid's error for g(α) = 3α² is (1/12)·h²·g'' = (1/12)·6 = 0.5.
    const t = quadrature('riemann-trapezoid', 2);
    expect(Array.from(t.alphas)).toEqual([0, 1]);
    expect(Array.from(t.weights)).toEqual([0.5, 0.5]);
    expect(cubeIg(t.alphas, t.weights)).toBeCloseTo(1.5, 14); // hand derivation above
    // Captum's weights at n = 2: ¼, ¼ → ¼·0 + ¼·3 = 0.75 (spec §6 table).
    const c2 = captumTrapezoid(2);
    expect(cubeIg(c2.alphas, c2.weights)).toBeCloseTo(0.75, 14); // spec §6 table
    const c50 = captumTrapezoid(50);
    // (1/50)(3·Σk²/49² − 1.5) = (1/50)(3·40425/2401 − 1.5) = 0.98020… (spec §6: 0.980 at n = 50)
    expect(cubeIg(c50.alphas, c50.weights)).toBeCloseTo(0.9802, 4);
    // The correct trapezoid at n = 50: error (1/12)·h²·(g'(1) − g'(0)) = (1/12)(1/49²)·6 = 1/(2·49²).
    const t50 = quadrature('riemann-trapezoid', 50);
    expect(cubeIg(t50.alphas, t50.weights)).toBeCloseTo(1 + 1 / (2 * 49 ** 2), 12); // Euler–Maclaurin, exact for cubics
  });

  it('has weights summing to 1 for every rule at n=2..64', () => {
    for (const rule of QUADRATURE_RULES) {
      for (let n = 2; n <= 64; n++) {
        const { weights } = quadrature(rule, n);
        expect(Math.abs(weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-13);
      }
    }
  });

  it('integrates α^p exactly for p ≤ 2n−1 with Gauss–Legendre, n=1..64', () => {
    for (let n = 1; n <= 64; n++) {
      const { alphas, weights } = quadrature('gauss-legendre', n);
      expect(Math.abs(weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-13);
      for (let k = 1; k < n; k++) expect(alphas[k]).toBeGreaterThan(alphas[k - 1]);
      for (const p of [1, 2, n, 2 * n - 1].filter((q) => q <= 2 * n - 1)) {
        let s = 0;
        for (let k = 0; k < n; k++) s += weights[k] * alphas[k] ** p;
        const exact = 1 / (p + 1); // ∫₀¹ α^p dα
        expect(Math.abs(s - exact) / exact).toBeLessThan(1e-12);
      }
    }
  });

  it('places n=2 Gauss–Legendre nodes at (1 ∓ 1/√3)/2 with weights ½', () => {
    const { alphas, weights } = quadrature('gauss-legendre', 2);
    expect(alphas[0]).toBeCloseTo((1 - 1 / Math.sqrt(3)) / 2, 15); // roots of P₂ = ±1/√3, mapped to [0, 1]
    expect(alphas[1]).toBeCloseTo((1 + 1 / Math.sqrt(3)) / 2, 15);
    expect(Array.from(weights)).toEqual([0.5, 0.5].map((w) => expect.closeTo(w, 15)));
  });

  it('rejects an unknown rule and a bad n, naming the argument', () => {
    expect(() => quadrature('simpson' as never, 4)).toThrow(InvalidValueError);
    expect(() => quadrature('simpson' as never, 4)).toThrow(/rule/);
    expect(() => quadrature('gauss-legendre', 0)).toThrow(/n must be/);
    expect(() => quadrature('riemann-trapezoid', 1)).toThrow(/n must be an integer >= 2/);
    expect(() => quadrature('riemann-left', 2.5)).toThrow(InvalidValueError);
  });
});
