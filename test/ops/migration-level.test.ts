// An instance whose code is at another migration level than the database refuses to start.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyMigrations,
  MigrationError,
  readMigrations,
} from '../../src/ozmap-model/db/migrate.js';
import { freshDatabase, testProviders } from '../support/db.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.each(testProviders())('migration level on %s', (provider) => {
  it('refuses a database migrated by a newer version', async () => {
    const database = await freshDatabase(provider);
    try {
      await database.db.$executeRawUnsafe(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
         VALUES ('x-newer', 'abc', CURRENT_TIMESTAMP, '29991231000000_from_the_future', CURRENT_TIMESTAMP, 1)`,
      );
      const refused = applyMigrations(database.url);
      await expect(refused).rejects.toBeInstanceOf(MigrationError);
      await expect(refused).rejects.toThrow(
        /newer migration level than this version of Alcance: it has 29991231000000_from_the_future/,
      );
    } finally {
      await database.drop();
    }
  });
});

describe('MIGRATE_ON_START=false', () => {
  it('checks instead of migrating: pending migrations are refused, an up-to-date database passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alcance-level-'));
    dirs.push(dir);
    const url = `file:${join(dir, 'a.db')}`;
    const all = readMigrations('sqlite');
    await applyMigrations(url);
    // Pretend the last migration was never applied.
    const sqlite = new Database(join(dir, 'a.db'));
    sqlite
      .prepare('DELETE FROM "_prisma_migrations" WHERE migration_name = ?')
      .run(all.at(-1)!.name);
    sqlite.close();
    await expect(applyMigrations(url, { apply: false })).rejects.toThrow(
      `the database lacks migration(s) ${all.at(-1)!.name} and MIGRATE_ON_START is false: run \`alcance migrate\` first`,
    );
  });

  it('the command line says why it will not start, with its own exit code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alcance-level-'));
    dirs.push(dir);
    const sqlite = new Database(join(dir, 'a.db'));
    sqlite.exec(
      `CREATE TABLE "_prisma_migrations" (id TEXT PRIMARY KEY, checksum TEXT NOT NULL, finished_at DATETIME, migration_name TEXT NOT NULL, logs TEXT, rolled_back_at DATETIME, started_at DATETIME NOT NULL DEFAULT current_timestamp, applied_steps_count INTEGER NOT NULL DEFAULT 0);
       INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name) VALUES ('n', 'c', 1, '29991231000000_from_the_future');`,
    );
    sqlite.close();
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
      env: {
        ...process.env,
        DATABASE_URL: `file:${join(dir, 'a.db')}`,
        PORT: '0',
        LOG_LEVEL: 'silent',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(3);
    expect(run.stderr).toContain(
      'alcance: cannot start: the database is at a newer migration level',
    );
  });
});
