import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { encodePng, initBackend } from '@lab/tensor';
import { createModel } from '@lab/sr-models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/main';
import type { RunReport } from '../../src/report';
import { NTIRE_MODEL_NAMES, ntireModelSelection, timeLrFolder } from '../../src/suites/ntire';
import { loadPrunedSrModel } from '../../src/suites/prune';
import { captureIo } from '../fixtures';

let dir: string;
beforeAll(async () => {
  await initBackend();
  dir = await mkdtemp(path.join(os.tmpdir(), 'lab-ntire-'));
  // Two tiny RGB LR images of different sizes, and a file that is not an image.
  for (const [name, w, h] of [['b.png', 20, 16], ['a.png', 16, 18]] as const) {
    await writeFile(path.join(dir, name), encodePng({ width: w, height: h, channels: 3, data: new Uint8Array(w * h * 3).fill(90) }));
  }
  await writeFile(path.join(dir, 'notes.txt'), 'not an image');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('timeLrFolder', () => {
  it('times every image of the folder whole, in name order, and leaks nothing', async () => {
    const model = createModel('rlfn').eval();
    const before = tf.memory().numTensors;
    const times = await timeLrFolder(model, dir, 0);
    expect(tf.memory().numTensors).toBe(before);
    expect(times.map((t) => t.name)).toEqual(['a.png', 'b.png']);
    expect(times.map((t) => t.shape)).toEqual([[1, 18, 16, 3], [1, 16, 20, 3]]);
    for (const t of times) expect(t.ms).toBeGreaterThan(0);
    model.dispose();
  });

  it('refuses a folder without images, naming it', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'lab-ntire-empty-'));
    const model = createModel('rlfn');
    await expect(timeLrFolder(model, empty, 0)).rejects.toThrow(/holds no PNG, BMP or JPEG/);
    model.dispose();
    await rm(empty, { recursive: true, force: true });
  });
});

/** The shared data folder (official weights), when present beside the repository or in $LAB_DATA. */
const sharedData = [process.env.LAB_DATA, path.resolve(import.meta.dirname, '../../../../../shared/data')].find(
  (d): d is string => d !== undefined && existsSync(path.join(d, 'weights', 'ntire2022', 'imdn_baseline.pth')),
);

/**
 * Hand count of the NTIRE 2022 IMDN baseline with trunk width t and conv4 width d, per LR pixel:
 * 3×3 convs head 3→t, per block (×8) conv1 t→64, conv2 and conv3 48→64, conv4 48→d, 1×1
 * conv1x1 (48+d)→t, then body t→t and upsampler t→48. `params` includes the biases; `macs`
 * excludes them; `acts` counts every conv output channel; the NTIRE FLOPs add the 3 × 64
 * LeakyReLU outputs of each block to the MACs (utils/model_summary.py).
 */
function imdn(t: number, d: number): { params: number; macs: number; acts: number; flops: number } {
  const convs: [number, number, number][] = [[3, t, 3]];
  for (let b = 0; b < 8; b++) convs.push([t, 64, 3], [48, 64, 3], [48, 64, 3], [48, d, 3], [48 + d, t, 1]);
  convs.push([t, t, 3], [t, 48, 3]);
  const params = convs.reduce((a, [i, o, k]) => a + k * k * i * o + o, 0);
  const macs = convs.reduce((a, [i, o, k]) => a + k * k * i * o, 0);
  const acts = convs.reduce((a, [, o]) => a + o, 0);
  return { params, macs, acts, flops: macs + 8 * 3 * 64 };
}

describe('ntire suite with a pruned IMDN', () => {
  const px = 256 * 256; // the NTIRE counts are at a 256×256 LR input

  it('reports IMDN L1-pruned by 25 % beside the registry model, with hand-counted params, FLOPs and activations, and saves it', async () => {
    const full = imdn(64, 16);
    expect([full.params, full.flops * px, full.acts * px]).toEqual([893936, 58531512320, 154140672]); // the published 0.894 M, 58.53 G, 154.14 M
    const pruned = imdn(48, 12); // keep ratio 0.75: trunk 64 → 48, conv4 16 → 12; split outputs fixed
    const json = path.join(dir, 'ntire.json');
    const saved = path.join(dir, 'imdn-pruned.safetensors');
    const io = captureIo();
    const args = ['ntire', '--model', 'imdn-ntire2022', '--runs', '1', '--runtime-size', '16', '--save-pruned', saved, '--json', json];
    expect(await main([...args, ...(sharedData ? ['--data', sharedData] : [])], io)).toBe(0);
    const [r] = (JSON.parse(await readFile(json, 'utf8')) as RunReport).suites;
    expect(r.status).toBe('ok');
    const key = 'imdn-ntire2022-pruned-l1-25';
    expect(r.metrics['imdn-ntire2022.params']).toBe(full.params);
    expect(r.metrics[`${key}.params`]).toBe(772992);
    expect(r.metrics[`${key}.params`]).toBe(pruned.params);
    expect(r.metrics[`${key}.flops`]).toBe(pruned.flops * px);
    expect(r.metrics[`${key}.macs`]).toBe(pruned.macs * px);
    expect(r.metrics[`${key}.activations`]).toBe(pruned.acts * px);
    expect(r.metrics[`${key}.convLayers`]).toBe(43);
    expect(r.metrics[`${key}.baseParams`]).toBe(full.params);
    expect(r.metrics[`${key}.weights`]).toBe(sharedData ? 'imdn_baseline.pth' : 'random');
    expect(io.stdoutText()).toContain('IMDN (NTIRE 2022 baseline), L1-pruned −25 % channels');
    expect(io.stdoutText()).toMatch(/0\.773 M +50\.62 G +141\.56 M +43/);
    expect(existsSync(saved)).toBe(true);

    // The saved file rebuilds the same pruned model from a fresh IMDN (what --model-file reports).
    const loaded = await loadPrunedSrModel(saved);
    expect(loaded.model.numParameters()).toBe(pruned.params);
    expect(loaded.record.baseModel).toBe('imdn-ntire2022');
    expect(loaded.record.notes).toEqual({ criterion: 'l1', keepRatio: 0.75, weights: sharedData ? 'official' : 'random' });
    loaded.model.dispose();
  }, 600_000); // two IMDN passes at 256×256 on a busy 2-core machine

  it('fails with a message for a --pruned ratio of 1 or more', async () => {
    const io = captureIo();
    expect(await main(['ntire', '--model', 'rlfn', '--pruned', '1', '--runs', '1', '--runtime-size', '16'], io)).toBe(1);
    expect(io.stdoutText() + io.stderrText()).toContain('--pruned must be in [0, 1), got 1');
  });
});

