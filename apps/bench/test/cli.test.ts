import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { suites } from '../src/registry';

const cli = path.resolve(__dirname, '../dist/cli.js');
const built = existsSync(cli);

const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });

describe.skipIf(!built)('the built lab command (dist/cli.js)', () => {
  it('prints help listing every suite and exits with 0', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    for (const name of Object.keys(suites)) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('exits with 2 and a message on stderr for an unknown subcommand', () => {
    const r = run('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("lab: unknown suite 'frobnicate'; valid: ");
  });

  it('exits with 2 and a message on stderr for an unknown option', () => {
    const r = run('profile', '--frob');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("lab: unknown option '--frob' for suite 'profile'; valid options: ");
  });
});

if (!built) {
  describe('the built lab command (dist/cli.js)', () => {
    it.skip('is not built: run `npx tsup` in apps/bench first', () => {});
  });
}
