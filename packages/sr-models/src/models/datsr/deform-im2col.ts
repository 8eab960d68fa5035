/**
 * The deformable im2col of DCNv2 (bilinear sampling at offset kernel taps) as one differentiable
 * op computed in JavaScript. Not exported from the package.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** Geometry of a deformable convolution, resolved. */
export interface DeformGeometry {
  /** Kernel `[kh, kw]`. */
  kernel: [number, number];
  /** Stride `[sh, sw]`. */
  stride: [number, number];
  /** Zero padding `[ph, pw]`. */
  padding: [number, number];
  /** Dilation `[dh, dw]`. */
  dilation: [number, number];
  /** Deformable groups. */
  groups: number;
}

/**
 * Builds the columns of a modulated deformable convolution:
 * `cols[(b, p, q), k·C + c] = m · Σ_corners (1 − |py − yc|)(1 − |px − xc|) · x[b, yc, xc, c]`
 * with `py = p·sh − ph + i·dh + Δy`, `px = q·sw − pw + j·dw + Δx` (tap `k = i·kw + j`, group
 * `g = ⌊c/(C/G)⌋`, offsets and mask read at channel `g·2K + 2k (+1)` and `g·K + k`), corners
 * outside the map reading zero, as mmcv's `modulated_deformable_im2col`.
 *
 * The gather and its transpose (a scatter-add) run as plain loops over typed arrays: tfjs' wasm
 * `GatherV2` is slow for this access pattern and the wasm backend lacks `UnsortedSegmentSum`.
 * Registered with `tf.customGrad`, so gradients reach `x`, `offset` and `mask` (the coordinate
 * gradient is the derivative of the bilinear weights, zero across integer boundaries).
 * @param x - `[n, h, w, C]`
 * @param offset - `[n, h', w', 2·G·K]`
 * @param mask - `[n, h', w', G·K]`
 * @param geo - geometry
 * @returns `[n·h'·w', K·C]`; the caller disposes it
 */
