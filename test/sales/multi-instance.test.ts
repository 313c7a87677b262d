// Two instances on one PostgreSQL database and one Redis, as behind a load balancer: a session
// made on one works on the other, login throttling counts on both, and a reservation made on one
// reaches the live feed of a page connected to the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { createBox } from '../support/network-fixture.js';
import { HOME, PASSWORD } from './harness.js';

describe.runIf(process.env.TEST_POSTGRES_URL && process.env.TEST_REDIS_URL)(
  'sales workspace on two instances',
  () => {
    let database: TestDatabase;
    let a: RunningServer;
    let b: RunningServer;

    beforeAll(async () => {
      database = await freshDatabase('postgresql');
      await createBox(database.db, { name: 'CTO-DUAS', lat: HOME.lat + 0.0003, lng: HOME.lng });
      const config = loadConfig({
        DATABASE_URL: database.url,
        REDIS_URL: process.env.TEST_REDIS_URL,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        DEMO_NETWORK: 'off',
        SALES_PASSWORD_COST: '10',
        SALES_LOGIN_MAX_ATTEMPTS: '3',
      });
      a = await startServer(config, createLogger('silent'), { jobs: false });
      b = await startServer(config, createLogger('silent'), { jobs: false });
      await a.sales.users.create(
        { username: 'bruno', role: 'sales', password: PASSWORD },
        { type: 'system', name: 'test' },
      );
      await a.sales.users.create(
        { username: 'carla', role: 'sales', password: PASSWORD },
        { type: 'system', name: 'test' },
      );
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await database?.drop();
    });

    const login = (server: RunningServer, username: string, password: string) =>
      fetch(`${server.url}/sales/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });

    it('a session from A works on B, and B streams what happened on A', async () => {
      const res = await login(a, 'bruno', PASSWORD);
      expect(res.status).toBe(200);
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
      expect((await fetch(`${b.url}/sales/api/session`, { headers: { cookie } })).status).toBe(200);

      const stream = await fetch(`${b.url}/sales/api/events`, { headers: { cookie } });
      expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const reader = stream.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      const read = async (pattern: RegExp) => {
        const deadline = Date.now() + 10_000;
        while (!pattern.test(text)) {
          if (Date.now() > deadline) throw new Error(`no ${pattern} in ${text}`);
          const chunk = await reader.read();
          if (chunk.done) throw new Error('stream ended');
          text += decoder.decode(chunk.value);
        }
      };
      await read(/event: ready/);
      const r = await a.ctx.reservations.reserve({
        clientCode: 'DUAS-1',
        client: { name: 'Cliente A' },
        point: HOME,
        target: { kind: 'nearest' },
        reservedBy: 'test',
        expiresInDays: 7,
      });
      await read(/event: reservation\.created/);
      expect(text).toContain(`"subjectId":"${r.clientId}"`);
      // The feed carries ids, never the customer's data.
      expect(text).not.toContain('Cliente A');
      await reader.cancel();
      // Exactly one event was recorded, though both instances watch.
      await b.sales.watch.sweep();
      expect(await database.db.salesEvent.count({ where: { type: 'reservation.created' } })).toBe(
        1,
      );
    });

    it('wrong passwords are counted across instances', async () => {
      expect((await login(a, 'carla', 'errada-1')).status).toBe(401);
      expect((await login(b, 'carla', 'errada-2')).status).toBe(401);
      expect((await login(a, 'carla', 'errada-3')).status).toBe(401);
      expect((await login(b, 'carla', PASSWORD)).status).toBe(429);
    });
  },
);
