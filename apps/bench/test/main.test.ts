import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main';
import { suites } from '../src/registry';
import type { RunReport } from '../src/report';
import { brokenSuite, captureIo, cpuBackend, fakeRegistry, tinySuite } from './fixtures';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lab-bench-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const deps = { suites: fakeRegistry, initBackend: cpuBackend };
/** The data folder a run records: `$LAB_DATA` resolved when it is a folder, else null. */
const labData = process.env.LAB_DATA && existsSync(process.env.LAB_DATA) ? path.resolve(process.env.LAB_DATA) : null;

describe('main: help and usage errors', () => {
  it('lists every registered suite with its description and the common options on --help and -h', async () => {
    for (const flag of ['--help', '-h']) {
      const io = captureIo();
      expect(await main([flag], io)).toBe(0);
      const text = io.stdoutText();
      for (const [name, suite] of Object.entries(suites)) expect(text).toMatch(new RegExp(`^  ${name} +${escape(suite.description)}$`, 'm'));
      for (const option of ['--json FILE', '--out DIR', '--seed N', '--quick', '--full', '-h, --help']) expect(text).toContain(option);
      expect(io.stderrText()).toBe('');
    }
  });

  it("shows a suite's own options on '<suite> --help'", async () => {
    const io = captureIo();
    expect(await main(['perf', '--help'], io)).toBe(0);
    expect(io.stdoutText()).toContain('lab perf:');
    expect(io.stdoutText()).toMatch(/--backend wasm\|cpu +tfjs backend to measure \(default wasm\)/);
    expect(io.stdoutText()).toContain('Common options:');
  });

  it('exits with 2 and names an unknown suite, listing the valid ones, on stderr', async () => {
    const io = captureIo();
    expect(await main(['nope'], io)).toBe(2);
    expect(io.stdoutText()).toBe('');
    expect(io.stderrText()).toBe(`lab: unknown suite 'nope'; valid: ${Object.keys(suites).sort().join(', ')}\nRun 'lab --help' for usage.\n`);
  });

  it('exits with 2 and names an unknown option, listing the valid ones, on stderr', async () => {
    const io = captureIo();
    expect(await main(['tiny', '--bogus'], io, deps)).toBe(2);
    expect(io.stderrText()).toContain(
      "lab: unknown option '--bogus' for suite 'tiny'; valid options: --data, --full, --help, --json, --mode, --out, --quick, --seed, --shard, --size",
    );
    expect(io.stderrText()).toContain("Run 'lab tiny --help' for usage.");
  });
});

describe('main: runs', () => {
  it('writes a schema-2 JSON report of a fake suite with --json', async () => {
    const file = path.join(dir, 'nested', 'tiny.json');
    const io = captureIo();
    expect(await main(['tiny', '--size', '4', '--seed', '3', '--json', file], io, deps)).toBe(0);
    const report = JSON.parse(await readFile(file, 'utf8')) as RunReport;
    expect(Object.keys(report).sort()).toEqual(['command', 'createdAt', 'durationMs', 'environment', 'plan', 'schemaVersion', 'status', 'suites']);
    expect(report.schemaVersion).toBe(2);
    expect(report.plan).toEqual(['tiny']);
    expect(new Date(report.createdAt).toISOString()).toBe(report.createdAt);
    expect(report.command).toEqual({ argv: ['tiny', '--size', '4', '--seed', '3', '--json', file], suite: 'tiny', mode: 'quick', seed: 3, data: labData, shard: null });
    expect(report.environment).toMatchObject({ node: process.version, backend: 'cpu', simd: false, threads: 1 });
    expect(report.environment.cpu.cores).toBe(os.cpus().length);
    expect(typeof report.environment.cpu.model).toBe('string');
    expect(report.status).toBe('ok');
    expect(report.suites).toHaveLength(1);
    const [r] = report.suites;
    expect(Object.keys(r).sort()).toEqual(['durationMs', 'metrics', 'options', 'status', 'suite', 'summary', 'tables']);
    expect(r).toMatchObject({ suite: 'tiny', status: 'ok', options: { size: 4, mode: 'a' }, metrics: { sum: 4, quick: 1, seed: 3, mode: 'a' }, summary: 'sum 4' });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
    expect(r.tables).toEqual([{ title: 'Tiny table', columns: ['name', 'value'], rows: [['sum', 4]] }]);
  });

  it('runs every suite by default, keeps results after a failing suite, and exits with 1', async () => {
    const file = path.join(dir, 'all.json');
    const io = captureIo();
    expect(await main(['--json', file, '--out', path.join(dir, 'all')], io, deps)).toBe(1);
    const report = JSON.parse(await readFile(file, 'utf8')) as RunReport;
    expect(report.command.suite).toBeNull();
    expect(report.status).toBe('failed');
    expect(report.suites.map((s) => [s.suite, s.status])).toEqual([
      ['tiny', 'ok'],
      ['broken', 'failed'],
      ['leaky', 'failed'],
    ]);
    expect(report.suites[0].metrics.sum).toBe(3); // the default of --size
    expect(report.suites[1].error).toBe('RangeError: kaboom in broken');
    expect(report.suites[2]).toMatchObject({ metrics: { value: 1 }, error: "suite 'leaky' leaked 1 tensor" });
    const out = io.stdoutText();
    expect(out).toMatch(/^tiny +ok +\d+ ms +sum 3$/m);
    expect(out).toMatch(/^broken +failed +\d+ ms +RangeError: kaboom in broken$/m);
    expect(out).toContain('FAILED: 1/3 suites ok');
  });

  it('runs in full mode with --full', async () => {
    const file = path.join(dir, 'full.json');
    expect(await main(['tiny', '--full', '--json', file], captureIo(), deps)).toBe(0);
    const report = JSON.parse(await readFile(file, 'utf8')) as RunReport;
    expect(report.command.mode).toBe('full');
    expect(report.suites[0].metrics.quick).toBe(0);
  });

  it('writes results.json and report.md with the summary and tables to --out', async () => {
    const out = path.join(dir, 'report');
    expect(await main(['tiny', '--out', out], captureIo(), deps)).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as RunReport;
    expect(report.suites[0].metrics.sum).toBe(3);
    const md = await readFile(path.join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/^# lab report$/m);
    expect(md).toMatch(/^\| suite \| status \| time \| key figures \|$/m);
    expect(md).toMatch(/^\| tiny \| ok \| \d+ ms \| sum 3 \|$/m);
    expect(md).toMatch(/^### Tiny table$/m);
    expect(md).toMatch(/^\| sum \| 3 \|$/m);
  });

  it('prints plain progress lines when stderr is not a terminal', async () => {
    const io = captureIo(false);
    await main(['tiny'], io, deps);
    expect(io.stderrText()).toContain('[tiny] 1/2 first\n[tiny] 2/2 second\n');
  });

  it('draws a progress bar on one line when stderr is a terminal', async () => {
    const io = captureIo(true);
    await main(['tiny'], io, deps);
    const bar = io.err.filter((t) => t.startsWith('\r\x1b[K[tiny]'));
    expect(bar).toHaveLength(2);
    expect(bar[1]).toMatch(/^\r\x1b\[K\[tiny\] [█░]+ 2\/2 second$/);
    expect(io.err.some((t) => t.includes('[tiny] 1/2 first\n'))).toBe(false);
  });

  it('reports a suite that throws with its error in the summary', async () => {
    const io = captureIo();
    expect(await main(['broken'], io, { ...deps, suites: { broken: brokenSuite, tiny: tinySuite } })).toBe(1);
    expect(io.stdoutText()).toContain('error: RangeError: kaboom in broken');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
