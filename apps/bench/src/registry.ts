/**
 * The registry of `lab` suites: a static object built from explicit imports (no registration
 * by side effect). To add a suite, import it here and add one entry; its key is its subcommand
 * and must equal its `name`. The default run (`lab` alone) runs the entries in this order.
 * @packageDocumentation
 */
import { UnknownNameError } from '@lab/tensor';
import type { AnySuite } from './suite';
import { attribution } from './suites/attribution';
import { faithfulness } from './suites/faithfulness';
import { imbalance } from './suites/imbalance';
import { ntire } from './suites/ntire';
import { perf } from './suites/perf';
import { profile } from './suites/profile';
import { prosmin } from './suites/prosmin';
import { prune } from './suites/prune';
import { srEval } from './suites/sr-eval';
import { tinytracker } from './suites/tinytracker';
import { upscale } from './suites/upscale';

/** Suites by name. */
export type SuiteRegistry = Readonly<Record<string, AnySuite>>;

/** Every suite of `lab`, in the order of the default run. */
export const suites = Object.freeze({
  profile,
  perf,
  attribution,
  ntire,
  'sr-eval': srEval,
  upscale,
  faithfulness,
  prune,
  tinytracker,
  imbalance,
  prosmin,
} as const satisfies SuiteRegistry);

/** Name of a registered suite. */
export type SuiteName = keyof typeof suites;

/**
 * The suite registered under `name`.
 * @throws `UnknownNameError` listing the valid names.
 */
export function findSuite(registry: SuiteRegistry, name: string): AnySuite {
  if (!Object.hasOwn(registry, name)) throw new UnknownNameError('suite', name, Object.keys(registry));
  return registry[name];
}
