import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeError } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import { rgb2ycbcr } from '../../src/eval/color';
import { modcrop } from '../../src/eval/crop';
import { evaluateSr } from '../../src/eval/evaluate-sr';
import { imresize } from '../../src/eval/imresize';
import { psnr } from '../../src/eval/psnr';
import { ssim } from '../../src/eval/ssim';
import { describeBackends, expectTensorDelta } from '../../../tensor/test/helpers';
import { SET5_NAMES, describeSet5, readSet5 } from '../fixtures/set5';

/** A 26×27 RGB HR image with texture, and a noisy version of its modcrop(·, 2). */
function fixture() {
  const hr = { width: 27, height: 26, channels: 3, data: Uint8Array.from({ length: 27 * 26 * 3 }, (_, i) => (i * 37 + (i >> 5) * 11) % 256) };
  const crop = modcrop(hr, 2); // 26×26
  const sr = { ...crop, data: crop.data.map((v, i) => Math.min(255, Math.max(0, v + ((i * 7) % 9) - 4))) };
  return { hr, crop, sr };
}

describeBackends('evaluateSr', () => {
  it('scores equal psnr/ssim on modcrop(hr) with border = scale, Y and RGB', async () => {
    const { hr, crop, sr } = fixture();
    const r = await expectTensorDelta(() => evaluateSr([{ name: 'a', sr, hr }], { scale: 2 }), 0);
    expect(r.images[0]).toEqual({
      name: 'a',
      psnrY: psnr(sr, crop, { border: 2, yOnly: true }),
      ssimY: ssim(sr, crop, { border: 2, yOnly: true }),
      psnrRGB: psnr(sr, crop, { border: 2 }),
      ssimRGB: ssim(sr, crop, { border: 2 }),
    });
    expect(r.mean).toEqual({ psnrY: r.images[0].psnrY, ssimY: r.images[0].ssimY, psnrRGB: r.images[0].psnrRGB, ssimRGB: r.images[0].ssimRGB });
  });

  it('quantises a [0,1] tensor SR (clamp, ×255, round) before scoring, leaving no tensor behind', async () => {
    const { hr, sr } = fixture();
    // Out-of-range values and off-grid values: 300/255 clamps to 255, v/255 + 0.3/255 rounds to v.
    const values = Float32Array.from(sr.data, (v, i) => (i === 0 ? 300 / 255 : (v + 0.3) / 255));
    const expectedSr = { ...sr, data: Uint8Array.from(sr.data, (v, i) => (i === 0 ? 255 : v)) };
    const t = tf.tensor4d(values, [1, 26, 26, 3]);
    const r = await expectTensorDelta(() => evaluateSr([{ name: 't', sr: t, hr }], { scale: 2 }), 0);
    const ref = evaluateSr([{ name: 't', sr: expectedSr, hr }], { scale: 2 });
    expect(r).toEqual(ref);
    t.dispose();
  });

  it('roundY switches Y to MATLAB rounded values; means are per-image averages', () => {
    const { hr, crop, sr } = fixture();
    const r = evaluateSr(
      [
        { name: 'a', sr, hr },
        { name: 'b', sr: crop, hr },
      ],
      { scale: 2, roundY: true, border: 3 },
    );
    expect(r.images[0].psnrY).toBe(psnr(sr, crop, { border: 3, yOnly: true, roundY: true }));
    expect(r.images[1].psnrY).toBe(Infinity);
    expect(r.mean.ssimRGB).toBeCloseTo((r.images[0].ssimRGB + 1) / 2, 14);
  });

  it('rejects a size mismatch, a missing scale, an empty list and unknown options by class', async () => {
    const { hr, sr } = fixture();
    expect(() => evaluateSr([{ name: 'a', sr: hr, hr }], { scale: 2 })).toThrow(ShapeError);
    expect(() => evaluateSr([{ name: 'a', sr: hr, hr }], { scale: 2 })).toThrow(/images\[0\]\.sr must be 26×26/);
    expect(() => evaluateSr([{ name: 'a', sr, hr }], {} as never)).toThrow(/scale must be an integer >= 1/);
    expect(() => evaluateSr([], { scale: 2 })).toThrow(InvalidValueError);
    expect(() => evaluateSr([{ name: 'a', sr, hr }], { scale: 2, shave: 2 } as never)).toThrow(/unknown option 'shave'/);
    const bad = tf.zeros([2, 26, 26, 3]);
    await expect(expectTensorDelta(() => evaluateSr([{ name: 'a', sr: bad, hr }], { scale: 2 }))).rejects.toThrow(/\[H, W, 3\] or \[1, H, W, 3\]/);
    const nan = tf.fill([26, 26, 3], NaN);
    await expect(expectTensorDelta(() => evaluateSr([{ name: 'a', sr: nan, hr }], { scale: 2 }))).rejects.toThrow(InvalidValueError);
    tf.dispose([bad, nan]);
  });
});

