/**
 * Checks that a parsed `results.json` follows the report schema ({@link SCHEMA_VERSION}) before
 * `lab merge` (or a test) relies on it. Each problem is named by its JSON path.
 * @packageDocumentation
 */
import { SCHEMA_VERSION, type RunReport } from './report';

/** A `results.json` that does not follow the schema. */
export class ReportSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportSchemaError';
  }
}

type Check = (value: unknown, at: string, problems: string[]) => void;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

const string: Check = (v, at, p) => void (typeof v !== 'string' && p.push(`${at} must be a string, got ${kind(v)}`));
const number: Check = (v, at, p) => void (typeof v !== 'number' && p.push(`${at} must be a number, got ${kind(v)}`));
const boolean: Check = (v, at, p) => void (typeof v !== 'boolean' && p.push(`${at} must be a boolean, got ${kind(v)}`));
const oneOf =
  (...values: readonly unknown[]): Check =>
  (v, at, p) =>
    void (!values.includes(v) && p.push(`${at} must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}, got ${JSON.stringify(v)}`));
const nullable =
  (check: Check): Check =>
  (v, at, p) =>
    v === null ? undefined : check(v, at, p);
const array =
  (item: Check): Check =>
  (v, at, p) => {
    if (!Array.isArray(v)) return void p.push(`${at} must be an array, got ${kind(v)}`);
    v.forEach((x, i) => item(x, `${at}[${i}]`, p));
  };
const scalar: Check = (v, at, p) =>
  void (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean' && v !== null && p.push(`${at} must be a string or number, got ${kind(v)}`));
const record =
  (value: Check): Check =>
  (v, at, p) => {
    if (!isObject(v)) return void p.push(`${at} must be an object, got ${kind(v)}`);
    for (const [k, x] of Object.entries(v)) value(x, `${at}.${k}`, p);
  };

/** An object with `required` and `optional` fields (other keys are allowed, for later minor additions). */
const object =
  (required: Record<string, Check>, optional: Record<string, Check> = {}): Check =>
  (v, at, p) => {
    if (!isObject(v)) return void p.push(`${at} must be an object, got ${kind(v)}`);
    for (const [k, check] of Object.entries(required)) {
      if (!(k in v)) p.push(`${at}.${k} is missing`);
      else check(v[k], `${at}.${k}`, p);
    }
    for (const [k, check] of Object.entries(optional)) if (k in v && v[k] !== undefined) check(v[k], `${at}.${k}`, p);
  };

const shard = object({ index: number, count: number });
const environment = object({
  node: string,
  backend: string,
  simd: boolean,
  threads: number,
  cpu: object({ model: string, cores: number, arch: string }),
  platform: string,
  tfjs: string,
});
const table = object({ title: string, columns: array(string), rows: array(array(scalar)) }, { notes: array(string) });
const plot = object(
  {
    title: string,
    kind: oneOf('line', 'bar', 'scatter'),
    x: string,
    y: string,
    series: array(object({ name: string, points: array(object({ x: scalar, y: nullable(number) }, { label: string })) })),
  },
  { xScale: oneOf('linear', 'log'), yScale: oneOf('linear', 'log'), notes: array(string) },
);
const image = object({ file: string, title: string }, { caption: string });
const suiteResult = object(
  { suite: string, status: oneOf('ok', 'failed'), durationMs: number, metrics: record(scalar) },
  {
    options: record(scalar),
    tables: array(table),
    plots: array(plot),
    images: array(image),
    summary: string,
    error: string,
    shard,
  },
);
const report = object(
  {
    schemaVersion: oneOf(SCHEMA_VERSION),
    createdAt: string,
    command: object({
      argv: array(string),
      suite: nullable(string),
      mode: oneOf('quick', 'full'),
      seed: number,
      data: nullable(string),
      shard: nullable(shard),
    }),
    environment,
    status: oneOf('ok', 'failed'),
    durationMs: number,
    plan: array(string),
    suites: array(suiteResult),
  },
  {
    shards: array(
      object({ index: number, count: number, argv: array(string), createdAt: string, durationMs: number, status: oneOf('ok', 'failed'), environment }),
    ),
  },
);

/** The schema problems of `value` as a report, each naming its JSON path; empty when it conforms. */
export function reportProblems(value: unknown): string[] {
  const problems: string[] = [];
  if (isObject(value) && value.schemaVersion !== SCHEMA_VERSION) {
    return [`schemaVersion must be ${SCHEMA_VERSION}, got ${JSON.stringify(value.schemaVersion)} (written by another version of lab)`];
  }
  report(value, '$', problems);
  return problems;
}

/**
 * `value` (a parsed `results.json`) as a {@link RunReport}.
 * @throws {@link ReportSchemaError} listing the first problems, prefixed by `source`.
 */
export function parseReport(value: unknown, source: string): RunReport {
  const problems = reportProblems(value);
  if (problems.length > 0) {
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    throw new ReportSchemaError(`${source}: not a lab report: ${problems.slice(0, 5).join('; ')}${more}`);
  }
  return value as RunReport;
}
