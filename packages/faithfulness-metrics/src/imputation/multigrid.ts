/**
 * A 9-point-stencil SPD system on a masked grid, its geometric multigrid hierarchy, and
 * conjugate gradient preconditioned by one symmetric V-cycle (or by the diagonal), for `C`
 * right-hand sides at once (channel-interleaved vectors). Internal to the noisy linear imputer.
 * @packageDocumentation
 */
import { invariant } from '@lab/tensor';

/**
 * One grid level: `n` unknowns on an `H × W` grid, each with a 3×3 stencil. Stencil slot
 * `k = (dy + 1)·3 + (dx + 1)`; slot 4 is the diagonal. `nb[u·9 + k]` is the unknown at that
 * offset, or `n` (a dummy slot that always holds 0) when the neighbour is outside the grid or fixed.
 */
export interface StencilLevel {
  readonly height: number;
  readonly width: number;
  readonly n: number;
  /** Grid index `y·W + x` of each unknown, ascending. */
  readonly pix: Int32Array;
  readonly nb: Int32Array;
  readonly a: Float64Array;
}

/** `y = A x` for `C` interleaved vectors of length `(n + 1)·C` (the last `C` entries are the dummy 0). */
export function stencilMatvec(L: StencilLevel, C: number, x: Float64Array, y: Float64Array): void {
  const { n, nb, a } = L;
  if (C === 1) {
    for (let u = 0; u < n; u++) {
      const o = u * 9;
      y[u] =
        a[o] * x[nb[o]] + a[o + 1] * x[nb[o + 1]] + a[o + 2] * x[nb[o + 2]] + a[o + 3] * x[nb[o + 3]] + a[o + 4] * x[u] +
        a[o + 5] * x[nb[o + 5]] + a[o + 6] * x[nb[o + 6]] + a[o + 7] * x[nb[o + 7]] + a[o + 8] * x[nb[o + 8]];
    }
    return;
  }
  if (C === 3) {
    for (let u = 0; u < n; u++) {
      const o = u * 9;
      const w0 = a[o], w1 = a[o + 1], w2 = a[o + 2], w3 = a[o + 3], w4 = a[o + 4], w5 = a[o + 5], w6 = a[o + 6], w7 = a[o + 7], w8 = a[o + 8];
      const v0 = nb[o] * 3, v1 = nb[o + 1] * 3, v2 = nb[o + 2] * 3, v3 = nb[o + 3] * 3, v4 = u * 3, v5 = nb[o + 5] * 3, v6 = nb[o + 6] * 3, v7 = nb[o + 7] * 3, v8 = nb[o + 8] * 3;
      for (let c = 0; c < 3; c++) {
        y[v4 + c] =
          w0 * x[v0 + c] + w1 * x[v1 + c] + w2 * x[v2 + c] + w3 * x[v3 + c] + w4 * x[v4 + c] + w5 * x[v5 + c] + w6 * x[v6 + c] + w7 * x[v7 + c] + w8 * x[v8 + c];
      }
    }
    return;
  }
  for (let u = 0; u < n; u++) {
    const o = u * 9;
    for (let c = 0; c < C; c++) y[u * C + c] = 0;
    for (let k = 0; k < 9; k++) {
      const w = a[o + k];
      const v = nb[o + k] * C;
      for (let c = 0; c < C; c++) y[u * C + c] += w * x[v + c];
    }
  }
}

