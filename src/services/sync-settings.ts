// Settings of integrations that are syncs (Alcance pulls from the remote system on a schedule):
// what each kind needs besides the generic url/token/password, checked when a profile is created
// or changed. A new sync kind adds its entry here.
import { ValidationError } from '../errors.js';

export interface SyncKindSpec {
  /** Validates and completes the kind's settings (defaults filled); throws ValidationError. */
  settings(input: Record<string, unknown>): Record<string, unknown>;
  /** Which credentials the kind needs: throws ValidationError naming the missing field. */
  credentials(c: { token: boolean; password: boolean; settings: Record<string, unknown> }): void;
  /** Schemes the URL may use. */
  schemes: readonly string[];
}

function minutes(value: unknown, field: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1440) {
    throw new ValidationError(`${field} must be a whole number of minutes from 1 to 1440`, field);
  }
  return n;
}

function name(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !value.trim() || value.length > 128) {
    throw new ValidationError(`${field} must be text of 1-128 characters`, field);
  }
  return value.trim();
}

export const SYNC_KINDS: Record<string, SyncKindSpec> = {
  // SGP (TSMX): token + app name (Administração → Integrações → Tokens), or an SGP user and
  // password (HTTP Basic). Updates and creations every 10 minutes, cancellations every 30.
  sgp: {
    schemes: ['https:', 'http:'],
    settings(input) {
      const known = ['app', 'user', 'updateEveryMinutes', 'cancelEveryMinutes'];
      const unknown = Object.keys(input).filter((k) => !known.includes(k));
      if (unknown.length) {
        throw new ValidationError(`unknown SGP setting(s): ${unknown.join(', ')}`, unknown[0]);
      }
      const app = name(input.app, 'app');
      const user = name(input.user, 'user');
      return {
        ...(app ? { app } : {}),
        ...(user ? { user } : {}),
        updateEveryMinutes: minutes(input.updateEveryMinutes, 'updateEveryMinutes', 10),
        cancelEveryMinutes: minutes(input.cancelEveryMinutes, 'cancelEveryMinutes', 30),
      };
    },
    credentials({ token, password, settings }) {
      if (token && settings.app) return;
      if (password && settings.user) return;
      if (token)
        throw new ValidationError('app is required with a token (the SGP app name)', 'app');
      if (settings.app) throw new ValidationError('token is required with an app', 'token');
      if (settings.user) throw new ValidationError('password is required with a user', 'password');
      throw new ValidationError(
        'SGP needs token and app (or user and password for Basic authentication)',
        'token',
      );
    },
  },
};

export function isSyncKind(kind: string): boolean {
  return Object.hasOwn(SYNC_KINDS, kind);
}

/** A sync's base URL: absolute, of an allowed scheme, without credentials in it. */
export function syncUrl(value: unknown, spec: SyncKindSpec): string {
  if (typeof value !== 'string' || !value.trim()) {
    throw new ValidationError('url is required', 'url');
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ValidationError(`url is not a valid URL: ${JSON.stringify(value)}`, 'url');
  }
  if (!spec.schemes.includes(url.protocol)) {
    const schemes = spec.schemes.map((scheme) => `${scheme}//`).join(' or ');
    throw new ValidationError(`url must start with ${schemes}`, 'url');
  }
  if (url.username || url.password) {
    throw new ValidationError('url must not carry credentials: give them as token/password', 'url');
  }
  if (url.search || url.hash) {
    throw new ValidationError('url must be the base address, without ? or #', 'url');
  }
  return url.toString().replace(/\/+$/, '');
}
