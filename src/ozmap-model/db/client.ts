import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
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

// 'minimal' keeps Prisma's messages to the error itself: the default also prints the failing
// call's source, and error logs must never carry customers' data.

export function createDb(url: string): Db {
  let db: Db;
  if (providerOf(url) === 'sqlite') {
    const adapter = new PrismaBetterSqlite3({ url: `file:${sqlitePath(url)}`, timeout: 10_000 });
    db = new SqliteClient({ adapter, errorFormat: 'minimal' });
  } else {
    const adapter = new PrismaPg({ connectionString: url, max: 10 });
    db = new PostgresClient({ adapter, errorFormat: 'minimal' }) as unknown as Db;
  }
  providers.set(db, providerOf(url));
  urls.set(db, url);
  return db;
}

/** Which database a client created by createDb talks to. */
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

/** A unique constraint refused the write (Prisma P2002), e.g. two writers took the same port. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'P2002';
}

/** Names the fields of a unique violation when Prisma reports them (for error messages). */
export function uniqueViolationFields(err: unknown): string[] {
  const meta = (err as { meta?: { target?: unknown } } | null)?.meta;
  const target = meta?.target;
  if (Array.isArray(target)) return target.map(String);
  if (typeof target === 'string') return [target];
  return [];
}
