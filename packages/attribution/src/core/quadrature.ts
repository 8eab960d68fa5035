/**
 * Quadrature rules on [0, 1] for path integrals (Integrated Gradients).
 * @packageDocumentation
 */
import { InvalidValueError } from '@lab/tensor';

/**
 * A quadrature rule on [0, 1]. Riemann rules use `n` equal sub-intervals; the trapezoid uses `n`
 * nodes including both ends; Gauss–Legendre uses the `n` roots of the Legendre polynomial `P_n`.
 * @category Core
 */
export type QuadratureRule = 'riemann-left' | 'riemann-right' | 'riemann-middle' | 'riemann-trapezoid' | 'gauss-legendre';

/** The valid {@link QuadratureRule} names. @category Core */
export const QUADRATURE_RULES: readonly QuadratureRule[] = Object.freeze([
  'riemann-left',
  'riemann-right',
  'riemann-middle',
  'riemann-trapezoid',
  'gauss-legendre',
] as QuadratureRule[]);

/** Nodes and weights of a quadrature rule on [0, 1]; `Σ weights = 1`. @category Core */
export interface Quadrature {
  /** Nodes `α_k ∈ [0, 1]`, ascending. */
  alphas: Float64Array;
  /** Weights `w_k > 0`, summing to 1. */
  weights: Float64Array;
}

/**
 * Computes the nodes and weights of a quadrature rule on [0, 1], so that
 * `∫₀¹ g(α) dα ≈ Σ_k w_k g(α_k)`.
 *
 * - `riemann-left`: `α_k = k/n`; `riemann-right`: `α_k = (k+1)/n`; `riemann-middle`:
 *   `α_k = (k+½)/n`; all with `w_k = 1/n`.
 * - `riemann-trapezoid`: `α_k = k/(n−1)`, `w_k = 1/(n−1)` with both ends halved (`Σ w = 1`; Captum's
 *   version uses `1/n` and loses `1/n` of completeness, see the spec §2). Needs `n ≥ 2`.
 * - `gauss-legendre`: `α_k = (ξ_k + 1)/2`, `w_k = w_ξ,k / 2` where `ξ_k` are the roots of `P_n`
 *   (Newton's method on the three-term recurrence, in float64) and
 *   `w_ξ = 2 / ((1 − ξ²) P_n′(ξ)²)`. Exact for polynomials of degree ≤ `2n − 1`.
 * @param rule - the rule
 * @param n - number of nodes, an integer ≥ 1 (≥ 2 for the trapezoid)
 * @returns nodes and weights, float64
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an unknown rule or a bad `n`.
 * @see arXiv 1703.01365 (Integrated Gradients); Captum `approximation_methods.py`
 * @example
 * ```ts
 * const { alphas, weights } = quadrature('gauss-legendre', 2);
 * // alphas ≈ [0.2113, 0.7887], weights = [0.5, 0.5]
 * ```
 * @category Core
 */
export function quadrature(rule: QuadratureRule, n: number): Quadrature {
  const fn = 'quadrature';
  if (!QUADRATURE_RULES.includes(rule)) {
    throw new InvalidValueError(`${fn}: rule must be one of ${QUADRATURE_RULES.join(', ')}, got ${String(rule)}`);
  }
  const min = rule === 'riemann-trapezoid' ? 2 : 1;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new InvalidValueError(`${fn}: n must be an integer >= ${min} for ${rule}, got ${String(n)}`);
  }
  const alphas = new Float64Array(n);
  const weights = new Float64Array(n);
  switch (rule) {
    case 'riemann-left':
    case 'riemann-right':
    case 'riemann-middle': {
      const shift = rule === 'riemann-left' ? 0 : rule === 'riemann-right' ? 1 : 0.5;
      for (let k = 0; k < n; k++) {
        alphas[k] = (k + shift) / n;
        weights[k] = 1 / n;
      }
      break;
    }
    case 'riemann-trapezoid':
      for (let k = 0; k < n; k++) {
        alphas[k] = k / (n - 1);
        weights[k] = (k === 0 || k === n - 1 ? 0.5 : 1) / (n - 1);
      }
      break;
    case 'gauss-legendre':
      gaussLegendre(n, alphas, weights);
      break;
  }
  return { alphas, weights };
}

/** Gauss–Legendre nodes on [0, 1] (ascending) and weights, by Newton's method on `P_n`. */
function gaussLegendre(n: number, alphas: Float64Array, weights: Float64Array): void {
  const half = Math.floor((n + 1) / 2);
  for (let i = 0; i < half; i++) {
    // Tricomi's initial guess for the i-th largest root.
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      // p1 = P_n(x), p0 = P_{n−1}(x); P_n′(x) = n (x P_n − P_{n−1}) / (x² − 1).
      dp = n === 1 ? 1 : (n * (x * p1 - p0)) / (x * x - 1);
      const dx = n === 1 ? x : p1 / dp;
      x -= dx;
      if (Math.abs(dx) <= 1e-15) break;
    }
    // Recompute P_n′ at the converged root for the weight.
    let p0 = 1;
    let p1 = x;
    for (let k = 2; k <= n; k++) {
      const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
      p0 = p1;
      p1 = p2;
    }
    dp = n === 1 ? 1 : (n * (x * p1 - p0)) / (x * x - 1);
    const w = 2 / ((1 - x * x) * dp * dp);
    // Root x > 0 (or 0 for the middle of odd n) → mirrored pair ±x on [−1, 1].
    const hi = n - 1 - i;
    alphas[hi] = (1 + x) / 2;
    alphas[i] = (1 - x) / 2;
    weights[hi] = w / 2;
    weights[i] = w / 2;
  }
}
