import { ValidationError } from '../errors.js';

/**
 * Who is calling, whatever proved it. Today an API key (src/ozmap-model/api-keys.ts); a signed-in
 * user of the sales workspace plugs in as another `kind` with the same fields: `role` from the
 * user's role (admin → 'admin', sales → 'staff'), `scopes` {read, write, pii}, `owner` unset.
 * Every check below reads only these fields, so routes do not care which kind they got.
 */
export interface Principal {
  kind: 'api-key' | 'user';
  /** The key's or user's id. */
  id: string;
  name: string;
  /**
   * admin: everything, system settings and keys included. staff: the provider's own people and
   * tools (the default key, a sales user): every record, inventory writes. integration: a sales
   * system's key: customers it made, no inventory or settings writes.
   */
  role: Role;
  scopes: ReadonlySet<Scope>;
  /** The integration profile the principal's records are made in the name of (API keys). */
  owner?: string;
}

export type Role = 'admin' | 'staff' | 'integration';

export const SCOPES = ['read', 'write', 'pii', 'all'] as const;
export type Scope = (typeof SCOPES)[number];
/** What a key gets when created without `--scopes`. */
export const DEFAULT_SCOPES: readonly Scope[] = ['read', 'write'];

/** What a request wants to do; each route names one. */
export type Action =
  /** Read inventory, viability, settings; read customers it may see. */
  | 'read'
  /** Create or change customers (clients, properties, reservations, prospects) it may see. */
  | 'write'
  /** Create or change the network itself: boxes, splitters, types, regions, tags, projects. */
  | 'inventory:write'
  /** Change system settings (default radius, hierarchy levels). */
  | 'settings:write'
  /** Manage profiles, keys, chat hand-offs, WhatsApp pairing. */
  | 'admin';

function has(p: Principal, scope: Scope): boolean {
  return p.scopes.has(scope) || p.scopes.has('all');
}

/** Whether the principal may do `action` (ownership of single records is checked separately). */
export function can(p: Principal, action: Action): boolean {
  switch (action) {
    case 'read':
      return has(p, 'read');
    case 'write':
      return has(p, 'write');
    case 'inventory:write':
      return has(p, 'write') && p.role !== 'integration';
    case 'settings:write':
    case 'admin':
      return p.role === 'admin';
  }
}

/** The message of a 403 for `action`. */
export function refusal(p: Principal, action: Action): string {
  switch (action) {
    case 'read':
    case 'write':
      return `this API key lacks the "${action}" scope (alcance apikey create ... --scopes read,write)`;
    case 'inventory:write':
      return has(p, 'write')
        ? 'an integration key cannot change the network inventory: use an admin key or a key without --integration'
        : 'this API key lacks the "write" scope';
    case 'settings:write':
      return 'system settings need an admin API key (alcance apikey create --name NAME --integration admin)';
    case 'admin':
      return 'this route needs an admin API key (alcance apikey create --name NAME --integration admin)';
  }
}

/** CPF/CNPJ, phone and e-mail in clear (else masked): the `pii` scope (or `all`), whatever the role. */
export function seesPersonalData(p: Principal): boolean {
  return has(p, 'pii');
}

/**
 * The owner whose records alone this principal may see, or undefined for every record: an
 * integration key sees only what its profile made unless it was given the `all` scope.
 */
export function ownerFilter(p: Principal): string | undefined {
  if (p.role !== 'integration' || p.scopes.has('all')) return undefined;
  return p.owner ?? p.name;
}

/** `read,write,pii` (or `all`) → scopes; unknown names are refused naming the flag/field. */
export function parseScopes(text: string | readonly string[], field = 'scopes'): Scope[] {
  const words = (typeof text === 'string' ? text.split(',') : [...text])
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  if (words.length === 0) throw new ValidationError(`${field}: give at least one scope`, field);
  for (const w of words) {
    if (!(SCOPES as readonly string[]).includes(w)) {
      throw new ValidationError(`${field}: unknown scope "${w}"; use ${SCOPES.join(', ')}`, field);
    }
  }
  return [...new Set(words as Scope[])];
}

/** The stored form (ApiKey.scopes); null means {@link DEFAULT_SCOPES}. */
export function scopesFromColumn(value: string | null): Set<Scope> {
  if (!value) return new Set(DEFAULT_SCOPES);
  return new Set(
    value.split(',').filter((w): w is Scope => (SCOPES as readonly string[]).includes(w)),
  );
}
