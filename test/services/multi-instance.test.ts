import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { createBox } from '../support/network-fixture.js';

// Two instances of the service on one PostgreSQL database and one Redis, as in production.
describe.runIf(process.env.TEST_POSTGRES_URL && process.env.TEST_REDIS_URL)('two instances', () => {
  let database: TestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  const point = { lat: -23.4253, lng: -51.9386 };

  beforeAll(async () => {
    database = await freshDatabase('postgresql');
    await createBox(database.db, {
      name: 'CTO-COMPARTILHADA',
      lat: point.lat + 0.0003,
      lng: point.lng,
      splitters: [{ ratio: 2 }],
    });
    const config = loadConfig({
      DATABASE_URL: database.url,
      REDIS_URL: process.env.TEST_REDIS_URL,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DEMO_NETWORK: 'off',
    });
    a = await startServer(config, createLogger('silent'), { jobs: false });
    b = await startServer(config, createLogger('silent'), { jobs: false });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await database.drop();
  });

  async function eventually(check: () => boolean): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('the other instance did not catch up');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('sees a reservation made by the other instance', async () => {
    expect(b.ctx.viability.check(point).boxes[0]?.availability).toBe(2);
    await a.ctx.reservations.reserve({
      clientCode: 'MI-1',
      client: { name: 'Cliente A' },
      point,
      target: { kind: 'nearest' },
      reservedBy: 'test',
      expiresInDays: 7,
    });
    await eventually(() => b.ctx.viability.check(point).boxes[0]?.availability === 1);
    // And B's next reservation takes the last port, not the one A holds.
    const second = await b.ctx.reservations.reserve({
      clientCode: 'MI-2',
      client: {},
      point,
      target: { kind: 'nearest' },
      reservedBy: 'test',
      expiresInDays: 7,
    });
    expect(second.port).toBe(2);
    await eventually(() => a.ctx.viability.check(point).viable === false);
  });

  it('sees boxes the other instance moved or removed', async () => {
    const box = await createBox(a.ctx.db, {
      name: 'CTO-NOVA',
      lat: point.lat - 0.0004,
      lng: point.lng,
    });
    await a.ctx.network.boxesChanged([box.boxId]);
    await eventually(() => b.ctx.viability.check(point).boxes.some((x) => x.name === 'CTO-NOVA'));
    await a.ctx.db.box.update({ where: { id: box.boxId }, data: { draft: true } });
    await a.ctx.network.boxesChanged([box.boxId]);
    await eventually(() =>
      b.ctx.viability
        .check(point)
        .refused.some((x) => x.name === 'CTO-NOVA' && x.reason === 'draft'),
    );
  });
});
