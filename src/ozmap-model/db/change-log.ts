import { writeInChunks } from './chunks.js';
import type { RawSession } from './raw.js';

// The keys of the NetworkChange log (written by the triggers of migrations add_network_change and
// pole_change_log, read by src/services/network-sync.ts). Migration bulk_change_log lists the named
// keys again (those a bulk write on PostgreSQL still logs row by row): a new one goes there too.
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

/** The tables a bulk write fills by the million, whose per-row triggers it suspends (SQLite). */
const BULK_TABLES = ['Box', 'Splitter', 'SplitterPort', 'Pole', 'Span'];

/**
 * Runs a bulk write (an import, the demo seed) with the change log's per-row logging of box and
 * pole keys off, then logs `keys()` (every box and pole key the write changed) once each.
 *
 * SQLite: the per-row triggers of the network tables are dropped and put back inside the write's
 * transaction (they were ~40 % of an import's inserts). DDL is part of the transaction there (a
 * failed write rolls the triggers back in with everything else), and the write session holds the
 * database's one write lock, so no other writer runs while they are away, and readers keep seeing
 * them in their snapshots.
 *
 * PostgreSQL: disabling a trigger would lock its table against every other writer until the
 * import commits, so the triggers stay and this transaction alone sets `alcance.change_log` to
 * 'bulk', which makes them skip box and pole keys (migration bulk_change_log; a third of an
 * import's insert time). The setting ends with the transaction, committed or not.
 */
export async function withChangeLogSuspended<T>(
  s: RawSession,
  keys: (() => Iterable<string>) | KeyQuery,
  write: () => Promise<T>,
): Promise<T> {
  if (s.provider === 'postgresql') {
    await s.all(`SELECT set_config('alcance.change_log', 'bulk', true)`);
    const result = await write();
    await s.all(`SELECT set_config('alcance.change_log', '', true)`);
    await logPostgresChanges(s, keys);
    return result;
  }
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

// Keys handed to the log's own function at a time: a few hundred KB of parameter.
const LOG_CHUNK = 10_000;

/** Through the triggers' own function: versions from its sequence, each key's newest kept. */
async function logPostgresChanges(
  s: RawSession,
  keys: (() => Iterable<string>) | KeyQuery,
): Promise<void> {
  if ('sql' in keys) {
    await s.all(`SELECT "alcance_note_changes"(ARRAY(SELECT k FROM (${keys.sql}) AS q))`);
    return;
  }
  await writeInChunks(
    keys(),
    async (chunk) => void (await s.all('SELECT "alcance_note_changes"(?::text[])', [chunk])),
    LOG_CHUNK,
  );
}

// A key keeps only its newest version, as the triggers' upserts do.
const KEEP_NEWEST =
  'ON CONFLICT ("key") DO UPDATE SET "version" = excluded."version", "at" = excluded."at"';

/** One new version per key, in the order given, as the SQLite triggers would have written them. */
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
