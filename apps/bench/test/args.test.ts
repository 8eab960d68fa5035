import { UnknownNameError } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/args';
import { fakeRegistry, tinySuite } from './fixtures';

const parse = (...argv: string[]) => parseArgs(argv, fakeRegistry);

describe('parseArgs', () => {
  it('reads no arguments as the default run in quick mode with seed 0', () => {
    expect(parse()).toEqual({ kind: 'run', suite: undefined, common: { json: undefined, out: undefined, seed: 0, quick: true }, suiteOptions: {} });
  });

  it('reads a suite name, its options with defaults, and common options before or after it', () => {
    const args = parse('--seed', '7', 'tiny', '--size=5', '--full', '--json', 'r.json');
    expect(args).toEqual({
      kind: 'run',
      suite: tinySuite,
      common: { json: 'r.json', out: undefined, seed: 7, quick: false },
      suiteOptions: { size: 5, mode: 'a' },
    });
  });

  it('returns help for -h and --help, with the suite when one is named', () => {
    expect(parse('-h')).toEqual({ kind: 'help', suite: undefined });
    expect(parse('tiny', '--help')).toEqual({ kind: 'help', suite: tinySuite });
  });

  it('throws UnknownNameError naming an unknown suite and listing the valid ones', () => {
    expect(() => parse('nope')).toThrow(UnknownNameError);
    expect(() => parse('nope')).toThrow("unknown suite 'nope'; valid: broken, leaky, tiny");
  });

  it('throws UsageError naming an unknown option and listing the valid ones', () => {
    expect(() => parse('tiny', '--bogus')).toThrow(UsageError);
    expect(() => parse('tiny', '--bogus')).toThrow(
      "unknown option '--bogus' for suite 'tiny'; valid options: --data, --full, --help, --json, --mode, --out, --quick, --seed, --shard, --size",
    );
    expect(() => parse('-x')).toThrow("unknown option '-x'; valid options: --data, --full, --help, --json, --out, --quick, --seed, --shard");
  });

  it('points a suite option given before the suite name to its suite', () => {
    expect(() => parse('--size', '2', 'tiny')).toThrow(/'--size' is an option of suite 'tiny': put it after the suite name/);
  });

  it('rejects a missing value, a bad number, a value outside the choices and a value on a flag', () => {
    expect(() => parse('--json')).toThrow("option '--json' needs a value FILE");
    expect(() => parse('--json', '--full')).toThrow("option '--json' needs a value FILE");
    expect(() => parse('--seed', 'abc')).toThrow("--seed must be a number, got 'abc'");
    expect(() => parse('--seed', '1.5')).toThrow("--seed must be an integer, got '1.5'");
    expect(() => parse('--seed=-1')).toThrow("--seed must be >= 0, got '-1'");
    expect(() => parse('tiny', '--mode', 'c')).toThrow("lab tiny: --mode must be one of a, b, got 'c'");
    expect(() => parse('--quick=yes')).toThrow("option '--quick' takes no value, got 'yes'");
  });

  it('rejects --quick with --full, and a second positional argument', () => {
    expect(() => parse('--quick', '--full')).toThrow("options '--quick' and '--full' exclude each other");
    expect(() => parse('tiny', 'broken')).toThrow("unexpected argument 'broken' after suite 'tiny'");
  });
});
