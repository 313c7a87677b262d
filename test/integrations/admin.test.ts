/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON; the assertions check them */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import { api, startTestServer, type TestServer } from '../support/server.js';

describe('admin API', () => {
  let server: TestServer;
  let admin: { url: string; apiKey: string };

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    await server.ctx.integrations.ensureBindable('admin');
    admin = { url: server.url, apiKey: (await createApiKey(server.ctx.db, 'ops', 'admin')).key };
  });
  afterAll(async () => server.close());

  it('needs an admin key', async () => {
    expect((await api({ url: server.url, apiKey: '' }, 'GET', '/admin/integrations')).status).toBe(
      401,
    );
    const other = await api(server, 'GET', '/admin/integrations');
    expect(other.status).toBe(403);
    expect(other.body.message).toMatch(/admin API key/);
  });

  it('manages integration profiles, binds keys to them and applies their radius', async () => {
    const created = await api(admin, 'POST', '/admin/integrations', {
      name: 'ispbox-centro',
      kind: 'ispbox',
      defaultRadiusMeters: 250,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'ispbox-centro',
      kind: 'ispbox',
      reservationDays: 30,
      defaultRadiusMeters: 250,
      mayReserve: true,
    });
    expect(
      (await api(admin, 'POST', '/admin/integrations', { name: 'ispbox-centro', kind: 'ispbox' }))
        .status,
    ).toBe(409);
    const bad = await api(admin, 'POST', '/admin/integrations', { name: 'x', kind: 'erp' });
    expect(bad).toMatchObject({ status: 400, body: { field: 'kind' } });
    expect(
      (await api(admin, 'PATCH', '/admin/integrations/ispbox-centro', { reservationDays: -1 }))
        .status,
    ).toBe(400);
    expect(
      (await api(admin, 'PATCH', '/admin/integrations/ispbox-centro', { reservationDays: 10 }))
        .status,
    ).toBe(204);
    expect(
      (await api(admin, 'PATCH', '/admin/integrations/nada', { reservationDays: 10 })).status,
    ).toBe(404);

    const key = await api(admin, 'POST', '/admin/api-keys', {
      name: 'Ispbox loja',
      integration: 'ispbox-centro',
    });
    expect(key.status).toBe(201);
    expect(key.body.key).toMatch(/^alc_/);
    expect(
      (await api(admin, 'POST', '/admin/api-keys', { name: 'x', integration: 'desconhecida' }))
        .status,
    ).toBe(400);
    const caller = { url: server.url, apiKey: key.body.key as string };
    const viability = await api(caller, 'GET', '/api/v2/ftth-viability/radius?lat=-23.4&lng=-51.9');
    expect(viability.body.radius).toBe(250);
    expect((await server.ctx.integrations.profile('ispbox-centro')).reservationDays).toBe(10);

    expect((await api(admin, 'DELETE', '/admin/integrations/ispbox-centro')).status).toBe(409);
    expect((await api(admin, 'DELETE', `/admin/api-keys/${key.body.id as string}`)).status).toBe(
      204,
    );
    expect(
      (await api(caller, 'GET', '/api/v2/ftth-viability/radius?lat=-23.4&lng=-51.9')).status,
    ).toBe(401);
    expect((await api(admin, 'DELETE', '/admin/integrations/ispbox-centro')).status).toBe(204);
    expect(
      (await api(admin, 'GET', '/admin/integrations')).body.map((p: { name: string }) => p.name),
    ).toEqual(['admin']);
  });

  it('validates the hand-off release request', async () => {
    const bad = await api(admin, 'POST', '/admin/chat/release', { channel: 'fax' });
    expect(bad.status).toBe(400);
    const ok = await api(admin, 'POST', '/admin/chat/release', {
      channel: 'web',
      chatId: 'nobody',
    });
    expect(ok).toMatchObject({ status: 200, body: { released: false } });
  });
});
