/**
 * Command-line parsing of `lab`: the subcommand (a suite name), the common options, and the
 * chosen suite's own options. Anything unknown is an error that names it and lists the valid
 * choices; `main` turns it into exit code 2.
 * @packageDocumentation
 */
import type { AnySuite, OptionSpec, OptionSpecs, Shard } from './suite';
import { findSuite, type SuiteRegistry } from './registry';
import { ShardError, parseShard } from './shard';

/** A mistake on the command line; `main` prints it and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The options every subcommand (and the default run) accepts. */
export const COMMON_OPTIONS = Object.freeze({
  json: { type: 'string', valueName: 'FILE', description: 'write machine-readable results (schema version 2) to FILE' },
  out: {
    type: 'string',
    valueName: 'DIR',
    description: 'write a report folder: results.json, report.md, index.html, plots/ and pictures (default run: lab-report)',
  },
  data: {
    type: 'string',
    valueName: 'DIR',
    description: 'data folder for the suites (set5/, weights/, …); default $LAB_DATA, else data shipped in packages',
  },
  shard: { type: 'string', valueName: 'I/N', description: 'run part I of N (0 <= I < N) of the work; join the parts with lab merge' },
  seed: { type: 'number', valueName: 'N', integer: true, min: 0, default: 0, description: 'seed of every random choice' },
  quick: { type: 'boolean', description: 'small problem sizes and few repetitions (the default)' },
  full: { type: 'boolean', description: 'full problem sizes and repetitions' },
} as const satisfies OptionSpecs);

/** The common options after parsing. */
export interface CommonOptions {
  readonly json?: string;
  readonly out?: string;
  /** `--data DIR` as given (not yet defaulted to `$LAB_DATA`). */
  readonly data?: string;
  /** `--shard I/N`, parsed. */
  readonly shard?: Shard;
  readonly seed: number;
  /** False only with `--full`. */
  readonly quick: boolean;
}

/** The options of `lab merge`. */
export const MERGE_OPTIONS = Object.freeze({
  out: { type: 'string', valueName: 'DIR', description: 'report folder of the merged run (default lab-report)' },
  json: { type: 'string', valueName: 'FILE', description: 'also write the merged results to FILE' },
} as const satisfies OptionSpecs);

/** What the command line asks for. */
export type ParsedArgs =
  | { readonly kind: 'help'; readonly suite?: AnySuite; readonly merge?: boolean }
  | {
      readonly kind: 'merge';
      /** The shard report folders (or their `results.json` files), as given. */
      readonly dirs: readonly string[];
      readonly out?: string;
      readonly json?: string;
    }
  | {
      readonly kind: 'run';
      /** The chosen suite; undefined for the default run of every suite. */
      readonly suite?: AnySuite;
      readonly common: CommonOptions;
      /** The chosen suite's options, parsed and defaulted (empty for the default run). */
      readonly suiteOptions: Readonly<Record<string, string | number | boolean | undefined>>;
    };

/** Option names as written on the command line, sorted, with `--help`. */
export function optionNames(specs: OptionSpecs): string[] {
  return [...Object.keys(specs).map((k) => `--${k}`), '--help'].sort();
}

/**
 * Parses `argv` (without `node` and the script) against the common options and, once a suite
 * name is seen, that suite's options. Suite options must follow the suite name.
 * @throws {@link UsageError} for an unknown or malformed option or a stray argument;
 *   `UnknownNameError` from `@lab/tensor` for an unknown suite.
 */
export function parseArgs(argv: readonly string[], registry: SuiteRegistry): ParsedArgs {
  if (argv[0] === 'merge' && !Object.hasOwn(registry, 'merge')) return parseMergeArgs(argv.slice(1));
  let suite: AnySuite | undefined;
  let help = false;
  const common = new Map<string, string | boolean>();
  const own = new Map<string, string | boolean>();
  let onlyPositional = false;

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!onlyPositional && token === '--') {
      onlyPositional = true;
      continue;
    }
    if (!onlyPositional && (token === '-h' || token === '--help')) {
      help = true;
      continue;
    }
    if (!onlyPositional && token.startsWith('-') && token !== '-') {
      if (!token.startsWith('--')) throw unknownOption(token, suite, registry);
      const eq = token.indexOf('=');
      const name = eq < 0 ? token.slice(2) : token.slice(2, eq);
      const inline = eq < 0 ? undefined : token.slice(eq + 1);
      const commonSpec = Object.hasOwn(COMMON_OPTIONS, name) ? (COMMON_OPTIONS as OptionSpecs)[name] : undefined;
      const ownSpec = suite?.options && Object.hasOwn(suite.options, name) ? (suite.options as OptionSpecs)[name] : undefined;
      const spec = commonSpec ?? ownSpec;
      if (!spec) throw unknownOption(`--${name}`, suite, registry);
      let value: string | boolean;
      if (spec.type === 'boolean') {
        if (inline !== undefined) throw new UsageError(`option '--${name}' takes no value, got '${inline}'`);
        value = true;
      } else if (inline !== undefined) {
        value = inline;
      } else {
        const next = argv[i + 1];
        if (next === undefined || (next.startsWith('--') && next.length > 2)) {
          throw new UsageError(`option '--${name}' needs a value ${valueName(spec)}`);
        }
        value = next;
        i++;
      }
      (commonSpec ? common : own).set(name, value);
      continue;
    }
    if (suite === undefined) {
      suite = findSuite(registry, token);
      continue;
    }
    // A suite may take one bare word as the value of one of its options (`lab perf attribution`).
    if (suite.positional !== undefined && !own.has(suite.positional)) {
      own.set(suite.positional, token);
      continue;
    }
    throw new UsageError(`unexpected argument '${token}' after suite '${suite.name}'; a run takes one suite name`);
  }

  if (help) return { kind: 'help', suite };

  const commonValues = convertAll(COMMON_OPTIONS, common, suite?.name);
  if (commonValues.quick === true && commonValues.full === true) {
    throw new UsageError("options '--quick' and '--full' exclude each other; give one");
  }
  const suiteOptions = suite?.options ? convertAll(suite.options, own, suite.name) : {};
  let shard: Shard | undefined;
  if (commonValues.shard !== undefined) {
    try {
      shard = parseShard(commonValues.shard as string);
    } catch (e) {
      throw new UsageError(e instanceof ShardError ? e.message : String(e));
    }
  }
  return {
    kind: 'run',
    suite,
    common: {
      json: commonValues.json as string | undefined,
      out: commonValues.out as string | undefined,
      data: commonValues.data as string | undefined,
      shard,
      seed: commonValues.seed as number,
      quick: commonValues.full !== true,
    },
    suiteOptions,
  };
}

