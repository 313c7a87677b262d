import { AppError } from '../../errors.js';
import type { FieldErrors } from './types.js';

export type GeogridErrorCode =
  | 'geogrid_bad_url'
  | 'geogrid_tls'
  | 'geogrid_wrong_token'
  | 'geogrid_not_found'
  | 'geogrid_rate_limited'
  | 'geogrid_unavailable'
  | 'geogrid_timeout'
  | 'geogrid_garbage'
  | 'geogrid_conflict'
  | 'geogrid_rejected';

/**
 * Geogrid could not be read, or refused a write. The message says what to check; it never carries
 * the token or a customer's data (it is logged and stored in run reports). 502: a bad upstream.
 */
export class GeogridError extends AppError {
  constructor(
    readonly code: GeogridErrorCode,
    message: string,
    /** Worth trying again (5xx, timeouts, dropped connections). */
    readonly retryable = false,
    /** Geogrid's field errors on 409/422 (`{portaReservada: "…"}`), PII masked. */
    readonly fields: FieldErrors = {},
  ) {
    super(502, message);
  }
}

/** Geogrid's text in a message: short, one line. */
export function clip(t: string, max = 200): string {
  const line = t.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
