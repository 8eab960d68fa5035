import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readImageFile, writePngFile } from '@lab/tensor';
import { imresize } from '@lab/sr-models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/main';
import type { RunReport } from '../../src/report';
import { testCard, upscale } from '../../src/suites/upscale';
import { captureIo, cpuBackend } from '../fixtures';

const suites = { upscale };
const run = (argv: string[], io = captureIo()) => main(argv, io, { suites, initBackend: cpuBackend });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lab-upscale-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('upscale suite', () => {
  it('bicubic ×3 writes a PNG equal to imresize of the input', async () => {
    const input = path.join(dir, 'card.png');
    const output = path.join(dir, 'card-x3.png');
    const json = path.join(dir, 'report.json');
    await writePngFile(input, testCard());
    const io = captureIo();
    expect(await run(['upscale', '--input', input, '--output', output, '--scale', '3', '--json', json], io)).toBe(0);
    const out = await readImageFile(output);
    const expected = imresize(testCard(), 3);
    expect([out.width, out.height, out.channels]).toEqual([144, 144, 3]);
    expect(Buffer.from(out.data).equals(Buffer.from(expected.data))).toBe(true);
    const report = JSON.parse(await (await import('node:fs/promises')).readFile(json, 'utf8')) as RunReport;
    expect(report.suites[0].metrics).toMatchObject({ model: 'bicubic', scale: 3, inputWidth: 48, outputWidth: 144, tiles: 1 });
  });

  it('rejects --weights for bicubic with exit code 1', async () => {
    const io = captureIo();
    expect(await run(['upscale', '--weights', 'x.pth'], io)).toBe(1);
    expect(io.stdoutText()).toContain("model 'bicubic' takes no --weights");
  });
});
