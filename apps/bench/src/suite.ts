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
  /**
   * Report folder (`--out`, or `lab-report` for the default run), when there is one; a suite may
   * write extra files there (figures) and list them in {@link SuiteOutput.images}.
   */
  readonly outDir?: string;
  /**
   * The data folder (`--data DIR`, else `$LAB_DATA`), absolute; undefined when neither is given.
   * Holds the shared benchmark data (`set5/`, `weights/`, …); a suite that needs data it cannot
   * find there falls back to data shipped with a package, or skips that part and says so.
   */
  readonly dataDir?: string;
  /**
   * The part of the work this run does (`--shard i/n`), for suites declared
   * {@link Suite.shardable}: such a suite evaluates only `shardSlice(items, ctx.shard)`.
   * Undefined (the whole work) when the run is not sharded.
   */
  readonly shard?: Shard;
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

/** One point of a {@link PlotSeries}. */
export interface PlotPoint {
  /** Position on the x axis: a number (line, scatter) or a category name (bar). */
  readonly x: number | string;
  /** Value on the y axis; points with a non-finite `y` (or `x`) are left out of the drawing. */
  readonly y: number;
  /** Text drawn next to the point in a scatter plot (a model name), and shown in tooltips. */
  readonly label?: string;
}

/** A named set of points of a {@link ResultPlot}: one line, one colour of bars, one marker set. */
export interface PlotSeries {
  /** Legend entry. */
  readonly name: string;
  /** The points in drawing order. */
  readonly points: readonly PlotPoint[];
}

/**
 * A plot a suite returns as data; the report draws it (SVG, with Vega-Lite) in `index.html` and
 * `report.md`. `line`: x numeric, one line per series; `scatter`: x numeric, labelled markers;
 * `bar`: x categories, one bar per series in each category (grouped).
 */
export interface ResultPlot {
  /** Title above the plot; also its identity when shard outputs are merged. */
  readonly title: string;
  /** How the points are drawn. */
  readonly kind: 'line' | 'bar' | 'scatter';
  /** Title of the x axis, with its unit (`GFLOPs`). */
  readonly x: string;
  /** Title of the y axis, with its unit (`PSNR-Y (dB)`). */
  readonly y: string;
  /** Scale of the x axis (numeric x only); linear by default. */
  readonly xScale?: 'linear' | 'log';
  /** Scale of the y axis; linear by default. */
  readonly yScale?: 'linear' | 'log';
  /** The data, one entry per legend item. */
  readonly series: readonly PlotSeries[];
  /** Footnotes under the plot (where the numbers come from). */
  readonly notes?: readonly string[];
}

/** A picture a suite wrote into the report folder, shown in `index.html` and `report.md`. */
export interface ResultImage {
  /**
   * The file (PNG, JPEG, SVG, …). In a suite's output: the path the suite wrote, which must lie
   * inside {@link SuiteContext.outDir}. In a result: relative to the report folder, with `/`.
   */
  readonly file: string;
  /** Short title shown above the picture. */
  readonly title: string;
  /** What the picture shows (panel order, colour code). */
  readonly caption?: string;
}

/** A part of the work: run `index` of `count` (`--shard index/count`, 0-based). */
export interface Shard {
  /** This run's part, `0 ≤ index < count`. */
  readonly index: number;
  /** Number of parts. */
  readonly count: number;
}

/**
 * The items of `items` that shard `shard` evaluates: a contiguous block, so that the blocks of
 * shards `0 … count−1` concatenated in order are exactly `items` (each item once, same order).
 * Without a shard, all of `items`.
 */
export function shardSlice<T>(items: readonly T[], shard: Shard | undefined): T[] {
  if (shard === undefined || shard.count <= 1) return [...items];
  const start = Math.floor((shard.index * items.length) / shard.count);
  const end = Math.floor(((shard.index + 1) * items.length) / shard.count);
  return items.slice(start, end);
}

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
  /** Plots drawn from data (curves, trade-offs, per-method bars). */
  readonly plots?: readonly ResultPlot[];
  /** Pictures the suite wrote into {@link SuiteContext.outDir}. */
  readonly images?: readonly ResultImage[];
}

/** The recorded result of one suite (an element of `suites` in the JSON report). */
export interface SuiteResult {
  readonly suite: string;
  readonly status: 'ok' | 'failed';
  /** Time the suite ran; for a merged sharded suite, the sum over its shards. */
  readonly durationMs: number;
  /** The suite's own options as parsed and defaulted (absent when it has none). */
  readonly options?: Readonly<Record<string, string | number | boolean>>;
  readonly metrics: Metrics;
  readonly tables?: readonly ResultTable[];
  readonly plots?: readonly ResultPlot[];
  /** Pictures, paths relative to the report folder. */
  readonly images?: readonly ResultImage[];
  readonly summary?: string;
  /** Why the suite failed: the thrown error's message, or its failures joined by `; `. */
  readonly error?: string;
  /**
   * Set on the partial result of a {@link Suite.shardable} suite in a sharded run: which part it
   * holds. `lab merge` combines the parts into one result without this field.
   */
  readonly shard?: Shard;
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
  /**
   * True when the suite splits its own items between shards: it then runs on every shard of a
   * `--shard i/n` run, evaluates `shardSlice(items, ctx.shard)`, and returns per-item metrics,
   * table rows, plot points and images, which `lab merge` concatenates in shard order. Such a
   * suite computes whole-run figures (totals, means, the summary) in {@link Suite.finish}.
   * Other suites run whole, on one shard each (round-robin).
   */
  readonly shardable?: boolean;
  /**
   * Adds whole-run figures to the output over all items (summary, totals, failures that depend
   * on every item). Called after `run` in an unsharded run, and by `lab merge` on the combined
   * output of all shards; not called on a single shard of a sharded run.
   */
  finish?(output: SuiteOutput, ctx: { readonly quick: boolean; readonly seed: number; readonly options: OptionValues<S> }): SuiteOutput;
  run(ctx: SuiteContext<OptionValues<S>>): Promise<SuiteOutput>;
}

/** A suite of any option set, as the registry and runner hold it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySuite = Suite<any>;

/** Returns `suite` unchanged; exists so TypeScript infers the option types of `run`'s context. */
export function defineSuite<const S extends OptionSpecs = {}>(suite: Suite<S>): Suite<S> {
  return suite;
}
