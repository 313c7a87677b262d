import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDb } from '../../src/ozmap-model/db/client.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { createBox } from '../support/network-fixture.js';

describe('SQLite prepared statements kept between queries', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase('sqlite');
  });
  afterAll(async () => t.drop());

  it('prepares a query once and answers each call with its own arguments', async () => {
    const boxes = [];
    for (let i = 0; i < 3; i++) boxes.push(await createBox(t.db, { splitters: [{ ratio: 8 }] }));
    const prepare = vi.spyOn(Database.prototype, 'prepare');
    const db = createDb(t.url);
    try {
      for (let round = 0; round < 5; round++) {
        for (const box of boxes) {
          const found = await db.box.findUnique({
            where: { id: box.boxId },
            select: { id: true, projectId: true },
          });
          expect(found?.id).toBe(box.boxId);
        }
      }
      const boxReads = prepare.mock.calls.filter(([sql]) => /FROM `main`.`Box`/.test(sql));
      expect(boxReads).toHaveLength(1);
    } finally {
      prepare.mockRestore();
      await db.$disconnect();
    }
  });

  it('writes, reads back and rolls back through the same statements', async () => {
    const box = await createBox(t.db, { splitters: [{ ratio: 8 }] });
    for (let i = 0; i < 3; i++) {
      await t.db.box.update({ where: { id: box.boxId }, data: { observation: `note ${i}` } });
      const read = await t.db.box.findUnique({ where: { id: box.boxId } });
      expect(read?.observation).toBe(`note ${i}`);
    }
    await expect(
      t.db.$transaction(async (tx) => {
        await tx.box.update({ where: { id: box.boxId }, data: { observation: 'rolled back' } });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const after = await t.db.box.findUnique({ where: { id: box.boxId } });
    expect(after?.observation).toBe('note 2');
  });
});
