import { createRequire } from 'node:module';
import { setTimeout as delay } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDb, isDatabaseBusy, sqlitePath } from '../../src/ozmap-model/db/client.js';
import { withFreePort } from '../../src/ozmap-model/port-allocation.js';
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

// Another writer on the same file, in a thread of its own (as the SGP cycle's worker runs): it
// writes while a transaction of ours has read and not yet written.
const OTHER_WRITER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 10000 });
parentPort.on('message', (boxId) => {
  parentPort.postMessage('writing');
  db.prepare('UPDATE "Box" SET "observation" = ? WHERE "id" = ?').run('other writer', boxId);
  parentPort.postMessage('committed');
});
`;

describe('SQLite transactions beside another writer', () => {
  let t: TestDatabase;
  let other: Worker;
  beforeAll(async () => {
    t = await freshDatabase('sqlite');
    other = new Worker(OTHER_WRITER, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        path: sqlitePath(t.url),
      },
    });
  });
  afterAll(async () => {
    await other.terminate();
    await t.drop();
  });

  it('a reservation that read before the other writer committed still commits, and so does the other', async () => {
    const ours = await createBox(t.db, { splitters: [{ ratio: 8 }] });
    const theirs = await createBox(t.db, { splitters: [{ ratio: 8 }] });
    const messages: string[] = [];
    const committed = new Promise<void>((resolve) =>
      other.on('message', (m: string) => {
        messages.push(m);
        if (m === 'committed') resolve();
      }),
    );
    const reserved = await withFreePort(
      t.db,
      { kind: 'box', boxId: ours.boxId },
      async (tx, slot) => {
        const writing = new Promise((resolve) => other.once('message', resolve));
        other.postMessage(theirs.boxId);
        await writing;
        // Give the other writer the moment it needs to commit, if it can: with a deferred BEGIN it
        // does, and this transaction's write below then fails with SQLITE_BUSY_SNAPSHOT.
        await Promise.race([committed, delay(300)]);
        const project = await tx.box.findUniqueOrThrow({ where: { id: ours.boxId } });
        return tx.property.create({
          data: {
            id: 'reserved-beside-other-writer',
            projectId: project.projectId,
            boxId: ours.boxId,
            splitterId: slot.splitterId,
            port: slot.port,
            address: 'Rua A, 1',
          },
        });
      },
    );
    await committed;
    expect(reserved.port).toBe(1);
    expect(messages).toEqual(['writing', 'committed']);
    const after = await t.db.box.findUniqueOrThrow({ where: { id: theirs.boxId } });
    expect(after.observation).toBe('other writer');
  });

  it('a busy snapshot is a busy database (the caller may try again), not a failure', () => {
    const busySnapshot = {
      code: 'P2010',
      meta: { driverAdapterError: { cause: { kind: 'sqlite', extendedCode: 517 } } },
    };
    expect(isDatabaseBusy(busySnapshot)).toBe(true);
    const constraint = {
      meta: { driverAdapterError: { cause: { kind: 'sqlite', extendedCode: 2067 } } },
    };
    expect(isDatabaseBusy(constraint)).toBe(false);
  });
});
