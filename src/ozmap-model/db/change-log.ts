import type { RawSession } from './raw.js';

// The keys of the NetworkChange log (written by the triggers of migrations add_network_change and
// pole_change_log, read by src/services/network-sync.ts).
/** "Regions or their tags changed" (box ids are 24-hex strings). */
export const REGIONS_KEY = 'regions';
/** Pole-mode keys: `pole:<id>`, every route, gated communities. */
export const POLE_PREFIX = 'pole:';
export const ALL_POLES_KEY = 'poles';
export const CONDOS_KEY = 'condos';

/** A SELECT of one column named k: the keys to log, read after the write. */
export interface KeyQuery {
  sql: string;
}

/** The tables a bulk write fills by the million, whose per-row triggers it suspends. */
const BULK_TABLES = ['Box', 'Splitter', 'SplitterPort', 'Pole', 'Span'];

/**
 * Runs a bulk write (an import) with the change log's per-row triggers on the network tables
 * suspended, then logs `keys()` (every box and pole key the write changed) once each.
 *
 * SQLite only, where those triggers were ~40 % of an import's inserts: there DDL is part of the
 * transaction (a failed write rolls the triggers back in with everything else), and the write
 * session holds the database's one write lock, so no other writer runs while they are away, and
 * readers keep seeing them in their snapshots. On PostgreSQL the triggers stay: disabling one
 * locks its table against every other writer until the import commits.
 */
export async function withChangeLogSuspended<T>(
  s: RawSession,
  keys: (() => Iterable<string>) | KeyQuery,
  write: () => Promise<T>,
): Promise<T> {
  if (s.provider !== 'sqlite') return write();
  const triggers = await s.all(
    `SELECT "name", "sql" FROM sqlite_master WHERE "type" = 'trigger' AND "name" LIKE 'alcance%' AND "tbl_name" IN (${BULK_TABLES.map(() => '?').join(', ')}) ORDER BY "name"`,
    BULK_TABLES,
  );
  for (const [name] of triggers) await s.run(`DROP TRIGGER "${name as string}"`);
  const result = await write();
  for (const [, sql] of triggers) await s.run(sql as string);
  await logChanges(s, keys);
  return result;
}

// A key keeps only its newest version, as the triggers' upserts do.
const KEEP_NEWEST =
  'ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at"';

/** One new version per key, in the order given, as the triggers would have written them. */
async function logChanges(s: RawSession, keys: (() => Iterable<string>) | KeyQuery): Promise<void> {
  const rows = await s.all('SELECT COALESCE(MAX("version"), 0) FROM "NetworkChange"');
  let version = BigInt((rows[0]?.[0] as number | bigint | undefined) ?? 0);
  const at = Date.now();
  if ('sql' in keys) {
    // WHERE true: SQLite's parser would take ON CONFLICT for a join's ON otherwise.
    await s.run(
      `INSERT INTO "NetworkChange" ("key", "version", "at") SELECT k, ? + ROW_NUMBER() OVER (), ? FROM (${keys.sql}) WHERE true ${KEEP_NEWEST}`,
      [version, at],
    );
    return;
  }
  for (const key of keys()) {
    await s.run(
      `INSERT INTO "NetworkChange" ("key", "version", "at") VALUES (?, ?, ?) ${KEEP_NEWEST}`,
      [key, ++version, at],
    );
  }
}

/** Every box and pole of the inventory as change-log keys (a bulk write into an empty one). */
export const EVERY_NETWORK_KEY: KeyQuery = {
  sql: `SELECT "id" AS k FROM "Box" UNION ALL SELECT '${POLE_PREFIX}' || "id" AS k FROM "Pole"`,
};
