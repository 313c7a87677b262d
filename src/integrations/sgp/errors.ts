import { AppError } from '../../errors.js';

export type SgpErrorCode =
  | 'sgp_wrong_credentials'
  | 'sgp_token_blocked'
  | 'sgp_bad_request'
  | 'sgp_not_found'
  | 'sgp_unavailable'
  | 'sgp_timeout'
  | 'sgp_garbage';

/**
 * SGP could not be read. The message says what to check; it never carries the token, the app
 * name or any customer's data (it is logged and stored in run reports). 502: a bad upstream.
 */
export class SgpError extends AppError {
  constructor(
    readonly code: SgpErrorCode,
    message: string,
    /** Worth trying again (5xx, timeouts, dropped connections). */
    readonly retryable = false,
  ) {
    super(502, message);
  }
}

/** SGP's Django REST `{detail}` on 401/403 → which of its two refusals it was. */
export function authError(status: number, detail: string): SgpError {
  if (/fornecid/i.test(detail)) {
    return new SgpError(
      'sgp_token_blocked',
      `SGP refused the credentials (${status}: "${clip(detail)}"): the token exists but is blocked — ` +
        'check in SGP (Administração → Integrações → Tokens) that it is active, that this ' +
        "server's address is in its allowed hosts, and that its user has permission",
    );
  }
  return new SgpError(
    'sgp_wrong_credentials',
    `SGP refused the credentials (${status}: "${clip(detail)}"): the token and app pair was not ` +
      'found — check TOKEN and APP (the app name is case-sensitive), or the user and password',
  );
}

/** SGP's text in a message: short, one line. */
export function clip(t: string, max = 200): string {
  const line = t.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
