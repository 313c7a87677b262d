import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { providerOf, sqlitePath } from './client.js';
import { refreshPlannerStats } from './raw-sqlite.js';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

const MIGRATIONS_ROOT = new URL('../../../prisma/', import.meta.url).pathname;

/** The committed migrations for a provider, in order, with the checksum `prisma migrate` records. */
export function readMigrations(
  provider: 'sqlite' | 'postgresql',
  root = MIGRATIONS_ROOT,
): Migration[] {
  const dir = join(root, provider === 'sqlite' ? 'sqlite' : 'postgres', 'migrations');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

export interface MigrateOptions {
  /** Apply pending migrations (default); false only checks, and refuses a database behind this code. */
  apply?: boolean;
}

/**
 * The database and this code must agree on the migration level: a database that has migrations
 * this code does not know was migrated by a newer version (running this older one against it
 * could write what the newer schema forbids); with `apply: false`, pending ones are refused too.
 */
function checkLevel(done: Set<string>, migrations: Migration[], apply: boolean): void {
  const local = new Set(migrations.map((m) => m.name));
  const unknown = [...done].filter((name) => !local.has(name)).sort();
  if (unknown.length) {
    throw new MigrationError(
      `the database is at a newer migration level than this version of Alcance: it has ${unknown.join(', ')}, which this version does not know. Run the version that migrated it (upgrade this instance) instead of starting an older one.`,
    );
  }
  const pending = migrations.filter((m) => !done.has(m.name)).map((m) => m.name);
  if (!apply && pending.length) {
    throw new MigrationError(
      `the database lacks migration(s) ${pending.join(', ')} and MIGRATE_ON_START is false: run \`alcance migrate\` first`,
    );
  }
}

function checkHistory(applied: AppliedRow[], migrations: Migration[]): Set<string> {
  const done = new Set<string>();
  for (const row of applied) {
    if (row.rolled_back_at) continue;
    if (!row.finished_at) {
      throw new MigrationError(
        `migration ${row.migration_name} started but did not finish; fix the database and mark it resolved (prisma migrate resolve)`,
      );
    }
    const local = migrations.find((m) => m.name === row.migration_name);
    if (local && local.checksum !== row.checksum) {
      throw new MigrationError(`migration ${row.migration_name} was changed after it was applied`);
    }
    done.add(row.migration_name);
  }
  return done;
}

// The same table `prisma migrate deploy` creates, so the CLI agrees with what we applied.
const SQLITE_HISTORY = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

const PG_HISTORY = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

function migrateSqlite(url: string, migrations: Migration[], apply: boolean): MigrationResult {
  const db = new Database(sqlitePath(url));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 10000');
    db.exec(SQLITE_HISTORY);
    const rows = db
      .prepare('SELECT * FROM "_prisma_migrations" ORDER BY started_at')
      .all() as AppliedRow[];
    const done = checkHistory(rows, migrations);
    checkLevel(done, migrations, apply);
    const result: MigrationResult = { applied: [], alreadyApplied: [...done] };
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      const id = randomUUID();
      const apply = db.transaction(() => {
        db.exec(m.sql);
        db.prepare(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES (?, ?, ?, ?, ?, 1)`,
        ).run(id, m.checksum, Date.now(), m.name, Date.now());
      });
      apply();
      result.applied.push(m.name);
    }
    if (apply) refreshPlannerStats(db);
    return result;
  } finally {
    db.close();
  }
}

// Prisma's own advisory lock key, so our start-up and `prisma migrate` never run concurrently.
const PG_LOCK = 72707369;

async function migratePostgres(
  url: string,
  migrations: Migration[],
  apply: boolean,
): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: url });
  // A connection the server ends (restart, database dropped) fails the query that is running;
  // unheard, the client's 'error' event would crash the process instead.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PG_LOCK]);
    await client.query(PG_HISTORY);
    const { rows } = await client.query<AppliedRow>(
      'SELECT * FROM "_prisma_migrations" ORDER BY started_at',
    );
    const done = checkHistory(rows, migrations);
    checkLevel(done, migrations, apply);
    const result: MigrationResult = { applied: [], alreadyApplied: [...done] };
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, now(), 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new MigrationError(`migration ${m.name} failed: ${(err as Error).message}`);
      }
      result.applied.push(m.name);
    }
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PG_LOCK]).catch(() => undefined);
    await client.end();
  }
}

/** Applies the committed migrations that the database has not seen yet; no Prisma CLI needed. */
export async function applyMigrations(
  url: string,
  { apply = true }: MigrateOptions = {},
): Promise<MigrationResult> {
  const provider = providerOf(url);
  const migrations = readMigrations(provider);
  return provider === 'sqlite'
    ? migrateSqlite(url, migrations, apply)
    : migratePostgres(url, migrations, apply);
}
