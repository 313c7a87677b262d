/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON; the assertions check them */
// The seed's promise end to end, through the assembled server: a customer reserves a port in the
// web chat; the sale is closed in SGP (same CPF, status Novo); the SGP cycle adopts the
// reservation instead of creating a second client, implants it, and the reservation expiry job
// no longer releases it, while it does release a chat reservation nobody confirmed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { createBox } from '../support/network-fixture.js';
import { testProviders } from '../support/db.js';
import { SgpSimulator } from '../support/sgp-simulator.js';
import { api, startTestServer, type Json, type TestServer } from '../support/server.js';

const home = { lat: -23.4253, lng: -51.9386 };
const DAY = 86_400_000;

describe.each(testProviders())('a chat reservation confirmed by SGP on %s', (provider) => {
  const clock = { now: new Date('2026-03-10T15:00:00Z') };
  let server: TestServer;
  let sim: SgpSimulator;
  let admin: { url: string; apiKey: string };

  beforeAll(async () => {
    server = await startTestServer(provider, {}, { now: () => clock.now });
    sim = await SgpSimulator.start();
    sim.today = '2026-03-10';
    await server.ctx.integrations.ensureBindable('admin');
    admin = { url: server.url, apiKey: (await createApiKey(server.ctx.db, 'ops', 'admin')).key };
    const box = await createBox(server.ctx.db, {
      name: 'CTO-VILA-7',
      lat: home.lat + 0.0004,
      lng: home.lng,
    });
    await server.ctx.network.boxesChanged([box.boxId]);
  });
  afterAll(async () => {
    await server.close();
    await sim.close();
  });

  async function chat(sessionId: string, body: Record<string, unknown>): Promise<string> {
    const res = await fetch(`${server.url}/chat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, ...body }),
    });
    expect(res.status).toBe(200);
    const { replies } = (await res.json()) as { replies: Json[] };
    return replies.map((r) => String(r.text ?? '')).join('\n');
  }

  /** A customer reserving through the web chat, as in the bot's own end-to-end test. */
  async function reserveInChat(sessionId: string, name: string, cpf: string): Promise<string> {
    await chat(sessionId, { text: 'oi' });
    await chat(sessionId, { text: '1' });
    expect(await chat(sessionId, { location: home })).toMatch(/Quer reservar/);
    expect(await chat(sessionId, { text: 'sim' })).toMatch(/endereço da instalação/);
    await chat(sessionId, { text: 'Rua das Flores, 120' });
    await chat(sessionId, { text: name });
    await chat(sessionId, { text: '(44) 99999-0000' });
    await chat(sessionId, { text: cpf });
    expect(await chat(sessionId, { text: 'cliente@example.com' })).toMatch(/Confira seus dados/);
    const done = await chat(sessionId, { text: 'sim' });
    expect(done).toMatch(/sua instalação está reservada/);
    return done;
  }

  it('adopts the reservation, implants it, and the expiry job leaves it alone', async () => {
    await reserveInChat('session-maria-01', 'Maria Souza', '529.982.247-25');
    await reserveInChat('session-joao-002', 'João Lima', '111.444.777-35');
    const reserved = await server.ctx.db.ftthClient.findFirstOrThrow({
      where: { document: '52998224725' },
      include: { property: true },
    });
    expect(reserved).toMatchObject({ implanted: false, reservedBy: 'chatbot:web' });
    expect(reserved.reservationExpiresAt?.getTime()).toBe(clock.now.getTime() + 7 * DAY);

    // The sale is closed in SGP the next day: a new contract, same CPF, status Novo, at the
    // CTO and port the reservation holds.
    clock.now = new Date(clock.now.getTime() + DAY);
    sim.addContract({
      contractId: 77001,
      name: 'MARIA SOUZA',
      document: '529.982.247-25',
      status: 6,
      statusText: 'Novo',
      cto: 'CTO-VILA-7',
      port: reserved.property!.port!,
      lat: home.lat,
      lng: home.lng,
    });
    expect(
      (
        await api(admin, 'POST', '/admin/integrations', {
          name: 'sgp-provedor',
          kind: 'sgp',
          url: sim.url,
          token: sim.token,
          app: sim.app,
        })
      ).status,
    ).toBe(201);
    const started = await api(admin, 'POST', '/admin/sync-runs', {
      integration: 'sgp-provedor',
      only: 'create',
    });
    expect(started.status).toBe(202);
    let run: Json;
    for (let i = 0; i < 400; i++) {
      run = (await api(admin, 'GET', `/admin/sync-runs/${started.body.runId as string}`)).body;
      if (run.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(run).toMatchObject({
      status: 'succeeded',
      counts: { adopted: 1, implanted: 1, created: 0 },
    });
    expect(run.items[0]).toMatchObject({
      itemId: '77001',
      outcome: 'adopted',
      message: expect.stringMatching(
        /^reservation CHAT-\w+ \(chatbot:web\) adopted: its code is now 77001$/,
      ),
    });

    const adopted = await server.ctx.db.ftthClient.findUniqueOrThrow({
      where: { code: '77001' },
      include: { property: true },
    });
    expect(adopted).toMatchObject({
      id: reserved.id,
      implanted: true,
      name: 'MARIA SOUZA',
      reservationExpiresAt: null,
      property: { id: reserved.property!.id, port: reserved.property!.port },
    });
    // One customer, one client, one port.
    expect(await server.ctx.db.ftthClient.count({ where: { document: '52998224725' } })).toBe(1);

    // Past the chat reservations' 7 days, the expiry job runs: João's reservation (no contract)
    // is released, Maria's (adopted by the contract) stays.
    clock.now = new Date(clock.now.getTime() + 10 * DAY);
    expect(await server.ctx.jobs.runNow('reservation-expiry')).toBe('ran');
    expect(await server.ctx.db.ftthClient.count({ where: { document: '11144477735' } })).toBe(0);
    expect(await server.ctx.db.ftthClient.findUnique({ where: { code: '77001' } })).not.toBeNull();
    // The sales team sees it as the contract, implanted, through the API.
    const filter = encodeURIComponent(
      JSON.stringify([{ property: 'code', operator: '=', value: '77001' }]),
    );
    const listed = await api(server, 'GET', `/api/v2/ftth-clients?filter=${filter}`);
    expect(listed.body.rows).toMatchObject([
      { code: '77001', implanted: true, reservedBy: 'chatbot:web' },
    ]);
  });
});
