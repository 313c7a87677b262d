// The watch on its own: a database that had reservations and prospects before the workspace
// existed is taken as known (no flood of old events); afterwards each fact is recorded once, even
// with two instances sweeping at the same time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import { createLogger } from '../../src/logger.js';
import { SalesWatch } from '../../src/sales/watch.js';
import { freshDatabase, testProviders, type TestDatabase } from '../support/db.js';
import { createBox } from '../support/network-fixture.js';

describe.each(testProviders())('sales watch on %s', (provider) => {
  let t: TestDatabase;
  let box: { boxId: string; projectId: string; splitterIds: string[] };
  const now = () => new Date('2026-12-01T13:00:00Z');
  const watch = () =>
    new SalesWatch({
      db: t.db,
      now,
      logger: createLogger('silent'),
      expiringWithinMs: 86_400_000,
      onEvents: () => {},
    });

  const reserve = async (code: string, port: number) => {
    const id = newId();
    await t.db.ftthClient.create({
      data: {
        id,
        code,
        name: `Cliente ${code}`,
        reservedBy: 'conecteai',
        reservationExpiresAt: new Date('2026-12-08T13:00:00Z'),
      },
    });
    await t.db.property.create({
      data: {
        id: newId(),
        projectId: box.projectId,
        clientId: id,
        boxId: box.boxId,
        splitterId: box.splitterIds[0]!,
        port,
      },
    });
    return id;
  };

  beforeAll(async () => {
    t = await freshDatabase(provider);
    box = await createBox(t.db, { splitters: [{ ratio: 16 }] });
    for (let i = 1; i <= 5; i++) await reserve(`OLD-${i}`, i);
    await t.db.prospect.create({ data: { id: newId(), name: 'Antigo' } });
  });
  afterAll(async () => t?.drop());

  it('takes what was there before as known, then records each new fact once', async () => {
    const a = watch();
    const b = watch();
    await a.baseline();
    expect(await a.sweep()).toBe(0);
    expect(await t.db.salesReservationWatch.count()).toBe(5);
    expect(await t.db.salesEvent.count()).toBe(0);

    const id = await reserve('NEW-1', 6);
    await t.db.prospect.create({ data: { id: newId(), name: 'Novo' } });
    // Two instances notice at once: one event per fact.
    const [x, y] = await Promise.all([a.sweep(), b.sweep()]);
    expect(x + y).toBe(2);
    const events = await t.db.salesEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(events.map((e) => [e.type, e.subjectKey])).toEqual([
      ['reservation.created', `reservation:${id}`],
      ['prospect.created', expect.stringMatching(/^prospect:/)],
    ]);
    // An old reservation confirmed now is news.
    const old = await t.db.ftthClient.findUniqueOrThrow({ where: { code: 'OLD-1' } });
    await t.db.ftthClient.update({ where: { id: old.id }, data: { implanted: true } });
    await Promise.all([a.sweep(), b.sweep()]);
    expect(await t.db.salesEvent.count({ where: { type: 'reservation.confirmed' } })).toBe(1);
  });

  it('once stopped (a shutdown), hints start no sweep and tell the outbox nothing', async () => {
    let told = 0;
    const w = new SalesWatch({
      db: t.db,
      now,
      logger: createLogger('silent'),
      expiringWithinMs: 86_400_000,
      onEvents: () => void told++,
    });
    await w.baseline();
    await reserve('AFTER-STOP', 9);
    const before = await t.db.salesEvent.count();
    w.stop();
    w.changed();
    await w.settle();
    expect(told).toBe(0);
    expect(await t.db.salesEvent.count()).toBe(before);
    // a running instance's next sweep still records it
    expect(await watch().sweep()).toBeGreaterThan(0);
  });
});
