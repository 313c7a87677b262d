import type Database from 'better-sqlite3';

// A write transaction run start to end without yielding, on the connection Prisma's SQLite
// adapter uses. The adapter serialises its interactive transactions, and holds that turn across
// every await of the callback: under concurrent reservations the turn, and so the throughput, was
// set by the event loop's other work, not by SQLite (7 ms per reservation, of which SQL 1.7 ms).
// A transaction that runs synchronously takes the turn for its SQL alone.

/** A FIFO lock; `acquire` resolves with the release function. */
export class WriteLock {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const turn = this.tail.then(() => release);
    this.tail = this.tail.then(() => held);
    return turn;
  }
}

/** The connection behind a client made by createDb, and the lock its transactions take. */
export interface SqliteSession {
  lock: WriteLock;
  driver?: Database.Database;
  connect(): Promise<void>;
}

type Value = string | number | bigint | boolean | Date | null | undefined;

/** Statements inside a synchronous transaction; values converted as Prisma's adapter does. */
export interface SyncSql {
  all<R>(sql: string, ...args: Value[]): R[];
  run(sql: string, ...args: Value[]): number;
  /** INSERT of one row: its keys are the columns (undefined ones left to their defaults). */
  insert(table: string, row: Record<string, Value>): void;
}

/**
 * How Prisma's better-sqlite3 adapter stores a value (dates as ISO 8601 text, booleans 0/1);
 * what better-sqlite3 binds as it is (numbers, strings, bigints, buffers) passes through.
 */
export function sqliteValue(v: unknown): unknown {
  if (v === true) return 1;
  if (v === false) return 0;
  if (v instanceof Date) return v.toISOString().replace('Z', '+00:00');
  return v ?? null;
}

/** What the connection's (caching) `prepare` returns: see sqlite-statement-cache.ts. */
interface CachedStatement {
  bind(args: unknown[]): CachedStatement;
  run(): Database.RunResult;
  columns(): Database.ColumnDefinition[];
  raw(): { all: () => unknown[] };
}

function syncSql(driver: Database.Database): SyncSql {
  const prepare = (sql: string, values: Value[]) =>
    (driver.prepare(sql) as unknown as CachedStatement).bind(values.map(sqliteValue));
  return {
    all: <R>(sql: string, ...values: Value[]) => {
      const statement = prepare(sql, values);
      const names = statement.columns().map((c) => c.name);
      return (statement.raw().all() as unknown[][]).map(
        (row) => Object.fromEntries(names.map((n, i) => [n, row[i]])) as R,
      );
    },
    run: (sql, ...values) => prepare(sql, values).run().changes,
    insert: (table, row) => {
      const columns = Object.keys(row).filter((k) => row[k] !== undefined);
      const list = columns.map((c) => `"${c}"`).join(', ');
      const marks = columns.map(() => '?').join(', ');
      prepare(
        `INSERT INTO "${table}" (${list}) VALUES (${marks})`,
        columns.map((c) => row[c]),
      ).run();
    },
  };
}

/**
 * Runs `fn` in one write transaction (BEGIN IMMEDIATE … COMMIT) on the session's connection, in
 * its turn among the adapter's transactions: committed if it returns, rolled back if it throws.
 * `fn` must not await: nothing else may run on the connection meanwhile.
 */
export async function writeSync<T>(session: SqliteSession, fn: (sql: SyncSql) => T): Promise<T> {
  if (!session.driver) await session.connect();
  const driver = session.driver;
  if (!driver) throw new Error('SQLite session has no connection');
  const release = await session.lock.acquire();
  try {
    driver.prepare('BEGIN IMMEDIATE').run();
    try {
      const result = fn(syncSql(driver));
      driver.prepare('COMMIT').run();
      return result;
    } catch (err) {
      if (driver.inTransaction) driver.prepare('ROLLBACK').run();
      throw err;
    }
  } finally {
    release();
  }
}

/** better-sqlite3's error for a unique constraint, with the columns it names. */
export function sqliteUniqueViolation(err: unknown): string[] | undefined {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e?.code !== 'SQLITE_CONSTRAINT_UNIQUE' && e?.code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return undefined;
  }
  const list = String(e.message).split('constraint failed: ')[1] ?? '';
  return list.split(', ').map((c) => c.trim());
}