/** `lab merge DIR… [--out DIR] [--json FILE]`. */
function parseMergeArgs(argv: readonly string[]): ParsedArgs {
  const dirs: string[] = [];
  const given = new Map<string, string>();
  let onlyPositional = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!onlyPositional && token === '--') {
      onlyPositional = true;
      continue;
    }
    if (!onlyPositional && (token === '-h' || token === '--help')) return { kind: 'help', merge: true };
    if (!onlyPositional && token.startsWith('--')) {
      const eq = token.indexOf('=');
      const name = eq < 0 ? token.slice(2) : token.slice(2, eq);
      if (!Object.hasOwn(MERGE_OPTIONS, name)) {
        throw new UsageError(`unknown option '--${name}' for 'lab merge'; valid options: ${optionNames(MERGE_OPTIONS).join(', ')}`);
      }
      const value = eq < 0 ? argv[++i] : token.slice(eq + 1);
      if (value === undefined || value === '') throw new UsageError(`option '--${name}' needs a value ${valueName((MERGE_OPTIONS as OptionSpecs)[name])}`);
      given.set(name, value);
      continue;
    }
    dirs.push(token);
  }
  if (dirs.length === 0) throw new UsageError("'lab merge' needs the report folders of the shards: lab merge DIR… [--out DIR]");
  return { kind: 'merge', dirs, out: given.get('out'), json: given.get('json') };
}

function valueName(spec: OptionSpec): string {
  return spec.valueName ?? (spec.choices ? spec.choices.join('|') : spec.type.toUpperCase());
}

function unknownOption(option: string, suite: AnySuite | undefined, registry: SuiteRegistry): UsageError {
  const valid = optionNames({ ...COMMON_OPTIONS, ...(suite?.options ?? {}) });
  const where = suite ? ` for suite '${suite.name}'` : '';
  let message = `unknown option '${option}'${where}; valid options: ${valid.join(', ')}`;
  if (!suite && option.startsWith('--')) {
    const name = option.slice(2).split('=')[0];
    const owners = Object.values(registry).filter((s) => s.options && Object.hasOwn(s.options, name));
    if (owners.length > 0) {
      message += `\n'${option}' is an option of suite ${owners.map((s) => `'${s.name}'`).join(', ')}: put it after the suite name (lab ${owners[0].name} ${option} …)`;
    }
  }
  return new UsageError(message);
}

function convertAll(
  specs: OptionSpecs,
  given: Map<string, string | boolean>,
  suiteName: string | undefined,
): Record<string, string | number | boolean | undefined> {
  const out: Record<string, string | number | boolean | undefined> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const raw = given.get(name);
    out[name] = raw === undefined ? spec.default : convert(name, spec, raw, suiteName);
  }
  return out;
}

function convert(name: string, spec: OptionSpec, raw: string | boolean, suiteName: string | undefined): string | number | boolean {
  const where = suiteName ? `lab ${suiteName}: ` : '';
  if (spec.type === 'boolean') return raw === true;
  const text = String(raw);
  if (spec.type === 'string') {
    if (spec.choices && !spec.choices.includes(text)) {
      throw new UsageError(`${where}--${name} must be one of ${spec.choices.join(', ')}, got '${text}'`);
    }
    if (text === '') throw new UsageError(`${where}--${name} must not be empty`);
    return text;
  }
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`${where}--${name} must be a number, got '${text}'`);
  if (spec.integer && !Number.isInteger(value)) throw new UsageError(`${where}--${name} must be an integer, got '${text}'`);
  if (spec.min !== undefined && value < spec.min) {
    throw new UsageError(`${where}--${name} must be >= ${spec.min}, got '${text}'`);
  }
  return value;
}
