import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main';
import type { RunReport } from '../src/report';
import { parseShard, shardRoles } from '../src/shard';
import { shardSlice, type AnySuite, type SuiteResult } from '../src/suite';
import { captureIo, cpuBackend, figureSuite, ITEMS, itemsSuite, tinySuite } from './fixtures';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lab-shard-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseShard', () => {
  it('reads INDEX/COUNT with 0 <= INDEX < COUNT', () => {
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    for (const bad of ['4/4', '1', '-1/3', '1/0', 'a/b', '1/2/3']) expect(() => parseShard(bad), bad).toThrow(/--shard must be INDEX\/COUNT/);
  });
});

describe('shardSlice', () => {
  it('partitions any item list: the blocks of shards 0..n-1 concatenated are the list (n = 1..6, 0..13 items)', () => {
    for (let length = 0; length <= 13; length++) {
      const items = Array.from({ length }, (_, i) => `item${i}`);
      for (let count = 1; count <= 6; count++) {
        const blocks = Array.from({ length: count }, (_, index) => shardSlice(items, { index, count }));
        expect(blocks.flat(), `${length} items, ${count} shards`).toEqual(items);
        const sizes = blocks.map((b) => b.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
    expect(shardSlice(ITEMS, undefined)).toEqual(ITEMS);
  });
});

describe('shardRoles', () => {
  it('runs each whole suite on exactly one shard (round-robin) and each shardable suite on every shard', () => {
    const plan: AnySuite[] = [tinySuite, itemsSuite, figureSuite, { ...tinySuite, name: 't2' }, { ...tinySuite, name: 't3' }];
    for (let count = 1; count <= 5; count++) {
      const roles = Array.from({ length: count }, (_, index) => shardRoles(plan, { index, count }));
      plan.forEach((suite, k) => {
        const mine = roles.map((r) => r[k]);
        if (count > 1 && suite.shardable) expect(mine.every((r) => r === 'part')).toBe(true);
        else expect(mine.filter((r) => r === 'whole'), `${suite.name} of ${count}`).toHaveLength(1);
      });
    }
    expect(shardRoles(plan, { index: 1, count: 2 })).toEqual(['elsewhere', 'part', 'whole', 'elsewhere', 'whole']);
    expect(shardRoles(plan, undefined)).toEqual(['whole', 'whole', 'whole', 'whole', 'whole']);
  });
});

/** A result without what differs between runs (times, the shard record of parts). */
function comparable(r: SuiteResult): Omit<SuiteResult, 'durationMs'> {
  const { durationMs: _, ...rest } = r;
  return rest;
}

describe('lab --shard and lab merge', () => {
  const registry = { tiny: tinySuite, items: itemsSuite, figures: figureSuite };
  const deps = { suites: registry, initBackend: cpuBackend };

  it('merges the shards of a run into the results of the unsharded run (n = 1, 2, 3, 5)', async () => {
    const whole = path.join(dir, 'whole');
    const wio = captureIo();
    expect(await main(['--seed', '1', '--out', whole], wio, deps), wio.stdoutText()).toBe(0);
    const expected = JSON.parse(await readFile(path.join(whole, 'results.json'), 'utf8')) as RunReport;
    expect(expected.suites.find((s) => s.suite === 'items')?.summary).toBe('7 items, total 63');

    for (const count of [1, 2, 3, 5]) {
      const dirs: string[] = [];
      for (let index = 0; index < count; index++) {
        const out = path.join(dir, `n${count}`, `shard-${index}`);
        const io = captureIo();
        expect(await main(['--seed', '1', '--shard', `${index}/${count}`, '--out', out], io, deps), io.stderrText()).toBe(0);
        dirs.push(out);
      }
      const shard0 = JSON.parse(await readFile(path.join(dirs[0], 'results.json'), 'utf8')) as RunReport;
      expect(shard0.command.shard).toEqual({ index: 0, count });
      expect(shard0.plan).toEqual(['tiny', 'items', 'figures']);

      const merged = path.join(dir, `n${count}`, 'merged');
      const io = captureIo();
      // Shards given out of order: merge sorts them by index.
      expect(await main(['merge', ...[...dirs].reverse(), '--out', merged], io, deps), io.stderrText()).toBe(0);
      const report = JSON.parse(await readFile(path.join(merged, 'results.json'), 'utf8')) as RunReport;
      expect(report.suites.map(comparable), `${count} shards`).toEqual(expected.suites.map(comparable));
      expect(report.status).toBe('ok');
      expect(report.command.shard).toBeNull();
      expect(report.shards?.map((s) => s.index)).toEqual(Array.from({ length: count }, (_, i) => i));
      for (const image of report.suites.flatMap((s) => s.images ?? [])) expect(existsSync(path.join(merged, image.file)), image.file).toBe(true);
      expect(await readFile(path.join(merged, 'index.html'), 'utf8')).toContain('<img src="items-eta.png"');
    }
  });

  it('exits with 2 naming a missing shard, a duplicate, or a folder without a report', async () => {
    const a = path.join(dir, 'm', 'a');
    const b = path.join(dir, 'm', 'b');
    expect(await main(['--shard', '0/3', '--out', a], captureIo(), deps)).toBe(0);
    expect(await main(['--shard', '2/3', '--out', b], captureIo(), deps)).toBe(0);
    let io = captureIo();
    expect(await main(['merge', a, b, '--out', path.join(dir, 'm', 'x')], io, deps)).toBe(2);
    expect(io.stderrText()).toBe('lab merge: ShardError: missing shard 1/3\n');
    io = captureIo();
    expect(await main(['merge', a, a], io, deps)).toBe(2);
    expect(io.stderrText()).toContain(`shard 0/3 given twice: ${a} and ${a}`);
    io = captureIo();
    expect(await main(['merge', path.join(dir, 'nothing')], io, deps)).toBe(2);
    expect(io.stderrText()).toContain(`no report in '${path.join(dir, 'nothing')}'`);
    io = captureIo();
    expect(await main(['merge'], io, deps)).toBe(2);
    expect(io.stderrText()).toContain("'lab merge' needs the report folders of the shards");
  });

  it('rejects a malformed --shard with exit code 2', async () => {
    const io = captureIo();
    expect(await main(['--shard', '3/3'], io, deps)).toBe(2);
    expect(io.stderrText()).toContain("--shard must be INDEX/COUNT with 0 <= INDEX < COUNT (e.g. 0/4), got '3/3'");
  });
});
