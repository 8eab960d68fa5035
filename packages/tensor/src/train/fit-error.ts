import { LabError } from '../errors';
import type { FitResult } from './fit';

/**
 * Why {@link fit} stopped early: an error in a batch (the data, the model, the loss, an optimizer
 * step, a non-finite loss) or in a callback, wrapped with its position and the losses so far.
 *
 * `code` is the cause's code when the cause is a {@link LabError} (a `ShapeError` in the model
 * gives `'SHAPE'`), and `'TRAINING'` otherwise. The original error is `cause`.
 * @example
 * ```ts
 * try { await fit(model, data, opts); }
 * catch (e) { if (e instanceof FitError) console.log(e.epoch, e.batch, e.partial.epochLosses); }
 * ```
 * @category Training
 */
export class FitError extends LabError {
  /** Epoch (0-based) in which the error happened. */
  readonly epoch: number;
  /** Batch (0-based, within the epoch) in which the error happened; −1 outside a batch (epoch end). */
  readonly batch: number;
  /** What had been completed: losses of finished epochs, steps taken so far. */
  readonly partial: FitResult;
  /** The error that stopped training. */
  override readonly cause: unknown;

  constructor(message: string, details: { epoch: number; batch: number; partial: FitResult; cause: unknown }) {
    super(details.cause instanceof LabError ? details.cause.code : 'TRAINING', message);
    this.epoch = details.epoch;
    this.batch = details.batch;
    this.partial = details.partial;
    this.cause = details.cause;
  }
}
