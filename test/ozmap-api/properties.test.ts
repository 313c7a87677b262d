/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON; the assertions check them */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testProviders } from '../support/db.js';
import { api, startTestServer, type TestServer, type Json } from '../support/server.js';
import { create, filterQuery, network, type Network } from './fixtures.js';

/** A tag id as OZmap's clients send it (the API stores port tags as given). */
const TAG_ID = '65f0a1b2c3d4e5f6a7b8c9d0';

describe.each(testProviders())('OZmap API properties on %s', (provider) => {
  let server: TestServer;
  let net: Network;
  const db = () => server.ctx.db;
  const counts = async () => ({
    properties: await db().property.count(),
    clients: await db().ftthClient.count(),
  });

  beforeAll(async () => {
    server = await startTestServer(provider);
    net = await network(server, { ratio: 8 });
  });
  afterAll(async () => server.close());

  it('creates a property with a nested client on the first free port (auto_connect)', async () => {
    const res = await api(server, 'POST', '/api/v2/properties', {
      box: net.boxId,
      address: 'Av. Brasil, 100',
      coords: [-51.9387, -23.4254],
      client: { code: 'C-100', name: 'Maria', implanted: false, phone: '44999990000' },
      auto_connect: true,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'Property',
      project: net.projectId,
      box: net.boxId,
      address: 'Av. Brasil, 100',
      coords: [-51.9387, -23.4254],
      lat: -23.4254,
      lng: -51.9387,
      connections: [
        { id: net.splitterId, kind: 'Splitter', port: 1, implanted: true, fiber: null },
      ],
    });
    const client = await db().ftthClient.findUniqueOrThrow({ where: { code: 'C-100' } });
    expect(res.body.client).toBe(client.id);
    expect(res.body.history.clients).toMatchObject([
      { id: client.id, code: 'C-100', exit_date: null },
    ]);

    const byCode = await api(server, 'GET', '/api/v2/properties/client/C-100');
    expect(byCode.status).toBe(200);
    expect(byCode.body).toHaveLength(1);
    expect(byCode.body[0].client).toMatchObject({
      id: client.id,
      code: 'C-100',
      name: 'Maria',
      kind: 'FTTHClient',
    });
    expect((await api(server, 'GET', '/api/v2/properties/client/NOPE')).status).toBe(404);

    const populated = await api(server, 'GET', `/api/v2/properties/${res.body.id}?populate=client`);
    expect(populated.body.client.code).toBe('C-100');
  });

  it('answers a reservation with the property exactly as reading it back shows it', async () => {
    const draft = await db().splitter.create({
      data: {
        id: 'a1b2c3d4e5f6a7b8c9d0e1f2',
        name: 'Splitter em projeto',
        boxId: net.boxId,
        projectId: net.projectId,
        splitterTypeId: (await db().splitter.findUniqueOrThrow({ where: { id: net.splitterId } }))
          .splitterTypeId,
        isDrop: true,
        implanted: false,
        ratioOut: 8,
      },
    });
    try {
      for (const [code, body] of [
        ['C-ECHO-1', { lat: -23.4254, lng: -51.9387, address: 'Rua Um, 1' }],
        ['C-ECHO-2', { box: net.boxId }],
      ] as const) {
        const made = await api(server, 'POST', '/api/v2/properties', {
          ...body,
          client: { code, name: 'Eco', implanted: false },
          auto_connect: true,
        });
        expect(made.status, JSON.stringify(made.body)).toBe(201);
        const read = await api(server, 'GET', `/api/v2/properties/${made.body.id}`);
        expect(made.body).toEqual(read.body);
      }
      // Filling the box's first splitter reaches the one not yet implanted: the answer says so.
      let last: Json = {};
      for (let i = 0; i < 16; i++) {
        const made = await api(server, 'POST', '/api/v2/properties', {
          box: net.boxId,
          client: { code: `C-FILL-${i}`, implanted: false },
          auto_connect: true,
        });
        if (made.status !== 201) break;
        last = made.body;
        if (made.body.connections[0].id === draft.id) break;
      }
      expect(last.connections).toMatchObject([{ id: draft.id, implanted: false }]);
      expect(last).toEqual((await api(server, 'GET', `/api/v2/properties/${last.id}`)).body);
    } finally {
      await db().property.deleteMany({
        where: { client: { code: { startsWith: 'C-' } }, NOT: { client: { code: 'C-100' } } },
      });
      await db().ftthClient.deleteMany({
        where: { code: { startsWith: 'C-' }, NOT: { code: 'C-100' } },
      });
      await db().splitter.delete({ where: { id: draft.id } });
    }
  });

  it('shows held ports in the splitter: connectables.output[i] is the property, null when free', async () => {
    const taken = await create(server, 'properties', {
      box: net.boxId,
      connector: net.splitterId,
      port: 5,
      client: { code: 'C-105' },
    });
    expect(taken.connections[0]).toMatchObject({ id: net.splitterId, port: 5 });
    const splitter = await api(server, 'GET', `/api/v2/splitters/${net.splitterId}`);
    expect(splitter.body).toMatchObject({
      parent: net.boxId,
      isDrop: true,
      ratio: { input: 1, output: 8 },
    });
    expect(splitter.body.ports).toHaveLength(8);
    expect(splitter.body.ports[0]).toMatchObject({ index: 1, blocked: false });
    const output = splitter.body.connectables.output;
    expect(output).toHaveLength(8);
    expect(output[4]).toBe(taken.id);
    expect(output[2]).toBeNull();
    expect(output[0]).not.toBeNull();
  });

  it('refuses a taken port (409), a port beyond the ratio (400 port) and a duplicate code (409 code), changing nothing', async () => {
    const before = await counts();
    const taken = await api(server, 'POST', '/api/v2/properties', {
      connector: net.splitterId,
      port: 5,
      client: { code: 'C-NEW' },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.message).toMatch(/port 5 .* already taken/);
    const beyond = await api(server, 'POST', '/api/v2/properties', {
      connector: net.splitterId,
      port: 9,
      client: { code: 'C-NEW' },
    });
    expect(beyond.status).toBe(400);
    expect(beyond.body).toMatchObject({ field: 'port' });
    expect(beyond.body.message).toMatch(/port 9/);
    const duplicate = await api(server, 'POST', '/api/v2/properties', {
      box: net.boxId,
      auto_connect: true,
      client: { code: 'C-100' },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ field: 'code' });
    const noPort = await api(server, 'POST', '/api/v2/properties', { connector: net.splitterId });
    expect(noPort.status).toBe(400);
    expect(noPort.body.field).toBe('port');
    const badCoords = await api(server, 'POST', '/api/v2/properties', {
      box: net.boxId,
      coords: [-51.9, -95],
    });
    expect(badCoords.status).toBe(400);
    expect(badCoords.body.message).toMatch(/coords/);
    const textCoords = await api(server, 'POST', '/api/v2/properties', {
      box: net.boxId,
      lat: 'abc',
      lng: -51.9,
    });
    expect(textCoords.status).toBe(400);
    expect(textCoords.body.message).toMatch(/^lat/);
    const badClient = await api(server, 'POST', '/api/v2/properties', {
      box: net.boxId,
      client: { code: 42 },
    });
    expect(badClient.status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('blocks a port through PATCH /splitters and then refuses it', async () => {
    const res = await api(server, 'PATCH', `/api/v2/splitters/${net.splitterId}`, {
      ports: [{ index: 8, blocked: true }],
    });
    expect(res.status).toBe(204);
    const blocked = await api(server, 'POST', '/api/v2/properties', {
      connector: net.splitterId,
      port: 8,
    });
    expect(blocked.status).toBe(409);
    expect(blocked.body.message).toMatch(/blocked/);
    // The splitter was made with no port state: port 8 got its row now, the others show open.
    const tagged = await api(server, 'PATCH', `/api/v2/splitters/${net.splitterId}`, {
      ports: [{ index: 3, blocked: false, tags: [TAG_ID], observation: 'fibra curta' }],
    });
    expect(tagged.status).toBe(204);
    const shown = await api(server, 'GET', `/api/v2/splitters/${net.splitterId}`);
    expect(shown.body.ports.map((p: { index: number }) => p.index)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect(shown.body.ports.filter((p: { blocked: boolean }) => p.blocked)).toMatchObject([
      { index: 8 },
    ]);
    expect(shown.body.ports[2]).toMatchObject({
      index: 3,
      blocked: false,
      tags: [TAG_ID],
      observation: 'fibra curta',
    });
    expect(shown.body.ports[0]).toMatchObject({ index: 1, blocked: false, tags: [] });
    const beyond = await api(server, 'PATCH', `/api/v2/splitters/${net.splitterId}`, {
      ports: [{ index: 9, blocked: true }],
    });
    expect(beyond.status).toBe(400);
    expect(beyond.body.field).toBe('ports');
  });

  it('moves, vacates and deletes: the port is freed and the client stays', async () => {
    const p = await create(server, 'properties', {
      box: net.boxId,
      auto_connect: true,
      client: { code: 'C-MOVE' },
    });
    const moved = await api(server, 'PATCH', `/api/v2/properties/${p.id}`, {
      connector: net.splitterId,
      port: 7,
      potencyRead: -21.5,
    });
    expect(moved.status).toBe(204);
    const after = await api(server, 'GET', `/api/v2/properties/${p.id}`);
    expect(after.body).toMatchObject({ potencyRead: -21.5, connections: [{ port: 7 }] });
    const vacated = await api(server, 'PATCH', `/api/v2/properties/${p.id}`, { client: null });
    expect(vacated.status).toBe(204);
    const empty = await api(server, 'GET', `/api/v2/properties/${p.id}`);
    expect(empty.body.client).toBeNull();
    expect(empty.body.history.clients[0].exit_date).not.toBeNull();
    expect((await api(server, 'DELETE', `/api/v2/properties/${p.id}`)).status).toBe(204);
    expect((await api(server, 'GET', `/api/v2/properties/${p.id}`)).status).toBe(404);
    expect(await db().property.count({ where: { splitterId: net.splitterId, port: 7 } })).toBe(0);
    expect(await db().ftthClient.count({ where: { code: 'C-MOVE' } })).toBe(1);
  });

  it('a reservation at the nearest box keeps every field it was sent (tags, observation, ids)', async () => {
    const own = await network(server, { ratio: 4, lat: -23.5, lng: -51.8, name: 'CTO-FIELDS' });
    const tag = await create(server, 'tags', { name: 'campanha-dezembro' });
    const res = await api(server, 'POST', '/api/v2/properties', {
      coords: [-51.80001, -23.50001],
      address: 'Rua Campos, 7',
      observation: 'portão azul',
      external_id: 'CRM-PROP-7',
      potencyRead: -19.5,
      tags: [tag.id],
      auto_connect: true,
      client: {
        code: 'C-FIELDS',
        name: 'Lia',
        implanted: false,
        external_id: 'CRM-CLI-7',
        tags: [tag.id],
        onu: { serial_number: 'ZTEG00000007' },
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      box: own.boxId,
      observation: 'portão azul',
      external_id: 'CRM-PROP-7',
      potencyRead: -19.5,
      tags: [tag.id],
      connections: [{ id: own.splitterId, port: 1 }],
    });
    const client = await db().ftthClient.findUniqueOrThrow({
      where: { code: 'C-FIELDS' },
      include: { tags: true },
    });
    expect(client).toMatchObject({
      externalId: 'CRM-CLI-7',
      onuSerial: 'ZTEG00000007',
      implanted: false,
      reservedBy: 'generic',
    });
    expect(client.tags.map((t) => t.id)).toEqual([tag.id]);
    // The index counted the port: the next nearest reservation takes port 2.
    const next = await api(server, 'POST', '/api/v2/properties', {
      coords: [-51.80001, -23.50001],
      tags: [tag.id],
      auto_connect: true,
      client: { code: 'C-FIELDS-2', implanted: false },
    });
    expect(next.body.connections).toMatchObject([{ id: own.splitterId, port: 2 }]);
  });

  it('refuses to delete a splitter whose ports are held, and a box that serves properties', async () => {
    const before = await db().splitter.count();
    const res = await api(server, 'DELETE', `/api/v2/splitters/${net.splitterId}`);
    expect(res.status).toBe(409);
    const box = await api(server, 'DELETE', `/api/v2/boxes/${net.boxId}`);
    expect(box.status).toBe(409);
    expect(await db().splitter.count()).toBe(before);
  });

  it('batch-updates clients and properties selected by a filter', async () => {
    const res = await api(server, 'POST', '/api/v2/ftth-clients/batch-update', {
      filter: [{ property: 'code', operator: 'in', value: ['C-100', 'C-105'] }],
      update: { implanted: true, status: 1 },
    });
    expect(res.status).toBe(204);
    const clients = await api(
      server,
      'GET',
      `/api/v2/ftth-clients?${filterQuery([{ property: 'implanted', operator: '=', value: true }])}`,
    );
    expect(clients.body.rows.map((c: Json) => c.code).sort()).toEqual(['C-100', 'C-105']);
    expect(clients.body.rows[0].status).toBe(1);
    const props = await api(server, 'POST', '/api/v2/properties/batch-update', {
      filter: [{ property: 'box', operator: '=', value: net.boxId }],
      update: { potencyRead: -19 },
    });
    expect(props.status).toBe(204);
    expect(await db().property.count({ where: { potencyRead: -19 } })).toBe(
      await db().property.count({ where: { boxId: net.boxId } }),
    );
    const empty = await api(server, 'POST', '/api/v2/ftth-clients/batch-update', {
      filter: [],
      update: { implanted: false },
    });
    expect(empty.status).toBe(400);
    expect(await db().ftthClient.count({ where: { implanted: true } })).toBe(2);
  });

  it('never double-books a port: 50 parallel auto_connect creations on a box with 16 free ports', async () => {
    const busy = await network(server, { ratio: 16, projectId: net.projectId, name: 'CTO-BUSY' });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api(server, 'POST', '/api/v2/properties', {
          box: busy.boxId,
          auto_connect: true,
          client: { code: `RACE-${i}`, name: `Cliente ${i}` },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(16);
    expect(statuses.filter((s) => s === 409)).toHaveLength(34);
    for (const r of results.filter((x) => x.status === 409))
      expect(r.body.message).toMatch(/no free port/);
    const held = await db().property.findMany({
      where: { splitterId: busy.splitterId },
      select: { port: true },
    });
    expect(held.map((h) => h.port).sort((a, b) => a! - b!)).toEqual(
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
    // The refused requests left no client behind.
    expect(await db().ftthClient.count({ where: { code: { startsWith: 'RACE-' } } })).toBe(16);
  });
});