function gaussSeidel(L: StencilLevel, C: number, b: Float64Array, x: Float64Array, forward: boolean): void {
  const { n, nb, a } = L;
  for (let t = 0; t < n; t++) {
    const u = forward ? t : n - 1 - t;
    const o = u * 9;
    const inv = 1 / a[o + 4];
    if (C === 1) {
      const s =
        b[u] - a[o] * x[nb[o]] - a[o + 1] * x[nb[o + 1]] - a[o + 2] * x[nb[o + 2]] - a[o + 3] * x[nb[o + 3]] -
        a[o + 5] * x[nb[o + 5]] - a[o + 6] * x[nb[o + 6]] - a[o + 7] * x[nb[o + 7]] - a[o + 8] * x[nb[o + 8]];
      x[u] = s * inv;
      continue;
    }
    if (C === 3) {
      const w0 = a[o], w1 = a[o + 1], w2 = a[o + 2], w3 = a[o + 3], w5 = a[o + 5], w6 = a[o + 6], w7 = a[o + 7], w8 = a[o + 8];
      const v0 = nb[o] * 3, v1 = nb[o + 1] * 3, v2 = nb[o + 2] * 3, v3 = nb[o + 3] * 3, v5 = nb[o + 5] * 3, v6 = nb[o + 6] * 3, v7 = nb[o + 7] * 3, v8 = nb[o + 8] * 3;
      for (let c = 0; c < 3; c++) {
        x[u * 3 + c] =
          (b[u * 3 + c] - w0 * x[v0 + c] - w1 * x[v1 + c] - w2 * x[v2 + c] - w3 * x[v3 + c] - w5 * x[v5 + c] - w6 * x[v6 + c] - w7 * x[v7 + c] - w8 * x[v8 + c]) * inv;
      }
      continue;
    }
    for (let c = 0; c < C; c++) {
      let s = b[u * C + c];
      for (let k = 0; k < 9; k++) if (k !== 4) s -= a[o + k] * x[nb[o + k] * C + c];
      x[u * C + c] = s * inv;
    }
  }
}

/** Prolongation rows of a fine level: 4 (coarse unknown, weight) pairs per fine unknown, padded with the dummy. */
interface Transfer {
  readonly idx: Int32Array; // n_f·4
  readonly w: Float64Array; // n_f·4
}

/** Interpolation of fine coordinate `t` on a coarse axis of `nc` nodes (node `I` sits at `2I`). */
function axisWeights(t: number, nc: number, out: Float64Array): number {
  if ((t & 1) === 0) {
    out[0] = t >> 1;
    out[1] = 1;
    return 1;
  }
  const lo = (t - 1) >> 1;
  if (lo + 1 >= nc) {
    out[0] = lo;
    out[1] = 1;
    return 1;
  }
  out[0] = lo;
  out[1] = 0.5;
  out[2] = lo + 1;
  out[3] = 0.5;
  return 2;
}

/** The next coarser level: vertex-centred 2× coarsening, bilinear prolongation `P`, Galerkin `Pᵀ A P`. */
function coarsen(F: StencilLevel): { level: StencilLevel; transfer: Transfer } {
  const Wf = F.width;
  const Hc = ((F.height - 1) >> 1) + 1;
  const Wc = ((Wf - 1) >> 1) + 1;
  const ay = new Float64Array(4);
  const ax = new Float64Array(4);
  const node = new Int32Array(F.n * 4).fill(-1);
  const pw = new Float64Array(F.n * 4);
  const cid = new Int32Array(Hc * Wc).fill(-1);
  for (let u = 0; u < F.n; u++) {
    const p = F.pix[u];
    const y = (p / Wf) | 0;
    const ny = axisWeights(y, Hc, ay);
    const nx = axisWeights(p - y * Wf, Wc, ax);
    let m = u * 4;
    for (let i = 0; i < ny; i++) {
      for (let j = 0; j < nx; j++) {
        const g = ay[2 * i] * Wc + ax[2 * j];
        node[m] = g;
        pw[m++] = ay[2 * i + 1] * ax[2 * j + 1];
        cid[g] = 0;
      }
    }
  }
  let n = 0;
  for (let g = 0; g < Hc * Wc; g++) if (cid[g] === 0) cid[g] = n++;
  const pix = new Int32Array(n);
  const cy = new Int32Array(n + 1);
  const cx = new Int32Array(n + 1);
  for (let g = 0; g < Hc * Wc; g++) {
    const i = cid[g];
    if (i < 0) continue;
    pix[i] = g;
    cy[i] = (g / Wc) | 0;
    cx[i] = g - cy[i] * Wc;
  }
  const idx = new Int32Array(F.n * 4).fill(n);
  for (let q = 0; q < F.n * 4; q++) if (node[q] >= 0) idx[q] = cid[node[q]];
  const a = new Float64Array(n * 9);
  for (let u = 0; u < F.n; u++) {
    const o = u * 9;
    for (let k = 0; k < 9; k++) {
      const v = F.nb[o + k];
      if (v === F.n) continue;
      const auv = F.a[o + k];
      for (let s = u * 4, se = s + 4; s < se; s++) {
        const i = idx[s];
        if (i === n) break;
        const pu = pw[s] * auv;
        const yi = cy[i];
        const xi = cx[i];
        for (let t = v * 4, te = t + 4; t < te; t++) {
          const j = idx[t];
          if (j === n) break;
          const slot = (cy[j] - yi + 1) * 3 + (cx[j] - xi + 1);
          a[i * 9 + slot] += pu * pw[t];
        }
      }
    }
  }
  const nb = new Int32Array(n * 9).fill(n);
  for (let i = 0; i < n; i++) {
    const y = cy[i];
    const x = cx[i];
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= Hc) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if (xx < 0 || xx >= Wc) continue;
        const j = cid[yy * Wc + xx];
        if (j >= 0) nb[i * 9 + (dy + 1) * 3 + (dx + 1)] = j;
      }
    }
  }
  for (let i = 0; i < n; i++) invariant(a[i * 9 + 4] > 0, 'Galerkin coarse diagonal is positive');
  return { level: { height: Hc, width: Wc, n, pix, nb, a }, transfer: { idx, w: pw } };
}

