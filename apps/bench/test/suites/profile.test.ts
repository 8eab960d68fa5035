import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/main';
import type { RunReport } from '../../src/report';
import { captureIo } from '../fixtures';

/**
 * Parameters of a CIFAR ResNet (He et al. 2016, §4.2: 3 stages of (depth−2)/6 basic blocks,
 * widths 16/32/64, parameter-free shortcuts): bias-free 3×3 conv weights, BN weight and bias
 * (2 per channel), and the 64→10 linear layer with bias.
 */
function resnetCifarParams(depth: number): number {
  const blocks = (depth - 2) / 6;
  let params = 3 * 3 * 3 * 16 + 2 * 16; // stem conv + BN
  let cin = 16;
  for (const c of [16, 32, 64]) {
    for (let b = 0; b < blocks; b++) {
      params += 9 * cin * c + 2 * c + 9 * c * c + 2 * c; // conv1 + bn1 + conv2 + bn2
      cin = c;
    }
  }
  return params + 64 * 10 + 10;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lab-profile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('profile suite', () => {
  it('reports ResNet-56 at 32×32×3 with 125.49 M MACs and 0.853 M params in --json', async () => {
    const file = path.join(dir, 'profile.json');
    const io = captureIo();
    expect(await main(['profile', '--json', file], io)).toBe(0);
    const report = JSON.parse(await readFile(file, 'utf8')) as RunReport;
    const [r] = report.suites;
    expect(r.suite).toBe('profile');
    expect(r.status).toBe('ok');
    expect(resnetCifarParams(56)).toBe(853018); // the hand count above; 0.853 M in the paper's tables
    expect(r.metrics['resnet56.params']).toBe(resnetCifarParams(56));
    // 125.49 M MACs: conv and FC multiply-accumulates only (specs/pruning.md §3).
    expect(Math.abs((r.metrics['resnet56.macs'] as number) - 125.49e6)).toBeLessThanOrEqual(0.005e6);
    for (const key of ['ntire.flops', 'ntire.activations', 'ntire.convLayers', 'peakBytes']) {
      expect(typeof r.metrics[`resnet56.${key}`], key).toBe('number');
    }
    expect(r.metrics['resnet56.ntire.convLayers']).toBe(55); // stem + 54 block convs
    expect(io.stdoutText()).toMatch(/ResNet-56 \(CIFAR\) +1×32×32×3 +853\.02 K +125\.49 M/);
  });

  it('rejects an unknown --model value with exit code 2', async () => {
    const io = captureIo();
    expect(await main(['profile', '--model', 'vgg'], io)).toBe(2);
    expect(io.stderrText()).toContain("lab profile: --model must be one of resnet56, got 'vgg'");
  });
});
