// The versioned inventory change log: database triggers record every change to a box's viability
// facts, whoever makes it, and NetworkSync applies them to an instance's index.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { newId } from '../../src/ids.js';
import type { Db } from '../../src/ozmap-model/db/client.js';
import { REGIONS_KEY } from '../../src/ozmap-model/db/change-log.js';
import { NetworkSync, pruneNetworkChanges } from '../../src/services/network-sync.js';
import { ViabilityService } from '../../src/services/viability-service.js';
import { freshDatabase, testProviders, type TestDatabase } from '../support/db.js';
import { createBox } from '../support/network-fixture.js';

const logger = createLogger('silent');
const HERE = { lat: -23.4253, lng: -51.9386 };

async function changes(db: Db): Promise<Array<{ key: string; version: bigint }>> {
  const rows = await db.$queryRawUnsafe<Array<{ key: string; version: bigint | number }>>(
    'SELECT "key", "version" FROM "NetworkChange" ORDER BY "version"',
  );
  return rows.map((r) => ({ key: r.key, version: BigInt(r.version) }));
}

/** A recording stand-in for the index: which boxes and region reloads the sync asked for. */
function recorder() {
  const boxes: string[] = [];
  let regions = 0;
  return {
    boxes,
    get regions() {
      return regions;
    },
    local: {
      boxesChanged: (ids: Iterable<string>) => {
        boxes.push(...ids);
        return Promise.resolve();
      },
      regionsChanged: () => {
        regions++;
        return Promise.resolve();
      },
      polesChanged: () => Promise.resolve(),
      condosChanged: () => Promise.resolve(),
    },
  };
}

