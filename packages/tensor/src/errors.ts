/**
 * Typed errors shared by every lab package. Each has a stable `code` so callers can branch on
 * the kind of failure without matching message text.
 *
 * Messages read "`<function>`: `<argument>` must be `<expected>`, got `<actual>`".
 * @packageDocumentation
 */

/** Stable machine-readable codes of {@link LabError} subclasses. @category Errors */
export type LabErrorCode =
  | 'SHAPE'
  | 'INVALID_VALUE'
  | 'CHECKPOINT'
  | 'FORMAT'
  | 'UNKNOWN_NAME'
  | 'NOT_AVAILABLE'
  | 'TRAINING'
  | 'WORKER'
  | 'INVARIANT';

/** Base class of every error thrown on purpose by a lab package. @category Errors */
export class LabError extends Error {
  /** Stable code of this kind of failure. */
  readonly code: LabErrorCode;
  constructor(code: LabErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A tensor or array has the wrong rank, shape or dtype. @category Errors */
export class ShapeError extends LabError {
  constructor(message: string) {
    super('SHAPE', message);
  }
}

/** A value is NaN, infinite, out of range, or otherwise not allowed (including unknown options). @category Errors */
export class InvalidValueError extends LabError {
  constructor(message: string) {
    super('INVALID_VALUE', message);
  }
}

/** A state dict does not match a model: missing, unexpected or mis-shaped keys, all named. @category Errors */
export class CheckpointError extends LabError {
  /** Keys the model expects that the checkpoint lacks. */
  readonly missing: string[];
  /** Keys the checkpoint has that the model does not. */
  readonly unexpected: string[];
  /** Keys present in both with different shapes. */
  readonly mismatched: {
    /** The key (PyTorch name). */
    key: string;
    /** The shape the model expects. */
    expected: number[];
    /** The shape in the checkpoint. */
    actual: number[];
  }[];
  constructor(
    message: string,
    details: {
      missing?: string[];
      unexpected?: string[];
      mismatched?: { key: string; expected: number[]; actual: number[] }[];
    } = {},
  ) {
    super('CHECKPOINT', message);
    this.missing = details.missing ?? [];
    this.unexpected = details.unexpected ?? [];
    this.mismatched = details.mismatched ?? [];
  }
}

/** A file is corrupt, truncated or not in the expected format. @category Errors */
export class FormatError extends LabError {
  /** Byte offset where the problem was found, when known. */
  readonly offset: number | undefined;
  constructor(message: string, offset?: number) {
    super('FORMAT', offset === undefined ? message : `${message} (at byte ${offset})`);
    this.offset = offset;
  }
}

/** A name (model, method, metric, layer option) is not in its registry; the message lists the valid names. @category Errors */
export class UnknownNameError extends LabError {
  /** The names that would have been accepted. */
  readonly valid: string[];
  constructor(what: string, name: string, valid: readonly string[]) {
    super('UNKNOWN_NAME', `unknown ${what} '${name}'; valid: ${[...valid].sort().join(', ')}`);
    this.valid = [...valid];
  }
}

/** A feature exists in the API but cannot run here (a missing kernel, an environment without a capability). @category Errors */
export class NotAvailableError extends LabError {
  constructor(message: string) {
    super('NOT_AVAILABLE', message);
  }
}

/**
 * Throws a `LabError` with code `INVARIANT` when an internal invariant does not hold.
 * For bugs in lab itself, never for validating caller input.
 * @category Errors
 */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new LabError('INVARIANT', `internal invariant failed: ${message}`);
}

/**
 * Throws `InvalidValueError` naming the first key of `options` that is not in `known`.
 * @param fn - name of the public function, used in the message
 * @param options - the options object the caller passed (may be undefined)
 * @param known - the accepted keys
 * @category Errors
 */
export function checkOptions(fn: string, options: object | undefined, known: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object') {
    throw new InvalidValueError(`${fn}: options must be an object, got ${typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new InvalidValueError(
        `${fn}: unknown option '${key}'; valid options: ${[...known].sort().join(', ')}`,
      );
    }
  }
}
