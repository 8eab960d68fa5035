import { InvalidValueError } from '@lab/tensor';
import type { Metric, MetricInput, MetricResult } from './metric';

/**
 * Builds a frozen {@link Metric} whose `evaluate` first checks that every required input field
 * is present, then calls `run`.
 */
export function defineMetric<R extends MetricResult, O extends object>(spec: {
  name: string;
  category: Metric['category'];
  higherIsBetter: boolean;
  reference: string;
  requires: readonly (keyof MetricInput)[];
  defaults: Readonly<Record<string, unknown>>;
  run: (input: Required<MetricInput>, options?: O) => Promise<R>;
}): Metric<R, O> {
  const { run, ...meta } = spec;
  return Object.freeze({
    ...meta,
    requires: Object.freeze([...meta.requires]),
    defaults: Object.isFrozen(meta.defaults) ? meta.defaults : Object.freeze({ ...meta.defaults }),
    async evaluate(input: MetricInput, options?: O): Promise<R> {
      if (input === null || typeof input !== 'object') {
        throw new InvalidValueError(`${meta.name}.evaluate: input must be an object, got ${typeof input}`);
      }
      for (const key of meta.requires) {
        if (input[key] === undefined) throw new InvalidValueError(`${meta.name}.evaluate: input.${key} is required`);
      }
      return run(input as Required<MetricInput>, options);
    },
  });
}