export function deformIm2col(x: tf.Tensor4D, offset: tf.Tensor4D, mask: tf.Tensor4D, geo: DeformGeometry): tf.Tensor2D {
  const op = tf.customGrad(((xt: tf.Tensor, ot: tf.Tensor, mt: tf.Tensor) => {
    const [n, h, w, C] = xt.shape as [number, number, number, number];
    const [, ho, wo] = ot.shape as [number, number, number, number];
    const [kh, kw] = geo.kernel;
    const K = kh * kw;
    const G = geo.groups;
    const cg = C / G;
    const rows = n * ho * wo;
    const xd = xt.dataSync() as Float32Array;
    const od = ot.dataSync() as Float32Array;
    const md = mt.dataSync() as Float32Array;
    const cols = new Float32Array(rows * K * C);
    // Visits every (row, tap, group) sample with its bilinear corners.
    const visit = (fn: (r: number, k: number, g: number, py: number, px: number, m: number, base: number, y0: number, x0: number) => void): void => {
      for (let b = 0; b < n; b++) {
        for (let p = 0; p < ho; p++) {
          for (let q = 0; q < wo; q++) {
            const r = (b * ho + p) * wo + q;
            for (let k = 0; k < K; k++) {
              const i = Math.floor(k / kw);
              const j = k % kw;
              for (let g = 0; g < G; g++) {
                const py = p * geo.stride[0] - geo.padding[0] + i * geo.dilation[0] + od[r * 2 * G * K + g * 2 * K + 2 * k];
                const px = q * geo.stride[1] - geo.padding[1] + j * geo.dilation[1] + od[r * 2 * G * K + g * 2 * K + 2 * k + 1];
                fn(r, k, g, py, px, md[r * G * K + g * K + k], b * h, Math.floor(py), Math.floor(px));
              }
            }
          }
        }
      }
    };
    // Index of corner (yy, xx) of image b·h into xd, or −1 outside.
    const at = (bh: number, yy: number, xx: number, g: number): number => (yy >= 0 && yy < h && xx >= 0 && xx < w ? ((bh + yy) * w + xx) * C + g * cg : -1);
    visit((r, k, g, py, px, m, bh, y0, x0) => {
      if (!(py > -1 && px > -1 && py < h && px < w) || m === 0) return;
      const ly = py - y0;
      const lx = px - x0;
      const ws = [(1 - ly) * (1 - lx) * m, (1 - ly) * lx * m, ly * (1 - lx) * m, ly * lx * m];
      const idx = [at(bh, y0, x0, g), at(bh, y0, x0 + 1, g), at(bh, y0 + 1, x0, g), at(bh, y0 + 1, x0 + 1, g)];
      const out = r * K * C + k * C + g * cg;
      for (let c = 0; c < 4; c++) {
        const src = idx[c];
        if (src < 0 || ws[c] === 0) continue;
        const wc = ws[c];
        for (let ch = 0; ch < cg; ch++) cols[out + ch] += wc * xd[src + ch];
      }
    });
    const value = tf.tensor2d(cols, [rows, K * C]);
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const dd = dy.dataSync() as Float32Array;
      const dx = new Float32Array(xd.length);
      const doff = new Float32Array(od.length);
      const dmask = new Float32Array(md.length);
      visit((r, k, g, py, px, m, bh, y0, x0) => {
        if (!(py > -1 && px > -1 && py < h && px < w)) return;
        const ly = py - y0;
        const lx = px - x0;
        const ws = [(1 - ly) * (1 - lx), (1 - ly) * lx, ly * (1 - lx), ly * lx];
        const wy = [-(1 - lx), -lx, 1 - lx, lx]; // ∂w/∂py
        const wx = [-(1 - ly), 1 - ly, -ly, ly]; // ∂w/∂px
        const idx = [at(bh, y0, x0, g), at(bh, y0, x0 + 1, g), at(bh, y0 + 1, x0, g), at(bh, y0 + 1, x0 + 1, g)];
        const off = r * K * C + k * C + g * cg;
        let gm = 0;
        let gy = 0;
        let gx = 0;
        for (let c = 0; c < 4; c++) {
          const src = idx[c];
          if (src < 0) continue;
          let dot = 0;
          for (let ch = 0; ch < cg; ch++) {
            const d = dd[off + ch];
            dot += d * xd[src + ch];
            dx[src + ch] += d * ws[c] * m;
          }
          gm += ws[c] * dot;
          gy += wy[c] * dot;
          gx += wx[c] * dot;
        }
        dmask[r * G * K + g * K + k] += gm;
        doff[r * 2 * G * K + g * 2 * K + 2 * k] += gy * m;
        doff[r * 2 * G * K + g * 2 * K + 2 * k + 1] += gx * m;
      });
      return [tf.tensor(dx, xt.shape), tf.tensor(doff, ot.shape), tf.tensor(dmask, mt.shape)];
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, offset, mask) as tf.Tensor2D;
}

/**
 * Warps `x` by a dense flow with bilinear sampling and zero padding: `y[b, p] = x[b, p + flow[b, p]]`
 * (flow in pixels, `(dx, dy)` order), as `flow_warp` of DATSR (`F.grid_sample` with
 * `align_corners=True`, `padding_mode='zeros'`): a 1×1 deformable im2col with the flow as offset.
 * @param x - `[n, h, w, c]`
 * @param flow - `[n, h, w, 2]`, last axis `(dx, dy)`
 * @returns `[n, h, w, c]`; the caller disposes it
 */
export function flowWarp(x: tf.Tensor4D, flow: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => {
    const offset = tf.reverse(flow, 3) as tf.Tensor4D;
    const cols = deformIm2col(x, offset, tf.ones([n, h, w, 1]), { kernel: [1, 1], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 });
    return tf.reshape(cols, [n, h, w, c]) as tf.Tensor4D;
  });
}
