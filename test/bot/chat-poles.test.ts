/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON; the assertions check them */
// The chatbot's viability settings (the "chatbot" integration profile) through the web chat on
// the assembled server: pole mode, access distance, drop length, port policies, communities.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testProviders } from '../support/db.js';
import { startTestServer, type Json, type TestServer } from '../support/server.js';
import { create } from '../ozmap-api/fixtures.js';

const LAT_S = -23.43;
const LNG0 = -51.95;
const at = (north: number, east: number) => ({
  lat: LAT_S + north / 111_195,
  lng: LNG0 + east / (111_195 * Math.cos((LAT_S * Math.PI) / 180)),
});
// Customer 22 m south of the south street; a box across the stream 142 m away in a straight
// line (but ~1 km by the only bridge); a box 200 m along the street.
const HOME = at(-22, 0);

describe.each(testProviders())('chatbot viability settings on %s', (provider) => {
  let server: TestServer;
  let projectId: string;
  let session = 0;

  const post = async (sessionId: string, body: Record<string, unknown>) => {
    const res = await fetch(`${server.url}/chat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, ...body }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { replies: Json[] }).replies
      .map((r) => String(r.text ?? ''))
      .join('\n');
  };
  /** A new conversation up to the coverage answer for `point`. */
  const coverage = async (point: { lat: number; lng: number }) => {
    const id = `chat-poles-${++session}`;
    await post(id, { text: 'oi' });
    await post(id, { text: '1' });
    return { id, text: await post(id, { location: point }) };
  };
  /** From a viable answer to a reservation; returns the reserved property. */
  const reserve = async (id: string) => {
    await post(id, { text: 'sim' });
    await post(id, { text: 'Rua das Flores, 100' });
    await post(id, { text: 'Maria Souza' });
    await post(id, { text: '(44) 99999-0000' });
    await post(id, { text: '529.982.247-25' });
    await post(id, { text: 'maria@example.com' });
    expect(await post(id, { text: 'sim' })).toMatch(/sua instalação está reservada/);
    const client = await server.ctx.db.ftthClient.findFirstOrThrow({
      where: { reservedBy: 'chatbot:web', reservationMetaJson: { contains: id } },
      include: { property: { include: { box: true } } },
    });
    // Free the CPF for the next test's reservation.
    await server.ctx.db.ftthClient.update({ where: { id: client.id }, data: { document: null } });
    return client.property!;
  };
  const profile = (settings: Record<string, unknown>) =>
    server.ctx.integrations.update('chatbot', settings);

  beforeAll(async () => {
    server = await startTestServer(provider);
    projectId = (await create(server, 'projects', { name: 'Maringá' })).id;
    const type = await create(server, 'splitter-types', {
      code: '1x8',
      isDrop: true,
      ratio: { input: 1, output: 8 },
    });
    const pole = async (p: { lat: number; lng: number }) =>
      (await create(server, 'poles', { project: projectId, coords: [p.lng, p.lat] })).id as string;
    const south: string[] = [];
    const north: string[] = [];
    for (let i = 0; i < 12; i++) {
      south.push(await pole(at(0, i * 40)));
      north.push(await pole(at(120, i * 40)));
      if (i > 0) {
        await create(server, 'spans', { poles: [south[i - 1], south[i]] });
        await create(server, 'spans', { poles: [north[i - 1], north[i]] });
      }
    }
    await create(server, 'spans', { poles: [south[10], north[10]] });
    for (const [name, p, spot] of [
      ['CTO-OUTRO-LADO', north[0]!, at(120, 1)],
      ['CTO-RUA', south[5]!, at(1, 200)],
    ] as const) {
      const box = await create(server, 'boxes', {
        project: projectId,
        name,
        pole: p,
        coords: [spot.lng, spot.lat],
        implanted: true,
        hierarchyLevel: 0,
      });
      await create(server, 'splitters', { parent: box.id, splitterType: type.id });
    }
    await server.ctx.integrations.create({ name: 'chatbot', kind: 'generic' });
  });
  afterAll(async () => server.close());

  it('uses radius mode until its profile says poles, then routes along the poles', async () => {
    const radius = await coverage(HOME);
    expect(radius.text).toMatch(/Ótima notícia/);
    const first = await reserve(radius.id);
    expect(first.box?.name).toBe('CTO-OUTRO-LADO'); // nearest in a straight line, across the stream

    await profile({ viabilityMode: 'poles', maxDropLength: 150 });
    // ~205 m along the poles to CTO-RUA, over the 150 m the bot's profile allows.
    expect((await coverage(HOME)).text).toMatch(/ainda não temos fibra/);
    await profile({ maxDropLength: 300 });
    const poles = await coverage(HOME);
    expect(poles.text).toMatch(/Ótima notícia/);
    const second = await reserve(poles.id);
    expect(second.box?.name).toBe('CTO-RUA'); // not the box across the stream
    // The access distance: with 10 m no pole is near enough to start a drop.
    await profile({ poleAccessDistance: 10 });
    expect((await coverage(HOME)).text).toMatch(/ainda não temos fibra/);
    await profile({ poleAccessDistance: null, viabilityMode: null, maxDropLength: null });
  });

  it('shows the drop route on the FindME page answer in pole mode', async () => {
    await profile({ viabilityMode: 'poles' });
    try {
      const id = `chat-poles-${++session}`;
      await post(id, { text: 'oi' });
      const res = await fetch(`${server.url}/chat/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId: id, text: '1' }),
      });
      const replies = ((await res.json()) as { replies: Json[] }).replies;
      const link = replies.find((r) => r.kind === 'request-location')!.findmeUrl as string;
      const token = decodeURIComponent(link.split('/findme/')[1]!);
      const confirmed = await fetch(`${server.url}/findme/api/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, ...HOME }),
      });
      const body = await confirmed.json();
      expect(body.viable).toBe(true);
      expect(body.route[0]).toEqual([HOME.lng, HOME.lat]);
      expect(body.route.length).toBeGreaterThan(3);
      expect(body.routeLength).toBeGreaterThan(150);
      expect(JSON.stringify(body)).not.toMatch(/CTO-/); // no box names reach the customer
    } finally {
      await profile({ viabilityMode: null });
    }
  });

  it('takes vacant-property and blocked ports when its profile counts them free', async () => {
    // A box 2 km away whose two ports are a vacant property's and a blocked one.
    const spot = at(0, 2000);
    const box = await create(server, 'boxes', {
      project: projectId,
      name: 'CTO-CHEIA',
      coords: [spot.lng, spot.lat],
      implanted: true,
      hierarchyLevel: 0,
    });
    const type = await create(server, 'splitter-types', {
      code: '1x2',
      isDrop: true,
      ratio: { input: 1, output: 2 },
    });
    const splitter = await create(server, 'splitters', {
      parent: box.id,
      splitterType: type.id,
      ports: [
        { index: 1, blocked: false },
        { index: 2, blocked: true },
      ],
    });
    await create(server, 'properties', { box: box.id, connector: splitter.id, port: 1 });
    const customer = at(-30, 2000);
    expect((await coverage(customer)).text).toMatch(/ainda não temos fibra/);
    await profile({ propertyPortsAsFree: true });
    const vacant = await coverage(customer);
    expect(vacant.text).toMatch(/Ótima notícia/);
    expect((await reserve(vacant.id)).port).toBe(1);
    expect((await coverage(customer)).text).toMatch(/ainda não temos fibra/);
    await profile({ blockedPortsAsFree: true });
    const blocked = await coverage(customer);
    expect(blocked.text).toMatch(/Ótima notícia/);
    expect((await reserve(blocked.id)).port).toBe(2);
    await profile({ propertyPortsAsFree: null, blockedPortsAsFree: null });
  });

  it('serves a gated community only from its own boxes when its profile says so', async () => {
    const c = at(0, 5000);
    const ring = [
      [-100, -100],
      [100, -100],
      [100, 100],
      [-100, 100],
      [-100, -100],
    ].map(([n, e]) => {
      const p = at(n!, 5000 + e!);
      return [p.lng, p.lat];
    });
    await create(server, 'horizontal-condominiums', {
      project: projectId,
      name: 'Condomínio Vila Verde',
      polygon: { type: 'Polygon', coordinates: [ring] },
    });
    // The only box near is outside the wall, 150 m from the resident.
    const outside = at(0, 5150);
    const box = await create(server, 'boxes', {
      project: projectId,
      name: 'CTO-FORA',
      coords: [outside.lng, outside.lat],
      implanted: true,
      hierarchyLevel: 0,
    });
    const type = await create(server, 'splitter-types', {
      code: '1x4',
      isDrop: true,
      ratio: { input: 1, output: 4 },
    });
    await create(server, 'splitters', { parent: box.id, splitterType: type.id });
    expect((await coverage(c)).text).toMatch(/Ótima notícia/);
    await profile({ horizontalCondos: true });
    try {
      expect((await coverage(c)).text).toMatch(/ainda não temos fibra/);
    } finally {
      await profile({ horizontalCondos: null });
    }
  });
});
