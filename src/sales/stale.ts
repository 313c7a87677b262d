import { ConflictError } from '../errors.js';

/**
 * A 409 for an action on something that changed meanwhile (another agent confirmed it, took the
 * hand-off, released it): carries the record as it is now, so the page shows the truth.
 */
export class StaleError extends ConflictError {
  constructor(
    message: string,
    readonly current: unknown,
  ) {
    super(message);
  }
}
