import { dbProvider, isDatabaseBusy, isKnownClient, type Db } from './client.js';

/**
 * refreshPlannerStats (raw-sqlite.ts) for a Prisma client's own SQLite connection, after bulk
 * writes through it: statistics another connection writes are not read by one already open, and
 * without them the planner may take a low-selectivity index over a page's own ids. A no-op when the statistics are still good (well under
 * a millisecond), bounded otherwise; skipped when another process holds the write lock (the next
 * page retries). PostgreSQL's autovacuum keeps its own statistics.
 */
export async function refreshPlannerStatsOf(db: Db): Promise<void> {
  if (dbProvider(db) !== 'sqlite') return;
  try {
    await db.$queryRawUnsafe('PRAGMA analysis_limit = 1000');
    await db.$queryRawUnsafe('PRAGMA optimize = 0x10002');
  } catch (err) {
    // Only a hint to the planner: never fail the writes it follows. (A client wrapped with
    // $extends is not known to dbProvider and may be PostgreSQL, where PRAGMA is an error.)
    if (!isDatabaseBusy(err) && dbProvider(db) === 'sqlite' && isKnownClient(db)) throw err;
  }
}