describe.each(testProviders())('network change log on %s', (provider) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await freshDatabase(provider);
    db = database.db;
  });
  afterAll(async () => database.drop());

  it('records box, splitter, blocked-port and property changes, and skips irrelevant updates', async () => {
    const box = await createBox(db, { name: 'CTO-LOG', splitters: [{ ratio: 4 }] });
    const afterCreate = await changes(db);
    expect(afterCreate.map((c) => c.key)).toContain(box.boxId);
    const v0 = afterCreate.at(-1)!.version;

    // Not a viability fact: nothing recorded.
    await db.box.update({ where: { id: box.boxId }, data: { observation: 'poste novo' } });
    expect((await changes(db)).at(-1)!.version).toBe(v0);

    // Each of these is, and bumps the box's version.
    const steps: Array<() => Promise<unknown>> = [
      () => db.box.update({ where: { id: box.boxId }, data: { lat: HERE.lat + 0.0001 } }),
      () => db.splitter.update({ where: { id: box.splitterIds[0] }, data: { ratioOut: 8 } }),
      // An open port has no row: blocking it inserts one, unblocking it updates that row.
      () =>
        db.splitterPort.create({
          data: { splitterId: box.splitterIds[0]!, index: 2, blocked: true },
        }),
      () =>
        db.splitterPort.update({
          where: { splitterId_index: { splitterId: box.splitterIds[0]!, index: 2 } },
          data: { blocked: false },
        }),
      () =>
        db.property.create({
          data: {
            id: newId(),
            projectId: box.projectId,
            splitterId: box.splitterIds[0]!,
            port: 1,
            lat: HERE.lat,
            lng: HERE.lng,
          },
        }),
    ];
    let last = v0;
    for (const step of steps) {
      await step();
      const row = (await changes(db)).find((c) => c.key === box.boxId)!;
      expect(row.version).toBeGreaterThan(last);
      last = row.version;
    }
    // One row per box, however many changes: the log never outgrows the inventory.
    expect((await changes(db)).filter((c) => c.key === box.boxId)).toHaveLength(1);

    await db.tag.create({ data: { id: newId(), name: `zona-${provider}` } });
    expect((await changes(db)).at(-1)!.key).toBe(REGIONS_KEY);
  });

  it('brings an index up to date with SQL written by hand, without the service being told', async () => {
    const box = await createBox(db, {
      name: 'CTO-A-MAO',
      lat: HERE.lat - 0.002,
      lng: HERE.lng,
      splitters: [{ ratio: 2 }],
    });
    const viability = await ViabilityService.load(db, {
      defaultRadiusMeters: () => 100,
      maxBoxes: () => 20,
      maxRadiusMeters: 5000,
      logger,
    });
    const sync = new NetworkSync({
      db,
      local: viability,
      logger,
      from: await NetworkSync.currentVersion(db),
      intervalMs: 1000,
    });
    const point = { lat: HERE.lat - 0.002, lng: HERE.lng };
    const availability = () =>
      viability.check(point).boxes.find((b) => b.name === 'CTO-A-MAO')?.availability;
    expect(availability()).toBe(2);

    // Another program takes a port with plain SQL.
    await db.$executeRawUnsafe(
      `INSERT INTO "Property" ("id", "projectId", "splitterId", "port", "lat", "lng", "historyJson", "createdAt", "updatedAt")
       VALUES ('${newId()}', '${box.projectId}', '${box.splitterIds[0]}', 1, ${point.lat}, ${point.lng}, '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
    );
    expect(availability()).toBe(2); // not seen yet
    expect(await sync.pollNow()).toBeGreaterThan(0);
    expect(availability()).toBe(1);

    // Marked as a draft by hand, then deleted by hand.
    await db.$executeRawUnsafe(`UPDATE "Box" SET "draft" = true WHERE "id" = '${box.boxId}'`);
    await sync.pollNow();
    expect(viability.check(point).refused.find((b) => b.name === 'CTO-A-MAO')?.reason).toBe(
      'draft',
    );
    await db.$executeRawUnsafe(
      `DELETE FROM "Property" WHERE "splitterId" = '${box.splitterIds[0]}'`,
    );
    await db.$executeRawUnsafe(`DELETE FROM "Box" WHERE "id" = '${box.boxId}'`);
    await sync.pollNow();
    const near = viability.check(point);
    expect([...near.boxes, ...near.refused].some((b) => b.name === 'CTO-A-MAO')).toBe(false);
    expect(await sync.pollNow()).toBe(0); // nothing new: nothing applied
    sync.stop();
  });

  it('applies each change once when a bulk write bumps many boxes past their first version', async () => {
    const from = await NetworkSync.currentVersion(db);
    // Each box's row is re-versioned by its splitter and ports: one hole in the log per box, as
    // a Geogrid page or an import leaves them (more holes than the gap reader lists one by one).
    const boxes = [];
    for (let i = 0; i < 80; i++)
      boxes.push(await createBox(db, { name: `CTO-LOTE-${i}`, splitters: [{ ratio: 2 }] }));
    const ids = boxes.map((b) => b.boxId);
    const log = (await changes(db)).filter((c) => c.version > from);
    expect(log.at(-1)!.version - from).toBeGreaterThan(BigInt(log.length) + 64n);
    const seen = recorder();
    const sync = new NetworkSync({ db, local: seen.local, logger, from, intervalMs: 1000 });
    await sync.pollNow();
    // (PostgreSQL also re-reads the versions just below `from`, in case they commit late.)
    const ours = () => seen.boxes.filter((id) => ids.includes(id)).sort();
    expect(ours()).toEqual([...ids].sort());
    const applied = seen.boxes.length;
    expect(await sync.pollNow()).toBe(0);
    expect(await sync.pollNow()).toBe(0);
    expect(seen.boxes).toHaveLength(applied);
    sync.stop();
  });

  it('forgets rows of deleted boxes past the retention, and keeps those of existing boxes', async () => {
    const kept = await createBox(db, { name: 'CTO-FICA' });
    const gone = await createBox(db, { name: 'CTO-SAI' });
    await db.box.delete({ where: { id: gone.boxId } });
    const keys = async () => new Set((await changes(db)).map((c) => c.key));
    expect(await keys()).toContain(gone.boxId);
    // Not old enough yet.
    expect(await pruneNetworkChanges(db, Date.now(), 60_000)).toBe(0);
    const pruned = await pruneNetworkChanges(db, Date.now() + 120_000, 60_000);
    expect(pruned).toBeGreaterThanOrEqual(1);
    const after = await keys();
    expect(after).not.toContain(gone.boxId);
    expect(after).toContain(kept.boxId);
    expect(after).toContain(REGIONS_KEY);
  });
});

describe.runIf(process.env.TEST_POSTGRES_URL)('change log on postgresql: commit order', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase('postgresql');
  });
  afterAll(async () => database.drop());

  it('waits for a version committed after a later one, and gives up on a rolled-back one', async () => {
    const db = database.db;
    const a = await createBox(db, { name: 'CTO-T1' });
    const b = await createBox(db, { name: 'CTO-T2' });
    const c = await createBox(db, { name: 'CTO-T3' });
    let clock = Date.now();
    const seen = recorder();
    const sync = new NetworkSync({
      db,
      local: seen.local,
      logger,
      from: await NetworkSync.currentVersion(db),
      intervalMs: 1000,
      gapGraceMs: 60_000,
      now: () => clock,
    });
    await sync.pollNow();
    seen.boxes.length = 0;

    const slow = new pg.Client({ connectionString: database.url });
    const rolledBack = new pg.Client({ connectionString: database.url });
    await slow.connect();
    await rolledBack.connect();
    try {
      // T1 draws a version first but commits last; T3 draws one and rolls back.
      await slow.query('BEGIN');
      await slow.query(`UPDATE "Box" SET "draft" = true WHERE "id" = $1`, [a.boxId]);
      await rolledBack.query('BEGIN');
      await rolledBack.query(`UPDATE "Box" SET "draft" = true WHERE "id" = $1`, [c.boxId]);
      await db.box.update({ where: { id: b.boxId }, data: { draft: true } });

      await sync.pollNow();
      expect(seen.boxes).toEqual([b.boxId]);
      expect(sync.status().waitingFor).toBeGreaterThan(0);

      await slow.query('COMMIT');
      await rolledBack.query('ROLLBACK');
      await sync.pollNow();
      expect(seen.boxes).toEqual([b.boxId, a.boxId]);

      // The rolled-back version never appears: after the grace period it is no longer awaited.
      clock += 61_000;
      await sync.pollNow();
      expect(sync.status().waitingFor).toBe(0);
    } finally {
      await slow.end();
      await rolledBack.end();
      sync.stop();
    }
  });
});

describe('change log polling schedule', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase('sqlite');
  });
  afterAll(async () => database.drop());
  afterEach(() => vi.useRealTimers());

  it('polls every interval, and a poll asked for meanwhile runs at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const seen = recorder();
    const sync = new NetworkSync({
      db: database.db,
      local: seen.local,
      logger,
      from: 0n,
      intervalMs: 5_000,
    }).start();
    const box = await createBox(database.db, { name: 'CTO-RELOGIO' });
    await vi.advanceTimersByTimeAsync(4_000);
    expect(seen.boxes).not.toContain(box.boxId);
    await vi.advanceTimersByTimeAsync(1_500);
    await vi.waitFor(() => expect(seen.boxes).toContain(box.boxId));

    const other = await createBox(database.db, { name: 'CTO-JA' });
    await sync.pollNow();
    expect(seen.boxes).toContain(other.boxId);
    sync.stop();
  });
});
