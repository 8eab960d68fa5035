/**
 * The `Suite` contract: what every `lab` subcommand implements, what it receives, and what it
 * hands back. A suite never prints its results itself; the runner prints, times and records them.
 * @packageDocumentation
 */
import type { Progress } from './progress';

/** One option of a suite (or of the command itself), as `--name VALUE` or a `--name` flag. */
export interface OptionSpec {
  /** `boolean` options are flags; `number` values are parsed and checked; `string` values may have `choices`. */
  readonly type: 'string' | 'number' | 'boolean';
  /** One line for `--help`. */
  readonly description: string;
  /** Placeholder for the value in `--help` (`FILE`, `N`); defaults to the type in capitals. */
  readonly valueName?: string;
  /** The accepted values of a `string` option. */
  readonly choices?: readonly string[];
  /** Value when the option is not given; absent means `undefined`. */
  readonly default?: string | number | boolean;
  /** For `number` options: the value must be an integer. */
  readonly integer?: boolean;
  /** For `number` options: the smallest accepted value. */
  readonly min?: number;
}

/** A suite's options by their command-line name (`backend` is `--backend`). */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type ValueOf<O extends OptionSpec> = O['type'] extends 'number' ? number : O['type'] extends 'boolean' ? boolean : string;

/** The parsed values of a set of options; options without a default may be `undefined`. */
export type OptionValues<S extends OptionSpecs> = {
  readonly [K in keyof S]: S[K] extends { default: string | number | boolean } ? ValueOf<S[K]> : ValueOf<S[K]> | undefined;
};

/** What a suite receives when it runs. */
export interface SuiteContext<V = Readonly<Record<string, string | number | boolean | undefined>>> {
  /** True for small problem sizes and few repetitions (the default); false with `--full`. */
  readonly quick: boolean;
  /** Seed of every random choice (`--seed`, default 0); the global seed is set to it before `run`. */
  readonly seed: number;
  /** Report folder (`--out`), when given; a suite may write extra files there. */
  readonly outDir?: string;
  /** The suite's own options, parsed and defaulted. */
  readonly options: V;
  /** Progress of the suite's steps: a bar on a terminal, plain lines otherwise. */
  readonly progress: Progress;
  /** Writes one line of diagnostics to stderr (without breaking the progress bar). */
  readonly log: (message: string) => void;
}

/** A table of results, printed to the terminal and written to `report.md`. */
export interface ResultTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  /** Footnotes under the table (conventions, units). */
  readonly notes?: readonly string[];
}

/** Figures a suite reports: flat keys (`resnet56.macs`) to numbers (raw units) or strings. */
export type Metrics = Record<string, number | string>;

/** What a suite's `run` returns; the runner adds its name, status and duration. */
export interface SuiteOutput {
  readonly metrics: Metrics;
  readonly tables?: readonly ResultTable[];
  /** One line of key figures for the summary table; by default the first three metrics. */
  readonly summary?: string;
  /**
   * Problems found while the suite still produced results (a leak in one benchmark, a check that
   * did not hold). Any entry marks the suite failed while keeping its metrics.
   */
  readonly failures?: readonly string[];
}

/** The recorded result of one suite (an element of `suites` in the JSON report). */
export interface SuiteResult {
  readonly suite: string;
  readonly status: 'ok' | 'failed';
  readonly durationMs: number;
  readonly metrics: Metrics;
  readonly tables?: readonly ResultTable[];
  readonly summary?: string;
  /** Why the suite failed: the thrown error's message, or its failures joined by `; `. */
  readonly error?: string;
}

/** A `lab` subcommand. Build one with {@link defineSuite} so its options are typed. */
export interface Suite<S extends OptionSpecs = OptionSpecs> {
  /** Lowercase kebab-case name, also its key in the registry and its subcommand. */
  readonly name: string;
  /** One line for `lab --help`. */
  readonly description: string;
  /** The suite's own options (`lab <suite> --help` lists them). */
  readonly options?: S;
  /** Name of one of `options` that a bare word after the suite name sets (`lab perf attribution`). */
  readonly positional?: keyof S & string;
  run(ctx: SuiteContext<OptionValues<S>>): Promise<SuiteOutput>;
}

/** A suite of any option set, as the registry and runner hold it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySuite = Suite<any>;

/** Returns `suite` unchanged; exists so TypeScript infers the option types of `run`'s context. */
export function defineSuite<const S extends OptionSpecs = {}>(suite: Suite<S>): Suite<S> {
  return suite;
}
