import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { encodePng, initBackend } from '@lab/tensor';
import { createModel } from '@lab/sr-models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeLrFolder } from '../../src/suites/ntire';

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
