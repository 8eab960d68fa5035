import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '@lab/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/main';
import { srEval } from '../../src/suites/sr-eval';
import { captureIo, cpuBackend } from '../fixtures';

const suites = { 'sr-eval': srEval };
const run = (argv: string[], io = captureIo()) => main(argv, io, { suites, initBackend: cpuBackend });

const set5 = process.env.LAB_DATA ? path.join(process.env.LAB_DATA, 'set5') : path.resolve(__dirname, '../../../../../shared/data/set5');
const weights = path.resolve(set5, '../weights/ntire2022');
const hasSet5 = existsSync(path.join(set5, 'HR'));
if (!hasSet5) console.warn('sr-eval suite tests: shared Set5 absent ($LAB_DATA or ../shared/data): data tests skipped');

interface Scores {
  images: { name: string; psnrY: number; ssimY: number; psnrRGB: number; ssimRGB: number }[];
  mean: { psnrY: number; ssimY: number; psnrRGB: number; ssimRGB: number };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lab-sr-eval-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sr-eval suite', () => {
  it('rejects a model without --weights with exit code 1, naming the option', async () => {
    const io = captureIo();
    expect(await run(['sr-eval', '--model', 'rlfn', '--hr', dir], io)).toBe(1);
    expect(io.stdoutText()).toMatch(/needs --weights FILE|--hr must be a folder/);
  });

  it('rejects an unknown --model with exit code 2 listing bicubic', async () => {
    const io = captureIo();
    expect(await run(['sr-eval', '--model', 'srcnn'], io)).toBe(2);
    expect(io.stderrText()).toContain('bicubic');
  });
});

describe.skipIf(!hasSet5)('sr-eval suite on Set5 [data]', () => {
  it('bicubic ×4 (default) prints the table and writes per-image and mean scores; mean Y-PSNR 28.42 ± 0.02 dB', async () => {
    const file = path.join(dir, 'x4.json');
    const io = captureIo();
    expect(await run(['sr-eval', '--hr', path.join(set5, 'HR'), '--scores', file], io)).toBe(0);
    const scores = JSON.parse(await readFile(file, 'utf8')) as Scores;
    expect(scores.images.map((i) => i.name)).toEqual(['baby', 'bird', 'butterfly', 'head', 'woman']);
    // Published bicubic Set5 ×4: 28.42 dB / 0.8104 (measured here: 28.429 / 0.8111, float Y).
    expect(Math.abs(scores.mean.psnrY - 28.42)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(scores.mean.ssimY - 0.8104)).toBeLessThanOrEqual(0.0015);
    expect(io.stdoutText()).toMatch(/mean +28\.4\d +0\.81\d\d/);
  });

  it('×2 with --lr LR_x2 gives exactly the scores of the generated LR (imresize is exact)', async () => {
    const a = path.join(dir, 'gen.json');
    const b = path.join(dir, 'files.json');
    expect(await run(['sr-eval', '--scale', '2', '--hr', path.join(set5, 'HR'), '--scores', a])).toBe(0);
    expect(await run(['sr-eval', '--scale', '2', '--hr', path.join(set5, 'HR'), '--lr', path.join(set5, 'LR_x2'), '--scores', b])).toBe(0);
    const gen = JSON.parse(await readFile(a, 'utf8')) as Scores;
    const files = JSON.parse(await readFile(b, 'utf8')) as Scores;
    expect(files.images).toEqual(gen.images);
    expect(Math.abs(gen.mean.psnrY - 33.66)).toBeLessThanOrEqual(0.02);
  });

  it.skipIf(!existsSync(path.join(weights, 'team04_rlfn.pth')))(
    'rlfn ×4 with the NTIRE weights, tiled on wasm, beats bicubic on Set5 Y-PSNR by > 2 dB (measured 32.10 dB)',
    async () => {
      const file = path.join(dir, 'rlfn.json');
      const io = captureIo();
      const argv = ['sr-eval', '--model', 'rlfn', '--weights', path.join(weights, 'team04_rlfn.pth'), '--hr', path.join(set5, 'HR'), '--tile', '64', '--overlap', '16', '--scores', file];
      const code = await main(argv, io, { suites, initBackend: () => initBackend() });
      expect(code, io.stdoutText()).toBe(0);
      const scores = JSON.parse(await readFile(file, 'utf8')) as Scores;
      expect(scores.mean.psnrY).toBeGreaterThan(28.42 + 2);
    },
  );
});
