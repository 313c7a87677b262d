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
  const query = async (sql: string, params: readonly unknown[]) =>
    client.query<RawRow>({ text: numbered(sql), values: [...params], rowMode: 'array' });
  const columnTypes = new Map<string, Map<string, string>>();
  const typesOf = async (table: string) => {
    let found = columnTypes.get(table);
    if (!found) {
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
    inserter: (table, columns) => {
      written.add(table);
      return postgresInserter(client, table, columns, typesOf);
    },
  };
  const written = new Set<string>();
  await client.query(
    mode === 'write' ? 'BEGIN' : 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY',
  );
  try {
    const result = await fn(session);
    await client.query('COMMIT');
    // A bulk write (import, seed) changes table sizes by orders of magnitude, and until
    // autovacuum gets to them the planner still sees the old sizes (a reservation right after an
    // import ran 3x slower): sample the tables written now.
    if (written.size) await client.query(`ANALYZE ${[...written].map((t) => `"${t}"`).join(', ')}`);
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

// One INSERT ... SELECT FROM unnest(array per column) per batch: a handful of parameters however
// many rows, and PostgreSQL's fastest path short of COPY.
function postgresInserter(
  client: pg.Client,
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
    await client.query(sql, batch);
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
