import { dbProvider, dbUrl, providerOf, type Db, type DbProvider } from './client.js';

// Direct driver sessions for the work where Prisma's per-row cost dominates: reading the whole
// inventory at start-up and writing a whole network in one import. A session is one connection
// and one transaction, with no interactive-transaction timeout: a read session sees one snapshot
// (never half of an import another process is committing), a write session commits everything
// or nothing. SQL is written with `?` placeholders for both databases.

/** A row as an array of column values, in SELECT order. */
export type RawRow = unknown[];

export interface RawSession {
  readonly provider: DbProvider;
  /** All rows of a (small) query. */
  all(sql: string, params?: readonly unknown[]): Promise<RawRow[]>;
  /** A large result, streamed in pages of about `pageSize` rows; memory stays one page. */
  pages(sql: string, params?: readonly unknown[], pageSize?: number): AsyncGenerator<RawRow[]>;
  /** Runs a statement; returns the rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Runs a statement whose answer is not needed. On PostgreSQL it may return once the statement
   * is sent, as an inserter's flush does: a failure is thrown by the session's next read or
   * `run`, or fails the commit.
   */
  send(sql: string, params?: readonly unknown[]): Promise<void>;
  /** Batched inserts into one table (write sessions only). */
  inserter(table: string, columns: readonly string[]): Inserter;
}

export interface Inserter {
  /**
   * Queues a row (values in column order; copied, so the caller may reuse its array). Returns
   * true when a batch is full: flush it, and
   * first the inserters of the tables it references (foreign keys are checked per statement).
   */
  add(values: readonly unknown[]): boolean;
  /**
   * Writes what is queued. On PostgreSQL it may return once the batch is sent: a failure is then
   * thrown by the session's next statement, or fails the commit.
   */
  flush(): Promise<void>;
  /** Rows added so far. */
  readonly count: number;
}

export type SessionMode = 'read' | 'write';

/** Runs `fn` in one transaction on its own connection: committed if it returns, rolled back if it throws. */
export async function withRawSession<T>(
  target: Db | string,
  mode: SessionMode,
  fn: (session: RawSession) => Promise<T>,
): Promise<T> {
  const url = typeof target === 'string' ? target : dbUrl(target);
  const provider = typeof target === 'string' ? providerOf(target) : dbProvider(target);
  if (provider === 'sqlite') {
    const { sqliteSession } = await import('./raw-sqlite.js');
    return sqliteSession(url, mode, fn);
  }
  const { postgresSession } = await import('./raw-postgres.js');
  return postgresSession(url, mode, fn);
}

/** A boolean column as either driver returns it (SQLite 0/1, PostgreSQL true/false). */
export function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === 1n;
}

/** `?, ?, ?` for n values. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/** Flushes inserters in the order given (referenced tables first). */
export async function flushAll(inserters: Iterable<Inserter>): Promise<void> {
  for (const inserter of inserters) await inserter.flush();
}

/** A nullable text column. */
export function textOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'bigint'
    ? String(value)
    : JSON.stringify(value);
}

/** Adds (key, value) rows to `groups` as key → values (e.g. a join table's box → tag ids). */
export function groupPairs(groups: Map<string, string[]>, rows: Iterable<RawRow>): void {
  for (const [key, value] of rows) {
    const list = groups.get(key as string);
    if (list) list.push(value as string);
    else groups.set(key as string, [value as string]);
  }
}