/** The hierarchy stops below this many unknowns (or at a grid side of 2). */
const COARSEST_UNKNOWNS = 64;
/** Symmetric Gauss–Seidel sweeps on the coarsest level. */
const COARSEST_SWEEPS = 8;

/** A multigrid hierarchy: `levels[0]` is the system itself. */
export interface Hierarchy {
  readonly levels: readonly StencilLevel[];
  readonly transfers: readonly Transfer[];
}

/** Builds the hierarchy of `fine` (Galerkin coarse operators; one level when `multigrid` is false). */
export function buildHierarchy(fine: StencilLevel, multigrid = true): Hierarchy {
  const levels: StencilLevel[] = [fine];
  const transfers: Transfer[] = [];
  let cur = fine;
  while (multigrid && cur.n > COARSEST_UNKNOWNS && cur.height > 2 && cur.width > 2) {
    const { level, transfer } = coarsen(cur);
    if (level.n >= cur.n) break;
    levels.push(level);
    transfers.push(transfer);
    cur = level;
  }
  return { levels, transfers };
}

/** `z = V(r)`: one symmetric V-cycle from zero (forward Gauss–Seidel before, backward after). */
function vCycle(H: Hierarchy, C: number, r: Float64Array, z: Float64Array, scratch: Float64Array[][]): void {
  const cycle = (l: number, b: Float64Array, x: Float64Array): void => {
    const L = H.levels[l];
    x.fill(0);
    if (l === H.levels.length - 1) {
      for (let s = 0; s < COARSEST_SWEEPS; s++) {
        gaussSeidel(L, C, b, x, true);
        gaussSeidel(L, C, b, x, false);
      }
      return;
    }
    const [res, bc, xc] = scratch[l];
    const n = L.n;
    gaussSeidel(L, C, b, x, true);
    stencilMatvec(L, C, x, res);
    for (let q = 0; q < n * C; q++) res[q] = b[q] - res[q];
    const T = H.transfers[l];
    const nc = H.levels[l + 1].n;
    bc.fill(0);
    for (let u = 0; u < n; u++) {
      for (let s = u * 4, se = s + 4; s < se; s++) {
        const i = T.idx[s];
        if (i === nc) break;
        const w = T.w[s];
        for (let c = 0; c < C; c++) bc[i * C + c] += w * res[u * C + c];
      }
    }
    cycle(l + 1, bc, xc);
    for (let u = 0; u < n; u++) {
      for (let s = u * 4, se = s + 4; s < se; s++) {
        const i = T.idx[s];
        if (i === nc) break;
        const w = T.w[s];
        for (let c = 0; c < C; c++) x[u * C + c] += w * xc[i * C + c];
      }
    }
    gaussSeidel(L, C, b, x, false);
  };
  cycle(0, r, z);
}

