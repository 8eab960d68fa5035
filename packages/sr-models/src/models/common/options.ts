/**
 * Option checks shared by the network constructors. Not exported from the package.
 * @packageDocumentation
 */
import { InvalidValueError } from '@lab/tensor';

/** `options` without the keys whose value is `undefined`, so that spreading it keeps defaults. */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O): D & O {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...defaults, ...given } as D & O;
}

/** Throws unless `v` is a positive integer. */
export function checkPositiveInt(fn: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new InvalidValueError(`${fn}: ${arg} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

/** Throws unless `v` is one of `allowed`. */
export function checkOneOf<T>(fn: string, arg: string, v: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) {
    throw new InvalidValueError(`${fn}: ${arg} must be one of ${allowed.join(', ')}, got ${String(v)}`);
  }
  return v as T;
}
