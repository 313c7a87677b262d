/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON; the assertions check them */
// Sales events end to end: reservations and prospects made through the real API (and confirmed,
// released, expired behind the workspace's back) become signed webhook deliveries, checked by a
// local receiver; a receiver that is down for hours gets everything once back, in order.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { releaseExpiredReservations } from '../../src/jobs/reservation-expiry.js';
import { testProviders } from '../support/db.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { api, type Json } from '../support/server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { boxNearHome, HOME, startSalesServer, type SalesServer } from './harness.js';

const SECRET = 'segredo-compartilhado-0123';
const HOUR = 3_600_000;

async function until<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  ms = 10_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(testProviders())('sales events and webhooks on %s', (provider) => {
  let server: SalesServer;
  let receiver: WebhookReceiver;
  let telegram: FakeTelegram;
  let adminKey: string;
  let conecte: { url: string; apiKey: string };
  let endpointId: string;
  let clear: { id: string };

  beforeAll(async () => {
    receiver = await WebhookReceiver.start(SECRET);
    telegram = await FakeTelegram.start();
    server = await startSalesServer(provider, {
      WEBHOOK_TIMEOUT_SECONDS: '1',
      WEBHOOK_GIVE_UP_HOURS: '72',
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
    });
    await boxNearHome(server, 'CTO-EVENTOS', 50, 16);
    adminKey = (await createApiKey(server.ctx.db, 'ops', 'admin')).key;
    await server.ctx.integrations.ensureBindable('conecteai');
    conecte = {
      url: server.url,
      apiKey: (await createApiKey(server.ctx.db, 'Conecte.ai', 'conecteai')).key,
    };
    const admin = { url: server.url, apiKey: adminKey };
    const created = await api(admin, 'POST', '/admin/webhooks', {
      url: receiver.url,
      events: '*',
      secret: SECRET,
    });
    expect(created.status).toBe(201);
    endpointId = created.body.id;
    expect(created.body).not.toHaveProperty('secret');
    expect(created.body).not.toHaveProperty('secretSealed');
    clear = (
      await api(admin, 'POST', '/admin/webhooks', {
        url: `${receiver.url}&pii=1`,
        events: ['reservation.created'],
        secret: SECRET,
        includePii: true,
      })
    ).body;
    const tg = await api(admin, 'POST', '/admin/webhooks', {
      kind: 'telegram',
      url: '-100200300',
      events: 'reservation.created,handoff.requested',
    });
    expect(tg.status).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
    await telegram?.close();
  });
  beforeEach(() => {
    receiver.mode = 'ok';
  });

  const reserve = async (code: string, name: string) => {
    const res = await api(conecte, 'POST', '/api/v2/properties', {
      coords: [HOME.lng, HOME.lat],
      address: 'Rua das Flores, 100',
      auto_connect: true,
      client: {
        code,
        name,
        implanted: false,
        phone: '5544999990001',
        document: '52998224725',
        email: 'maria@example.com',
      },
    });
    expect(res.status).toBe(201);
    return server.ctx.db.ftthClient.findUniqueOrThrow({ where: { code } });
  };
  const deliveredFor = (clientId: string) =>
    receiver.received
      .filter(
        (r) =>
          !r.path.includes('pii=1') && (r.body.data.reservation as Json)?.clientId === clientId,
      )
      .map((r) => r.event);
  /** What the scheduled job does every 15 s, run until nothing is due. */
  const deliverAll = async () => {
    await server.sales.settle();
    await server.sales.watch.sweep();
    await server.sales.outbox.dispatch();
    await server.sales.settle();
    await server.sales.delivery.run();
    await server.sales.settle();
  };

  it('a reservation from the API reaches the receiver signed, masked, with its delivery id', async () => {
    const client = await reserve('CON-1', 'Maria Souza');
    // No sweep by hand: the reservation service's hint drives watch → outbox → delivery.
    const hit = await until('reservation.created', () =>
      receiver.received.find(
        (r) =>
          r.event === 'reservation.created' && (r.body.data.reservation as Json).code === 'CON-1',
      ),
    );
    expect(hit.verified).toBe(true);
    expect(hit.body.type).toBe('reservation.created');
    const r = hit.body.data.reservation as Json;
    expect(r).toMatchObject({
      clientId: client.id,
      code: 'CON-1',
      name: 'Maria Souza',
      reservedBy: 'conecteai',
      implanted: false,
      phone: '55 44 *****-0001',
      document: '***.982.247-**',
      email: 'm***@example.com',
      box: { name: 'CTO-EVENTOS' },
      port: 1,
    });
    expect(new Date(r.expiresAt).getTime()).toBe(server.clock.now.getTime() + 7 * 24 * HOUR);
    // The receiver sees the request before the sender has read its answer and recorded it.
    const recorded = await until('delivery recorded', async () => {
      const log = await api(
        { url: server.url, apiKey: adminKey },
        'GET',
        `/admin/webhooks/${endpointId}/deliveries`,
      );
      const rows = log.body as { id: string; status: string }[];
      const row = rows.find((d) => d.id === hit.delivery);
      return row && row.status !== 'pending' ? row : undefined;
    });
    expect(recorded).toMatchObject({
      status: 'delivered',
      attempts: 1,
      eventType: 'reservation.created',
    });
    // The endpoint made for the provider's own CRM gets the data in clear.
    const full = await until('clear copy', () =>
      receiver.received.find(
        (r) => r.delivery !== hit.delivery && (r.body.data.reservation as Json)?.code === 'CON-1',
      ),
    );
    expect(full.body.data.reservation).toMatchObject({
      phone: '5544999990001',
      document: '52998224725',
      email: 'maria@example.com',
    });
    expect(clear.id).toBeTruthy();
    // The sales team's Telegram group got a short line, without personal data.
    const line = await until('telegram line', () =>
      telegram.callsOf('sendMessage').find((c) => c.payload.chat_id === '-100200300'),
    );
    expect(line.payload.text).toMatch(
      /^🆕 Nova reserva: Maria Souza — CTO-EVENTOS, porta 1 \(conecteai\), vale até /,
    );
  });

  it('confirmation, deletion and expiry done elsewhere are noticed and sent, once each, in order', async () => {
    const a = await reserve('CON-2', 'João Lima');
    const b = await reserve('CON-3', 'Rita Alves');
    const c = await reserve('CON-4', 'Paulo Reis');
    // Confirmed by the ERP through the API, deleted by hand through the API: nobody tells sales.
    expect(
      (await api(conecte, 'PATCH', `/api/v2/ftth-clients/${a.id}`, { implanted: true })).status,
    ).toBe(204);
    expect((await api(conecte, 'DELETE', `/api/v2/ftth-clients/${b.id}`)).status).toBe(204);
    await deliverAll();
    expect(deliveredFor(a.id)).toEqual(['reservation.created', 'reservation.confirmed']);
    expect(deliveredFor(b.id)).toEqual(['reservation.created', 'reservation.released']);
    const released = receiver.received.find(
      (r) =>
        r.event === 'reservation.released' && (r.body.data.reservation as Json).clientId === b.id,
    )!;
    // The released reservation's facts survive its client: name, box and port.
    expect(released.body.data.reservation).toMatchObject({
      name: 'Rita Alves',
      box: { name: 'CTO-EVENTOS' },
    });

    // Six days later C is about to expire: one expiring event, however many sweeps.
    server.clock.advance(6 * 24 * HOUR + HOUR);
    await deliverAll();
    await deliverAll();
    expect(deliveredFor(c.id)).toEqual(['reservation.created', 'reservation.expiring']);
    // Then the expiry job releases it.
    server.clock.advance(24 * HOUR);
    const gone = await releaseExpiredReservations(
      server.ctx.db,
      server.ctx.network,
      server.ctx.logger,
      server.clock.now,
    );
    expect(gone.map((g) => g.clientCode)).toContain('CON-4');
    await deliverAll();
    expect(deliveredFor(c.id)).toEqual([
      'reservation.created',
      'reservation.expiring',
      'reservation.released',
    ]);
    const ids = receiver.received.map((r) => r.delivery);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a prospect recorded through the API is sent as prospect.created', async () => {
    const res = await api(conecte, 'POST', '/api/v2/prospects', {
      name: 'Lia Campos',
      phone: '5544988887777',
      address: 'Sítio Boa Vista',
      coords: [HOME.lng + 0.2, HOME.lat],
    });
    expect(res.status).toBe(201);
    await deliverAll();
    const hit = receiver.received.find(
      (r) => r.event === 'prospect.created' && (r.body.data.prospect as Json).name === 'Lia Campos',
    );
    expect(hit?.body.data.prospect).toMatchObject({
      phone: '55 44 *****-7777',
      address: 'Sítio Boa Vista',
    });
  });

  it('a receiver down for hours gets every event once it is back, in order per reservation', async () => {
    await receiver.down();
    const before = receiver.received.length;
    const x = await reserve('DOWN-1', 'Ana Prado');
    const y = await reserve('DOWN-2', 'Caio Prado');
    expect(
      (await api(conecte, 'PATCH', `/api/v2/ftth-clients/${x.id}`, { implanted: true })).status,
    ).toBe(204);
    expect((await api(conecte, 'DELETE', `/api/v2/ftth-clients/${y.id}`)).status).toBe(204);
    // Three hours of the job running every few minutes against a dead receiver.
    for (let i = 0; i < 18; i++) {
      await deliverAll();
      server.clock.advance(10 * 60_000);
    }
    const pending = await server.ctx.db.webhookDelivery.findMany({
      where: { endpointId, status: 'pending' },
    });
    expect(pending.length).toBeGreaterThanOrEqual(4);
    // Each run stops at the first refused connection: a few attempts, every one logged as such.
    const tried = pending.filter((d) => d.attempts > 0);
    expect(tried.length).toBeGreaterThan(0);
    expect(tried.every((d) => d.lastError?.startsWith('could not connect'))).toBe(true);
    expect(receiver.received.length).toBe(before);

    await receiver.up();
    for (
      let i = 0;
      i < 6 &&
      (await server.ctx.db.webhookDelivery.count({ where: { endpointId, status: 'pending' } })) > 0;
      i++
    ) {
      server.clock.advance(10 * 60_000);
      await deliverAll();
    }
    expect(
      await server.ctx.db.webhookDelivery.count({ where: { endpointId, status: 'pending' } }),
    ).toBe(0);
    expect(deliveredFor(x.id)).toEqual(['reservation.created', 'reservation.confirmed']);
    expect(deliveredFor(y.id)).toEqual(['reservation.created', 'reservation.released']);
    const ids = receiver.received.map((r) => r.body.id + r.delivery);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a slow receiver times out and gets the same delivery id again; a 503 is retried', async () => {
    receiver.mode = 'slow';
    receiver.slowMs = 1500;
    const z = await reserve('SLOW-1', 'Davi Lopes');
    await deliverAll();
    const first = await server.ctx.db.webhookDelivery.findFirstOrThrow({
      where: { endpointId, status: 'pending' },
      orderBy: { eventSeq: 'desc' },
    });
    expect(first.lastError).toBe('no answer within 1000 ms');
    receiver.mode = 'fail';
    server.clock.advance(15_000);
    await deliverAll();
    const second = await server.ctx.db.webhookDelivery.findUniqueOrThrow({
      where: { id: first.id },
    });
    expect(second).toMatchObject({ status: 'pending', attempts: 2, lastStatusCode: 503 });
    receiver.mode = 'ok';
    server.clock.advance(30_000);
    await deliverAll();
    await until('slow delivery', () => deliveredFor(z.id).includes('reservation.created'));
    // The slow receiver had processed the first attempt too: same delivery id, so it can dedupe.
    const copies = receiver.received.filter((r) => r.delivery === first.id);
    expect(copies.length).toBeGreaterThanOrEqual(1);
    expect(new Set(copies.map((c) => c.raw)).size).toBe(1);
  });

  it('refuses bad webhook input with the field named', async () => {
    const admin = { url: server.url, apiKey: adminKey };
    expect(
      (await api(admin, 'POST', '/admin/webhooks', { url: 'ftp://x', events: '*', secret: SECRET }))
        .body,
    ).toMatchObject({ field: 'url' });
    expect(
      (
        await api(admin, 'POST', '/admin/webhooks', {
          url: receiver.url,
          events: 'reservation.made',
          secret: SECRET,
        })
      ).body,
    ).toMatchObject({ field: 'events' });
    expect(
      (
        await api(admin, 'POST', '/admin/webhooks', {
          url: receiver.url,
          events: '*',
          secret: 'short',
        })
      ).body,
    ).toMatchObject({ field: 'secret' });
    expect(
      (
        await api(admin, 'POST', '/admin/webhooks', {
          url: receiver.url,
          events: '*',
          secret: SECRET,
        })
      ).status,
    ).toBe(201);
  });
});
