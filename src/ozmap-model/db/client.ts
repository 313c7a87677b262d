import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { cancellablePool, cancelScope, type StatementScope } from './cancel.js';
import { cachingSqliteAdapter } from './sqlite-statement-cache.js';
import type { SqliteSession } from './sqlite-sync.js';
import { PrismaClient as SqliteClient, type Prisma } from '../../generated/sqlite/client.js';
import { PrismaClient as PostgresClient } from '../../generated/postgres/client.js';

/**
 * Both generated clients come from the same models (prisma/models.prisma), so their model APIs are
 * identical; the code is written against one of them and runs on either.
 */
export type Db = SqliteClient;
export type DbProvider = 'sqlite' | 'postgresql';

export function providerOf(url: string): DbProvider {
  return url.startsWith('file:') ? 'sqlite' : 'postgresql';
}

/** `file:./data/x.db` → absolute path; creates the folder so a fresh clone just works. */
export function sqlitePath(url: string): string {
  const path = resolve(url.slice('file:'.length).split('?')[0] ?? '');
  mkdirSync(dirname(path), { recursive: true });
  return path;
}

const providers = new WeakMap<object, DbProvider>();
const urls = new WeakMap<object, string>();
const pools = new WeakMap<object, pg.Pool>();
const sessions = new WeakMap<object, SqliteSession>();

/** The pool behind a PostgreSQL client made by createDb (pgWrite); none on SQLite. */
export function pgPool(db: Db): pg.Pool | undefined {
  return pools.get(db);
}

/** The SQLite connection behind `db` for synchronous transactions (writeSync); none on PostgreSQL. */
export function sqliteSession(db: Db): SqliteSession | undefined {
  return sessions.get(db);
}

/**
 * Cancels the PostgreSQL statements `scope` still runs (see withStatementScope), e.g. when the
 * HTTP client that asked for them is gone; nothing on SQLite. Returns how many were asked to stop.
 */
export function cancelStatements(db: Db, scope: StatementScope): Promise<number> {
  const pool = pools.get(db);
  return pool ? cancelScope(pool, scope) : Promise.resolve(0);
}

// 'minimal' keeps Prisma's messages to the error itself: the default also prints the failing
// call's source, and error logs must never carry customers' data.

export interface DbOptions {
  /**
   * PostgreSQL: `statement_timeout` of every pooled connection, so no statement runs longer (0 =
   * none). SQLite: how long a write waits for another process's lock (better-sqlite3 runs each
   * statement to its end on the calling thread and cannot interrupt it; the API's input limits
   * are what keep those statements short).
   */
  statementTimeoutMs?: number;
}

const DEFAULT_STATEMENT_TIMEOUT_MS = 5_000;

export function createDb(url: string, options: DbOptions = {}): Db {
  const timeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  let db: Db;
  if (providerOf(url) === 'sqlite') {
    const { factory, session } = cachingSqliteAdapter({
      url: `file:${sqlitePath(url)}`,
      timeout: timeoutMs || 10_000,
    });
    const client = new SqliteClient({ adapter: factory, errorFormat: 'minimal' });
    session.connect = () => client.$connect();
    sessions.set(client, session);
    db = client;
  } else {
    const pool = cancellablePool({
      connectionString: url,
      max: 10,
      // Sent at connection start-up: the server cancels any statement running longer.
      ...(timeoutMs > 0
        ? { statement_timeout: timeoutMs, idle_in_transaction_session_timeout: 4 * timeoutMs }
        : {}),
    });
    const adapter = new PrismaPg(pool, { disposeExternalPool: true });
    db = new PostgresClient({ adapter, errorFormat: 'minimal' }) as unknown as Db;
    pools.set(db, pool);
  }
  providers.set(db, providerOf(url));
  urls.set(db, url);
  return db;
}

/** Which database a client created by createDb talks to. */
/** Whether `db` was made by createDb (a client wrapped with $extends is another object). */
export function isKnownClient(db: Db): boolean {
  return providers.has(db);
}

export function dbProvider(db: Db): DbProvider {
  return providers.get(db) ?? 'sqlite';
}

/** The URL a client created by createDb connects to (raw driver sessions open their own). */
export function dbUrl(db: Db): string {
  const url = urls.get(db);
  if (!url) throw new Error('not a client made by createDb');
  return url;
}

/** The client handed to `$transaction` callbacks. */
export type Tx = Prisma.TransactionClient;

// Prisma: P1008 operation timed out, P2024 no pooled connection in time, P2028 transaction
// could not start or was closed by its timeout. PostgreSQL 57014: statement cancelled (our
// statement_timeout, or a cancel request); 55P03: lock not available. SQLite: database busy.
const BUSY_CODES = new Set(['P1008', 'P2024', 'P2028', '57014', '55P03', 'SQLITE_BUSY']);
// SQLite's primary code in the low byte of the extended one: SQLITE_BUSY and its variants
// (BUSY_SNAPSHOT 517, BUSY_RECOVERY 261, BUSY_TIMEOUT 773).
const SQLITE_BUSY = 5;

/**
 * The database gave up on a statement for its time (statement timeout, lock or pool wait), as
 * opposed to refusing it: the caller may try again later.
 */
export function isDatabaseBusy(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && BUSY_CODES.has(code)) return true;
    const cause = (e as { meta?: { driverAdapterError?: { cause?: Record<string, unknown> } } })
      .meta?.driverAdapterError?.cause;
    if (cause) {
      const original = cause.originalCode ?? cause.code;
      if (typeof original === 'string' && BUSY_CODES.has(original)) return true;
      if (cause.kind === 'sqlite' && primarySqliteCode(cause.extendedCode) === SQLITE_BUSY)
        return true;
      if (cause.kind === 'SocketTimeout' || cause.kind === 'TransactionAlreadyClosed') return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function primarySqliteCode(extendedCode: unknown): number | undefined {
  return typeof extendedCode === 'number' ? extendedCode & 0xff : undefined;
}

/**
 * Runs a get-or-create once more when it lost a race: Prisma's upsert reads then inserts, so
 * instances starting together on an empty database race to create the same row, and the losers
 * find it on the second try.
 */
export async function createOnce<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (err) {
    if (isUniqueViolation(err)) return upsert();
    throw err;
  }
}

/** A unique constraint refused the write (Prisma P2002), e.g. two writers took the same port. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'P2002';
}

/** Names the fields of a unique violation when Prisma reports them (for error messages). */
export function uniqueViolationFields(err: unknown): string[] {
  const meta = (
    err as {
      meta?: {
        target?: unknown;
        driverAdapterError?: { cause?: { constraint?: { fields?: unknown; index?: unknown } } };
      };
    } | null
  )?.meta;
  const target = meta?.target;
  if (Array.isArray(target)) return target.map(String);
  if (typeof target === 'string') return [target];
  // Driver adapters: SQLite names the fields, PostgreSQL the index (`Model_field_key`).
  const constraint = meta?.driverAdapterError?.cause?.constraint;
  if (Array.isArray(constraint?.fields)) return constraint.fields.map(String);
  if (typeof constraint?.index === 'string') {
    const match = /^[A-Za-z]+_(.+)_key$/.exec(constraint.index);
    if (match?.[1]) return match[1].split('_');
  }
  return [];
}
