import type pg from 'pg';

// A write transaction on one pooled connection of the pool Prisma's adapter uses, with plain
// statements: a reservation through Prisma cost some eight statements of its client runtime
// (13 ms a reservation with one client at 20 000 boxes); here it is a handful of round trips, its
// rows written by one statement.

type Value = string | number | bigint | boolean | Date | null | undefined;

/** Statements inside a PostgreSQL write transaction (pgWrite). */
export interface PgSql {
  all<R>(sql: string, ...args: Value[]): Promise<R[]>;
  run(sql: string, ...args: Value[]): Promise<number>;
  /** Rows of several tables (in this order: parents first) written by one statement. */
  insertAll(rows: ReadonlyArray<{ table: string; row: Record<string, Value> }>): Promise<void>;
}

/**
 * How a value is sent: Prisma's `timestamp(3)` columns hold UTC without a zone, so a date goes as
 * its UTC text (the driver would send the process's local time).
 */
export function pgValue(v: Value): string | number | bigint | boolean | null {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return v.toISOString().slice(0, -1);
  return v;
}

/** `INSERT … ; INSERT …` as one statement: each insert but the last in a CTE of its own. */
export function insertAllSql(rows: ReadonlyArray<{ table: string; row: Record<string, Value> }>): {
  text: string;
  values: Array<ReturnType<typeof pgValue>>;
} {
  const values: Array<ReturnType<typeof pgValue>> = [];
  const inserts = rows.map(({ table, row }) => {
    const columns = Object.keys(row).filter((k) => row[k] !== undefined);
    const marks = columns.map((c) => {
      values.push(pgValue(row[c]));
      return `$${values.length}`;
    });
    return `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${marks.join(', ')})`;
  });
  const last = inserts.pop();
  if (!last) return { text: 'SELECT 1', values };
  const ctes = inserts.map((insert, i) => `w${i} AS (${insert})`);
  return { text: ctes.length ? `WITH ${ctes.join(', ')} ${last}` : last, values };
}

/**
 * Runs `fn` in one transaction on a connection of `pool`: committed if it returns, rolled back if
 * it throws (a connection that failed is not reused).
 */
export async function pgWrite<T>(pool: pg.Pool, fn: (sql: PgSql) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection the server ends while it is checked out must fail its query, not the process.
  const onError = () => undefined;
  client.on('error', onError);
  // Unnamed statements: each is planned with the statistics of the moment (a plan a connection
  // kept from before an import's ANALYZE could scan whole tables).
  const query = async (text: string, values: unknown[]) => client.query({ text, values });
  const sql: PgSql = {
    all: async <R>(text: string, ...args: Value[]) =>
      (await query(text, args.map(pgValue))).rows as R[],
    run: async (text, ...args) => (await query(text, args.map(pgValue))).rowCount ?? 0,
    insertAll: async (rows) => {
      const { text, values } = insertAllSql(rows);
      await query(text, values);
    },
  };
  let broken: Error | undefined;
  try {
    await query('BEGIN', []);
    try {
      const result = await fn(sql);
      await query('COMMIT', []);
      return result;
    } catch (err) {
      await query('ROLLBACK', []).catch((rollbackError: unknown) => {
        broken = asError(rollbackError);
      });
      throw err;
    }
  } catch (err) {
    // No SQLSTATE: the connection itself failed; it is not reused.
    if (!isSqlState(err)) broken ??= asError(err);
    throw err;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

const asError = (e: unknown) => (e instanceof Error ? e : new Error('connection failed'));

function isSqlState(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/** PostgreSQL's unique violation (23505) and the constraint it names. */
export function pgUniqueViolation(err: unknown): string | undefined {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  if (e?.code !== '23505') return undefined;
  return typeof e.constraint === 'string' ? e.constraint : '';
}