/**
 * Preconditioner of the ROAD solver's conjugate gradient: `multigrid` (one symmetric geometric
 * V-cycle) or `jacobi` (the diagonal). See {@link NoisyLinearImputerOptions.preconditioner}.
 * @category Imputation
 */
export type Preconditioner = 'multigrid' | 'jacobi';

/**
 * Preconditioned conjugate gradient on `A X = B` for `C` interleaved right-hand sides (level 0 of
 * `H`; vectors of length `(n + 1)·C`, dummy tail 0), one recurrence per column. `x` holds the start
 * and is overwritten. Column `c` is done when `‖b_c − A x_c‖₂ ≤ tolerance·‖b_c‖₂`
 * (`≤ tolerance` when `b_c = 0`); stops when every column is done or after `maxIterations`.
 * Returns the iteration count.
 */
export function preconditionedCg(H: Hierarchy, preconditioner: Preconditioner, C: number, b: Float64Array, x: Float64Array, tolerance: number, maxIterations: number): number {
  const A = H.levels[0];
  const n = A.n;
  const len = (n + 1) * C;
  const r = new Float64Array(len);
  const z = new Float64Array(len);
  const p = new Float64Array(len);
  const q = new Float64Array(len);
  const scratch: Float64Array[][] = [];
  for (let l = 0; l + 1 < H.levels.length; l++) {
    const nc = (H.levels[l + 1].n + 1) * C;
    scratch.push([new Float64Array(len === 0 ? 0 : (H.levels[l].n + 1) * C), new Float64Array(nc), new Float64Array(nc)]);
  }
  const precond = (): void => {
    if (preconditioner === 'multigrid' && H.levels.length > 1) vCycle(H, C, r, z, scratch);
    else for (let u = 0; u < n; u++) for (let c = 0; c < C; c++) z[u * C + c] = r[u * C + c] / A.a[u * 9 + 4];
  };
  const stop = new Float64Array(C);
  const rr = new Float64Array(C);
  const rz = new Float64Array(C);
  const pq = new Float64Array(C);
  const alpha = new Float64Array(C);
  const beta = new Float64Array(C);
  stencilMatvec(A, C, x, q);
  for (let u = 0; u < n; u++) {
    for (let c = 0; c < C; c++) {
      const i = u * C + c;
      r[i] = b[i] - q[i];
      rr[c] += r[i] * r[i];
      stop[c] += b[i] * b[i];
    }
  }
  const done = (): boolean => {
    for (let c = 0; c < C; c++) if (rr[c] > stop[c]) return false;
    return true;
  };
  for (let c = 0; c < C; c++) stop[c] = tolerance * tolerance * (stop[c] > 0 ? stop[c] : 1);
  if (done()) return 0;
  precond();
  for (let u = 0; u < n; u++) {
    for (let c = 0; c < C; c++) {
      const i = u * C + c;
      p[i] = z[i];
      rz[c] += r[i] * z[i];
    }
  }
  let it = 0;
  while (it < maxIterations) {
    it++;
    stencilMatvec(A, C, p, q);
    pq.fill(0);
    for (let u = 0; u < n; u++) for (let c = 0; c < C; c++) pq[c] += p[u * C + c] * q[u * C + c];
    for (let c = 0; c < C; c++) alpha[c] = pq[c] > 0 && rr[c] > stop[c] ? rz[c] / pq[c] : 0;
    rr.fill(0);
    for (let u = 0; u < n; u++) {
      for (let c = 0; c < C; c++) {
        const i = u * C + c;
        x[i] += alpha[c] * p[i];
        r[i] -= alpha[c] * q[i];
        rr[c] += r[i] * r[i];
      }
    }
    if (done()) break;
    precond();
    for (let c = 0; c < C; c++) beta[c] = rz[c];
    rz.fill(0);
    for (let u = 0; u < n; u++) for (let c = 0; c < C; c++) rz[c] += r[u * C + c] * z[u * C + c];
    for (let c = 0; c < C; c++) beta[c] = beta[c] > 0 ? rz[c] / beta[c] : 0;
    for (let u = 0; u < n; u++) for (let c = 0; c < C; c++) p[u * C + c] = z[u * C + c] + beta[c] * p[u * C + c];
  }
  return it;
}
