import Database from 'better-sqlite3';
import { sqlitePath } from './client.js';
import type { Inserter, RawRow, RawSession, SessionMode } from './raw.js';
import { sqliteValue } from './sqlite-sync.js';

const bindAll = (params: readonly unknown[]) => params.map(sqliteValue);

export async function sqliteSession<T>(
  url: string,
  mode: SessionMode,
  fn: (session: RawSession) => Promise<T>,
): Promise<T> {
  const db = new Database(sqlitePath(url), { readonly: mode === 'read' });
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  // 100 MB of pages: bulk writes append to their indexes (ids are time-ordered), so more cache
  // bought nothing (a 1 000 000-box import: 155 s at 1.26 GB peak with 100 MB, 169-179 s at
  // 1.36-1.50 GB with 200 MB; seed-demo 100 000 boxes 30.7 vs 31.3 s).
  if (mode === 'write') db.pragma('cache_size = -100000');
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let st = statements.get(sql);
    if (!st) statements.set(sql, (st = db.prepare(sql)));
    return st;
  };
  const session: RawSession = {
    provider: 'sqlite',
    all: (sql, params = []) => {
      const st = prepare(sql);
      return Promise.resolve(st.reader ? (st.raw().all(...bindAll(params)) as RawRow[]) : []);
    },
    async *pages(sql, params = [], pageSize = 10_000) {
      let page: RawRow[] = [];
      for (const row of prepare(sql)
        .raw()
        .iterate(...bindAll(params)) as Iterable<RawRow>) {
        page.push(row);
        if (page.length >= pageSize) {
          yield page;
          page = [];
        }
      }
      if (page.length) yield page;
    },
    run: (sql, params = []) => Promise.resolve(prepare(sql).run(...bindAll(params)).changes),
    send: async (sql, params = []) => {
      prepare(sql).run(...bindAll(params));
    },
    inserter: (table, columns) => sqliteInserter(db, table, columns),
  };
  // A deferred read transaction takes its snapshot at the first read and keeps it to the end.
  db.exec(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN');
  try {
    const result = await fn(session);
    db.exec('COMMIT');
    // A bulk write (import, seed) changes table sizes by orders of magnitude: refresh the
    // planner's statistics, or it may pick a low-selectivity index (see refreshPlannerStats).
    if (mode === 'write') refreshPlannerStats(db);
    return result;
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  } finally {
    db.close();
  }
}

// Inside one transaction a prepared single-row INSERT is SQLite's fastest path (no batching
// needed): each add() writes at once.
function sqliteInserter(
  db: Database.Database,
  table: string,
  columns: readonly string[],
): Inserter {
  const st = db.prepare(
    `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  );
  let count = 0;
  // One array for every row's converted values: a million boxes are some 20 million port rows.
  const bound: unknown[] = new Array(columns.length);
  return {
    add(values) {
      for (let i = 0; i < bound.length; i++) bound[i] = sqliteValue(values[i]);
      st.run(bound);
      count++;
      return false;
    },
    flush: () => Promise.resolve(),
    get count() {
      return count;
    },
  };
}

/**
 * SQLite's planner, without statistics, takes any indexed equality as selective, and so may walk
 * a low-selectivity index (a status shared by most rows) instead of the few ids asked for. A
 * bounded ANALYZE of the tables that need it (SQLite's recommended `PRAGMA optimize`) fixes that.
 */
export function refreshPlannerStats(db: Database.Database): void {
  // ANALYZE writes: while another process holds the write lock (an import), skip it rather than
  // wait; the next start or bulk write refreshes them.
  const previous = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    db.pragma('analysis_limit = 1000');
    db.pragma('optimize = 0x10002');
  } catch (err) {
    if (!/^SQLITE_(BUSY|LOCKED)/.test((err as { code?: string }).code ?? '')) throw err;
  } finally {
    db.pragma(`busy_timeout = ${previous}`);
  }
}
