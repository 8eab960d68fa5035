import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '@lab/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/main';
import type { RunReport } from '../../src/report';
import { convMacs, netMacs } from '../../src/suites/perf';
import { captureIo } from '../fixtures';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lab-perf-'));
  await initBackend(); // wasm, as `lab` starts it
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('convMacs and netMacs', () => {
  it('count H·W·k²·(cin/groups)·cout multiply-accumulates', () => {
    expect(convMacs(64, 64, 3, 64, 64)).toBe(150_994_944); // 64·64·9·64·64
    expect(convMacs(64, 64, 3, 64, 64, 64)).toBe(2_359_296); // depthwise: 64·64·9·64
    expect(convMacs(64, 64, 1, 64, 64)).toBe(16_777_216);
  });

  it('counts the 10-layer net at 64×64 as one 3→64 conv and nine 64→64 convs', () => {
    expect(netMacs(64)).toBe(64 * 64 * 9 * 3 * 64 + 9 * 150_994_944); // 1,366,032,384
  });
});

describe('perf suite', () => {
  it('measures matmul, three convolutions, the net forward and training step on wasm without leaking', async () => {
    const file = path.join(dir, 'perf.json');
    const io = captureIo();
    const before = tf.memory().numTensors;
    expect(await main(['perf', 'core', '--runs', '1', '--json', file], io)).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    const report = JSON.parse(await readFile(file, 'utf8')) as RunReport;
    const m = report.suites[0].metrics;
    expect(report.suites[0].status).toBe('ok');
    expect(m).toMatchObject({ backend: 'wasm', simd: 'on', threads: 1, 'matmul.n': 512, 'conv.size': 64, 'net.size': 64 });
    expect(m['matmul.flops']).toBe(2 * 512 ** 3);
    expect(m['net.train.flops']).toBe(3 * (m['net.forward.flops'] as number)); // the 3× convention
    for (const key of ['conv3x3', 'depthwise3x3', 'conv1x1', 'net.forward', 'net.train']) {
      const gflops = m[`${key}.gflops`] as number;
      expect(gflops, key).toBeCloseTo((m[`${key}.flops`] as number) / ((m[`${key}.medianMs`] as number) * 1e6), 6);
      expect(m[`${key}.ofMatmul`], key).toBeCloseTo(gflops / (m['matmul.gflops'] as number), 6);
    }
    expect(io.stdoutText()).toContain('FLOPs = 2 × MACs');
    expect(io.stderrText()).toContain('[perf] 6/6 conv net ×10 training step 1×64×64×3');
  });

  it('skips the training step on the cpu backend and restores the previous backend', async () => {
    const file = path.join(dir, 'perf-cpu.json');
    const io = captureIo();
    const backend = tf.getBackend();
    const small = ['--runs', '1', '--matmul', '64', '--conv-size', '16', '--net-size', '16'];
    expect(await main(['perf', 'core', '--backend', 'cpu', ...small, '--json', file], io)).toBe(0);
    expect(tf.getBackend()).toBe(backend);
    const m = (JSON.parse(await readFile(file, 'utf8')) as RunReport).suites[0].metrics;
    expect(m).toMatchObject({ backend: 'cpu', simd: 'off', 'matmul.n': 64, 'conv.size': 16, 'net.size': 16 });
    expect(m['net.forward.flops']).toBe(2 * netMacs(16));
    expect(m['net.train.status']).toMatch(/^skipped: wasm only/);
    expect(typeof m['net.forward.gflops']).toBe('number');
  });
});
