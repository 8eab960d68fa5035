import * as tf from '@tensorflow/tfjs-core';
import { imageToTensor, tensorToImage, type DecodedImage } from '@lab/tensor';
import { expect, it } from 'vitest';
import { loadOfficialWeights } from '../../src/load';
import { createModel, type ModelName } from '../../src/registry';
import reference from '../fixtures/set5-x4-torch-reference.json';
import { SET5_NAMES, readSet5, set5Dir } from '../fixtures/set5';
import { NO_DATA, describeBackends, ntireWeightsDir, readNtireCheckpoint } from './sr-test-utils';

type Scores = { psnrRgb: number; psnrY: number; sum: number };
const REFERENCE = reference.results as Record<string, Record<string, Scores>>;

/** NTIRE `calculate_psnr` on 8-bit samples: MSE over every channel after removing `border` pixels. */
function psnr(a: Uint8Array, b: Uint8Array, width: number, height: number, channels: number, border: number): number {
  let se = 0;
  let n = 0;
  for (let y = border; y < height - border; y++) {
    for (let x = border; x < width - border; x++) {
      for (let c = 0; c < channels; c++) {
        const i = (y * width + x) * channels + c;
        se += (a[i] - b[i]) ** 2;
        n++;
      }
    }
  }
  return 10 * Math.log10((255 * 255) / (se / n));
}

/** BT.601 Y of 8-bit RGB, rounded to 8 bits (as the reference script). */
function lumaU8(img: Uint8Array): Uint8Array {
  const out = new Uint8Array(img.length / 3);
  for (let i = 0; i < out.length; i++) {
    const y = 16 + (65.481 * img[3 * i] + 128.553 * img[3 * i + 1] + 24.966 * img[3 * i + 2]) / 255;
    out[i] = Math.round(Math.min(255, Math.max(0, y)));
  }
  return out;
}

/** `HR` cropped to a multiple of 4 in both directions. */
function modcrop4(hr: DecodedImage): { data: Uint8Array; width: number; height: number } {
  const width = hr.width - (hr.width % 4);
  const height = hr.height - (hr.height % 4);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) data.set(hr.data.subarray(y * hr.width * 3, (y * hr.width + width) * 3), y * width * 3);
  return { data, width, height };
}

const CHECKPOINTS: Record<string, string> = {
  'imdn-ntire2022': 'imdn_baseline.pth',
  rfdn: 'rfdn_baseline.pth',
  rlfn: 'team04_rlfn.pth',
};

const dataPresent = !!ntireWeightsDir() && !!set5Dir();
describeBackends(
  'Set5 ×4 with the official NTIRE 2022 checkpoints (data, slow)',
  () => {
    for (const name of Object.keys(CHECKPOINTS)) {
      it.skipIf(!dataPresent)(
        `${name} (range 0-1) reproduces PyTorch's per-image RGB and Y PSNR within 0.001 dB${dataPresent ? '' : ` (skipped: ${NO_DATA} or Set5 absent)`}`,
        async () => {
          const dir = set5Dir() as string;
          const net = createModel(name as ModelName).eval(); // [0, 1] in and out for every model
          try {
            loadOfficialWeights(net, readNtireCheckpoint(CHECKPOINTS[name]));
            for (const image of SET5_NAMES) {
              const lr = await readSet5(dir, 'LR_x4', image);
              const hr = modcrop4(await readSet5(dir, 'HR', image));
              const before = tf.memory().numTensors;
              const sr = tf.tidy(() => {
                const x = tf.expandDims(imageToTensor(lr, { channels: 3 }), 0);
                return tf.squeeze(net.call(x), [0]) as tf.Tensor3D;
              });
              const out = tensorToImage(sr); // clamp, ×255, round half to even (as tensor2uint)
              sr.dispose();
              expect(tf.memory().numTensors).toBe(before);
              expect([out.width, out.height]).toEqual([hr.width, hr.height]);
              const data = out.data as Uint8Array;
              const ref = REFERENCE[name][image];
              expect(Math.abs(psnr(data, hr.data, hr.width, hr.height, 3, 4) - ref.psnrRgb), `${name} ${image} RGB`).toBeLessThanOrEqual(0.001);
              expect(Math.abs(psnr(lumaU8(data), lumaU8(hr.data), hr.width, hr.height, 1, 4) - ref.psnrY), `${name} ${image} Y`).toBeLessThanOrEqual(0.001);
              // The 8-bit outputs agree up to rare ±1 rounding flips: mean |Δ| below 0.001 levels.
              let sum = 0;
              for (const v of data) sum += v;
              expect(Math.abs(sum - ref.sum) / data.length, `${name} ${image} mean level`).toBeLessThanOrEqual(1e-3);
            }
          } finally {
            net.dispose();
          }
        },
      );
    }
  },
  { skip: { cpu: 'the cpu backend needs minutes per Set5 image at these sizes; the models are checked on cpu at small sizes' } },
);