describeSet5('evaluateSr on Set5, bicubic baseline [data]', (dir) => {
  // Published bicubic Set5 Y-PSNR (SRCNN, VDSR, … tables): 33.66 / 30.39 / 28.42; SSIM 0.9299 / 0.8682 / 0.8104.
  const PUBLISHED = { 2: [33.66, 0.9299], 3: [30.39, 0.8682], 4: [28.42, 0.8104] } as const;

  it.each([2, 3, 4] as const)('x%i: MATLAB bicubic of the LR files is within 0.02 dB of the published Y-PSNR', async (s) => {
    const pairs = [];
    for (const name of SET5_NAMES) {
      const hr = await readSet5(dir, 'HR', name);
      const lr = await readSet5(dir, `LR_x${s}` as 'LR_x2', name);
      pairs.push({ name, sr: imresize(lr, s), hr });
    }
    const r = evaluateSr(pairs, { scale: s });
    // Measured (float Y): 33.6734 / 30.4033 / 28.4290 dB; SSIM 0.9303 / 0.8689 / 0.8111.
    expect(Math.abs(r.mean.psnrY - PUBLISHED[s][0])).toBeLessThanOrEqual(0.02);
    expect(Math.abs(r.mean.ssimY - PUBLISHED[s][1])).toBeLessThanOrEqual(0.0015);
    // Measured with roundY (MATLAB uint8 Y): 33.6397 / 30.3850 / 28.4165 dB.
    const rounded = evaluateSr(pairs, { scale: s, roundY: true });
    expect(Math.abs(rounded.mean.psnrY - PUBLISHED[s][0])).toBeLessThanOrEqual(0.021);
  });

  it.each([2, 3, 4] as const)('x%i: resizing Y alone (SRCNN protocol) reproduces the published table to its last digit', async (s) => {
    // SRCNN demo: Y = rgb2ycbcr(uint8) → /255 → imresize(1/s) → imresize(s) (float) → uint8(·255),
    // PSNR/SSIM with border s. Measured: 33.6614 / 30.3922 / 28.4207 dB; 0.92988 / 0.86821 / 0.81037.
    let p = 0;
    let q = 0;
    for (const name of SET5_NAMES) {
      const y = rgb2ycbcr(modcrop(await readSet5(dir, 'HR', name), s), { yOnly: true, round: true });
      const up = imresize(imresize({ ...y, data: y.data.map((v) => v / 255) }, 1 / s), s);
      const sr = { ...up, data: up.data.map((v) => Math.min(255, Math.max(0, Math.round(v * 255)))) };
      p += psnr(sr, y, { border: s }) / SET5_NAMES.length;
      q += ssim(sr, y, { border: s }) / SET5_NAMES.length;
    }
    expect(p).toBeCloseTo(PUBLISHED[s][0], 2);
    expect(q).toBeCloseTo(PUBLISHED[s][1], 4);
  });
});
