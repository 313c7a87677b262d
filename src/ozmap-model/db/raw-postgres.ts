import pg from 'pg';
import type { Inserter, RawRow, RawSession, SessionMode } from './raw.js';

// COUNT/SUM come back as int8/numeric text; callers convert with Number(). Timestamps are not
// parsed: the raw paths never read them.
const keepText = (v: string) => v;
const types = {
  getTypeParser: (oid: number, format?: string): ((v: string) => unknown) =>
    oid === 1114 || oid === 1184
      ? keepText
      : (pg.types.getTypeParser(oid, format as 'text') as (v: string) => unknown),
};

/** `?` placeholders → `$1, $2, ...` (our SQL has no `?` inside strings). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const INSERT_BATCH = 5_000;
// Insert batches handed over and not yet answered: enough to keep the server busy through a
// stretch of an import while this process reads and plans the next, few enough that memory stays
// a few dozen batches.
const MAX_IN_FLIGHT = 32;

/**
 * Writes handed over without waiting for their answer, run one after another on the session's
 * connection (each starts when the one before it is answered: pg runs one query at a time), so
 * what comes later sees them. The first failure is kept and thrown by the next `drain`, which
 * every other statement and the commit wait for, so it is the error reported (not the
 * "transaction is aborted" of the statements after it).
 */
class WritePipeline {
  private readonly inFlight: Array<Promise<void>> = [];
  private tail: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  async send(client: pg.Client, sql: string, values: unknown[]): Promise<void> {
    if (this.failure) throw this.failure.error;
    this.tail = this.tail.then(async () => {
      if (this.failure) return;
      try {
        await client.query(sql, values);
      } catch (error) {
        this.failure = { error };
      }
    });
    this.inFlight.push(this.tail);
    if (this.inFlight.length > MAX_IN_FLIGHT) await this.inFlight.shift();
  }

  async drain(): Promise<void> {
    this.inFlight.length = 0;
    await this.tail;
    if (this.failure) throw this.failure.error;
  }
}

export async function postgresSession<T>(
  url: string,
  mode: SessionMode,
  fn: (session: RawSession) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url, types });
  // A connection the server ends (restart, database dropped) fails the query that is running;
  // unheard, the client's 'error' event would crash the process instead.
  client.on('error', () => undefined);
  await client.connect();
  let cursors = 0;
  const pipeline = new WritePipeline();
  const query = async (sql: string, params: readonly unknown[]) => {
    await pipeline.drain();
    return client.query<RawRow>({ text: numbered(sql), values: [...params], rowMode: 'array' });
  };
  const columnTypes = new Map<string, Map<string, string>>();
  const typesOf = async (table: string) => {
    let found = columnTypes.get(table);
    if (!found) {
      await pipeline.drain();
      const { rows } = await client.query<{ column_name: string; udt_name: string }>(
        'SELECT column_name, udt_name FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema()',
        [table],
      );
      found = new Map(rows.map((r) => [r.column_name, r.udt_name]));
      columnTypes.set(table, found);
    }
    return found;
  };
  const session: RawSession = {
    provider: 'postgresql',
    all: async (sql, params = []) => (await query(sql, params)).rows,
    async *pages(sql, params = [], pageSize = 10_000) {
      const name = `raw_cursor_${++cursors}`;
      await query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params);
      try {
        for (;;) {
          const { rows } = await client.query<RawRow>({
            text: `FETCH ${pageSize} FROM ${name}`,
            rowMode: 'array',
          });
          if (rows.length === 0) return;
          yield rows;
          if (rows.length < pageSize) return;
        }
      } finally {
        await client.query(`CLOSE ${name}`).catch(() => undefined);
      }
    },
    run: async (sql, params = []) => (await query(sql, params)).rowCount ?? 0,
    send: (sql, params = []) => pipeline.send(client, numbered(sql), [...params]),
    inserter: (table, columns) => {
      written.add(table);
      return postgresInserter(client, pipeline, table, columns, typesOf);
    },
  };
  const written = new Set<string>();
  await client.query(
    mode === 'write' ? 'BEGIN' : 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY',
  );
  try {
    const result = await fn(session);
    await pipeline.drain();
    await client.query('COMMIT');
    // A bulk write (import, seed) changes table sizes by orders of magnitude, and until
    // autovacuum gets to them the planner still sees the old sizes (a reservation right after an
    // import ran 3x slower): sample the tables written now.
    if (written.size) await client.query(`ANALYZE ${[...written].map((t) => `"${t}"`).join(', ')}`);
    return result;
  } catch (err) {
    await pipeline.drain().catch(() => undefined);
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

// One INSERT ... SELECT FROM unnest(array per column) per batch: a handful of parameters however
// many rows, and PostgreSQL's fastest path short of COPY. Sent through the pipeline: the server
// inserts one stretch of an import while this process reads and plans the next.
function postgresInserter(
  client: pg.Client,
  pipeline: WritePipeline,
  table: string,
  columns: readonly string[],
  typesOf: (table: string) => Promise<Map<string, string>>,
): Inserter {
  let queued: unknown[][] = columns.map(() => []);
  let size = 0;
  let count = 0;
  let sql: string | undefined;
  const flush = async () => {
    if (size === 0) return;
    if (!sql) {
      const known = await typesOf(table);
      const casts = columns.map((c, i) => {
        const type = known.get(c);
        if (!type) throw new Error(`table ${table} has no column ${c}`);
        return `$${i + 1}::${type.replace(/^_/, '')}[]`;
      });
      sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) SELECT * FROM unnest(${casts.join(', ')})`;
    }
    const batch = queued;
    queued = columns.map(() => []);
    size = 0;
    await pipeline.send(client, sql, batch);
  };
  return {
    add(values) {
      for (let i = 0; i < columns.length; i++) {
        const v = values[i];
        queued[i]!.push(v instanceof Date ? v.toISOString() : (v ?? null));
      }
      size++;
      count++;
      return size >= INSERT_BATCH;
    },
    flush,
    get count() {
      return count;
    },
  };
}
