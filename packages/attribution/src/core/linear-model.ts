import { InvalidValueError, ShapeError } from '@lab/tensor';

/**
 * A fitted linear surrogate `ŷ = intercept + Σ_j coefficients[j]·z_j`.
 * @category Core
 */
export interface LinearFit {
  /** One coefficient per column of the design matrix. */
  coefficients: Float64Array;
  /** The unpenalised intercept (0 when the fit has none). */
  intercept: number;
}

/** Options of {@link weightedRidge}. @category Core */
export interface WeightedRidgeOptions {
  /** Ridge strength α ≥ 0 (penalty α·‖β‖², not scaled by the sample count, as scikit-learn's `Ridge`). @defaultValue 0 */
  alpha?: number;
  /** Whether to fit an unpenalised intercept. @defaultValue true */
  intercept?: boolean;
}

/**
 * Fits a weighted ridge regression in float64: the minimiser of
 * `Σ_s w_s (y_s − c − z_s·β)² + α‖β‖²` over β (and the intercept c when requested).
 *
 * With an intercept, the columns and targets are centred on their weighted means, so the intercept is
 * not penalised (scikit-learn's `Ridge(fit_intercept=True)` with `sample_weight`). The normal
 * equations `(ZᵀWZ + αI)β = ZᵀWy` are solved by {@link solveSymmetric}, which adds a relative
 * jitter of 1e-10 to the diagonal, so rank-deficient designs (few samples, α = 0) return the
 * near-minimum-norm solution instead of failing.
 * @param z - design matrix, row-major `[rows, cols]`
 * @param rows - number of samples
 * @param cols - number of features
 * @param y - targets, length `rows`
 * @param w - non-negative sample weights, length `rows`
 * @returns coefficients (length `cols`) and intercept
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} when a length does not match; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for negative weights or α.
 * @example
 * ```ts
 * // y = 1 + 2·z on three points
 * const fit = weightedRidge(Float64Array.of(0, 1, 2), 3, 1, [1, 3, 5], [1, 1, 1]);
 * fit.coefficients[0]; // 2
 * ```
 * @category Core
 */
export function weightedRidge(
  z: ArrayLike<number>,
  rows: number,
  cols: number,
  y: ArrayLike<number>,
  w: ArrayLike<number>,
  options: WeightedRidgeOptions = {},
): LinearFit {
  const fn = 'weightedRidge';
  const alpha = options.alpha ?? 0;
  const withIntercept = options.intercept ?? true;
  if (z.length !== rows * cols) throw new ShapeError(`${fn}: z must have rows·cols = ${rows * cols} entries, got ${z.length}`);
  if (y.length !== rows) throw new ShapeError(`${fn}: y must have ${rows} entries, got ${y.length}`);
  if (w.length !== rows) throw new ShapeError(`${fn}: w must have ${rows} entries, got ${w.length}`);
  if (!(alpha >= 0) || !Number.isFinite(alpha)) throw new InvalidValueError(`${fn}: alpha must be a finite number >= 0, got ${alpha}`);
  let wSum = 0;
  for (let s = 0; s < rows; s++) {
    if (!(w[s] >= 0) || !Number.isFinite(w[s])) throw new InvalidValueError(`${fn}: w[${s}] must be finite and >= 0, got ${w[s]}`);
    wSum += w[s];
  }
  const zMean = new Float64Array(cols);
  let yMean = 0;
  if (withIntercept && wSum > 0) {
    for (let s = 0; s < rows; s++) {
      const ws = w[s] / wSum;
      yMean += ws * y[s];
      for (let j = 0; j < cols; j++) zMean[j] += ws * z[s * cols + j];
    }
  }
  const a = new Float64Array(cols * cols);
  const b = new Float64Array(cols);
  const zc = new Float64Array(cols);
  for (let s = 0; s < rows; s++) {
    const ws = w[s];
    if (ws === 0) continue;
    for (let j = 0; j < cols; j++) zc[j] = z[s * cols + j] - zMean[j];
    const yc = y[s] - yMean;
    for (let j = 0; j < cols; j++) {
      const wj = ws * zc[j];
      if (wj === 0) continue;
      b[j] += wj * yc;
      for (let k = j; k < cols; k++) a[j * cols + k] += wj * zc[k];
    }
  }
  for (let j = 0; j < cols; j++) {
    for (let k = 0; k < j; k++) a[j * cols + k] = a[k * cols + j];
    a[j * cols + j] += alpha;
  }
  const coefficients = solveSymmetric(a, b, cols);
  let intercept = 0;
  if (withIntercept) {
    intercept = yMean;
    for (let j = 0; j < cols; j++) intercept -= zMean[j] * coefficients[j];
  }
  return { coefficients, intercept };
}

/**
 * Solves `A·x = b` for a symmetric positive semi-definite `A` in float64 by Gaussian elimination with
 * partial pivoting, after adding `1e-10·max(diag A)` to the diagonal (Tikhonov jitter), so singular
 * systems return the near-minimum-norm solution.
 * @param a - `[n, n]` row-major (not modified)
 * @param b - right-hand side, length `n` (not modified)
 * @param n - size
 * @returns x, length `n`
 * @example
 * ```ts
 * solveSymmetric([2, 1, 1, 3], [3, 5], 2); // ≈ [0.8, 1.4]
 * ```
 * @category Core
 */
export function solveSymmetric(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(m[i * n + i]));
  const jitter = maxDiag > 0 ? 1e-10 * maxDiag : 1e-300;
  for (let i = 0; i < n; i++) m[i * n + i] += jitter;
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]) > Math.abs(m[piv * n + col])) piv = r;
    if (piv !== col) {
      for (let k = 0; k < n; k++) {
        const t = m[col * n + k];
        m[col * n + k] = m[piv * n + k];
        m[piv * n + k] = t;
      }
      const t = x[col];
      x[col] = x[piv];
      x[piv] = t;
    }
    const p = m[col * n + col];
    if (p === 0) continue;
    for (let r = col + 1; r < n; r++) {
      const f = m[r * n + col] / p;
      if (f === 0) continue;
      for (let k = col; k < n; k++) m[r * n + k] -= f * m[col * n + k];
      x[r] -= f * x[col];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= m[i * n + k] * x[k];
    const p = m[i * n + i];
    x[i] = p === 0 ? 0 : s / p;
  }
  return x;
}
