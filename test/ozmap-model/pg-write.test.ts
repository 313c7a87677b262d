import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgPool } from '../../src/ozmap-model/db/client.js';
import { withRawSession, type Inserter } from '../../src/ozmap-model/db/raw.js';
import { insertAllSql, pgUniqueViolation, pgWrite } from '../../src/ozmap-model/db/pg-write.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { createBox } from '../support/network-fixture.js';

describe('one statement for several tables', () => {
  it('puts every insert but the last in a CTE, numbering the values in order', () => {
    const at = new Date('2026-03-04T05:06:07.089Z');
    const { text, values } = insertAllSql([
      { table: 'A', row: { id: 'a1', on: true, skipped: undefined } },
      { table: 'B', row: { id: 'b1', at, none: null } },
    ]);
    expect(text).toBe(
      'WITH w0 AS (INSERT INTO "A" ("id", "on") VALUES ($1, $2)) INSERT INTO "B" ("id", "at", "none") VALUES ($3, $4, $5)',
    );
    expect(values).toEqual(['a1', true, 'b1', '2026-03-04T05:06:07.089', null]);
  });
});

describe.runIf(process.env.TEST_POSTGRES_URL)('plain PostgreSQL write transactions', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase('postgresql');
  });
  afterAll(async () => t.drop());

  it('writes a parent and its child in one statement, dates as Prisma reads them', async () => {
    const box = await createBox(t.db, { splitters: [{ ratio: 8 }] });
    const at = new Date('2026-03-04T05:06:07.089Z');
    await pgWrite(pgPool(t.db)!, (sql) =>
      sql.insertAll([
        {
          table: 'FtthClient',
          row: { id: 'c'.repeat(24), code: 'PG-1', createdAt: at, updatedAt: at },
        },
        {
          table: 'Property',
          row: {
            id: 'p'.repeat(24),
            projectId: box.projectId,
            boxId: box.boxId,
            clientId: 'c'.repeat(24),
            createdAt: at,
            updatedAt: at,
          },
        },
      ]),
    );
    const property = await t.db.property.findUniqueOrThrow({
      where: { id: 'p'.repeat(24) },
      include: { client: true },
    });
    expect(property.client?.code).toBe('PG-1');
    expect(property.createdAt).toEqual(at);
    expect(property.client?.updatedAt).toEqual(at);
  });

  it('rolls back everything when the function throws, and names a unique violation', async () => {
    const pool = pgPool(t.db)!;
    const failed = await pgWrite(pool, async (sql) => {
      await sql.run(`UPDATE "FtthClient" SET "name" = 'half' WHERE "code" = 'PG-1'`);
      await sql.insertAll([
        { table: 'FtthClient', row: { id: 'd'.repeat(24), code: 'PG-1', updatedAt: new Date() } },
      ]);
    }).catch((err: unknown) => err);
    expect(pgUniqueViolation(failed)).toBe('FtthClient_code_key');
    const client = await t.db.ftthClient.findUniqueOrThrow({ where: { code: 'PG-1' } });
    expect(client.name).toBeNull();
    // The connection went back to the pool clean: the next transaction works.
    const rows = await pgWrite(pool, (sql) => sql.all<{ n: number }>('SELECT 1 AS n'));
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('samples the tables a bulk write filled, so the next queries are planned for their size', async () => {
    const analyzed = async () => {
      const rows = await t.db.$queryRawUnsafe<Array<{ n: bigint }>>(
        `SELECT analyze_count + autoanalyze_count AS n FROM pg_stat_user_tables WHERE relname = 'Tag'`,
      );
      return Number(rows[0]?.n ?? 0);
    };
    const before = await analyzed();
    await withRawSession(t.url, 'write', async (session) => {
      const tags = session.inserter('Tag', ['id', 'name', 'updatedAt']);
      for (let i = 0; i < 50; i++)
        tags.add([`t${String(i).padStart(23, '0')}`, `tag ${i}`, new Date()]);
      await tags.flush();
    });
    expect(await t.db.tag.count()).toBe(50);
    // The statistics collector reports with a short delay.
    await expect.poll(analyzed, { timeout: 5000 }).toBeGreaterThan(before);
  });

  describe('bulk inserts handed over without waiting (the write pipeline)', () => {
    const add = (ins: Inserter, key: string) => ins.add(['pipeline', key, 'v', new Date()]);
    const columns = ['namespace', 'key', 'value', 'updatedAt'];
    const count = () => t.db.keyValue.count({ where: { namespace: 'pipeline' } });

    it('a later statement of the session sees every batch sent before it', async () => {
      const seen = await withRawSession(t.url, 'write', async (s) => {
        const kv = s.inserter('KeyValue', columns);
        for (let i = 0; i < 23_000; i++) if (add(kv, `k${i}`)) await kv.flush();
        await kv.flush();
        const rows = await s.all(`SELECT COUNT(*) FROM "KeyValue" WHERE "namespace" = 'pipeline'`);
        return Number(rows[0]![0]);
      });
      expect(seen).toBe(23_000);
      expect(await count()).toBe(23_000);
      await t.db.keyValue.deleteMany({ where: { namespace: 'pipeline' } });
    });

    it('a batch that fails is the error reported, by the next statement; nothing is kept', async () => {
      const failed = await withRawSession(t.url, 'write', async (s) => {
        const kv = s.inserter('KeyValue', columns);
        for (let i = 0; i < 12_000; i++) if (add(kv, `k${i}`)) await kv.flush();
        // The second batch repeats a key of the first; more batches follow before anyone waits.
        for (let i = 0; i < 12_000; i++)
          if (add(kv, `k${i % 7_000}`)) await kv.flush().catch(() => undefined);
        await s.run(`UPDATE "KeyValue" SET "value" = 'after' WHERE "namespace" = 'pipeline'`);
      }).catch((err: unknown) => err);
      expect(pgUniqueViolation(failed)).toBe('KeyValue_pkey');
      expect(await count()).toBe(0);
    });

    it('a failure in the last batch fails the commit, nothing is kept', async () => {
      const failed = await withRawSession(t.url, 'write', async (s) => {
        const kv = s.inserter('KeyValue', columns);
        add(kv, 'same');
        add(kv, 'same');
        await kv.flush();
      }).catch((err: unknown) => err);
      expect(pgUniqueViolation(failed)).toBe('KeyValue_pkey');
      expect(await count()).toBe(0);
    });
  });
});
