/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON; the assertions check them */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../src/ozmap-model/api-keys.js';
import { releaseExpiredReservations } from '../../src/jobs/reservation-expiry.js';
import { newId } from '../../src/ids.js';
import { api, startTestServer, type Json, type TestServer } from '../support/server.js';
import { testProviders } from '../support/db.js';
import { createBox } from '../support/network-fixture.js';

const DAY = 86_400_000;
const home = { lat: -23.4253, lng: -51.9386 };
const east = (m: number) => ({
  lat: home.lat,
  lng: home.lng + m / (111_320 * Math.cos((home.lat * Math.PI) / 180)),
});
const square = (c: { lat: number; lng: number }, d: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [c.lng - d, c.lat - d],
      [c.lng + d, c.lat - d],
      [c.lng + d, c.lat + d],
      [c.lng - d, c.lat + d],
      [c.lng - d, c.lat - d],
    ],
  ],
});

describe.each(testProviders())('sales systems on %s', (provider) => {
  let server: TestServer;
  const clock = new Date('2026-11-02T10:00:00Z');
  const as = (apiKey: string) => ({ url: server.url, apiKey });
  let near: { boxId: string };
  let inPlan: { boxId: string };

  beforeAll(async () => {
    server = await startTestServer(provider, {}, { now: () => clock });
    const { db } = server.ctx;
    // Nearer box outside the plan's region; farther box inside it.
    near = await createBox(db, { name: 'CTO-PERTO', ...east(60) });
    inPlan = await createBox(db, {
      name: 'CTO-PLANO',
      ...east(180),
      splitters: [{ ratio: 8, taken: [1, 2] }],
    });
    const regionType = await db.regionType.create({ data: { id: newId(), name: 'Planos' } });
    await db.tag.create({ data: { id: newId(), name: 'sem-regiao' } });
    await db.region.create({
      data: {
        id: newId(),
        name: 'Zona 500 Mega',
        regionTypeId: regionType.id,
        polygonJson: JSON.stringify(square(east(180), 0.0005)),
        tags: { create: { id: newId(), name: 'plano-500mb' } },
      },
    });
    await server.ctx.network.boxesChanged([near.boxId, inPlan.boxId]);
    await server.ctx.network.regionsChanged();
  });
  afterAll(async () => server.close());

  const viability = (key: string, query: string) =>
    api(as(key), 'GET', `/api/v2/ftth-viability/radius?${query}`);
  const release = (at: Date) =>
    releaseExpiredReservations(server.ctx.db, server.ctx.network, server.ctx.logger, at);

  it('Conecte.ai: plan tags restrict viability, reservation at the chosen box, released after 7 days', async () => {
    const { key } = await createApiKey(server.ctx.db, 'Conecte.ai', 'conecteai');
    await server.ctx.integrations.ensureBindable('conecteai');
    const point = `lat=${home.lat}&lng=${home.lng}`;

    // 1. A plan with no region tags: every box in the radius counts, nearest first.
    const open = await viability(key, point);
    expect(open.status).toBe(200);
    expect(open.body.viable).toBe(true);
    expect(open.body.boxes.map((b: Json) => [b.name, b.availability])).toEqual([
      ['CTO-PERTO', 8],
      ['CTO-PLANO', 6],
    ]);

    // The OZmap response shape, field for field.
    expect(Object.keys(open.body).sort()).toEqual([
      'boxes',
      'boxes_omitted',
      'lat',
      'lng',
      'properties',
      'radius',
      'refused_boxes',
      'refused_boxes_omitted',
      'viable',
    ]);
    expect([open.body.boxes_omitted, open.body.refused_boxes_omitted]).toEqual([0, 0]);
    expect(open.body.boxes[0]).toEqual({
      distance: expect.closeTo(60, 0),
      name: 'CTO-PERTO',
      id: near.boxId,
      project: expect.stringMatching(/^[0-9a-f]{24}$/),
      lat: home.lat,
      lng: expect.closeTo(east(60).lng, 9),
      implanted: true,
      availability: 8,
      horizontal_condos: [],
    });

    // 2. The 500 Mega plan carries a region tag: only boxes inside its regions count.
    const plan = await viability(key, `${point}&tags=plano-500mb`);
    expect(plan.body.boxes.map((b: Json) => b.name)).toEqual(['CTO-PLANO']);
    expect(plan.body.refused_boxes).toEqual([
      {
        distance: expect.closeTo(60, 0),
        name: 'CTO-PERTO',
        id: near.boxId,
        project: expect.any(String),
        lat: home.lat,
        lng: expect.any(Number),
        implanted: true,
        reason: 'outside_region',
        reason_message: 'Caixa fora das regiões das tags pedidas',
      },
    ]);
    // A plan tag no region carries: nothing viable, and each box says why.
    const none = await viability(key, `${point}&tags=sem-regiao`);
    expect(none.body.viable).toBe(false);
    expect(none.body.refused_boxes.map((b: Json) => b.reason)).toEqual([
      'outside_region',
      'outside_region',
    ]);
    expect((await viability(key, `${point}&tags=nao-existe`)).status).toBe(400);

    // 3. The customer filled in name, phone, e-mail and address: reserve at the nearest viable box.
    const chosen = plan.body.boxes[0];
    const created = await api(as(key), 'POST', '/api/v2/properties', {
      box: chosen.id,
      address: 'Av. Brasil, 2000 - Zona 01, Maringá - PR',
      coords: [home.lng, home.lat],
      auto_connect: true,
      client: {
        code: 'CONECTE-1001',
        name: 'Maria da Silva',
        phone: '44999990000',
        email: 'maria@example.com',
        implanted: false,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.connections).toEqual([expect.objectContaining({ port: 3 })]);
    expect(created.body.box).toBe(inPlan.boxId);

    const byCode = await api(as(key), 'GET', '/api/v2/properties/client/CONECTE-1001');
    expect(byCode.status).toBe(200);
    expect(byCode.body[0].client).toMatchObject({ code: 'CONECTE-1001', implanted: false });
    const client = await server.ctx.db.ftthClient.findUniqueOrThrow({
      where: { code: 'CONECTE-1001' },
    });
    expect(client.reservedBy).toBe('conecteai');
    expect(client.reservationExpiresAt?.getTime()).toBe(clock.getTime() + 7 * DAY);
    expect((await viability(key, `${point}&tags=plano-500mb`)).body.boxes[0].availability).toBe(5);

    // 4. Not confirmed in 7 days: the port is freed and the reservation deleted.
    expect(await release(new Date(clock.getTime() + 6 * DAY))).toEqual([]);
    expect(
      (await release(new Date(clock.getTime() + 7 * DAY + 1000))).map((r) => r.clientCode),
    ).toEqual(['CONECTE-1001']);
    expect((await api(as(key), 'GET', '/api/v2/properties/client/CONECTE-1001')).status).toBe(404);
    expect((await viability(key, `${point}&tags=plano-500mb`)).body.boxes[0].availability).toBe(6);
  });

  it('Conecte.ai: a confirmed reservation (client set implanted) is never released', async () => {
    const { key } = await createApiKey(server.ctx.db, 'Conecte.ai 2', 'conecteai');
    const created = await api(as(key), 'POST', '/api/v2/properties', {
      box: near.boxId,
      coords: [home.lng, home.lat],
      auto_connect: true,
      client: { code: 'CONECTE-1002', name: 'João Souza' },
    });
    expect(created.status).toBe(201);
    const found = await api(as(key), 'GET', '/api/v2/properties/client/CONECTE-1002');
    const confirm = await api(as(key), 'PATCH', `/api/v2/ftth-clients/${found.body[0].client.id}`, {
      implanted: true,
    });
    expect(confirm.status).toBe(204);
    expect(await release(new Date(clock.getTime() + 60 * DAY))).toEqual([]);
    expect(
      (await api(as(key), 'GET', '/api/v2/properties/client/CONECTE-1002')).body[0].client
        .implanted,
    ).toBe(true);
  });

  it('5Hub: prospects carry the bot tags, reservations go to the nearest box and replay safely', async () => {
    await server.ctx.integrations.create({
      name: 'fivehub',
      kind: 'fivehub',
      prospectTags: ['5hub', 'sem-cobertura'],
    });
    const { key } = await createApiKey(server.ctx.db, '5Hub', 'fivehub');

    // No coverage at the customer's location: record a prospect with the bot's tags.
    const far = await viability(key, 'lat=-23.5&lng=-51.7');
    expect(far.body).toMatchObject({ viable: false, boxes: [] });
    const prospect = await api(as(key), 'POST', '/api/v2/prospects', {
      name: 'Ana Lima',
      phone: '44988887777',
      address: 'Rua das Flores, 10',
      coords: [-51.7, -23.5],
      viable: false,
    });
    expect(prospect.status).toBe(201);
    const tags = await server.ctx.db.tag.findMany({ where: { id: { in: prospect.body.tags } } });
    expect(tags.map((t) => t.name).sort()).toEqual(['5hub', 'sem-cobertura']);

    // Coverage: reserve at the nearest viable box from the customer's point alone.
    const body = {
      coords: [home.lng, home.lat],
      address: 'Av. Brasil, 1500',
      auto_connect: true,
      client: { code: '5HUB-77', name: 'Carla Dias', phone: '44977776666' },
    };
    const first = await api(as(key), 'POST', '/api/v2/properties', body);
    expect(first.status).toBe(201);
    expect(first.body.box).toBe(near.boxId);
    const again = await api(as(key), 'POST', '/api/v2/properties', body);
    expect(again.body.id).toBe(first.body.id);
    expect(await server.ctx.db.ftthClient.count({ where: { code: '5HUB-77' } })).toBe(1);
    const client = await server.ctx.db.ftthClient.findUniqueOrThrow({ where: { code: '5HUB-77' } });
    expect(client.reservedBy).toBe('fivehub');
    expect(client.reservationExpiresAt?.getTime()).toBe(clock.getTime() + 7 * DAY);
  });

  it('refuses revoked keys (401) and callers whose profile may not reserve (403), writing nothing', async () => {
    await server.ctx.integrations.create({ name: 'consulta', kind: 'generic', mayReserve: false });
    const { key } = await createApiKey(server.ctx.db, 'Só consulta', 'consulta');
    const before = await server.ctx.db.property.count();
    const forbidden = await api(as(key), 'POST', '/api/v2/properties', {
      box: near.boxId,
      auto_connect: true,
      client: { code: 'NOPE-1' },
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.message).toMatch(/not allowed to reserve/);
    expect((await viability(key, `lat=${home.lat}&lng=${home.lng}`)).status).toBe(200);

    const { key: old } = await createApiKey(server.ctx.db, 'Antiga', 'conecteai');
    await revokeApiKey(server.ctx.db, 'Antiga');
    server.ctx.apiKeys.forget();
    expect((await viability(old, `lat=${home.lat}&lng=${home.lng}`)).status).toBe(401);
    expect(await server.ctx.db.property.count()).toBe(before);
    expect(await server.ctx.db.ftthClient.findUnique({ where: { code: 'NOPE-1' } })).toBeNull();
  });

  it('uses the caller profile radius when the request gives none', async () => {
    await server.ctx.integrations.create({
      name: 'raio-curto',
      kind: 'generic',
      defaultRadiusMeters: 100,
    });
    const { key } = await createApiKey(server.ctx.db, 'Raio curto', 'raio-curto');
    const res = await viability(key, `lat=${home.lat}&lng=${home.lng}`);
    expect(res.body.radius).toBe(100);
    expect(res.body.boxes.map((b: Json) => b.name)).toEqual(['CTO-PERTO']);
    const wide = await viability(key, `lat=${home.lat}&lng=${home.lng}&radius=1000000`);
    expect(wide.body).toMatchObject({ radius: 5000, radius_capped: true });
  });
});
