/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON; the assertions check them */
// Many instances, one service: three processes on one PostgreSQL database and one Redis, behind a
// round-robin proxy, as a provider runs them behind a load balancer. Loopback only; every wait is
// bounded.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import type { Db } from '../../src/ozmap-model/db/client.js';
import { startFakeWhatsApp, type FakeWhatsApp } from '../support/fake-whatsapp.js';
import { createBox } from '../support/network-fixture.js';
import type { Json } from '../support/server.js';
import { Cluster, type Instance } from './cluster.js';

const HOME = { lat: -23.4253, lng: -51.9386 };
const EIGHT = { lat: -23.44, lng: -51.95 };
const SEEN = { lat: -23.41, lng: -51.92 };
const HAND = { lat: -23.45, lng: -51.9 };
const EXPIRED = 2_400;
const redisInstalled = (() => {
  try {
    execFileSync('redis-server', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Unconfirmed reservations whose expiry passed, on boxes of their own (raw batched inserts). */
async function seedExpired(db: Db, count: number): Promise<void> {
  const perBox = 16;
  const expired = new Date(Date.now() - 86_400_000).toISOString();
  for (let b = 0; b < count / perBox; b++) {
    const box = await createBox(db, {
      name: `CTO-EXP-${b}`,
      lat: -23.6 - b * 0.001,
      lng: -51.6,
      splitters: [{ ratio: perBox }],
    });
    const clients: string[] = [];
    const properties: string[] = [];
    for (let p = 1; p <= perBox; p++) {
      const client = newId();
      clients.push(
        `('${client}', 'EXP-${b}-${p}', 'Cliente ${b}-${p}', false, 'conecteai', '${expired}', now(), now())`,
      );
      properties.push(
        `('${newId()}', '${box.projectId}', '${client}', '${box.boxId}', '${box.splitterIds[0]}', ${p}, '[]', now(), now())`,
      );
    }
    await db.$executeRawUnsafe(
      `INSERT INTO "FtthClient" ("id", "code", "name", "implanted", "reservedBy", "reservationExpiresAt", "createdAt", "updatedAt") VALUES ${clients.join(',')}`,
    );
    await db.$executeRawUnsafe(
      `INSERT INTO "Property" ("id", "projectId", "clientId", "boxId", "splitterId", "port", "historyJson", "createdAt", "updatedAt") VALUES ${properties.join(',')}`,
    );
  }
}

describe.runIf(process.env.TEST_POSTGRES_URL && redisInstalled)(
  'three instances, one service',
  () => {
    let cluster: Cluster;
    let hub: FakeWhatsApp;
    let apiKey = '';
    const boxes: Record<string, string> = {};

    const api = async (base: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(base + path, {
        method,
        headers: { authorization: apiKey, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return {
        status: res.status,
        body: text ? JSON.parse(text) : null,
        servedBy: res.headers.get('x-served-by'),
      };
    };
    /** A reservation at CTO-VISTA made on one instance, through the OZmap API. */
    const reserveSeen = (base: string, code: string) =>
      api(base, 'POST', '/api/v2/properties', {
        box: boxes.seen,
        coords: [SEEN.lng, SEEN.lat],
        client: { code, name: `Cliente ${code}`, implanted: false },
        auto_connect: true,
      });
    const freePorts = async (
      instance: Instance,
      point: { lat: number; lng: number },
      name: string,
    ) => {
      const r = await api(
        instance.url,
        'GET',
        `/api/v2/ftth-viability/radius?lat=${point.lat}&lng=${point.lng}&radius=100`,
      );
      expect(r.status).toBe(200);
      const box = (r.body.boxes as Json[]).find((b) => b.name === name);
      return (box?.availability as number | undefined) ?? 0;
    };
    /** The web chat through the load balancer: each message may reach another instance. */
    const chat = (sessionId: string) => {
      const servedBy: string[] = [];
      const say = async (message: { text?: string; location?: { lat: number; lng: number } }) => {
        const res = await fetch(`${cluster.proxy.url}/chat/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            sessionId,
            messageId: randomBytes(8).toString('hex'),
            ...message,
          }),
        });
        expect(res.status).toBe(200);
        servedBy.push(res.headers.get('x-served-by') ?? '?');
        // Texts and the options of menus (structured, for channels that draw buttons).
        const { replies } = (await res.json()) as { replies: Json[] };
        return JSON.stringify(replies);
      };
      return { say, servedBy };
    };

    beforeAll(async () => {
      hub = await startFakeWhatsApp();
      cluster = await Cluster.start(
        {
          instances: 3,
          env: {
            NETWORK_SYNC_INTERVAL_SECONDS: '1',
            SCHEDULER_LEASE_SECONDS: '5',
            RESERVATION_EXPIRY_JOB_INTERVAL_SECONDS: '3600',
            WHATSAPP_ENABLED: 'true',
            WHATSAPP_LOCK_TTL_SECONDS: '3',
            WHATSAPP_STANDBY_RETRY_SECONDS: '0.5',
            FAKE_WHATSAPP_URL: hub.url,
            SECRETS_KEY: randomBytes(32).toString('base64'),
            METRICS_TOKEN: 'cluster-metrics-token-123',
          },
        },
        async ({ db }) => {
          boxes.chat = (
            await createBox(db, { name: 'CTO-CHAT', ...HOME, splitters: [{ ratio: 16 }] })
          ).boxId;
          boxes.eight = (
            await createBox(db, { name: 'CTO-OITO', ...EIGHT, splitters: [{ ratio: 8 }] })
          ).boxId;
          boxes.seen = (
            await createBox(db, { name: 'CTO-VISTA', ...SEEN, splitters: [{ ratio: 4 }] })
          ).boxId;
          await seedExpired(db, EXPIRED);
          apiKey = (await createApiKey(db, 'cluster')).key;
        },
      );
    }, 240_000);
    afterAll(async () => {
      await cluster?.close();
      await hub?.close();
    });

    it('runs a job once per schedule across instances, even when its instance is killed mid-run', async () => {
      const db = cluster.database.db;
      // Every instance ran the expiry job's slot at start; one of them got it.
      const run = await eventually(
        'the expiry job to start',
        async () =>
          (await db.jobRun.findFirst({
            where: { name: 'reservation-expiry', status: 'running' },
          })) ?? undefined,
      );
      const killedPid = Number(run.owner.split(':')[1]);
      const victim = cluster.instances.find((i) => i.pid === killedPid)!;
      expect(victim).toBeDefined();
      await eventually(
        'some reservations released',
        async () =>
          (await db.ftthClient.count({ where: { code: { startsWith: 'EXP-' } } })) < EXPIRED,
      );
      await cluster.kill(victim);
      const leftByVictim = await db.ftthClient.count({ where: { code: { startsWith: 'EXP-' } } });
      expect(leftByVictim).toBeGreaterThan(0); // killed mid-run, not after
      await cluster.spawn(); // the load balancer gets its third instance back

      // Its lease lapses; another instance takes the slot over and finishes it.
      const done = await eventually(
        'the slot to be taken over and finished',
        async () =>
          (await db.jobRun.findFirst({
            where: { name: 'reservation-expiry', slot: run.slot, status: 'succeeded' },
          })) ?? undefined,
        150_000,
      );
      expect(done.owner).not.toBe(run.owner);
      expect(await db.jobRun.count({ where: { name: 'reservation-expiry', slot: run.slot } })).toBe(
        1,
      );
      expect(await db.ftthClient.count({ where: { code: { startsWith: 'EXP-' } } })).toBe(0);
      expect(
        await db.property.count({ where: { box: { name: { startsWith: 'CTO-EXP-' } } } }),
      ).toBe(0);
      // Nothing released twice: the instance that took over released exactly what was left (a
      // run logs its releases when it ends, so the killed one logged none).
      const releasedLines = () =>
        cluster.instances.flatMap((i) =>
          i
            .logs()
            .filter((l) => l.msg === 'reservation released')
            .map((l) => String(l.clientCode)),
        );
      // The log lines travel through a pipe: give them a moment to land in the files.
      const released = await eventually('the release log lines', () => {
        const lines = releasedLines();
        return lines.length >= leftByVictim ? lines : undefined;
      });
      expect(new Set(released).size).toBe(released.length);
      expect(released.length).toBe(leftByVictim);
    }, 200_000);

    it('a chat started on one instance finishes on the others', async () => {
      const { say, servedBy } = chat('web-cluster-1');
      expect(await say({ text: 'oi' })).toMatch(/Consultar disponibilidade/);
      expect(await say({ text: '1' })).toMatch(/localização/);
      expect(await say({ location: HOME })).toMatch(/Quer reservar/);
      expect(await say({ text: 'sim' })).toMatch(/endereço da instalação/);
      expect(await say({ text: 'Avenida Brasil, 1450, apto 3' })).toMatch(/nome completo/);
      expect(await say({ text: 'Maria Souza' })).toMatch(/telefone/);
      expect(await say({ text: '(44) 99999-0000' })).toMatch(/CPF/);
      expect(await say({ text: '529.982.247-25' })).toMatch(/e-mail/);
      expect(await say({ text: 'maria@example.com' })).toMatch(/Confira seus dados/);
      expect(await say({ text: 'sim' })).toMatch(/sua instalação está reservada/);
      expect(new Set(servedBy).size).toBe(3);
      expect(
        await cluster.database.db.ftthClient.count({ where: { reservedBy: 'chatbot:web' } }),
      ).toBe(1);
    });

    it('a reservation made on one instance is seen by viability on the others at once', async () => {
      const [a, b, c] = cluster.alive();
      for (const i of [a!, b!, c!]) expect(await freePorts(i, SEEN, 'CTO-VISTA')).toBe(4);
      expect((await reserveSeen(a!.url, 'VISTA-1')).status).toBe(201);
      // The broadcast has usually arrived before the next request; allow it a second at most.
      const started = Date.now();
      for (const i of [b!, c!])
        await eventually(
          `${i.name} to see the taken port`,
          async () => (await freePorts(i, SEEN, 'CTO-VISTA')) === 3,
          1_000,
        );
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('200 concurrent reservations across instances on 8 free ports: exactly 8', async () => {
      const attempts = Array.from({ length: 200 }, (_, n) =>
        api(cluster.proxy.url, 'POST', '/api/v2/properties', {
          box: boxes.eight,
          coords: [EIGHT.lng, EIGHT.lat],
          client: { code: `RACE-${n}`, name: `Corredor ${n}`, implanted: false },
          auto_connect: true,
        }),
      );
      const results = await Promise.all(attempts);
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(8);
      expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
      expect(new Set(results.map((r) => r.servedBy)).size).toBe(3);
      const ports = await cluster.database.db.property.findMany({
        where: { boxId: boxes.eight, port: { not: null } },
        select: { port: true, clientId: true },
      });
      expect(ports.map((p) => p.port).sort((x, y) => x! - y!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      // No half-written record: no client of a refused attempt was left behind.
      expect(
        await cluster.database.db.ftthClient.count({ where: { code: { startsWith: 'RACE-' } } }),
      ).toBe(8);
      for (const i of cluster.alive())
        await eventually(
          `${i.name} to see the box full`,
          async () => (await freePorts(i, EIGHT, 'CTO-OITO')) === 0,
          3_000,
        );
    }, 60_000);

    it('every instance sees a box added with SQL by hand, within the sync interval', async () => {
      const db = cluster.database.db;
      const box = await createBox(db, { name: 'CTO-SQL', ...HAND, splitters: [{ ratio: 2 }] });
      await db.$executeRawUnsafe(
        `UPDATE "Box" SET "name" = 'CTO-SQL-NOVA' WHERE "id" = '${box.boxId}'`,
      );
      for (const i of cluster.alive())
        await eventually(
          `${i.name} to see the hand-made box`,
          async () => (await freePorts(i, HAND, 'CTO-SQL-NOVA')) === 2,
          5_000,
        );
    });

    it('one WhatsApp socket across instances; when its owner is killed another takes over in bounded time', async () => {
      const session = 'default';
      const owner = await eventually('a WhatsApp owner', () => hub.current(session));
      const ownerInstance = cluster.alive().find((i) => i.name === owner.instance)!;
      expect(ownerInstance).toBeDefined();
      // /ready: the owner is up, the others stand by.
      for (const i of cluster.alive()) {
        const ready = (await api(i.url, 'GET', '/ready')).body;
        expect(ready.channels.whatsapp.status).toBe(i === ownerInstance ? 'up' : 'standby');
      }
      expect(hub.deliver(session, '5544988887777@s.whatsapp.net', 'oi')).toBe(true);
      await eventually('the bot to answer on WhatsApp', () =>
        hub.sent.some(
          (s) => s.instance === owner.instance && /Consultar disponibilidade/.test(s.text ?? ''),
        ),
      );

      await cluster.kill(ownerInstance);
      const killedAt = Date.now();
      const next = await eventually(
        'another instance to connect',
        () => {
          const c = hub.current(session);
          return c && c.instance !== owner.instance ? c : undefined;
        },
        15_000,
      );
      // Lock TTL (3 s) + standby retry (0.5 s), with slack for a busy machine.
      expect(next.openedAt - killedAt).toBeLessThan(8_000);
      // Never two sockets at once: no connection was ever replaced by another.
      expect(hub.connections.filter((c) => c.closedBy === 'replaced')).toEqual([]);
      // The conversation goes on with the new owner (state is in Redis).
      expect(hub.deliver(session, '5544988887777@s.whatsapp.net', '1')).toBe(true);
      await eventually('the new owner to answer', () =>
        hub.sent.some((s) => s.instance === next.instance && /localização/.test(s.text ?? '')),
      );
      await cluster.spawn();
    }, 60_000);

    it('a FindME location confirmed on an instance without the WhatsApp socket reaches the customer', async () => {
      const session = 'default';
      const owner = hub.current(session)!;
      const customer = '5544988887777@s.whatsapp.net';
      // The last answer (after "1") carried the FindME link.
      const linkText = [...hub.sent]
        .reverse()
        .find((s) => s.jid === customer && /\/findme\//.test(s.text ?? ''));
      const token = decodeURIComponent(/\/findme\/([^\s]+)/.exec(linkText!.text!)![1]!);
      const standby = cluster.alive().find((i) => i.name !== owner.instance)!;
      const sentBefore = hub.sent.length;
      const confirm = await fetch(`${standby.url}/findme/api/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, ...HOME }),
      });
      expect(confirm.status).toBe(200);
      const answer = await eventually('the owner to send the hand-back', () =>
        hub.sent.slice(sentBefore).find((s) => s.jid === customer),
      );
      // The point confirmed on the map is answered to the customer by the socket's owner.
      expect(answer.instance).toBe(owner.instance);
      expect(answer.text).not.toMatch(/Desculpe/);
    }, 30_000);

    it('an instance killed mid-conversation: the conversation continues on another', async () => {
      const { say, servedBy } = chat('web-cluster-kill');
      expect(await say({ text: 'oi' })).toMatch(/Consultar disponibilidade/);
      expect(await say({ text: '1' })).toMatch(/localização/);
      const last = cluster.alive().find((i) => i.url === servedBy.at(-1))!;
      await cluster.kill(last);
      expect(await say({ location: HOME })).toMatch(/Quer reservar/);
      expect(await say({ text: 'sim' })).toMatch(/endereço da instalação/);
      expect(servedBy.slice(2)).not.toContain(last.url);
      await cluster.spawn();
    }, 60_000);

    it('Redis restarted: instances say so, reconnect, resync the index, and conversations survive', async () => {
      const { say } = chat('web-cluster-redis');
      expect(await say({ text: 'oi' })).toMatch(/Consultar disponibilidade/);
      expect(await say({ text: '1' })).toMatch(/localização/);
      const [a, b] = cluster.alive();

      await cluster.redis.down();
      for (const i of cluster.alive())
        await eventually(`${i.name} /ready to fail`, async () => {
          const r = await api(i.url, 'GET', '/ready');
          return r.status === 503 && r.body.redis.status === 'down';
        });
      // A port taken while Redis is down: the broadcast is lost...
      expect((await reserveSeen(a!.url, 'VISTA-2')).status).toBe(201);
      // ...and the other instance still catches up, from the change log.
      await eventually(
        `${b!.name} to catch up without Redis`,
        async () => (await freePorts(b!, SEEN, 'CTO-VISTA')) === 2,
        5_000,
      );

      await cluster.redis.up();
      for (const i of cluster.alive())
        await eventually(
          `${i.name} /ready to recover`,
          async () => (await api(i.url, 'GET', '/ready')).status === 200,
          15_000,
        );
      // The conversation kept in Redis (append-only file) goes on where it was.
      expect(await say({ location: SEEN })).toMatch(/Quer reservar/);
      // Broadcasts flow again: a change on one instance reaches the others quickly.
      expect((await reserveSeen(b!.url, 'VISTA-3')).status).toBe(201);
      for (const i of cluster.alive())
        await eventually(
          `${i.name} to see it`,
          async () => (await freePorts(i, SEEN, 'CTO-VISTA')) === 1,
          3_000,
        );
    }, 90_000);
  },
);
