/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON; the assertions check them */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { testProviders } from '../support/db.js';
import { api, startTestServer, type TestServer } from '../support/server.js';
import { create, network, type Network } from './fixtures.js';

const SQUARE = {
  type: 'Polygon',
  coordinates: [
    [
      [-51.95, -23.44],
      [-51.92, -23.44],
      [-51.92, -23.41],
      [-51.95, -23.41],
      [-51.95, -23.44],
    ],
  ],
};

describe.each(testProviders())('OZmap API resources on %s', (provider) => {
  let server: TestServer;
  let net: Network;
  const db = () => server.ctx.db;

  beforeAll(async () => {
    server = await startTestServer(provider, { BODY_LIMIT: '20kb' });
    net = await network(server);
  });
  afterAll(async () => server.close());

  /** Every resource: POST 201, GET 200, PATCH 204, GET shows the change, DELETE 204, GET 404. */
  it.each([
    ['tags', () => ({ name: 'Fibra 1G', allowedTypes: ['box'] }), { name: 'Fibra 2G' }],
    ['box-types', () => ({ code: 'CTO-8' }), { description: 'caixa de 8' }],
    [
      'splitter-types',
      () => ({ code: '1x4', isDrop: false, ratio: { input: 1, output: 4 } }),
      { description: 'd' },
    ],
    ['region-types', () => ({ name: 'Cobertura' }), { color: 'FF0000' }],
    ['projects', () => ({ name: 'Sarandi' }), { identifier: 'SAR' }],
    ['prospects', () => ({ name: 'Lead', lat: -23.4, lng: -51.9 }), { viable: true }],
    ['ftth-clients', () => ({ code: 'K-1', name: 'Kátia' }), { name: 'Kátia S.' }],
    [
      'boxes',
      () => ({ project: net.projectId, lat: -23.43, lng: -51.94, implanted: false }),
      { draft: true },
    ],
    ['splitters', () => ({ parent: net.boxId, splitterType: net.splitterTypeId }), { label: 'A' }],
    ['properties', () => ({ box: net.boxId, address: 'Rua 1' }), { address: 'Rua 2' }],
  ] as const)(
    '%s: create 201, read, update 204, delete 204, then 404',
    async (route, body, patch) => {
      const doc = await create(server, route, body());
      expect(doc.id).toMatch(/^[0-9a-f]{24}$/);
      expect(doc._id).toBe(doc.id);
      const base = `/api/v2/${route}`;
      expect((await api(server, 'GET', `${base}/${doc.id}`)).body.id).toBe(doc.id);
      expect((await api(server, 'PATCH', `${base}/${doc.id}`, patch)).status).toBe(204);
      expect((await api(server, 'GET', `${base}/${doc.id}`)).body).toMatchObject(patch);
      expect((await api(server, 'DELETE', `${base}/${doc.id}`)).status).toBe(204);
      expect((await api(server, 'GET', `${base}/${doc.id}`)).status).toBe(404);
      expect((await api(server, 'PATCH', `${base}/${doc.id}`, patch)).status).toBe(404);
      expect((await api(server, 'DELETE', `${base}/${doc.id}`)).status).toBe(404);
      expect((await api(server, 'GET', `${base}/not-an-id`)).status).toBe(404);
    },
  );

  it('regions: polygon, tags and projects round-trip; a bad polygon is refused', async () => {
    const type = await create(server, 'region-types', { name: 'Plano' });
    const tag = await create(server, 'tags', { name: 'Região 1', allowedTypes: ['region'] });
    const region = await create(server, 'regions', {
      name: 'Centro',
      polygon: SQUARE,
      regionType: type.id,
      tags: [tag.id],
      projects: [net.projectId],
    });
    expect(region).toMatchObject({
      kind: 'Region',
      polygon: SQUARE,
      tags: [tag.id],
      projects: [net.projectId],
    });
    const before = await db().region.count();
    const bad = await api(server, 'POST', '/api/v2/regions', {
      polygon: {
        type: 'Polygon',
        coordinates: [
          [
            [-51.95, -23.44],
            [-51.92, 200],
          ],
        ],
      },
      regionType: type.id,
      tags: [],
      projects: [],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^polygon/);
    const unknownTag = await api(server, 'POST', '/api/v2/regions', {
      polygon: SQUARE,
      regionType: type.id,
      tags: ['0123456789abcdef01234567'],
      projects: [],
    });
    expect(unknownTag.status).toBe(400);
    expect(unknownTag.body.field).toBe('tags');
    expect(await db().region.count()).toBe(before);
  });

  it('refuses bad box input with 400 naming the field, and writes nothing', async () => {
    const before = await db().box.count();
    const poles = await db().pole.count();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ project: net.projectId, coords: [-51.9, -91] }, 'coords'],
      [{ project: net.projectId, coords: [181, -23] }, 'coords'],
      [{ project: net.projectId, coords: ['-51.9', '-23.4'] }, 'coords'],
      [{ project: net.projectId, lat: -23.4 }, 'lng'],
      [{ project: net.projectId, lat: 'x', lng: -51.9 }, 'lat'],
      [{ project: net.projectId }, 'coords'],
      [{ coords: [-51.9, -23.4] }, 'project'],
      [{ project: 'nope', coords: [-51.9, -23.4] }, 'project'],
      [{ project: '0123456789abcdef01234567', coords: [-51.9, -23.4] }, 'project'],
      [{ project: net.projectId, coords: [-51.9, -23.4], implanted: 'yes' }, 'implanted'],
      [{ project: net.projectId, coords: [-51.9, -23.4], hierarchyLevel: 1.5 }, 'hierarchyLevel'],
      [
        { project: net.projectId, coords: [-51.9, -23.4], tags: ['0123456789abcdef01234567'] },
        'tags',
      ],
    ];
    for (const [body, field] of cases) {
      const res = await api(server, 'POST', '/api/v2/boxes', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.field).toBe(field);
      expect(res.body.message).toContain(field);
    }
    const patch = await api(server, 'PATCH', `/api/v2/boxes/${net.boxId}`, { coords: [-51.9, 95] });
    expect(patch.status).toBe(400);
    expect((await db().box.findUniqueOrThrow({ where: { id: net.boxId } })).lat).toBeCloseTo(
      -23.4253,
    );
    expect(await db().box.count()).toBe(before);
    expect(await db().pole.count()).toBe(poles);
  });

  it('refuses an oversized body (413) and malformed JSON (400)', async () => {
    const before = await db().prospect.count();
    const big = await api(server, 'POST', '/api/v2/prospects', { name: 'x'.repeat(30_000) });
    expect(big.status).toBe(413);
    expect(big.body.message).toMatch(/larger than/);
    const malformed = await api(server, 'POST', '/api/v2/prospects', '{"name": ');
    expect(malformed.status).toBe(400);
    expect(await db().prospect.count()).toBe(before);
  });

  it('refuses duplicates with 409 naming the field', async () => {
    await create(server, 'tags', { name: 'Único' });
    const tag = await api(server, 'POST', '/api/v2/tags', { name: 'Único' });
    expect(tag.status).toBe(409);
    expect(tag.body.field).toBe('name');
    await create(server, 'ftth-clients', { code: 'DUP-1' });
    const client = await api(server, 'POST', '/api/v2/ftth-clients', { code: 'DUP-1' });
    expect(client.status).toBe(409);
    expect(client.body).toMatchObject({ field: 'code' });
    expect(await db().ftthClient.count({ where: { code: 'DUP-1' } })).toBe(1);
  });

  it('refuses deleting a splitter type in use, and splitters beyond their type', async () => {
    const res = await api(server, 'DELETE', `/api/v2/splitter-types/${net.splitterTypeId}`);
    expect(res.status).toBe(409);
    const ports = await api(server, 'POST', '/api/v2/splitters', {
      parent: net.boxId,
      splitterType: net.splitterTypeId,
      ports: [{ index: 9, blocked: true }],
    });
    expect(ports.status).toBe(400);
    expect(ports.body.field).toBe('ports');
  });

  it('system-configs: GET the singleton, PATCH defaultRadius (bounded)', async () => {
    const config = await api(server, 'GET', '/api/v2/system-configs');
    expect(config.body).toMatchObject({ kind: 'SystemConfig', defaultRadius: 300 });
    // System settings need an admin key; the default key is refused, saying so.
    const refused = await api(server, 'PATCH', `/api/v2/system-configs/${config.body.id}`, {
      defaultRadius: 450,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/admin API key/);
    const { key } = await createApiKey(server.ctx.db, 'ops', 'admin');
    const admin = { url: server.url, apiKey: key };
    const patched = await api(admin, 'PATCH', `/api/v2/system-configs/${config.body.id}`, {
      defaultRadius: 450,
    });
    expect(patched.status).toBe(204);
    expect(server.ctx.settings.defaultRadiusMeters).toBe(450);
    const tooBig = await api(admin, 'PATCH', `/api/v2/system-configs/${config.body.id}`, {
      defaultRadius: 10_000_000,
    });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.field).toBe('defaultRadius');
    expect((await api(server, 'GET', '/api/v2/system-configs')).body.defaultRadius).toBe(450);
  });
});
