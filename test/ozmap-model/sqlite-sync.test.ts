import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteSession } from '../../src/ozmap-model/db/client.js';
import { sqliteValue, writeSync } from '../../src/ozmap-model/db/sqlite-sync.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { createBox } from '../support/network-fixture.js';

/** Lets the event loop run other work `n` times (ordering, not timing). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await nextTurn();
}

describe('synchronous SQLite write transactions beside Prisma transactions', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase('sqlite');
  });
  afterAll(async () => t.drop());

  const note = (sql: Parameters<Parameters<typeof writeSync>[1]>[0], id: string, text: string) =>
    sql.run('UPDATE "Box" SET "observation" = ? WHERE "id" = ?', text, id);

  it('waits for an open Prisma transaction, then runs whole in its own', async () => {
    const a = await createBox(t.db);
    const b = await createBox(t.db);
    const session = sqliteSession(t.db)!;
    let letGo!: () => void;
    const held = new Promise<void>((resolve) => (letGo = resolve));
    const order: string[] = [];
    const prisma = t.db.$transaction(async (tx) => {
      await tx.box.update({ where: { id: a.boxId }, data: { observation: 'prisma' } });
      await held;
      order.push('prisma committing');
    });
    await turns(20);
    const sync = writeSync(session, (sql) => {
      order.push('sync running');
      // Inside its own transaction: it sees what the Prisma one committed before it ran.
      const [row] = sql.all<{ observation: string }>(
        'SELECT "observation" FROM "Box" WHERE "id" = ?',
        a.boxId,
      );
      note(sql, b.boxId, `after ${row?.observation}`);
    });
    await turns(50);
    expect(order).toEqual([]);
    letGo();
    await Promise.all([prisma, sync]);
    expect(order).toEqual(['prisma committing', 'sync running']);
    const after = await t.db.box.findUniqueOrThrow({ where: { id: b.boxId } });
    expect(after.observation).toBe('after prisma');
  });

  it('rolls everything back when the function throws, and the next transaction still runs', async () => {
    const box = await createBox(t.db);
    const session = sqliteSession(t.db)!;
    await expect(
      writeSync(session, (sql) => {
        note(sql, box.boxId, 'half');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await t.db.box.findUniqueOrThrow({ where: { id: box.boxId } })).observation).toBeNull();
    await t.db.$transaction(async (tx) => {
      await tx.box.update({ where: { id: box.boxId }, data: { observation: 'next' } });
    });
    expect((await t.db.box.findUniqueOrThrow({ where: { id: box.boxId } })).observation).toBe(
      'next',
    );
  });

  it('stores values as Prisma reads them back', async () => {
    const box = await createBox(t.db);
    const at = new Date('2026-03-04T05:06:07.089Z');
    await writeSync(sqliteSession(t.db)!, (sql) =>
      sql.run('UPDATE "Box" SET "draft" = ?, "updatedAt" = ? WHERE "id" = ?', true, at, box.boxId),
    );
    const read = await t.db.box.findUniqueOrThrow({ where: { id: box.boxId } });
    expect(read.draft).toBe(true);
    expect(read.updatedAt).toEqual(at);
    expect(sqliteValue(undefined)).toBeNull();
  });

  it('has no session on PostgreSQL clients', async () => {
    if (!process.env.TEST_POSTGRES_URL) return;
    const pg = await freshDatabase('postgresql');
    try {
      expect(sqliteSession(pg.db)).toBeUndefined();
    } finally {
      await pg.drop();
    }
  });
});
