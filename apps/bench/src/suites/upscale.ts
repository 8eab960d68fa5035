/**
 * Suite `upscale`: upscales one image file with an SR model (or MATLAB bicubic) and writes a PNG,
 * whole or in overlapping tiles.
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readImageFile, writePngFile, type DecodedImage } from '@lab/tensor';
import { imresize, modcrop, type PixelImage } from '@lab/sr-models';
import { PACKAGED_SR_IMAGE, findSet5, packagedSrImagePath } from '../data/sr-images';
import { defineSuite } from '../suite';
import { SR_MODEL_CHOICES, SR_RUNTIME_OPTION, createSrRunner, defaultScale } from './sr-eval';

/** A 48×48 RGB test card (gradients and a checkerboard), the input when no file is given or found. */
export function testCard(): { width: number; height: number; channels: 3; data: Uint8Array } {
  const side = 48;
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const i = (y * side + x) * 3;
      const check = ((x >> 3) + (y >> 3)) % 2 === 0 ? 230 : 25;
      data[i] = Math.round((255 * x) / (side - 1));
      data[i + 1] = Math.round((255 * y) / (side - 1));
      data[i + 2] = check;
    }
  }
  return { width: side, height: side, channels: 3, data };
}

export const upscale = defineSuite({
  name: 'upscale',
  description: 'Upscale one image with an SR model or MATLAB bicubic and write a PNG (default: Set5 butterfly of --data, else a packaged photo; ×4 bicubic)',
  options: {
    model: { type: 'string', choices: SR_MODEL_CHOICES, default: 'bicubic', description: 'the upscaler' },
    weights: { type: 'string', valueName: 'FILE', description: 'official .pth weights of --model (not for bicubic)' },
    input: {
      type: 'string',
      valueName: 'FILE',
      description: 'image to upscale, PNG/BMP/JPEG (default: DATA/set5/LR_xS/butterfly.bmp, else the baboon photo of baboon-image downscaled ×1/S)',
    },
    output: { type: 'string', valueName: 'FILE', description: 'PNG to write (default: upscale.png in --out DIR, else none)' },
    scale: { type: 'number', integer: true, min: 1, valueName: 'N', description: "upscaling factor (default: the model's; 4 for bicubic)" },
    tile: { type: 'number', integer: true, min: 1, valueName: 'N', description: 'tile side in input pixels (default: whole image)' },
    overlap: { type: 'number', integer: true, min: 0, default: 32, valueName: 'N', description: 'tile overlap in input pixels' },
    runtime: SR_RUNTIME_OPTION,
  },
  async run(ctx) {
    const o = ctx.options;
    const scale = o.scale ?? defaultScale(o.model);
    let source: string;
    let image: PixelImage;
    if (o.input !== undefined) {
      source = o.input;
      image = await readImageFile(o.input);
    } else {
      const set5 = findSet5(ctx.dataDir);
      const candidate = set5 && path.join(set5, `LR_x${scale}`, 'butterfly.bmp');
      if (candidate && existsSync(candidate)) {
        source = candidate;
        image = await readImageFile(candidate);
      } else {
        source = `${PACKAGED_SR_IMAGE.package} ${PACKAGED_SR_IMAGE.name} ×1/${scale} (MATLAB bicubic)`;
        image = imresize(modcrop(await readImageFile(packagedSrImagePath()), scale), 1 / scale);
      }
    }
    const runner = await createSrRunner({ model: o.model, scale, weights: o.weights, tile: o.tile, overlap: o.overlap, runtime: o.runtime as 'tfjs' | 'onnx' });
    let out: PixelImage;
    let tiles = 0;
    const started = performance.now();
    try {
      ctx.progress.start(1);
      ctx.progress.step(`${path.basename(source)} ×${scale}`);
      out = await runner.run(image, (done, total) => {
        tiles = total;
        if (total > 1) ctx.progress.log(`tile ${done}/${total}`);
      });
    } finally {
      runner.dispose();
    }
    const runtimeMs = performance.now() - started;
    const target = o.output ?? (ctx.outDir !== undefined ? path.join(ctx.outDir, 'upscale.png') : undefined);
    if (target !== undefined) {
      await writePngFile(target, out as DecodedImage);
      ctx.log(`upscale: wrote ${target}`);
    } else {
      ctx.log('upscale: no --output FILE (or --out DIR): the result is not written');
    }
    return {
      metrics: {
        model: o.model,
        runtime: o.runtime,
        scale,
        inputWidth: image.width,
        inputHeight: image.height,
        outputWidth: out.width,
        outputHeight: out.height,
        tiles,
        runtimeMs,
        ...(target !== undefined ? { output: target } : {}),
      },
      ...(target !== undefined && ctx.outDir !== undefined && path.resolve(target).startsWith(path.resolve(ctx.outDir) + path.sep)
        ? { images: [{ file: target, title: `${runner.label} ×${scale}: ${path.basename(source)}`, caption: `${image.width}×${image.height} → ${out.width}×${out.height}` }] }
        : {}),
      tables: [
        {
          title: `${runner.label} ×${scale}`,
          columns: ['input', 'size', 'output size', 'tiles', 'time (ms)', 'written to'],
          rows: [[source, `${image.width}×${image.height}`, `${out.width}×${out.height}`, tiles, runtimeMs.toFixed(1), target ?? '—']],
          notes: ['Time: model (or imresize) and 8-bit conversion, excluding file reading and writing; W×H.'],
        },
      ],
      summary: `${o.model} ×${scale}: ${image.width}×${image.height} → ${out.width}×${out.height} in ${runtimeMs.toFixed(0)} ms`,
    };
  },
});
