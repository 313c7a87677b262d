import { createHash, randomBytes } from 'node:crypto';
import { newId } from '../ids.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Db } from './db/client.js';
import {
  DEFAULT_SCOPES,
  scopesFromColumn,
  type Principal,
  type Scope,
} from '../security/principal.js';

export interface ApiKeyRecord {
  id: string;
  name: string;
  integration: string;
  scopes: Scope[];
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

const RECORD_FIELDS = {
  id: true,
  name: true,
  integration: true,
  scopes: true,
  prefix: true,
  createdAt: true,
  revokedAt: true,
  lastUsedAt: true,
} as const;

type StoredRecord = Omit<ApiKeyRecord, 'scopes'> & { scopes: string | null };

function toRecord(row: StoredRecord): ApiKeyRecord {
  return { ...row, scopes: [...scopesFromColumn(row.scopes)] };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Creates a key; the clear key is returned once and only its hash is stored. */
export async function createApiKey(
  db: Db,
  name: string,
  integration = 'generic',
  scopes: readonly Scope[] = DEFAULT_SCOPES,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const trimmed = name.trim();
  if (!trimmed) throw new ValidationError('name is required', 'name');
  if (trimmed.length > 100) throw new ValidationError('name: at most 100 characters', 'name');
  if (scopes.length === 0) throw new ValidationError('scopes: give at least one scope', 'scopes');
  const key = `alc_${randomBytes(32).toString('base64url')}`;
  const record = await db.apiKey.create({
    data: {
      id: newId(),
      name: trimmed,
      integration,
      keyHash: hashApiKey(key),
      prefix: key.slice(0, 10),
      scopes: [...new Set(scopes)].join(','),
    },
    select: RECORD_FIELDS,
  });
  return { key, record: toRecord(record) };
}

export async function listApiKeys(db: Db): Promise<ApiKeyRecord[]> {
  const rows = await db.apiKey.findMany({
    orderBy: { createdAt: 'asc' },
    select: RECORD_FIELDS,
  });
  return rows.map(toRecord);
}

/** Revokes by id, by name, or by the key's printed prefix. */
export async function revokeApiKey(db: Db, ref: string): Promise<number> {
  const { count } = await db.apiKey.updateMany({
    where: { revokedAt: null, OR: [{ id: ref }, { name: ref }, { prefix: ref }] },
    data: { revokedAt: new Date() },
  });
  if (count === 0) throw new NotFoundError('active API key', ref);
  return count;
}

/** A verified key: who it is and what it was given; its role follows from its profile's kind. */
export interface ApiKeyIdentity {
  keyId: string;
  name: string;
  /** The integration profile the key is bound to (`generic` when created without one). */
  integration: string;
  scopes: ReadonlySet<Scope>;
}

/** The principal of a request authenticated by an API key. */
export interface ApiKeyPrincipal extends ApiKeyIdentity, Principal {
  kind: 'api-key';
}

/**
 * The principal of a key bound to a profile of `kind`: admin profiles are admins, the default
 * `generic` key is the provider's own (staff), any other profile is a sales system's integration.
 */
export function apiKeyPrincipal(identity: ApiKeyIdentity, kind: string): ApiKeyPrincipal {
  const role =
    kind === 'admin'
      ? 'admin'
      : identity.integration === 'generic' && kind === 'generic'
        ? 'staff'
        : 'integration';
  return {
    ...identity,
    kind: 'api-key',
    id: identity.keyId,
    role,
    owner: identity.integration,
  };
}

/**
 * Verifies keys with a short in-process cache so the hot API path does not hit the database on
 * every call. A revocation from another process takes effect within `ttlMs`.
 */
export class ApiKeyVerifier {
  private readonly cache = new Map<string, { principal: ApiKeyIdentity | null; until: number }>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(key: string): Promise<ApiKeyIdentity | null> {
    // Keyed by the key itself (held only in this process's memory) to skip hashing when cached.
    const cached = this.cache.get(key);
    const now = this.now();
    if (cached && cached.until > now) return cached.principal;
    const row = await this.db.apiKey.findUnique({ where: { keyHash: hashApiKey(key) } });
    const principal =
      row && !row.revokedAt
        ? {
            keyId: row.id,
            name: row.name,
            integration: row.integration,
            scopes: scopesFromColumn(row.scopes),
          }
        : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { principal, until: now + this.ttlMs });
    if (principal) this.touch(principal.keyId, now);
    return principal;
  }

  forget(): void {
    this.cache.clear();
  }

  private touch(keyId: string, now: number): void {
    if ((this.touched.get(keyId) ?? 0) > now - 60_000) return;
    this.touched.set(keyId, now);
    void this.db.apiKey
      .update({ where: { id: keyId }, data: { lastUsedAt: new Date(now) } })
      .catch(() => undefined);
  }
}
