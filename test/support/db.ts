import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';
import { createDb, type Db, type DbProvider } from '../../src/ozmap-model/db/client.js';
import { applyMigrations } from '../../src/ozmap-model/db/migrate.js';

/** The databases this run tests against: SQLite always, PostgreSQL when TEST_POSTGRES_URL is set. */
export function testProviders(): DbProvider[] {
  return process.env.TEST_POSTGRES_URL ? ['sqlite', 'postgresql'] : ['sqlite'];
}

export interface TestDatabase {
  provider: DbProvider;
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** `fresh()` opens another fresh database for the current suite; all of them are dropped after it. */
export function freshDatabases(provider: DbProvider): () => Promise<Db> {
  const opened: TestDatabase[] = [];
  afterAll(async () => Promise.all(opened.map((d) => d.drop())));
  return async () => {
    const t = await freshDatabase(provider);
    opened.push(t);
    return t.db;
  };
}

/** A fresh, migrated, empty database of its own (a temp SQLite file or a new PostgreSQL database). */
export async function freshDatabase(provider: DbProvider): Promise<TestDatabase> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'alcance-test-'));
    const url = `file:${join(dir, 'test.db')}`;
    await applyMigrations(url);
    const db = createDb(url);
    return {
      provider,
      url,
      db,
      drop: async () => {
        await db.$disconnect();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const admin = process.env.TEST_POSTGRES_URL;
  if (!admin) throw new Error('TEST_POSTGRES_URL is not set');
  const name = `alcance_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(admin, `CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  await applyMigrations(url.toString());
  const db = createDb(url.toString());
  return {
    provider,
    url: url.toString(),
    db,
    drop: async () => {
      await db.$disconnect();
      await adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
