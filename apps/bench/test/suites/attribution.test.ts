import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/main';
import type { RunReport } from '../../src/report';
import { captureIo } from '../fixtures';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lab-attribution-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('attribution suite', () => {
  it('passes Input×Gradient on AttributionLab and fails plain gradients, as derived from the design', async () => {
    // On the designed network the target logit is linear in the detector counts over the data, so
    // x·∂f/∂x equals the signed ground truth (+1 per positive pixel, −weight per negative one), while
    // the plain gradient is −1 on red pixels (detector bias term) and cannot pass (see test/lab).
    const file = path.join(dir, 'attribution.json');
    const io = captureIo();
    const code = await main(['attribution', '--method', 'input-x-gradient', '--json', file], io);
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(file, 'utf8')) as RunReport;
    const suite = report.suites.find((s) => s.suite === 'attribution');
    expect(suite?.status).toBe('ok');
    expect(suite?.metrics['input-x-gradient.passed']).toBe(1);
    expect(suite?.metrics['input-x-gradient.positivePrecision']).toBe(1);
    expect(suite?.metrics['input-x-gradient.negativeRecall']).toBe(1);
  });
});
