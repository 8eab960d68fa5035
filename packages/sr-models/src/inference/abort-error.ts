/**
 * The error an aborted operation rejects with.
 * @packageDocumentation
 */

/**
 * An operation stopped because its `AbortSignal` fired. Like the DOM's `AbortError`, its `name`
 * is `'AbortError'`, so `e.name === 'AbortError'` checks written for `fetch` also match; `code`
 * is `'ABORTED'`, and `cause` holds the signal's `reason`. Everything the operation allocated has
 * been freed when it is thrown.
 * @example
 * ```ts
 * try { await upscale(model, x, { scale: 4, signal }); }
 * catch (e) { if (e instanceof AbortError) console.log('cancelled'); else throw e; }
 * ```
 * @category Inference
 */
export class AbortError extends Error {
  /** Stable code of this kind of failure. */
  readonly code = 'ABORTED' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}