describe('ntire suite with the costly models (GRL, CiaoSR, DATSR)', () => {
  const efficient = ['imdn-ntire2022', 'imdn', 'rfdn', 'rlfn'];

  it('measures only the efficient NTIRE CNNs in quick mode by default, every model with --full or --model all', () => {
    expect([...NTIRE_MODEL_NAMES].sort()).toEqual(['ciaosr', 'ciaosr-edsr', 'datsr', 'grl-base', 'grl-small', 'grl-tiny', 'imdn', 'imdn-ntire2022', 'rfdn', 'rlfn']);
    expect(ntireModelSelection(undefined, true)).toEqual(efficient);
    expect(ntireModelSelection(undefined, false)).toEqual(NTIRE_MODEL_NAMES);
    expect(ntireModelSelection('all', true)).toEqual(NTIRE_MODEL_NAMES);
    expect(ntireModelSelection('datsr', true)).toEqual(['datsr']);
    expect(ntireModelSelection('grl-tiny', false)).toEqual(['grl-tiny']);
  });

  it('counts GRL-T at --count-size with true MACs above the NTIRE FLOPs (attention matmuls), and says so', async () => {
    const json = path.join(dir, 'ntire-grl.json');
    const io = captureIo();
    expect(await main(['ntire', '--model', 'grl-tiny', '--count-size', '16', '--runs', '1', '--json', json], io)).toBe(0);
    const [r] = (JSON.parse(await readFile(json, 'utf8')) as RunReport).suites;
    expect(r.status).toBe('ok');
    const m = r.metrics;
    expect(m['grl-tiny.countSize']).toBe(16);
    expect(m['grl-tiny.runtimeSize']).toBe(16);
    expect(m['grl-tiny.params']).toBe(906192); // grl.test.ts
    // GRL pads 16×16 to its 64×64 stripe. Its attention matmuls alone, by hand: 16 blocks ×
    // (window 2 · 4096 tokens · 1024 keys · 32 channels + anchor stripes 4 · 4096 · 256 anchors · 32).
    const attention = 16 * (2 * 4096 * 1024 * 32 + 4 * 4096 * 256 * 32);
    expect(attention).toBe(6_442_450_944);
    const macs = m['grl-tiny.macs'] as number;
    const flops = m['grl-tiny.flops'] as number;
    expect(macs).toBe(10_012_688_384);
    expect(macs).toBeGreaterThan(flops / 2);
    expect(macs - flops).toBeGreaterThan(attention); // the NTIRE rules skip every attention matmul
    expect(m['grl-tiny.gflopsPerSecond']).toBeCloseTo((2 * macs) / ((m['grl-tiny.runtimeMs'] as number) * 1e6), 6);
    const out = io.stdoutText();
    expect(out).toContain('true MACs (incl. attention matmuls)');
    expect(out).toContain('GRL-T (16×16 LR)');
    expect(out).toContain('10.01 G');
    expect(out).toMatch(/skip matmuls outside Conv2d\/Linear modules/);
    expect(out).not.toContain('IMDN');
  }, 120_000);

  it('measures DATSR through the bicubic-reference adapter at --count-size, with all three parts\' parameters', async () => {
    const json = path.join(dir, 'ntire-datsr.json');
    const io = captureIo();
    expect(await main(['ntire', '--model', 'datsr', '--count-size', '8', '--runs', '1', '--json', json], io)).toBe(0);
    const [r] = (JSON.parse(await readFile(json, 'utf8')) as RunReport).suites;
    expect(r.status).toBe('ok');
    // restoration net + texture encoder + VGG19 to relu3_1 (datsr.test.ts; 1,792 + 36,928 + 73,856 + 147,584 + 295,168).
    expect(r.metrics['datsr.params']).toBe(18026971 + 1110656 + (1792 + 36928 + 73856 + 147584 + 295168));
    expect(r.metrics['datsr.countSize']).toBe(8);
    expect(r.metrics['datsr.macs'] as number).toBeGreaterThan(r.metrics['datsr.flops'] as number);
    const out = io.stdoutText();
    expect(out).toContain('DATSR (8×8 LR + bicubic ×4 reference)');
    expect(out).toContain('ref = MATLAB bicubic ×4 of the LR image');
  }, 120_000);
});
